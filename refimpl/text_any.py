"""An ``Any`` that text format cannot expand (spec.md 10.2.7), reported as the recorded
runtime reports it.

Text format expands an ``Any`` of a known type by parsing its ``value``; when that fails
it raises ``DecodeError``, whose message depends on the protobuf runtime
(``refimpl.protobuf_runtime``: from 7.35.0 on it ends with upb's reason). refimpl's
own runtime may not be the recorded one, so ``recorded_decode_error`` rebuilds the
message: the type comes from the runtime's message, the reason from the runtime's
message when it has one, else from ``decode_reason``.
"""

from __future__ import annotations

import re
from functools import cache

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError, Message

from refimpl.protobuf_runtime import ProtobufRuntime
from refimpl.text_pool import tf_pool_files, tf_text_pool
from refimpl.tf_release import REFERENCE_RELEASE, tf_release

__all__ = ["BAD_UTF8", "CORRUPT", "decode_reason", "recorded_decode_error"]

#: upb's reasons (``upb_DecodeStatus``) a ``DecodeError`` names from protobuf 7.35.0 on.
CORRUPT = "Wire format was corrupt"
BAD_UTF8 = "String field had bad UTF-8"

_STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
_BYTES = descriptor_pb2.FieldDescriptorProto.TYPE_BYTES
_MESSAGE = re.compile(r"^Error parsing message with type '([^']*)'(?:: (.*))?$", re.DOTALL)


def recorded_decode_error(
    error: DecodeError,
    message: Message,
    runtime: ProtobufRuntime,
    release: str = REFERENCE_RELEASE,
) -> DecodeError:
    """``error`` (raised by text format printing ``message`` with TF ``release``'s pool) as
    ``runtime`` words it."""
    m = _MESSAGE.match(str(error))
    if m is None:
        return error
    type_name, reason = m.group(1), m.group(2)
    if reason is None and runtime.decode_error_reasons:
        value = first_undecodable_any(message, release)
        reason = decode_reason(type_name, value, release) if value is not None else CORRUPT
    return DecodeError(runtime.decode_error_message(type_name, reason or ""))


def first_undecodable_any(message: Message, release: str = REFERENCE_RELEASE) -> bytes | None:
    """The ``value`` of the first ``Any`` (in text-format order, expanding those that
    parse) whose type TF ``release``'s text pool knows but whose value does not parse."""
    if message.DESCRIPTOR.full_name == "google.protobuf.Any":
        type_url: str = getattr(message, "type_url")  # noqa: B009 - generic message
        value: bytes = getattr(message, "value")  # noqa: B009
        cls = _text_class(type_url.rpartition("/")[2], release) if "/" in type_url else None
        if cls is None:
            return None
        try:
            packed = cls.FromString(value)
        except DecodeError:
            return value
        return first_undecodable_any(packed, release)
    for fd, field_value in message.ListFields():
        if fd.message_type is None:
            continue
        if fd.message_type.GetOptions().map_entry:
            children = [field_value[k] for k in sorted(field_value)]
            if fd.message_type.fields_by_name["value"].message_type is None:
                children = []
        elif fd.is_repeated:  # protobuf >= 6.31 (7 dropped `label`)
            children = list(field_value)
        else:
            children = [field_value]
        for child in children:
            found = first_undecodable_any(child, release)
            if found is not None:
                return found
    return None


def decode_reason(type_name: str, value: bytes, release: str = REFERENCE_RELEASE) -> str:
    """upb's reason for ``value`` not parsing as ``type_name``: ``BAD_UTF8`` if it parses
    once strings are read as bytes, else ``CORRUPT``.

    upb stops at the first problem; a value whose bad UTF-8 comes before a wire-format
    error elsewhere is reported here as ``CORRUPT`` (upb says ``BAD_UTF8``).
    """
    lenient = _lenient_class(type_name, tf_release(release).data_release)
    if lenient is None:
        return CORRUPT
    try:
        lenient.FromString(value)
    except DecodeError:
        return CORRUPT
    return BAD_UTF8


def _text_class(type_name: str, release: str) -> type[Message] | None:
    try:
        descriptor = tf_text_pool(release).FindMessageTypeByName(type_name)
    except KeyError:
        return None
    return message_factory.GetMessageClass(descriptor)


@cache
def _lenient_pool(release: str) -> descriptor_pool.DescriptorPool:
    """TF ``release``'s text pool with every string field turned into bytes (no UTF-8
    check) and map entries into plain messages (bytes map keys are not allowed)."""
    files = descriptor_pb2.FileDescriptorSet()
    added: set[str] = set()

    def add(name: str) -> None:
        if name in added:
            return
        added.add(name)
        proto = descriptor_pb2.FileDescriptorProto()
        tf_text_pool(release).FindFileByName(name).CopyToProto(proto)
        for dep in proto.dependency:
            add(dep)
        for message in proto.message_type:
            _loosen(message)
        files.file.append(proto)

    for f in tf_pool_files(release).file:
        add(f.name)
    pool = descriptor_pool.DescriptorPool()
    for proto in files.file:
        pool.Add(proto)
    return pool


def _loosen(message: descriptor_pb2.DescriptorProto) -> None:
    message.options.ClearField("map_entry")
    for field in message.field:
        if field.type == _STRING:
            field.type = _BYTES
    for nested in message.nested_type:
        _loosen(nested)


def _lenient_class(type_name: str, release: str) -> type[Message] | None:
    try:
        descriptor: Descriptor = _lenient_pool(release).FindMessageTypeByName(type_name)
    except KeyError:
        return None
    return message_factory.GetMessageClass(descriptor)
