"""The golden corpus: what TensorFlow 2.21 did on each conformance case, runnable without TF.

The corpus lives in ``conformance/corpus/`` and is written by
``scripts/generate_corpus.py`` (which drives TensorFlow in a worker process):

- ``cases/<name>.case``: one serialized ``metagraph_ref.CorpusCase`` per case
  (``protos/refimpl/pb/conformance.proto``), with its ``snapshot`` field empty and
  ``snapshot_sha256`` naming the shared snapshot;
- ``snapshots/<sha256>.snapshot``: the graph snapshots, de-duplicated (the file
  name is the SHA-256 of the content);
- ``MANIFEST.json``: the TensorFlow and protobuf versions, the generator
  fingerprint (``generator_fingerprint``), the case count and each case file's
  SHA-256, plus coverage statistics.

This module is the public API over it (for ``tests/test_corpus.py`` and for
conformance runners of other implementations):

- ``load_corpus`` reads every case, with its snapshot resolved;
- ``to_arguments`` / ``from_arguments`` convert export arguments between Python
  values and ``ExportArguments``;
- ``run_case`` runs refimpl on a case and returns its ``Outcome``;
- ``case_differences`` compares an outcome with the case's expected one, exactly as
  the live-TF tests do (``conformance.compare``);
- ``depends_on_protobuf_runtime`` tells whether TF's bytes for a case may depend on the
  protobuf runtime of TF's process (spec.md 0.3.1).

**Runtimes.** TF's output depends on its protobuf runtime in two places (spec.md 0.3.1).
The corpus is recorded under protobuf 7 (MANIFEST.json ``protobuf_version``); every case
that ``depends_on_protobuf_runtime`` is recorded again under protobuf 6 (TF 2.21 accepts
``protobuf>=6.31.1,<8``) and, when TF's outcome differs beyond the debug files (which name
the paths of TF's installation), kept as ``<name>@pb6`` (``PB6_SUFFIX``), its
``protobuf_version`` and snapshot saying so. MANIFEST.json ``protobuf_6`` lists the
cases recorded again and those that came out the same.

It never imports TensorFlow.

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

import ast
import functools
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

import refimpl
from conformance import compare
from conformance.protocol.conformance_pb2 import (
    CorpusCase,
    ExportArguments,
    Outcome,
    PyValue,
)
from conformance.protocol.values import (
    PROTO_ARGUMENTS,
    decode_arguments,
    decode_value,
    encode_value,
    message_builder,
)
from refimpl.export import ExportResult, plan_export
from refimpl.pb.snapshot_pb2 import GraphSnapshot
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.snapshot import Snapshot

__all__ = [
    "DEFAULT_DIRECTORY",
    "FEATURES",
    "FINGERPRINT_SOURCES",
    "PROTO_ARGUMENTS",
    "PROTO_TYPES",
    "REPO_ROOT",
    "case_differences",
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
    "PB6_SUFFIX",
    "run_case",
    "snapshot_sha256",
    "spec_rule_numbers",
    "to_arguments",
    "to_py_value",
]

#: The repository root (the corpus, spec.md and the generator's sources live there).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Where the corpus is.
DEFAULT_DIRECTORY = REPO_ROOT / "conformance" / "corpus"

#: Sources (relative to the repository root) whose content defines the hand-written
#: cases; the generator fingerprint covers them. A generator run that adds random
#: graph programs adds their sources (``conformance/programs.py``,
#: ``conformance/strategies.py``); MANIFEST.json lists the sources actually used.
FINGERPRINT_SOURCES: tuple[str, ...] = (
    "conformance/graphs.py",
    "conformance/hand_cases.py",
    "conformance/corpus.py",
    "scripts/generate_corpus.py",
)

#: Full protobuf type name -> refimpl's class, for ``ProtoValue`` arguments.
PROTO_TYPES: dict[str, type[Message]] = {
    "tensorflow.MetaGraphDef.MetaInfoDef": MetaGraphDef.MetaInfoDef,
    "tensorflow.GraphDef": GraphDef,
    "tensorflow.SaverDef": SaverDef,
}

#: Keyword parameters that export_meta_graph binds by name. The relative order of any
#: other keywords is observable (spec.md rule 2.5); ``ExportArguments.kwargs`` is a map,
#: so ``from_arguments`` returns them in sorted order and ``to_arguments`` refuses
#: arguments whose extra keywords are in another order.
NAMED_PARAMETERS: frozenset[str] = frozenset(
    {
        "filename",
        "meta_info_def",
        "graph_def",
        "saver_def",
        "collection_list",
        "as_text",
        "graph",
        "export_scope",
        "clear_devices",
        "clear_extraneous_savers",
        "strip_default_attrs",
        "save_debug_info",
        "unbound_inputs_col_name",
    }
)

#: Feature tags of ``CorpusCase.features`` and what a case with the tag needs.
FEATURES: dict[str, str] = {
    "scope": "a truthy export_scope (scoped rebuild, name stripping, unbound inputs)",
    "text": "a truthy as_text (text-format output)",
    "debug": "save_debug_info with a file name (the GraphDebugInfo file)",
    "clear_devices": "a truthy clear_devices (rebuild without devices)",
    "clear_extraneous_savers": "a truthy clear_extraneous_savers",
    "strip_default_attrs": "a truthy strip_default_attrs",
    "graph_def": "a GraphDef argument (verbatim or rebuilt from it)",
    "meta_info_def": "a MetaInfoDef argument",
    "saver_def": "a SaverDef argument",
    "collection_list": "a collection_list other than None",
    "unbound_inputs_col_name": "the unbound_inputs_col_name keyword",
    "kwargs": "keywords export_meta_graph does not know",
    "bad_types": "arguments of the wrong type (TF's errors for them)",
    "falsy": "falsy arguments other than None ('' , b'', {}, ...)",
    "filename": "a file name other than model.meta (directories, extensions)",
    "then": "further exports of the same graph, which sees the state the first left",
    "error": "TF raised an exception",
    "warnings": "TF logged warnings",
    "functions": "the graph has a function library",
    "control_flow_v1": "the graph has cond_context / while_context collections",
    "variables": "the graph has variable collections",
    "savers": "the graph has a savers collection",
    "collections": "the graph has collections",
    "unordered_inner_maps": "TF's own output is not reproducible (spec.md 0.4.1)",
    "random": "a random graph program (conformance/programs.py)",
}

#: Name suffix of the cases recorded again under protobuf 6 (spec.md 0.3.1).
PB6_SUFFIX = "@pb6"

_SNAPSHOT_SUFFIX = ".snapshot"
_CASE_SUFFIX = ".case"


# -- argument values ---------------------------------------------------------------------
#: ``ProtoValue`` arguments become refimpl's classes (``PROTO_TYPES``).
BUILD_MESSAGE = message_builder(PROTO_TYPES)
#: A Python argument value as a ``PyValue`` (``conformance.protocol.values.encode_value``).
to_py_value = encode_value


def from_py_value(value: PyValue) -> Any:
    """The Python value of a ``PyValue``; a ``ProtoValue`` becomes refimpl's message class."""
    return decode_value(value, BUILD_MESSAGE)


def to_arguments(args: Mapping[str, Any], response: Mapping[str, Any]) -> ExportArguments:
    """The arguments of one export as ``ExportArguments``.

    ``args`` are the arguments as the TF worker request gave them (JSON-like values,
    proto-valued ones possibly as worker specs such as ``{"text": ...}``); ``response``
    is the worker's response, whose ``meta_info_def`` / ``graph_def`` / ``saver_def``
    bytes are the messages TF actually received: those become ``ProtoValue``s (parsed
    with refimpl's class and re-serialized deterministically, since TF's serializer
    orders map entries arbitrarily; the message is the same), so a spec never reaches
    the corpus. Pass ``{}`` as ``response`` for arguments without
    resolved messages (e.g. the ``then`` exports). Include ``filename`` in ``args``:
    an absent argument means TF's default (``filename=None`` writes nothing).

    Raises ``ValueError`` for a spec TF did not resolve, for ``graph`` (the graph is
    the case's snapshot), and for extra keywords that are not in sorted order (their
    order is observable, rule 2.5, and ``ExportArguments.kwargs`` is a map).
    """
    out = ExportArguments()
    extra = [k for k in args if k not in NAMED_PARAMETERS]
    if extra != sorted(extra):
        raise ValueError(f"extra keywords {extra} are not in sorted order")
    if "graph" in args:
        raise ValueError("the graph argument cannot be represented: it is the snapshot")
    for name, value in args.items():
        type_name = PROTO_ARGUMENTS.get(name)
        if type_name is not None and isinstance(response.get(name), bytes):
            msg = PROTO_TYPES[type_name]()
            msg.ParseFromString(response[name])
            out.kwargs[name].CopyFrom(to_py_value(msg))
        elif type_name is not None and isinstance(value, dict) and value:
            raise ValueError(f"argument {name}={value!r} was not resolved by TF")
        else:
            out.kwargs[name].CopyFrom(to_py_value(value))
    return out


def from_arguments(arguments: ExportArguments) -> dict[str, Any]:
    """The keyword arguments for ``refimpl.run_exports`` (and TF), in sorted key order.

    ``ProtoValue``s become refimpl's classes (``PROTO_TYPES``).
    """
    return decode_arguments(arguments, BUILD_MESSAGE)


# -- outcomes ----------------------------------------------------------------------------
def outcome_from_response(response: Mapping[str, Any]) -> Outcome:
    """TF's outcome, from a TF worker response (``conformance.tf_worker``).

    The returned MetaGraphDef and the caller's stamped ``meta_info_def`` are recorded
    only when TF raised no error (as ``Outcome`` documents); the files, warnings and
    the graph's ``unbound_inputs`` collection always. An item of that collection is
    recorded as itself if it is a str, else as its ``repr()`` (``_unbound_item``).
    """
    out = Outcome()
    for path in sorted(response.get("files", {})):
        out.files[path] = response["files"][path]
    error = response.get("error")
    if error is not None:
        out.error.type, out.error.message = error
    else:
        if response.get("returned") is not None:
            out.returned_meta_graph_def = response["returned"]
        if response.get("meta_info_def_after") is not None:
            out.meta_info_def_after = response["meta_info_def_after"]
    out.warnings.extend(response.get("warnings", []))
    reprs = response.get("unbound_after_repr")
    if reprs is not None:
        out.unbound_inputs_after.extend(_str_or_repr(r) for r in reprs)
    else:
        out.unbound_inputs_after.extend(response.get("unbound_after", []))
    return out


def _str_or_repr(text: str) -> str:
    """The str whose repr is ``text``, or ``text`` itself if it is not a str's repr."""
    if text[:1] in ("'", '"'):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(value, str):
            return value
    return text


def _unbound_item(item: Any) -> str:
    """A snapshot collection item as ``Outcome.unbound_inputs_after`` records it."""
    return str(item.str) if item.WhichOneof("kind") == "str" else str(item.repr)


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@functools.lru_cache(maxsize=16)
def _snapshot(sha256: str, data: bytes) -> Snapshot:
    return refimpl.load_snapshot(data)


def run_case(case: CorpusCase) -> Outcome:
    """refimpl's outcome on ``case`` (its snapshot must be resolved, see ``load_corpus``).

    Runs ``refimpl.export.plan_export`` on the snapshot with the case's arguments, then
    each ``then`` export (file ``then<i>.meta`` unless it names one) on the graph state
    the previous export left, stopping at the first error (TF raises it). Warnings are
    those logged on the ``refimpl`` logger meanwhile. The files are those of every
    export (a later write of a path replaces the earlier); the returned message and
    the caller's stamped ``meta_info_def`` are the first export's, recorded only
    without error; ``unbound_inputs_after`` is the graph state after the last export
    that ran to its end.
    """
    if not case.snapshot:
        raise ValueError(f"case {case.name}: snapshot not resolved (use load_corpus)")
    graph = _snapshot(snapshot_sha256(case.snapshot), case.snapshot)
    out = Outcome()
    warnings: list[str] = []
    handler = _ListHandler(warnings)
    logger = logging.getLogger("refimpl")
    logger.addHandler(handler)
    results: list[ExportResult] = []
    error: BaseException | None = None
    try:
        exports = [from_arguments(case.arguments)]
        for i, more in enumerate(case.then):
            kwargs = from_arguments(more)
            kwargs.setdefault("filename", f"then{i}.meta")
            exports.append(kwargs)
        for kwargs in exports:
            result = plan_export(results[-1].graph if results else graph, **kwargs)
            results.append(result)
            if result.error_after_files is not None:
                error = result.error_after_files
                break
    except Exception as e:  # noqa: BLE001 - every exception is part of the outcome
        error = e
    finally:
        logger.removeHandler(handler)
    files: dict[str, bytes] = {}
    for r in results:
        for w in r.files:
            files[w.path] = w.content
    for path in sorted(files):
        out.files[path] = files[path]
    if error is not None:
        out.error.type = type(error).__name__
        out.error.message = str(error)
    elif results:
        first = results[0]
        out.returned_meta_graph_def = first.meta_graph_def.SerializeToString(deterministic=True)
        if first.meta_info_def is not None:
            out.meta_info_def_after = first.meta_info_def.SerializeToString(deterministic=True)
    out.warnings.extend(warnings)
    complete = [r for r in results if r.error_after_files is None]
    if complete:
        final = complete[-1].graph
        out.unbound_inputs_after.extend(
            _unbound_item(item) for item in final.get_collection("unbound_inputs")
        )
    return out


def _compare_outcome(outcome: Outcome) -> compare.Outcome:
    return compare.Outcome(
        files=dict(outcome.files),
        returned=(
            outcome.returned_meta_graph_def if outcome.HasField("returned_meta_graph_def") else None
        ),
        error=(outcome.error.type, outcome.error.message) if outcome.HasField("error") else None,
        warnings=list(outcome.warnings),
        unbound_after=list(outcome.unbound_inputs_after),
        meta_info_def_after=(
            outcome.meta_info_def_after if outcome.HasField("meta_info_def_after") else None
        ),
    )


def case_differences(case: CorpusCase, actual: Outcome) -> list[str]:
    """Every way ``actual`` differs from the case's expected outcome (empty: it conforms).

    The comparison is ``conformance.compare.differences``: the error (type and
    message), every file byte for byte, the returned MetaGraphDef, the warnings, and,
    when TF raised no error, the caller's stamped ``meta_info_def`` and the graph's
    ``unbound_inputs`` collection. Differences are described structurally (the first
    differing field path with both values). In a case marked ``unordered_inner_maps``
    (spec.md 0.4.1), a file or the returned message may differ in bytes from TF's if
    both are equal after re-serializing their control-flow contexts deterministically
    (``conformance.compare.canonical_meta_file``), whatever the file's name; in other
    cases every byte counts.
    """
    expected = _compare_outcome(case.expected)
    got = _compare_outcome(actual)
    strict: list[str] = []
    pairs = [(n, expected.files[n], got.files[n]) for n in expected.files if n in got.files]
    if expected.returned is not None and got.returned is not None:
        pairs.append(("returned MetaGraphDef", expected.returned, got.returned))
    for name, e, a in pairs:
        if e == a or not _canonically_equal(e, a):
            continue
        if case.unordered_inner_maps:
            # Accept: compare the rest as if refimpl had written TF's bytes.
            if name in got.files:
                got.files[name] = e
            else:
                got.returned = e
        else:
            strict.append(
                f"{name}: same message after canonicalizing control-flow contexts, but "
                "different bytes, and the case is not marked unordered_inner_maps"
            )
    problems = list(compare.differences(expected, got))
    if strict:
        # differences() canonicalizes on its own: report the byte differences instead.
        names = {s.split(":", 1)[0] for s in strict}
        problems = [p for p in problems if p.split(":", 1)[0] not in names] + strict
    return problems


def depends_on_protobuf_runtime(case: CorpusCase) -> bool:
    """Whether TF's outcome for ``case`` (snapshot resolved) may depend on the protobuf
    runtime of TF's process (spec.md 0.3.1): the graph has a bool collection item (rule
    8.4.3), or TF raised a ``DecodeError`` (rule 10.2.7)."""
    if case.expected.HasField("error") and case.expected.error.type == "DecodeError":
        return True
    snap = GraphSnapshot.FromString(case.snapshot)
    return any(item.WhichOneof("kind") == "bool" for c in snap.collections for item in c.items)


def differs_beyond_debug_files(a: Outcome, b: Outcome) -> bool:
    """Whether two outcomes differ in anything but the content of ``.debug`` files."""

    def key(outcome: Outcome) -> bytes:
        copy = Outcome()
        copy.CopyFrom(outcome)
        for name in copy.files:
            if name.endswith(".debug"):
                copy.files[name] = b""
        return copy.SerializeToString(deterministic=True)

    return key(a) != key(b)


def _canonically_equal(expected: bytes, actual: bytes) -> bool:
    try:
        e, a = compare.canonical_meta_file(expected), compare.canonical_meta_file(actual)
    except Exception:  # noqa: BLE001 - not a MetaGraphDef
        return False
    return e is not None and e == a


# -- files -------------------------------------------------------------------------------
def snapshot_sha256(data: bytes) -> str:
    """The lowercase hex SHA-256 of a snapshot (its name in ``snapshots/``)."""
    return hashlib.sha256(data).hexdigest()


def case_file_sha256(path: Path) -> str:
    """The lowercase hex SHA-256 of a case file (as MANIFEST.json records it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_case(path: Path, directory: Path | None = None) -> CorpusCase:
    """One case file, with its snapshot resolved from ``directory/snapshots``.

    ``directory`` defaults to the parent of the case file's directory. A snapshot
    whose content does not match ``snapshot_sha256`` raises ``ValueError``.
    """
    case = CorpusCase()
    case.ParseFromString(path.read_bytes())
    if not case.snapshot and case.snapshot_sha256:
        root = directory if directory is not None else path.parent.parent
        data = (root / "snapshots" / f"{case.snapshot_sha256}{_SNAPSHOT_SUFFIX}").read_bytes()
        if snapshot_sha256(data) != case.snapshot_sha256:
            raise ValueError(f"snapshot {case.snapshot_sha256} does not match its hash")
        case.snapshot = data
    return case


def load_corpus(directory: Path = DEFAULT_DIRECTORY) -> list[CorpusCase]:
    """Every case of the corpus in ``directory``, sorted by name, snapshots resolved.

    Each snapshot file is read once and shared between the cases that use it.
    """
    cache: dict[str, bytes] = {}
    cases = []
    for path in sorted((directory / "cases").glob(f"*{_CASE_SUFFIX}")):
        case = CorpusCase()
        case.ParseFromString(path.read_bytes())
        if not case.snapshot and case.snapshot_sha256:
            sha = case.snapshot_sha256
            if sha not in cache:
                data = (directory / "snapshots" / f"{sha}{_SNAPSHOT_SUFFIX}").read_bytes()
                if snapshot_sha256(data) != sha:
                    raise ValueError(f"snapshot {sha} does not match its hash")
                cache[sha] = data
            case.snapshot = cache[sha]
        cases.append(case)
    cases.sort(key=lambda c: c.name)
    return cases


def load_manifest(directory: Path = DEFAULT_DIRECTORY) -> dict[str, Any]:
    """The corpus's MANIFEST.json."""
    data = json.loads((directory / "MANIFEST.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("MANIFEST.json is not an object")
    return data


def generator_fingerprint(sources: Iterable[str], root: Path = REPO_ROOT) -> str:
    """SHA-256 over the given source files (paths relative to ``root``), in sorted order.

    Each file contributes its path, a NUL, the SHA-256 of its bytes and a newline, so
    renaming or editing any of them changes the fingerprint.
    """
    h = hashlib.sha256()
    for rel in sorted(set(sources)):
        digest = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


_RULE_HEADING = re.compile(r"^(?:- )?\*\*(\d+(?:\.\d+)+)\b", re.MULTILINE)


def spec_rule_numbers(spec: Path = REPO_ROOT / "spec.md") -> list[str]:
    """The rule numbers spec.md defines (``**N.N[.N]`` starting a line or a bullet), in order."""
    return _RULE_HEADING.findall(spec.read_text(encoding="utf-8"))


def sorted_rules(rules: Sequence[str]) -> list[str]:
    """Rule numbers de-duplicated, in numeric order (``4.2.10`` after ``4.2.9``)."""
    return sorted(set(rules), key=lambda r: tuple(int(p) for p in r.split(".")))
