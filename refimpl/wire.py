"""Bulk views of serialized messages: whole-graph work in protobuf's C code, not per node.

refimpl's hot paths (loading a snapshot, the default export) touch every node. Reading a
field of a parsed message from Python costs about as much as parsing the message, so
these paths read whole graphs through *views*: message types of our own that parse the
same bytes as TensorFlow's messages (same field numbers and wire types) but are shaped
for bulk reading. They rest on three facts of the protobuf wire format:

- A message field that occurs several times is *merged*: its repeated fields are
  concatenated. So a view that declares ``GraphDef.node`` as one (singular) message whose
  fields are all ``repeated`` (``FlatNode``) parses a whole graph into one list of every
  node's names, one of every node's inputs, and so on, in node order, while each node is
  still parsed (and checked) on its own, exactly as ``NodeDef`` would parse it.
- A ``bytes`` field and a message field have the same wire type: ``NodeBytes`` gives the
  serialized nodes of a GraphDef without parsing them.
- A ``repeated`` message field is a sequence of (tag, length, bytes) records, so
  ``frame`` turns a list of serialized messages into one ``GraphDef``-shaped blob in a
  single ``bytes.join``.

A list read from a merged view counts *occurrences*: a node whose serialization repeats
a singular field (legal, if unusual) contributes twice. Callers therefore use these lists
only where occurrences are what they need (the inputs, which are repeated anyway), or
prove, from prefixes and counts, that every node has exactly one occurrence
(``refimpl.snapshot_index``).

The views are built at import from descriptors (no generated code) in a package of
their own, ``refimpl_views``, in the default descriptor pool beside refimpl's messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

# The messages the views refer to (they register their files in the default pool).
from refimpl.pb.tensorflow import (  # noqa: F401
    attr_value_pb2,
    full_type_pb2,
    function_pb2,
    graph_debug_info_pb2,
    node_def_pb2,
    tensor_shape_pb2,
    versions_pb2,
)

__all__ = [
    "FLAT_GRAPH",
    "FRAMED_OPERATIONS",
    "INDICES",
    "GRAPH_FLAT_LIBRARY",
    "GRAPH_LIBRARY_BYTES",
    "GRAPH_LIBRARY_OPS",
    "NODE_BYTES",
    "OPERATION_BYTES",
    "SHAPES",
    "SNAPSHOT_FIELDS",
    "frame",
    "join_rows",
    "length_prefixes",
    "parse",
    "varint",
]

_PACKAGE = "refimpl_views"
_F = descriptor_pb2.FieldDescriptorProto


def _build() -> dict[str, type[Message]]:
    fdp = descriptor_pb2.FileDescriptorProto(
        name="refimpl/views.proto", package=_PACKAGE, syntax="proto3"
    )
    fdp.dependency.extend(
        f"refimpl/pb/tensorflow/{name}.proto"
        for name in (
            "attr_value",
            "full_type",
            "function",
            "graph_debug_info",
            "node_def",
            "tensor_shape",
            "versions",
        )
    )

    def message(name: str, *fields: tuple[str, int, bool, str]) -> descriptor_pb2.DescriptorProto:
        m = fdp.message_type.add(name=name)
        for field_name, number, repeated, kind in fields:
            label = _F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL
            f = m.field.add(name=field_name, number=number, label=label)
            if kind in ("string", "bytes", "uint32", "int32", "bool"):
                f.type = {
                    "string": _F.TYPE_STRING,
                    "bytes": _F.TYPE_BYTES,
                    "uint32": _F.TYPE_UINT32,
                    "int32": _F.TYPE_INT32,
                    "bool": _F.TYPE_BOOL,
                }[kind]
            else:
                f.type = _F.TYPE_MESSAGE
                f.type_name = kind
        return m

    # tensorflow.NodeDef, every field repeated (attr stays a map: merged over the nodes).
    flat_node = message(
        "FlatNode",
        ("name", 1, True, "string"),
        ("op", 2, True, "string"),
        ("input", 3, True, "string"),
        ("device", 4, True, "string"),
        ("attr", 5, True, f".{_PACKAGE}.FlatNode.AttrEntry"),
        ("experimental_debug_info", 6, True, ".tensorflow.NodeDef.ExperimentalDebugInfo"),
        ("experimental_type", 7, True, ".tensorflow.FullTypeDef"),
    )
    entry = flat_node.nested_type.add(name="AttrEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1, label=_F.LABEL_OPTIONAL, type=_F.TYPE_STRING)
    entry.field.add(
        name="value",
        number=2,
        label=_F.LABEL_OPTIONAL,
        type=_F.TYPE_MESSAGE,
        type_name=".tensorflow.AttrValue",
    )
    # tensorflow.GraphDef with its nodes merged into one FlatNode.
    message(
        "FlatGraph",
        ("node", 1, False, f".{_PACKAGE}.FlatNode"),
        ("library", 2, False, ".tensorflow.FunctionDefLibrary"),
        ("version", 3, False, "int32"),
        ("versions", 4, False, ".tensorflow.VersionDef"),
        ("debug_info", 5, False, ".tensorflow.GraphDebugInfo"),
    )
    # tensorflow.GraphDef's nodes, serialized.
    message("NodeBytes", ("node", 1, True, "bytes"))
    # metagraph_ref.Operation, every field repeated, raw: several operations merged give
    # every name, type, node_def, output shape and packed traceback, in order.
    message(
        "OperationFields",
        ("name", 1, True, "string"),
        ("type", 2, True, "string"),
        ("node_def", 3, True, "bytes"),
        ("output_shapes", 4, True, "bytes"),
        ("has_traceback", 5, True, "bool"),
        ("traceback", 6, True, "bytes"),
    )
    # metagraph_ref.GraphSnapshot: the C++ GraphDef serialized, every operation merged
    # into one OperationFields; the other fields left as they are (unknown).
    message(
        "SnapshotFields",
        ("cpp_graph_def", 3, False, "bytes"),
        ("operations", 4, False, f".{_PACKAGE}.OperationFields"),
    )
    # Serialized operations framed as field 1: the same, merged.
    message("FramedOperations", ("operation", 1, False, f".{_PACKAGE}.OperationFields"))
    # metagraph_ref.GraphSnapshot's operations, serialized.
    message("OperationBytes", ("operations", 4, True, "bytes"))
    # Serialized shapes framed as field 1, each parsed.
    message("Shapes", ("shape", 1, True, ".tensorflow.TensorShapeProto"))
    # tensorflow.FunctionDefLibrary: each function's body nodes merged, their ops.
    message("NodeOps", ("op", 2, True, "string"))
    message("BodyOps", ("node_def", 3, False, f".{_PACKAGE}.NodeOps"))
    message("LibraryOps", ("function", 1, True, f".{_PACKAGE}.BodyOps"))
    message("GraphLibraryOps", ("library", 2, False, f".{_PACKAGE}.LibraryOps"))
    # tensorflow.GraphDef: every library function merged: all signature names, all body
    # node ops, in order.
    message("Names", ("name", 1, True, "string"))
    message(
        "FlatFunction",
        ("signature", 1, False, f".{_PACKAGE}.Names"),
        ("node_def", 3, False, f".{_PACKAGE}.NodeOps"),
    )
    message("FlatLibrary", ("function", 1, False, f".{_PACKAGE}.FlatFunction"))
    message("GraphFlatLibrary", ("library", 2, False, f".{_PACKAGE}.FlatLibrary"))
    # tensorflow.GraphDef: each library function, serialized.
    message("LibraryBytes", ("function", 1, True, "bytes"))
    message("GraphLibraryBytes", ("library", 2, False, f".{_PACKAGE}.LibraryBytes"))
    # Packed uint32 lists framed as field 1 (traceback indices), decoded.
    message("Indices", ("index", 1, True, "uint32"))
    pool = descriptor_pool.Default()
    pool.Add(fdp)
    return {
        m.name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.{m.name}"))
        for m in fdp.message_type
    }


_VIEWS = _build()

#: ``tensorflow.GraphDef`` with every node merged into one ``FlatNode`` (``node``).
FLAT_GRAPH: type[Message] = _VIEWS["FlatGraph"]
#: ``tensorflow.GraphDef`` as ``repeated bytes node = 1``.
NODE_BYTES: type[Message] = _VIEWS["NodeBytes"]
#: ``metagraph_ref.GraphSnapshot``: ``cpp_graph_def`` (bytes) and ``operations`` (every
#: operation merged into one ``OperationFields``).
SNAPSHOT_FIELDS: type[Message] = _VIEWS["SnapshotFields"]
#: Operations framed by ``frame``, merged into one ``OperationFields`` (``operation``).
FRAMED_OPERATIONS: type[Message] = _VIEWS["FramedOperations"]
#: ``metagraph_ref.GraphSnapshot``'s operations, serialized (``operations``).
OPERATION_BYTES: type[Message] = _VIEWS["OperationBytes"]
#: ``tensorflow.GraphDef``: each library function's body node ops
#: (``library.function[i].node_def.op``, every op field in order).
GRAPH_LIBRARY_OPS: type[Message] = _VIEWS["GraphLibraryOps"]
#: ``tensorflow.GraphDef`` with every library function merged: every signature name
#: (``library.function.signature.name``) and every body node op
#: (``library.function.node_def.op``), each occurrence, in order.
GRAPH_FLAT_LIBRARY: type[Message] = _VIEWS["GraphFlatLibrary"]
#: ``tensorflow.GraphDef``: each library function, serialized (``library.function``).
GRAPH_LIBRARY_BYTES: type[Message] = _VIEWS["GraphLibraryBytes"]
#: TensorShapeProtos framed by ``frame``, parsed (``shape``).
SHAPES: type[Message] = _VIEWS["Shapes"]
#: Packed uint32 lists framed by ``frame``, decoded (``index``).
INDICES: type[Message] = _VIEWS["Indices"]


def parse(view: type[Message], data: bytes) -> Any:
    """``data`` parsed as ``view`` (untyped: the views have no generated stubs)."""
    message = view()
    message.ParseFromString(data)
    return message


def varint(value: int) -> bytes:
    """The base-128 varint encoding of a non-negative integer."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class _Prefixes(dict[int, bytes]):
    """Length -> ``tag + varint(length)``, made when first asked for (dict lookups run in C)."""

    def __init__(self, tag: bytes) -> None:
        super().__init__((n, tag + varint(n)) for n in range(1 << 12))
        self.tag = tag

    def __missing__(self, length: int) -> bytes:
        value = self.tag + varint(length)
        if len(self) < 1 << 16:
            self[length] = value
        return value


_TAGGED: dict[bytes, _Prefixes] = {}


def length_prefixes(tag: bytes, lengths: Iterable[int]) -> list[bytes]:
    """``tag + varint(n)`` for each length n: the key and length of a length-delimited field."""
    table = _TAGGED.get(tag)
    if table is None:
        table = _TAGGED[tag] = _Prefixes(tag)
    return list(map(table.__getitem__, lengths))


def join_rows(*columns: Sequence[bytes]) -> bytes:
    """The columns' items joined row by row: ``columns[0][0] + columns[1][0] + ... +
    columns[0][1] + ...``. The columns must be equally long (else ``ValueError``).

    (Interleaved by slice assignment, in C: faster than joining ``zip``'s tuples.)"""
    width = len(columns)
    rows = len(columns[0]) if columns else 0
    parts: list[bytes] = [b""] * (width * rows)
    for i, column in enumerate(columns):
        parts[i::width] = column  # (a column of another length raises ValueError)
    return b"".join(parts)


def frame(items: Sequence[bytes], tag: bytes = b"\n") -> bytes:
    """``items`` as the records of a repeated length-delimited field (``tag`` is the field's
    key byte, default field 1): ``tag, varint(len(item)), item`` for each item."""
    return join_rows(length_prefixes(tag, map(len, items)), items)
