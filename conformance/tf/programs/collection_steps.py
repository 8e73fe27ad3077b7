"""Graph collections: items of every kind added to them, collections cleared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.tf.programs.interpreter import Ctx, as_op
from conformance.tf.programs.model import (
    ITEM_REF_POOLS,
    STRINGS,
    NamedInt,
    NamedNone,
    Skip,
    Step,
    collection_key,
    step_kind,
)


def _item(c: Ctx, s: Step) -> Any:
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


@step_kind("add_to_collection", None, doc="tf.compat.v1.add_to_collection(key, item)")
def _add_to_collection(c: Ctx, s: Step) -> Any:
    c.v1.add_to_collection(collection_key(s.get("key", "c")), _item(c, s))


@step_kind("add_to_collections", None, doc="tf.compat.v1.add_to_collections(keys, item)")
def _add_to_collections(c: Ctx, s: Step) -> Any:
    keys = [collection_key(k) for k in s.get("keys", ["c"])]
    c.v1.add_to_collections(keys, _item(c, s))


@step_kind("clear_collection", None, doc="graph.clear_collection(key)")
def _clear_collection(c: Ctx, s: Step) -> Any:
    c.v1.get_default_graph().clear_collection(collection_key(s.get("key", "c")))
