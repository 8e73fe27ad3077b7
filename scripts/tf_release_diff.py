"""What another TensorFlow release exports differently from the corpus (TF 2.21's).

Runs the corpus against ``conformance.tf_testee`` in another environment, exactly as
``python -m conformance --testee CMD`` does, and then looks past the one difference every
successful export of another release has (the ``tensorflow_version`` and
``tensorflow_git_version`` stamped into ``meta_info_def``):

- the runner's verdict as it is;
- the verdict once the corpus's version strings are stamped into the testee's
  ``MetaGraphDef``s (files and returned message) and its stamped ``meta_info_def``;
- an inventory of every remaining difference of the exported ``MetaGraphDef`` (the
  returned one, or the meta file TF wrote before an error), by kind: graph versions,
  stripped op list (per OpDef field), node attributes (per op type and attribute),
  nodes, functions, collections, other fields; and of the errors, warnings,
  ``unbound_inputs`` and debug files.

Prints Markdown (docs/tf-releases.md summarizes these outputs). Never imports TensorFlow.

Usage: python scripts/tf_release_diff.py --testee "/tmp/tf220/bin/python -m
conformance.tf_testee" [-j 2] [-k PATTERN ...] [--timeout 120]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from google.protobuf import text_format  # noqa: E402
from google.protobuf.message import Message  # noqa: E402

from conformance import corpus  # noqa: E402
from conformance.protocol.conformance_pb2 import CorpusCase, ExportRequest, Outcome  # noqa: E402
from conformance.run import runner  # noqa: E402
from conformance.run.testee_process import CaseResult, TesteeProcess  # noqa: E402
from conformance.run.verdicts import (  # noqa: E402
    canonical,
    detect_format,
    judge,
    parse_message,
    proto_keys,
)
from refimpl.pb.snapshot_pb2 import GraphSnapshot  # noqa: E402
from refimpl.pb.tensorflow.graph_pb2 import GraphDef  # noqa: E402
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef  # noqa: E402
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef  # noqa: E402
from refimpl.pb.tensorflow.op_def_pb2 import OpDef  # noqa: E402
from refimpl.pb.tensorflow.versions_pb2 import VersionDef  # noqa: E402

_EXAMPLE = 160


class RecordingTestee(TesteeProcess):
    """A ``TesteeProcess`` that keeps every result by case name."""

    results: dict[str, CaseResult]

    def run(self, request: ExportRequest, timeout: float | None = None) -> CaseResult:
        result = super().run(request, timeout)
        self.results[request.case_name] = result
        return result


class Stamps:
    """The corpus's version strings and, optionally, graph versions (``VersionDef``)."""

    def __init__(self, case: CorpusCase, graph_versions: bool) -> None:
        snap = GraphSnapshot.FromString(case.snapshot)
        self.strings = (snap.environment.tensorflow_version,
                        snap.environment.tensorflow_git_version)
        self.versions = None
        if graph_versions:
            self.versions = VersionDef.FromString(snap.graph_def_versions)


def _restamp(msg: Message, stamps: Stamps) -> None:
    info = msg.meta_info_def if isinstance(msg, MetaGraphDef) else msg
    assert isinstance(info, MetaGraphDef.MetaInfoDef)
    if info.tensorflow_version or info.tensorflow_git_version:
        info.tensorflow_version, info.tensorflow_git_version = stamps.strings
    if (
        isinstance(msg, MetaGraphDef)
        and stamps.versions is not None
        and msg.graph_def.HasField("versions")
        and msg.graph_def.versions.producer != stamps.versions.producer
    ):
        msg.graph_def.versions.CopyFrom(stamps.versions)


def restamped(
    case: CorpusCase, outcome: Outcome, graph_versions: bool = False, debug: bool = False
) -> Outcome:
    """``outcome`` with the corpus's version strings (and, with ``graph_versions``, the
    corpus graph's ``versions``) in every MetaGraphDef it carries; with ``debug``, TF
    2.21's debug files in place of the testee's (their stacks always differ)."""
    stamps = Stamps(case, graph_versions)
    out = Outcome()
    out.CopyFrom(outcome)
    for name, data in outcome.files.items():
        kind = detect_format(name, case.expected.files.get(name, data))
        if debug and kind is not None and kind[0] is not MetaGraphDef:
            out.files[name] = case.expected.files.get(name, data)
        if kind is None or kind[0] is not MetaGraphDef:
            continue
        try:
            msg = parse_message(data, *kind)
        except Exception:  # noqa: BLE001 - judged as it is
            continue
        _restamp(msg, stamps)
        if kind[1] == "text":
            out.files[name] = text_format.MessageToString(msg).encode("utf-8")
        else:
            out.files[name] = msg.SerializeToString(deterministic=True)
    if outcome.HasField("returned_meta_graph_def"):
        mgd = MetaGraphDef.FromString(outcome.returned_meta_graph_def)
        _restamp(mgd, stamps)
        out.returned_meta_graph_def = mgd.SerializeToString(deterministic=True)
    if outcome.HasField("meta_info_def_after"):
        info = MetaGraphDef.MetaInfoDef.FromString(outcome.meta_info_def_after)
        _restamp(info, stamps)
        out.meta_info_def_after = info.SerializeToString(deterministic=True)
    return out


# -- the inventory -----------------------------------------------------------------------
def _exported(case: CorpusCase, outcome: Outcome) -> MetaGraphDef | None:
    """The exported MetaGraphDef: the returned one, else the first meta file."""
    if outcome.HasField("returned_meta_graph_def"):
        return MetaGraphDef.FromString(outcome.returned_meta_graph_def)
    for name in sorted(outcome.files):
        kind = detect_format(name, case.expected.files.get(name, outcome.files[name]))
        if kind is not None and kind[0] is MetaGraphDef:
            try:
                msg = parse_message(outcome.files[name], *kind)
            except Exception:  # noqa: BLE001
                continue
            assert isinstance(msg, MetaGraphDef)
            return msg
    return None


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= _EXAMPLE else text[: _EXAMPLE - 3] + "..."


Found = dict[str, str]  # kind -> example detail


def _nodes(where: str, e: Sequence[NodeDef], a: Sequence[NodeDef], found: Found) -> None:
    by_e = {n.name: n for n in e}
    by_a = {n.name: n for n in a}
    for name in sorted(by_e.keys() - by_a.keys()):
        found.setdefault(f"{where}: node only in 2.21 (op {by_e[name].op})", name)
    for name in sorted(by_a.keys() - by_e.keys()):
        found.setdefault(f"{where}: node only in the testee (op {by_a[name].op})", name)
    for name in sorted(by_e.keys() & by_a.keys()):
        en, an = by_e[name], by_a[name]
        op = en.op
        if en.op != an.op:
            found.setdefault(f"{where}: op type differs ({en.op} vs {an.op})", name)
        if sorted(en.input) != sorted(an.input) or [
            i for i in en.input if not i.startswith("^")
        ] != [i for i in an.input if not i.startswith("^")]:
            found.setdefault(f"{where}: inputs of a {op} node differ", f"{name}: "
                             f"{_short(list(en.input))} vs {_short(list(an.input))}")
        if en.device != an.device:
            found.setdefault(f"{where}: device differs", f"{name}: {en.device!r} vs {an.device!r}")
        for attr in sorted(en.attr.keys() - an.attr.keys()):
            found.setdefault(
                f"{where}: attr '{attr}' of {op} only in 2.21",
                f"{name}: {_short(en.attr[attr])}",
            )
        for attr in sorted(an.attr.keys() - en.attr.keys()):
            found.setdefault(
                f"{where}: attr '{attr}' of {op} only in the testee",
                f"{name}: {_short(an.attr[attr])}",
            )
        for attr in sorted(en.attr.keys() & an.attr.keys()):
            if en.attr[attr] != an.attr[attr]:
                found.setdefault(
                    f"{where}: attr '{attr}' of {op} differs",
                    f"{name}: {_short(en.attr[attr])} vs {_short(an.attr[attr])}",
                )


def _op_defs(e: Sequence[OpDef], a: Sequence[OpDef], found: Found) -> None:
    by_e = {o.name: o for o in e}
    by_a = {o.name: o for o in a}
    for name in sorted(by_e.keys() - by_a.keys()):
        found.setdefault("stripped_op_list: OpDef only in 2.21", name)
    for name in sorted(by_a.keys() - by_e.keys()):
        found.setdefault("stripped_op_list: OpDef only in the testee", name)
    for name in sorted(by_e.keys() & by_a.keys()):
        eo, ao = by_e[name], by_a[name]
        if eo == ao:
            continue
        ea = {x.name: x for x in eo.attr}
        aa = {x.name: x for x in ao.attr}
        for attr in sorted(ea.keys() - aa.keys()):
            found.setdefault(
                f"stripped_op_list: OpDef {name}: attr '{attr}' only in 2.21",
                _short(ea[attr]),
            )
        for attr in sorted(aa.keys() - ea.keys()):
            found.setdefault(
                f"stripped_op_list: OpDef {name}: attr '{attr}' only in the testee",
                _short(aa[attr]),
            )
        for attr in sorted(ea.keys() & aa.keys()):
            if ea[attr] != aa[attr]:
                found.setdefault(
                    f"stripped_op_list: OpDef {name}: attr '{attr}' differs",
                    f"{_short(ea[attr])} vs {_short(aa[attr])}",
                )
        for field in ("input_arg", "output_arg", "control_output", "summary", "description",
                      "deprecation", "is_commutative", "is_aggregate", "is_stateful",
                      "allows_uninitialized_input", "is_distributed_communication"):
            if getattr(eo, field) != getattr(ao, field):
                found.setdefault(
                    f"stripped_op_list: OpDef {name}: {field} differs",
                    f"{_short(getattr(eo, field))} vs {_short(getattr(ao, field))}",
                )


def _graph(e: GraphDef, a: GraphDef, found: Found) -> None:
    if e.versions != a.versions:
        found.setdefault(
            "graph_def.versions differ", f"{_short(e.versions)} vs {_short(a.versions)}"
        )
    _nodes("graph_def.node", e.node, a.node, found)
    ef = {f.signature.name: f for f in e.library.function}
    af = {f.signature.name: f for f in a.library.function}
    for name in sorted(ef.keys() - af.keys()):
        found.setdefault("graph_def.library: function only in 2.21", name)
    for name in sorted(af.keys() - ef.keys()):
        found.setdefault("graph_def.library: function only in the testee", name)
    for name in sorted(ef.keys() & af.keys()):
        fe, fa = ef[name], af[name]
        if fe == fa:
            continue
        _nodes("function body", fe.node_def, fa.node_def, found)
        for field in ("signature", "attr", "arg_attr", "ret", "control_ret",
                      "resource_arg_unique_id"):
            if getattr(fe, field) != getattr(fa, field):
                found.setdefault(f"graph_def.library: function {field} differs", name)
    if sorted(map(str, e.library.gradient)) != sorted(map(str, a.library.gradient)):
        found.setdefault("graph_def.library.gradient differs", "")


def inventory(case: CorpusCase, outcome: Outcome) -> Found:
    """Every kind of difference between the case's expected outcome and ``outcome``
    (already restamped), with an example detail each."""
    found: Found = {}
    exp = case.expected
    e_err = (exp.error.type, exp.error.message) if exp.HasField("error") else None
    a_err = (outcome.error.type, outcome.error.message) if outcome.HasField("error") else None
    if e_err != a_err:
        kind = (
            "error: TF 2.21 raised, the testee did not" if a_err is None
            else "error: the testee raised, TF 2.21 did not" if e_err is None
            else "error: another type" if e_err[0] != a_err[0] else "error: another message"
        )
        found.setdefault(kind, f"{_short(e_err)} vs {_short(a_err)}")
    if list(exp.warnings) != list(outcome.warnings):
        found.setdefault(
            "warnings differ", f"{_short(list(exp.warnings))} vs {_short(list(outcome.warnings))}"
        )
    if e_err is None and list(exp.unbound_inputs_after) != list(outcome.unbound_inputs_after):
        found.setdefault("unbound_inputs differ", "")
    if set(exp.files) != set(outcome.files):
        found.setdefault(
            "file names differ", f"{sorted(exp.files)} vs {sorted(outcome.files)}"
        )
    for name in sorted(set(exp.files) & set(outcome.files)):
        read = detect_format(name, exp.files[name])
        if read is not None and read[0] is not MetaGraphDef and (
            exp.files[name] != outcome.files[name]
        ):
            found.setdefault("debug file: stacks differ", name)
    e_mgd, a_mgd = _exported(case, exp), _exported(case, outcome)
    if e_mgd is None or a_mgd is None:
        if (e_mgd is None) != (a_mgd is None):
            found.setdefault("exported MetaGraphDef: only one side has one", "")
        return found
    keys = proto_keys(case)
    ce = canonical(e_mgd, "semantic", keys)
    ca = canonical(a_mgd, "semantic", keys)
    assert isinstance(ce, MetaGraphDef) and isinstance(ca, MetaGraphDef)
    if ce == ca:
        return found
    ei, ai = ce.meta_info_def, ca.meta_info_def
    _op_defs(ei.stripped_op_list.op, ai.stripped_op_list.op, found)
    for field in ("meta_graph_version", "tags", "tensorflow_version", "tensorflow_git_version",
                  "any_info", "stripped_default_attrs", "function_aliases"):
        if getattr(ei, field) != getattr(ai, field):
            found.setdefault(
                f"meta_info_def.{field} differs",
                f"{_short(getattr(ei, field))} vs {_short(getattr(ai, field))}",
            )
    _graph(ce.graph_def, ca.graph_def, found)
    for key in sorted(set(ce.collection_def) | set(ca.collection_def)):
        if ce.collection_def.get(key) != ca.collection_def.get(key):
            found.setdefault(f"collection_def['{key}'] differs", "")
    for field in ("saver_def", "signature_def", "asset_file_def", "object_graph_def"):
        if getattr(ce, field) != getattr(ca, field):
            found.setdefault(f"{field} differs", "")
    return found


# -- the report --------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--testee", required=True, metavar="CMD")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("-k", "--select", action="append", default=[], metavar="PATTERN")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--examples", type=int, default=60, help="difference kinds listed")
    args = parser.parse_args(argv)
    cases = runner.select_cases(corpus.load_corpus(), patterns=args.select)
    testees = [RecordingTestee(args.testee, timeout=args.timeout) for _ in range(args.jobs)]
    results: dict[str, CaseResult] = {}
    for t in testees:
        t.results = results
    started = time.monotonic()
    run = runner.run_cases(cases, testees, require="semantic")
    seconds = time.monotonic() - started
    hs = run.handshake
    raw: Counter[str] = Counter()
    besides: Counter[str] = Counter()
    beyond: Counter[str] = Counter()
    known: Counter[str] = Counter()
    failed: list[tuple[str, str, str]] = []
    rules: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case_run in run.runs:
        case, verdict = case_run.case, case_run.verdict
        raw[verdict.status if verdict.status != "fail" else f"fail: {verdict.reason}"] += 1
        result = results.get(case.name)
        if result is None or result.response is None or verdict.status == "skip":
            label = verdict.status if verdict.status != "fail" else f"fail: {verdict.reason}"
            besides[label] += 1
            beyond[label] += 1
            known[label] += 1
            continue
        outcome = restamped(case, result.response.outcome)
        v = judge(case, outcome, "semantic")
        besides[f"pass ({v.tier})" if v.status == "pass" else f"fail: {v.reason}"] += 1
        v = judge(case, restamped(case, result.response.outcome, graph_versions=True), "semantic")
        beyond[f"pass ({v.tier})" if v.status == "pass" else f"fail: {v.reason}"] += 1
        v = judge(
            case, restamped(case, result.response.outcome, True, debug=True), "semantic"
        )
        known[f"pass ({v.tier})" if v.status == "pass" else f"fail: {v.reason}"] += 1
        if v.status != "pass":
            failed.append((case.name, v.reason, v.details[0] if v.details else ""))
        for rule in case.rules:
            rules[rule]["pass" if v.status == "pass" else "fail"] += 1
        for kind, example in inventory(case, outcome).items():
            kinds[kind].append((case.name, example))
    w = sys.stdout.write
    version = hs.target_tensorflow_version if hs else "?"
    w(f"## TensorFlow {version} against the corpus (TensorFlow 2.21.0)\n\n")
    w(f"Testee: `{args.testee}`; {len(cases)} cases in {seconds:.1f} s "
      f"({len(cases) / max(seconds, 1e-9):.0f} cases/s).\n\n")
    w("| verdict as the runner gives it | cases |\n|---|---|\n")
    for label, n in sorted(raw.items(), key=lambda kv: -kv[1]):
        w(f"| {label} | {n} |\n")
    w("\n| verdict with the corpus's version stamps | cases |\n|---|---|\n")
    for label, n in sorted(besides.items(), key=lambda kv: -kv[1]):
        w(f"| {label} | {n} |\n")
    w("\n| verdict with the corpus's version stamps and graph versions | cases |\n|---|---|\n")
    for label, n in sorted(beyond.items(), key=lambda kv: -kv[1]):
        w(f"| {label} | {n} |\n")
    w("\n| verdict with the corpus's version stamps, graph versions and debug files "
      "| cases |\n|---|---|\n")
    for label, n in sorted(known.items(), key=lambda kv: -kv[1]):
        w(f"| {label} | {n} |\n")
    w("\nSpec rules whose cases fail even with the corpus's version stamps, graph "
      "versions and debug files (failing / cases):\n\n")
    failing = sorted(
        (r for r in rules if rules[r]["fail"]),
        key=lambda r: (-rules[r]["fail"] / sum(rules[r].values()), r),
    )
    w(", ".join(f"{r} ({rules[r]['fail']}/{sum(rules[r].values())})" for r in failing) or "none")
    w("\n\n| difference (semantic, after restamping) | cases | example case: detail |\n"
      "|---|---|---|\n")
    ordered = sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for kind, found in ordered[: args.examples]:
        name, example = found[0]
        detail = example.replace("|", "\\|")
        w(f"| {kind.replace('|', '/')} | {len(found)} | `{name}`: {detail} |\n")
    if len(ordered) > args.examples:
        w(f"\n... and {len(ordered) - args.examples} more kinds of difference.\n")
    if failed:
        w("\nCases failing even with the corpus's version stamps, graph versions and debug "
          "files (first difference):\n\n")
        for name, reason, detail in failed:
            w(f"- `{name}` ({reason}): {_short(detail)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
