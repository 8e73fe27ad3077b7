"""Running refimpl on what the TF worker returned, and comparing the two (no TF import here)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

import refimpl
from refimpl.export import ExportResult, plan_export
from refimpl.pb.tensorflow.control_flow_pb2 import CondContextDef, WhileContextDef
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.text_pool import tf_text_pool


@dataclass
class Outcome:
    """What an exporter produced for one case."""

    files: dict[str, bytes] = field(default_factory=dict)
    returned: bytes | None = None
    error: tuple[str, str] | None = None
    warnings: list[str] = field(default_factory=list)
    unbound_after: list[str] = field(default_factory=list)
    meta_info_def_after: bytes | None = None


def refimpl_args(request_args: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """The request's arguments with TF protos replaced by ours (parsed from TF's bytes)."""
    args = dict(request_args)
    for name, cls in (
        ("meta_info_def", MetaGraphDef.MetaInfoDef),
        ("saver_def", SaverDef),
        ("graph_def", GraphDef),
    ):
        if name in response:
            msg = cls()
            msg.ParseFromString(response[name])
            args[name] = msg
    return args


def run_refimpl(
    request: dict[str, Any], response: dict[str, Any]
) -> tuple[Outcome, ExportResult | None]:
    """refimpl's outcome for the case TF answered with ``response``."""
    snapshot = refimpl.load_snapshot(response["snapshot"])
    args = refimpl_args(request.get("args", {}), response)
    out = Outcome()
    handler = _ListHandler(out.warnings)
    logger = logging.getLogger("refimpl")
    logger.addHandler(handler)
    result = None
    results: list[ExportResult] = []
    try:
        result = plan_export(snapshot, request.get("filename", "model.meta"), **args)
        results.append(result)
        for i, more in enumerate(request.get("then", [])):
            then_args = refimpl_args(more, {})
            results.append(plan_export(results[-1].graph, f"then{i}.meta", **then_args))
    except Exception as e:  # noqa: BLE001
        out.error = (type(e).__name__, str(e))
    finally:
        logger.removeHandler(handler)
    if result is not None and result.meta_info_def is not None:
        out.meta_info_def_after = result.meta_info_def.SerializeToString(deterministic=True)
    if result is not None:
        out.files = {w.path: w.content for r in results for w in r.files}
        out.returned = result.meta_graph_def.SerializeToString(deterministic=True)
        late = result.error_after_files
        if late is not None:
            out.error = (type(late).__name__, str(late))
        final = results[-1].graph if results else result.graph
        out.unbound_after = [
            item.str if item.WhichOneof("kind") == "str" else item.repr
            for item in final.get_collection("unbound_inputs")
        ]
    return out, result


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def tf_outcome(response: dict[str, Any]) -> Outcome:
    """TF's outcome, from the worker's response."""
    return Outcome(
        files=dict(response.get("files", {})),
        returned=response.get("returned"),
        error=response.get("error"),
        warnings=list(response.get("warnings", [])),
        unbound_after=_unbound_after(response),
        meta_info_def_after=response.get("meta_info_def_after"),
    )


def _unbound_after(response: dict[str, Any]) -> list[str]:
    """TF's unbound_inputs collection after the export: str items as such, others by repr."""
    from conformance.corpus import _str_or_repr

    reprs = response.get("unbound_after_repr")
    if reprs is None:
        return list(response.get("unbound_after", []))
    return [_str_or_repr(r) for r in reprs]


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
                    return f"{sub}[{k!r}]: {x!r} vs {y!r}"
        elif _is_repeated(fd):
            for i, (x, y) in enumerate(zip(va, vb, strict=False)):
                if isinstance(x, Message):
                    d = first_difference(x, y, f"{sub}[{i}]")
                    if d:
                        return d
                elif x != y:
                    return f"{sub}[{i}]: {x!r} vs {y!r}"
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
            return f"{sub}: {va!r} vs {vb!r}"
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


def _same_file(name: str, expected: bytes, actual: bytes) -> bool:
    if expected == actual:
        return True
    if name.endswith(".debug"):
        return False
    try:
        e, a = canonical_meta_file(expected), canonical_meta_file(actual)
    except Exception:  # noqa: BLE001
        return False
    return e is not None and e == a


def differences(expected: Outcome, actual: Outcome) -> Iterator[str]:
    """Every way ``actual`` differs from ``expected`` (TF's)."""
    if expected.error != actual.error:
        yield f"error: TF {expected.error!r} vs refimpl {actual.error!r}"
    for name in sorted(set(expected.files) | set(actual.files)):
        e, a = expected.files.get(name), actual.files.get(name)
        if e is None or a is None:
            yield f"file {name}: written only by {'refimpl' if e is None else 'TF'}"
        elif not _same_file(name, e, a):
            yield describe_file_difference(name, e, a)
    if expected.error is None and not _same_file(
        "returned", expected.returned or b"", actual.returned or b""
    ):
        if expected.returned is None or actual.returned is None:
            yield "returned MetaGraphDef: missing on one side"
        else:
            x, y = MetaGraphDef(), MetaGraphDef()
            x.ParseFromString(expected.returned)
            y.ParseFromString(actual.returned)
            yield f"returned MetaGraphDef: {first_difference(x, y)}"
    # After an error refimpl has nothing to report (it never mutates its arguments).
    if expected.error is None and expected.meta_info_def_after != actual.meta_info_def_after:
        yield (
            f"caller's meta_info_def after export: TF {expected.meta_info_def_after!r} "
            f"vs refimpl {actual.meta_info_def_after!r}"
        )
    if expected.warnings != actual.warnings:
        yield f"warnings: TF {expected.warnings!r} vs refimpl {actual.warnings!r}"
    if expected.error is None and expected.unbound_after != actual.unbound_after:
        yield (
            f"unbound_inputs after export: TF {expected.unbound_after} "
            f"vs refimpl {actual.unbound_after}"
        )
