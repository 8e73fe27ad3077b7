"""The arguments of a case's exports as refimpl takes them: ``ExportArguments`` -> kwargs.

The codec itself is the protocol's (``conformance.protocol.values``); here its
``ProtoValue`` messages become refimpl's classes (``PROTO_TYPES``), for ``run_case``, the
generated cases and other Python code that runs refimpl on the corpus.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from conformance.protocol.conformance_pb2 import ExportArguments, PyValue
from conformance.protocol.values import (
    PROTO_ARGUMENTS,
    decode_arguments,
    decode_value,
    encode_value,
    message_builder,
)
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef

__all__ = [
    "BUILD_MESSAGE",
    "PROTO_ARGUMENTS",
    "PROTO_TYPES",
    "from_arguments",
    "from_py_value",
    "to_py_value",
]

#: Full protobuf type name -> refimpl's class, for ``ProtoValue`` arguments.
PROTO_TYPES: dict[str, type[Message]] = {
    "tensorflow.MetaGraphDef.MetaInfoDef": MetaGraphDef.MetaInfoDef,
    "tensorflow.GraphDef": GraphDef,
    "tensorflow.SaverDef": SaverDef,
}
#: ``ProtoValue`` arguments become refimpl's classes (``PROTO_TYPES``).
BUILD_MESSAGE = message_builder(PROTO_TYPES)
#: A Python argument value as a ``PyValue`` (``conformance.protocol.values.encode_value``).
to_py_value = encode_value


def from_py_value(value: PyValue) -> Any:
    """The Python value of a ``PyValue``; a ``ProtoValue`` becomes refimpl's message class."""
    return decode_value(value, BUILD_MESSAGE)


def from_arguments(arguments: ExportArguments) -> dict[str, Any]:
    """The keyword arguments for ``refimpl.run_exports`` (and TF), in sorted key order.

    ``ProtoValue``s become refimpl's classes (``PROTO_TYPES``).
    """
    return decode_arguments(arguments, BUILD_MESSAGE)
