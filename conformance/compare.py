"""Comparing two outcomes of the same case: what TF did and what another exporter did.

An outcome is the protocol's ``metagraph_ref.Outcome`` (``conformance.protocol``): the
files written, the returned ``MetaGraphDef``, the error, the warnings, the graph's
``unbound_inputs`` collection and the caller's stamped ``meta_info_def`` afterwards.
``differences`` lists every way one differs from the other, each as the first differing
field path with both values. It is the comparison of the golden corpus
(``conformance.corpus.case_differences``) and of the live-TF tests (refimpl against a TF
worker's outcome, ``conformance.tf.responses``).

It imports neither TensorFlow nor refimpl's exporter (only refimpl's generated schemas and
the descriptor pool of TF's text format).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.message import Message

from conformance.protocol.conformance_pb2 import Outcome
from conformance.protocol.file_states import normalize_temp_names
from refimpl.pb.tensorflow.control_flow_pb2 import CondContextDef, WhileContextDef
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.text_pool import tf_text_pool

__all__ = [
    "PROTO_FUNCTION_KEYS",
    "canonical_meta_file",
    "canonically_equal",
    "describe_file_difference",
    "differences",
    "elide_pair",
    "error_of",
    "first_difference",
    "info_after_of",
    "pair_text",
    "returned_of",
    "tree_differences",
]

#: Characters of common context kept on each side of a difference.
CONTEXT_CHARS = 60
#: Characters of a differing middle shown (from where the difference starts).
MIDDLE_CHARS = 1000


def elide_pair(expected: str, actual: str, context: int = CONTEXT_CHARS) -> tuple[str, str]:
    """Both strings with their common prefix and suffix shortened to ``context``
    characters next to the difference (``...`` marks what was left out); the differing
    middle is kept whole up to ``MIDDLE_CHARS`` characters from where it starts."""
    if expected == actual:
        return expected, actual
    limit = min(len(expected), len(actual))
    prefix = next((i for i in range(limit) if expected[i] != actual[i]), limit)
    suffix = 0
    while (
        suffix < limit - prefix
        and expected[len(expected) - 1 - suffix] == actual[len(actual) - 1 - suffix]
    ):
        suffix += 1
    head = expected[:prefix]
    if len(head) > context + 3:
        head = "..." + head[-context:]
    tail = expected[len(expected) - suffix :]
    if len(tail) > context + 3:
        tail = tail[:context] + "..."
    middle_e = _middle(expected[prefix : len(expected) - suffix])
    middle_a = _middle(actual[prefix : len(actual) - suffix])
    return head + middle_e + tail, head + middle_a + tail


def _middle(text: str) -> str:
    if len(text) <= MIDDLE_CHARS:
        return text
    return text[:MIDDLE_CHARS] + f"...[{len(text) - MIDDLE_CHARS} more differing characters]"


def pair_text(expected: object, actual: object) -> str:
    """``"<expected> vs <actual>"`` (reprs), elided only far from their difference."""
    e, a = elide_pair(repr(expected), repr(actual))
    return f"{e} vs {a}"


def first_difference(a: Message, b: Message, path: str = "") -> str | None:
    """The first field path where two messages differ, with both values (None if equal)."""
    if a.DESCRIPTOR.full_name != b.DESCRIPTOR.full_name:
        return f"{path or '<root>'}: {a.DESCRIPTOR.full_name} vs {b.DESCRIPTOR.full_name}"
    for fd in a.DESCRIPTOR.fields:
        name = fd.name
        va, vb = getattr(a, name), getattr(b, name)
        sub = f"{path}.{name}" if path else name
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            for k in sorted(set(va) | set(vb), key=repr):
                if k not in va or k not in vb:
                    return f"{sub}[{k!r}]: present only in {'expected' if k in va else 'actual'}"
                x, y = va[k], vb[k]
                if isinstance(x, Message):
                    d = first_difference(x, y, f"{sub}[{k!r}]")
                    if d:
                        return d
                elif x != y:
                    return f"{sub}[{k!r}]: {pair_text(x, y)}"
        elif _is_repeated(fd):
            for i, (x, y) in enumerate(zip(va, vb, strict=False)):
                if isinstance(x, Message):
                    d = first_difference(x, y, f"{sub}[{i}]")
                    if d:
                        return d
                elif x != y:
                    return f"{sub}[{i}]: {pair_text(x, y)}"
            if len(va) != len(vb):
                return f"{sub}: {len(va)} elements vs {len(vb)}"
        elif fd.message_type is not None:
            ha, hb = a.HasField(name), b.HasField(name)
            if ha != hb:
                return f"{sub}: present {ha} vs {hb}"
            if ha:
                d = first_difference(va, vb, sub)
                if d:
                    return d
        elif va != vb:
            return f"{sub}: {pair_text(va, vb)}"
    if a.SerializeToString(deterministic=True) != b.SerializeToString(deterministic=True):
        return f"{path or '<root>'}: unknown fields differ"
    return None


def _is_repeated(fd: Any) -> bool:
    return bool(getattr(fd, "is_repeated", None) or getattr(fd, "label", None) == 3)


def describe_file_difference(name: str, expected: bytes, actual: bytes) -> str:
    """A structural description of how two written files differ."""
    cls: type[Message] = GraphDebugInfo if name.endswith(".debug") else MetaGraphDef
    try:
        from google.protobuf import text_format

        a, b = cls(), cls()
        if expected[:1].isascii() and not _is_binary(expected):
            text_format.Parse(expected.decode("utf-8"), a, descriptor_pool=tf_text_pool())
            text_format.Parse(actual.decode("utf-8"), b, descriptor_pool=tf_text_pool())
        else:
            a.ParseFromString(expected)
            b.ParseFromString(actual)
        diff = first_difference(a, b)
        return f"{name}: " + (diff or "same message, different bytes")
    except Exception as e:  # noqa: BLE001
        return f"{name}: bytes differ ({len(expected)} vs {len(actual)}); not parseable: {e}"


def _is_binary(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in data


#: TF 2.21's registered ``to_proto`` collection keys and the message type of each (the
#: collections whose items are serialized messages).
PROTO_FUNCTION_KEYS: dict[str, str] = {
    "variables": "tensorflow.VariableDef",
    "trainable_variables": "tensorflow.VariableDef",
    "moving_average_variables": "tensorflow.VariableDef",
    "local_variables": "tensorflow.VariableDef",
    "model_variables": "tensorflow.VariableDef",
    "global_step": "tensorflow.VariableDef",
    "metric_variables": "tensorflow.VariableDef",
    "savers": "tensorflow.SaverDef",
    "queue_runners": "tensorflow.QueueRunnerDef",
    "cond_context": "tensorflow.CondContextDef",
    "while_context": "tensorflow.WhileContextDef",
}

CONTEXT_KEYS = {"cond_context": CondContextDef, "while_context": WhileContextDef}


def _unordered_map_items(mgd: MetaGraphDef) -> bool:
    """Whether TF serialized an inner map with >= 2 entries non-deterministically (spec 0.4)."""
    for key, cls in CONTEXT_KEYS.items():
        if key in mgd.collection_def:
            for blob in mgd.collection_def[key].bytes_list.value:
                ctx = cls()
                ctx.ParseFromString(blob)
                if _has_big_external_values(ctx):
                    return True
    return False


def _has_big_external_values(ctx: Any) -> bool:
    if len(ctx.values_def.external_values) >= 2:
        return True
    for nested in ctx.nested_contexts:
        inner = nested.cond_ctxt if nested.HasField("cond_ctxt") else nested.while_ctxt
        if _has_big_external_values(inner):
            return True
    return False


def canonical_meta_file(content: bytes) -> bytes | None:
    """The file with control-flow context items re-serialized deterministically.

    Returns None unless the file holds a context whose external_values map has
    two or more entries: only then is TF's own output not reproducible, and
    only then may files be compared after this canonicalization.
    """
    from google.protobuf import text_format

    mgd = MetaGraphDef()
    as_text = not _is_binary(content) and content.startswith((b"meta_info_def", b"graph_def"))
    if as_text:
        text_format.Parse(content.decode("utf-8"), mgd, descriptor_pool=tf_text_pool())
    else:
        mgd.ParseFromString(content)
    if not _unordered_map_items(mgd):
        return None
    for key, cls in CONTEXT_KEYS.items():
        if key in mgd.collection_def:
            values = mgd.collection_def[key].bytes_list.value
            for i, blob in enumerate(values):
                ctx = cls()
                ctx.ParseFromString(blob)
                values[i] = ctx.SerializeToString(deterministic=True)
    if as_text:
        return text_format.MessageToString(mgd, descriptor_pool=tf_text_pool()).encode("utf-8")
    return mgd.SerializeToString(deterministic=True)


def canonically_equal(expected: bytes, actual: bytes) -> bool:
    """Whether two meta files (or serialized MetaGraphDefs) differ only in the order TF
    gives the inner maps of control-flow contexts (``canonical_meta_file``, spec.md 0.4.1)."""
    try:
        e, a = canonical_meta_file(expected), canonical_meta_file(actual)
    except Exception:  # noqa: BLE001 - not a MetaGraphDef
        return False
    return e is not None and e == a


def error_of(outcome: Outcome) -> tuple[str, str] | None:
    """The outcome's error as (type name, message), or None; the message's random
    temporary-file suffixes made stable (``file_states.normalize_temp_names``)."""
    if not outcome.HasField("error"):
        return None
    return outcome.error.type, normalize_temp_names(outcome.error.message)


def tree_differences(expected: Outcome, actual: Outcome) -> Iterator[str]:
    """How the symbolic links and directories left in the working directory differ
    (protocol 2: reported for cases with a pre-state)."""
    e_links, a_links = dict(expected.symlinks), dict(actual.symlinks)
    for name in sorted(set(e_links) | set(a_links)):
        if e_links.get(name) != a_links.get(name):
            yield f"symlink {name}: TF {e_links.get(name)!r} vs testee {a_links.get(name)!r}"
    e_dirs, a_dirs = set(expected.directories), set(actual.directories)
    for name in sorted(e_dirs ^ a_dirs):
        yield f"directory {name}: left only by {'TF' if name in e_dirs else 'the testee'}"


def returned_of(outcome: Outcome) -> bytes | None:
    """The outcome's returned MetaGraphDef (serialized), or None."""
    if outcome.HasField("returned_meta_graph_def"):
        return outcome.returned_meta_graph_def
    return None


def info_after_of(outcome: Outcome) -> bytes | None:
    """The caller's stamped ``meta_info_def`` (serialized), or None."""
    return outcome.meta_info_def_after if outcome.HasField("meta_info_def_after") else None


def _blob_difference(
    name: str, expected: bytes, actual: bytes, unordered_inner_maps: bool
) -> str | None:
    if expected == actual:
        return None
    if canonically_equal(expected, actual):
        if unordered_inner_maps:
            return None
        return (
            f"{name}: same message after canonicalizing control-flow contexts, but "
            "different bytes, and the case is not marked unordered_inner_maps"
        )
    return describe_file_difference(name, expected, actual)


def differences(
    expected: Outcome, actual: Outcome, *, unordered_inner_maps: bool = True
) -> Iterator[str]:
    """Every way ``actual`` differs from ``expected`` (TF's); nothing if it conforms.

    Compared: the error (type and message), every file byte for byte, the warnings, and
    when TF raised no error the returned MetaGraphDef, the caller's stamped
    ``meta_info_def`` and the ``unbound_inputs`` collection afterwards. With
    ``unordered_inner_maps`` (a corpus case so marked; always for a live TF run, whose
    own output it is), a file or the returned message may differ in bytes from TF's if
    both are equal after re-serializing their control-flow contexts deterministically
    (``canonical_meta_file``, spec.md 0.4.1), whatever the file's name.
    """
    e_error, a_error = error_of(expected), error_of(actual)
    if e_error != a_error:
        yield f"error: TF {e_error!r} vs refimpl {a_error!r}"
    for name in sorted(set(expected.files) | set(actual.files)):
        if name not in expected.files or name not in actual.files:
            yield f"file {name}: written only by {'TF' if name in expected.files else 'refimpl'}"
            continue
        e_file, a_file = expected.files[name], actual.files[name]
        diff = _blob_difference(name, e_file, a_file, unordered_inner_maps)
        if diff is not None:
            yield diff
    yield from tree_differences(expected, actual)
    if e_error is None:
        e_ret, a_ret = returned_of(expected), returned_of(actual)
        if e_ret is None or a_ret is None:
            if e_ret != a_ret:
                yield "returned MetaGraphDef: missing on one side"
        elif e_ret != a_ret:
            if canonically_equal(e_ret, a_ret):
                if not unordered_inner_maps:
                    yield (
                        "returned MetaGraphDef: same message after canonicalizing control-flow "
                        "contexts, but different bytes, and the case is not marked "
                        "unordered_inner_maps"
                    )
            else:
                x, y = MetaGraphDef.FromString(e_ret), MetaGraphDef.FromString(a_ret)
                yield f"returned MetaGraphDef: {first_difference(x, y)}"
        # After an error refimpl has nothing to report (it never mutates its arguments).
        e_info, a_info = info_after_of(expected), info_after_of(actual)
        if e_info != a_info:
            yield f"caller's meta_info_def after export: TF {e_info!r} vs refimpl {a_info!r}"
    if list(expected.warnings) != list(actual.warnings):
        yield f"warnings: TF {list(expected.warnings)!r} vs refimpl {list(actual.warnings)!r}"
    e_unbound, a_unbound = list(expected.unbound_inputs_after), list(actual.unbound_inputs_after)
    if e_error is None and e_unbound != a_unbound:
        yield f"unbound_inputs after export: TF {e_unbound} vs refimpl {a_unbound}"
