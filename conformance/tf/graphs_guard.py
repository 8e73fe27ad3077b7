"""Graphs that guard rules no other corpus graph exercises closely enough to catch a
planted bug (the mutation harness, ``mutation/``; ``conformance.gen.guard_cases`` pairs
them with their argument sets). Registered in ``conformance.tf.graphs.BUILDERS``.
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

from conformance.tf.graphs import builder


@builder
def g_guard_attr_values(tf: Any) -> None:
    """Attributes equal to their default by value but not by bytes (rule 6.3), a float
    attr at -0.0 (default 0.0), a -NaN float and a float64 constant (rules 10.1.1, 10.2.4)."""
    import numpy as np
    from tensorflow.python.framework import tensor_util

    v1 = tf.compat.v1
    img = tf.zeros([1, 2, 2, 3], dtype=tf.uint8, name="img")
    # bad_color's default is int_val [255, 0, 0, 255]: the same value as tensor_content.
    same = tensor_util.make_tensor_proto(np.array([255, 0, 0, 255], np.uint8))
    other = tensor_util.make_tensor_proto(np.array([255, 0, 0, 254], np.uint8))
    tf.raw_ops.ImageSummary(tag="same", tensor=img, bad_color=same, name="same_color")
    tf.raw_ops.ImageSummary(tag="other", tensor=img, bad_color=other, name="other_color")
    image = tf.zeros([1, 4, 4, 1], name="image")
    boxes = tf.constant([[0.0, 0.0, 1.0, 1.0]], name="boxes")
    box_ind = tf.constant([0], name="box_ind")
    tf.raw_ops.CropAndResize(
        image=image, boxes=boxes, box_ind=box_ind, crop_size=[2, 2],
        extrapolation_value=-0.0, name="crop_neg_zero",
    )
    tf.constant(np.float32(-np.nan), name="neg_nan")
    tf.constant(0.123456789, dtype=tf.float64, name="f64")
    v1.add_to_collection("floats", -0.0)


@builder
def g_guard_collections(tf: Any) -> None:
    """Collections whose items only a close reading of section 8 gets right: NumPy floats
    after a float, a bytes key named like a registered key and one that is not UTF-8,
    named objects one of whose names starts with $unbound_inputs_ (rules 8.4.1, 8.4.4,
    8.6)."""
    import numpy as np

    v1 = tf.compat.v1

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    with tf.name_scope("s"):
        tf.constant(1.0, name="c")
    v1.Variable(1.0, name="v")
    v1.add_to_collection("np_floats", 1.5)
    v1.add_to_collection("np_floats", np.float32(2.5))
    v1.add_to_collection("np_floats", np.float64(0.25))
    v1.add_to_collection(b"variables", "abc")
    v1.add_to_collection(b"\xff", "not UTF-8")
    v1.add_to_collection("named", Named("$unbound_inputs_x"))
    v1.add_to_collection("named", Named("s/c"))


@builder
def g_guard_var_name_int(tf: Any) -> None:
    """A variables item whose name is an int: a scoped export's var_list fails (rule 3.5)."""

    class Named:
        name = 5

    tf.compat.v1.Variable(1.0, name="s/v")
    tf.compat.v1.add_to_collection("variables", Named())


@builder
def g_guard_scoped(tf: Any) -> None:
    """A saver, a queue runner and a while loop (parallel_iterations 3) inside scope s, a
    saver nested in s/inner, and a root saver (rules 7.2, 8.6.3, 8.6.4, 8.6.6)."""
    from conformance.tf.programs import v1_control_flow

    v1 = tf.compat.v1
    with tf.name_scope("s"):
        a = v1.Variable(1.0, name="a")
        v1.add_to_collection("savers", v1.train.Saver([a], name="save"))
        q = v1.FIFOQueue(10, [tf.float32], name="q")
        enq = q.enqueue([tf.constant(1.0)], name="enq")
        v1.train.add_queue_runner(v1.train.QueueRunner(q, [enq]))
        with v1_control_flow(tf):
            v1.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)],
                          parallel_iterations=3, name="loop")
        with tf.name_scope("inner"):
            b = v1.Variable(2.0, name="b")
            v1.add_to_collection("savers", v1.train.Saver([b], name="save"))
    c = v1.Variable(3.0, name="c")
    v1.add_to_collection("savers", v1.train.Saver([c], name="save"))


@builder
def g_guard_nested_contexts(tf: Any) -> None:
    """v1 control flow nested in a v1 cond: a cond in a cond's branch and a while loop in
    the other, so the outer cond contexts hold nested contexts (rule 8.6.7)."""
    from conformance.tf.programs import v1_control_flow

    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [], name="x")
    with v1_control_flow(tf), tf.name_scope("s"):

        def inner_cond() -> Any:
            return v1.cond(x > 1.0, lambda: x * 2.0, lambda: x + 3.0, name="inner")

        def inner_loop() -> Any:
            return v1.while_loop(lambda v: v < 10.0, lambda v: v + x, [x], name="loop")

        v1.cond(x > 0.0, inner_cond, inner_loop, name="outer")


@builder
def g_guard_function_devices(tf: Any) -> None:
    """A called function whose body places a node on a device (rule 4.1.8)."""

    @tf.function
    def f(x: Any) -> Any:
        with tf.device("/device:CPU:0"):
            return x + 1.0

    f(tf.constant([1.0, 2.0], name="x"))


#: Code run from files whose names the frame classifier sees in different ways (rule
#: 10.4.2): ``<embedded`` inside the name (framework by search, not by match), and
#: ``<embedded>_test.py`` (external wins over framework).
_MAKE = "def make(tf, name):\n    return tf.constant(1.0, name=name)\n"


#: The code of the embedded functions of ``g_guard_tracebacks``, kept for the life of the
#: process: TF's op tracebacks point at their code objects without owning them, so a
#: capture that reads them after the code was freed fails (or reads garbage).
_KEEP_ALIVE: list[dict[str, Any]] = []


@builder
def g_guard_tracebacks(tf: Any) -> None:
    """Ops made from code whose frames test the debug-info rules 10.4.2, 10.4.3, 10.4.9: a
    framework file matched inside its name, an external file that is also framework by
    pattern, a function with an empty name on line 0, and an op whose whole traceback is
    framework (made in a bare thread from embedded code)."""
    import _thread
    import threading

    for filename, name in (("gen<embedded>.py", "mid"), ("<embedded>_test.py", "ext")):
        space: dict[str, Any] = {}
        exec(compile(_MAKE, filename, "exec"), space)  # noqa: S102
        space["make"](tf, name)
        _KEEP_ALIVE.append(space)
    space = {}
    exec(compile("def make(tf): return tf.constant(2.0, name='nameless')\n",
                 "guard_generated.py", "exec"), space)
    make = space["make"]
    make.__code__ = make.__code__.replace(co_name="", co_firstlineno=0)
    make(tf)
    _KEEP_ALIVE.append(space)
    graph = tf.compat.v1.get_default_graph()
    done = threading.Event()
    space = {"graph": graph, "tf": tf, "done": done}
    exec(compile(
        "def run():\n"
        "    try:\n"
        "        with graph.as_default():\n"
        "            tf.constant(3.0, name='all_framework')\n"
        "    finally:\n"
        "        done.set()\n",
        "<embedded guard>", "exec"), space)
    _KEEP_ALIVE.append(space)
    _thread.start_new_thread(space["run"], ())
    done.wait()
