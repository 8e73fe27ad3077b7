"""``strip_default_attrs``: removing attributes equal to their OpDef default (spec.md section 6)."""

from __future__ import annotations

from refimpl import rules
from refimpl.op_registry import OpLookup
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef


def is_default_attr_value(op_def: OpDef, attr_name: str, value: AttrValue) -> bool:
    """Rule 6.3: whether ``value`` equals the default of the first attr of ``op_def`` named
    ``attr_name`` (TF's ``AreAttrValuesEqual``, ``refimpl.attr_equality``)."""
    rules.applied("6.3")
    for attr_def in op_def.attr:
        if attr_def.name == attr_name:
            if not attr_def.HasField("default_value"):
                return False
            from refimpl.attr_equality import attr_values_equal

            return attr_values_equal(value, attr_def.default_value)
    return False


def strip_node_default_attrs(node_def: NodeDef, function_names: set[str], lookup: OpLookup) -> None:
    """Rule 6.2: deletes ``node_def``'s default-valued attrs (in place; callers pass their own
    copy)."""
    rules.applied("6.2")
    if node_def.op in function_names:
        return
    op_def = lookup(node_def.op)
    if op_def is None:
        return
    for name in [k for k, v in node_def.attr.items() if is_default_attr_value(op_def, k, v)]:
        del node_def.attr[name]


def strip_graph_default_attrs(graph_def: GraphDef, lookup: OpLookup) -> None:
    """Rule 6.1: strips every top-level node, then every function-body node, of ``graph_def``
    in place."""
    rules.applied("6.1")
    function_names = {f.signature.name for f in graph_def.library.function}
    for node in graph_def.node:
        strip_node_default_attrs(node, function_names, lookup)
    for function_def in graph_def.library.function:
        for node in function_def.node_def:
            strip_node_default_attrs(node, function_names, lookup)
