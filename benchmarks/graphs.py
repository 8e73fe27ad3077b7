"""The benchmark's graphs, built in a TensorFlow process (imported only there).

Three shapes, each at any size (the node count is approximate):

- ``chain``: a chain of cheap ops (``Const`` + ``AddV2``) in nested name scopes (ten
  top-level scopes ``s0``-``s9``, a new inner scope every 1000 ops), with control inputs,
  colocation (``_class``) and devices on some nodes. Made as a GraphDef and imported, so
  that a million nodes take seconds, not an hour.
- ``training``: a realistic training graph: dense layers of resource variables, a loss,
  an Adam optimizer with its slots and a global step, a summary, a ``Saver`` (in the
  ``savers`` collection) and the usual collections. Built with TF's Python API up to
  10,000 nodes; above, that graph's MetaGraphDef is imported again under scopes
  ``replica_<i>`` (variables, savers, collections and all) until the size is reached.
- ``functions``: a large function library: many small functions (a chain of 50 ops
  each) in the graph's library, each called by a ``PartitionedCall`` (top-level scopes
  ``g0``-``g9``). Made as a GraphDef with a library and imported.

``EXPORT_SCOPES`` is the ``export_scope`` the benchmark uses for each shape.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILDERS", "EXPORT_SCOPES", "build"]

EXPORT_SCOPES = {"chain": "s0", "training": "layer_1", "functions": "g0"}
_BASE_TRAINING_NODES = 10_000
_FUNCTION_BODY = 50


def build(tf: Any, shape: str, n: int) -> Any:
    """A new ``tf.Graph`` of about ``n`` nodes of the given shape."""
    g = tf.Graph()
    with g.as_default():
        BUILDERS[shape](tf, n)
    return g


def _float_const(node: Any, value: float) -> None:
    node.op = "Const"
    node.attr["dtype"].type = 1  # DT_FLOAT
    tensor = node.attr["value"].tensor
    tensor.dtype = 1
    tensor.tensor_shape.SetInParent()
    tensor.float_val.append(value)


def _chain(tf: Any, n: int) -> None:
    from tensorflow.core.framework import graph_pb2

    gd = graph_pb2.GraphDef()
    prev = last_const = ""
    for i in range(max(1, n // 2)):
        scope = f"s{(i // 1000) % 10}/b{i // 1000}"
        c = gd.node.add(name=f"{scope}/c_{i}")
        _float_const(c, float(i))
        if not prev:
            prev = last_const = c.name
            continue
        add = gd.node.add(name=f"{scope}/add_{i}", op="AddV2", input=[prev, c.name])
        add.attr["T"].type = 1
        if i % 10 == 0:
            add.input.append(f"^{last_const}")
            add.attr["_class"].list.s.append(f"loc:@{c.name}".encode())
        last_const = c.name
        if i % 7 == 0:
            add.device = "/device:CPU:0"
        prev = add.name
    gd.versions.producer = tf.compat.v1.GraphDef().versions.producer or 2474
    tf.graph_util.import_graph_def(gd, name="")


def _training_layers(tf: Any, layers: int, width: int = 4) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, width], name="x")
    y = v1.placeholder(tf.float32, [None, width], name="y")
    h = x
    for i in range(layers):
        with v1.variable_scope(f"layer_{i}"):
            w = v1.get_variable("w", [width, width])
            b = v1.get_variable("b", [width], initializer=v1.zeros_initializer())
            h = tf.nn.relu(tf.matmul(h, w) + b)
    loss = tf.reduce_mean(tf.square(h - y), name="loss")
    v1.summary.scalar("loss", loss)
    step = v1.train.get_or_create_global_step()
    train_op = v1.train.AdamOptimizer(1e-3).minimize(loss, global_step=step)
    v1.add_to_collection("train_op", train_op)
    v1.add_to_collection("savers", v1.train.Saver())


def _training(tf: Any, n: int) -> None:
    # About 75 nodes a layer (forward, gradients, Adam slots and updates, saver).
    base = min(n, _BASE_TRAINING_NODES)
    _training_layers(tf, max(1, base // 75))
    g = tf.compat.v1.get_default_graph()
    if n <= base:
        return
    meta = tf.compat.v1.train.export_meta_graph(graph=g)
    size = len(g.get_operations())
    i = 0
    while len(g.get_operations()) + size // 2 < n:
        tf.compat.v1.train.import_meta_graph(meta, import_scope=f"replica_{i}")
        i += 1


def _functions(tf: Any, n: int) -> None:
    from tensorflow.core.framework import graph_pb2

    gd = graph_pb2.GraphDef()
    count = max(1, n // (_FUNCTION_BODY + 3))
    for f in range(count):
        fn = gd.library.function.add()
        fn.signature.name = f"fn_{f}"
        fn.signature.input_arg.add(name="x", type=1)
        fn.signature.output_arg.add(name="y", type=1)
        prev = "x"
        for k in range(_FUNCTION_BODY):
            node = fn.node_def.add(name=f"n{k}")
            if k % 2 == 0:
                _float_const(node, float(k))
                continue
            node.op = "AddV2"
            node.input.extend([prev, f"n{k - 1}:output:0"])
            node.attr["T"].type = 1
            prev = f"n{k}:z:0"
        fn.ret["y"] = prev
        scope = f"g{f % 10}/f{f}"
        c = gd.node.add(name=f"{scope}/c")
        _float_const(c, float(f))
        call = gd.node.add(name=f"{scope}/call", op="PartitionedCall", input=[c.name])
        call.attr["f"].func.name = fn.signature.name
        call.attr["Tin"].list.type.append(1)
        call.attr["Tout"].list.type.append(1)
        out = gd.node.add(name=f"{scope}/out", op="Identity", input=[call.name])
        out.attr["T"].type = 1
    tf.graph_util.import_graph_def(gd, name="")


BUILDERS = {"chain": _chain, "training": _training, "functions": _functions}
