"""TensorFlow 2.21's ``AreAttrValuesEqual``, re-implemented in pure Python.

TF's ``strip_default_attrs`` keeps a node attr unless
``EqualAttrValueWrapper(value, op_def_default)`` (C++ ``AreAttrValuesEqual``
with ``allow_false_negatives=false``) says it equals the OpDef's default.
The rules below were established by experiment against TF 2.21
(``tests/data/attr_equality_cases.json`` holds TF's verdicts):

1. ``type``: if the two ``type`` values (0 when ``type`` is not the set case)
   differ, unequal; if both are non-zero, equal (unknown fields ignored).
2. ``tensor``: if only one side holds a tensor, unequal; if both do, the
   tensors are compared as values (see ``_tensors_equal``).
3. ``func``: if only one side holds a func, unequal; if both do, equal iff the
   names are equal and the attr maps have the same keys whose values are equal
   by these same rules (recursively, independent of order).
4. Everything else, including ``list`` (even of tensors or funcs), ``s``,
   ``i``, ``f``, ``b``, ``shape``, ``placeholder`` and the unset value, is
   compared by deterministic serialization, so the set oneof case, float bits
   (``-0.0`` != ``0.0``; NaN equals NaN with the same bits), dim names and
   unknown fields all count.

Tensors (``_tensors_equal``) mirror ``AreTensorProtosEqual``: the byte sizes
(``num_elements * DataTypeSize``, -1 if the partial shape is unknown or
invalid) must match; if the left proto serializes to fewer than 512 bytes, its
byte size exceeds 4096 and both serialize identically, they are equal without
decoding; otherwise both are decoded as ``Tensor::FromProto`` would (a proto
that does not decode makes them unequal, even if it is identical on both
sides) and compared by dtype, dims and element bytes. Decoding follows TF:
``tensor_content`` must hold exactly the elements; otherwise the typed
``*_val`` field of the dtype is read (other fields are ignored), extra values
are dropped, missing ones repeat the last value (zero if none; the default
handle or empty variant for resource and variant tensors); integers are
truncated to the element width (``int4``/``int2`` keep the low 8 bits); dim
names, ``version_number`` and ``unknown_rank`` of a tensor shape play no part.

Not modelled: variant elements other than empty ones and TF's POD variants
(``int``, ``float``, ``double``, ``bool``) count as undecodable (TF decodes a
few more registered types, and crashes on some); tensors whose decoded size
exceeds ``_MAX_ALLOC_BYTES`` count as unallocatable (in TF that limit depends
on the machine).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from refimpl.pb.tensorflow import attr_value_pb2, resource_handle_pb2, tensor_pb2
from refimpl.pb.tensorflow import tensor_shape_pb2 as shape_pb2

__all__ = ["attr_values_equal"]

AttrValue = attr_value_pb2.AttrValue
TensorProto = tensor_pb2.TensorProto

_MAX_DIMS = 254
_INT64_LIMIT = 1 << 63
_SHORTCUT_MAX_PROTO_BYTES = 512  # the left proto must serialize to fewer bytes
_SHORTCUT_MIN_TENSOR_BYTES = 4096  # ... and its tensor must need more bytes
_MAX_ALLOC_BYTES = 1 << 40

# DataType numbers (tensorflow/core/framework/types.proto).
_FLOAT, _DOUBLE, _INT32, _UINT8, _INT16, _INT8, _STRING, _COMPLEX64 = 1, 2, 3, 4, 5, 6, 7, 8
_INT64, _BOOL, _QINT8, _QUINT8, _QINT32, _BFLOAT16, _QINT16, _QUINT16 = (
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
)
_UINT16, _COMPLEX128, _HALF, _RESOURCE, _VARIANT, _UINT32, _UINT64 = 17, 18, 19, 20, 21, 22, 23
_FLOAT8_AND_FLOAT4 = (24, 25, 26, 27, 28, 33)  # float8_* and float4_e2m1fn
_INT4_AND_INT2 = (29, 30, 31, 32)  # int4, uint4, int2, uint2

# Element size in bytes of the fixed-width dtypes (TF's DataTypeSize).
_POD_SIZE: dict[int, int] = {
    _FLOAT: 4, _DOUBLE: 8, _INT32: 4, _UINT8: 1, _INT16: 2, _INT8: 1, _COMPLEX64: 8,
    _INT64: 8, _BOOL: 1, _QINT8: 1, _QUINT8: 1, _QINT32: 4, _BFLOAT16: 2, _QINT16: 2,
    _QUINT16: 2, _UINT16: 2, _COMPLEX128: 16, _HALF: 2, _UINT32: 4, _UINT64: 8,
}  # fmt: skip
_POD_SIZE.update({dt: 1 for dt in _FLOAT8_AND_FLOAT4 + _INT4_AND_INT2})
# DataTypeSize is 0 for these; their in-memory element sizes bound allocation.
_NON_POD_MEMORY_SIZE: dict[int, int] = {_STRING: 24, _RESOURCE: 64, _VARIANT: 64}

# Variant types whose decoder TF registers for plain old data: metadata size.
_POD_VARIANTS: dict[str, int] = {"int": 4, "float": 4, "double": 8, "bool": 1}

# Packed fixed-width value fields read from the wire, to keep exact float bits.
_FIXED_FIELDS: dict[int, tuple[str, int]] = {
    _FLOAT: ("float_val", 4),
    _COMPLEX64: ("scomplex_val", 8),
    _DOUBLE: ("double_val", 8),
    _COMPLEX128: ("dcomplex_val", 16),
}
_INT_FORMATS: dict[int, tuple[str, int]] = {1: ("B", 0xFF), 2: ("H", 0xFFFF)}


def attr_values_equal(a: AttrValue, b: AttrValue) -> bool:
    """Whether TF 2.21's ``AreAttrValuesEqual(a, b)`` holds (see the module doc)."""
    if a.type != b.type:
        return False
    if a.type != 0:
        return True
    a_tensor, b_tensor = a.HasField("tensor"), b.HasField("tensor")
    if a_tensor != b_tensor:
        return False
    if a_tensor:
        return _tensors_equal(a.tensor, b.tensor)
    a_func, b_func = a.HasField("func"), b.HasField("func")
    if a_func != b_func:
        return False
    if a_func:
        return _funcs_equal(a.func, b.func)
    return _serialized(a) == _serialized(b)


def _funcs_equal(a: attr_value_pb2.NameAttrList, b: attr_value_pb2.NameAttrList) -> bool:
    if a.name != b.name or set(a.attr) != set(b.attr):
        return False
    return all(attr_values_equal(a.attr[key], b.attr[key]) for key in b.attr)


def _serialized(message: AttrValue | TensorProto) -> bytes:
    return message.SerializeToString(deterministic=True)


class _Undecodable(Exception):
    """A tensor proto that ``Tensor::FromProto`` would reject."""


def _tensors_equal(lhs: TensorProto, rhs: TensorProto) -> bool:
    lhs_bytes = _tensor_byte_size(lhs)
    if lhs_bytes != _tensor_byte_size(rhs):
        return False
    if (
        lhs.ByteSize() < _SHORTCUT_MAX_PROTO_BYTES
        and lhs_bytes > _SHORTCUT_MIN_TENSOR_BYTES
        and _serialized(lhs) == _serialized(rhs)
    ):
        return True
    try:
        return _decode_tensor(lhs) == _decode_tensor(rhs)
    except _Undecodable:
        return False


def _multiply(x: int, y: int) -> int:
    """TF's MultiplyWithoutOverflow, with results of 2**63 and more as -1."""
    if x < 0 or y < 0:
        return -1
    product = x * y
    return -1 if product >= _INT64_LIMIT else product


def _partial_shape(shape: shape_pb2.TensorShapeProto) -> tuple[int, ...] | None:
    """``PartialTensorShape::BuildPartialTensorShape``: dims (-1 unknown) or None."""
    if shape.unknown_rank:
        return None
    dims: list[int] = []
    num_elements = 1
    known_product = 1
    for dim in shape.dim:
        size = dim.size
        if len(dims) >= _MAX_DIMS:
            raise _Undecodable("too many dimensions")
        if num_elements < 0 or size < 0:
            num_elements = -1
        else:
            num_elements = _multiply(num_elements, size)
            if num_elements < 0:
                raise _Undecodable("shape overflow")
        if size > 0:
            known_product = _multiply(known_product, size)
            if known_product < 0:
                raise _Undecodable("shape overflow")
        dims.append(max(size, -1))
    return tuple(dims)


def _tensor_byte_size(tensor: TensorProto) -> int:
    try:
        dims = _partial_shape(tensor.tensor_shape)
    except _Undecodable:
        return -1
    if dims is None or any(d < 0 for d in dims):
        return -1
    num_elements = 1
    for d in dims:
        num_elements = _multiply(num_elements, d)
    return _multiply(num_elements, _POD_SIZE.get(tensor.dtype, 0))


def _tensor_shape(shape: shape_pb2.TensorShapeProto) -> tuple[tuple[int, ...], int]:
    """A fully defined ``TensorShape``'s dims and element count (``unknown_rank`` ignored)."""
    if len(shape.dim) > _MAX_DIMS:
        raise _Undecodable("too many dimensions")
    dims = tuple(dim.size for dim in shape.dim)
    num_elements = 1
    for d in dims:
        num_elements = _multiply(num_elements, d)
        if num_elements < 0:
            raise _Undecodable("invalid shape")
    return dims, num_elements


_Decoded = tuple[int, tuple[int, ...], object]


def _decode_tensor(tensor: TensorProto) -> _Decoded:
    """``Tensor::FromProto``, as (dtype, dims, canonical elements)."""
    dims, n = _tensor_shape(tensor.tensor_shape)
    dtype = int(tensor.dtype)
    pod_size = _POD_SIZE.get(dtype)
    memory_size = pod_size if pod_size is not None else _NON_POD_MEMORY_SIZE.get(dtype)
    if memory_size is None:
        raise _Undecodable("unsupported dtype")
    if n == 0:
        return dtype, dims, None
    if n * memory_size > _MAX_ALLOC_BYTES:
        raise _Undecodable("allocation fails")
    content = tensor.tensor_content
    if pod_size is not None:
        if content:
            if len(content) != n * pod_size:
                raise _Undecodable("tensor_content has the wrong size")
            return dtype, dims, _normalize_blob(content, b"", n, pod_size)
        values, fill = _pod_values(tensor, dtype, pod_size, n)
        return dtype, dims, _normalize_blob(values, fill, n, pod_size)
    if dtype == _STRING:
        if content:
            return dtype, dims, _normalize_list(_decode_string_list(content, n), None, n)
        strings = list(tensor.string_val[:n])
        return dtype, dims, _normalize_list(strings, strings[-1] if strings else b"", n)
    if dtype == _RESOURCE:
        if content:
            chunks = _decode_string_list(content, n)
            handles = [_resource_handle(_parse_handle(c)) for c in chunks]
        else:
            handles = [_resource_handle(h) for h in tensor.resource_handle_val[:n]]
        default = _resource_handle(resource_handle_pb2.ResourceHandleProto())
        return dtype, dims, _normalize_list(handles, default, n)
    # Variant.
    if content:
        chunks = _decode_string_list(content, n)
        variants = [_variant(_parse_variant(c)) for c in chunks]
    else:
        variants = [_variant(v) for v in tensor.variant_val[:n]]
    return dtype, dims, _normalize_list(variants, None, n)


def _pod_values(tensor: TensorProto, dtype: int, size: int, n: int) -> tuple[bytes, bytes]:
    """The first ``n`` values of the dtype's ``*_val`` field, and the fill element."""
    if dtype in _FIXED_FIELDS:
        field, _ = _FIXED_FIELDS[dtype]
        payload = _packed_payload(tensor, field)
        blob = payload[: (len(payload) // size) * size][: n * size]
    elif dtype in _FLOAT8_AND_FLOAT4:
        blob = tensor.float8_val[:n]
    elif dtype == _BOOL:
        blob = bytes(1 if v else 0 for v in tensor.bool_val[:n])
    elif dtype == _INT64:
        blob = _pack("q", tensor.int64_val[:n])
    elif dtype == _UINT32:
        blob = _pack("I", tensor.uint32_val[:n])
    elif dtype == _UINT64:
        blob = _pack("Q", tensor.uint64_val[:n])
    elif dtype in (_HALF, _BFLOAT16):
        blob = _pack("H", [v & 0xFFFF for v in tensor.half_val[:n]])
    elif size == 4:  # int32, qint32
        blob = _pack("i", tensor.int_val[:n])
    else:  # 8- and 16-bit integers (incl. quantized), int4/uint4/int2/uint2
        fmt, mask = _INT_FORMATS[size]
        blob = _pack(fmt, [v & mask for v in tensor.int_val[:n]])
    fill = blob[-size:] if blob else bytes(size)
    return blob, fill


def _pack(fmt: str, values: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(values)}{fmt}", *values)


_CLEARABLE_FIELDS = (
    "dtype", "tensor_shape", "version_number", "tensor_content", "half_val", "float_val",
    "double_val", "int_val", "string_val", "scomplex_val", "int64_val", "bool_val",
    "dcomplex_val", "resource_handle_val", "variant_val", "uint32_val", "uint64_val",
    "float8_val",
)  # fmt: skip


def _packed_payload(tensor: TensorProto, field: str) -> bytes:
    """The packed bytes of a fixed-width repeated field, read without float conversion.

    Reading ``float_val`` through Python floats would quiet signalling NaNs.
    """
    only = TensorProto()
    only.CopyFrom(tensor)
    only.DiscardUnknownFields()
    for name in _CLEARABLE_FIELDS:
        if name != field:
            only.ClearField(name)  # type: ignore[arg-type]
    data = only.SerializeToString()
    if not data:
        return b""
    pos = 1  # one-byte tag: the field numbers are below 16
    _, pos = _read_varint(data, pos, 64)
    return data[pos:]


def _read_varint(data: bytes, pos: int, bits: int) -> tuple[int, int]:
    """Reads a varint; 32-bit ones follow TF's GetVarint32 (at most 5 bytes)."""
    result = 0
    shift = 0
    max_bytes = 5 if bits == 32 else 10
    for _ in range(max_bytes):
        if pos >= len(data):
            break
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & ((1 << bits) - 1), pos
        shift += 7
    raise _Undecodable("bad varint")


def _decode_string_list(content: bytes, n: int) -> list[bytes]:
    """TF's DecodeStringList: ``n`` varint32 sizes, then exactly that many bytes."""
    sizes: list[int] = []
    pos = 0
    for _ in range(n):
        size, pos = _read_varint(content, pos, 32)
        sizes.append(size)
    if sum(sizes) != len(content) - pos:
        raise _Undecodable("string list sizes do not match")
    out: list[bytes] = []
    for size in sizes:
        out.append(content[pos : pos + size])
        pos += size
    return out


def _normalize_blob(blob: bytes, fill: bytes, n: int, size: int) -> tuple[bytes, bytes]:
    """``n`` fixed-size elements given as a prefix padded with ``fill``, canonically.

    Returns (prefix without its trailing run of the last element, last element).
    """
    last = fill if len(blob) < n * size else blob[-size:]
    count = len(blob) // size
    lo, hi = 0, count  # the largest run length r with blob ending in last * r
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if blob.endswith(last * mid):
            lo = mid
        else:
            hi = mid - 1
    return blob[: len(blob) - lo * size], last


def _normalize_list(
    items: Sequence[object], fill: object, n: int
) -> tuple[tuple[object, ...], object]:
    """Like ``_normalize_blob`` for variable-size elements."""
    last = fill if len(items) < n else items[-1]
    end = len(items)
    while end and items[end - 1] == last:
        end -= 1
    return tuple(items[:end]), last


def _parse_handle(data: bytes) -> resource_handle_pb2.ResourceHandleProto:
    try:
        return resource_handle_pb2.ResourceHandleProto.FromString(data)
    except Exception as e:  # DecodeError, or invalid UTF-8
        raise _Undecodable("bad resource handle") from e


def _parse_variant(data: bytes) -> tensor_pb2.VariantTensorDataProto:
    try:
        return tensor_pb2.VariantTensorDataProto.FromString(data)
    except Exception as e:
        raise _Undecodable("bad variant") from e


def _resource_handle(handle: resource_handle_pb2.ResourceHandleProto) -> object:
    """``ResourceHandle::FromProto`` then ``AsProto``: the fields it keeps."""
    dtypes_and_shapes = tuple(
        (int(ds.dtype), _partial_shape(ds.shape)) for ds in handle.dtypes_and_shapes
    )
    return (
        handle.device,
        handle.container,
        handle.name,
        handle.hash_code,
        handle.maybe_type_name,
        dtypes_and_shapes,
    )


def _variant(value: tensor_pb2.VariantTensorDataProto) -> object:
    """``DecodeUnaryVariant``, for the empty variant and TF's POD variant types."""
    if not value.type_name:
        if value.metadata or len(value.tensors):
            raise _Undecodable("malformed empty variant")
        return None
    size = _POD_VARIANTS.get(value.type_name)
    if size is None or len(value.metadata) != size:
        raise _Undecodable("variant type not modelled")
    if value.type_name == "bool":
        return ("bool", value.metadata != b"\x00")
    return (value.type_name, value.metadata)
