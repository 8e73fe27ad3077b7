"""Steps that need no earlier result: constants, placeholders, fills, ranges, random
tensors, the graph-level seed."""

from __future__ import annotations

import math
from typing import Any

from conformance.tf.programs.conversions import const_value
from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    PY_VALUES,
    Step,
    step_kind,
)


@step_kind("const", "tensor", doc="tf.constant of a dtype and shape")
def _const(c: Ctx, s: Step) -> Any:
    value = const_value(c.np, c.tf, s["dtype"], s.get("shape", []), s.get("seed", 0))
    if s.get("as_list") and s["dtype"] not in ("bfloat16",):
        value = value.tolist()
    return c.tf.constant(value, dtype=c.dtype(s["dtype"]), name=s.get("name"))


@step_kind("py_const", "tensor", doc="tf.constant of a Python value")
def _py_const(c: Ctx, s: Step) -> Any:
    return c.tf.constant(PY_VALUES[s["value"] % len(PY_VALUES)], name=s.get("name"))


@step_kind("const_large", "tensor", doc="a large tf.constant (tensor_content)")
def _const_large(c: Ctx, s: Step) -> Any:
    np = c.np
    shape = (s["rows"], s["cols"])
    dtype = s["dtype"]
    if dtype == "string":
        value: Any = np.array([b"x" * (i % 7) for i in range(math.prod(shape))], dtype=object)
        value = value.reshape(shape)
    elif s["fill"] == "zeros":
        value = np.zeros(shape, dtype=c.tf.as_dtype(dtype).as_numpy_dtype)
    else:
        value = (
            np.arange(math.prod(shape)).reshape(shape).astype(c.tf.as_dtype(dtype).as_numpy_dtype)
        )
    return c.tf.constant(value, name=s.get("name"))


@step_kind("placeholder", "tensor", doc="tf.compat.v1.placeholder with a (partial) shape")
def _placeholder(c: Ctx, s: Step) -> Any:
    return c.v1.placeholder(c.dtype(s["dtype"]), shape=s.get("shape"), name=s.get("name"))


@step_kind("placeholder_with_default", "tensor", {"x": "tensor"})
def _placeholder_with_default(c: Ctx, s: Step) -> Any:
    x = c.tensor("x")
    shape: Any = {"unknown": None, "partial": [None] * max(x.shape.rank or 0, 0)}.get(
        s["shape"], x.shape
    )
    return c.v1.placeholder_with_default(x, shape=shape, name=s.get("name"))


@step_kind("sparse_placeholder", "tensor", doc="tf.compat.v1.sparse_placeholder (its values)")
def _sparse_placeholder(c: Ctx, s: Step) -> Any:
    return c.v1.sparse_placeholder(c.dtype(s["dtype"]), name=s.get("name")).values


@step_kind("zeros", "tensor")
def _zeros(c: Ctx, s: Step) -> Any:
    return c.tf.zeros(s["shape"], dtype=c.dtype(s["dtype"]), name=s.get("name"))


@step_kind("ones", "tensor")
def _ones(c: Ctx, s: Step) -> Any:
    return c.tf.ones(s["shape"], dtype=c.dtype(s["dtype"]), name=s.get("name"))


@step_kind("fill", "tensor")
def _fill(c: Ctx, s: Step) -> Any:
    return c.tf.fill(s["shape"], s["value"], name=s.get("name"))


@step_kind("range", "tensor")
def _range(c: Ctx, s: Step) -> Any:
    return c.tf.range(s["limit"], dtype=c.dtype(s["dtype"]), name=s.get("name"))


@step_kind("random_uniform", "tensor")
def _random_uniform(c: Ctx, s: Step) -> Any:
    return c.v1.random_uniform(s["shape"], seed=s.get("seed"), name=s.get("name"))


@step_kind("random_normal", "tensor")
def _random_normal(c: Ctx, s: Step) -> Any:
    return c.v1.random_normal(s["shape"], seed=s.get("seed"), name=s.get("name"))


@step_kind("truncated_normal", "tensor")
def _truncated_normal(c: Ctx, s: Step) -> Any:
    return c.v1.truncated_normal(s["shape"], seed=s.get("seed"), name=s.get("name"))


@step_kind("set_random_seed", None, doc="tf.compat.v1.set_random_seed (graph-level seed)")
def _set_random_seed(c: Ctx, s: Step) -> Any:
    c.v1.set_random_seed(s["seed"])


@step_kind("eye", "tensor")
def _eye(c: Ctx, s: Step) -> Any:
    return c.tf.eye(s["n"], name=s.get("name"))
