"""Miscellaneous ops: no_op, group, tuple, Assert, print, py_func, lookup tables,
tf.data, import_graph_def, attributes set by hand, finalize."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.tf.programs.conversions import truthy
from conformance.tf.programs.interpreter import Ctx, as_op
from conformance.tf.programs.model import (
    Skip,
    Step,
    step_kind,
)


@step_kind("no_op", "op")
def _no_op(c: Ctx, s: Step) -> Any:
    return c.tf.no_op(name=s.get("name"))


@step_kind("group", "op", ref_lists={"xs": "op"})
def _group(c: Ctx, s: Step) -> Any:
    return c.tf.group(*[as_op(x) for x in c.refs("xs")], name=s.get("name"))


@step_kind("tuple", "tensor", ref_lists={"xs": "tensor"})
def _tuple(c: Ctx, s: Step) -> Any:
    out = c.tf.tuple([c.tf.convert_to_tensor(x) for x in c.refs("xs")], name=s.get("name"))
    if not out:
        raise Skip("empty tuple")
    return out[0]


@step_kind("assert", "op", {"x": "tensor"}, doc="tf.debugging.Assert")
def _assert(c: Ctx, s: Step) -> Any:
    x = c.ref("x")
    return c.tf.debugging.Assert(
        truthy(c.tf, x), [x], summarize=s.get("summarize"), name=s.get("name")
    )


@step_kind("print", "op", {"x": "tensor"}, doc="tf.print")
def _print(c: Ctx, s: Step) -> Any:
    return c.tf.print("value:", c.ref("x"), name=s.get("name"))


@step_kind("py_func", "tensor", {"x": "tensor"}, doc="tf.compat.v1.py_func")
def _py_func(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.v1.py_func(
        lambda a: a, [x], x.dtype.base_dtype, stateful=s.get("stateful", True), name=s.get("name")
    )


@step_kind("lookup_table", "tensor", doc="a StaticHashTable and a lookup")
def _lookup_table(c: Ctx, s: Step) -> Any:
    tf = c.tf
    init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2])
    table = tf.lookup.StaticHashTable(init, default_value=-1, name=s.get("name") or "table")
    return table.lookup(tf.constant(["a", "c"]))


@step_kind("dataset", "tensor", doc="a tf.data pipeline and a v1 iterator's get_next")
def _dataset(c: Ctx, s: Step) -> Any:
    tf = c.tf
    ds = tf.data.Dataset.range(s.get("n", 3))
    if s.get("map"):
        ds = ds.map(lambda x: x * 2)
    if s.get("iterator", "one_shot") == "one_shot":
        it = c.v1.data.make_one_shot_iterator(ds)
    else:
        it = c.v1.data.make_initializable_iterator(ds)
    return it.get_next(name=s.get("name"))


def identity_graph_def(tf: Any, nodes: Sequence[tuple[str, Sequence[str]]]) -> Any:
    """A small GraphDef (TF's class) to import: each (name, inputs) node is an ``Identity``
    of its one input, or a float ``Const`` 1.0 without inputs."""
    gd = tf.compat.v1.GraphDef()
    for name, inputs in nodes:
        node = gd.node.add(name=name, op="Identity" if inputs else "Const")
        node.input.extend(inputs)
        node.attr["T" if inputs else "dtype"].type = 1
        if not inputs:
            node.attr["value"].tensor.dtype = 1
            node.attr["value"].tensor.float_val.append(1.0)
            node.attr["value"].tensor.tensor_shape.SetInParent()
    return gd


@step_kind("import_graph_def", "tensor", doc="tf.import_graph_def of a small GraphDef")
def _import_graph_def(c: Ctx, s: Step) -> Any:
    gd = identity_graph_def(c.tf, (("c", ["b"]), ("b", ["a"]), ("a", [])))
    out = c.tf.import_graph_def(gd, name=s.get("prefix", "import"), return_elements=["c:0"])
    return out[0]


@step_kind("set_attr", None, {"x": "op"}, doc="op._set_attr of _output_shapes/_class/a custom attr")
def _set_attr(c: Ctx, s: Step) -> Any:
    op = as_op(c.ref("x"))
    value = c.v1.AttrValue()
    attr = s.get("attr", "_class")
    if attr == "_output_shapes":
        value.list.shape.add().dim.add(size=99)
    elif attr == "_class":
        value.list.s.append(s.get("value", "nocolon").encode())
    else:
        value.s = b"custom"
    op._set_attr(attr, value)  # noqa: SLF001


@step_kind("finalize", None, doc="graph.finalize(), deferred until the whole program is built")
def _finalize(c: Ctx, s: Step) -> Any:
    # Deferred: a step that fails on a finalized graph may leave it half-built (e.g.
    # import_graph_def adds the C++ nodes, then fails to create their Python ops).
    c.finalize = True
