"""The golden corpus: what TensorFlow 2.21 did on each conformance case, runnable without TF.

The corpus is this package's data, written by ``scripts/generate_corpus.py`` (which drives
TensorFlow in worker processes): ``cases/<name>.case`` (one serialized
``metagraph_ref.CorpusCase`` per case, ``protos/conformance/protocol/conformance.proto``),
``snapshots/<sha256>.snapshot`` (the graph snapshots, shared) and ``MANIFEST.json``.

This package is the public API over it (for the tests, the runner and conformance
runners of other implementations), one module a job:

- ``files``: ``load_corpus`` reads every case, with its snapshot resolved; ``load_case``,
  ``load_manifest``, ``snapshot_sha256``, ``case_file_sha256``;
- ``arguments``: ``from_arguments`` / ``to_py_value`` ...: export arguments between
  ``ExportArguments`` and Python values, messages as refimpl's classes;
- ``reference``: ``run_case`` runs refimpl on a case and returns its ``Outcome``, and
  ``case_trace`` the rules its exports apply (the only
  module that loads refimpl's exporter; loaded on first use);
- ``differences``: ``case_differences`` compares an outcome with the case's expected one,
  exactly as the live-TF tests do (``conformance.compare``);
- ``features``, ``runtimes`` (``depends_on_protobuf_runtime``: whether TF's bytes for a
  case may depend on the protobuf runtime of TF's process, spec.md 0.3.1, and the
  ``@pb6`` cases), ``fingerprint`` (the generator fingerprint), ``spec_rules``;
- ``releases``: the corpora of the other TF releases (``releases/<release>/``, snapshots
  shared in ``releases/snapshots/``), ``corpus_directory("2.16")``; ``release_selection``:
  which cases they hold.

``to_arguments`` and ``outcome_from_response`` (what a TF worker answered, as the corpus
records it) live in ``conformance.tf.responses`` and are re-exported here. Nothing here
imports TensorFlow.

**Levels.** ``CorpusCase.level`` says how strongly a conforming exporter must
reproduce the case (spec.md 0.2):

- ``REQUIRED``: TF's export succeeded (possibly with logged warnings): the files,
  returned message, warnings and graph state are normative (MUST);
- ``RECOMMENDED``: TF raised an error: a conforming exporter MUST fail at the same
  point, and SHOULD reproduce the exception type and message exactly;
- ``OPTIONAL``: TF's behaviour is an accident of its implementation (an unassigned
  variable, an unguarded index or a bare ``assert`` inside TF's code, a side effect of
  reading a missing protobuf map entry, an output that depends on which message
  types TF's process happened to import, rules 0.4.2, 4.1.7, 4.2.5, 4.2.6, 4.3.2,
  5.3, 10.2.7). refimpl reproduces it; other exporters MAY differ.

``scripts/generate_corpus.py`` assigns them (``classify``).

**Features.** ``CorpusCase.features`` are tags from ``FEATURES``; a testee declares
the ones it supports (``metagraph_ref.Hello.features``) and is not sent the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from conformance.corpus.arguments import (
    PROTO_ARGUMENTS,
    PROTO_TYPES,
    from_arguments,
    from_py_value,
    to_py_value,
)
from conformance.corpus.differences import case_differences
from conformance.corpus.features import FEATURES, error_text_features
from conformance.corpus.files import (
    DEFAULT_DIRECTORY,
    REPO_ROOT,
    case_file_sha256,
    load_case,
    load_corpus,
    load_manifest,
    snapshot_sha256,
)
from conformance.corpus.fingerprint import FINGERPRINT_SOURCES, generator_fingerprint
from conformance.corpus.runtimes import (
    PB6_SUFFIX,
    depends_on_protobuf_runtime,
    differs_beyond_debug_files,
)
from conformance.corpus.spec_rules import (
    case_rules,
    rule_paragraphs,
    sorted_rules,
    spec_rule_numbers,
)

if TYPE_CHECKING:
    from conformance.corpus.reference import case_trace, run_case
    from conformance.tf.responses import outcome_from_response, to_arguments

__all__ = [
    "DEFAULT_DIRECTORY",
    "FEATURES",
    "FINGERPRINT_SOURCES",
    "PB6_SUFFIX",
    "PROTO_ARGUMENTS",
    "PROTO_TYPES",
    "REPO_ROOT",
    "case_differences",
    "error_text_features",
    "case_rules",
    "case_trace",
    "case_file_sha256",
    "depends_on_protobuf_runtime",
    "differs_beyond_debug_files",
    "from_arguments",
    "from_py_value",
    "generator_fingerprint",
    "load_case",
    "load_corpus",
    "load_manifest",
    "outcome_from_response",
    "rule_paragraphs",
    "run_case",
    "snapshot_sha256",
    "sorted_rules",
    "spec_rule_numbers",
    "to_arguments",
    "to_py_value",
]

#: Loaded on first use: ``run_case`` loads refimpl's exporter, which the runner must not.
_LAZY = {
    "run_case": "conformance.corpus.reference",
    "case_trace": "conformance.corpus.reference",
    "outcome_from_response": "conformance.tf.responses",
    "to_arguments": "conformance.tf.responses",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'conformance.corpus' has no attribute {name!r}")
