"""Graph *programs*: TF 1.x graph-building recipes as plain data, and their interpreter.

A program is a list of *steps*. Each step is a JSON-able dict with an ``"op"`` (a step
kind, see ``KINDS``), the kind's own arguments, and optional *modifiers* applied around
it, in this order (outermost first):

- ``"scope"``: a list of name-scope components, entered one inside the other with
  ``tf.compat.v1.name_scope``; a component ending in ``/`` re-enters that absolute scope,
  ``""`` returns to the root, anything else opens a new (uniquified) scope;
- ``"device"``: a device string for ``tf.device``;
- ``"colocate"``: a reference (see below) to an earlier op to colocate with;
- ``"deps"``: a list of references to earlier ops for ``tf.control_dependencies``.

(A modifier whose references have no candidate, or refer to skipped steps, is ignored.)

``"name"`` (a str or None) is passed as the ``name=`` of the op the step builds.

**References.** Each step has a static *result kind* (``"tensor"``, ``"op"``, ``"var"``,
``"pvar"`` (a partitioned variable), ``"summary"`` (a summary tensor), ``"saver"``,
``"queue"``, ``"qr"`` or ``None``).
A reference is a small integer ``n`` counted backwards among the earlier steps of a
given *pool* (the pools are sets of result kinds, ``POOLS``): ``0`` is the most recent
one, and ``n`` wraps around modulo the pool's size. References are resolved statically
(``resolve``), without TF, so ``describe`` shows exactly what the interpreter used, and
deleting a step (as shrinking does) leaves a valid program. A step whose reference has
no candidate, or whose referenced step was skipped, is skipped (except for modifiers,
see above).

**Robustness.** ``run_program`` builds each step in a ``try``; a step that TF refuses to
build is *skipped* (its result is ``None``) and recorded in the returned trace, so every
program runs to its end and shrinking never hits a crash of the interpreter. Whatever a
failing step built before it failed stays in the graph (TF is deterministic, so the same
program always builds the same graph in a fresh worker). The ``finalize`` step only
takes effect once the whole program is built: steps failing on a finalized graph can leave
it half-built (C++ nodes without Python operations), a state no snapshot can describe.

This module does not import TensorFlow; ``run_program`` gets the module as an argument
and runs in the TF worker (``conformance.tf.worker``, request key ``"program"``).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Step = dict[str, Any]
Program = list[Step]

# ---------------------------------------------------------------------------------------
# Static data shared with the strategies
# ---------------------------------------------------------------------------------------

DTYPES: tuple[str, ...] = (
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "complex64",
    "complex128",
    "string",
)
NUMERIC_DTYPES: tuple[str, ...] = tuple(d for d in DTYPES if d not in ("bool", "string"))

#: Values for ``py_const`` (by index: the list holds bytes, NaN and big ints).
PY_VALUES: tuple[Any, ...] = (
    1.0,
    0,
    -1,
    1 << 40,
    1.5,
    -0.0,
    float("nan"),
    float("inf"),
    True,
    "s",
    b"\xff\x00b",
    "h\u00e9\u4e2d\n",
    [1, 2],
    [[1.0], [2.0]],
    [True, False, True],
    ["a", "bb"],
    1e-45,
    3.4028235e38,
)

#: Strings used by string constants and by collection items.
STRINGS: tuple[Any, ...] = (
    "a",
    "",
    "h\u00e9llo\n\x00\xff",
    b"\xff\x00abc",
    "s/c",
    "outside",
    "x" * 40,
    "\u4e2d",
)

#: Collection keys: plain strings, TF's registered keys, and non-str keys (``b:`` bytes,
#: ``i:`` int, ``t:`` one-element tuple).
COLLECTION_KEYS: tuple[str, ...] = (
    "c",
    "my",
    "s",
    "sx",
    "variables",
    "trainable_variables",
    "local_variables",
    "model_variables",
    "savers",
    "queue_runners",
    "cond_context",
    "while_context",
    "summaries",
    "train_op",
    "unbound_inputs",
    "update_ops",
    "losses",
    "table_initializer",
    "global_step",
    "metric_variables",
    "b:bk",
    "i:5",
    "t:t",
)

#: Item kinds for ``add_to_collection``; the pool of the reference for those that refer
#: to a step.
ITEM_REF_POOLS: dict[str, str] = {
    "op": "op",
    "tensor": "tensor",
    "variable": "anyvar",
    "saver": "saver",
    "queue_runner": "qr",
}
ITEM_KINDS: tuple[str, ...] = (
    "str",
    "bytes",
    "int",
    "bigint",
    "negbigint",
    "bool",
    "float",
    "bigfloat",
    "np_int64",
    "np_int32",
    "np_uint8",
    "np_float32",
    "np_float64",
    "np_bool",
    "any",
    "any_unknown",
    "none",
    "named_none",
    "named_int",
    "dict",
    "list",
    "context",
    "op",
    "tensor",
    "variable",
    "saver",
    "queue_runner",
)

#: Reference pools: which result kinds a reference of each pool may point to.
POOLS: dict[str, frozenset[str]] = {
    "tensor": frozenset({"tensor", "var", "summary"}),
    "op": frozenset({"tensor", "op", "var", "summary"}),
    "summary": frozenset({"summary"}),
    "var": frozenset({"var"}),
    "anyvar": frozenset({"var", "pvar"}),
    "saver": frozenset({"saver"}),
    "queue": frozenset({"queue"}),
    "qr": frozenset({"qr"}),
}


# ---------------------------------------------------------------------------------------
# Step kinds
# ---------------------------------------------------------------------------------------


class Skip(Exception):
    """Raised by a builder to skip its step deliberately (not a TF failure)."""


@dataclass(frozen=True)
class StepKind:
    """One kind of step: what it yields, which arguments are references, how to build it."""

    name: str
    result: str | None
    refs: Mapping[str, str]
    ref_lists: Mapping[str, str]
    build: Callable[[_Ctx, Step], Any]
    doc: str = ""


KINDS: dict[str, StepKind] = {}


def _kind(
    name: str,
    result: str | None,
    refs: Mapping[str, str] | None = None,
    ref_lists: Mapping[str, str] | None = None,
    doc: str = "",
) -> Callable[[Callable[[_Ctx, Step], Any]], Callable[[_Ctx, Step], Any]]:
    def deco(fn: Callable[[_Ctx, Step], Any]) -> Callable[[_Ctx, Step], Any]:
        if name in KINDS:
            raise ValueError(f"duplicate step kind {name}")
        KINDS[name] = StepKind(name, result, dict(refs or {}), dict(ref_lists or {}), fn, doc)
        return fn

    return deco


def step_refs(step: Step) -> tuple[dict[str, str], dict[str, str]]:
    """The step's reference fields (single, list) and their pools, modifiers included."""
    kind = KINDS[step["op"]]
    refs = dict(kind.refs)
    lists = dict(kind.ref_lists)
    if step["op"] in ("add_to_collection", "add_to_collections"):
        pool = ITEM_REF_POOLS.get(step.get("item", ""))
        if pool is not None:
            refs["ref"] = pool
    if step.get("colocate") is not None:
        refs["colocate"] = "op"
    if step.get("deps"):
        lists["deps"] = "op"
    return refs, lists


# ---------------------------------------------------------------------------------------
# Static resolution of references
# ---------------------------------------------------------------------------------------


@dataclass
class Resolved:
    """A step's references resolved to earlier step indices (None: no candidate)."""

    refs: dict[str, int | None] = field(default_factory=dict)
    lists: dict[str, list[int | None]] = field(default_factory=dict)


def resolve(program: Sequence[Step]) -> list[Resolved]:
    """Resolves every reference of ``program`` to a step index, without TF."""
    out: list[Resolved] = []
    for i, step in enumerate(program):
        refs, lists = step_refs(step)
        r = Resolved()
        for fld, pool in refs.items():
            r.refs[fld] = _pick(program, i, pool, step.get(fld))
        for fld, pool in lists.items():
            r.lists[fld] = [_pick(program, i, pool, n) for n in (step.get(fld) or [])]
        out.append(r)
    return out


def _pick(program: Sequence[Step], before: int, pool: str, n: object) -> int | None:
    if not isinstance(n, int):
        return None
    kinds = POOLS[pool]
    candidates = [j for j in range(before - 1, -1, -1) if KINDS[program[j]["op"]].result in kinds]
    if not candidates:
        return None
    return candidates[n % len(candidates)]


# ---------------------------------------------------------------------------------------
# The interpreter
# ---------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    tf: Any
    np: Any
    results: list[Any]
    resolved: Resolved
    step_index: int
    finalize: bool = False

    @property
    def v1(self) -> Any:
        return self.tf.compat.v1

    def ref(self, fld: str) -> Any:
        j = self.resolved.refs.get(fld)
        if j is None:
            raise Skip(f"no candidate for {fld}")
        value = self.results[j]
        if value is None:
            raise Skip(f"{fld} refers to skipped step {j}")
        return value

    def opt_ref(self, fld: str, step: Step) -> Any:
        return None if step.get(fld) is None else self.ref(fld)

    def refs(self, fld: str) -> list[Any]:
        values = []
        for j in self.resolved.lists.get(fld, []):
            if j is None:
                raise Skip(f"no candidate for {fld}")
            if self.results[j] is None:
                raise Skip(f"{fld} refers to skipped step {j}")
            values.append(self.results[j])
        return values

    def optional_refs(self, fld: str) -> list[Any]:
        """The values a single or list reference resolves to, without the skipped ones."""
        js = self.resolved.lists.get(fld, [self.resolved.refs.get(fld)])
        values = [self.results[j] for j in js if j is not None]
        return [v for v in values if v is not None]

    def dtype(self, name: str) -> Any:
        return getattr(self.tf, name)

    def tensor(self, fld: str) -> Any:
        return self.tf.convert_to_tensor(self.ref(fld))


def as_op(x: Any) -> Any:
    """The operation of a tensor, variable or op."""
    op = getattr(x, "op", None)
    return x if op is None else op


def run_program(tf: Any, program: Sequence[Step]) -> list[str]:
    """Builds ``program`` into the current default graph; returns the trace.

    The trace has one line per step: ``"ok"``, or ``"skipped: <reason>"``.
    """
    import numpy as np

    resolved = resolve(program)
    results: list[Any] = []
    trace: list[str] = []
    finalize = False
    for i, step in enumerate(program):
        ctx = _Ctx(tf, np, results, resolved[i], i)
        try:
            kind = KINDS[step["op"]]
            with _modifiers(ctx, step):
                value = kind.build(ctx, step)
            if value is None and kind.result is not None:
                raise Skip("built nothing")
            if hasattr(value, "mark_used"):  # tf_should_use: no "never used" log at GC
                value.mark_used()
            results.append(value if kind.result is not None else None)
            trace.append("ok")
            finalize = finalize or ctx.finalize
        except Skip as e:
            results.append(None)
            trace.append(f"skipped: {e}")
        except Exception as e:  # noqa: BLE001  (TF refused: skip the step)
            results.append(None)
            trace.append(f"skipped: {type(e).__name__}: {_short(str(e))}")
    if finalize:
        tf.compat.v1.get_default_graph().finalize()
    return trace


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@contextlib.contextmanager
def _modifiers(ctx: _Ctx, step: Step) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for component in step.get("scope") or []:
            stack.enter_context(ctx.v1.name_scope(component))
        if step.get("device") is not None:
            stack.enter_context(ctx.tf.device(step["device"]))
        if step.get("colocate") is not None:
            target = ctx.optional_refs("colocate")
            if target:
                stack.enter_context(ctx.v1.colocate_with(as_op(target[0])))
        if step.get("deps"):
            deps = ctx.optional_refs("deps")
            if deps:
                stack.enter_context(ctx.tf.control_dependencies([as_op(x) for x in deps]))
        yield


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


# ---------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------

_FLOATS = (0.0, 1.5, -2.25, 0.1, 1e-7, 123456789.0, -0.0, 65504.0, float("inf"), float("nan"))
_INTS = (0, 1, -1, 7, 127, -128, 255, 300, 65535, 2**31 - 1, -(2**31), 2**63 - 1, 2**64 - 1)
_COMPLEX = (0j, 1 + 2j, -0.5j, 3.25 + 0j)


def const_value(np: Any, tf: Any, dtype: str, shape: Sequence[int], seed: int) -> Any:
    """A deterministic numpy array of ``dtype`` and ``shape`` (values chosen by ``seed``)."""
    n = math.prod(shape)
    idx = [(seed + 3 * k) for k in range(n)]
    if dtype == "string":
        vals: list[Any] = [STRINGS[i % len(STRINGS)] for i in idx]
        vals = [v.encode("utf-8") if isinstance(v, str) else v for v in vals]
        return np.array(vals, dtype=object).reshape(shape)
    np_dtype = tf.as_dtype(dtype).as_numpy_dtype
    if dtype == "bool":
        return np.array([i % 2 == 0 for i in idx], dtype=np.bool_).reshape(shape)
    if dtype.startswith("complex"):
        return np.array([_COMPLEX[i % len(_COMPLEX)] for i in idx], dtype=np_dtype).reshape(shape)
    if dtype.startswith(("float", "bfloat")):
        return np.array([_FLOATS[i % len(_FLOATS)] for i in idx], dtype=np_dtype).reshape(shape)
    info = np.iinfo(np_dtype)
    ints = [v for v in _INTS if info.min <= v <= info.max]
    return np.array([ints[i % len(ints)] for i in idx], dtype=np_dtype).reshape(shape)


def collection_key(spec: str) -> Any:
    """The Python key a ``COLLECTION_KEYS`` entry stands for."""
    if spec.startswith("b:"):
        return spec[2:].encode()
    if spec.startswith("i:"):
        return int(spec[2:])
    if spec.startswith("t:"):
        return (spec[2:],)
    return spec


class NamedNone:
    """A collection item whose ``name`` is None."""

    name = None

    def __repr__(self) -> str:
        return "NamedNone()"


class NamedInt:
    """A collection item whose ``name`` is not a str."""

    name = 3

    def __repr__(self) -> str:
        return "NamedInt()"


# ---------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------


@_kind("const", "tensor", doc="tf.constant of a dtype and shape")
def _const(c: _Ctx, s: Step) -> Any:
    value = const_value(c.np, c.tf, s["dtype"], s.get("shape", []), s.get("seed", 0))
    if s.get("as_list") and s["dtype"] not in ("bfloat16",):
        value = value.tolist()
    return c.tf.constant(value, dtype=c.dtype(s["dtype"]), name=s.get("name"))


@_kind("py_const", "tensor", doc="tf.constant of a Python value")
def _py_const(c: _Ctx, s: Step) -> Any:
    return c.tf.constant(PY_VALUES[s["value"] % len(PY_VALUES)], name=s.get("name"))


@_kind("const_large", "tensor", doc="a large tf.constant (tensor_content)")
def _const_large(c: _Ctx, s: Step) -> Any:
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


@_kind("placeholder", "tensor", doc="tf.compat.v1.placeholder with a (partial) shape")
def _placeholder(c: _Ctx, s: Step) -> Any:
    return c.v1.placeholder(c.dtype(s["dtype"]), shape=s.get("shape"), name=s.get("name"))


@_kind("placeholder_with_default", "tensor", {"x": "tensor"})
def _placeholder_with_default(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    shape: Any = {"unknown": None, "partial": [None] * max(x.shape.rank or 0, 0)}.get(
        s["shape"], x.shape
    )
    return c.v1.placeholder_with_default(x, shape=shape, name=s.get("name"))


@_kind("sparse_placeholder", "tensor", doc="tf.compat.v1.sparse_placeholder (its values)")
def _sparse_placeholder(c: _Ctx, s: Step) -> Any:
    return c.v1.sparse_placeholder(c.dtype(s["dtype"]), name=s.get("name")).values


@_kind("zeros", "tensor")
def _zeros(c: _Ctx, s: Step) -> Any:
    return c.tf.zeros(s["shape"], dtype=c.dtype(s["dtype"]), name=s.get("name"))


@_kind("ones", "tensor")
def _ones(c: _Ctx, s: Step) -> Any:
    return c.tf.ones(s["shape"], dtype=c.dtype(s["dtype"]), name=s.get("name"))


@_kind("fill", "tensor")
def _fill(c: _Ctx, s: Step) -> Any:
    return c.tf.fill(s["shape"], s["value"], name=s.get("name"))


@_kind("range", "tensor")
def _range(c: _Ctx, s: Step) -> Any:
    return c.tf.range(s["limit"], dtype=c.dtype(s["dtype"]), name=s.get("name"))


@_kind("random_uniform", "tensor")
def _random_uniform(c: _Ctx, s: Step) -> Any:
    return c.v1.random_uniform(s["shape"], seed=s.get("seed"), name=s.get("name"))


@_kind("random_normal", "tensor")
def _random_normal(c: _Ctx, s: Step) -> Any:
    return c.v1.random_normal(s["shape"], seed=s.get("seed"), name=s.get("name"))


@_kind("truncated_normal", "tensor")
def _truncated_normal(c: _Ctx, s: Step) -> Any:
    return c.v1.truncated_normal(s["shape"], seed=s.get("seed"), name=s.get("name"))


@_kind("set_random_seed", None, doc="tf.compat.v1.set_random_seed (graph-level seed)")
def _set_random_seed(c: _Ctx, s: Step) -> Any:
    c.v1.set_random_seed(s["seed"])


@_kind("eye", "tensor")
def _eye(c: _Ctx, s: Step) -> Any:
    return c.tf.eye(s["n"], name=s.get("name"))


# ---------------------------------------------------------------------------------------
# Elementwise, matrix, shape and reduction ops
# ---------------------------------------------------------------------------------------

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


def adapt(tf: Any, x: Any, want: str) -> Any:
    """``x`` as a tensor an op of input class ``want`` accepts (adding conversion ops).

    ``"any"``: as is; ``"bool"``: ``x != 0`` unless bool; ``"string"``: ``as_string``
    unless a string; ``"number"``: strings become their lengths, bools int32;
    ``"real"``: also complex and unsigned become float32; ``"float"``: every non-floating
    tensor becomes float32.
    """
    x = tf.convert_to_tensor(x)
    dt = x.dtype.base_dtype
    if want == "any":
        return x
    if want == "bool":
        return x if dt == tf.bool else tf.not_equal(x, tf.zeros_like(x))
    if want == "string":
        return x if dt == tf.string else tf.strings.as_string(adapt(tf, x, "real"))
    if dt == tf.string:
        x, dt = tf.strings.length(x), tf.int32
    elif dt == tf.bool:
        x, dt = tf.cast(x, tf.int32), tf.int32
    if want == "float" and not dt.is_floating:
        x = tf.cast(x, tf.float32)
    elif want == "real" and (dt.is_complex or dt.is_unsigned):
        x = tf.cast(x, tf.float32)
    return x


def _unary_builder(path: str, want: str) -> Callable[[_Ctx, Step], Any]:
    def build(c: _Ctx, s: Step) -> Any:
        return _tf_attr(c.tf, path)(adapt(c.tf, c.ref("x"), want), name=s.get("name"))

    return build


def _binary_builder(path: str, want: str) -> Callable[[_Ctx, Step], Any]:
    def build(c: _Ctx, s: Step) -> Any:
        x = adapt(c.tf, c.ref("x"), want)
        y = c.tensor("y")
        if y.dtype.base_dtype != x.dtype.base_dtype:
            y = c.tf.cast(adapt(c.tf, y, "number"), x.dtype.base_dtype)
        return _tf_attr(c.tf, path)(x, y, name=s.get("name"))

    return build


def _reduction_builder(path: str, want: str) -> Callable[[_Ctx, Step], Any]:
    def build(c: _Ctx, s: Step) -> Any:
        fn = _tf_attr(c.tf, path)
        x = adapt(c.tf, c.ref("x"), want)
        return fn(x, axis=s.get("axis"), keepdims=s.get("keepdims", False), name=s.get("name"))

    return build


for _name, (_path, _want) in UNARY.items():
    _kind(_name, "tensor", {"x": "tensor"}, doc=f"tf.{_path}(x)")(_unary_builder(_path, _want))
for _name, (_path, _want) in BINARY.items():
    _kind(_name, "tensor", {"x": "tensor", "y": "tensor"}, doc=f"tf.{_path}(x, y)")(
        _binary_builder(_path, _want)
    )
for _name, (_path, _want) in REDUCTIONS.items():
    _kind(_name, "tensor", {"x": "tensor"}, doc=f"tf.{_path}(x, axis)")(
        _reduction_builder(_path, _want)
    )


@_kind("cast", "tensor", {"x": "tensor"})
def _cast(c: _Ctx, s: Step) -> Any:
    return c.tf.cast(c.ref("x"), c.dtype(s["dtype"]), name=s.get("name"))


@_kind("argmax", "tensor", {"x": "tensor"})
def _argmax(c: _Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "real")
    return c.tf.math.argmax(x, axis=s.get("axis") or 0, name=s.get("name"))


@_kind("cumsum", "tensor", {"x": "tensor"})
def _cumsum(c: _Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "number")
    return c.tf.math.cumsum(x, axis=s.get("axis") or 0, name=s.get("name"))


@_kind("add_n", "tensor", ref_lists={"xs": "tensor"})
def _add_n(c: _Ctx, s: Step) -> Any:
    xs = [adapt(c.tf, x, "number") for x in c.refs("xs")]
    if not xs:
        raise Skip("no inputs")
    xs = [c.tf.cast(x, xs[0].dtype.base_dtype) for x in xs]
    return c.tf.math.add_n(xs, name=s.get("name"))


@_kind("string_join", "tensor", ref_lists={"xs": "tensor"})
def _string_join(c: _Ctx, s: Step) -> Any:
    xs = [adapt(c.tf, x, "string") for x in c.refs("xs")]
    return c.tf.strings.join(xs, separator=s.get("separator", ""), name=s.get("name"))


@_kind("matmul", "tensor", {"x": "tensor", "y": "tensor"})
def _matmul(c: _Ctx, s: Step) -> Any:
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


@_kind("conv2d", "tensor", {"x": "tensor"})
def _conv2d(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    x = tf.reshape(tf.cast(c.ref("x"), tf.float32), [1, -1, 1, 1])
    filters = tf.ones([1, 1, 1, s.get("filters", 1)])
    return tf.nn.conv2d(x, filters, strides=1, padding=s.get("padding", "SAME"), name=s.get("name"))


@_kind("dropout", "tensor", {"x": "tensor"})
def _dropout(c: _Ctx, s: Step) -> Any:
    return c.tf.nn.dropout(
        adapt(c.tf, c.ref("x"), "float"),
        rate=s.get("rate", 0.5),
        seed=s.get("seed"),
        name=s.get("name"),
    )


@_kind("reshape", "tensor", {"x": "tensor"})
def _reshape(c: _Ctx, s: Step) -> Any:
    return c.tf.reshape(c.ref("x"), s["shape"], name=s.get("name"))


@_kind("expand_dims", "tensor", {"x": "tensor"})
def _expand_dims(c: _Ctx, s: Step) -> Any:
    return c.tf.expand_dims(c.ref("x"), s.get("axis", 0), name=s.get("name"))


@_kind("concat", "tensor", ref_lists={"xs": "tensor"})
def _concat(c: _Ctx, s: Step) -> Any:
    xs = [c.tf.reshape(x, [-1]) for x in c.refs("xs")]
    if not xs:
        raise Skip("no inputs")
    return c.tf.concat(xs, axis=0, name=s.get("name"))


@_kind("stack", "tensor", ref_lists={"xs": "tensor"})
def _stack(c: _Ctx, s: Step) -> Any:
    return c.tf.stack(c.refs("xs"), name=s.get("name"))


@_kind("unstack", "tensor", {"x": "tensor"})
def _unstack(c: _Ctx, s: Step) -> Any:
    parts = c.tf.unstack(c.ref("x"), name=s.get("name"))
    if not parts:
        raise Skip("nothing to unstack")
    return parts[s.get("index", 0) % len(parts)]


@_kind("split", "tensor", {"x": "tensor"})
def _split(c: _Ctx, s: Step) -> Any:
    parts = c.tf.split(c.tf.reshape(c.ref("x"), [-1]), s.get("num", 1), name=s.get("name"))
    return parts[s.get("index", 0) % len(parts)]


@_kind("strided_slice", "tensor", {"x": "tensor"})
def _strided_slice(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    spec = s.get("spec", "0")
    if spec == "0":
        return x[0]
    if spec == ":1":
        return x[:1]
    if spec == "::-1":
        return x[::-1]
    return x[..., c.tf.newaxis]


@_kind("gather", "tensor", {"x": "tensor"})
def _gather(c: _Ctx, s: Step) -> Any:
    return c.tf.gather(c.ref("x"), s.get("indices", [0]), name=s.get("name"))


@_kind("tile", "tensor", {"x": "tensor"})
def _tile(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.tf.tile(x, [2] * (x.shape.rank or 0), name=s.get("name"))


@_kind("pad", "tensor", {"x": "tensor"})
def _pad(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.tf.pad(x, [[1, 0]] * (x.shape.rank or 0), name=s.get("name"))


@_kind("where", "tensor", {"x": "tensor"})
def _where(c: _Ctx, s: Step) -> Any:
    return c.tf.where(c.tf.cast(c.ref("x"), c.tf.bool), name=s.get("name"))


@_kind("one_hot", "tensor", {"x": "tensor"})
def _one_hot(c: _Ctx, s: Step) -> Any:
    return c.tf.one_hot(c.tf.cast(c.ref("x"), c.tf.int32), s.get("depth", 3), name=s.get("name"))


@_kind("ensure_shape", "tensor", {"x": "tensor"})
def _ensure_shape(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.tf.ensure_shape(x, [None] * (x.shape.rank or 0), name=s.get("name"))


# ---------------------------------------------------------------------------------------
# Variables, initializers, assignments
# ---------------------------------------------------------------------------------------

_INITIALIZERS = {
    "zeros": "zeros_initializer",
    "ones": "ones_initializer",
    "glorot_uniform": "glorot_uniform_initializer",
    "random_normal": "random_normal_initializer",
    "truncated_normal": "truncated_normal_initializer",
    "constant": "constant_initializer",
}


@_kind("variable", "var", {"init": "tensor"}, doc="tf.compat.v1.Variable")
def _variable(c: _Ctx, s: Step) -> Any:
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


def _in_variable_scope(c: _Ctx, s: Step) -> contextlib.AbstractContextManager[Any]:
    vscope = s.get("vscope")
    if vscope is None:
        return contextlib.nullcontext()
    scope: contextlib.AbstractContextManager[Any] = c.v1.variable_scope(
        vscope, reuse=c.v1.AUTO_REUSE if s.get("reuse") else None
    )
    return scope


def _initializer(c: _Ctx, s: Step) -> Any:
    init = s.get("initializer")
    if init is None:
        return None
    if init == "constant":
        return c.v1.constant_initializer(0.5)
    fn = getattr(c.v1, _INITIALIZERS[init])
    return fn(seed=1) if init in ("glorot_uniform", "random_normal", "truncated_normal") else fn()


@_kind("get_variable", "var", doc="tf.compat.v1.get_variable")
def _get_variable(c: _Ctx, s: Step) -> Any:
    with _in_variable_scope(c, s):
        return c.v1.get_variable(
            s.get("name") or "gv",
            shape=s.get("shape", []),
            dtype=c.dtype(s.get("dtype", "float32")),
            initializer=_initializer(c, s),
            trainable=s.get("trainable"),
            use_resource=s.get("use_resource"),
        )


@_kind("partitioned_variable", "pvar", doc="tf.compat.v1.get_variable with a partitioner")
def _partitioned_variable(c: _Ctx, s: Step) -> Any:
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


@_kind("local_variable", "var", doc="tf.compat.v1.get_local_variable")
def _local_variable(c: _Ctx, s: Step) -> Any:
    with _in_variable_scope(c, s):
        return c.v1.get_local_variable(
            s.get("name") or "lv",
            shape=s.get("shape", []),
            initializer=_initializer(c, s),
            use_resource=s.get("use_resource"),
        )


@_kind("read_variable", "tensor", {"v": "var"})
def _read_variable(c: _Ctx, s: Step) -> Any:
    v = c.ref("v")
    mode = s.get("mode", "read_value")
    if mode == "read_value":
        return v.read_value()
    if mode == "value":
        return v.value()
    if mode == "initialized_value":
        return v.initialized_value()
    return c.tf.identity(v, name=s.get("name"))


@_kind("assign", "tensor", {"v": "var", "value": "tensor"}, doc="tf.compat.v1.assign*")
def _assign(c: _Ctx, s: Step) -> Any:
    v = c.ref("v")
    value = c.opt_ref("value", s)
    if value is None:
        value = c.tf.ones_like(v)
    mode = s.get("mode", "assign")
    fn = getattr(c.v1, mode)
    return fn(v, value, name=s.get("name"))


@_kind("resource_assign", "op", {"v": "var"}, doc="v.assign*(..., read_value=False)")
def _resource_assign(c: _Ctx, s: Step) -> Any:
    v = c.ref("v")
    fn = getattr(v, s.get("mode", "assign"))
    return fn(c.tf.ones_like(v), read_value=False, name=s.get("name"))


@_kind("global_step", "var")
def _global_step(c: _Ctx, s: Step) -> Any:
    return c.v1.train.get_or_create_global_step()


@_kind("global_variables_initializer", "op")
def _gvi(c: _Ctx, s: Step) -> Any:
    return c.v1.global_variables_initializer()


@_kind("local_variables_initializer", "op")
def _lvi(c: _Ctx, s: Step) -> Any:
    return c.v1.local_variables_initializer()


@_kind("variables_initializer", "op", ref_lists={"vs": "var"})
def _vi(c: _Ctx, s: Step) -> Any:
    return c.v1.variables_initializer(c.refs("vs"), name=s.get("name") or "init")


@_kind("tables_initializer", "op")
def _ti(c: _Ctx, s: Step) -> Any:
    return c.v1.tables_initializer(name=s.get("name") or "init_all_tables")


@_kind("report_uninitialized_variables", "tensor")
def _ruv(c: _Ctx, s: Step) -> Any:
    return c.v1.report_uninitialized_variables(
        name=s.get("name") or "report_uninitialized_variables"
    )


@_kind("is_variable_initialized", "tensor", {"v": "var"})
def _ivi(c: _Ctx, s: Step) -> Any:
    return c.v1.is_variable_initialized(c.ref("v"))


# ---------------------------------------------------------------------------------------
# Savers, queues, summaries
# ---------------------------------------------------------------------------------------


@_kind("saver", "saver", ref_lists={"vars": "anyvar"}, doc="tf.compat.v1.train.Saver")
def _saver(c: _Ctx, s: Step) -> Any:
    var_list: Any = None
    if s.get("vars") is not None:
        var_list = c.refs("vars")
        if s.get("as_dict"):
            var_list = {f"k{i}_{getattr(v, 'op', v).name}": v for i, v in enumerate(var_list)}
    saver = c.v1.train.Saver(
        var_list,
        sharded=s.get("sharded", False),
        name=s.get("saver_name"),
        max_to_keep=s.get("max_to_keep", 5),
        keep_checkpoint_every_n_hours=s.get("keep_hours", 10000.0),
        save_relative_paths=s.get("relative", False),
        write_version=s.get("write_version", 2),
        allow_empty=s.get("allow_empty", False),
        pad_step_number=s.get("pad_step_number", False),
    )
    key = s.get("collection", "savers")
    if key is not None:
        c.v1.add_to_collection(collection_key(key), saver)
    return saver


@_kind("fifo_queue", "queue")
def _fifo_queue(c: _Ctx, s: Step) -> Any:
    v1 = c.v1
    cls = {
        "fifo": v1.FIFOQueue,
        "padding": v1.PaddingFIFOQueue,
        "random": v1.RandomShuffleQueue,
        "priority": v1.PriorityQueue,
    }[s.get("queue", "fifo")]
    dtypes = [c.dtype(s.get("dtype", "float32"))]
    if cls is v1.PaddingFIFOQueue:
        return cls(s.get("capacity", 10), dtypes, shapes=[[None]], name=s.get("name"))
    if cls is v1.RandomShuffleQueue:
        return cls(s.get("capacity", 10), 1, dtypes, seed=s.get("seed"), name=s.get("name"))
    if cls is v1.PriorityQueue:
        return cls(s.get("capacity", 10), dtypes, shapes=[[]], name=s.get("name"))
    return cls(s.get("capacity", 10), dtypes, name=s.get("name"))


@_kind("enqueue", "op", {"q": "queue", "x": "tensor"})
def _enqueue(c: _Ctx, s: Step) -> Any:
    q = c.ref("q")
    value = c.opt_ref("x", s)
    if value is None:
        value = c.tf.zeros([1] if s.get("vector") else [], dtype=q.dtypes[-1])
    else:
        value = c.tf.cast(value, q.dtypes[-1])
    if len(q.dtypes) == 2:  # priority queue
        return q.enqueue((c.tf.constant(1, c.tf.int64), value), name=s.get("name"))
    return q.enqueue([value], name=s.get("name"))


@_kind("dequeue", "tensor", {"q": "queue"})
def _dequeue(c: _Ctx, s: Step) -> Any:
    out = c.ref("q").dequeue(name=s.get("name"))
    return out[-1] if isinstance(out, (list, tuple)) else out


@_kind("queue_close", "op", {"q": "queue"})
def _queue_close(c: _Ctx, s: Step) -> Any:
    return c.ref("q").close(cancel_pending_enqueues=s.get("cancel", False), name=s.get("name"))


@_kind("queue_runner", "qr", {"q": "queue"}, {"enqueues": "op"})
def _queue_runner(c: _Ctx, s: Step) -> Any:
    v1 = c.v1
    enqueues = [as_op(x) for x in c.refs("enqueues")]
    if not enqueues:
        enqueues = [c.ref("q").enqueue([c.tf.zeros([], c.ref("q").dtypes[-1])])]
    exc = None
    if s.get("exceptions"):
        exc = (c.tf.errors.OutOfRangeError, c.tf.errors.CancelledError)
    qr = v1.train.QueueRunner(c.ref("q"), enqueues, queue_closed_exception_types=exc)
    key = s.get("collection", "queue_runners")
    if key is not None:
        v1.train.add_queue_runner(qr, collection=collection_key(key))
    return qr


def _summary_collections(s: Step) -> Any:
    keys = s.get("collections")
    return None if keys is None else [collection_key(k) for k in keys]


@_kind("summary_scalar", "summary", {"x": "tensor"})
def _summary_scalar(c: _Ctx, s: Step) -> Any:
    x = c.tf.reshape(c.tf.cast(adapt(c.tf, c.ref("x"), "real"), c.tf.float32), [-1])[0]
    return c.v1.summary.scalar(
        s.get("tag", "loss"), x, collections=_summary_collections(s), family=s.get("family")
    )


@_kind("summary_histogram", "summary", {"x": "tensor"})
def _summary_histogram(c: _Ctx, s: Step) -> Any:
    return c.v1.summary.histogram(
        s.get("tag", "h"), adapt(c.tf, c.ref("x"), "real"), collections=_summary_collections(s)
    )


@_kind("summary_text", "summary", {"x": "tensor"})
def _summary_text(c: _Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "string")
    return c.v1.summary.text(s.get("tag", "t"), x, collections=_summary_collections(s))


@_kind("summary_image", "summary")
def _summary_image(c: _Ctx, s: Step) -> Any:
    img = c.tf.zeros([1, 2, 2, s.get("channels", 3)])
    return c.v1.summary.image(
        s.get("tag", "img"),
        img,
        max_outputs=s.get("max_outputs", 3),
        collections=_summary_collections(s),
    )


@_kind("merge_all", "summary")
def _merge_all(c: _Ctx, s: Step) -> Any:
    key = s.get("key")
    if key is None:
        return c.v1.summary.merge_all(name=s.get("name"))
    return c.v1.summary.merge_all(key=collection_key(key), name=s.get("name"))


@_kind("summary_merge", "summary", ref_lists={"xs": "summary"})
def _summary_merge(c: _Ctx, s: Step) -> Any:
    return c.v1.summary.merge(c.refs("xs"), name=s.get("name"))


# ---------------------------------------------------------------------------------------
# Control flow
# ---------------------------------------------------------------------------------------


def _pred(c: _Ctx, p: Any) -> Any:
    tf = c.tf
    p = tf.convert_to_tensor(p)
    return tf.reduce_any(tf.not_equal(p, tf.zeros_like(p)))


def _cond(c: _Ctx, s: Step, nest: str) -> Any:
    tf = c.tf
    a = c.tensor("a")
    b = tf.cast(c.ref("b"), a.dtype.base_dtype)
    pred = _pred(c, c.ref("pred"))

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


def _while_loop(c: _Ctx, x: Any, ext: Any, n: int, s: Step | None = None) -> Any:
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


@_kind(
    "cond_v1",
    "tensor",
    {"pred": "tensor", "a": "tensor", "b": "tensor"},
    doc="tf.cond with v1 control flow (CondContext)",
)
def _cond_v1(c: _Ctx, s: Step) -> Any:
    with v1_control_flow(c.tf):
        return _cond(c, s, s.get("nest", "none"))


@_kind(
    "while_v1",
    "tensor",
    {"x": "tensor", "ext": "tensor"},
    doc="tf.while_loop with v1 control flow (WhileContext)",
)
def _while_v1(c: _Ctx, s: Step) -> Any:
    with v1_control_flow(c.tf):
        return _while_loop(c, c.tensor("x"), c.ref("ext"), s.get("n", 3), s)


@_kind(
    "cond_v2",
    "tensor",
    {"pred": "tensor", "a": "tensor", "b": "tensor"},
    doc="tf.cond with v2 control flow (If)",
)
def _cond_v2(c: _Ctx, s: Step) -> Any:
    return _cond(c, s, s.get("nest", "none"))


@_kind(
    "while_v2",
    "tensor",
    {"x": "tensor", "ext": "tensor"},
    doc="tf.while_loop with v2 control flow (While)",
)
def _while_v2(c: _Ctx, s: Step) -> Any:
    return _while_loop(c, c.tensor("x"), c.ref("ext"), s.get("n", 3), s)


@_kind("switch_case", "tensor", {"i": "tensor", "a": "tensor"})
def _switch_case(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    a = c.tensor("a")
    i = tf.reshape(tf.cast(c.ref("i"), tf.int32), [-1])[0]
    branches = [lambda: tf.identity(a), lambda: a + a, lambda: tf.zeros_like(a)]
    return tf.switch_case(i, branches[: s.get("branches", 2)], name=s.get("name"))


# ---------------------------------------------------------------------------------------
# Functions, gradients, training
# ---------------------------------------------------------------------------------------


def _function_body(c: _Ctx, s: Step, x: Any) -> Any:
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


_FUNCTION_NAMES = ("f", "g", "s", "fn")


def _named(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    fn.__name__ = fn.__qualname__ = name
    return fn


@_kind(
    "function_call",
    "tensor",
    {"x": "tensor", "ext": "var"},
    doc="a tf.function called on x (bodies: simple, capture, variable, control, ...)",
)
def _function_call(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    fn = _named(lambda a: _function_body(c, s, a), s.get("fname", "f"))
    return c.tf.function(fn)(x)


@_kind(
    "function_capture",
    "tensor",
    {"x": "tensor", "ext": "tensor"},
    doc="a tf.function capturing a graph tensor",
)
def _function_capture(c: _Ctx, s: Step) -> Any:
    return _function_call(c, dict(s, variant="capture"))


@_kind("function_concrete", None, doc="a tf.function traced (get_concrete_function), not called")
def _function_concrete(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    fn = _named(lambda a: a * 2, s.get("fname", "f"))
    shape = s.get("shape")
    tf.function(fn).get_concrete_function(tf.TensorSpec(shape, c.dtype(s.get("dtype", "float32"))))


@_kind("defun_call", "tensor", {"x": "tensor"}, doc="a legacy function.Defun, called")
def _defun_call(c: _Ctx, s: Step) -> Any:
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


@_kind("gradients", "tensor", {"y": "tensor"}, {"xs": "tensor"}, doc="tf.gradients(y, xs)")
def _gradients(c: _Ctx, s: Step) -> Any:
    xs = c.refs("xs")
    if not xs:
        raise Skip("no xs")
    grads = c.tf.gradients(c.ref("y"), xs, name=s.get("name") or "gradients", stop_gradients=None)
    for g in grads:
        if g is not None:
            return g
    raise Skip("no gradient")


_OPTIMIZERS = {
    "sgd": lambda v1: v1.train.GradientDescentOptimizer(0.1),
    "momentum": lambda v1: v1.train.MomentumOptimizer(0.1, 0.9),
    "adam": lambda v1: v1.train.AdamOptimizer(0.01),
    "adagrad": lambda v1: v1.train.AdagradOptimizer(0.1),
    "rmsprop": lambda v1: v1.train.RMSPropOptimizer(0.1),
}


@_kind("minimize", "op", {"loss": "tensor"}, doc="an optimizer's minimize(loss)")
def _minimize(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    loss = tf.reduce_sum(tf.cast(c.ref("loss"), tf.float32))
    opt = _OPTIMIZERS[s.get("optimizer", "sgd")](c.v1)
    step = c.v1.train.get_or_create_global_step() if s.get("global_step") else None
    return opt.minimize(loss, global_step=step, name=s.get("name"))


# ---------------------------------------------------------------------------------------
# Misc ops
# ---------------------------------------------------------------------------------------


@_kind("no_op", "op")
def _no_op(c: _Ctx, s: Step) -> Any:
    return c.tf.no_op(name=s.get("name"))


@_kind("group", "op", ref_lists={"xs": "op"})
def _group(c: _Ctx, s: Step) -> Any:
    return c.tf.group(*[as_op(x) for x in c.refs("xs")], name=s.get("name"))


@_kind("tuple", "tensor", ref_lists={"xs": "tensor"})
def _tuple(c: _Ctx, s: Step) -> Any:
    out = c.tf.tuple([c.tf.convert_to_tensor(x) for x in c.refs("xs")], name=s.get("name"))
    if not out:
        raise Skip("empty tuple")
    return out[0]


@_kind("assert", "op", {"x": "tensor"}, doc="tf.debugging.Assert")
def _assert(c: _Ctx, s: Step) -> Any:
    x = c.ref("x")
    return c.tf.debugging.Assert(_pred(c, x), [x], summarize=s.get("summarize"), name=s.get("name"))


@_kind("print", "op", {"x": "tensor"}, doc="tf.print")
def _print(c: _Ctx, s: Step) -> Any:
    return c.tf.print("value:", c.ref("x"), name=s.get("name"))


@_kind("py_func", "tensor", {"x": "tensor"}, doc="tf.compat.v1.py_func")
def _py_func(c: _Ctx, s: Step) -> Any:
    x = c.tensor("x")
    return c.v1.py_func(
        lambda a: a, [x], x.dtype.base_dtype, stateful=s.get("stateful", True), name=s.get("name")
    )


@_kind("lookup_table", "tensor", doc="a StaticHashTable and a lookup")
def _lookup_table(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    init = tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2])
    table = tf.lookup.StaticHashTable(init, default_value=-1, name=s.get("name") or "table")
    return table.lookup(tf.constant(["a", "c"]))


@_kind("dataset", "tensor", doc="a tf.data pipeline and a v1 iterator's get_next")
def _dataset(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    ds = tf.data.Dataset.range(s.get("n", 3))
    if s.get("map"):
        ds = ds.map(lambda x: x * 2)
    if s.get("iterator", "one_shot") == "one_shot":
        it = c.v1.data.make_one_shot_iterator(ds)
    else:
        it = c.v1.data.make_initializable_iterator(ds)
    return it.get_next(name=s.get("name"))


@_kind("import_graph_def", "tensor", doc="tf.import_graph_def of a small GraphDef")
def _import_graph_def(c: _Ctx, s: Step) -> Any:
    tf = c.tf
    gd = tf.compat.v1.GraphDef()
    for name, inputs in (("c", ["b"]), ("b", ["a"]), ("a", [])):
        node = gd.node.add(name=name, op="Identity" if inputs else "Const")
        node.input.extend(inputs)
        node.attr["T" if inputs else "dtype"].type = 1
        if not inputs:
            node.attr["value"].tensor.dtype = 1
            node.attr["value"].tensor.float_val.append(1.0)
            node.attr["value"].tensor.tensor_shape.SetInParent()
    out = tf.import_graph_def(gd, name=s.get("prefix", "import"), return_elements=["c:0"])
    return out[0]


@_kind("set_attr", None, {"x": "op"}, doc="op._set_attr of _output_shapes/_class/a custom attr")
def _set_attr(c: _Ctx, s: Step) -> Any:
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


@_kind("finalize", None, doc="graph.finalize(), deferred until the whole program is built")
def _finalize(c: _Ctx, s: Step) -> Any:
    # Deferred: a step that fails on a finalized graph may leave it half-built (e.g.
    # import_graph_def adds the C++ nodes, then fails to create their Python ops).
    c.finalize = True


def _item(c: _Ctx, s: Step) -> Any:
    np = c.np
    kind = s.get("item", "str")
    v = s.get("value", 0)
    if kind in ITEM_REF_POOLS:
        x = c.ref("ref")
        if kind == "op":
            return as_op(x)
        if kind == "tensor":
            return c.tf.convert_to_tensor(x)
        return x
    if kind == "context":
        g = c.v1.get_default_graph()
        contexts = g.get_collection("cond_context") + g.get_collection("while_context")
        if not contexts:
            raise Skip("no control-flow context")
        return contexts[v % len(contexts)]
    simple: dict[str, Callable[[], Any]] = {
        "str": lambda: _as_str(STRINGS[v % len(STRINGS)]),
        "bytes": lambda: _as_bytes(STRINGS[v % len(STRINGS)]),
        "int": lambda: (0, 1, -1, 3, 2**31)[v % 5],
        "bigint": lambda: 1 << 63,
        "negbigint": lambda: -(1 << 63) - 1,
        "bool": lambda: v % 2 == 0,
        "float": lambda: (1.5, 0.1, -0.0, float("nan"), float("inf"))[v % 5],
        "bigfloat": lambda: 1e300,
        "np_int64": lambda: np.int64(v),
        "np_int32": lambda: np.int32(v),
        "np_uint8": lambda: np.uint8(v % 256),
        "np_float32": lambda: np.float32(0.1 * v),
        "np_float64": lambda: np.float64(0.1 * v),
        "np_bool": lambda: np.bool_(v % 2 == 0),
        "none": lambda: None,
        "named_none": NamedNone,
        "named_int": NamedInt,
        "dict": lambda: {"a": v},
        "list": lambda: [v],
    }
    if kind in simple:
        return simple[kind]()
    from google.protobuf import any_pb2

    if kind == "any":
        return any_pb2.Any(type_url="type.googleapis.com/tensorflow.SaverDef", value=b"\n\x01x")
    return any_pb2.Any(type_url="example.com/unknown.Type", value=b"\x01")


def _as_str(x: Any) -> str:
    return x.decode("latin-1") if isinstance(x, bytes) else str(x)


def _as_bytes(x: Any) -> bytes:
    return x if isinstance(x, bytes) else str(x).encode("utf-8")


@_kind("add_to_collection", None, doc="tf.compat.v1.add_to_collection(key, item)")
def _add_to_collection(c: _Ctx, s: Step) -> Any:
    c.v1.add_to_collection(collection_key(s.get("key", "c")), _item(c, s))


@_kind("add_to_collections", None, doc="tf.compat.v1.add_to_collections(keys, item)")
def _add_to_collections(c: _Ctx, s: Step) -> Any:
    keys = [collection_key(k) for k in s.get("keys", ["c"])]
    c.v1.add_to_collections(keys, _item(c, s))


@_kind("clear_collection", None, doc="graph.clear_collection(key)")
def _clear_collection(c: _Ctx, s: Step) -> Any:
    c.v1.get_default_graph().clear_collection(collection_key(s.get("key", "c")))


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------

_MODIFIERS = ("scope", "device", "colocate", "deps")


def describe(program: Sequence[Step], trace: Sequence[str] | None = None) -> str:
    """The program as readable Python-like code (``x<i>`` is the result of step ``i``).

    With the interpreter's ``trace``, skipped steps are marked.
    """
    lines: list[str] = []
    for i, (step, r) in enumerate(zip(program, resolve(program), strict=True)):
        indent = ""
        withs: list[str] = []
        for component in step.get("scope") or []:
            withs.append(f"name_scope({component!r})")
        if step.get("device") is not None:
            withs.append(f"device({step['device']!r})")
        if step.get("colocate") is not None:
            withs.append(f"colocate_with({_ref_name(r.refs.get('colocate'))})")
        if step.get("deps"):
            deps = ", ".join(_ref_name(j) for j in r.lists.get("deps", []))
            withs.append(f"control_dependencies([{deps}])")
        if withs:
            lines.append("with " + ", ".join(withs) + ":")
            indent = "    "
        args: list[str] = []
        for key, value in step.items():
            if key in ("op", *_MODIFIERS):
                continue
            if key in r.refs:
                args.append(f"{key}={_ref_name(r.refs[key])}")
            elif key in r.lists:
                args.append(f"{key}=[{', '.join(_ref_name(j) for j in r.lists[key])}]")
            else:
                args.append(f"{key}={_render_value(step, key, value)}")
        result = KINDS[step["op"]].result
        lhs = f"x{i} = " if result is not None else ""
        note = ""
        if trace is not None and i < len(trace) and trace[i] != "ok":
            note = f"  # {trace[i]}"
        lines.append(f"{indent}{lhs}{step['op']}({', '.join(args)}){note}")
    return "\n".join(lines) if lines else "# (empty program)"


def _ref_name(j: int | None) -> str:
    return "<none>" if j is None else f"x{j}"


def _render_value(step: Step, key: str, value: Any) -> str:
    if step["op"] == "py_const" and key == "value" and isinstance(value, int):
        return repr(PY_VALUES[value % len(PY_VALUES)])
    if key in ("key", "collection") and isinstance(value, str):
        return repr(collection_key(value))
    if key in ("keys", "collections") and isinstance(value, list):
        return repr([collection_key(k) if isinstance(k, str) else k for k in value])
    return repr(value)
