"""The model of graph programs: steps and programs as data, their vocabulary, the
registry of step kinds, and the static resolution of references (no TensorFlow).

See the package docstring (``conformance.tf.programs``) for what a program is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.tf.programs.interpreter import Ctx

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
    build: Callable[[Ctx, Step], Any]
    doc: str = ""


KINDS: dict[str, StepKind] = {}


def step_kind(
    name: str,
    result: str | None,
    refs: Mapping[str, str] | None = None,
    ref_lists: Mapping[str, str] | None = None,
    doc: str = "",
) -> Callable[[Callable[[Ctx, Step], Any]], Callable[[Ctx, Step], Any]]:
    def deco(fn: Callable[[Ctx, Step], Any]) -> Callable[[Ctx, Step], Any]:
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
