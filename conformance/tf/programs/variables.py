"""Variables (v1, get_variable, partitioned, local), reads, assignments, initializers."""

from __future__ import annotations

import contextlib
from typing import Any

from conformance.tf.programs.conversions import const_value
from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    Step,
    collection_key,
    step_kind,
)

INITIALIZERS = {
    "zeros": "zeros_initializer",
    "ones": "ones_initializer",
    "glorot_uniform": "glorot_uniform_initializer",
    "random_normal": "random_normal_initializer",
    "truncated_normal": "truncated_normal_initializer",
    "constant": "constant_initializer",
}


@step_kind("variable", "var", {"init": "tensor"}, doc="tf.compat.v1.Variable")
def _variable(c: Ctx, s: Step) -> Any:
    if s.get("init") is not None:
        initial: Any = c.ref("init")
    else:
        initial = const_value(c.np, c.tf, s.get("dtype", "float32"), s.get("shape", []), 1)
    collections = s.get("collections")
    return c.v1.Variable(
        initial,
        name=s.get("name"),
        trainable=s.get("trainable"),
        use_resource=s.get("use_resource"),
        collections=[collection_key(k) for k in collections] if collections is not None else None,
        validate_shape=s.get("validate_shape", True),
    )


def _in_variable_scope(c: Ctx, s: Step) -> contextlib.AbstractContextManager[Any]:
    vscope = s.get("vscope")
    if vscope is None:
        return contextlib.nullcontext()
    scope: contextlib.AbstractContextManager[Any] = c.v1.variable_scope(
        vscope, reuse=c.v1.AUTO_REUSE if s.get("reuse") else None
    )
    return scope


def _initializer(c: Ctx, s: Step) -> Any:
    init = s.get("initializer")
    if init is None:
        return None
    if init == "constant":
        return c.v1.constant_initializer(0.5)
    fn = getattr(c.v1, INITIALIZERS[init])
    return fn(seed=1) if init in ("glorot_uniform", "random_normal", "truncated_normal") else fn()


@step_kind("get_variable", "var", doc="tf.compat.v1.get_variable")
def _get_variable(c: Ctx, s: Step) -> Any:
    with _in_variable_scope(c, s):
        return c.v1.get_variable(
            s.get("name") or "gv",
            shape=s.get("shape", []),
            dtype=c.dtype(s.get("dtype", "float32")),
            initializer=_initializer(c, s),
            trainable=s.get("trainable"),
            use_resource=s.get("use_resource"),
        )


@step_kind("partitioned_variable", "pvar", doc="tf.compat.v1.get_variable with a partitioner")
def _partitioned_variable(c: Ctx, s: Step) -> Any:
    v1 = c.v1
    how = s.get("partitioner", "fixed")
    if how == "fixed":
        partitioner = v1.fixed_size_partitioner(s.get("shards", 2))
    elif how == "min_max":
        partitioner = v1.min_max_variable_partitioner(
            max_partitions=s.get("shards", 2), min_slice_size=4
        )
    else:
        partitioner = v1.variable_axis_size_partitioner(max_shard_bytes=16)
    with _in_variable_scope(c, s):
        return v1.get_variable(
            s.get("name") or "pv",
            shape=s.get("shape", [4, 2]),
            initializer=_initializer(c, s),
            partitioner=partitioner,
            use_resource=s.get("use_resource"),
        )


@step_kind("local_variable", "var", doc="tf.compat.v1.get_local_variable")
def _local_variable(c: Ctx, s: Step) -> Any:
    with _in_variable_scope(c, s):
        return c.v1.get_local_variable(
            s.get("name") or "lv",
            shape=s.get("shape", []),
            initializer=_initializer(c, s),
            use_resource=s.get("use_resource"),
        )


@step_kind("read_variable", "tensor", {"v": "var"})
def _read_variable(c: Ctx, s: Step) -> Any:
    v = c.ref("v")
    mode = s.get("mode", "read_value")
    if mode == "read_value":
        return v.read_value()
    if mode == "value":
        return v.value()
    if mode == "initialized_value":
        return v.initialized_value()
    return c.tf.identity(v, name=s.get("name"))


@step_kind("assign", "tensor", {"v": "var", "value": "tensor"}, doc="tf.compat.v1.assign*")
def _assign(c: Ctx, s: Step) -> Any:
    v = c.ref("v")
    value = c.opt_ref("value", s)
    if value is None:
        value = c.tf.ones_like(v)
    mode = s.get("mode", "assign")
    fn = getattr(c.v1, mode)
    return fn(v, value, name=s.get("name"))


@step_kind("resource_assign", "op", {"v": "var"}, doc="v.assign*(..., read_value=False)")
def _resource_assign(c: Ctx, s: Step) -> Any:
    v = c.ref("v")
    fn = getattr(v, s.get("mode", "assign"))
    return fn(c.tf.ones_like(v), read_value=False, name=s.get("name"))


@step_kind("global_step", "var")
def _global_step(c: Ctx, s: Step) -> Any:
    return c.v1.train.get_or_create_global_step()


@step_kind("global_variables_initializer", "op")
def _gvi(c: Ctx, s: Step) -> Any:
    return c.v1.global_variables_initializer()


@step_kind("local_variables_initializer", "op")
def _lvi(c: Ctx, s: Step) -> Any:
    return c.v1.local_variables_initializer()


@step_kind("variables_initializer", "op", ref_lists={"vs": "var"})
def _vi(c: Ctx, s: Step) -> Any:
    return c.v1.variables_initializer(c.refs("vs"), name=s.get("name") or "init")


@step_kind("tables_initializer", "op")
def _ti(c: Ctx, s: Step) -> Any:
    return c.v1.tables_initializer(name=s.get("name") or "init_all_tables")


@step_kind("report_uninitialized_variables", "tensor")
def _ruv(c: Ctx, s: Step) -> Any:
    return c.v1.report_uninitialized_variables(
        name=s.get("name") or "report_uninitialized_variables"
    )


@step_kind("is_variable_initialized", "tensor", {"v": "var"})
def _ivi(c: Ctx, s: Step) -> Any:
    return c.v1.is_variable_initialized(c.ref("v"))
