"""Functions (tf.function, legacy Defun), gradients and optimizers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    Skip,
    Step,
    step_kind,
)


def _function_body(c: Ctx, s: Step, x: Any) -> Any:
    tf = c.tf
    variant = s.get("variant", "simple")
    if variant == "capture":
        ext = tf.cast(c.ref("ext"), x.dtype.base_dtype)
        return x + tf.reduce_sum(ext)
    if variant == "variable":
        return x + tf.cast(tf.reduce_sum(c.ref("ext")), x.dtype.base_dtype)
    if variant == "control":
        with tf.control_dependencies([tf.no_op()]):
            return tf.identity(x)
    if variant == "device":
        with tf.device("/device:GPU:0"):
            return x * 2
    if variant == "cond":
        return tf.cond(
            tf.reduce_any(tf.not_equal(x, tf.zeros_like(x))), lambda: tf.identity(x), lambda: x * 2
        )
    if variant == "while":
        return tf.while_loop(lambda y: tf.reduce_all(y < 10), lambda y: y + 1, [x])[0]
    if variant == "nested":

        def inner(y: Any) -> Any:
            return y * 2

        return tf.function(inner)(x)
    if variant == "string":
        return tf.strings.join([tf.strings.as_string(x), "!"])
    return x * 2


FUNCTION_NAMES = ("f", "g", "s", "fn")


def _named(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    fn.__name__ = fn.__qualname__ = name
    return fn


@step_kind(
    "function_call",
    "tensor",
    {"x": "tensor", "ext": "var"},
    doc="a tf.function called on x (bodies: simple, capture, variable, control, ...)",
)
def _function_call(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    fn = _named(lambda a: _function_body(c, s, a), s.get("fname", "f"))
    return c.tf.function(fn)(x)


@step_kind(
    "function_capture",
    "tensor",
    {"x": "tensor", "ext": "tensor"},
    doc="a tf.function capturing a graph tensor",
)
def _function_capture(c: Ctx, s: Step) -> Any:
    return _function_call(c, dict(s, variant="capture"))


@step_kind(
    "function_concrete", None, doc="a tf.function traced (get_concrete_function), not called"
)
def _function_concrete(c: Ctx, s: Step) -> Any:
    tf = c.tf
    fn = _named(lambda a: a * 2, s.get("fname", "f"))
    shape = s.get("shape")
    tf.function(fn).get_concrete_function(tf.TensorSpec(shape, c.dtype(s.get("dtype", "float32"))))


@step_kind("defun_call", "tensor", {"x": "tensor"}, doc="a legacy function.Defun, called")
def _defun_call(c: Ctx, s: Step) -> Any:
    from tensorflow.python.framework import function

    tf = c.tf
    x = tf.cast(c.ref("x"), tf.float32)
    grad = None
    if s.get("with_grad"):

        def my_grad(a: Any, dy: Any) -> Any:
            return dy * 2.0

        grad = function.Defun(tf.float32, tf.float32)(
            _named(my_grad, s.get("fname", "f") + "_grad")
        )

    def body(a: Any) -> Any:
        return tf.exp(a)

    kwargs: dict[str, Any] = {} if grad is None else {"grad_func": grad}
    fn = function.Defun(tf.float32, **kwargs)(_named(body, s.get("fname", "f")))
    return fn(x, name=s.get("name"))


@step_kind("gradients", "tensor", {"y": "tensor"}, {"xs": "tensor"}, doc="tf.gradients(y, xs)")
def _gradients(c: Ctx, s: Step) -> Any:
    xs = c.refs("xs")
    if not xs:
        raise Skip("no xs")
    grads = c.tf.gradients(c.ref("y"), xs, name=s.get("name") or "gradients", stop_gradients=None)
    for g in grads:
        if g is not None:
            return g
    raise Skip("no gradient")


OPTIMIZERS = {
    "sgd": lambda v1: v1.train.GradientDescentOptimizer(0.1),
    "momentum": lambda v1: v1.train.MomentumOptimizer(0.1, 0.9),
    "adam": lambda v1: v1.train.AdamOptimizer(0.01),
    "adagrad": lambda v1: v1.train.AdagradOptimizer(0.1),
    "rmsprop": lambda v1: v1.train.RMSPropOptimizer(0.1),
}


@step_kind("minimize", "op", {"loss": "tensor"}, doc="an optimizer's minimize(loss)")
def _minimize(c: Ctx, s: Step) -> Any:
    tf = c.tf
    loss = tf.reduce_sum(tf.cast(c.ref("loss"), tf.float32))
    opt = OPTIMIZERS[s.get("optimizer", "sgd")](c.v1)
    step = c.v1.train.get_or_create_global_step() if s.get("global_step") else None
    return opt.minimize(loss, global_step=step, name=s.get("name"))
