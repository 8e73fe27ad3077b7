"""Real TensorFlow graphs for the conformance tests: named builders run in a TF process.

Each builder takes the ``tensorflow`` module and builds its graph into the
current default graph (the worker wraps it in ``tf.Graph().as_default()``).
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.tf.programs import NamedNone, v1_control_flow
from conformance.tf.programs.misc import identity_graph_def

BUILDERS: dict[str, Callable[[Any], None]] = {}


def builder(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """Registers ``fn`` under its name (without the ``g_`` prefix)."""
    BUILDERS[fn.__name__.removeprefix("g_")] = fn
    return fn


@builder
def g_empty(tf: Any) -> None:
    pass


@builder
def g_one_constant(tf: Any) -> None:
    tf.constant(1.0, name="c")


@builder
def g_constants(tf: Any) -> None:
    import numpy as np

    tf.constant(1.5, name="f32")
    tf.constant([1, 2, 3], dtype=tf.int64, name="i64")
    tf.constant("héllo\n\x00\xff", name="s")
    tf.constant([b"\xff\x00abc", b""], name="bs")
    tf.constant(np.arange(12, dtype=np.float16).reshape(3, 4), name="half")
    tf.constant([1.0, 2.0], dtype=tf.bfloat16, name="bf16")
    tf.constant([1 + 2j], dtype=tf.complex64, name="c64")
    tf.constant([True, False], name="b")
    tf.constant(np.zeros([20, 30], dtype=np.float32), name="big")
    tf.constant([0.1, 1e-7, 123456789.0, 3.4028235e38, -0.0, float("inf"), float("nan")], name="fl")
    tf.constant([0.1, 1e300], dtype=tf.float64, name="dbl")
    tf.constant(7, dtype=tf.uint8, name="u8")


@builder
def g_placeholders(tf: Any) -> None:
    v1 = tf.compat.v1
    a = v1.placeholder(tf.float32, shape=None, name="unknown")
    b = v1.placeholder(tf.float32, shape=[None, 2], name="partial")
    c = v1.placeholder(tf.float32, shape=[], name="scalar")
    d = v1.placeholder_with_default([1.0, 2.0], shape=[2], name="pwd")
    x = tf.add(b, c, name="add")
    tf.unstack(tf.zeros([3, 2]), name="unstack")
    tf.identity(a, name="id")
    tf.reduce_sum(x, axis=1, name="sum")
    tf.matmul(b, tf.ones([2, 5]), name="mm")
    tf.reshape(d, [1, 2], name="rs")
    with tf.control_dependencies([x.op, a.op]):
        tf.no_op(name="noop")


@builder
def g_control_deps(tf: Any) -> None:
    a = tf.constant(1.0, name="a")
    z = tf.constant(2.0, name="z")
    y = tf.constant(3.0, name="y")
    with tf.control_dependencies([z, y, a]):
        tf.identity(a, name="n")
    with tf.control_dependencies([y]):
        with tf.control_dependencies([z]):
            tf.add(a, a, name="m")


@builder
def g_scopes(tf: Any) -> None:
    v1 = tf.compat.v1
    outside = tf.constant(1.0, name="outside")
    unst = tf.unstack(tf.zeros([2]), name="unst")
    with tf.name_scope("s"):
        c = tf.constant(2.0, name="c")
        d = tf.add(c, outside, name="d")
        tf.add(d, unst[1], name="e")
        with tf.control_dependencies([outside]):
            tf.identity(c, name="f")
        tf.add(outside, outside, name="k")
        with tf.name_scope("inner"):
            tf.multiply(c, 2.0, name="g")
    with tf.name_scope("sx"):
        tf.constant(3.0, name="z")
    with tf.name_scope("s_"):
        tf.constant(4.0, name="y")
    with v1.colocate_with(c):
        tf.identity(outside, name="col_in")
    with tf.name_scope("s"):
        with v1.colocate_with(outside):
            tf.identity(c, name="col_out")
    tf.constant(5.0, name="s")
    v1.add_to_collection("strs", "s/c")
    v1.add_to_collection("strs", "outside")
    v1.add_to_collection("bys", b"outside")
    v1.add_to_collection("nodes", c)
    v1.add_to_collection("nodes", d.op)
    v1.add_to_collection("ints", 3)


@builder
def g_devices(tf: Any) -> None:
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
    with tf.device("/device:GPU:0"):
        tf.add(a, a, name="b")

    @tf.function
    def f(x: Any) -> Any:
        with tf.device("/device:GPU:0"):
            return x + 1.0

    f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    tf.compat.v1.add_to_collection("x", a)


@builder
def g_ref_variables(tf: Any) -> None:
    v1 = tf.compat.v1
    v = v1.Variable([1.0, 2.0], name="v", use_resource=False)
    w = v1.Variable(3, name="w", trainable=False, use_resource=False)
    v1.assign_add(v, [1.0, 1.0], name="inc")
    v1.train.get_or_create_global_step()
    with tf.name_scope("s"):
        v1.Variable(0.5, name="sv", use_resource=False)
    v1.add_to_collection("my_vars", w)
    v1.add_to_collection("savers", v1.train.Saver(name="save"))


@builder
def g_resource_variables(tf: Any) -> None:
    v1 = tf.compat.v1
    v = v1.Variable([1.0, 2.0], name="rv", use_resource=True)
    v1.get_variable("gv", shape=[3], initializer=v1.zeros_initializer(), use_resource=True)
    v.assign_add([1.0, 1.0], name="inc")
    v1.add_to_collection(v1.GraphKeys.LOCAL_VARIABLES, v)
    v1.add_to_collection("custom", v)
    with tf.name_scope("s"):
        v1.Variable(2.0, name="srv", use_resource=True)
    v1.add_to_collection("savers", v1.train.Saver())


@builder
def g_partitioned(tf: Any) -> None:
    v1 = tf.compat.v1
    with v1.variable_scope("p"):
        v1.get_variable(
            "pv", shape=[10, 4], partitioner=v1.fixed_size_partitioner(3), use_resource=False
        )
    v1.add_to_collection("savers", v1.train.Saver(sharded=True))


@builder
def g_training(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    y = v1.placeholder(tf.float32, [None, 1], name="y")
    w = v1.get_variable("w", [3, 1], initializer=v1.glorot_uniform_initializer(seed=1))
    b = v1.get_variable("b", [1], initializer=v1.zeros_initializer())
    pred = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.square(pred - y), name="loss")
    step = v1.train.get_or_create_global_step()
    v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    v1.summary.scalar("loss", loss)
    v1.summary.histogram("w", w)
    v1.summary.merge_all()
    v1.add_to_collection("savers", v1.train.Saver(max_to_keep=3))


@builder
def g_two_savers(tf: Any) -> None:
    v1 = tf.compat.v1
    a = v1.Variable(1.0, name="a")
    b = v1.Variable(2.0, name="b")
    v1.add_to_collection("savers", v1.train.Saver([a], name="save_a"))
    v1.add_to_collection("savers", v1.train.Saver([b], name="save"))
    v1.add_to_collection("strs", "save_a/SaveV2")


@builder
def g_queue_runner(tf: Any) -> None:
    v1 = tf.compat.v1
    q = v1.FIFOQueue(10, [tf.float32], name="q")
    enq = q.enqueue([tf.constant(1.0)], name="enq")
    enq2 = q.enqueue([tf.constant(2.0)], name="enq2")
    qr = v1.train.QueueRunner(q, [enq, enq2])
    v1.train.add_queue_runner(qr)
    q.dequeue(name="deq")


@builder
def g_cond_v1(tf: Any) -> None:
    with v1_control_flow(tf):
        _cond_v1(tf)


def _cond_v1(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [], name="x")
    outside = tf.constant(5.0, name="outside")
    with tf.name_scope("s"):
        v1.cond(x > 0, lambda: x + outside, lambda: x - 1.0, name="cond")


@builder
def g_while_v1(tf: Any) -> None:
    with v1_control_flow(tf):
        _while_v1(tf)


def _while_v1(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [], name="x")
    outside = tf.constant(2.0, name="outside")
    with tf.name_scope("s"):
        v1.while_loop(
            lambda i, a: i < 10,
            lambda i, a: (i + 1, v1.cond(a > 0, lambda: a * outside, lambda: a)),
            [tf.constant(0), x],
            name="loop",
        )


@builder
def g_control_flow_v2(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [], name="x")

    @tf.function
    def f(a: Any) -> Any:
        return tf.cond(a > 0, lambda: tf.sin(a), lambda: tf.cos(a))

    f(x)
    tf.while_loop(lambda i: i < tf.tan(x), lambda i: i + tf.math.log(2.0), [x])


@builder
def g_functions(tf: Any) -> None:
    v = tf.compat.v1.Variable(1.0, name="fv", use_resource=True)

    @tf.function
    def inner(a: Any) -> Any:
        return a * 2.0

    @tf.function
    def outer(a: Any) -> Any:
        return inner(a) + v

    @tf.function
    def noargs() -> Any:
        with tf.control_dependencies([tf.no_op()]):
            return tf.constant(1.0)

    @tf.function
    def conv(a: Any) -> Any:
        return tf.nn.conv2d(a, tf.ones([3, 3, 1, 1]), strides=1, padding="SAME")

    x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
    outer(x)
    noargs()
    conv(tf.zeros([1, 4, 4, 1]))
    tf.nn.conv2d(tf.zeros([1, 4, 4, 1]), tf.ones([3, 3, 1, 1]), strides=1, padding="SAME")


@builder
def g_defun(tf: Any) -> None:
    from tensorflow.python.framework import function

    @function.Defun(tf.float32, tf.float32)
    def my_grad(x: Any, dy: Any) -> Any:
        return dy * 2.0

    @function.Defun(tf.float32, grad_func=my_grad)
    def my_fn(x: Any) -> Any:
        return tf.exp(x)

    my_fn(tf.constant(1.0, name="c"))


@builder
def g_many_functions(tf: Any) -> None:
    x = tf.constant([1.0, 2.0], name="x")
    for i in range(9):

        @tf.function
        def f(a: Any, i: int = i) -> Any:
            return a * float(i)

        f(x)


@builder
def g_odd_collections(tf: Any) -> None:
    import numpy as np
    from google.protobuf import any_pb2

    v1 = tf.compat.v1
    c = tf.constant(1.0, name="c")
    v1.add_to_collection("bools", True)
    v1.add_to_collection("floats", 1.5)
    v1.add_to_collection("floats", True)
    v1.add_to_collection("floats", 0.1)
    v1.add_to_collection("bigfloat", 1e300)
    v1.add_to_collection("bigint", 1 << 63)
    v1.add_to_collection("negint", -(1 << 63))
    v1.add_to_collection("int_then_float", 1)
    v1.add_to_collection("int_then_float", 2.5)
    v1.add_to_collection("np_int", np.int64(3))
    v1.add_to_collection("int_np", 3)
    v1.add_to_collection("int_np", np.int64(4))
    v1.add_to_collection("mixed_bytes", "x")
    v1.add_to_collection("mixed_bytes", b"\xff\x00abc")
    v1.add_to_collection("empty_str", "")
    v1.add_to_collection("str_then_int", "a")
    v1.add_to_collection("str_then_int", 1)
    v1.add_to_collection("tensor_then_str", c)
    v1.add_to_collection("tensor_then_str", "x")
    v1.add_to_collection("dicts", {"a": 1})
    v1.add_to_collection("nones", None)
    v1.add_to_collection("float_then_str", 1.0)
    v1.add_to_collection("float_then_str", "x")
    v1.add_to_collection("anys", any_pb2.Any(type_url="type.googleapis.com/tensorflow.SaverDef"))
    v1.add_to_collection("anys", any_pb2.Any(type_url="example.com/unknown.Type", value=b"\x01"))
    v1.add_to_collection("vars_str", "not a var")
    v1.add_to_collection(b"bk", "bytes key")
    v1.add_to_collection(5, "int key")
    v1.add_to_collection(("t",), "tuple key")
    v1.add_to_collection("unbound_inputs", "pre")


@builder
def g_bad_variables(tf: Any) -> None:
    v1 = tf.compat.v1
    v1.Variable(1.0, name="v")
    v1.add_to_collection("variables", "not a variable")


@builder
def g_wrong_items_in_registered_keys(tf: Any) -> None:
    v1 = tf.compat.v1
    v = v1.Variable(1.0, name="v")
    c = tf.constant(1.0, name="c")
    v1.add_to_collection("trainable_variables", c)
    v1.add_to_collection("savers", v)
    v1.add_to_collection("queue_runners", c.op)
    v1.add_to_collection("cond_context", c)
    v1.add_to_collection("while_context", "w")
    v1.add_to_collection("model_variables", v1.train.Saver([v]))


@builder
def g_root_saver(tf: Any) -> None:
    v1 = tf.compat.v1
    a = v1.Variable(1.0, name="a")
    b = v1.Variable(2.0, name="b")
    v1.add_to_collection("savers", v1.train.Saver([a], name=""))
    v1.add_to_collection("savers", v1.train.Saver([b], name="save_b"))


@builder
def g_savers_without_variables(tf: Any) -> None:
    tf.constant(1.0, name="c")
    tf.compat.v1.add_to_collection("savers", "not a saver")


@builder
def g_imported(tf: Any) -> None:
    gd = identity_graph_def(tf, (("c", ["b"]), ("b", ["a"]), ("z", []), ("a", ["z"])))
    tf.import_graph_def(gd, name="im")
    tf.constant(2.0, name="own")


@builder
def g_preset_output_shapes(tf: Any) -> None:
    a = tf.constant([1.0, 2.0], name="a")
    shape = tf.compat.v1.AttrValue()
    shape.list.shape.add().dim.add(size=99)
    a.op._set_attr("_output_shapes", shape)


@builder
def g_class_without_at(tf: Any) -> None:
    with tf.name_scope("s"):
        a = tf.constant(1.0, name="a")
    value = tf.compat.v1.AttrValue()
    value.list.s.append(b"nocolon")
    a.op._set_attr("_class", value)


@builder
def g_item_name_none(tf: Any) -> None:
    class Named:
        name = None

    tf.constant(1.0, name="c")
    tf.compat.v1.add_to_collection("weird", Named())


@builder
def g_finalized(tf: Any) -> None:
    tf.constant(1.0, name="c")
    tf.compat.v1.get_default_graph().finalize()


@builder
def g_lookup_and_dataset(tf: Any) -> None:
    v1 = tf.compat.v1
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2]), default_value=-1, name="table"
    )
    table.lookup(tf.constant(["a", "c"]), name="lookup")
    ds = tf.data.Dataset.range(10).map(lambda x: tf.sin(tf.cast(x, tf.float32)))
    it = v1.data.make_one_shot_iterator(ds)
    it.get_next(name="next")
    v1.tables_initializer(name="init_tables")


@builder
def g_gradients(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [3], name="x")
    w = v1.Variable([1.0, 2.0, 3.0], name="w")

    @tf.function
    def f(a: Any) -> Any:
        return tf.reduce_sum(tf.tanh(a * w))

    y = f(x)
    tf.gradients(y, [x, w], name="grads")


@builder
def g_image_summary(tf: Any) -> None:
    v1 = tf.compat.v1
    img = tf.zeros([1, 4, 4, 3], name="img")
    v1.summary.image("img", img)
    tf.nn.conv2d(img, tf.ones([3, 3, 3, 2]), strides=1, padding="SAME", data_format="NHWC")
    v1.placeholder(tf.float32, shape=None, name="p")


@builder
def g_partitioned_resource(tf: Any) -> None:
    v1 = tf.compat.v1
    with v1.variable_scope("s"):
        v1.get_variable(
            "pr", shape=[6, 2], partitioner=v1.fixed_size_partitioner(2), use_resource=True
        )
    v1.add_to_collection("savers", v1.train.Saver())


@builder
def g_v1_layers_adam_metrics(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    labels = v1.placeholder(tf.int64, [None], name="labels")
    with v1.variable_scope("model"):
        w = v1.get_variable("w", [4, 3])
        b = v1.get_variable("b", [3], initializer=v1.zeros_initializer())
        logits = tf.matmul(x, w) + b
    loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
    step = v1.train.get_or_create_global_step()
    train_op = v1.train.AdamOptimizer(1e-3).minimize(loss, global_step=step)
    ema = v1.train.ExponentialMovingAverage(0.99)
    with tf.control_dependencies([train_op]):
        ema.apply([w, b])
    v1.metrics.accuracy(labels, tf.argmax(logits, 1), name="acc")
    v1.metrics.mean(loss, name="mean_loss")
    v1.summary.merge_all()
    v1.add_to_collection("savers", v1.train.Saver(sharded=True, max_to_keep=2))
    v1.add_to_collection("savers", v1.train.Saver(v1.trainable_variables(), name="light"))


@builder
def g_input_pipeline(tf: Any) -> None:
    v1 = tf.compat.v1
    names = v1.train.string_input_producer(["a", "b", "c"], shuffle=False, name="names")
    item = names.dequeue(name="item")
    v1.train.batch([item], batch_size=2, name="batch")
    ds = tf.data.Dataset.from_tensor_slices([1, 2, 3]).batch(2)
    it = v1.data.make_initializable_iterator(ds)
    it.get_next(name="next")


@builder
def g_misc_ops(tf: Any) -> None:
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 8], name="x")
    tf.random.uniform([3], seed=7, name="ru")
    v1.random_normal([2, 2], seed=3, name="rn")
    tf.nn.dropout(x, rate=0.5, seed=1, name="drop")
    v1.py_func(lambda a: a, [x], tf.float32, name="pyf")
    tf.strings.join(["a", "b"], separator="-", name="join")
    tf.sparse.to_dense(tf.SparseTensor([[0, 0]], [1.0], [2, 2]), name="dense")
    tf.map_fn(lambda r: r * 2.0, x, name="mapfn")
    v1.assert_equal(tf.constant(1), tf.constant(1), name="check")
    tf.image.resize(tf.zeros([1, 4, 4, 1]), [8, 8], name="resize")
    tf.linalg.inv(tf.eye(3), name="inv")
    tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3, 2]), name="einsum")
    tf.gather(x, [0, 1], axis=1, name="gather")
    tf.concat([x, x], axis=1, name="concat")
    tf.cast(x, tf.int32, name="cast")
    v1.nn.moments(x, axes=[0], name="moments")


@builder
def g_dynamic_rnn_v1(tf: Any) -> None:
    v1 = tf.compat.v1
    with v1_control_flow(tf):
        x = v1.placeholder(tf.float32, [2, 5, 3], name="x")
        w = v1.get_variable("w", [3, 3])

        def body(t: Any, acc: Any) -> Any:
            return t + 1, acc + tf.matmul(x[:, 0, :], w)

        _, out = v1.while_loop(lambda t, a: t < 5, body, [tf.constant(0), tf.zeros([2, 3])])
        loss = tf.reduce_sum(out, name="loss")
        v1.train.GradientDescentOptimizer(0.1).minimize(loss)


@builder
def g_empty_variables_collection(tf: Any) -> None:
    tf.constant(1.0, name="c")
    tf.compat.v1.get_collection_ref("variables")


@builder
def g_empty_saver(tf: Any) -> None:
    tf.constant(1.0, name="c")
    tf.compat.v1.add_to_collection("savers", tf.compat.v1.train.Saver(allow_empty=True))


@builder
def g_scoped_input_and_defuns(tf: Any) -> None:
    """Queues in name scopes and Defuns, as v1 scripts build them (spec.md 1.10)."""
    from tensorflow.python.framework import function

    v1 = tf.compat.v1
    with tf.name_scope("input"):
        q = v1.FIFOQueue(10, [tf.float32], shapes=[[]], name="fifo")
        enq = q.enqueue([tf.constant(1.0)])
        v1.train.add_queue_runner(v1.train.QueueRunner(q, [enq]))
        x = q.dequeue()
    batch = v1.train.shuffle_batch([x], batch_size=2, capacity=10, min_after_dequeue=2, seed=1)

    @function.Defun(tf.float32, tf.float32)
    def triple_grad(a: Any, dy: Any) -> Any:
        return dy * 3.0

    @function.Defun(tf.float32, grad_func=triple_grad)
    def triple(a: Any) -> Any:
        return a * 3.0

    @function.Defun(tf.float32)
    def plus_one(a: Any) -> Any:
        return a + 1.0

    with tf.name_scope("s"):
        w = v1.Variable(1.0, name="w")
        tf.multiply(plus_one(triple(batch)), w, name="y")
    v1.train.Saver()


def _saveables(tf: Any, *items: Callable[[Any, Any, Any], Any], key: str = "variables") -> None:
    """A variable ``v`` and a constant ``c``, then ``items`` added to ``key`` (spec.md 7.5)."""
    v1 = tf.compat.v1
    c = tf.constant(1.0, name="c")
    v = v1.Variable(1.0, name="v")
    for item in items:
        v1.add_to_collection(key, item(tf, c, v))


@builder
def g_saveables_tensor(tf: Any) -> None:
    _saveables(tf, lambda tf, c, v: c)


@builder
def g_saveables_operation(tf: Any) -> None:
    _saveables(tf, lambda tf, c, v: c.op)


@builder
def g_saveables_duplicate_variable(tf: Any) -> None:
    _saveables(tf, lambda tf, c, v: v)


@builder
def g_saveables_variable_read(tf: Any) -> None:
    _saveables(tf, lambda tf, c, v: v.value(), key="saveable_objects")


@builder
def g_saveables_dict(tf: Any) -> None:
    _saveables(tf, lambda tf, c, v: {"b": v.handle, "a": [c.op]}, key="saveable_objects")


@builder
def g_saveables_not_convertible(tf: Any) -> None:
    _saveables(
        tf,
        lambda tf, c, v: tf.compat.v1.train.QueueRunner(
            tf.compat.v1.FIFOQueue(2, tf.float32, name="q"), [tf.no_op(name="n")]
        ),
        key="saveable_objects",
    )


@builder
def g_saveables_mixed_name_types(tf: Any) -> None:
    _saveables(tf, lambda tf, c, v: NamedNone(), key="saveable_objects")


@builder
def g_saveables_slices_and_plain(tf: Any) -> None:
    v1 = tf.compat.v1
    parts = v1.get_variable("p", [4, 2], partitioner=v1.fixed_size_partitioner(2))
    v1.add_to_collection("saveable_objects", parts)
    v1.add_to_collection("saveable_objects", tf.lookup.experimental.MutableHashTable(
        tf.string, tf.int64, default_value=-1, name="table"))


import conformance.tf.graphs_release  # noqa: E402, F401, I001  (release_* builders)
from conformance.tf import graphs_guard, graphs_spec  # noqa: E402, F401  (guard_*, spec_* builders)
