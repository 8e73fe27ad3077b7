"""``strip_default_attrs``: removing attributes equal to their OpDef default (spec.md section 6)."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
class StripCache:
    """What one ``strip_graph_default_attrs`` learns once: each op's OpDef (None: unknown)
    and the names of its attrs that have a default (the first attr of a name decides), and
    each verdict of rule 6.3 by (op, attr, serialized value): the verdict depends on
    nothing else (deterministic serialization is one-to-one on a message's content)."""

    op_defs: dict[str, tuple[OpDef, frozenset[str]] | None] = field(default_factory=dict)
    verdicts: dict[tuple[str, str, bytes], bool] = field(default_factory=dict)
    #: Whether an attr was met (rule 6.3 applies to each attr, as TF compares each).
    compared: bool = False

    def op_def(self, op: str, lookup: OpLookup) -> tuple[OpDef, frozenset[str]] | None:
        if op not in self.op_defs:
            op_def = lookup(op)
            if op_def is None:
                self.op_defs[op] = None
            else:
                first: dict[str, bool] = {}
                for attr_def in op_def.attr:
                    first.setdefault(attr_def.name, attr_def.HasField("default_value"))
                self.op_defs[op] = (op_def, frozenset(k for k, v in first.items() if v))
        return self.op_defs[op]


def strip_node_default_attrs(
    node_def: NodeDef,
    function_names: set[str],
    lookup: OpLookup,
    cache: StripCache | None = None,
) -> None:
    """Rule 6.2: deletes ``node_def``'s default-valued attrs (in place; callers pass their own
    copy). With ``cache``, an attr whose op has no default of its name is not compared, and
    a verdict is reused for the same (op, attr, value)."""
    rules.applied("6.2")
    if node_def.op in function_names:
        return
    if cache is None:
        op_def = lookup(node_def.op)
        if op_def is None:
            return
        for name in [k for k, v in node_def.attr.items() if is_default_attr_value(op_def, k, v)]:
            del node_def.attr[name]
        return
    found = cache.op_def(node_def.op, lookup)
    if found is None:
        return
    op_def, with_default = found
    attrs = node_def.attr
    names = [k for k in attrs if k in with_default]
    if not cache.compared and len(attrs):
        cache.compared = True
        is_default_attr_value(op_def, "", AttrValue())  # (rule 6.3 applies from here on)
    defaults = []
    for name in names:
        value = attrs[name]
        key = (node_def.op, name, value.SerializeToString(deterministic=True))
        verdict = cache.verdicts.get(key)
        if verdict is None:
            verdict = cache.verdicts[key] = is_default_attr_value(op_def, name, value)
        if verdict:
            defaults.append(name)
    for name in defaults:
        del attrs[name]


def strip_graph_default_attrs(graph_def: GraphDef, lookup: OpLookup) -> None:
    """Rule 6.1: strips every top-level node, then every function-body node, of ``graph_def``
    in place."""
    rules.applied("6.1")
    function_names = {f.signature.name for f in graph_def.library.function}
    cache = StripCache()
    for node in graph_def.node:
        strip_node_default_attrs(node, function_names, lookup, cache)
    for function_def in graph_def.library.function:
        for node in function_def.node_def:
            strip_node_default_attrs(node, function_names, lookup, cache)
