"""Graphs for the spec gaps an outside implementer found (issue 9; spec_cases.py pairs them
with argument sets).

Registered in ``conformance.tf.graphs.BUILDERS`` under names starting with ``spec_``; the
common argument sets skip them (``conformance.gen.spec_cases.SPEC_CASES`` lists theirs).
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

from conformance.tf.graphs import builder

#: float32 values whose shortest text form involves a rounding tie (spec.md 10.2.3): the
#: exact value has one digit more than the digits printed, ending in 5, and Python's
#: ``%.{p}g`` rounds it half to even (``0.00024414062``; half up gives ``...063``).
FLOAT_TIES = (2.0**-12, 0.0166015625, 0.0205078125, 0.00634765625)

#: Text with non-ASCII and control characters (spec.md 10.2.5, 10.2.6).
ODD_TEXT = "é中😀\x01\t\x7f\"'\\"


@builder
def g_spec_float_ties(tf: Any) -> None:
    """Float attributes, tensor values and collection values whose text form is a tie."""
    x = tf.constant([1.0, -2.0], name="x")
    for i, v in enumerate(FLOAT_TIES):
        tf.constant(v, name=f"t{i}")
        tf.nn.leaky_relu(x, alpha=v, name=f"lr{i}")
        tf.compat.v1.add_to_collection("ties", v)


@builder
def g_spec_non_ascii(tf: Any) -> None:
    """Non-ASCII and control characters in tensor strings, collection strings and keys."""
    v1 = tf.compat.v1
    tf.constant(ODD_TEXT, name="s")
    v1.add_to_collection("strs", ODD_TEXT)
    v1.add_to_collection("strs", ODD_TEXT.encode("utf-8"))
    v1.add_to_collection("clé中😀", 1)


@builder
def g_spec_slice_out_of_scope(tf: Any) -> None:
    """A variable inside scope ``s`` whose slice information names ``other`` (rule 8.6.2)."""
    from tensorflow.python.ops import variables

    v = tf.compat.v1.Variable(1.0, name="s/v")
    v._save_slice_info = variables.Variable.SaveSliceInfo(
        full_name="other", full_shape=[2], var_offset=[0], var_shape=[1]
    )


@builder
def g_spec_bad_list_items(tf: Any) -> None:
    """int64_list and any_list collections whose later items protobuf refuses (8.4.3, 8.4.5)."""
    from google.protobuf import any_pb2

    add = tf.compat.v1.add_to_collection
    bad: object
    for key, bad in (("str", "a"), ("none", None), ("bytes", b"x"), ("list", [1])):
        add(f"int_then_{key}", 1)
        add(f"int_then_{key}", bad)
    saver_def = tf.compat.v1.train.SaverDef(filename_tensor_name="f")
    for key, bad in (("str", "a"), ("none", None), ("int", 1), ("bytes", b"z"), ("msg", saver_def)):
        add(f"any_then_{key}", any_pb2.Any(type_url="example.com/x.Y"))
        add(f"any_then_{key}", bad)


@builder
def g_spec_bad_list_items_many(tf: Any) -> None:
    """Lists with two or more items protobuf refuses, or accepted items after one: which
    error stands depends on the protobuf runtime (0.3.1; 8.4.3-8.4.5)."""
    from google.protobuf import any_pb2

    add = tf.compat.v1.add_to_collection
    any_ = any_pb2.Any(type_url="example.com/x.Y")
    saver_def = tf.compat.v1.train.SaverDef(filename_tensor_name="f")
    lists: dict[str, list[object]] = {
        "ints_str_none": [1, "a", None],
        "ints_str_int": [1, "a", 2],
        "ints_big_int": [1, 2**70, 3],
        "ints_str_bool": [1, "a", True],
        "floats_str_none_float": [1.0, "a", 2.0, None, 3.0],
        "anys_str_none": [any_, "x", None],
        "anys_str_any": [any_, "x", any_],
        "anys_msg_str": [any_, saver_def, "s"],
        "anys_str_msg": [any_, "s", saver_def],
    }
    for key, items in lists.items():
        for item in items:
            add(key, item)


@builder
def g_spec_savers_v1_v2(tf: Any) -> None:
    """One Saver of each SaverDef format version, each in the ``savers`` collection."""
    v1 = tf.compat.v1
    a = v1.Variable(1.0, name="a")
    b = v1.Variable(2.0, name="b")
    v1.add_to_collection(
        "savers", v1.train.Saver([a], name="save_v1", write_version=v1.train.SaverDef.V1)
    )
    v1.add_to_collection(
        "savers", v1.train.Saver([b], name="save_v2", write_version=v1.train.SaverDef.V2)
    )


@builder
def g_spec_regex_scopes(tf: Any) -> None:
    """Names that regular-expression scopes match differently from raw prefixes (3.5, 4.2.2)."""
    v1 = tf.compat.v1
    init = tf.constant(1.0, name="axb/init")
    tf.constant(2.0, name="a.b/c")
    tf.identity(init, name="a.b/d")
    tf.constant(3.0, name="aa/e")
    tf.constant(4.0, name="a/f")
    v1.Variable(init, name="a.b/v")
    v1.add_to_collection("strs", "a.b/c")
    v1.add_to_collection("strs", "axb/init")


@builder
def g_spec_equal_defaults(tf: Any) -> None:
    """Attributes equal to their op's default by value but not by bytes (section 6)."""
    import numpy as np

    img = tf.zeros([1, 4, 4, 3], name="img")
    boxes = tf.constant([[0.0, 0.0, 1.0, 1.0]], name="boxes")
    ind = tf.constant([0], name="ind")
    size = tf.constant([2, 2], name="size")
    for name, value in (("neg_zero", -0.0), ("zero", 0.0), ("nan", float("nan"))):
        tf.raw_ops.CropAndResize(
            image=img,
            boxes=boxes,
            box_ind=ind,
            crop_size=size,
            extrapolation_value=value,
            name=f"crop_{name}",
        )
    red = np.array([255, 0, 0, 255], dtype=np.uint8)
    content = tf.make_tensor_proto(red)  # the value in tensor_content
    int_val = tf.make_tensor_proto(red)
    int_val.ClearField("tensor_content")
    int_val.int_val.extend(int(x) for x in red)
    for name, proto in (("content", content), ("int_val", int_val)):
        tf.raw_ops.ImageSummary(
            tag=tf.constant(name), tensor=img, max_images=1, bad_color=proto, name=f"img_{name}"
        )


@builder
def g_spec_function_devices(tf: Any) -> None:
    """A called function whose body places an op on a device (rule 4.1.8)."""
    with tf.device("/cpu:0"):
        x = tf.constant([1.0, 2.0], name="x")

    def body(v: Any) -> Any:
        with tf.device("/device:CPU:0"):
            return v + 1.0

    tf.function(body)(x)
