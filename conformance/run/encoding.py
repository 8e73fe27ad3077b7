"""Where two encodings of a protobuf message first differ, and how, read from the wire.

Used when two files (or returned messages) parse to the same message but their bytes
differ, or to locate the first differing byte of two different messages: the records of
both are walked side by side, guided by the message's descriptor, down to the first
record that differs. The answer names the field path as written (``graph_def.node[12]
.attr["T"]``), the byte offset in the expected data, and what differs in the encoding:
field order, map entry order, packed vs unpacked, a field written on one side only (a
default value written explicitly, for instance), a non-minimal varint or length, or the
value itself.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from conformance.compare import _is_repeated

__all__ = [
    "WireRecord",
    "encoding_difference",
    "key_text",
    "message_encoding_difference",
    "read_varint",
    "wire_records",
]

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5
_ONE_SIDE = "a value written explicitly on one side only (a default?), or an element more"


@dataclass(frozen=True)
class WireRecord:
    """One record of a message on the wire."""

    number: int
    wire_type: int
    #: Offsets in the data: the tag, the value (after the length prefix for LEN records),
    #: and the end.
    start: int
    value_start: int
    end: int
    raw: bytes

    @property
    def value(self) -> bytes:
        """The value's bytes (a LEN record's payload, or the varint/fixed bytes)."""
        return self.raw[self.value_start - self.start :]


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The base-128 varint at ``data[pos:]`` and the position after it; ``ValueError`` if
    it is truncated or longer than 64 bits."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def wire_records(data: bytes) -> list[WireRecord] | None:
    """The records of ``data`` in order, or None if it is not a plain protobuf message
    (groups, bad wire types or truncated records)."""
    out = []
    pos = 0
    try:
        while pos < len(data):
            start = pos
            tag, pos = read_varint(data, pos)
            number, wire_type = tag >> 3, tag & 7
            if wire_type == _VARINT:
                value_start = pos
                _, pos = read_varint(data, pos)
            elif wire_type == _FIXED64:
                value_start, pos = pos, pos + 8
            elif wire_type == _FIXED32:
                value_start, pos = pos, pos + 4
            elif wire_type == _LEN:
                length, value_start = read_varint(data, pos)
                pos = value_start + length
            else:
                return None
            if pos > len(data) or number == 0:
                return None
            out.append(WireRecord(number, wire_type, start, value_start, pos, data[start:pos]))
    except ValueError:
        return None
    return out


def key_text(key: object) -> str:
    """A map key as shown in a field path: strings double-quoted (``attr["T"]``)."""
    return json.dumps(key, ensure_ascii=False) if isinstance(key, str) else repr(key)


def _field_name(descriptor: Descriptor | None, number: int) -> str:
    fd = descriptor.fields_by_number.get(number) if descriptor is not None else None
    return fd.name if fd is not None else f"<unknown field {number}>"


def _is_map(fd: FieldDescriptor | None) -> bool:
    return fd is not None and fd.message_type is not None and fd.message_type.GetOptions().map_entry


def _message_type(fd: FieldDescriptor) -> Descriptor:
    descriptor = fd.message_type
    assert descriptor is not None, fd.full_name
    return descriptor


def _map_key(entry: bytes, fd: FieldDescriptor) -> object:
    """The key of a serialized map entry, decoded (or its raw bytes)."""
    for rec in wire_records(entry) or []:
        if rec.number == 1:
            key_fd = _message_type(fd).fields_by_number[1]
            if key_fd.type == FieldDescriptor.TYPE_STRING:
                return rec.value.decode("utf-8", "replace")
            if rec.wire_type == _VARINT:
                return read_varint(rec.value, 0)[0]
            return rec.value
    return ""


def _decoded(rec: WireRecord) -> object:
    if rec.wire_type == _VARINT:
        return read_varint(rec.value, 0)[0]
    return rec.value


def _scalar_text(value: object) -> str:
    if isinstance(value, bytes) and len(value) > 40:
        return repr(value[:40])[:-1] + "...'" + f" ({len(value)} bytes)"
    return repr(value)


def message_encoding_difference(expected: bytes, actual: bytes, cls: type[Message]) -> str | None:
    """``encoding_difference`` of two serialized ``cls`` messages."""
    descriptor = cls.DESCRIPTOR
    assert isinstance(descriptor, Descriptor)
    return encoding_difference(expected, actual, descriptor)


def encoding_difference(
    expected: bytes, actual: bytes, descriptor: Descriptor, path: str = "", base: int = 0
) -> str | None:
    """How ``actual`` first departs from ``expected`` on the wire, or None if equal:
    ``"<field path>: byte <offset>: <what differs>"`` (the offset in ``expected``)."""
    if expected == actual:
        return None
    fe, fa = wire_records(expected), wire_records(actual)
    if fe is None or fa is None:
        limit = min(len(expected), len(actual))
        at = next((i for i in range(limit) if expected[i] != actual[i]), limit)
        side = "TF's" if fe is None else "the testee's"
        shown = " vs ".join(
            f"0x{data[at]:02x}" if at < len(data) else "the end" for data in (expected, actual)
        )
        return f"{path or '<root>'}: byte {base + at}: {shown} ({side} does not parse here)"
    seen: Counter[int] = Counter()
    for i in range(max(len(fe), len(fa))):
        x = fe[i] if i < len(fe) else None
        y = fa[i] if i < len(fa) else None
        if x is not None and y is not None and x.raw == y.raw:
            seen[x.number] += 1
            continue
        return _record_difference(fe[i:], fa[i:], descriptor, path, base, seen, len(expected))
    return f"{path or '<root>'}: byte {base}: same records, different bytes"


def _record_difference(
    rest_e: list[WireRecord],
    rest_a: list[WireRecord],
    descriptor: Descriptor,
    path: str,
    base: int,
    seen: Counter[int],
    size: int,
) -> str:
    def at(rec: WireRecord | None) -> str:
        return f"byte {base + (rec.start if rec is not None else size)}"

    def name_of(number: int) -> str:
        name = _field_name(descriptor, number)
        return f"{path}.{name}" if path else name

    x = rest_e[0] if rest_e else None
    y = rest_a[0] if rest_a else None
    if x is None:
        assert y is not None
        return (
            f"{name_of(y.number)}: {at(x)}: written by the testee after TF's last field "
            f"({_ONE_SIDE})"
        )
    if y is None:
        return (
            f"{name_of(x.number)}: {at(x)}: written by TF, missing at the end of the "
            f"testee's ({_ONE_SIDE})"
        )
    fd = descriptor.fields_by_number.get(x.number)
    if x.number != y.number:
        left = Counter(r.number for r in rest_e)
        right = Counter(r.number for r in rest_a)
        if left == right:
            return (
                f"{name_of(x.number)}: {at(x)}: field order: TF writes "
                f"{_field_name(descriptor, x.number)} (field {x.number}) here, the testee "
                f"{_field_name(descriptor, y.number)} (field {y.number})"
            )
        if left[x.number] > right[x.number]:
            return f"{name_of(x.number)}: {at(x)}: written by TF, not by the testee ({_ONE_SIDE})"
        return f"{name_of(y.number)}: {at(x)}: written by the testee, not by TF ({_ONE_SIDE})"
    index = seen[x.number]
    repeated = fd is not None and _is_repeated(fd)
    here = name_of(x.number) + (f"[{index}]" if repeated and not _is_map(fd) else "")
    if x.wire_type != y.wire_type:
        if repeated and _LEN in (x.wire_type, y.wire_type):
            packed = "TF's packed, the testee's unpacked"
            if y.wire_type == _LEN:
                packed = "TF's unpacked, the testee's packed"
            return f"{name_of(x.number)}: {at(x)}: packed vs unpacked encoding ({packed})"
        return f"{here}: {at(x)}: wire type {x.wire_type} vs {y.wire_type}"
    if x.wire_type == _LEN and fd is not None and fd.message_type is not None:
        if _is_map(fd):
            ke, ka = _map_key(x.value, fd), _map_key(y.value, fd)
            if ke != ka:
                keys_e = {_map_key(r.value, fd) for r in rest_e if r.number == x.number}
                keys_a = {_map_key(r.value, fd) for r in rest_a if r.number == x.number}
                if keys_e == keys_a:
                    return (
                        f"{name_of(x.number)}: {at(x)}: map entry order: TF writes key "
                        f"{key_text(ke)} as entry {index}, the testee {key_text(ka)}"
                    )
                return (
                    f"{name_of(x.number)}[{key_text(ke)}]: {at(x)}: entry keys differ "
                    f"(TF's {key_text(ke)}, the testee's {key_text(ka)})"
                )
            here = f"{name_of(x.number)}[{key_text(ke)}]"
            inner = _entry_difference(x, y, fd, here, base)
        else:
            inner = encoding_difference(
                x.value, y.value, fd.message_type, here, base + x.value_start
            )
        if inner is not None and x.value != y.value:
            return inner
        return f"{here}: {at(x)}: length prefix encoded differently (non-minimal varint)"
    ve, va = _decoded(x), _decoded(y)
    if ve == va:
        return (
            f"{here}: {at(x)}: the same value {ve!r} encoded in {len(x.value)} vs "
            f"{len(y.value)} bytes (non-minimal varint)"
        )
    return f"{here}: {at(x)}: {_scalar_text(ve)} vs {_scalar_text(va)} (as encoded)"


def _entry_difference(
    x: WireRecord, y: WireRecord, fd: FieldDescriptor, here: str, base: int
) -> str | None:
    """The difference inside two map entries with the same key: the value's path is
    ``here`` itself (``attr["T"]``), not ``attr["T"].value``."""
    entry = _message_type(fd)
    value_fd = entry.fields_by_number[2]
    re_, ra = wire_records(x.value) or [], wire_records(y.value) or []
    ve = next((r for r in re_ if r.number == 2), None)
    va = next((r for r in ra if r.number == 2), None)
    if (
        value_fd.message_type is not None
        and ve is not None
        and va is not None
        and [r.number for r in re_] == [r.number for r in ra]
        and ve.value != va.value
    ):
        return encoding_difference(
            ve.value, va.value, value_fd.message_type, here,
            base + x.value_start + ve.value_start,
        )
    return encoding_difference(x.value, y.value, entry, here, base + x.value_start)
