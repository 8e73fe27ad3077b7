"""The protocol's argument values: Python values <-> ``metagraph_ref.PyValue``, both ways.

docs/conformance-protocol.md, section 4.3: the arguments of an export travel as
``ExportArguments.kwargs``, parameter name -> ``PyValue`` (``None``, bool, int of any
size, float, str, bytes, list, ``{}``, or a ``ProtoValue``: a message's full type name
and its serialization).

Decoding needs to know *which classes* the messages of a ``ProtoValue`` become: refimpl's
in refimpl's testee and in the corpus API, TensorFlow's own in the TF testee. The caller
says so with a ``MessageBuilder`` (``message_builder(classes)`` makes one from a mapping
full type name -> class). Encoding accepts any protobuf message whose full type name is
one of ``PROTO_TYPE_NAMES``, whatever its class.

Decoding imports nothing but the standard library (it reads any ``PyValue`` class: the
generated one, or one built from an embedded descriptor under an older protobuf runtime,
``conformance.protocol.schema``); encoding loads ``conformance.protocol.conformance_pb2``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.protocol.conformance_pb2 import ExportArguments, PyValue

__all__ = [
    "PROTO_ARGUMENTS",
    "PROTO_TYPE_NAMES",
    "MessageBuilder",
    "decode_arguments",
    "decode_value",
    "encode_arguments",
    "encode_value",
    "message_builder",
]

#: Builds the message of a ``ProtoValue``: (full type name, serialization) -> message.
#: Raises ``ValueError`` for a type it does not know.
MessageBuilder = Callable[[str, bytes], Any]

#: The proto-valued parameters of ``export_meta_graph`` and their message types.
PROTO_ARGUMENTS: dict[str, str] = {
    "meta_info_def": "tensorflow.MetaGraphDef.MetaInfoDef",
    "graph_def": "tensorflow.GraphDef",
    "saver_def": "tensorflow.SaverDef",
}
#: The message types a ``ProtoValue`` may carry.
PROTO_TYPE_NAMES: frozenset[str] = frozenset(PROTO_ARGUMENTS.values())


def message_builder(classes: Mapping[str, Any]) -> MessageBuilder:
    """A ``MessageBuilder`` over message classes by full type name (``cls.FromString``)."""

    def build(type_name: str, data: bytes) -> Any:
        cls = classes.get(type_name)
        if cls is None:
            raise ValueError(f"unknown ProtoValue type {type_name!r}")
        return cls.FromString(data)

    return build


def decode_value(value: PyValue, build: MessageBuilder) -> Any:
    """The Python value of a ``PyValue``; a ``ProtoValue`` becomes ``build``'s message.

    ``ValueError`` for a ``PyValue`` without a value or a message type ``build`` refuses.
    """
    kind = value.WhichOneof("kind")
    if kind == "none":
        return None
    if kind in ("bool_value", "float_value", "str_value", "bytes_value"):
        return getattr(value, kind)
    if kind == "int_value":
        return int(value.int_value)
    if kind == "list_value":
        return [decode_value(item, build) for item in value.list_value.items]
    if kind == "empty_dict":
        return {}
    if kind == "proto_value":
        return build(value.proto_value.type, value.proto_value.value)
    raise ValueError("PyValue without a value")


def decode_arguments(arguments: ExportArguments, build: MessageBuilder) -> dict[str, Any]:
    """The keyword arguments of one export, in sorted name order (the protocol's order:
    the relative order of extra keywords is observable, spec.md rule 2.5)."""
    return {name: decode_value(arguments.kwargs[name], build) for name in sorted(arguments.kwargs)}


def encode_value(value: Any) -> PyValue:
    """A Python argument value as a ``PyValue``.

    Supported: None, bool, int, float, str, bytes, lists of these, ``{}`` and protobuf
    messages of the types ``PROTO_TYPE_NAMES`` (any class: refimpl's, TF's). Anything else
    raises ``TypeError``: the protocol cannot represent it.
    """
    from google.protobuf.message import Message

    from conformance.protocol.conformance_pb2 import PyValue

    out = PyValue()
    if value is None:
        out.none = True
    elif isinstance(value, bool):
        out.bool_value = value
    elif isinstance(value, int):
        out.int_value = str(value)
    elif isinstance(value, float):
        out.float_value = value
    elif isinstance(value, str):
        out.str_value = value
    elif isinstance(value, bytes):
        out.bytes_value = value
    elif isinstance(value, list):
        out.list_value.SetInParent()
        for item in value:
            out.list_value.items.append(encode_value(item))
    elif isinstance(value, dict) and not value:
        out.empty_dict = True
    elif isinstance(value, Message) and value.DESCRIPTOR.full_name in PROTO_TYPE_NAMES:
        out.proto_value.type = value.DESCRIPTOR.full_name
        out.proto_value.value = value.SerializeToString(deterministic=True)
    else:
        raise TypeError(f"cannot represent {type(value).__name__} {value!r} as a PyValue")
    return out


def encode_arguments(kwargs: Mapping[str, Any]) -> ExportArguments:
    """Keyword arguments as ``ExportArguments`` (each value ``encode_value``'d)."""
    from conformance.protocol.conformance_pb2 import ExportArguments

    out = ExportArguments()
    for name, value in kwargs.items():
        out.kwargs[name].CopyFrom(encode_value(value))
    return out
