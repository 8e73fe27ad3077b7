"""The exported GraphDef on each of the four paths (spec.md section 4).

- default: the C++ serialization of the graph, annotated with output shapes;
- rebuild from the graph: each op's own NodeDef, transformed, in creation order;
- rebuild from a given GraphDef: its nodes, transformed;
- verbatim: a given GraphDef as it is (handled by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import add
from typing import cast

from refimpl import rules, wire
from refimpl.names import UNBOUND_INPUT_PREFIX
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue
from refimpl.pb.tensorflow.function_pb2 import FunctionDef, GradientDef
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.resource_handle_pb2 import ResourceHandleProto
from refimpl.pb.tensorflow.tensor_shape_pb2 import TensorShapeProto
from refimpl.pb.tensorflow.types_pb2 import DT_RESOURCE
from refimpl.savers import find_extraneous_saver_nodes
from refimpl.scope import ExportScope
from refimpl.snapshot import Deferred, Function, LazyMessage, Snapshot, WireIndex

TWO_GB = 1 << 31


@dataclass(frozen=True)
class RebuiltGraphDef:
    """A rebuilt GraphDef, the unbound inputs met on the way (node, then input order), and
    the nodes ``clear_extraneous_savers`` excluded (None without it; rule 7.1)."""

    graph_def: GraphDef
    unbound_inputs: tuple[str, ...]
    exclude: frozenset[str] | None = None


def _as_str(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


# -- the default path ----------------------------------------------------------------


def default_graph_def(
    graph: Snapshot, into: GraphDef | None = None, library: list[bytes] | None = None
) -> GraphDef:
    """The GraphDef of the default path: C++ serialization plus shape annotation.

    With ``into`` (an empty GraphDef), it is made there and returned; if making it
    fails, nothing is merged into ``into``. With ``library``, the GraphDef's fields other
    than its nodes (library, versions) are appended to it, canonically serialized, when
    the GraphDef was made over the serialized graph.
    """
    # The C++ serialization as captured: node order, inputs, contents, library, versions;
    # no size check of its own.
    rules.applied("4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.1.5", "4.1.9")
    index = graph.wire_index()
    if index is not None and not index.cpp_has_output_shapes:
        if any(index.output_counts):
            rules.applied("4.1.6")
        nodes, others, canonical = _annotated_in_bulk(graph, index)
        target = GraphDef() if into is None else into
        target.MergeFromString(nodes + others)
        if library is not None:
            library.append(others if canonical else _library_field(target))
        return target
    gd = GraphDef()
    gd.CopyFrom(graph.cpp_graph_def)
    for node in gd.node:
        shapes = graph.operations_by_name[node.name].output_shapes
        if shapes:
            rules.applied("4.1.6")
            node.attr["_output_shapes"].list.shape.extend(shapes)
    _annotate_library(gd, graph)
    if into is None:
        return gd
    into.MergeFrom(gd)
    return into


def _annotate_library(gd: GraphDef, graph: Snapshot) -> None:
    """Rule 4.1.7 on each library function; no library field if it has none."""
    if not gd.library.function:
        gd.ClearField("library")
    for function_def in gd.library.function:
        _annotate_function(function_def, graph.functions_by_name[function_def.signature.name])


def _annotated_in_bulk(graph: Snapshot, index: WireIndex) -> tuple[bytes, bytes, bool]:
    """The default path's GraphDef, serialized: its nodes (not canonically), its other
    fields, and whether those are serialized canonically; made over the serialized graph
    as the loop of ``default_graph_def`` makes it (node i is operation i, and no node has
    an ``_output_shapes`` attr yet: ``WireIndex``).

    Rule 4.1.6: each node's serialization is followed by its serialized attr (a NodeDef
    parses the two as one node with the attr added); the attr of a list of shapes is made
    once. Rule 4.1.7 on the library, parsed on its own (canonically serialized again),
    unless it leaves every function as it is; the other fields as they are.
    """
    view = wire.parse(wire.NODE_BYTES, index.cpp_bytes)
    nodes: list[bytes] = view.node[:]
    view.ClearField("node")
    others: bytes = view.SerializeToString()  # library, versions, ... as captured
    canonical = not _library_unchanged(graph, index)
    if canonical:
        rest = GraphDef()
        rest.ParseFromString(others)
        _annotate_library(rest, graph)
        others = rest.SerializeToString(deterministic=True)
    attrs = _shape_attrs(index)
    lengths = wire.length_prefixes(b"\n", map(add, map(len, nodes), map(len, attrs)))
    return wire.join_rows(lengths, nodes, attrs), others, canonical


def _library_unchanged(graph: Snapshot, index: WireIndex) -> bool:
    """Whether rule 4.1.7 changes no function of the captured library (which has some):
    none has a Python graph. Then ``_annotate_library`` would only apply the rule."""
    names = index.library_names
    by_name = graph.functions_by_name
    if not names or not all(name in by_name for name in names):
        return False
    if any(by_name[name].has_graph for name in names):
        return False
    rules.applied("4.1.7")  # (to each function: it has no graph, so nothing changes)
    return True


def _library_field(graph_def: GraphDef) -> bytes:
    """A GraphDef holding only ``graph_def``'s library, canonically serialized."""
    library = graph_def.library.SerializeToString(deterministic=True)
    return b"\x12" + wire.varint(len(library)) + library  # GraphDef.library = 2


class _ShapesAttr(dict[tuple[bytes, ...], bytes]):
    """Serialized output shapes -> the NodeDef field of ``attr["_output_shapes"]`` that
    lists them (nothing for no shape)."""

    def __missing__(self, shapes: tuple[bytes, ...]) -> bytes:
        if not shapes:
            return b""
        shape_list = b"".join(b"\x3a" + wire.varint(len(s)) + s for s in shapes)  # shape = 7
        list_value = b"\x0a" + wire.varint(len(shape_list)) + shape_list  # AttrValue.list = 1
        entry = b"\x0a\x0e_output_shapes\x12" + wire.varint(len(list_value)) + list_value
        value = b"\x2a" + wire.varint(len(entry)) + entry  # NodeDef.attr = 5
        if len(self) < 100_000:
            self[shapes] = value
        return value


_SHAPES_ATTR = _ShapesAttr()


def _annotate_function(function_def: FunctionDef, fn: Function) -> None:
    """Rule 4.1.7: a library function's shapes and handle data, from its Python graph."""
    rules.applied("4.1.7")
    if not fn.has_graph:
        return
    input_shapes = function_def.attr["_input_shapes"]  # reading the map entry creates it
    if not fn.has_graph_inputs:
        return
    if len(input_shapes.list.shape) not in (0, len(fn.inputs)):
        raise AssertionError()
    if not input_shapes.list.shape:
        for tensor, arg_def in zip(fn.inputs, function_def.signature.input_arg, strict=False):
            input_shapes.list.shape.add().CopyFrom(tensor.shape)
            if tensor.dtype == DT_RESOURCE and tensor.handle_data is not None:
                _add_handle_data(arg_def.handle_data.add(), tensor.handle_data)
    for tensor, arg_def in zip(fn.outputs, function_def.signature.output_arg, strict=False):
        if tensor.dtype == DT_RESOURCE and tensor.handle_data is not None:
            _add_handle_data(arg_def.handle_data.add(), tensor.handle_data)
    for node in function_def.node_def:
        body_op = fn.body_ops.get(node.name)
        if body_op is None:
            continue
        shapes = body_op.output_shapes
        if body_op.type == "StatefulPartitionedCall":
            shapes = shapes[: len(node.attr["Tout"].list.type)]  # reading "Tout" creates it
        node.attr["_output_shapes"].list.shape.extend(shapes)


def _add_handle_data(
    target: ResourceHandleProto.DtypeAndShape, handle: tuple[int, TensorShapeProto]
) -> None:
    target.dtype = handle[0]  # type: ignore[assignment]
    target.shape.CopyFrom(handle[1])


# -- the rebuild paths ---------------------------------------------------------------


def _included(name: str, scope: ExportScope, exclude: Collection[str] | None) -> bool:
    """Rule 4.2.1: whether the node ``name`` is in the rebuilt GraphDef (rule 7.3 with
    ``clear_extraneous_savers``)."""
    rules.applied("4.2.1")
    if exclude:
        rules.applied("7.3")
        if name in exclude:
            return False
    return scope.keeps(name)


def transform_node_def(
    from_node_def: NodeDef,
    scope: ExportScope,
    unbound_inputs: list[str],
    clear_devices: object,
    in_place: bool = False,
    attr_keys: Iterable[str] | None = None,
) -> NodeDef:
    """One node of a rebuilt GraphDef (rules 4.2.3-4.2.8): scope stripped, unbound inputs
    renamed. ``in_place``: ``from_node_def`` itself is transformed (and returned), its
    attrs meeting the rules in the order of ``attr_keys`` (default: the map's order)."""
    if in_place:
        node_def = from_node_def
    else:
        node_def = NodeDef()
        node_def.CopyFrom(from_node_def)
    _rewrite_inputs(node_def, scope, unbound_inputs)
    rules.applied("4.2.4")
    node_def.name = scope.strip_name(from_node_def.name)
    is_enter = node_def.op in ("Enter", "RefEnter")
    for k in from_node_def.attr if attr_keys is None else attr_keys:
        if k == "_class":
            node_def.attr[k].CopyFrom(_rewrite_class(from_node_def.attr[k], scope))
        elif is_enter and k == "frame_name":
            node_def.attr[k].CopyFrom(_rewrite_frame_name(from_node_def.attr[k], scope))
    rules.applied("4.2.7")  # the other attributes stay as copied
    if clear_devices:
        rules.applied("4.2.8")  # top-level nodes only: function bodies keep theirs (4.1.8)
        node_def.device = ""
    return node_def


def _rewrite_inputs(node_def: NodeDef, scope: ExportScope, unbound_inputs: list[str]) -> None:
    """Rule 4.2.3: each input stripped, or renamed ``$unbound_inputs_...`` and recorded."""
    if node_def.input:
        rules.applied("4.2.3")
        if not scope.given:  # every input is kept, and stripping a falsy scope changes nothing
            scope.strip_name(node_def.input[0])
            return
    for i, v in enumerate(node_def.input):
        if not scope.includes(v.lstrip("^")):
            renamed = re.sub(r"([\^]|^)(.*)", r"\1" + UNBOUND_INPUT_PREFIX + r"\2", v)
            node_def.input[i] = renamed
            unbound_inputs.append(renamed)
        else:
            node_def.input[i] = scope.strip_name(v)


def _rewrite_class(value: AttrValue, scope: ExportScope) -> AttrValue:
    """Rule 4.2.5: the ``_class`` attribute, its entries outside the scope dropped."""
    rules.applied("4.2.5")
    new_s = [
        _as_bytes(scope.strip_name(_as_str(s)))
        for s in value.list.s
        if not scope.given or scope.has_prefix(_class_location(s))
    ]
    return AttrValue(list=AttrValue.ListValue(s=new_s))


def _rewrite_frame_name(value: AttrValue, scope: ExportScope) -> AttrValue:
    """Rule 4.2.6: the ``frame_name`` of an ``Enter``/``RefEnter`` node, stripped."""
    rules.applied("4.2.6")
    frame = _as_str(value.s)
    if not scope.includes(frame):
        # TF reads a variable it never assigned here (spec.md 4.2.6; either error of 0.4.2).
        rules.applied("0.4.2")
        raise UnboundLocalError(
            "cannot access local variable 'new_s' where it is not associated with a value"
        )
    return AttrValue(s=_as_bytes(scope.strip_name(frame)))


def _class_location(entry: bytes) -> str:
    parts = _as_str(entry).split("@")
    if len(parts) < 2:
        raise IndexError("list index out of range")
    return parts[1]


def rebuild_from_graph(
    graph: Snapshot,
    scope: ExportScope,
    clear_devices: object,
    clear_extraneous_savers: object,
    saver_def: object,
) -> RebuiltGraphDef:
    """Section 4.3: the GraphDef rebuilt from each op's own NodeDef, in creation order."""
    exclude = None
    index = graph.wire_index()
    if clear_extraneous_savers:
        # graph.as_graph_def(): the C++ serialization, without shapes.
        if index is None:
            exclude = find_extraneous_saver_nodes(graph.cpp_graph_def, saver_def)
        else:  # node i is operation i, same name, same op
            inputs = wire.parse(wire.FLAT_GRAPH, index.cpp_bytes).node.input[:]
            exclude = find_extraneous_saver_nodes(
                None, saver_def, (index.names, index.types, inputs)
            )
    rules.applied("4.3.1")
    gd = GraphDef()
    gd.versions.CopyFrom(graph.versions)
    unbound: list[str] = []
    bulk = None
    if index is not None and not index.node_defs_have_output_shapes:
        bulk = _parsed_in_bulk(graph, index, gd, scope, exclude)
    if bulk is not None:
        # The loop below over the nodes parsed in bulk, transformed in place.
        serialized, bytesize = bulk
        for node, alone in zip(gd.node, serialized, strict=True):
            rules.applied("4.3.2")
            transform_node_def(node, scope, unbound, clear_devices, True, _attr_keys(node, alone))
            rules.applied("4.3.3")
        _copy_functions(graph.functions, gd, bytesize, clear_devices, serialized=True)
        return RebuiltGraphDef(gd, tuple(unbound), exclude)
    nodes: list[NodeDef] = []
    bytesize = 0
    for op in graph.operations:
        if not _included(op.name, scope, exclude):
            continue
        rules.applied("4.3.2")
        node_def = transform_node_def(op.node_def, scope, unbound, clear_devices)
        if op.output_shapes:
            if "_output_shapes" in node_def.attr:
                raise AssertionError()
            node_def.attr["_output_shapes"].list.shape.extend(op.output_shapes)
        nodes.append(node_def)
        rules.applied("4.3.3")
        bytesize += op.node_def.ByteSize()
        if bytesize >= TWO_GB:
            raise ValueError(f"GraphDef cannot be larger than 2GB. Received size: {bytesize}.")
    gd.node.extend(nodes)
    _copy_functions(graph.functions, gd, bytesize, clear_devices)
    return RebuiltGraphDef(gd, tuple(unbound), exclude)


#: Below ``TWO_GB >> _BULK_SIZE_SHIFT`` bytes of NodeDefs and functions, no size check of
#: section 4.3 can fail (a parsed message serializes to at most a few times its input), so
#: the bulk rebuild needs no exact size.
_BULK_SIZE_SHIFT = 3


def _parsed_in_bulk(
    graph: Snapshot,
    index: WireIndex,
    gd: GraphDef,
    scope: ExportScope,
    exclude: Collection[str] | None,
) -> tuple[list[bytes], int] | None:
    """For the loop of ``rebuild_from_graph`` over the serialized graph: the kept
    operations' NodeDefs, each followed by its ``_output_shapes`` attr (none has one yet:
    ``WireIndex``; the loop adds it after the transformation, which leaves it alone),
    parsed into ``gd`` at once. Returns the NodeDefs (serialized) and their size (in place
    of the loop's sum: below ``_BULK_SIZE_SHIFT``'s limit no size check fails), or None (``gd``
    untouched) if the graph is too big to skip exact sizes."""
    keep = [_included(name, scope, exclude) for name in index.names]
    node_defs = list(compress(index.node_defs(), keep))
    size = sum(map(len, node_defs))
    if size + index.functions_size >= TWO_GB >> _BULK_SIZE_SHIFT:
        return None
    attrs = list(compress(_shape_attrs(index), keep))
    lengths = wire.length_prefixes(b"\n", map(add, map(len, node_defs), map(len, attrs)))
    gd.MergeFromString(wire.join_rows(lengths, node_defs, attrs))
    return node_defs, size


def _attr_keys(node: NodeDef, node_def: bytes) -> list[str]:
    """The attrs ``transform_node_def`` rewrites, in the order it meets them in the NodeDef
    parsed alone (of an ``Enter``, its map order; else only ``_class`` matters)."""
    if node.op in ("Enter", "RefEnter"):
        return [k for k in NodeDef.FromString(node_def).attr if k in ("_class", "frame_name")]
    return ["_class"] if "_class" in node.attr else []


def _shape_attrs(index: WireIndex) -> list[bytes]:
    """Each operation's ``_output_shapes`` attr, serialized as a NodeDef field (b"" for none)."""
    return list(map(_SHAPES_ATTR.__getitem__, index.output_shapes))


def _keep_function_devices(gd: GraphDef, clear_devices: object) -> None:
    """Rule 4.1.8: ``clear_devices`` leaves the devices of function bodies alone (traced
    when there is a function whose devices it could have cleared)."""
    if clear_devices and gd.library.function:
        rules.applied("4.1.8")


def _copy_functions(
    functions: Sequence[Function],
    gd: GraphDef,
    bytesize: int,
    clear_devices: object,
    serialized: bool = False,
) -> None:
    """Rule 4.3.4: the Python function definitions, size-checked, with their gradients;
    then rule 4.1.8. ``serialized`` (the bulk rebuild): when the definitions are so small
    that no size check can fail (``_BULK_SIZE_SHIFT``), they are merged into ``gd`` as
    they are serialized, not each parsed, held and copied."""
    merged: list[bytes] | None = None
    if serialized:
        size = sum(len(_serialized_definition(fn)) for fn in functions)
        if bytesize + size < TWO_GB >> _BULK_SIZE_SHIFT:
            merged = []
    for fn in functions:
        rules.applied("4.3.4")
        if merged is not None:
            merged.append(_serialized_definition(fn))
        else:
            bytesize += fn.definition.ByteSize()
            if bytesize >= TWO_GB:
                raise ValueError("GraphDef cannot be larger than 2GB.")
            gd.library.function.append(fn.definition)
        if fn.grad_func_name:
            gd.library.gradient.append(
                GradientDef(function_name=fn.name, gradient_func=fn.grad_func_name)
            )
    if merged:
        gd.library.MergeFromString(wire.frame(merged))  # FunctionDefLibrary.function = 1
    _keep_function_devices(gd, clear_devices)


def _serialized_definition(fn: Function) -> bytes:
    """The function's definition, serialized: as loaded, if it was loaded unparsed."""
    stored = _DEFINITION.stored(fn)
    return stored.data if isinstance(stored, Deferred) else stored.SerializeToString()


_DEFINITION = cast(LazyMessage[FunctionDef], Function.__dict__["definition"])


def rebuild_from_graph_def(
    graph_def: object,
    scope: ExportScope,
    clear_devices: object,
    clear_extraneous_savers: object,
    saver_def: object,
) -> RebuiltGraphDef:
    """Section 4.4: a given GraphDef rebuilt: versions and library copied (present even if
    empty), then its nodes transformed."""
    rules.applied("4.4.1")
    if not hasattr(graph_def, "versions"):
        raise AttributeError(f"'{type(graph_def).__name__}' object has no attribute 'versions'")
    given = cast(GraphDef, graph_def)  # anything else with `versions` fails as in TF
    gd = GraphDef()
    gd.versions.CopyFrom(given.versions)
    gd.library.CopyFrom(given.library)
    _keep_function_devices(gd, clear_devices)
    exclude = None
    if clear_extraneous_savers:
        exclude = find_extraneous_saver_nodes(given, saver_def)
    rules.applied("4.4.2")
    unbound: list[str] = []
    gd.node.extend(
        transform_node_def(n, scope, unbound, clear_devices)
        for n in given.node
        if _included(n.name, scope, exclude)
    )
    return RebuiltGraphDef(gd, tuple(unbound), exclude)
