"""Collections: from graph collection items to ``collection_def`` (spec.md section 8).

Python-level failures TF meets while converting a collection (a missing
attribute, a value protobuf rejects) are reproduced with the same exception
type and message; protobuf's own messages are obtained from the protobuf
runtime itself, by handing it values of the same Python types, except where the
runtime TF ran on decides (``refimpl.protobuf_runtime``: bools in ``int64_list``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, MutableSequence, Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import any_pb2
from google.protobuf.message import Message

from refimpl.names import UNBOUND_INPUT_PREFIX, strip_name_scope
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.control_flow_pb2 import CondContextDef, ValuesDef, WhileContextDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.queue_runner_pb2 import QueueRunnerDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.pb.tensorflow.variable_pb2 import SaveSliceInfoDef, VariableDef
from refimpl.protobuf_runtime import ProtobufRuntime, protobuf_runtime
from refimpl.snapshot import CollectionItem, Snapshot

LOGGER = logging.getLogger("refimpl")

NON_STRING_KEY_WARNING = (
    "Only collections with string type keys will be serialized. This key has %s"
)
CONVERSION_WARNING = (
    "Issue encountered when serializing %s.\n"
    "Type is unsupported, or the types of the items don't match field type in "
    "CollectionDef. Note this is a warning and probably safe to ignore.\n%s"
)

_PROTO_TYPES: dict[str, type[Message]] = {
    "tensorflow.VariableDef": VariableDef,
    "tensorflow.SaverDef": SaverDef,
    "tensorflow.QueueRunnerDef": QueueRunnerDef,
    "tensorflow.CondContextDef": CondContextDef,
    "tensorflow.WhileContextDef": WhileContextDef,
}


@dataclass(frozen=True)
class Warning_:
    """A warning TF logs during export: the format string and its arguments."""

    fmt: str
    args: tuple[str, ...]

    def text(self) -> str:
        """The logged message."""
        return self.fmt % self.args


class NonStrName:
    """A ``name`` attribute that is not a str (TF then fails on ``.startswith``)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


_Name = str | None | NonStrName  # None: the item has no ``name`` attribute


def _attribute_error(type_name: str, attr: str, bare: bool = False) -> AttributeError:
    """Python's AttributeError for a missing attribute (protobuf messages give just its name)."""
    if bare:
        return AttributeError(attr)
    return AttributeError(f"'{type_name}' object has no attribute '{attr}'")


def item_attribute_error(item: CollectionItem, attr: str) -> AttributeError:
    """The AttributeError TF meets reading ``attr`` of a collection item that lacks it."""
    return _attribute_error(item.type_name, attr, item.bare_attribute_errors)


def _name_attr(n: snap.NameAttr) -> _Name:
    kind = n.WhichOneof("kind")
    if kind == "str":
        return n.str
    if kind == "other_type":
        return NonStrName(n.other_type)
    return None


def item_name(item: CollectionItem) -> _Name:
    """The item's ``name`` attribute as TF would read it."""
    kind = item.WhichOneof("kind")
    if kind == "operation":
        return item.operation
    if kind == "tensor":
        return item.tensor
    if kind == "variable":
        return item.variable.name
    if kind == "queue_runner":
        return item.queue_runner.queue_name
    if kind == "context":
        ctx = item.context
        return ctx.cond.name if ctx.WhichOneof("kind") == "cond" else getattr(ctx, "while").name
    if kind == "saver":
        return _name_attr(item.saver.name)
    if kind == "opaque":
        return _name_attr(item.opaque.name)
    return None


def include_item(
    item: CollectionItem, export_scope: str | None, exclude: Collection[str] | None
) -> bool:
    """The collection filter: str items are node names, named objects by their name."""
    if item.WhichOneof("kind") == "str":
        name: _Name = item.str
    else:
        name = item_name(item)
        if name is None:
            return True
    if exclude and isinstance(name, str) and name in exclude:
        return False
    if isinstance(name, NonStrName):
        raise _attribute_error(name.type_name, "startswith")
    assert name is not None
    return (
        name.startswith(UNBOUND_INPUT_PREFIX) or not export_scope or name.startswith(export_scope)
    )


def get_collection_in_scope(
    items: Sequence[CollectionItem] | None, scope: str | None
) -> list[CollectionItem]:
    """``Graph.get_collection(key, scope)``: items whose name ``re.match``es ``scope``.

    ``items`` is None for a missing collection, which is never matched against
    the scope; an existing empty one still compiles it (and may fail to).
    """
    import re

    if items is None:
        return []
    if scope is None:
        return list(items)
    regex = re.compile(scope)
    out = []
    for item in items:
        name = item_name(item)
        if isinstance(name, NonStrName):
            raise TypeError(f"expected string or bytes-like object, got '{name.type_name}'")
        if isinstance(name, str) and regex.match(name):
            out.append(item)
    return out


# -- to_proto of each item kind ----------------------------------------------------------


def _in_scope(name: str, export_scope: str | None) -> bool:
    return export_scope is None or name.startswith(export_scope)


def variable_to_proto(v: snap.VariableItem, export_scope: str | None) -> VariableDef | None:
    """``Variable.to_proto``: a VariableDef, or None outside the scope."""
    if not _in_scope(v.variable_name, export_scope):
        return None
    d = VariableDef()
    d.variable_name = strip_name_scope(v.variable_name, export_scope)
    if v.has_initial_value:
        d.initial_value_name = strip_name_scope(v.initial_value_name, export_scope)
    d.initializer_name = strip_name_scope(v.initializer_name, export_scope)
    d.snapshot_name = strip_name_scope(v.snapshot_name, export_scope)
    d.is_resource = v.is_resource
    d.trainable = v.trainable
    d.synchronization = v.synchronization  # type: ignore[assignment]
    d.aggregation = v.aggregation  # type: ignore[assignment]
    if v.has_save_slice_info:
        info: SaveSliceInfoDef | None = None
        if _in_scope(v.slice_full_name, export_scope):
            info = SaveSliceInfoDef(
                full_name=strip_name_scope(v.slice_full_name, export_scope),
                full_shape=v.slice_full_shape,
                var_offset=v.slice_var_offset,
                var_shape=v.slice_var_shape,
            )
        if info is None:  # TF merges None, which protobuf rejects naming TF's own class
            raise TypeError(
                "Parameter to MergeFrom() must be instance of same class: expected "
                "<class 'tensorflow.core.framework.variable_pb2.SaveSliceInfoDef'> "
                "got <class 'NoneType'>."
            )
        d.save_slice_info_def.MergeFrom(info)
    return d


def saver_to_proto(saver_def: SaverDef, export_scope: str | None) -> SaverDef | None:
    """``Saver.to_proto``: the SaverDef, names stripped; None unless its 3 names are in scope."""
    if export_scope is None:
        return saver_def
    names = (saver_def.filename_tensor_name, saver_def.save_tensor_name, saver_def.restore_op_name)
    if not all(n.startswith(export_scope) for n in names):
        return None
    d = SaverDef()
    d.CopyFrom(saver_def)
    d.filename_tensor_name = strip_name_scope(d.filename_tensor_name, export_scope)
    d.save_tensor_name = strip_name_scope(d.save_tensor_name, export_scope)
    d.restore_op_name = strip_name_scope(d.restore_op_name, export_scope)
    return d


def queue_runner_to_proto(
    q: snap.QueueRunnerItem, export_scope: str | None
) -> QueueRunnerDef | None:
    """``QueueRunner.to_proto``: None when the queue is outside the scope."""
    if not _in_scope(q.queue_name, export_scope):
        return None
    return QueueRunnerDef(
        queue_name=strip_name_scope(q.queue_name, export_scope),
        enqueue_op_name=[strip_name_scope(n, export_scope) for n in q.enqueue_op_names],
        close_op_name=strip_name_scope(q.close_op_name, export_scope),
        cancel_op_name=strip_name_scope(q.cancel_op_name, export_scope),
        queue_closed_exception_types=list(q.queue_closed_exception_types),  # type: ignore[arg-type]
    )


def _values_def(values: snap.ValuesItem, export_scope: str | None) -> ValuesDef:
    d = ValuesDef()
    d.values.extend(strip_name_scope(v, export_scope) for v in values.values)
    for pair in values.external_values:
        d.external_values[strip_name_scope(pair.key, export_scope)] = strip_name_scope(
            pair.value, export_scope
        )
    return d


def cond_to_proto(c: snap.CondContextItem, export_scope: str | None) -> CondContextDef | None:
    """``CondContext.to_proto``; nested contexts are always serialized without a scope."""
    if not _in_scope(c.name, export_scope):
        return None
    d = CondContextDef(
        context_name=strip_name_scope(c.name, export_scope),
        pred_name=strip_name_scope(c.pred_name, export_scope),
        pivot_name=strip_name_scope(c.pivot_name, export_scope),
        branch=c.branch,
    )
    d.values_def.MergeFrom(_values_def(c.values, export_scope))
    for nested in c.nested_contexts:
        _nested_context(nested, d.nested_contexts.add())
    return d


def while_to_proto(w: snap.WhileContextItem, export_scope: str | None) -> WhileContextDef | None:
    """``WhileContext.to_proto``; nested contexts are always serialized without a scope."""
    if not _in_scope(w.name, export_scope):
        return None
    d = WhileContextDef(
        context_name=strip_name_scope(w.name, export_scope),
        parallel_iterations=w.parallel_iterations,
        back_prop=w.back_prop,
        swap_memory=w.swap_memory,
        pivot_for_pred_name=strip_name_scope(w.pivot_for_pred_name, export_scope),
        pivot_for_body_name=strip_name_scope(w.pivot_for_body_name, export_scope),
        pivot_name=strip_name_scope(w.pivot_name, export_scope),
        loop_exit_names=[strip_name_scope(n, export_scope) for n in w.loop_exit_names],
        loop_enter_names=[strip_name_scope(n, export_scope) for n in w.loop_enter_names],
    )
    if w.has_maximum_iterations:
        d.maximum_iterations_name = strip_name_scope(w.maximum_iterations_name, export_scope)
    d.values_def.MergeFrom(_values_def(w.values, export_scope))
    for nested in w.nested_contexts:
        _nested_context(nested, d.nested_contexts.add())
    return d


def _nested_context(ctx: snap.ContextItem, target: Any) -> None:
    if ctx.WhichOneof("kind") == "cond":
        proto: Message | None = cond_to_proto(ctx.cond, None)
        target.cond_ctxt.CopyFrom(proto)
    else:
        proto = while_to_proto(getattr(ctx, "while"), None)
        target.while_ctxt.CopyFrom(proto)


def item_to_proto(item: CollectionItem, export_scope: str | None) -> Message | None:
    """``item.to_proto(export_scope=...)`` for items that have the method."""
    kind = item.WhichOneof("kind")
    if kind == "variable":
        return variable_to_proto(item.variable, export_scope)
    if kind == "saver":
        if item.saver.saver_def_is_none:
            if export_scope is None:
                return None
            raise AttributeError("'NoneType' object has no attribute 'filename_tensor_name'")
        sd = SaverDef()
        sd.ParseFromString(item.saver.saver_def)
        return saver_to_proto(sd, export_scope)
    if kind == "queue_runner":
        return queue_runner_to_proto(item.queue_runner, export_scope)
    if kind == "context":
        return _context_to_proto(item.context, export_scope)
    raise item_attribute_error(item, "to_proto")


def _context_to_proto(ctx: snap.ContextItem, export_scope: str | None) -> Message | None:
    if ctx.WhichOneof("kind") == "cond":
        return cond_to_proto(ctx.cond, export_scope)
    return while_to_proto(getattr(ctx, "while"), export_scope)


def registered_to_proto(
    proto_type: str, item: CollectionItem, export_scope: str | None
) -> Message | None:
    """The registered to_proto function of a key whose protos are ``proto_type``."""
    kind = item.WhichOneof("kind")
    if proto_type == "tensorflow.VariableDef":
        return item_to_proto(item, export_scope)
    if proto_type == "tensorflow.SaverDef":
        if kind != "saver":
            raise item_attribute_error(item, "saver_def")
        return item_to_proto(item, export_scope)
    if proto_type == "tensorflow.QueueRunnerDef":
        if kind != "queue_runner":
            raise item_attribute_error(item, "queue")
        return item_to_proto(item, export_scope)
    if proto_type in ("tensorflow.CondContextDef", "tensorflow.WhileContextDef"):
        want = "cond" if proto_type == "tensorflow.CondContextDef" else "while"
        name = item_name(item)
        if name is None:
            raise item_attribute_error(item, "name")
        if isinstance(name, str) and export_scope is not None and not name.startswith(export_scope):
            return None
        if kind != "context" or item.context.WhichOneof("kind") != want:
            raise item_attribute_error(item, "_pred" if want == "cond" else "_parallel_iterations")
        return _context_to_proto(item.context, export_scope)
    raise NotImplementedError(f"collections of {proto_type} are not supported")


# -- values handed to protobuf as TF hands them ---------------------------------------


def _opaque_value(type_name: str, repr_text: str) -> object:
    """A stand-in with the item's Python type name and repr (protobuf's errors quote both)."""

    def _repr(self: object) -> str:
        return repr_text

    return type(type_name, (), {"__repr__": _repr, "__str__": _repr})()


def python_value(item: CollectionItem, target: str) -> object:
    """The item as the Python value TF hands to protobuf's ``extend`` of ``target``.

    Items protobuf cannot take are replaced by an object of the same Python
    type name, so that protobuf's error message is the one TF gets.
    """
    kind = item.WhichOneof("kind")
    if kind == "str":
        return item.str
    if kind == "bytes":
        return item.bytes
    if kind == "int":
        return int(item.int)
    if kind == "bool":
        return item.bool
    if kind == "float":
        return item.float
    if kind == "any":
        return any_pb2.Any(type_url=item.any.type_url, value=item.any.value)
    if kind == "numpy":
        which = item.numpy.WhichOneof("value")
        if which == "int":
            return int(item.numpy.int)
        if which == "float" and target == "float_list":
            return item.numpy.float
        if which == "bool" and target == "float_list":
            return float(item.numpy.bool)
    return _opaque_value(item.type_name, item.repr)


def _as_bytes(item: CollectionItem) -> bytes:
    kind = item.WhichOneof("kind")
    if kind == "str":
        return item.str.encode("utf-8")
    if kind == "bytes":
        return item.bytes
    raise TypeError(f"Expected binary or unicode string, got {item.repr}")


def _kind_name(item: CollectionItem) -> str:
    kind = item.WhichOneof("kind")
    if kind in ("str", "bytes"):
        return "bytes_list"
    if kind in ("int", "bool"):
        return "int64_list"
    if kind == "float":
        return "float_list"
    if kind == "any":
        return "any_list"
    return "node_list"


#: The field of rule 8.4.3, as protobuf names it in its errors.
INT64_LIST_FIELD = "tensorflow.CollectionDef.Int64List.value"


def _extend_int64_list(
    values: MutableSequence[int], items: Sequence[CollectionItem], runtime: ProtobufRuntime
) -> None:
    """Rule 8.4.3: protobuf's checks, item by item in order (the first failure is raised).

    Bools follow the recorded runtime (``ProtobufRuntime.int_fields_accept_bools``), not
    the one refimpl runs on; every other check is the same in all runtimes.
    """
    for x in items:
        if x.WhichOneof("kind") == "bool":
            if not runtime.int_fields_accept_bools:
                raise runtime.bool_in_int_field_error(INT64_LIST_FIELD)
            values.append(int(x.bool))
        else:
            values.append(python_value(x, "int64_list"))  # type: ignore[arg-type]


def _fill(
    mgd: MetaGraphDef,
    key: str | bytes,
    items: Sequence[CollectionItem],
    graph: Snapshot,
    export_scope: str | None,
) -> None:
    col_def = mgd.collection_def[key]  # type: ignore[index]
    proto_type = graph.environment.proto_function_keys.get(key) if isinstance(key, str) else None
    if proto_type is not None:
        expected = _PROTO_TYPES.get(proto_type)
        for x in items:
            proto = registered_to_proto(proto_type, x, export_scope)
            if proto is not None:
                if expected is None or not isinstance(proto, expected):
                    raise AssertionError()
                col_def.bytes_list.value.append(proto.SerializeToString(deterministic=True))
        return
    kind = _kind_name(items[0])
    if kind == "node_list":
        for x in items:
            name = item_name(x)
            if name is None:
                raise item_attribute_error(x, "name")
            assert isinstance(name, str)  # non-str names failed in the filter
            if not export_scope or name.startswith(export_scope):
                col_def.node_list.value.append(strip_name_scope(name, export_scope))
    elif kind == "bytes_list":
        col_def.bytes_list.value.extend([_as_bytes(x) for x in items])
    elif kind == "int64_list":
        runtime = protobuf_runtime(graph.environment.protobuf_version)
        _extend_int64_list(col_def.int64_list.value, items, runtime)
    elif kind == "float_list":
        col_def.float_list.value.extend([python_value(x, kind) for x in items])  # type: ignore[misc]
    else:
        col_def.any_list.value.extend([python_value(x, kind) for x in items])  # type: ignore[misc]


def add_collection_def(
    mgd: MetaGraphDef,
    key: object,
    graph: Snapshot,
    export_scope: str | None,
    exclude: Collection[str] | None,
    warnings: list[Warning_],
    override: Sequence[CollectionItem] | None = None,
) -> None:
    """Adds the collection ``key`` of ``graph`` to ``mgd`` (in place), as TF does."""
    if not isinstance(key, (str, bytes)):
        _warn(warnings, NON_STRING_KEY_WARNING, repr(type(key)))
        return
    items = list(override) if override else list(graph.get_collection(key))
    items = [x for x in items if include_item(x, export_scope, exclude)]
    if not items:
        return
    try:
        _fill(mgd, key, items, graph, export_scope)
    except Exception as e:  # noqa: BLE001  (TF catches everything here)
        _warn(warnings, CONVERSION_WARNING, _key_text(key), str(e))
        if key in mgd.collection_def:
            del mgd.collection_def[key]  # type: ignore[arg-type]


def _key_text(key: str | bytes) -> str:
    return key if isinstance(key, str) else str(key)


def _warn(warnings: list[Warning_], fmt: str, *args: str) -> None:
    w = Warning_(fmt, args)
    warnings.append(w)
    LOGGER.warning(fmt, *args)
