"""Judging a testee's outcome against a corpus case: verdict tiers and failure reasons.

A case passes at one of three tiers (docs/conformance-protocol.md, "Verdicts"); the
verdict reports the strongest one reached:

1. ``bytes``, "identical bytes": ``conformance.corpus.case_differences`` finds nothing:
   every file and the returned ``MetaGraphDef`` byte for byte (in a case marked
   ``unordered_inner_maps``, up to TF's own non-determinism, spec.md 0.4.1), the same
   error (type and message), warnings, ``unbound_inputs`` and stamped ``meta_info_def``;
2. ``reserialized``, "identical after parse + deterministic re-serialize": each file,
   the returned message and the stamped ``meta_info_def`` parsed (in the format of TF's
   file) and serialized again deterministically, with the messages nested as bytes in
   proto-typed collections (``variables``, ``cond_context``, ...) re-serialized too, are
   identical; everything else as in tier 1. This absorbs the differences between
   protobuf runtimes (map order, packed encoding, text-format spelling of numbers);
3. ``semantic``, "semantically equal": the same graph as TF's own comparison
   (``assert_meta_graph_protos_equal`` / ``EqualGraphDef``) sees it: nodes compared as a
   set by name, control inputs as a set, functions by name, the stripped op list by op
   name, attributes and every map regardless of order, debug traces resolved to
   (file, line, column, function, code) per node; ``unbound_inputs`` as a multiset.

Only tier 1 is conformance (spec.md 0.2): a case passes at identical bytes unless the
caller lowers the bar (``require``, ``--require-tier``); ``TIER_VERDICTS`` names what
each tier means. Anything else fails, with a *reason*: the sorted ``+``-joined set of
the observables that differ at every tier (``error-missing``, ``error-unexpected``, ``error-type``,
``error-message``, ``files``, ``returned``, ``meta_info_def_after``, ``warnings``,
``unbound_inputs``), or what went wrong with the testee itself (``crash``, ``timeout``,
``protocol``, ``startup``), or ``tier-reserialized`` / ``tier-semantic`` when the case
passed only at a weaker tier than the run requires. Reasons are stable, so that a
failure list can pin them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from google.protobuf import text_format
from google.protobuf.message import Message

from conformance import compare
from conformance import corpus as corpus_mod
from conformance.protocol.conformance_pb2 import CorpusCase, ExportResponse, Outcome
from conformance.run.diffs import DIFF_LINES, hex_diff, message_text, pair_text, unified_diff
from conformance.run.encoding import key_text, message_encoding_difference
from refimpl.pb.tensorflow.control_flow_pb2 import CondContextDef, WhileContextDef
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.queue_runner_pb2 import QueueRunnerDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.pb.tensorflow.variable_pb2 import VariableDef
from refimpl.text_pool import tf_text_pool

__all__ = [
    "DEFAULT_TIER",
    "TIERS",
    "TIER_TITLES",
    "TIER_VERDICTS",
    "Check",
    "Verdict",
    "blob_diff",
    "detect_format",
    "judge",
    "judge_response",
    "parse_message",
    "tier_index",
]

#: The tiers, strongest first.
TIERS: tuple[str, ...] = ("bytes", "reserialized", "semantic")
TIER_TITLES: dict[str, str] = {
    "bytes": "identical bytes",
    "reserialized": "identical after parse + deterministic re-serialize",
    "semantic": "semantically equal",
}
#: The verdict each tier earns: only identical bytes is conformance (spec.md 0.2, 13.2);
#: the weaker tiers measure how close an implementation is.
TIER_VERDICTS: dict[str, str] = {
    "bytes": "conformant: identical bytes",
    "reserialized": "equivalent after re-serialization: NOT conformant",
    "semantic": "semantically equal: NOT conformant",
}
#: The tier a case must reach unless the caller lowers the bar (``--require-tier``).
DEFAULT_TIER = "bytes"
_FAIL = len(TIERS)
_MAX_DETAIL_LINES = 40

#: Collection keys whose items are serialized messages (TF's registered proto functions),
#: when the snapshot does not name them.
DEFAULT_PROTO_KEYS: dict[str, str] = compare.PROTO_FUNCTION_KEYS
_COLLECTION_TYPES: dict[str, type[Message]] = {
    "tensorflow.CondContextDef": CondContextDef,
    "tensorflow.WhileContextDef": WhileContextDef,
    "tensorflow.SaverDef": SaverDef,
    "tensorflow.QueueRunnerDef": QueueRunnerDef,
    "tensorflow.VariableDef": VariableDef,
}


def tier_index(tier: str) -> int:
    """0 for ``bytes`` (the strongest), 1 for ``reserialized``, 2 for ``semantic``."""
    return TIERS.index(tier)


@dataclass
class Verdict:
    """The judgement of one case."""

    #: "pass", "fail" or "skip".
    status: str
    #: The strongest tier reached (for "pass", and for a "tier-..." failure).
    tier: str | None = None
    #: Failure reason (stable, see the module docstring) or the skip reason.
    reason: str = ""
    #: Human-readable differences: first differing field path and both values.
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Unified diffs of the differing files and messages in text format (may be empty).
    diffs: list[str] = field(default_factory=list)


class Check(NamedTuple):
    """What one observable of an outcome gave: its category (a failure reason), the tier
    reached (``len(TIERS)``: none), the difference and a unified diff of it."""

    category: str
    tier: int
    detail: str | None
    diff: str = ""


# -- canonical forms ---------------------------------------------------------------------
def _clip(text: str) -> str:
    """``text``, its lines past ``_MAX_DETAIL_LINES`` left out (the differences are
    elided only far from where they differ when they are made: ``diffs.elide_pair``)."""
    lines = text.split("\n")
    if len(lines) <= _MAX_DETAIL_LINES:
        return text
    rest = len(lines) - _MAX_DETAIL_LINES
    return "\n".join([*lines[:_MAX_DETAIL_LINES], f"... {rest} more lines"])


def _has_unknown_fields(msg: Message) -> bool:
    clean = type(msg)()
    clean.CopyFrom(msg)
    clean.DiscardUnknownFields()
    return clean.ByteSize() != msg.ByteSize()


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_message(data: bytes, cls: type[Message], fmt: str) -> Message:
    """``data`` parsed as a ``cls`` in ``fmt`` ("text": TF's text format, or "binary")."""
    msg = cls()
    if fmt == "text":
        text_format.Parse(data.decode("utf-8"), msg, descriptor_pool=tf_text_pool())
    else:
        msg.ParseFromString(data)
    return msg


def detect_format(name: str, data: bytes) -> tuple[type[Message], str] | None:
    """The message type and format ("text" or "binary") of a file TF wrote, or None.

    A ``.debug`` file is tried as a ``GraphDebugInfo`` first, anything else as a
    ``MetaGraphDef`` first (a meta file may be named ``model.debug``); text format is
    tried before binary; a binary parse counts only without unknown fields.
    """
    types: list[type[Message]] = [MetaGraphDef, GraphDebugInfo]
    if name.endswith(".debug"):
        types.reverse()
    for cls in types:
        if _is_text(data):
            try:
                parse_message(data, cls, "text")
                return cls, "text"
            except Exception:  # noqa: BLE001 - try the next reading
                pass
        try:
            msg = parse_message(data, cls, "binary")
        except Exception:  # noqa: BLE001
            continue
        if not _has_unknown_fields(msg):
            return cls, "binary"
    return None


def _reserialize_collections(mgd: MetaGraphDef, proto_keys: dict[str, str]) -> None:
    for key, value in mgd.collection_def.items():
        cls = _COLLECTION_TYPES.get(proto_keys.get(key, ""))
        if cls is None or not value.HasField("bytes_list"):
            continue
        items = value.bytes_list.value
        for i, blob in enumerate(items):
            inner = cls()
            try:
                inner.ParseFromString(blob)
            except Exception:  # noqa: BLE001 - not parseable: keep the bytes
                continue
            items[i] = inner.SerializeToString(deterministic=True)


def _canonical_inputs(node: NodeDef) -> None:
    regular = [i for i in node.input if not i.startswith("^")]
    control = sorted(i for i in node.input if i.startswith("^"))
    del node.input[:]
    node.input.extend(regular + control)


def _sorted_nodes(nodes: Iterable[NodeDef]) -> list[NodeDef]:
    out = []
    for n in nodes:
        copy = NodeDef()
        copy.CopyFrom(n)
        _canonical_inputs(copy)
        out.append(copy)
    return sorted(out, key=lambda n: n.name)


def _semantic_graph_def(graph_def: GraphDef) -> None:
    nodes = _sorted_nodes(graph_def.node)
    del graph_def.node[:]
    graph_def.node.extend(nodes)
    lib = graph_def.library
    functions = sorted(lib.function, key=lambda f: f.signature.name)
    for f in functions:
        body = _sorted_nodes(f.node_def)
        del f.node_def[:]
        f.node_def.extend(body)
    del lib.function[:]
    lib.function.extend(functions)
    gradients = sorted(lib.gradient, key=lambda g: (g.function_name, g.gradient_func))
    del lib.gradient[:]
    lib.gradient.extend(gradients)


def _semantic_op_list(info: MetaGraphDef.MetaInfoDef) -> None:
    ops = sorted(info.stripped_op_list.op, key=lambda o: o.name)
    del info.stripped_op_list.op[:]
    info.stripped_op_list.op.extend(ops)


def _semantic_debug_info(info: GraphDebugInfo) -> GraphDebugInfo:
    """Traces resolved per node name, files renumbered in sorted order."""
    frames_of: dict[str, list[tuple[str, int, int, str, str]]] = {}

    def frame(flc: GraphDebugInfo.FileLineCol) -> tuple[str, int, int, str, str]:
        i = flc.file_index
        name = info.files[i] if 0 <= i < len(info.files) else f"<file index {i}>"
        return (name, flc.line, flc.col, flc.func, flc.code)

    def stack(trace: GraphDebugInfo.StackTrace) -> list[tuple[str, int, int, str, str]]:
        out = [frame(f) for f in trace.file_line_cols]
        for fid in trace.frame_id:
            if fid in info.frames_by_id:
                out.append(frame(info.frames_by_id[fid]))
            else:
                out.append((f"<frame id {fid}>", 0, 0, "", ""))
        return out

    for name, trace in info.traces.items():
        frames_of[name] = stack(trace)
    for name, tid in info.name_to_trace_id.items():
        if tid in info.traces_by_id:
            frames_of[name] = stack(info.traces_by_id[tid])
        else:
            frames_of[name] = [(f"<trace id {tid}>", 0, 0, "", "")]
    files = sorted({f[0] for frames in frames_of.values() for f in frames})
    index = {f: i for i, f in enumerate(files)}
    out = GraphDebugInfo(files=files)
    for name, frames in frames_of.items():
        trace = out.traces[name]
        for file, line, col, func, code in frames:
            trace.file_line_cols.add(
                file_index=index[file], line=line, col=col, func=func, code=code
            )
    return out


def canonical(msg: Message, tier: str, proto_keys: dict[str, str]) -> Message:
    """A copy of ``msg`` in the canonical form of ``tier`` ("reserialized" or "semantic")."""
    out = type(msg)()
    out.CopyFrom(msg)
    if isinstance(out, MetaGraphDef):
        _reserialize_collections(out, proto_keys)
        if tier == "semantic":
            _semantic_graph_def(out.graph_def)
            _semantic_op_list(out.meta_info_def)
    elif isinstance(out, MetaGraphDef.MetaInfoDef):
        if tier == "semantic":
            _semantic_op_list(out)
    elif isinstance(out, GraphDebugInfo) and tier == "semantic":
        return _semantic_debug_info(out)
    return out


def _key(msg: Message) -> bytes:
    return msg.SerializeToString(deterministic=True)


def _first_line_difference(expected: bytes, actual: bytes) -> str:
    """Where two texts first differ: ``line N: <TF's line> vs <the testee's>``."""
    e = expected.decode("utf-8", "replace").split("\n")
    a = actual.decode("utf-8", "replace").split("\n")
    for i, (x, y) in enumerate(zip(e, a, strict=False)):
        if x != y:
            return f"line {i + 1}: {pair_text(x, y)}"
    return f"{len(e)} lines vs {len(a)}"


def _written_difference(expected: bytes, actual: bytes, kind: tuple[type[Message], str]) -> str:
    """Where the bytes as written first differ: the field path, byte offset and what
    differs in the encoding (binary), or the first differing line (text)."""
    cls, fmt = kind
    if fmt == "text":
        return _first_line_difference(expected, actual)
    return message_encoding_difference(expected, actual, cls) or "same bytes"


def blob_diff(
    expected: bytes,
    actual: bytes,
    kind: tuple[type[Message], str] | None,
    max_lines: int | None = DIFF_LINES,
) -> str:
    """A unified diff of two files or messages in text format: the texts as written for a
    text file, the parsed messages printed otherwise ("" if they print the same); of hex
    dumps around the first differing byte when one does not parse (``diffs.hex_diff``).
    ``max_lines``: as ``diffs.unified_diff`` (None: the whole diff)."""
    if kind is None:
        return hex_diff(expected, actual)
    cls, fmt = kind
    if fmt == "text":
        return unified_diff(
            expected.decode("utf-8", "replace"), actual.decode("utf-8", "replace"),
            max_lines=max_lines,
        )
    try:
        e, a = parse_message(expected, cls, fmt), parse_message(actual, cls, fmt)
    except Exception:  # noqa: BLE001 - the testee's does not parse: its bytes
        return hex_diff(expected, actual)
    return unified_diff(message_text(e), message_text(a), max_lines=max_lines)


def compare_blob(
    what: str,
    expected: bytes,
    actual: bytes,
    proto_keys: dict[str, str],
    kind: tuple[type[Message], str] | None = None,
) -> tuple[int, str | None]:
    """(tier index reached or ``len(TIERS)`` for none, description of the difference).

    The description names the first differing field path, as written, with the byte
    offset and what differs in the encoding (``encoding.encoding_difference``).
    """
    if expected == actual:
        return 0, None
    if kind is None:
        kind = detect_format(what, expected)
    if kind is None:
        return _FAIL, (
            f"{what}: bytes differ ({len(expected)} vs {len(actual)} bytes; TF's is neither "
            "a MetaGraphDef nor a GraphDebugInfo)"
        )
    cls, fmt = kind
    written = _written_difference(expected, actual, kind)
    e = parse_message(expected, cls, fmt)
    try:
        a = parse_message(actual, cls, fmt)
    except Exception as err:  # noqa: BLE001
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        return _FAIL, (
            f"{what}: not a {cls.DESCRIPTOR.full_name} in {fmt} format: {first}\n"
            f"  first difference as written: {written}"
        )
    re, ra = canonical(e, "reserialized", proto_keys), canonical(a, "reserialized", proto_keys)
    if _key(re) == _key(ra):
        offset = next(
            (i for i, (x, y) in enumerate(zip(expected, actual, strict=False)) if x != y),
            min(len(expected), len(actual)),
        )
        return 1, (
            f"{what}: identical only after parse + deterministic re-serialize (bytes differ "
            f"from offset {offset}; {len(expected)} vs {len(actual)} bytes)\n"
            f"  the same message, encoded differently: {written}"
        )
    ce, ca = canonical(e, "semantic", proto_keys), canonical(a, "semantic", proto_keys)
    if _key(ce) == _key(ca):
        first = compare.first_difference(re, ra) or "order differs"
        return 2, f"{what}: semantically equal only; as written: {first}"
    as_written = compare.first_difference(re, ra) or written
    by_name = semantic_difference(ce, ca)
    more = ""
    if by_name and by_name.partition(": ")[2] != as_written.partition(": ")[2]:
        more = f"\n  compared by node name (order aside): {by_name}"
    return _FAIL, f"{what}: {as_written}{more}"


def _node_difference(prefix: str, e: Sequence[NodeDef], a: Sequence[NodeDef]) -> str | None:
    """The first difference between two node lists seen as sets keyed by name."""
    by_e = {n.name: n for n in e}
    by_a = {n.name: n for n in a}
    for name in sorted(set(by_e) | set(by_a)):
        if name not in by_a:
            return f"{prefix}[{name!r}]: only in expected (node {name!r} missing)"
        if name not in by_e:
            return f"{prefix}[{name!r}]: only in actual (extra node {name!r})"
        diff = compare.first_difference(by_e[name], by_a[name], f"{prefix}[{name!r}]")
        if diff:
            return diff
    return None


def semantic_difference(e: Message, a: Message) -> str | None:
    """The first difference of two canonical messages; graph nodes addressed by name."""
    if isinstance(e, MetaGraphDef) and isinstance(a, MetaGraphDef):
        diff = _node_difference("graph_def.node", e.graph_def.node, a.graph_def.node)
        if diff:
            return diff
        e2, a2 = MetaGraphDef(), MetaGraphDef()
        e2.CopyFrom(e)
        a2.CopyFrom(a)
        del e2.graph_def.node[:]
        del a2.graph_def.node[:]
        return compare.first_difference(e2, a2)
    return compare.first_difference(e, a)


# -- judging -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _proto_keys_of(sha256: str, snapshot: bytes) -> tuple[tuple[str, str], ...]:
    import refimpl

    try:
        keys = dict(refimpl.load_snapshot(snapshot).environment.proto_function_keys)
    except Exception:  # noqa: BLE001 - fall back on TF's registrations
        keys = {}
    return tuple(sorted({**DEFAULT_PROTO_KEYS, **keys}.items()))


def proto_keys(case: CorpusCase) -> dict[str, str]:
    """Collection key -> message type name, for the case's graph."""
    return dict(_proto_keys_of(corpus_mod.snapshot_sha256(case.snapshot), case.snapshot))


def _first_list_difference(what: str, e: list[str], a: list[str]) -> str:
    for i, (x, y) in enumerate(zip(e, a, strict=False)):
        if x != y:
            return f"{what}[{i}]: {pair_text(x, y)}"
    return f"{what}: {len(e)} elements vs {len(a)} ({pair_text(e[len(a):], a[len(e):])})"


def _list_diff(e: list[str], a: list[str]) -> str:
    """A unified diff of two lists of strings (warnings, collection items), one item a
    line (an item's own line breaks shown as ``\\n``)."""
    return unified_diff("\n".join(map(_one_line, e)), "\n".join(map(_one_line, a)))


def _one_line(text: str) -> str:
    return text.replace("\n", "\\n")


def observable_checks(case: CorpusCase, actual: Outcome) -> list[Check]:
    """A ``Check`` (category, tier index reached, difference, text diff) for each
    observable of the outcome."""
    expected = case.expected
    keys = proto_keys(case)
    checks: list[Check] = []
    e_err, a_err = compare.error_of(expected), compare.error_of(actual)
    if e_err != a_err:
        tf = f"{e_err[0]}: {e_err[1]!r}" if e_err is not None else "nothing"
        testee = f"{a_err[0]}: {a_err[1]!r}" if a_err is not None else "nothing"
        if a_err is None:
            cat, text = "error-missing", f"TF raised {tf}; the testee {testee}"
        elif e_err is None:
            cat, text = "error-unexpected", f"TF raised {tf}; the testee {testee}"
        elif e_err[0] != a_err[0]:
            cat, text = "error-type", f"TF raised {tf}; the testee {testee}"
        else:
            cat, text = "error-message", f"{e_err[0]} message: {pair_text(e_err[1], a_err[1])}"
        diff = ""
        if e_err is not None and a_err is not None and e_err[1] != a_err[1]:
            diff = unified_diff(e_err[1], a_err[1])
        checks.append(Check(cat, _FAIL, f"error: {text}", diff))
    for name in sorted(set(expected.files) | set(actual.files)):
        what = f"files[{key_text(name)}]"
        if name not in actual.files:
            checks.append(Check("files", _FAIL, f"{what}: written by TF, not by the testee"))
        elif name not in expected.files:
            checks.append(Check("files", _FAIL, f"{what}: written by the testee, not by TF"))
        else:
            checks.append(
                _blob_check("files", what, expected.files[name], actual.files[name], keys)
            )
    checks.extend(
        Check("files", _FAIL, diff) for diff in compare.tree_differences(expected, actual)
    )
    if e_err is None:
        e_ret, a_ret = compare.returned_of(expected), compare.returned_of(actual)
        if e_ret is not None and a_ret is not None:
            checks.append(
                _blob_check(
                    "returned", "returned MetaGraphDef", e_ret, a_ret, keys,
                    (MetaGraphDef, "binary"),
                )
            )
        elif e_ret != a_ret:
            side = "TF's only" if a_ret is None else "the testee's only"
            checks.append(Check("returned", _FAIL, f"returned MetaGraphDef: {side}"))
        e_info, a_info = compare.info_after_of(expected), compare.info_after_of(actual)
        if e_info is not None and a_info is not None:
            checks.append(
                _blob_check(
                    "meta_info_def_after",
                    "caller's meta_info_def after export",
                    e_info,
                    a_info,
                    keys,
                    (MetaGraphDef.MetaInfoDef, "binary"),
                )
            )
        elif e_info != a_info:
            side = "TF's only" if a_info is None else "the testee's only"
            checks.append(
                Check("meta_info_def_after", _FAIL, f"caller's meta_info_def after export: {side}")
            )
        e_unb, a_unb = list(expected.unbound_inputs_after), list(actual.unbound_inputs_after)
        if e_unb != a_unb:
            if sorted(e_unb) == sorted(a_unb):
                checks.append(
                    Check(
                        "unbound_inputs",
                        2,
                        "unbound_inputs after export: same items in another order: "
                        + _first_list_difference("unbound_inputs", e_unb, a_unb),
                        _list_diff(e_unb, a_unb),
                    )
                )
            else:
                checks.append(
                    Check(
                        "unbound_inputs",
                        _FAIL,
                        _first_list_difference("unbound_inputs after export", e_unb, a_unb),
                        _list_diff(e_unb, a_unb),
                    )
                )
    e_warn, a_warn = list(expected.warnings), list(actual.warnings)
    if e_warn != a_warn:
        checks.append(
            Check(
                "warnings",
                _FAIL,
                _first_list_difference("warnings", e_warn, a_warn),
                _list_diff(e_warn, a_warn),
            )
        )
    return checks


def _blob_check(
    category: str,
    what: str,
    expected: bytes,
    actual: bytes,
    keys: dict[str, str],
    kind: tuple[type[Message], str] | None = None,
) -> Check:
    tier, detail = compare_blob(what, expected, actual, keys, kind)
    if tier == 0:
        return Check(category, 0, detail)
    diff = blob_diff(expected, actual, kind or detect_format(what, expected))
    if not diff and tier == 1:
        diff = "(their text forms are identical: only the encoding differs)"
    return Check(category, tier, detail, f"{what}:\n{diff}" if diff else "")


def judge(case: CorpusCase, actual: Outcome, require: str = DEFAULT_TIER) -> Verdict:
    """The verdict on ``actual`` for ``case``; ``require`` is the weakest tier that passes."""
    strict = corpus_mod.case_differences(case, actual)
    if not strict:
        return Verdict("pass", tier="bytes")
    checks = observable_checks(case, actual)
    failing = [c for c in checks if c.tier == _FAIL]
    if failing:
        reason = "+".join(sorted({c.category for c in failing}))
        return Verdict(
            "fail",
            reason=reason,
            details=[_clip(c.detail or c.category) for c in failing],
            diffs=[c.diff for c in failing if c.diff],
        )
    reached = max([1] + [c.tier for c in checks])
    tier = TIERS[reached]
    notes = [_clip(c.detail) for c in checks if c.tier > 0 and c.detail]
    notes = notes or [_clip(d) for d in strict]
    diffs = [c.diff for c in checks if c.tier > 0 and c.diff]
    if reached > tier_index(require):
        return Verdict("fail", tier=tier, reason=f"tier-{tier}", details=notes, diffs=diffs)
    return Verdict("pass", tier=tier, details=notes)


def judge_response(
    case: CorpusCase, response: ExportResponse, require: str = DEFAULT_TIER
) -> Verdict:
    """The verdict on a testee's response (an outcome, or a skip)."""
    if response.WhichOneof("result") == "skipped":
        return Verdict("skip", reason=response.skipped or "skipped by the testee")
    return judge(case, response.outcome, require)

