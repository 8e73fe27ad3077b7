"""Generate the golden corpus (``conformance/corpus/``) from TensorFlow 2.21.

TensorFlow runs only in worker processes (``conformance.tf.process.TFWorker``);
this process never imports it (TF's generated protos and ours define the same
``tensorflow.*`` names). For every hand-written case (``conformance.gen.hand_cases``)
and N random graph programs (``--programs``, default 100; ``conformance.strategies``,
drawn with a fixed seed),
a worker builds the graph, captures its snapshot and exports it with TF; the case
is then written as ``cases/<name>.case`` (a deterministic serialization of
``metagraph_ref.CorpusCase``), its snapshot under ``snapshots/<sha256>.snapshot``
(shared by the cases whose snapshots are equal), and ``MANIFEST.json`` records the
TF and protobuf versions, the generator fingerprint, the case count and each case
file's SHA-256 (see ``conformance.corpus``). refimpl is then run on every case and
its differences from TF are reported (they do not stop the generation).

**Determinism.** Every group of cases (one graph builder's cases; random programs
in chunks of ``PROGRAM_CHUNK``) runs in a fresh worker, in a fixed order: TF names
functions with a process-wide counter, so a graph's snapshot depends on what the
process built before. The workers also run with ``PYTHONHASHSEED=0``: TF adds a
variable to its collections by iterating a set of keys, so the graph's collection
order otherwise changes from one process to the next. The output is therefore the
same on every run, whatever ``--jobs`` is, apart from TF's own non-determinism
(spec.md 0.4.1: the byte order of control-flow contexts with two or more
``external_values``, in the cases marked ``unordered_inner_maps``; and the random
UUID that ``tf.lookup`` tables put in their ``shared_name``).

Python's ``repr`` of some collection items (savers, contexts, queue runners, ...)
contains a memory address (``<... object at 0x7f81754ada10>``), which the snapshot
records and TF's messages may quote. The generator replaces each distinct address in a
case by a stable one (``0x1``, ``0x2``, ... in order of first appearance in the
snapshot's ``repr`` fields), consistently in the snapshot and in TF's warnings, error
and ``unbound_inputs`` (``normalize_addresses``): without it no two runs would agree,
and equal graphs would not share a snapshot.

**Protobuf runtimes.** TF's output depends on the protobuf runtime of its process in two
places (spec.md 0.3.1). The workers run the TF and protobuf (7.x) of this interpreter (or
of ``$METAGRAPH_TF_PYTHON``); ``--pb6-python PATH`` (default: ``$METAGRAPH_PB6_PYTHON``)
names a second interpreter with TF 2.21 and protobuf 6 (``.ci/run`` makes one: protobuf
6.31.1). Every case that ``conformance.corpus.depends_on_protobuf_runtime`` (a bool
collection item, a ``DecodeError``) is then recorded again by that interpreter, running the
case's whole worker group in the same order (so that process-wide counters agree), and
kept as ``<name>@pb6`` when TF's outcome differs from protobuf 7's beyond the debug files
(which name the paths of TF's installation). MANIFEST.json ``protobuf_6`` lists the
runtime, the cases kept and those that came out the same; ``tests/test_corpus.py`` fails
when a case that depends on the runtime was not recorded again.

**Skipped cases.** A case whose worker response has a ``worker_error`` (the graph
could not be built or captured) is skipped and listed in MANIFEST.json.

**Rules, features, level.** Each case's rules are the trace of refimpl's exports of the
case (``refimpl.run_exports(..., trace=True)``: the numbered rules of spec.md the export
applied, in order of first application, sorted here); refimpl's output equals TF's on
every case, so the trace names what TF did. Rules no trace can know are given by hand in
``tagged_rules`` (``hand_tagged_rules``): 1.10 when the graph was captured under a
condition other than the default one, and the docstring discrepancies of section 11
that the case's arguments show. Feature tags (``conformance.corpus.FEATURES``) follow the
case's arguments, its graph (read from the snapshot) and TF's outcome (``classify``): a
tag means the case needs that behaviour, so that a testee declaring every tag but one is
sent every case that does not need it; the fine-grained ``text_any``, ``regex_error``
and ``error_text:<rule>`` (``conformance.corpus.features.ERROR_TEXTS``) let a testee skip
exactly the ``Any`` expansion and the texts Python or protobuf words.
Levels (documented in ``conformance.corpus``): OPTIONAL if the trace holds a rule of
``OPTIONAL_RULES``, TF failed with an exception in ``OPTIONAL_ERRORS`` or text output
expands an ``Any`` of a type only TF knows; else RECOMMENDED if TF raised; else REQUIRED.

**Release corpora.** ``--tf-release RELEASE --tf-python PATH`` records the corpus of
another TF release (``conformance.corpus.releases``) with the interpreter ``PATH`` (TF
``RELEASE`` and the protobuf its pip resolved; default ``$METAGRAPH_TF_PYTHON``): the hand
cases that ``conformance.corpus.release_selection`` picks from the committed 2.21 corpus,
no random programs, no ``@pb6`` twins, all in one long-lived worker (per eager mode) in
name order, so that the output does not depend on ``--jobs``. It is written to
``releases/<RELEASE>/`` with its snapshots in the shared ``releases/snapshots/`` (a
snapshot no release corpus names is removed). Its fingerprint also covers the selection
module and the 2.21 corpus's MANIFEST.json: regenerate the 2.21 corpus first.

Usage: python scripts/generate_corpus.py [--out DIR] [--jobs 2] [--programs N]
[--seed S] [--only REGEX] [--pb6-python PATH] [--tf-release R --tf-python PATH]
[--release-envs DIR] [--check]. ``--release-envs DIR`` records every release corpus, one
after the other, with the environments ``scripts/make_release_envs.py DIR`` made.
``--check`` runs no TF: it verifies that the committed corpus and every release corpus
match the current generator sources, the installed TF version (main corpus) and their own
hashes (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from google.protobuf import descriptor_pool, text_format  # noqa: E402
from google.protobuf.message import Message  # noqa: E402

from conformance import compare  # noqa: E402
from conformance.corpus import (  # noqa: E402
    DEFAULT_DIRECTORY,
    FEATURES,
    FINGERPRINT_SOURCES,
    PB6_SUFFIX,
    REPO_ROOT,
    case_differences,
    case_file_sha256,
    case_trace,
    depends_on_protobuf_runtime,
    differs_beyond_debug_files,
    error_text_features,
    from_arguments,
    generator_fingerprint,
    load_corpus,
    load_manifest,
    outcome_from_response,
    run_case,
    snapshot_sha256,
    sorted_rules,
    spec_rule_numbers,
    to_arguments,
)
from conformance.corpus.release_selection import select_release_cases  # noqa: E402
from conformance.corpus.releases import (  # noqa: E402
    REFERENCE_RELEASE,
    RELEASES_DIRECTORY,
    release_corpora,
)
from conformance.gen.hand_cases import hand_cases  # noqa: E402
from conformance.protocol.conformance_pb2 import CorpusCase, Outcome  # noqa: E402
from conformance.protocol.file_states import fill_state  # noqa: E402
from conformance.tf.capture_conditions import DEFAULT as DEFAULT_CONDITION  # noqa: E402
from conformance.tf.process import TFWorkers  # noqa: E402
from refimpl.pb.snapshot_pb2 import CollectionItem, GraphSnapshot, PyObject  # noqa: E402
from refimpl.pb.tensorflow.graph_pb2 import GraphDef  # noqa: E402
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef  # noqa: E402
from refimpl.pb.tensorflow.saver_pb2 import SaverDef  # noqa: E402
from refimpl.text_pool import tf_text_pool  # noqa: E402

MetaInfoDef = MetaGraphDef.MetaInfoDef

#: Random programs per worker process.
PROGRAM_CHUNK = 25
#: Sources added to the fingerprint when random programs are part of the corpus.
#: (The programs package, module by module, and the strategies that draw programs.)
PROGRAM_SOURCES = (
    *sorted(
        p.relative_to(REPO_ROOT).as_posix()
        for p in (REPO_ROOT / "conformance" / "tf" / "programs").glob("*.py")
    ),
    "conformance/gen/strategies.py",
)
#: Sources added to the fingerprint of a release corpus: its selection and the 2.21
#: corpus it selects from.
RELEASE_SOURCES = (
    "conformance/corpus/release_selection.py",
    "conformance/corpus/MANIFEST.json",
)

# -- the tables ----------------------------------------------------------------------------

#: Rules describing accidents of TF's implementation: a case exercising one is OPTIONAL.
OPTIONAL_RULES = frozenset({"0.4.2", "5.3"})
#: Exceptions TF never raises on purpose (its own bugs): such a case is OPTIONAL.
OPTIONAL_ERRORS = frozenset({"UnboundLocalError", "IndexError", "AssertionError"})

#: Defaults of export_meta_graph's parameters (a falsy value that is not the default
#: exercises rule 2.2).
DEFAULTS: dict[str, Any] = {
    "filename": None,
    "meta_info_def": None,
    "graph_def": None,
    "saver_def": None,
    "collection_list": None,
    "as_text": False,
    "export_scope": None,
    "clear_devices": False,
    "clear_extraneous_savers": False,
    "strip_default_attrs": False,
    "save_debug_info": False,
    "unbound_inputs_col_name": "unbound_inputs",
}
MESSAGE_ARGUMENTS: dict[str, type[Message]] = {
    "meta_info_def": MetaInfoDef,
    "graph_def": GraphDef,
    "saver_def": SaverDef,
}


# -- facts about a case ----------------------------------------------------------------------
@dataclass
class GraphFacts:
    """What the features depend on in a graph snapshot: its collections."""

    # str keys in collection order, with the kind of each collection's first item
    str_keys: list[str] = field(default_factory=list)
    first_kind: dict[Any, str] = field(default_factory=dict)
    registered: set[str] = field(default_factory=set)
    # the graph has a function library
    functions: bool = False


#: Ops that call a function through their ``f`` attribute (spec.md 5.2).
CALL_OPS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})


def graph_facts(snapshot: bytes) -> GraphFacts:
    """The facts of ``snapshot`` (a serialized GraphSnapshot)."""
    snap = GraphSnapshot()
    snap.ParseFromString(snapshot)
    facts = GraphFacts(
        registered=set(snap.environment.proto_function_keys),
        functions=bool(snap.functions)
        or bool(GraphDef.FromString(snap.cpp_graph_def).library.function),
    )
    for col in snap.collections:
        kind = col.key.WhichOneof("kind")
        key: Any = col.key.str if kind == "str" else (col.key.bytes if kind == "bytes" else None)
        if kind == "str":
            facts.str_keys.append(col.key.str)
        if key is not None and col.items:
            facts.first_kind[key] = col.items[0].WhichOneof("kind") or ""
    return facts


def _is_default(name: str, value: Any) -> bool:
    default = DEFAULTS.get(name, object())
    return type(value) is type(default) and value == default


def _any_types(msg: Message) -> set[str]:
    """The type names of every ``google.protobuf.Any`` inside ``msg``."""
    found: set[str] = set()
    if msg.DESCRIPTOR.full_name == "google.protobuf.Any":
        found.add(str(getattr(msg, "type_url", "")).rpartition("/")[2])
    for fd, value in msg.ListFields():
        entry = fd.message_type
        if entry is None:
            continue
        if entry.GetOptions().map_entry:
            if entry.fields_by_name["value"].message_type is not None:
                found.update(t for v in value.values() for t in _any_types(v))
        elif compare._is_repeated(fd):
            found.update(t for v in value for t in _any_types(v))
        else:
            found |= _any_types(value)
    return found


def _known(pool: descriptor_pool.DescriptorPool, name: str) -> bool:
    try:
        pool.FindMessageTypeByName(name)
    except KeyError:
        return False
    return True


def _tf_knows(name: str) -> bool:
    """Whether TF's text output expands an ``Any`` of this type (spec.md 10.2.7)."""
    return _known(tf_text_pool(), name)


def _only_tf_knows(name: str) -> bool:
    """Whether TF's process knows the message type but refimpl's own schemas do not."""
    return _tf_knows(name) and not _known(descriptor_pool.Default(), name)


def _written_message(expected: Outcome, filename: Any) -> MetaGraphDef | None:
    """The exported MetaGraphDef: the returned one, else the text meta file TF wrote."""
    mgd = MetaGraphDef()
    if expected.HasField("returned_meta_graph_def"):
        mgd.ParseFromString(expected.returned_meta_graph_def)
        return mgd
    content = expected.files.get(os.path.normpath(str(filename)))
    if content is None:
        return None
    try:
        text_format.Parse(content.decode("utf-8"), mgd, descriptor_pool=tf_text_pool())
    except Exception:  # noqa: BLE001 - e.g. the debug file overwrote it
        return None
    return mgd


#: Docstring discrepancies (spec.md section 11) shown by a case's arguments: rule -> test.
DOCSTRING_RULES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "11.1": lambda kw: isinstance(kw.get("export_scope"), str) and bool(kw["export_scope"]),
    "11.3": lambda kw: bool(kw.get("save_debug_info") and kw.get("filename")),
    "11.5": lambda kw: bool(kw.get("clear_devices")),
    "11.6": lambda kw: bool(kw.get("clear_extraneous_savers")),
    "11.9": lambda kw: "unbound_inputs_col_name" in kw,
    "11.10": lambda kw: kw.get("collection_list") is not None,
    "11.12": lambda kw: bool(kw.get("as_text") and kw.get("filename")),
    "11.13": lambda kw: bool(kw.get("strip_default_attrs")),
}


def hand_tagged_rules(kwargs: Mapping[str, Any], capture_condition: str) -> list[str]:
    """The rules no trace can know: the capture context (1.10), the docstring rules (11)."""
    tagged = [rule for rule, shown in DOCSTRING_RULES.items() if shown(kwargs)]
    if capture_condition != DEFAULT_CONDITION:
        tagged.append("1.10")
    return sorted_rules(tagged)


@dataclass
class Classification:
    """A case's features and level."""

    features: list[str]
    level: int


def classify(
    kwargs: Mapping[str, Any],
    then: Sequence[Mapping[str, Any]],
    facts: GraphFacts,
    expected: Outcome,
    unordered: bool,
    random_program: bool,
    traced: Sequence[str],
) -> Classification:
    """The features and level of a case, from its arguments, graph, outcome and trace."""
    feats: set[str] = set()
    error = (expected.error.type, expected.error.message) if expected.HasField("error") else None
    scope = kwargs.get("export_scope")

    # arguments
    for name, value in kwargs.items():
        if name not in DEFAULTS:
            feats.add("kwargs")
        elif not value and not _is_default(name, value) and value is not None:
            feats.add("falsy")
    for name, cls in MESSAGE_ARGUMENTS.items():
        value = kwargs.get(name)
        if value and not isinstance(value, cls):
            feats.add("bad_types")
        elif isinstance(value, cls):
            feats.add(name)
    if scope and not isinstance(scope, str):
        feats.add("bad_types")
    filename = kwargs.get("filename")
    if filename:
        if filename != "model.meta":
            feats.add("filename")
        if not isinstance(filename, str):
            feats.add("bad_types")
    collection_list = kwargs.get("collection_list")
    if collection_list is not None:
        feats.add("collection_list")
        if not isinstance(collection_list, list):
            feats.add("bad_types")
    if "unbound_inputs_col_name" in kwargs:
        feats.add("unbound_inputs_col_name")
    if then:
        feats.add("then")
    for flag in ("clear_devices", "strip_default_attrs", "clear_extraneous_savers"):
        if kwargs.get(flag):
            feats.add(flag)
    if scope:
        feats.add("scope")
    exported = _written_message(expected, filename)
    if facts.functions or (
        exported is not None
        and (
            bool(exported.graph_def.library.function)
            or any(n.op in CALL_OPS for n in exported.graph_def.node)
        )
    ):
        feats.add("functions")

    # collections
    if facts.str_keys or facts.first_kind:
        feats.add("collections")
    if (facts.registered - {"savers", "queue_runners", "cond_context", "while_context"}) & set(
        facts.str_keys
    ):
        feats.add("variables")
    if "savers" in facts.str_keys:
        feats.add("savers")
    if {"cond_context", "while_context"} & set(facts.str_keys):
        feats.add("control_flow_v1")

    # outcome
    if error is not None:
        feats.add("error")
    feats |= error_text_features(
        error[0] if error else None, error[1] if error else "", expected.warnings
    )
    if expected.warnings:
        feats.add("warnings")
    if unordered:
        feats.add("unordered_inner_maps")
    foreign_any = False
    if kwargs.get("as_text") and filename:
        feats.add("text")
        mgd = _written_message(expected, filename)
        any_types = _any_types(mgd) if mgd is not None else set()
        foreign_any = any(_only_tf_knows(t) for t in any_types if t)
        if any(_tf_knows(t) for t in any_types if t):
            feats.add("text_any")
    if kwargs.get("save_debug_info") and filename:
        feats.add("debug")
    if random_program:
        feats.add("random")

    if set(traced) & OPTIONAL_RULES or (error is not None and error[0] in OPTIONAL_ERRORS):
        level = CorpusCase.OPTIONAL
    elif foreign_any:
        level = CorpusCase.OPTIONAL
    elif error is not None:
        level = CorpusCase.RECOMMENDED
    else:
        level = CorpusCase.REQUIRED
    unknown = feats - set(FEATURES)
    if unknown:
        raise AssertionError(f"features not in FEATURES: {sorted(unknown)}")
    return Classification(sorted(feats), level)


# -- running TF ------------------------------------------------------------------------------
@dataclass
class Pending:
    """A case to ask TF about."""

    name: str
    request: dict[str, Any]
    program: str  # CorpusCase.program
    random_program: bool = False


def pending_hand_cases() -> list[Pending]:
    """Every hand case (``conformance.gen.hand_cases``)."""
    return [Pending(name, request, f"builder:{request['graph']}") for name, request in hand_cases()]


def pending_random_cases(count: int, seed: int) -> list[Pending]:
    """``count`` random cases drawn deterministically from ``conformance.strategies.cases``.

    The draw depends only on ``seed``, the strategies' sources and the hypothesis
    version. Duplicate draws are dropped. Raises ImportError if the random-program
    modules are missing.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from conformance import strategies

    drawn: list[Any] = []
    seen: set[str] = set()

    @hypothesis_seed(seed)
    @settings(
        max_examples=count * 3,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategies.cases())
    def draw(case: Any) -> None:
        key = _json(
            {"program": case["program"], "args": case["args"], "f": case["filename"],
             "capture": case["capture"]}
        )
        if len(drawn) < count and key not in seen:
            seen.add(key)
            drawn.append(case)

    draw()
    out = []
    for case in drawn:
        program = _json(case["program"])
        digest = hashlib.sha256(
            _json(
                {"program": case["program"], "args": case["args"], "f": case["filename"],
                 "capture": case["capture"]}
            ).encode()
        ).hexdigest()
        request = {
            "program": case["program"],
            "args": case["args"],
            "filename": case["filename"],
            "then": [],
            "capture": case["capture"],
        }
        out.append(Pending(f"random-{digest[:16]}", request, f"program:{program}", True))
    return out


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


def groups_of(pending: Sequence[Pending]) -> list[list[Pending]]:
    """The worker groups: one per graph builder, random programs in fixed-size chunks."""
    by_graph: dict[str, list[Pending]] = {}
    randoms: list[Pending] = []
    for p in pending:
        if p.random_program:
            randoms.append(p)
        else:
            by_graph.setdefault(p.request["graph"], []).append(p)
    groups = list(by_graph.values())
    groups += [randoms[i : i + PROGRAM_CHUNK] for i in range(0, len(randoms), PROGRAM_CHUNK)]
    return groups


def run_group(
    group: Sequence[Pending], python: str | None = None
) -> list[tuple[Pending, dict[str, Any]]]:
    """Asks fresh TF workers (one per eager mode; of interpreter ``python``, default
    ``conformance.tf.process.TFWorker``'s) about each case of ``group``, in order."""
    worker = TFWorkers(python)
    try:
        return [(p, worker.run(p.request)) for p in group]
    finally:
        worker.close()


def ask_tf(
    pending: Sequence[Pending],
    jobs: int,
    progress: Callable[[str], None],
    python: str | None = None,
    only: Callable[[Pending], bool] | None = None,
) -> list[tuple[Pending, dict[str, Any]]]:
    """TF's responses for every case, in the order of ``pending``; with ``only``, for the
    cases of the worker groups that hold a case it accepts."""
    groups = groups_of(pending)
    if only is not None:
        groups = [g for g in groups if any(only(p) for p in g)]
        pending = [p for g in groups for p in g]
    answers: dict[str, dict[str, Any]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_group, g, python) for g in groups]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            for p, response in future.result():
                answers[p.name] = response
            progress(f"  {done}/{len(groups)} worker groups done")
    return [(p, answers[p.name]) for p in pending]


# -- building cases --------------------------------------------------------------------------
def _unordered(outcome: Outcome) -> bool:
    blobs = list(outcome.files.values())  # whatever the name: "model.debug" may be a meta file
    if outcome.HasField("returned_meta_graph_def"):
        blobs.append(outcome.returned_meta_graph_def)
    for blob in blobs:
        try:
            if compare.canonical_meta_file(blob) is not None:
                return True
        except Exception:  # noqa: BLE001, S112 - not a MetaGraphDef
            continue
    return False


_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def normalize_addresses(snapshot: bytes, outcome: Outcome) -> bytes:
    """Replaces memory addresses in reprs by stable ones (see the module docstring).

    Rewrites ``outcome`` in place; returns the rewritten snapshot.
    """
    snap = GraphSnapshot()
    snap.ParseFromString(snapshot)
    mapping: dict[str, str] = {}

    def substitute(text: str) -> str:
        return _ADDRESS.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)

    holders: list[CollectionItem | PyObject] = []
    for col in snap.collections:
        if col.key.WhichOneof("kind") == "other":
            holders.append(col.key.other)
        for item in col.items:
            holders.append(item)
            if item.WhichOneof("kind") == "opaque":
                holders.append(item.opaque)
    for holder in holders:
        for m in _ADDRESS.finditer(holder.repr):
            mapping.setdefault(m.group(0), f" at 0x{len(mapping) + 1:x}>")
    if not mapping:
        return snapshot
    for holder in holders:
        new = substitute(holder.repr)
        if new != holder.repr:
            holder.repr = new
    if outcome.HasField("error"):
        outcome.error.message = substitute(outcome.error.message)
    warnings = [substitute(w) for w in outcome.warnings]
    del outcome.warnings[:]
    outcome.warnings.extend(warnings)
    unbound = [substitute(u) for u in outcome.unbound_inputs_after]
    del outcome.unbound_inputs_after[:]
    outcome.unbound_inputs_after.extend(unbound)
    return snap.SerializeToString(deterministic=True)


def build_case(p: Pending, response: Mapping[str, Any]) -> CorpusCase:
    """The corpus case for TF's ``response`` to ``p`` (snapshot inline)."""
    args = dict(response["args"]) if p.random_program else dict(p.request["args"])
    args = {"filename": p.request.get("filename", "model.meta"), **args}
    case = CorpusCase(name=p.name, program=p.program)
    case.arguments.CopyFrom(to_arguments(args, response))
    for more in p.request.get("then", []):
        case.then.append(to_arguments(more, {}))
    entries = p.request.get("pre_state")
    if entries is not None:  # protocol 2: the working directory's state before the export
        case.pre_state.SetInParent()
        fill_state(case.pre_state, entries)
    case.expected.CopyFrom(outcome_from_response(response))
    case.snapshot = normalize_addresses(response["snapshot"], case.expected)
    case.tensorflow_version = response["tf_version"]
    case.protobuf_version = GraphSnapshot.FromString(case.snapshot).environment.protobuf_version
    case.capture_condition = response["capture"]
    case.unordered_inner_maps = _unordered(case.expected)
    kwargs = from_arguments(case.arguments)
    then = [from_arguments(t) for t in case.then]
    traced = case_trace(case)
    c = classify(
        kwargs,
        then,
        graph_facts(case.snapshot),
        case.expected,
        case.unordered_inner_maps,
        p.random_program,
        traced,
    )
    case.rules.extend(sorted_rules(list(traced)))
    case.tagged_rules.extend(hand_tagged_rules(kwargs, case.capture_condition))
    case.features.extend(sorted({*c.features, *(["pre_state"] if entries is not None else [])}))
    case.level = c.level  # type: ignore[assignment]
    return case


def build_cases(
    answers: Sequence[tuple[Pending, Mapping[str, Any]]],
) -> tuple[list[CorpusCase], dict[str, str]]:
    """The cases of TF's ``answers`` (their rules checked against spec.md), and the names
    of those skipped with the last line of their ``worker_error``."""
    spec_rules = set(spec_rule_numbers())
    cases: list[CorpusCase] = []
    skipped: dict[str, str] = {}
    for p, response in answers:
        if "worker_error" in response:
            skipped[p.name] = response["worker_error"].strip().splitlines()[-1][:300]
            continue
        case = build_case(p, response)
        missing = set(case.rules) - spec_rules
        if missing:
            raise AssertionError(f"{p.name}: rules not in spec.md: {sorted(missing)}")
        cases.append(case)
    return cases, skipped


def manifest_counts(
    tf_version: str,
    protobuf_versions: set[str],
    sources: Sequence[str],
    skipped: Mapping[str, str],
    cases: Sequence[CorpusCase],
) -> dict[str, Any]:
    """The MANIFEST.json entries every corpus has: versions, fingerprint, skipped cases,
    levels, features and rules counted."""
    coverage = Counter(r for c in cases for r in c.rules)
    return {
        "format": 1,
        "tensorflow_version": tf_version,
        "protobuf_version": next(iter(protobuf_versions), ""),
        "generator_fingerprint": generator_fingerprint(sources),
        "fingerprint_sources": sorted(sources),
        "skipped": dict(skipped),
        "levels": dict(sorted(Counter(CorpusCase.Level.Name(c.level) for c in cases).items())),
        "features": dict(sorted(Counter(f for c in cases for f in c.features).items())),
        "rules": {r: coverage[r] for r in sorted_rules(list(coverage))},
    }


def write_corpus(
    out: Path, cases: Sequence[CorpusCase], manifest: dict[str, Any], shared: bool = False
) -> dict[str, str]:
    """Writes cases, snapshots and MANIFEST.json (removing stale files); returns case hashes.

    ``shared``: the snapshots go to the release corpora's shared directory (``out``'s
    parent), where only the snapshots no release corpus names are removed.
    """
    snapshot_dir = out.parent / "snapshots" if shared else out / "snapshots"
    (out / "cases").mkdir(parents=True, exist_ok=True)
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    snapshots: dict[str, bytes] = {}
    case_files: dict[str, bytes] = {}
    for case in cases:
        stored = CorpusCase()
        stored.CopyFrom(case)
        sha = snapshot_sha256(case.snapshot)
        snapshots[sha] = case.snapshot
        stored.snapshot = b""
        stored.snapshot_sha256 = sha
        case_files[f"{case.name}.case"] = stored.SerializeToString(deterministic=True)
    _sync_dir(out / "cases", ".case", case_files)
    named = {f"{k}.snapshot": v for k, v in snapshots.items()}
    if shared:
        for name, data in named.items():
            path = snapshot_dir / name
            if not path.exists():
                path.write_bytes(data)
        _remove_unnamed_snapshots(out.parent, snapshot_dir, out, set(named))
    else:
        _sync_dir(snapshot_dir, ".snapshot", named)
    hashes = {
        name.removesuffix(".case"): hashlib.sha256(data).hexdigest()
        for name, data in sorted(case_files.items())
    }
    manifest = dict(manifest, cases=hashes, case_count=len(hashes), snapshot_count=len(snapshots))
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (out / "MANIFEST.json").write_text(text, encoding="utf-8")
    return hashes


def _remove_unnamed_snapshots(
    releases: Path, snapshot_dir: Path, written: Path, named: set[str]
) -> None:
    """Removes the shared snapshots that no release corpus under ``releases`` names
    (``written``'s cases name ``named``)."""
    for corpus in releases.iterdir():
        if corpus == written or not (corpus / "cases").is_dir():
            continue
        for path in (corpus / "cases").glob("*.case"):
            named.add(CorpusCase.FromString(path.read_bytes()).snapshot_sha256 + ".snapshot")
    for old in snapshot_dir.glob("*.snapshot"):
        if old.name not in named:
            old.unlink()


def _sync_dir(directory: Path, suffix: str, files: Mapping[str, bytes]) -> None:
    for old in directory.glob(f"*{suffix}"):
        if old.name not in files:
            old.unlink()
    for name, data in files.items():
        path = directory / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def _tf_distribution_version() -> str | None:
    for dist in ("tensorflow-cpu", "tensorflow"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _warn_uncommitted(sources: Sequence[str], progress: Callable[[str], None]) -> None:
    """Warns when a fingerprinted source differs from git's HEAD (the corpus would be
    generated from code nobody committed)."""
    try:
        run = subprocess.run(
            ["git", "status", "--porcelain", "--", *sources],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return
    for line in run.stdout.splitlines():
        progress(f"warning: uncommitted changes in a fingerprinted source: {line[3:]}")


def record_under_protobuf_6(
    pending: Sequence[Pending],
    cases: Sequence[CorpusCase],
    python: str,
    jobs: int,
    progress: Callable[[str], None],
) -> tuple[list[CorpusCase], dict[str, Any]]:
    """The ``@pb6`` cases (module docstring) and the manifest's ``protobuf_6`` entry."""
    by_name = {c.name: c for c in cases}
    wanted = {c.name for c in cases if depends_on_protobuf_runtime(c)}
    progress(f"{len(wanted)} cases depend on the protobuf runtime; asking {python}")
    answers = ask_tf(pending, jobs, progress, python=python, only=lambda p: p.name in wanted)
    kept: list[CorpusCase] = []
    same: list[str] = []
    versions: set[str] = set()
    for p, response in answers:
        if p.name not in wanted:
            continue
        if "worker_error" in response:
            raise AssertionError(f"{p.name} under protobuf 6: {response['worker_error']}")
        case = build_case(p, response)
        versions.add(case.protobuf_version)
        if not case.protobuf_version.startswith("6."):
            raise AssertionError(f"{python} runs protobuf {case.protobuf_version}, not 6.x")
        if case.tensorflow_version != by_name[p.name].tensorflow_version:
            raise AssertionError(f"{python} runs TF {case.tensorflow_version}")
        if differs_beyond_debug_files(case.expected, by_name[p.name].expected):
            case.name = p.name + PB6_SUFFIX
            kept.append(case)
        else:
            same.append(p.name)
    if len(versions) > 1:
        raise AssertionError(f"mixed protobuf versions under {python}: {versions}")
    entry = {
        "protobuf_version": next(iter(versions), ""),
        "recorded": sorted(c.name for c in kept),
        "same": sorted(same),
    }
    progress(f"protobuf 6: kept {len(kept)} cases, {len(same)} came out the same")
    return kept, entry


def corpus_problems(out: Path, release: bool = False) -> list[str]:
    """What is stale or broken in the corpus at ``out`` (no TF run); a release corpus
    (``release``) is not compared with the installed TF."""
    manifest = load_manifest(out)
    problems = []
    current = generator_fingerprint(manifest["fingerprint_sources"])
    if manifest["generator_fingerprint"] != current:
        problems.append("generator sources changed since the corpus was generated")
    installed = _tf_distribution_version()
    if not release and installed is not None and installed != manifest["tensorflow_version"]:
        problems.append(f"TF {installed} installed, corpus from {manifest['tensorflow_version']}")
    for name, sha in manifest["cases"].items():
        path = out / "cases" / f"{name}.case"
        if not path.exists() or case_file_sha256(path) != sha:
            problems.append(f"case {name}: missing or changed")
    return problems


def check(out: Path) -> int:
    """Verifies the committed corpus and, for the default one, every release corpus
    without TF; returns the exit status."""
    status = 0
    corpora = [(out, "python scripts/generate_corpus.py", False)]
    if out == DEFAULT_DIRECTORY:
        corpora += [
            (
                RELEASES_DIRECTORY / r,
                f"python scripts/generate_corpus.py --tf-release {r} --tf-python PATH",
                True,
            )
            for r in release_corpora()
            if r != REFERENCE_RELEASE
        ]
    for directory, command, release in corpora:
        problems = corpus_problems(directory, release)
        for p in problems:
            print(f"{directory.name}: {p}")
        if problems:
            print(f"run: {command}")
            status = 1
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--jobs", type=int, default=2, help="TF worker processes at once")
    parser.add_argument(
        "--programs", type=int, default=100, help="random graph programs to add (default 100)"
    )
    parser.add_argument("--seed", type=int, default=20260, help="seed of the random programs")
    parser.add_argument("--check", action="store_true", help="verify the corpus, run no TF")
    parser.add_argument(
        "--only", help="regex: keep only matching case names (for trials; use with --out)"
    )
    parser.add_argument(
        "--pb6-python",
        default=os.environ.get("METAGRAPH_PB6_PYTHON"),
        help="an interpreter with TF 2.21 and protobuf 6: record the runtime-dependent cases "
        "again under it (default: $METAGRAPH_PB6_PYTHON; without it, no @pb6 cases)",
    )
    parser.add_argument(
        "--tf-release",
        help="record the corpus of this TF release (major.minor.patch) with --tf-python",
    )
    parser.add_argument(
        "--tf-python",
        default=os.environ.get("METAGRAPH_TF_PYTHON"),
        help="the interpreter with that release's TF (default: $METAGRAPH_TF_PYTHON)",
    )
    parser.add_argument(
        "--release-envs",
        type=Path,
        help="record the corpus of every release with an environment DIR/<release>/ "
        "(scripts/make_release_envs.py) but 2.21.0, one after the other",
    )
    args = parser.parse_args(argv)
    if args.check:
        return check(args.out)
    if args.release_envs:
        envs = sorted(
            (d for d in args.release_envs.iterdir() if (d / "bin" / "python").exists()),
            key=lambda d: [int(x) if x.isdigit() else -1 for x in d.name.split(".")],
        )
        for env in envs:
            if env.name != REFERENCE_RELEASE:
                generate_release(
                    env.name, str(env / "bin" / "python"), RELEASES_DIRECTORY / env.name
                )
        return 0
    if args.tf_release:
        if not args.tf_python:
            parser.error("--tf-release needs --tf-python (or METAGRAPH_TF_PYTHON)")
        out = args.out if args.out != DEFAULT_DIRECTORY else RELEASES_DIRECTORY / args.tf_release
        return generate_release(args.tf_release, args.tf_python, out, args.only)

    os.environ["PYTHONHASHSEED"] = "0"  # inherited by the TF workers (module docstring)
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    pending = pending_hand_cases()
    sources = list(FINGERPRINT_SOURCES)
    if args.programs:
        pending += pending_random_cases(args.programs, args.seed)
        sources += [p for p in PROGRAM_SOURCES if p not in sources]  # each listed once
    _warn_uncommitted(sources, progress)
    if args.only:
        pending = [p for p in pending if re.search(args.only, p.name)]
    names = Counter(p.name for p in pending)
    duplicated = [n for n, k in names.items() if k > 1]
    if duplicated:
        raise SystemExit(f"duplicate case names: {duplicated}")
    progress(f"{len(pending)} cases; asking TensorFlow ({args.jobs} workers)")
    answers = ask_tf(pending, args.jobs, progress)
    tf_seconds = time.monotonic() - started

    cases, skipped = build_cases(answers)
    tf_versions = {case.tensorflow_version for case in cases}
    protobuf_versions = {
        GraphSnapshot.FromString(case.snapshot).environment.protobuf_version for case in cases
    }
    if len(tf_versions) > 1 or len(protobuf_versions) > 1:
        raise AssertionError(f"mixed versions: {tf_versions} {protobuf_versions}")
    for name, reason in sorted(skipped.items()):
        progress(f"skipped {name}: {reason}")
    protobuf_6: dict[str, Any] | None = None
    if args.pb6_python:
        pb6_cases, protobuf_6 = record_under_protobuf_6(
            pending, cases, args.pb6_python, args.jobs, progress
        )
        cases += pb6_cases
    else:
        progress("warning: no --pb6-python (or METAGRAPH_PB6_PYTHON): no @pb6 cases")

    progress("running refimpl on every case")
    differing: dict[str, list[str]] = {}
    for case in cases:
        problems = case_differences(case, run_case(case))
        if problems:
            differing[case.name] = problems
    for name, problems in sorted(differing.items()):
        progress(f"refimpl differs from TF on {name}:\n    " + "\n    ".join(problems))

    coverage = Counter(r for c in cases for r in c.rules)
    distribution = _tf_distribution_version()
    tf_version = next(iter(tf_versions), "")
    if distribution is not None and distribution != tf_version:
        raise AssertionError(f"worker TF {tf_version} vs installed {distribution}")
    manifest: dict[str, Any] = {
        **manifest_counts(tf_version, protobuf_versions, sources, skipped, cases),
        "random_programs": {"count": args.programs, "seed": args.seed} if args.programs else None,
        "protobuf_6": protobuf_6,
        "rules_not_exercised": [r for r in spec_rule_numbers() if r not in coverage],
    }
    if args.programs:
        manifest["hypothesis_version"] = importlib.metadata.version("hypothesis")
    leaked = [m for m in sys.modules if m == "tensorflow" or m.startswith("tensorflow.")]
    if leaked:  # TF's generated protos and ours must never share a process
        raise AssertionError(f"TensorFlow was imported in the generator process: {leaked[:3]}")
    write_corpus(args.out, cases, manifest)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    progress(
        f"wrote {len(cases)} cases ({len(skipped)} skipped), "
        f"{manifest_snapshot_count(args.out)} snapshots, {size / 1e6:.1f} MB to {args.out}; "
        f"TF took {tf_seconds:.0f}s; refimpl differs on {len(differing)} cases"
    )
    return 0


def generate_release(release: str, python: str, out: Path, only: str | None = None) -> int:
    """Records the corpus of TF ``release`` with ``python`` into ``out`` (module
    docstring, "Release corpora"); returns the exit status."""
    os.environ["PYTHONHASHSEED"] = "0"  # inherited by the TF worker (module docstring)
    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)

    selected = set(select_release_cases(load_corpus(DEFAULT_DIRECTORY)))
    pending = sorted(
        (p for p in pending_hand_cases() if p.name in selected), key=lambda p: p.name
    )
    if only:
        pending = [p for p in pending if re.search(only, p.name)]
    sources = [*FINGERPRINT_SOURCES, *RELEASE_SOURCES]
    _warn_uncommitted(sources, progress)
    progress(f"{len(pending)} cases; asking TensorFlow {release} ({python}, one worker)")
    answers = run_group(pending, python)
    cases, skipped = build_cases(answers)
    if {case.tensorflow_version for case in cases} - {release}:
        raise AssertionError(f"{python} does not run TF {release}")
    protobuf_versions = {case.protobuf_version for case in cases}
    if len(protobuf_versions) > 1:
        raise AssertionError(f"mixed protobuf versions: {protobuf_versions}")
    for name, reason in sorted(skipped.items()):
        progress(f"skipped {name}: {reason}")
    differing = [c.name for c in cases if case_differences(c, run_case(c))]
    manifest: dict[str, Any] = {
        **manifest_counts(release, protobuf_versions, sources, skipped, cases),
        "random_programs": None,
        "protobuf_6": None,
        "selection": "conformance.corpus.release_selection" + (f" --only {only}" if only else ""),
    }
    write_corpus(out, cases, manifest, shared=True)
    progress(
        f"wrote {len(cases)} cases ({len(skipped)} skipped) to {out}; "
        f"refimpl differs on {len(differing)}: {' '.join(differing[:20])}"
    )
    return 0


def manifest_snapshot_count(out: Path) -> int:
    """The number of snapshot files in the corpus at ``out``."""
    return len(list((out / "snapshots").glob("*.snapshot")))


if __name__ == "__main__":
    sys.exit(main())
