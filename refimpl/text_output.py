"""Text format output (spec.md 10.2): protobuf's ``text_format.MessageToString``, faster.

``message_to_string(message, pool)`` returns exactly what
``text_format.MessageToString(message, descriptor_pool=pool)`` returns (default options:
UTF-8 strings unescaped, fields in field-number order, maps sorted by key, one field a
line, two spaces of indent a level), but decides how to print each field once per field
descriptor instead of once per value, and escapes bytes with one ``str.translate``.
Anything it does not print itself (an ``Any``, which may expand through ``pool``; an
extension; a group) is handed to protobuf's own printer at the same indent, so that
failures (an ``Any`` that does not parse raises ``DecodeError``) are protobuf's own.

``tests/test_perf_text.py`` checks it against ``text_format`` over the corpus and random
messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from google.protobuf import descriptor, text_encoding, text_format
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

__all__ = ["TextStyle", "message_to_string"]

_F = descriptor.FieldDescriptor
_ANY = "google.protobuf.Any"
#: Byte -> its escape in a bytes field (``text_encoding.CEscape(b, as_utf8=False)``).
_ESCAPES: Any = text_encoding  # (its escape tables are private)
_BYTE_ESCAPES: dict[int, str] = {i: _ESCAPES._byte_escapes[i] for i in range(256)}
_STR_ESCAPES: dict[int, str] = _ESCAPES._str_escapes

Out = list[str]
#: Prints one field's value(s) at an indent.
FieldPrinter = Callable[[Any, str, Out, DescriptorPool | None], None]


class TextStyle(NamedTuple):
    """How protobuf's printer was called: the two options that vary with TF's release and
    protobuf runtime (spec.md 0.3.2)."""

    #: ``float_format=''`` (TF 2.12 to 2.20): a float field prints as ``str()`` of its
    #: value widened to a double (``0.6546536684036255``), not as the shortest text that
    #: reads back as the same float (``0.65465367``).
    str_floats: bool = False
    #: ``as_utf8=False`` (protobuf 4's default): a string field prints its UTF-8 bytes
    #: escaped as a bytes field does (``\303\251``), not the characters.
    ascii_strings: bool = False


#: protobuf's defaults of TF 2.21 on protobuf 7 (the reference).
REFERENCE_STYLE = TextStyle()


def message_to_string(
    message: Message, pool: DescriptorPool | None = None, style: TextStyle = REFERENCE_STYLE
) -> str:
    """``text_format.MessageToString(message, descriptor_pool=pool)``, with the options
    ``style`` names."""
    out: Out = []
    _print_message(message, "", out, pool, style)
    return "".join(out)


def _print_message(
    message: Message, indent: str, out: Out, pool: DescriptorPool | None, style: TextStyle
) -> None:
    if message.DESCRIPTOR.full_name == _ANY:
        _print_by_protobuf(message, indent, out, pool)
        return
    for field, value in message.ListFields():
        printer = _PRINTERS.get((field, style))
        if printer is None:
            printer = _PRINTERS[field, style] = _field_printer(field, style)
        printer(value, indent, out, pool)


def _print_by_protobuf(
    message: Message, indent: str, out: Out, pool: DescriptorPool | None
) -> None:
    writer = text_format.TextWriter(True)
    printer = text_format._Printer(writer, indent=len(indent), descriptor_pool=pool)  # noqa: SLF001
    printer.PrintMessage(message)
    out.append(writer.getvalue())


_PRINTERS: dict[tuple[descriptor.FieldDescriptor, TextStyle], FieldPrinter] = {}


def _field_printer(field: descriptor.FieldDescriptor, style: TextStyle) -> FieldPrinter:
    """How ``text_format._Printer`` prints this field, decided once."""
    if field.is_extension or field.type == _F.TYPE_GROUP:
        return _by_protobuf(field)
    name = field.name
    if field.cpp_type == _F.CPPTYPE_MESSAGE:
        entry = field.message_type
        assert entry is not None
        if entry.has_options and entry.GetOptions().map_entry:
            return _map_printer(name, entry, style)
        opening = f"{name} {{\n"

        def print_message(value: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
            out.append(indent + opening)
            _print_message(value, indent + "  ", out, pool, style)
            out.append(indent + "}\n")

        if not field.is_repeated:
            return print_message

        def print_messages(values: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
            opening_line = indent + opening
            closing_line = indent + "}\n"
            inner = indent + "  "
            for value in values:
                out.append(opening_line)
                _print_message(value, inner, out, pool, style)
                out.append(closing_line)

        return print_messages
    text = _scalar_text(field, style)
    prefix = f"{name}: "
    if not field.is_repeated:

        def print_scalar(value: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
            out.append(f"{indent}{prefix}{text(value)}\n")

        return print_scalar

    def print_scalars(values: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
        line = indent + prefix
        out.extend([f"{line}{text(v)}\n" for v in values])

    return print_scalars


def _map_printer(name: str, entry: descriptor.Descriptor, style: TextStyle) -> FieldPrinter:
    """A map field: an entry message per key, in sorted key order, printed as
    ``text_format`` prints ``GetEntryClass()(key=key, value=value[key])``: a message value
    is always there; a key or scalar value equal to its default is absent, unless the
    field has presence (proto2 entries)."""
    key_field = entry.fields_by_name["key"]
    key_text = _scalar_text(key_field, style)
    key_always = key_field.has_presence  # (a proto2 entry: a key set is printed)
    value_field = entry.fields_by_name["value"]
    opening = f"{name} {{\n"
    if value_field.cpp_type == _F.CPPTYPE_MESSAGE:

        def print_entries(mapping: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
            inner = indent + "  "
            for key in sorted(mapping):
                out.append(indent + opening)
                if key_always or key:
                    out.append(f"{inner}key: {key_text(key)}\n")
                out.append(inner + "value {\n")
                _print_message(mapping[key], inner + "  ", out, pool, style)
                out.append(inner + "}\n")
                out.append(indent + "}\n")

        return print_entries
    if value_field.cpp_type in (_F.CPPTYPE_FLOAT, _F.CPPTYPE_DOUBLE):
        return _map_by_protobuf(entry)  # (whether -0.0 is present is protobuf's to say)
    value_text = _scalar_text(value_field, style)
    value_always = value_field.has_presence

    def print_scalar_entries(
        mapping: Any, indent: str, out: Out, pool: DescriptorPool | None
    ) -> None:
        inner = indent + "  "
        for key in sorted(mapping):
            out.append(indent + opening)
            if key_always or key:
                out.append(f"{inner}key: {key_text(key)}\n")
            value = mapping[key]
            if value_always or value:
                out.append(f"{inner}value: {value_text(value)}\n")
            out.append(indent + "}\n")

    return print_scalar_entries


def _map_by_protobuf(entry: descriptor.Descriptor) -> FieldPrinter:
    def print_entries(mapping: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
        writer = text_format.TextWriter(True)
        printer = text_format._Printer(writer, indent=len(indent), descriptor_pool=pool)  # noqa: SLF001
        container = entry.containing_type
        assert container is not None
        field = container.fields_by_name[_map_field_name(entry)]
        for key in sorted(mapping):
            printer.PrintField(field, mapping.GetEntryClass()(key=key, value=mapping[key]))
        out.append(writer.getvalue())

    return print_entries


def _map_field_name(entry: descriptor.Descriptor) -> str:
    """The map field whose entries ``entry`` describes (``FooEntry`` of field ``foo``)."""
    container = entry.containing_type
    assert container is not None
    for field in container.fields:
        if field.message_type is entry:
            return str(field.name)
    raise KeyError(entry.full_name)


def _by_protobuf(field: descriptor.FieldDescriptor) -> FieldPrinter:
    def print_field(value: Any, indent: str, out: Out, pool: DescriptorPool | None) -> None:
        writer = text_format.TextWriter(True)
        printer = text_format._Printer(writer, indent=len(indent), descriptor_pool=pool)  # noqa: SLF001
        for v in value if field.is_repeated else [value]:
            printer.PrintField(field, v)
        out.append(writer.getvalue())

    return print_field


def _scalar_text(field: descriptor.FieldDescriptor, style: TextStyle) -> Callable[[Any], str]:
    """``_Printer.PrintFieldValue`` of a scalar field (``as_utf8=True``, no ``float_format``
    unless ``style`` says otherwise)."""
    cpp_type = field.cpp_type
    if cpp_type == _F.CPPTYPE_ENUM:
        enum_type = field.enum_type
        assert enum_type is not None
        names = {n: v.name for n, v in enum_type.values_by_number.items()}

        def enum_text(value: int) -> str:
            return names.get(value) or str(value)

        return enum_text
    if cpp_type == _F.CPPTYPE_STRING:
        if field.type == _F.TYPE_BYTES:
            return _bytes_text
        return _str_as_bytes_text if style.ascii_strings else _str_text
    if cpp_type == _F.CPPTYPE_BOOL:
        return _bool_text
    if cpp_type == _F.CPPTYPE_FLOAT and not style.str_floats:
        return _float_text
    return str


def _bytes_text(value: bytes) -> str:
    return '"' + value.decode("latin-1").translate(_BYTE_ESCAPES) + '"'


def _str_as_bytes_text(value: str) -> str:
    return _bytes_text(value.encode("utf-8"))


def _str_text(value: str) -> str:
    return '"' + value.translate(_STR_ESCAPES) + '"'


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def _float_text(value: float) -> str:
    if math.isnan(value):
        return str(value)
    return str(type_checkers.ToShortestFloat(value))
