"""``refimpl.attr_equality`` against TensorFlow's ``AreAttrValuesEqual``.

* Golden cases: ``tests/data/attr_equality_cases.json`` holds TF's verdicts on
  hand-written pairs (written by ``scripts/gen_attr_equality_cases.py`` in a
  TF process); no TensorFlow needed here.
* Property test (``tf`` mark): batches of random AttrValue pairs, biased to
  be nearly equal, are judged (both ways round) by one TF subprocess
  (``python -m conformance.tools.attr_equality_oracle``) and by our function.
  This process never imports TensorFlow. ``ATTR_EQUALITY_EXAMPLES`` sets the
  number of examples (default 300).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import pytest
from google.protobuf import text_format
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from refimpl.attr_equality import attr_values_equal
from refimpl.pb.tensorflow import resource_handle_pb2, tensor_pb2
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue, NameAttrList

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "attr_equality_cases.json"
GOLDEN: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = GOLDEN["cases"]
HAS_TF = importlib.util.find_spec("tensorflow") is not None
EXAMPLES = int(os.environ.get("ATTR_EQUALITY_EXAMPLES", "300"))


def _side(text: str) -> AttrValue:
    if text.startswith("wire:"):
        return AttrValue.FromString(bytes.fromhex(text[len("wire:") :]))
    return text_format.Parse(text, AttrValue())


# ---------------------------------------------------------------- golden cases


@pytest.mark.parametrize("case", CASES, ids=[str(c["id"]) for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    a, b = _side(case["a"]), _side(case["b"])
    assert attr_values_equal(a, b) is case["equal"]
    assert attr_values_equal(b, a) is case["equal_swapped"]


def test_golden_cases_cover_every_kind() -> None:
    assert GOLDEN["tf_version"].startswith("2.21.")
    assert len(CASES) >= 60
    kinds: set[str] = set()
    for case in CASES:
        for text in (case["a"], case["b"]):
            kind = _side(text).WhichOneof("value")
            kinds.add(kind or "unset")
    assert kinds == {
        "s",
        "i",
        "f",
        "b",
        "type",
        "shape",
        "tensor",
        "list",
        "func",
        "placeholder",
        "unset",
    }
    assert any(c["equal"] for c in CASES) and not all(c["equal"] for c in CASES)


def test_golden_file_matches_generator_cases() -> None:
    """The committed verdicts cover exactly the generator's current table."""
    spec = importlib.util.spec_from_file_location(
        "gen_attr_equality_cases", REPO / "scripts" / "gen_attr_equality_cases.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports no TensorFlow at module level
    assert "tensorflow" not in sys.modules
    table = [(c["id"], c["a"], c["b"]) for c in CASES]
    assert table == list(module.CASES), "rerun scripts/gen_attr_equality_cases.py"


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ('func { name: "f" attr { key: "a" value { i: 1 } } }', 'func { name: "f" }', False),
        (
            "tensor { dtype: DT_FLOAT float_val: 1 }",
            "tensor { dtype: DT_FLOAT float_val: 1 }",
            True,
        ),
        ("tensor { dtype: DT_COMPLEX64 }", "tensor { dtype: DT_COMPLEX64 scomplex_val: 0 }", True),
        ("tensor { dtype: DT_RESOURCE }", "tensor { dtype: DT_VARIANT }", False),
    ],
)
def test_result_is_a_bool_and_inputs_are_untouched(a: str, b: str, equal: bool) -> None:
    x, y = _side(a), _side(b)
    before = (x.SerializeToString(), y.SerializeToString(), str(x), str(y))
    assert attr_values_equal(x, y) is equal
    assert (x.SerializeToString(), y.SerializeToString(), str(x), str(y)) == before


# ---------------------------------------------------------------- TF oracle


class _Oracle:
    """One ``attr_equality_oracle`` subprocess, asked one pair at a time."""

    def __init__(self) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "conformance.tools.attr_equality_oracle"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )

    def equal(self, pairs: list[tuple[AttrValue, AttrValue]]) -> list[bool]:
        """TF's verdicts on a batch of pairs, sent at once."""
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        frames = []
        for pair in pairs:
            for message in pair:
                data = message.SerializeToString()
                frames.append(struct.pack("<I", len(data)) + data)
        stdin.write(b"".join(frames))
        stdin.flush()
        answers = stdout.read(len(pairs))
        if len(answers) != len(pairs) or set(answers) - {ord("0"), ord("1")}:
            raise RuntimeError(f"oracle answered {answers!r}; stderr:\n{self._stderr_text()}")
        return [answer == ord("1") for answer in answers]

    def _stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-4000:]

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=60)
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
            self._stderr.close()


@pytest.fixture(scope="module")
def oracle() -> Iterator[_Oracle]:
    o = _Oracle()
    try:
        yield o
    finally:
        o.close()


# ---------------------------------------------------------------- strategies
#
# Values are drawn as abstract specs, then each side encodes its spec with
# its own encoding choices (tensor_content or *_val, splats, extra values,
# dim names, attr insertion order, ...); the second spec is usually the
# first one, or a small mutation of it.


@dataclass(frozen=True)
class _Codec:
    """How one dtype's elements (raw in-memory bytes) appear in a TensorProto."""

    raws: tuple[bytes, ...]
    to_field: Callable[[tensor_pb2.TensorProto, bytes, int], None]  # (tensor, raw, alias)
    content: Callable[[list[bytes]], bytes]


def _floats(fmt: str, values: tuple[float, ...]) -> tuple[bytes, ...]:
    return tuple(struct.pack("<" + fmt, v) for v in values)


_F = (0.0, -0.0, 1.0, -1.5, math.inf, math.nan, -math.nan)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _string_list(items: list[bytes]) -> bytes:
    return b"".join(_varint(len(x)) for x in items) + b"".join(items)


def _int_field(
    name: str, fmt: str, modulus: int
) -> Callable[[tensor_pb2.TensorProto, bytes, int], None]:
    def put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
        (value,) = struct.unpack("<" + fmt, raw)
        value += alias * modulus
        getattr(t, name).append(value)

    return put


def _float_field(name: str, fmt: str) -> Callable[[tensor_pb2.TensorProto, bytes, int], None]:
    def put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
        size = struct.calcsize("<" + fmt)
        for i in range(0, len(raw), size):
            getattr(t, name).append(struct.unpack("<" + fmt, raw[i : i + size])[0])

    return put


def _bool_put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
    t.bool_val.append(raw != b"\x00")


def _float8_put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
    t.float8_val += raw


def _string_put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
    t.string_val.append(raw)


def _resource(raw: bytes) -> resource_handle_pb2.ResourceHandleProto:
    handle = resource_handle_pb2.ResourceHandleProto(name=raw.decode())
    if raw == b"s":
        ds = handle.dtypes_and_shapes.add(dtype=1)
        ds.shape.dim.add(size=-1)
    return handle


def _resource_put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
    t.resource_handle_val.append(_resource(raw))


def _variant(raw: bytes) -> tensor_pb2.VariantTensorDataProto:
    if not raw:
        return tensor_pb2.VariantTensorDataProto()
    type_name, metadata = raw.split(b":", 1)
    return tensor_pb2.VariantTensorDataProto(type_name=type_name.decode(), metadata=metadata)


def _variant_put(t: tensor_pb2.TensorProto, raw: bytes, alias: int) -> None:
    t.variant_val.append(_variant(raw))


def _raw_content(raws: list[bytes]) -> bytes:
    return b"".join(raws)


_BYTE_RAWS = (b"\x00", b"\x01", b"\x7f", b"\x80", b"\xff")
_SHORT_RAWS = (b"\x00\x00", b"\x01\x00", b"\x00<", b"\x00\x80", b"\xff\xff", b"\x80?")
_CODECS: dict[int, _Codec] = {
    1: _Codec(_floats("f", _F), _float_field("float_val", "f"), _raw_content),
    2: _Codec(_floats("d", _F), _float_field("double_val", "d"), _raw_content),
    3: _Codec(_floats("i", (0, 1, -1, 2**31 - 1)), _int_field("int_val", "i", 0), _raw_content),
    4: _Codec(_BYTE_RAWS, _int_field("int_val", "B", 256), _raw_content),
    5: _Codec(_SHORT_RAWS, _int_field("int_val", "h", 65536), _raw_content),
    6: _Codec(_BYTE_RAWS, _int_field("int_val", "b", 256), _raw_content),
    7: _Codec(
        (b"", b"a", b"ab", b"\xff\x00"),
        _string_put,
        lambda raws: _string_list(raws),
    ),
    8: _Codec(
        tuple(a + b for a in _floats("f", (0.0, -0.0, 1.0)) for b in _floats("f", (0.0, math.nan))),
        _float_field("scomplex_val", "f"),
        _raw_content,
    ),
    9: _Codec(_floats("q", (0, 1, -1, 2**40)), _int_field("int64_val", "q", 0), _raw_content),
    10: _Codec((b"\x00", b"\x01"), _bool_put, _raw_content),
    11: _Codec(_BYTE_RAWS, _int_field("int_val", "b", 256), _raw_content),
    12: _Codec(_BYTE_RAWS, _int_field("int_val", "B", 256), _raw_content),
    13: _Codec(_floats("i", (0, 1, -1)), _int_field("int_val", "i", 0), _raw_content),
    14: _Codec(_SHORT_RAWS, _int_field("half_val", "H", 65536), _raw_content),
    15: _Codec(_SHORT_RAWS, _int_field("int_val", "h", 65536), _raw_content),
    16: _Codec(_SHORT_RAWS, _int_field("int_val", "H", 65536), _raw_content),
    17: _Codec(_SHORT_RAWS, _int_field("int_val", "H", 65536), _raw_content),
    18: _Codec(
        tuple(a + b for a in _floats("d", (0.0, -0.0)) for b in _floats("d", (1.0, math.nan))),
        _float_field("dcomplex_val", "d"),
        _raw_content,
    ),
    19: _Codec(_SHORT_RAWS, _int_field("half_val", "H", 65536), _raw_content),
    20: _Codec(
        (b"", b"a", b"s"),
        _resource_put,
        lambda raws: _string_list([_resource(r).SerializeToString() for r in raws]),
    ),
    21: _Codec(
        (
            b"",
            b"int:\x01\x00\x00\x00",
            b"int:\x02\x00\x00\x00",
            b"bool:\x01",
            b"bool:\x02",
            b"foo:",
        ),
        _variant_put,
        lambda raws: _string_list([_variant(r).SerializeToString() for r in raws]),
    ),
    22: _Codec(_floats("I", (0, 1, 2**32 - 1)), _int_field("uint32_val", "I", 0), _raw_content),
    23: _Codec(_floats("Q", (0, 1, 2**64 - 1)), _int_field("uint64_val", "Q", 0), _raw_content),
}
for _dt in (24, 25, 26, 27, 28, 33):
    _CODECS[_dt] = _Codec(_BYTE_RAWS, _float8_put, _raw_content)
for _dt in (29, 31):
    _CODECS[_dt] = _Codec(_BYTE_RAWS, _int_field("int_val", "b", 256), _raw_content)
for _dt in (30, 32):
    _CODECS[_dt] = _Codec(_BYTE_RAWS, _int_field("int_val", "B", 256), _raw_content)
_DTYPES = sorted(_CODECS)
# Drawn family first, so that each kind of element handling is tried often.
_DTYPE_FAMILIES: tuple[tuple[int, ...], ...] = (
    (1, 2, 8, 18),  # float, double, complex64, complex128
    (14, 19),  # bfloat16, half
    (3, 4, 5, 6, 9, 17, 22, 23),  # plain integers
    (11, 12, 13, 15, 16),  # quantized integers
    (24, 25, 26, 27, 28, 33, 29, 30, 31, 32),  # float8/float4, int4/int2
    (10,),  # bool
    (7,),  # string
    (20,),  # resource
    (21,),  # variant
)
assert sorted(dt for family in _DTYPE_FAMILIES for dt in family) == _DTYPES


@dataclass(frozen=True)
class _TensorSpec:
    dtype: int
    dims: tuple[int, ...]
    raws: tuple[bytes, ...]


@dataclass(frozen=True)
class _FuncSpec:
    name: str
    attrs: tuple[tuple[str, object], ...]  # (key, spec) sorted by key


@dataclass(frozen=True)
class _ListSpec:
    scalars: AttrValue.ListValue
    tensors: tuple[_TensorSpec, ...] = ()
    funcs: tuple[_FuncSpec, ...] = field(default=())


def _num_elements(dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= max(d, 0)
    return n


@st.composite
def _tensor_specs(draw: st.DrawFn, dtype: int | None = None) -> _TensorSpec:
    if dtype is None:
        dtype = draw(st.sampled_from(draw(st.sampled_from(_DTYPE_FAMILIES))))
    dims = tuple(draw(st.lists(st.sampled_from([0, 1, 1, 2, 2, 3, -1]), max_size=3)))
    n = _num_elements(dims) if all(d >= 0 for d in dims) else draw(st.integers(0, 3))
    codec = _CODECS[dtype]
    pool = draw(st.lists(st.sampled_from(codec.raws), min_size=1, max_size=2, unique=True))
    raws = tuple(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    return _TensorSpec(dtype, dims, raws)


def _encode_tensor(draw: st.DrawFn, spec: _TensorSpec) -> tensor_pb2.TensorProto:
    t = tensor_pb2.TensorProto(dtype=spec.dtype)  # type: ignore[arg-type]
    named = draw(st.integers(0, 9)) == 0
    for i, d in enumerate(spec.dims):
        t.tensor_shape.dim.add(size=d, name=f"d{i}" if named else "")
    if draw(st.integers(0, 14)) == 0:
        t.tensor_shape.unknown_rank = True
    if draw(st.integers(0, 9)) == 0:
        t.version_number = 1
    codec = _CODECS[spec.dtype]
    raws = list(spec.raws)
    how = draw(st.sampled_from(["content", "field", "field", "field", "bad_content"]))
    if how == "content":
        t.tensor_content = codec.content(raws)
    elif how == "bad_content":
        t.tensor_content = codec.content(raws) + b"\x00"
    else:
        if draw(st.booleans()):  # splat: drop the trailing run of the last element
            while len(raws) > 1 and raws[-1] == raws[-2]:
                raws.pop()
            drop_all = draw(st.booleans())
            if drop_all and all(r == codec.raws[0] for r in raws):
                raws.clear()  # all default values: maybe no values at all
        if draw(st.integers(0, 5)) == 0:
            raws.append(draw(st.sampled_from(codec.raws)))  # extra value
        alias = draw(st.sampled_from([0, 0, 0, 1, -1]))
        for raw in raws:
            codec.to_field(t, raw, alias)
    return t


def _shape_value(dims: list[int], unknown_rank: bool) -> AttrValue:
    out = AttrValue()
    out.shape.unknown_rank = unknown_rank
    for d in dims:
        out.shape.dim.add(size=d)
    return out


_SCALARS: st.SearchStrategy[AttrValue] = st.one_of(
    st.builds(lambda s: AttrValue(s=s), st.sampled_from([b"", b"a", b"\xff"])),
    st.builds(lambda i: AttrValue(i=i), st.sampled_from([0, 1, -1, 2**63 - 1])),
    st.builds(lambda f: AttrValue(f=f), st.sampled_from(_F)),
    st.builds(lambda b: AttrValue(b=b), st.booleans()),
    st.builds(lambda t: AttrValue(type=t), st.sampled_from([0, 1, 2, 101, 999])),
    st.builds(_shape_value, st.lists(st.sampled_from([-1, 0, 2]), max_size=2), st.booleans()),
    st.builds(lambda p: AttrValue(placeholder=p), st.sampled_from(["", "T"])),
    st.just(AttrValue()),
)


def _mutate_scalar(draw: st.DrawFn, value: AttrValue) -> AttrValue:
    kind = value.WhichOneof("value")
    out = AttrValue()
    out.CopyFrom(value)
    if kind == "f":
        out.f = (
            -value.f if draw(st.booleans()) else math.copysign(math.nan, -math.copysign(1, value.f))
        )
    elif kind == "i":
        out.i = value.i - 1 if draw(st.booleans()) else 0
    elif kind in ("s", "placeholder", None):
        choice = draw(st.sampled_from(["s", "placeholder", "unset"]))
        out = (
            AttrValue()
            if choice == "unset"
            else (AttrValue(s=b"") if choice == "s" else AttrValue(placeholder=""))
        )
    elif kind == "shape":
        out.shape.unknown_rank = not value.shape.unknown_rank
    elif kind == "type":
        out.type = 0 if value.type else 1  # type: ignore[assignment]
    else:
        out = draw(_SCALARS)
    return out


_KEYS = ("a", "b", "c")


@st.composite
def _specs(draw: st.DrawFn, depth: int = 0) -> object:
    kinds = ["scalar", "tensor", "tensor", "list"] + (["func"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        return draw(_SCALARS)
    if kind == "tensor":
        return draw(_tensor_specs())
    if kind == "func":
        keys = draw(st.lists(st.sampled_from(_KEYS), unique=True, max_size=3))
        attrs = tuple((k, draw(_specs(depth + 1))) for k in sorted(keys))
        return _FuncSpec(draw(st.sampled_from(["f", "g", ""])), attrs)
    lv = AttrValue.ListValue()
    which = draw(st.sampled_from(["i", "f", "s", "type", "shape", "tensor", "func", "none"]))
    if which == "i":
        lv.i.extend(draw(st.lists(st.sampled_from([0, 1, -1]), max_size=3)))
    elif which == "f":
        lv.f.extend(draw(st.lists(st.sampled_from(_F), max_size=2)))
    elif which == "s":
        lv.s.extend(draw(st.lists(st.sampled_from([b"", b"a"]), max_size=2)))
    elif which == "type":
        lv.type.extend(draw(st.lists(st.sampled_from([1, 3]), max_size=2)))  # type: ignore[arg-type]
    elif which == "shape":
        lv.shape.add(unknown_rank=draw(st.booleans()))
    tensors = tuple(draw(st.lists(_tensor_specs(), max_size=2))) if which == "tensor" else ()
    funcs: tuple[_FuncSpec, ...] = ()
    if which == "func" and depth < 2:
        funcs = (_FuncSpec("f", (("a", draw(_specs(depth + 1))),)),)
    return _ListSpec(lv, tensors, funcs)


def _mutate(draw: st.DrawFn, spec: object) -> object:
    if isinstance(spec, AttrValue):
        return _mutate_scalar(draw, spec)
    if isinstance(spec, _TensorSpec):
        how = draw(st.sampled_from(["element", "dtype", "dims", "fresh"]))
        if how == "element" and spec.raws:
            i = draw(st.integers(0, len(spec.raws) - 1))
            raw = draw(st.sampled_from(_CODECS[spec.dtype].raws))
            return replace(spec, raws=spec.raws[:i] + (raw,) + spec.raws[i + 1 :])
        if how == "dtype":
            size = {len(r) for r in spec.raws}
            same_size = [
                dt for dt in _DTYPES if {len(r) for r in _CODECS[dt].raws} == size
            ] or _DTYPES
            dtype = draw(st.sampled_from(same_size))
            if all(r in _CODECS[dtype].raws for r in spec.raws):
                return replace(spec, dtype=dtype)
            return draw(_tensor_specs(dtype))
        if how == "dims":
            return replace(spec, dims=spec.dims + (1,) if draw(st.booleans()) else (1,) + spec.dims)
        return draw(_tensor_specs(spec.dtype))
    if isinstance(spec, _FuncSpec):
        how = draw(st.sampled_from(["name", "drop", "value"]))
        if how == "name":
            return replace(spec, name=spec.name + "x")
        if how == "drop" or not spec.attrs:
            return replace(spec, attrs=spec.attrs[1:])
        i = draw(st.integers(0, len(spec.attrs) - 1))
        key, value = spec.attrs[i]
        attrs = spec.attrs[:i] + ((key, _mutate(draw, value)),) + spec.attrs[i + 1 :]
        return replace(spec, attrs=attrs)
    assert isinstance(spec, _ListSpec)
    if spec.tensors:
        first = _mutate(draw, spec.tensors[0])
        assert isinstance(first, _TensorSpec)
        return replace(spec, tensors=(first,) + spec.tensors[1:])
    lv = AttrValue.ListValue()
    lv.CopyFrom(spec.scalars)
    lv.i.append(1)
    return replace(spec, scalars=lv)


def _encode_func(draw: st.DrawFn, spec: _FuncSpec) -> NameAttrList:
    out = NameAttrList(name=spec.name)
    for key, value in draw(st.permutations(list(spec.attrs))):
        out.attr[key].CopyFrom(_encode(draw, value))
    return out


def _encode(draw: st.DrawFn, spec: object) -> AttrValue:
    out = AttrValue()
    if isinstance(spec, AttrValue):
        out.CopyFrom(spec)
    elif isinstance(spec, _TensorSpec):
        out.tensor.CopyFrom(_encode_tensor(draw, spec))
    elif isinstance(spec, _FuncSpec):
        out.func.CopyFrom(_encode_func(draw, spec))
    else:
        assert isinstance(spec, _ListSpec)
        out.list.CopyFrom(spec.scalars)
        for t in spec.tensors:
            out.list.tensor.append(_encode_tensor(draw, t))
        for f in spec.funcs:
            out.list.func.append(_encode_func(draw, f))
    return out


@st.composite
def attr_value_pairs(draw: st.DrawFn) -> tuple[AttrValue, AttrValue]:
    """Pairs of AttrValues, mostly the same value in two encodings or nearly so."""
    a = draw(_specs())
    how = draw(st.sampled_from(["same", "same", "mutated", "mutated", "independent"]))
    b = a if how == "same" else _mutate(draw, a) if how == "mutated" else draw(_specs())
    return _encode(draw, a), _encode(draw, b)


@pytest.mark.tf
@pytest.mark.skipif(not HAS_TF, reason="tensorflow is not installed")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pairs=st.lists(attr_value_pairs(), min_size=1, max_size=10))
def test_agrees_with_tensorflow(oracle: _Oracle, pairs: list[tuple[AttrValue, AttrValue]]) -> None:
    both_ways = [p for a, b in pairs for p in ((a, b), (b, a))]
    expected = oracle.equal(both_ways)
    for (a, b), tf_equal in zip(both_ways, expected, strict=True):
        verdict = "equal" if tf_equal else "different"
        event(f"{a.WhichOneof('value')} vs {b.WhichOneof('value')}: {verdict}")
        assert attr_values_equal(a, b) is tf_equal, (a, b)
