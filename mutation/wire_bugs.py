"""Binary encodings a port gets wrong, for the mutants of spec.md 10.1 (a mutant's
replacement text calls these in place of ``SerializeToString(deterministic=True)``).

Each takes a message, serializes it deterministically, and rewrites the wire bytes as the
faulty port would have written them, guided by the message's descriptors: repeated
scalars unpacked, map entries in plain ascending key order, map entries without their
default-valued key or value. Nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from google.protobuf import descriptor
from google.protobuf.message import Message

from conformance.run.encoding import read_varint
from refimpl.wire import varint

__all__ = ["ascending_maps", "bare_map_entries", "unpacked"]

_F = descriptor.FieldDescriptor
_FIXED = {_F.TYPE_FIXED32: 4, _F.TYPE_SFIXED32: 4, _F.TYPE_FLOAT: 4}
_FIXED.update({_F.TYPE_FIXED64: 8, _F.TYPE_SFIXED64: 8, _F.TYPE_DOUBLE: 8})
Field = tuple[int, int, bytes]  # field number, wire type, payload (a varint's own bytes)


def _fields(data: bytes) -> list[Field]:
    out, pos = [], 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            _, end = read_varint(data, pos)
        elif wire_type == 1:
            end = pos + 8
        elif wire_type == 5:
            end = pos + 4
        elif wire_type == 2:
            size, pos = read_varint(data, pos)
            end = pos + size
        else:
            raise ValueError(f"wire type {wire_type}")
        out.append((number, wire_type, data[pos:end]))
        pos = end
    return out


def _emit(fields: list[Field]) -> bytes:
    out = bytearray()
    for number, wire_type, payload in fields:
        out += varint(number << 3 | wire_type)
        if wire_type == 2:
            out += varint(len(payload))
        out += payload
    return bytes(out)


Rewrite = Callable[[descriptor.FieldDescriptor, list[Field]], list[Field]]


def _rewrite(data: bytes, message_type: descriptor.Descriptor, rewrite: Rewrite) -> bytes:
    out: list[Field] = []
    for number, wire_type, payload in _fields(data):
        field = message_type.fields_by_number.get(number)
        if field is None:
            out.append((number, wire_type, payload))
            continue
        if field.cpp_type == _F.CPPTYPE_MESSAGE and wire_type == 2:
            sub = field.message_type
            assert sub is not None
            payload = _rewrite(payload, sub, rewrite)
        out.extend(rewrite(field, [(number, wire_type, payload)]))
    return _emit(_group_maps(out, message_type, rewrite))


def _is_map(field: descriptor.FieldDescriptor) -> bool:
    sub = field.message_type
    return bool(sub is not None and sub.has_options and sub.GetOptions().map_entry)


def _group_maps(
    fields: list[Field], message_type: descriptor.Descriptor, rewrite: Rewrite
) -> list[Field]:
    """Each map field's entries handed to ``rewrite`` together (they are contiguous)."""
    out: list[Field] = []
    i = 0
    while i < len(fields):
        field = message_type.fields_by_number.get(fields[i][0])
        j = i + 1
        if field is not None and _is_map(field):
            while j < len(fields) and fields[j][0] == fields[i][0]:
                j += 1
            out.extend(rewrite(field, fields[i:j]) if j - i > 0 else fields[i:j])
        else:
            out.extend(fields[i:j])
        i = j
    return out


def _serialized(message: Message, rewrite: Rewrite) -> bytes:
    data = message.SerializeToString(deterministic=True)
    return _rewrite(data, cast(descriptor.Descriptor, message.DESCRIPTOR), rewrite)


def unpacked(message: Message) -> bytes:
    """Repeated numeric fields written one tagged value per element, never packed."""

    def rewrite(field: descriptor.FieldDescriptor, fields: list[Field]) -> list[Field]:
        packable = field.is_repeated and field.cpp_type not in (
            _F.CPPTYPE_MESSAGE,
            _F.CPPTYPE_STRING,
        )
        if not packable or _is_map(field) or fields[0][1] != 2:
            return fields
        number, _, payload = fields[0]
        width = _FIXED.get(field.type)
        out: list[Field] = []
        pos = 0
        while pos < len(payload):
            if width is None:
                _, end = read_varint(payload, pos)
                out.append((number, 0, payload[pos:end]))
            else:
                end = pos + width
                out.append((number, 5 if width == 4 else 1, payload[pos:end]))
            pos = end
        return out

    return _serialized(message, rewrite)


def _entry_key(entry: bytes) -> tuple[int, bytes | int]:
    for number, wire_type, payload in _fields(entry):
        if number == 1:
            if wire_type == 0:
                return (0, read_varint(payload, 0)[0])
            if wire_type in (1, 5):
                return (0, int.from_bytes(payload, "little"))
            return (1, payload)
    return (1, b"")


def ascending_maps(message: Message) -> bytes:
    """Map entries in plain ascending key order (bytes, or unsigned numbers), as most
    runtimes other than upb write them."""

    def rewrite(field: descriptor.FieldDescriptor, fields: list[Field]) -> list[Field]:
        if not _is_map(field) or len(fields) < 2:
            return fields
        return sorted(fields, key=lambda f: _entry_key(f[2]))

    return _serialized(message, rewrite)


def bare_map_entries(message: Message) -> bytes:
    """Map entries without their key or value when it is the default (empty or zero)."""

    def rewrite(field: descriptor.FieldDescriptor, fields: list[Field]) -> list[Field]:
        if not _is_map(field):
            return fields
        out: list[Field] = []
        for number, wire_type, entry in fields:
            kept = [
                f
                for f in _fields(entry)
                if not (f[2] == b"" or (f[1] != 2 and not any(f[2])))
            ]
            out.append((number, wire_type, _emit(kept)))
        return out

    return _serialized(message, rewrite)
