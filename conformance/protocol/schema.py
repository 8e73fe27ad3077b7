"""The protocol's schema under any protobuf runtime: generated message classes, or classes
built from the descriptor embedded in a generated module.

``conformance/protocol/conformance.proto`` (package ``metagraph_ref``) defines the
protocol's messages; ``conformance_pb2`` is its generated module. A process whose protobuf
runtime is older than the generator's (an older TensorFlow release pins an older protobuf)
may refuse to run a generated module; ``load_messages`` then builds the message classes
from the serialized descriptor embedded in the module's source, in a private descriptor
pool, without running it. The TF testee loads the protocol's messages (and the snapshot
schema, ``refimpl.pb.snapshot_pb2``, by name) this way.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import types
from pathlib import Path
from typing import Any

__all__ = ["PROTOCOL_MODULE", "embedded_messages", "load_messages", "protocol_messages"]

#: The generated module of the protocol's schema.
PROTOCOL_MODULE = "conformance.protocol.conformance_pb2"


def load_messages(module: str) -> Any:
    """A generated ``_pb2`` module, or, if this protobuf runtime refuses it (older than the
    generator), a namespace of message classes built from the descriptor embedded in it."""
    try:
        return importlib.import_module(module)
    except Exception:  # noqa: BLE001 - VersionError, or ImportError of runtime_version
        return embedded_messages(module)


def protocol_messages() -> Any:
    """The protocol's message classes (``Hello``, ``ExportRequest``, ...), as ``load_messages``
    gives them."""
    return load_messages(PROTOCOL_MODULE)


def embedded_messages(module: str) -> types.SimpleNamespace:
    """The message classes of a generated ``_pb2`` module, built (in a private descriptor
    pool) from the serialized descriptor in its source, without running it."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"cannot find {module}")
    serialized: bytes | None = None
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "AddSerializedFile"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, bytes)
        ):
            serialized = node.args[0].value
    if serialized is None:
        raise ImportError(f"no serialized descriptor in {spec.origin}")
    proto = descriptor_pb2.FileDescriptorProto.FromString(serialized)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is None:  # protobuf < 4.22
        get_class = getattr(message_factory.MessageFactory(pool), "GetPrototype")  # noqa: B009
    namespace = types.SimpleNamespace()
    for message in proto.message_type:
        descriptor = pool.FindMessageTypeByName(f"{proto.package}.{message.name}")
        setattr(namespace, message.name, get_class(descriptor))
    for enum in proto.enum_type:  # top-level enum values, as a generated module has them
        for value in enum.value:
            setattr(namespace, value.name, value.number)
    return namespace
