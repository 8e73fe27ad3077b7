"""Elementwise, matrix, shape and reduction ops on earlier tensors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.tf.programs.conversions import adapt
from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    Skip,
    Step,
    step_kind,
)

UNARY: dict[str, tuple[str, str]] = {
    "identity": ("identity", "any"),
    "neg": ("math.negative", "real"),
    "abs": ("math.abs", "real"),
    "square": ("math.square", "number"),
    "sqrt": ("math.sqrt", "float"),
    "exp": ("math.exp", "float"),
    "sin": ("math.sin", "float"),
    "tanh": ("math.tanh", "float"),
    "sigmoid": ("math.sigmoid", "float"),
    "relu": ("nn.relu", "real"),
    "softmax": ("nn.softmax", "float"),
    "l2_loss": ("nn.l2_loss", "float"),
    "stop_gradient": ("stop_gradient", "any"),
    "sign": ("math.sign", "number"),
    "logical_not": ("math.logical_not", "bool"),
    "round": ("math.round", "real"),
    "floor": ("math.floor", "float"),
    "is_nan": ("math.is_nan", "float"),
    "as_string": ("strings.as_string", "real"),
    "zeros_like": ("zeros_like", "any"),
    "ones_like": ("ones_like", "any"),
    "shape": ("shape", "any"),
    "size": ("size", "any"),
    "rank": ("rank", "any"),
    "transpose": ("transpose", "any"),
    "squeeze": ("squeeze", "any"),
    "diag": ("linalg.diag", "number"),
}

BINARY: dict[str, tuple[str, str]] = {
    "add": ("math.add", "number"),
    "subtract": ("math.subtract", "number"),
    "multiply": ("math.multiply", "number"),
    "truediv": ("math.truediv", "number"),
    "floordiv": ("math.floordiv", "real"),
    "maximum": ("math.maximum", "real"),
    "minimum": ("math.minimum", "real"),
    "pow": ("math.pow", "number"),
    "greater": ("math.greater", "real"),
    "equal": ("math.equal", "any"),
    "logical_and": ("math.logical_and", "bool"),
    "squared_difference": ("math.squared_difference", "number"),
}

REDUCTIONS: dict[str, tuple[str, str]] = {
    "reduce_sum": ("math.reduce_sum", "number"),
    "reduce_mean": ("math.reduce_mean", "number"),
    "reduce_max": ("math.reduce_max", "real"),
    "reduce_prod": ("math.reduce_prod", "number"),
    "reduce_any": ("math.reduce_any", "bool"),
}


def _tf_attr(tf: Any, path: str) -> Any:
    obj = tf
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _unary_builder(path: str, want: str) -> Callable[[Ctx, Step], Any]:
    def build(c: Ctx, s: Step) -> Any:
        return _tf_attr(c.tf, path)(adapt(c.tf, c.ref("x"), want), name=s.get("name"))

    return build


def _binary_builder(path: str, want: str) -> Callable[[Ctx, Step], Any]:
    def build(c: Ctx, s: Step) -> Any:
        x = adapt(c.tf, c.ref("x"), want)
        y = c.tensor("y")
        if y.dtype.base_dtype != x.dtype.base_dtype:
            y = c.tf.cast(adapt(c.tf, y, "number"), x.dtype.base_dtype)
        return _tf_attr(c.tf, path)(x, y, name=s.get("name"))

    return build


def _reduction_builder(path: str, want: str) -> Callable[[Ctx, Step], Any]:
    def build(c: Ctx, s: Step) -> Any:
        fn = _tf_attr(c.tf, path)
        x = adapt(c.tf, c.ref("x"), want)
        return fn(x, axis=s.get("axis"), keepdims=s.get("keepdims", False), name=s.get("name"))

    return build


for _name, (_path, _want) in UNARY.items():
    step_kind(_name, "tensor", {"x": "tensor"}, doc=f"tf.{_path}(x)")(_unary_builder(_path, _want))
for _name, (_path, _want) in BINARY.items():
    step_kind(_name, "tensor", {"x": "tensor", "y": "tensor"}, doc=f"tf.{_path}(x, y)")(
        _binary_builder(_path, _want)
    )
for _name, (_path, _want) in REDUCTIONS.items():
    step_kind(_name, "tensor", {"x": "tensor"}, doc=f"tf.{_path}(x, axis)")(
        _reduction_builder(_path, _want)
    )


@step_kind("cast", "tensor", {"x": "tensor"})
def _cast(c: Ctx, s: Step) -> Any:
    return c.tf.cast(c.ref("x"), c.dtype(s["dtype"]), name=s.get("name"))


@step_kind("argmax", "tensor", {"x": "tensor"})
def _argmax(c: Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "real")
    return c.tf.math.argmax(x, axis=s.get("axis") or 0, name=s.get("name"))


@step_kind("cumsum", "tensor", {"x": "tensor"})
def _cumsum(c: Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "number")
    return c.tf.math.cumsum(x, axis=s.get("axis") or 0, name=s.get("name"))


@step_kind("add_n", "tensor", ref_lists={"xs": "tensor"})
def _add_n(c: Ctx, s: Step) -> Any:
    xs = [adapt(c.tf, x, "number") for x in c.refs("xs")]
    if not xs:
        raise Skip("no inputs")
    xs = [c.tf.cast(x, xs[0].dtype.base_dtype) for x in xs]
    return c.tf.math.add_n(xs, name=s.get("name"))


@step_kind("string_join", "tensor", ref_lists={"xs": "tensor"})
def _string_join(c: Ctx, s: Step) -> Any:
    xs = [adapt(c.tf, x, "string") for x in c.refs("xs")]
    return c.tf.strings.join(xs, separator=s.get("separator", ""), name=s.get("name"))


@step_kind("matmul", "tensor", {"x": "tensor", "y": "tensor"})
def _matmul(c: Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "number")
    if s.get("flatten"):
        x = c.tf.reshape(x, [1, -1])
    y = c.opt_ref("y", s)
    if y is None:
        return c.tf.linalg.matmul(x, x, transpose_b=True, name=s.get("name"))
    return c.tf.linalg.matmul(
        x,
        y,
        transpose_a=s.get("transpose_a", False),
        transpose_b=s.get("transpose_b", False),
        name=s.get("name"),
    )


@step_kind("conv2d", "tensor", {"x": "tensor"})
def _conv2d(c: Ctx, s: Step) -> Any:
    tf = c.tf
    x = tf.reshape(tf.cast(c.ref("x"), tf.float32), [1, -1, 1, 1])
    filters = tf.ones([1, 1, 1, s.get("filters", 1)])
    return tf.nn.conv2d(x, filters, strides=1, padding=s.get("padding", "SAME"), name=s.get("name"))


@step_kind("dropout", "tensor", {"x": "tensor"})
def _dropout(c: Ctx, s: Step) -> Any:
    return c.tf.nn.dropout(
        adapt(c.tf, c.ref("x"), "float"),
        rate=s.get("rate", 0.5),
        seed=s.get("seed"),
        name=s.get("name"),
    )


@step_kind("reshape", "tensor", {"x": "tensor"})
def _reshape(c: Ctx, s: Step) -> Any:
    return c.tf.reshape(c.ref("x"), s["shape"], name=s.get("name"))


@step_kind("expand_dims", "tensor", {"x": "tensor"})
def _expand_dims(c: Ctx, s: Step) -> Any:
    return c.tf.expand_dims(c.ref("x"), s.get("axis", 0), name=s.get("name"))


@step_kind("concat", "tensor", ref_lists={"xs": "tensor"})
def _concat(c: Ctx, s: Step) -> Any:
    xs = [c.tf.reshape(x, [-1]) for x in c.refs("xs")]
    if not xs:
        raise Skip("no inputs")
    return c.tf.concat(xs, axis=0, name=s.get("name"))


@step_kind("stack", "tensor", ref_lists={"xs": "tensor"})
def _stack(c: Ctx, s: Step) -> Any:
    return c.tf.stack(c.refs("xs"), name=s.get("name"))


@step_kind("unstack", "tensor", {"x": "tensor"})
def _unstack(c: Ctx, s: Step) -> Any:
    parts = c.tf.unstack(c.ref("x"), name=s.get("name"))
    if not parts:
        raise Skip("nothing to unstack")
    return parts[s.get("index", 0) % len(parts)]


@step_kind("split", "tensor", {"x": "tensor"})
def _split(c: Ctx, s: Step) -> Any:
    parts = c.tf.split(c.tf.reshape(c.ref("x"), [-1]), s.get("num", 1), name=s.get("name"))
    return parts[s.get("index", 0) % len(parts)]


@step_kind("strided_slice", "tensor", {"x": "tensor"})
def _strided_slice(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    spec = s.get("spec", "0")
    if spec == "0":
        return x[0]
    if spec == ":1":
        return x[:1]
    if spec == "::-1":
        return x[::-1]
    return x[..., c.tf.newaxis]


@step_kind("gather", "tensor", {"x": "tensor"})
def _gather(c: Ctx, s: Step) -> Any:
    return c.tf.gather(c.ref("x"), s.get("indices", [0]), name=s.get("name"))


@step_kind("tile", "tensor", {"x": "tensor"})
def _tile(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.tf.tile(x, [2] * (x.shape.rank or 0), name=s.get("name"))


@step_kind("pad", "tensor", {"x": "tensor"})
def _pad(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.tf.pad(x, [[1, 0]] * (x.shape.rank or 0), name=s.get("name"))


@step_kind("where", "tensor", {"x": "tensor"})
def _where(c: Ctx, s: Step) -> Any:
    return c.tf.where(c.tf.cast(c.ref("x"), c.tf.bool), name=s.get("name"))


@step_kind("one_hot", "tensor", {"x": "tensor"})
def _one_hot(c: Ctx, s: Step) -> Any:
    return c.tf.one_hot(c.tf.cast(c.ref("x"), c.tf.int32), s.get("depth", 3), name=s.get("name"))


@step_kind("ensure_shape", "tensor", {"x": "tensor"})
def _ensure_shape(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.tf.ensure_shape(x, [None] * (x.shape.rank or 0), name=s.get("name"))
