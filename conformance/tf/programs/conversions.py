"""Values and conversions the step builders share: deterministic constants, tensors
adapted to what an op accepts, a truth value of any tensor."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from conformance.tf.programs.model import STRINGS

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


def truthy(tf: Any, p: Any) -> Any:
    """Whether any element of ``p`` is nonzero, as a scalar bool tensor."""
    p = tf.convert_to_tensor(p)
    return tf.reduce_any(tf.not_equal(p, tf.zeros_like(p)))
