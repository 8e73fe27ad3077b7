"""Control flow: cond and while_loop in v1 (contexts) and v2 (functional) form,
switch_case; ``v1_control_flow``, shared with the graph builders (``conformance.tf.graphs``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from conformance.tf.programs.conversions import truthy
from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    Step,
    step_kind,
)


def _cond(c: Ctx, s: Step, nest: str) -> Any:
    tf = c.tf
    a = c.tensor("a")
    b = tf.cast(c.ref("b"), a.dtype.base_dtype)
    pred = truthy(c.tf, c.ref("pred"))

    def true_fn() -> Any:
        out = tf.identity(a, name="t")
        if nest == "while":
            out = _while_loop(c, out, b, 2)
        elif nest == "cond":
            out = tf.cond(pred, lambda: tf.identity(out), lambda: tf.identity(b), name="inner")
        return out

    def false_fn() -> Any:
        return tf.identity(b, name="f")

    return tf.cond(pred, true_fn, false_fn, name=s.get("name"))


def _while_loop(c: Ctx, x: Any, ext: Any, n: int, s: Step | None = None) -> Any:
    tf = c.tf
    s = s or {}
    nest = s.get("nest", "none")
    ext = tf.cast(ext, x.dtype.base_dtype)

    def body(i: Any, a: Any) -> Any:
        a = a + tf.reduce_sum(ext)
        if nest == "cond":
            a = tf.cond(i > 0, lambda: a * tf.reduce_sum(ext), lambda: a, name="inner")
        elif nest == "while":
            a = _while_loop(c, a, ext, 1)
        return i + 1, a

    kwargs: dict[str, Any] = {}
    if s.get("maximum_iterations") is not None:
        kwargs["maximum_iterations"] = s["maximum_iterations"]
    out = tf.while_loop(
        lambda i, a: i < n,
        body,
        [tf.constant(0), x],
        parallel_iterations=s.get("parallel_iterations", 10),
        back_prop=s.get("back_prop", True),
        swap_memory=s.get("swap_memory", False),
        name=s.get("name"),
        **kwargs,
    )
    return out[1]


@step_kind(
    "cond_v1",
    "tensor",
    {"pred": "tensor", "a": "tensor", "b": "tensor"},
    doc="tf.cond with v1 control flow (CondContext)",
)
def _cond_v1(c: Ctx, s: Step) -> Any:
    with v1_control_flow(c.tf):
        return _cond(c, s, s.get("nest", "none"))


@step_kind(
    "while_v1",
    "tensor",
    {"x": "tensor", "ext": "tensor"},
    doc="tf.while_loop with v1 control flow (WhileContext)",
)
def _while_v1(c: Ctx, s: Step) -> Any:
    with v1_control_flow(c.tf):
        return _while_loop(c, c.tensor("x"), c.ref("ext"), s.get("n", 3), s)


@step_kind(
    "cond_v2",
    "tensor",
    {"pred": "tensor", "a": "tensor", "b": "tensor"},
    doc="tf.cond with v2 control flow (If)",
)
def _cond_v2(c: Ctx, s: Step) -> Any:
    return _cond(c, s, s.get("nest", "none"))


@step_kind(
    "while_v2",
    "tensor",
    {"x": "tensor", "ext": "tensor"},
    doc="tf.while_loop with v2 control flow (While)",
)
def _while_v2(c: Ctx, s: Step) -> Any:
    return _while_loop(c, c.tensor("x"), c.ref("ext"), s.get("n", 3), s)


@step_kind("switch_case", "tensor", {"i": "tensor", "a": "tensor"})
def _switch_case(c: Ctx, s: Step) -> Any:
    tf = c.tf
    a = c.tensor("a")
    i = tf.reshape(tf.cast(c.ref("i"), tf.int32), [-1])[0]
    branches = [lambda: tf.identity(a), lambda: a + a, lambda: tf.zeros_like(a)]
    return tf.switch_case(i, branches[: s.get("branches", 2)], name=s.get("name"))


@contextlib.contextmanager
def v1_control_flow(tf: Any) -> Iterator[None]:
    """v1 (context-based) control flow while building; restores the previous mode."""
    was_v2 = tf.compat.v1.control_flow_v2_enabled()
    tf.compat.v1.disable_control_flow_v2()
    try:
        yield
    finally:
        if was_v2:
            tf.compat.v1.enable_control_flow_v2()
