"""Collections: from graph collection items to ``collection_def`` (spec.md section 8).

Python-level failures TF meets while converting a collection (a missing
attribute, a value protobuf rejects) are reproduced with the same exception
type and message; protobuf's own messages are obtained from the protobuf
runtime itself, by handing it values of the same Python types, except where the
runtime TF ran on decides (``refimpl.protobuf_runtime``: bools in ``int64_list``).

Warnings are returned as data (``Warning_``); nothing here logs.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Collection, Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from typing import cast

from google.protobuf import any_pb2
from google.protobuf.message import Message

from refimpl import rules
from refimpl.collection_items import (
    ItemName,
    NonStrName,
    attribute_error,
    item_attribute_error,
    item_name,
)
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.control_flow_pb2 import (
    CondContextDef,
    ControlFlowContextDef,
    ValuesDef,
    WhileContextDef,
)
from refimpl.pb.tensorflow.meta_graph_pb2 import CollectionDef, MetaGraphDef
from refimpl.pb.tensorflow.queue_runner_pb2 import QueueRunnerDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.pb.tensorflow.variable_pb2 import SaveSliceInfoDef, VariableDef
from refimpl.protobuf_runtime import ProtobufRuntime, protobuf_runtime
from refimpl.savers import saver_item_from_proto
from refimpl.scope import NO_SCOPE, ExportScope
from refimpl.snapshot import CollectionItem, Snapshot
from refimpl.tf_type_names import tf_type_repr

NON_STRING_KEY_WARNING = (
    "Only collections with string type keys will be serialized. This key has %s"
)
CONVERSION_WARNING = (
    "Issue encountered when serializing %s.\n"
    "Type is unsupported, or the types of the items don't match field type in "
    "CollectionDef. Note this is a warning and probably safe to ignore.\n%s"
)
SAVERS = "savers"

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


def include_item(item: CollectionItem, scope: ExportScope, exclude: Collection[str] | None) -> bool:
    """Rule 8.3, the collection filter: str items are node names, named objects by their name."""
    rules.applied("8.3")
    if item.WhichOneof("kind") == "str":
        name: ItemName = item.str
    else:
        name = item_name(item)
        if name is None:
            return True
    if exclude:
        rules.applied("7.3")
        if isinstance(name, str) and name in exclude:
            return False
    if isinstance(name, NonStrName):
        raise attribute_error(name.type_name, "startswith")
    assert name is not None
    return scope.keeps(name)


#: Item kinds whose ``name`` is a str or absent (only savers and opaque objects may have a
#: name of another type, which fails rule 8.3).
_STR_OR_NO_NAME = frozenset(
    {None, "str", "bytes", "int", "bool", "float", "numpy", "any", "operation", "tensor"}
    | {"variable", "queue_runner", "context"}
)


def include_items(
    items: Sequence[CollectionItem], scope: ExportScope, exclude: Collection[str] | None
) -> list[CollectionItem]:
    """``include_item`` over a collection: the items kept, in order (its first failure
    raised). Without a scope (a falsy one) or an exclusion, every item whose name is a
    str or absent is kept: such collections are passed whole."""
    if items and not exclude and not scope.given:
        if all(x.WhichOneof("kind") in _STR_OR_NO_NAME for x in items):
            rules.applied("8.3")
            return list(items)
    return [x for x in items if include_item(x, scope, exclude)]


def get_collection_in_scope(
    items: Sequence[CollectionItem] | None, scope: ExportScope
) -> list[CollectionItem]:
    """``Graph.get_collection(key, scope)``: items whose name ``re.match``es ``scope`` (rule 3.5).

    ``items`` is None for a missing collection, which is never matched against
    the scope; an existing empty one still compiles it (and may fail to).
    """
    if items is None:
        return []
    if scope.is_none:
        return list(items)
    regex = scope.compiled()
    out = []
    for item in items:
        name = item_name(item)
        if isinstance(name, NonStrName):
            raise TypeError(f"expected string or bytes-like object, got '{name.type_name}'")
        if isinstance(name, str) and regex.match(name):
            out.append(item)
    return out


# -- to_proto of each item kind (rules 8.6.2-8.6.7) ---------------------------------------


def variable_to_proto(v: snap.VariableItem, scope: ExportScope) -> VariableDef | None:
    """Rule 8.6.2, ``Variable.to_proto``: a VariableDef, or None outside the scope."""
    rules.applied("8.6.2")
    if not scope.to_proto_includes(v.variable_name):
        return None
    d = VariableDef()
    d.variable_name = scope.strip_name(v.variable_name)
    if v.has_initial_value:
        d.initial_value_name = scope.strip_name(v.initial_value_name)
    d.initializer_name = scope.strip_name(v.initializer_name)
    d.snapshot_name = scope.strip_name(v.snapshot_name)
    d.is_resource = v.is_resource
    d.trainable = v.trainable
    d.synchronization = v.synchronization  # type: ignore[assignment]
    d.aggregation = v.aggregation  # type: ignore[assignment]
    if v.has_save_slice_info:
        info: SaveSliceInfoDef | None = None
        if scope.to_proto_includes(v.slice_full_name):
            info = SaveSliceInfoDef(
                full_name=scope.strip_name(v.slice_full_name),
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


def unscoped_variable_defs(items: Sequence[CollectionItem]) -> list[bytes] | None:
    """Rule 8.6.2 without a scope (``variable_to_proto`` under ``NO_SCOPE``) for every item
    of a collection, serialized as rule 8.6.1 serializes them; None unless every item is a
    variable without a save slice (the per-item loop of ``_fill`` then runs)."""
    if any(x.WhichOneof("kind") != "variable" for x in items):
        return None
    variables = [x.variable for x in items]
    if any(v.has_save_slice_info for v in variables):
        return None
    out: list[bytes] = []
    for v in variables:
        d = VariableDef(
            variable_name=v.variable_name,
            initializer_name=v.initializer_name,
            snapshot_name=v.snapshot_name,
            is_resource=v.is_resource,
            trainable=v.trainable,
            synchronization=v.synchronization,  # type: ignore[arg-type]
            aggregation=v.aggregation,  # type: ignore[arg-type]
        )
        if v.has_initial_value:
            d.initial_value_name = v.initial_value_name
        out.append(d.SerializeToString(deterministic=True))
    rules.applied("8.6.2", "4.2.2")  # (names "stripped" of no scope: unchanged)
    return out


def saver_to_proto(saver: snap.SaverItem, scope: ExportScope) -> SaverDef | None:
    """Rule 8.6.3, ``Saver.to_proto``: the SaverDef, names stripped; None unless its 3 names
    are in scope."""
    rules.applied("8.6.3")
    if saver.saver_def_is_none:
        if scope.is_none:
            return None
        raise AttributeError("'NoneType' object has no attribute 'filename_tensor_name'")
    saver_def = SaverDef()
    saver_def.ParseFromString(saver.saver_def)
    if scope.is_none:
        return saver_def
    names = (saver_def.filename_tensor_name, saver_def.save_tensor_name, saver_def.restore_op_name)
    if not all(scope.has_prefix(n) for n in names):
        return None
    saver_def.filename_tensor_name = scope.strip_name(saver_def.filename_tensor_name)
    saver_def.save_tensor_name = scope.strip_name(saver_def.save_tensor_name)
    saver_def.restore_op_name = scope.strip_name(saver_def.restore_op_name)
    return saver_def


def queue_runner_to_proto(q: snap.QueueRunnerItem, scope: ExportScope) -> QueueRunnerDef | None:
    """Rule 8.6.4, ``QueueRunner.to_proto``: None when the queue is outside the scope."""
    rules.applied("8.6.4")
    if not scope.to_proto_includes(q.queue_name):
        return None
    return QueueRunnerDef(
        queue_name=scope.strip_name(q.queue_name),
        enqueue_op_name=[scope.strip_name(n) for n in q.enqueue_op_names],
        close_op_name=scope.strip_name(q.close_op_name),
        cancel_op_name=scope.strip_name(q.cancel_op_name),
        queue_closed_exception_types=list(q.queue_closed_exception_types),  # type: ignore[arg-type]
    )


def _values_def(values: snap.ValuesItem, scope: ExportScope) -> ValuesDef:
    """Rule 8.6.7: a context's ``values_def``, every name stripped."""
    rules.applied("8.6.7")
    d = ValuesDef()
    d.values.extend(scope.strip_name(v) for v in values.values)
    for pair in values.external_values:
        d.external_values[scope.strip_name(pair.key)] = scope.strip_name(pair.value)
    return d


def cond_to_proto(c: snap.CondContextItem, scope: ExportScope) -> CondContextDef | None:
    """Rule 8.6.5, ``CondContext.to_proto``; nested contexts are serialized without a scope."""
    rules.applied("8.6.5")
    if not scope.to_proto_includes(c.name):
        return None
    d = CondContextDef(
        context_name=scope.strip_name(c.name),
        pred_name=scope.strip_name(c.pred_name),
        pivot_name=scope.strip_name(c.pivot_name),
        branch=c.branch,
    )
    d.values_def.MergeFrom(_values_def(c.values, scope))
    for nested in c.nested_contexts:
        _nested_context(nested, d.nested_contexts.add())
    return d


def while_to_proto(w: snap.WhileContextItem, scope: ExportScope) -> WhileContextDef | None:
    """Rule 8.6.6, ``WhileContext.to_proto``; nested contexts are serialized without a scope."""
    rules.applied("8.6.6")
    if not scope.to_proto_includes(w.name):
        return None
    d = WhileContextDef(
        context_name=scope.strip_name(w.name),
        parallel_iterations=w.parallel_iterations,
        back_prop=w.back_prop,
        swap_memory=w.swap_memory,
        pivot_for_pred_name=scope.strip_name(w.pivot_for_pred_name),
        pivot_for_body_name=scope.strip_name(w.pivot_for_body_name),
        pivot_name=scope.strip_name(w.pivot_name),
        loop_exit_names=[scope.strip_name(n) for n in w.loop_exit_names],
        loop_enter_names=[scope.strip_name(n) for n in w.loop_enter_names],
    )
    if w.has_maximum_iterations:
        d.maximum_iterations_name = scope.strip_name(w.maximum_iterations_name)
    d.values_def.MergeFrom(_values_def(w.values, scope))
    for nested in w.nested_contexts:
        _nested_context(nested, d.nested_contexts.add())
    return d


def _nested_context(ctx: snap.ContextItem, target: ControlFlowContextDef) -> None:
    """Rule 8.6.7: a nested context, always serialized without a scope."""
    rules.applied("8.6.7")
    # Without a scope, to_proto never returns None (TF's CopyFrom(None) would fail).
    if ctx.WhichOneof("kind") == "cond":
        cond = cond_to_proto(ctx.cond, NO_SCOPE)
        assert cond is not None
        target.cond_ctxt.CopyFrom(cond)
    else:
        loop = while_to_proto(getattr(ctx, "while"), NO_SCOPE)
        assert loop is not None
        target.while_ctxt.CopyFrom(loop)


def item_to_proto(item: CollectionItem, scope: ExportScope) -> Message | None:
    """``item.to_proto(export_scope=...)`` for items that have the method (rule 8.6.2)."""
    kind = item.WhichOneof("kind")
    if kind == "variable":
        return variable_to_proto(item.variable, scope)
    if kind == "saver":
        return saver_to_proto(item.saver, scope)
    if kind == "queue_runner":
        return queue_runner_to_proto(item.queue_runner, scope)
    if kind == "context":
        return _context_to_proto(item.context, scope)
    raise item_attribute_error(item, "to_proto")


def _context_to_proto(ctx: snap.ContextItem, scope: ExportScope) -> Message | None:
    if ctx.WhichOneof("kind") == "cond":
        return cond_to_proto(ctx.cond, scope)
    return while_to_proto(getattr(ctx, "while"), scope)


def registered_to_proto(
    proto_type: str, item: CollectionItem, scope: ExportScope
) -> Message | None:
    """The registered to_proto function of a key whose protos are ``proto_type`` (rule 8.6)."""
    kind = item.WhichOneof("kind")
    if proto_type == "tensorflow.VariableDef":
        rules.applied("8.6.2")
        return item_to_proto(item, scope)
    if proto_type == "tensorflow.SaverDef":
        rules.applied("8.6.3")
        if kind != "saver":
            raise item_attribute_error(item, "saver_def")
        return item_to_proto(item, scope)
    if proto_type == "tensorflow.QueueRunnerDef":
        rules.applied("8.6.4")
        if kind != "queue_runner":
            raise item_attribute_error(item, "queue")
        return item_to_proto(item, scope)
    if proto_type == "tensorflow.CondContextDef":
        rules.applied("8.6.5")
        return _registered_context_to_proto(item, "cond", "_pred", scope)
    if proto_type == "tensorflow.WhileContextDef":
        rules.applied("8.6.6")
        return _registered_context_to_proto(item, "while", "_parallel_iterations", scope)
    raise NotImplementedError(f"collections of {proto_type} are not supported")


def _registered_context_to_proto(
    item: CollectionItem, want: str, want_attr: str, scope: ExportScope
) -> Message | None:
    """The registered to_proto of ``cond_context`` / ``while_context`` (rules 8.6.5, 8.6.6):
    the item's name is tested before its kind."""
    name = item_name(item)
    if name is None:
        raise item_attribute_error(item, "name")
    if isinstance(name, str) and not scope.to_proto_includes(name):
        return None
    if item.WhichOneof("kind") != "context" or item.context.WhichOneof("kind") != want:
        raise item_attribute_error(item, want_attr)
    return _context_to_proto(item.context, scope)


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


def _checked_value(x: CollectionItem, kind: str, runtime: ProtobufRuntime) -> object:
    """The value protobuf stores for item ``x`` in the list ``kind``, or the error the
    recorded runtime raises for that item alone (rules 8.4.3-8.4.5).

    Bools in an integer field follow the recorded runtime
    (``ProtobufRuntime.int_fields_accept_bools``), and a message of another type (an
    opaque item whose attribute errors are bare, as upb messages' are) is refused naming
    its class as TF's process has it; every other check is protobuf's own, the same in all
    runtimes.
    """
    which = x.WhichOneof("kind")
    if kind == "int64_list" and which == "bool":
        rules.applied("0.3.1")  # the recorded runtime decides
        if not runtime.int_fields_accept_bools:
            raise runtime.bool_in_int_field_error(INT64_LIST_FIELD)
        return int(x.bool)
    if kind == "any_list" and which == "opaque" and x.bare_attribute_errors:
        raise TypeError(
            "Parameter to MergeFrom() must be instance of same class: expected "
            f"{tf_type_repr(any_pb2.Any())} got {x.opaque.type_repr}."
        )
    value = python_value(x, kind)
    getattr(CollectionDef(), kind).value.extend([value])  # protobuf's check of this item
    return value


def _extend_checked(
    values: MutableSequence[object],
    items: Sequence[CollectionItem],
    kind: str,
    runtime: ProtobufRuntime,
) -> None:
    """Rules 8.4.3-8.4.5: ``extend`` of the list ``kind`` with every item, as the recorded
    runtime does it: the first refused item's error (protobuf 7; protobuf 6 for scalar
    lists), or, where upb goes on with the error pending
    (``ProtobufRuntime.scalar_extend_keeps_going``, ``message_extend_keeps_going``), the
    last refused item's error, replaced after it by each good item of an ``int64_list``
    with ``ValueError("Value out of range: <item>")``."""
    keeps_going = (
        runtime.message_extend_keeps_going
        if kind == "any_list"
        else runtime.scalar_extend_keeps_going
    )
    pending: Exception | None = None
    for x in items:
        try:
            value = _checked_value(x, kind, runtime)
        except Exception as e:  # noqa: BLE001  (protobuf's error, raised as TF gets it)
            if not keeps_going:
                raise
            rules.applied("0.3.1")
            pending = e
            continue
        if pending is not None and kind == "int64_list":
            pending = ValueError(f"Value out of range: {int(cast(int, value))}")
        values.extend([value])
    if pending is not None:
        raise pending


def _fill(
    mgd: MetaGraphDef,
    key: str | bytes,
    items: Sequence[CollectionItem],
    graph: Snapshot,
    scope: ExportScope,
) -> None:
    """Rules 8.4 and 8.6: the entry of ``key``, filled from ``items`` (failures propagate)."""
    rules.applied("8.4")
    col_def = mgd.collection_def[key]  # type: ignore[index]
    # TF's registry looks a key up by ``compat.as_str(key)``: a bytes key by its UTF-8 text
    # (one that does not decode fails here, inside the failure handler of rule 8.5).
    registry_name = key if isinstance(key, str) else key.decode("utf-8")
    proto_type = graph.environment.proto_function_keys.get(registry_name)
    if proto_type is not None:
        rules.applied("8.6")
        if proto_type == "tensorflow.VariableDef" and scope.is_none:
            serialized = unscoped_variable_defs(items)
            if serialized is not None:  # the loop below, in one pass
                rules.applied("8.6.1")
                col_def.bytes_list.value.extend(serialized)
                return
        expected = _PROTO_TYPES.get(proto_type)
        for x in items:
            proto = registered_to_proto(proto_type, x, scope)
            if proto is not None:
                if expected is None or not isinstance(proto, expected):
                    raise AssertionError()
                rules.applied("8.6.1")
                if isinstance(proto, (CondContextDef, WhileContextDef)):
                    rules.applied("0.4.1")  # deterministic, where TF's own is not
                col_def.bytes_list.value.append(proto.SerializeToString(deterministic=True))
        return
    kind = _kind_name(items[0])
    runtime = protobuf_runtime(graph.environment.protobuf_version)
    if kind == "node_list":
        rules.applied("8.4.1")
        for x in items:
            name = item_name(x)
            if name is None:
                raise item_attribute_error(x, "name")
            assert isinstance(name, str)  # non-str names failed in the filter
            if scope.includes(name):
                col_def.node_list.value.append(scope.strip_name(name))
    elif kind == "bytes_list":
        rules.applied("8.4.2")
        col_def.bytes_list.value.extend([_as_bytes(x) for x in items])
    elif kind == "int64_list":
        rules.applied("8.4.3", "8.5.1")
        _extend_checked(col_def.int64_list.value, items, kind, runtime)  # type: ignore[arg-type]
    elif kind == "float_list":
        rules.applied("8.4.4", "8.5.1")
        _extend_checked(col_def.float_list.value, items, kind, runtime)  # type: ignore[arg-type]
    else:
        rules.applied("8.4.5", "8.5.1")
        _extend_checked(col_def.any_list.value, items, kind, runtime)  # type: ignore[arg-type]


def collection_keys(graph: Snapshot, collection_list: object) -> Iterator[object]:
    """Rules 2.7 and 8.1: the keys to export, in order (``collection_list`` iterated as is,
    lazily: a non-iterable fails with Python's ``TypeError``)."""
    rules.applied("2.7", "8.1")
    if collection_list is None:
        rules.applied("8.1.1")
        return iter(graph.str_collection_keys())
    rules.applied("8.1.2")
    return iter(cast(Iterable[object], collection_list))


def add_collection_defs(
    mgd: MetaGraphDef,
    graph: Snapshot,
    collection_list: object,
    scope: ExportScope,
    exclude: Collection[str] | None,
    clear_extraneous_savers: bool,
    saver_def: object,
    warnings: list[Warning_],
) -> None:
    """Section 8: every collection of ``collection_list`` (None: the graph's str keys), in
    order, added to ``mgd`` (in place); with ``clear_extraneous_savers`` the ``savers`` key
    holds a new Saver (rule 7.4)."""
    # The graph's name counters as the export changes them (a Saver it builds takes one).
    # (ChainMap writes to its first map only: the graph's stays as it is.)
    names_in_use: ChainMap[str, int] = ChainMap({}, cast(dict[str, int], graph.names_in_use))
    done: set[str | bytes] = set()
    for key in collection_keys(graph, collection_list):
        if isinstance(key, (str, bytes)):
            if key in done:
                rules.applied("8.1.3")
            done.add(key)
        override = None
        if clear_extraneous_savers and key == SAVERS:
            override = [saver_item_from_proto(saver_def or None, graph, names_in_use)]
        add_collection_def(mgd, key, graph, scope, exclude, warnings, override)


def add_collection_def(
    mgd: MetaGraphDef,
    key: object,
    graph: Snapshot,
    scope: ExportScope,
    exclude: Collection[str] | None,
    warnings: list[Warning_],
    override: Sequence[CollectionItem] | None = None,
) -> None:
    """Adds the collection ``key`` of ``graph`` to ``mgd`` (in place), as TF does."""
    if not isinstance(key, (str, bytes)):  # only in a collection_list (rule 8.1.2)
        warnings.append(Warning_(NON_STRING_KEY_WARNING, (repr(type(key)),)))
        return
    rules.applied("8.2")
    items = list(override) if override else list(graph.get_collection(key))
    items = include_items(items, scope, exclude)
    if not items:
        return
    try:
        _fill(mgd, key, items, graph, scope)
    except Exception as e:  # noqa: BLE001  (TF catches everything here)
        rules.applied("8.5")
        warnings.append(Warning_(CONVERSION_WARNING, (_key_text(key), str(e))))
        if key in mgd.collection_def:
            del mgd.collection_def[key]  # type: ignore[arg-type]


def _key_text(key: str | bytes) -> str:
    return key if isinstance(key, str) else str(key)
