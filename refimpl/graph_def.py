"""The exported GraphDef on each of the four paths (spec.md section 4).

- default: the C++ serialization of the graph, annotated with output shapes;
- rebuild from the graph: each op's own NodeDef, transformed, in creation order;
- rebuild from a given GraphDef: its nodes, transformed;
- verbatim: a given GraphDef as it is (handled by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from refimpl.names import UNBOUND_INPUT_PREFIX, include_name, strip_name_scope
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue
from refimpl.pb.tensorflow.function_pb2 import FunctionDef, GradientDef
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.resource_handle_pb2 import ResourceHandleProto
from refimpl.pb.tensorflow.tensor_shape_pb2 import TensorShapeProto
from refimpl.pb.tensorflow.types_pb2 import DT_RESOURCE
from refimpl.snapshot import Function, Snapshot

TWO_GB = 1 << 31


@dataclass(frozen=True)
class RebuiltGraphDef:
    """A rebuilt GraphDef and the unbound inputs met on the way (node, then input order)."""

    graph_def: GraphDef
    unbound_inputs: tuple[str, ...]


def _as_str(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


# -- the default path ----------------------------------------------------------------


def default_graph_def(graph: Snapshot) -> GraphDef:
    """The GraphDef of the default path: C++ serialization plus shape annotation."""
    gd = GraphDef()
    gd.CopyFrom(graph.cpp_graph_def)
    if not gd.library.function:
        gd.ClearField("library")
    for node in gd.node:
        shapes = graph.operations_by_name[node.name].output_shapes
        if shapes:
            node.attr["_output_shapes"].list.shape.extend(shapes)
    for function_def in gd.library.function:
        _annotate_function(function_def, graph.functions_by_name[function_def.signature.name])
    return gd


def _annotate_function(function_def: FunctionDef, fn: Function) -> None:
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


def transform_node_def(
    from_node_def: NodeDef,
    export_scope: str | None,
    unbound_inputs: list[str],
    clear_devices: bool,
) -> NodeDef:
    """One node of a rebuilt GraphDef: scope stripped, unbound inputs renamed."""
    node_def = NodeDef()
    node_def.CopyFrom(from_node_def)
    for i, v in enumerate(node_def.input):
        if export_scope and not v.lstrip("^").startswith(export_scope):
            renamed = re.sub(r"([\^]|^)(.*)", r"\1" + UNBOUND_INPUT_PREFIX + r"\2", v)
            node_def.input[i] = renamed
            unbound_inputs.append(renamed)
        else:
            node_def.input[i] = strip_name_scope(v, export_scope)
    node_def.name = strip_name_scope(from_node_def.name, export_scope)
    for k, v_attr in from_node_def.attr.items():
        if k == "_class":
            new_s = [
                _as_bytes(strip_name_scope(_as_str(s), export_scope))
                for s in v_attr.list.s
                if not export_scope or _class_location(s).startswith(export_scope)
            ]
            node_def.attr[k].CopyFrom(AttrValue(list=AttrValue.ListValue(s=new_s)))
        elif node_def.op in ("Enter", "RefEnter") and k == "frame_name":
            frame = _as_str(v_attr.s)
            if export_scope and not frame.startswith(export_scope):
                # TF reads a variable it never assigned here (spec.md 4.2.6).
                raise UnboundLocalError(
                    "cannot access local variable 'new_s' where it is not associated with a value"
                )
            node_def.attr[k].CopyFrom(AttrValue(s=_as_bytes(strip_name_scope(frame, export_scope))))
    if clear_devices:
        node_def.device = ""
    return node_def


def _class_location(entry: bytes) -> str:
    parts = _as_str(entry).split("@")
    if len(parts) < 2:
        raise IndexError("list index out of range")
    return parts[1]


def rebuild_from_graph(
    graph: Snapshot,
    export_scope: str | None,
    exclude: Collection[str] | None,
    clear_devices: bool,
) -> RebuiltGraphDef:
    """The GraphDef rebuilt from each op's own NodeDef, in creation order."""
    gd = GraphDef()
    gd.versions.CopyFrom(graph.versions)
    unbound: list[str] = []
    nodes: list[NodeDef] = []
    bytesize = 0
    for op in graph.operations:
        if not include_name(op.name, export_scope, exclude):
            continue
        node_def = transform_node_def(op.node_def, export_scope, unbound, clear_devices)
        if op.output_shapes:
            if "_output_shapes" in node_def.attr:
                raise AssertionError()
            node_def.attr["_output_shapes"].list.shape.extend(op.output_shapes)
        nodes.append(node_def)
        bytesize += op.node_def.ByteSize()
        if bytesize >= TWO_GB:
            raise ValueError(f"GraphDef cannot be larger than 2GB. Received size: {bytesize}.")
    gd.node.extend(nodes)
    _copy_functions(graph.functions, gd, bytesize)
    return RebuiltGraphDef(gd, tuple(unbound))


def _copy_functions(functions: Iterable[Function], gd: GraphDef, bytesize: int) -> None:
    for fn in functions:
        bytesize += fn.definition.ByteSize()
        if bytesize >= TWO_GB:
            raise ValueError("GraphDef cannot be larger than 2GB.")
        gd.library.function.append(fn.definition)
        if fn.grad_func_name:
            gd.library.gradient.append(
                GradientDef(function_name=fn.name, gradient_func=fn.grad_func_name)
            )


def rebuild_from_graph_def(
    graph_def: GraphDef,
    export_scope: str | None,
    exclude: Collection[str] | None,
    clear_devices: bool,
) -> RebuiltGraphDef:
    """A given GraphDef rebuilt: versions and library copied (present even if empty)."""
    gd = GraphDef()
    gd.versions.CopyFrom(graph_def.versions)
    gd.library.CopyFrom(graph_def.library)
    unbound: list[str] = []
    gd.node.extend(
        transform_node_def(n, export_scope, unbound, clear_devices)
        for n in graph_def.node
        if include_name(n.name, export_scope, exclude)
    )
    return RebuiltGraphDef(gd, tuple(unbound))
