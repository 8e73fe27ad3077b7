"""refimpl's typed model of a graph snapshot, and its loader.

A snapshot (``metagraph_ref.GraphSnapshot``, protos/refimpl/pb/snapshot.proto)
records everything ``export_meta_graph`` reads from a ``tf.Graph``. The model
below parses every embedded TensorFlow message once; values of the model are
never mutated by refimpl (functions that need a changed copy make one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from google.protobuf.message import DecodeError, Message

from refimpl import rules
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.function_pb2 import FunctionDef
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef
from refimpl.pb.tensorflow.tensor_shape_pb2 import TensorShapeProto
from refimpl.pb.tensorflow.versions_pb2 import VersionDef

SUPPORTED_FORMAT_VERSIONS = (1,)
M = TypeVar("M", bound=Message)
CollectionItem = snap.CollectionItem


@dataclass(frozen=True)
class Frame:
    """One traceback frame as TF records it (``StackFrame``)."""

    filename: str
    lineno: int
    name: str


@dataclass(frozen=True)
class FrameClassifier:
    """Decides which frames belong to TensorFlow itself.

    Mirrors ``error_interpolation._is_framework_filename``: a file name matching
    any external pattern is never framework; otherwise it is framework when it
    matches a framework pattern or starts with a framework path prefix
    (plain string prefix, no path normalisation). Patterns are Python regexes
    applied with ``re.search``.
    """

    framework_path_prefixes: tuple[str, ...] = ()
    framework_filename_patterns: tuple[str, ...] = ()
    external_filename_patterns: tuple[str, ...] = ()
    _framework_res: tuple[re.Pattern[str], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _external_res: tuple[re.Pattern[str], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_framework_res", tuple(re.compile(p) for p in self.framework_filename_patterns)
        )
        object.__setattr__(
            self, "_external_res", tuple(re.compile(p) for p in self.external_filename_patterns)
        )

    def is_framework(self, filename: str) -> bool:
        if any(p.search(filename) for p in self._external_res):
            return False
        if any(p.search(filename) for p in self._framework_res):
            return True
        return any(filename.startswith(prefix) for prefix in self.framework_path_prefixes)


class SnapshotError(ValueError):
    """A snapshot that cannot be loaded; the message names what is wrong."""


@dataclass(frozen=True)
class Environment:
    """What the capturing TensorFlow process stamps or decides by its setup."""

    tensorflow_version: str
    tensorflow_git_version: str
    protobuf_version: str
    frame_classifier: FrameClassifier
    proto_function_keys: Mapping[str, str]
    # The record as captured (also holds informational fields: Python, platform, backend).
    record: snap.Environment = field(repr=False, compare=False)


@dataclass(frozen=True)
class Operation:
    """One graph operation, as the Python graph holds it."""

    name: str
    type: str
    node_def: NodeDef
    output_shapes: tuple[TensorShapeProto, ...]
    traceback: tuple[Frame, ...] | None


@dataclass(frozen=True)
class FunctionTensor:
    """An input or output tensor of a function's graph."""

    dtype: int
    shape: TensorShapeProto
    handle_data: tuple[int, TensorShapeProto] | None


@dataclass(frozen=True)
class BodyOp:
    """An op of a function's graph that a FunctionDef node names."""

    name: str
    type: str
    output_shapes: tuple[TensorShapeProto, ...]


@dataclass(frozen=True)
class Function:
    """One library function, as the Python graph holds it."""

    name: str
    definition: FunctionDef
    grad_func_name: str
    has_graph: bool
    has_graph_inputs: bool
    inputs: tuple[FunctionTensor, ...]
    outputs: tuple[FunctionTensor, ...]
    body_ops: Mapping[str, BodyOp]


CollectionKey = str | bytes | snap.PyObject


@dataclass(frozen=True)
class Collection:
    """A graph collection: its key and its items, in insertion order."""

    key: CollectionKey
    items: tuple[CollectionItem, ...]


@dataclass(frozen=True)
class Snapshot:
    """A loaded graph snapshot: the exporter's only input besides the arguments."""

    environment: Environment
    cpp_graph_def: GraphDef
    operations: tuple[Operation, ...]
    functions: tuple[Function, ...]
    versions: VersionDef
    collections: tuple[Collection, ...]
    op_defs: Mapping[str, OpDef]
    finalized: bool
    names_in_use: Mapping[str, int]
    operations_by_name: Mapping[str, Operation] = field(repr=False, compare=False)
    functions_by_name: Mapping[str, Function] = field(repr=False, compare=False)

    def get_collection(self, key: object) -> tuple[CollectionItem, ...]:
        """The items of the collection under ``key`` (empty if there is none)."""
        found = self.find_collection(key)
        return () if found is None else found

    def find_collection(self, key: object) -> tuple[CollectionItem, ...] | None:
        """The items of the collection under ``key``, or None if the graph has no such key."""
        for c in self.collections:
            if _same_key(c.key, key):
                return c.items
        return None

    def str_collection_keys(self) -> tuple[str, ...]:
        """The str keys, in insertion order (what TF exports by default)."""
        return tuple(c.key for c in self.collections if isinstance(c.key, str))


def _same_key(stored: CollectionKey, key: object) -> bool:
    if isinstance(stored, snap.PyObject):
        return False
    return type(stored) is type(key) and stored == key


def _parse(cls: type[M], data: bytes, what: str) -> M:
    msg = cls()
    try:
        msg.ParseFromString(data)
    except DecodeError as e:
        raise SnapshotError(f"{what} is not a valid {cls.DESCRIPTOR.full_name}: {e}") from None
    return msg


def load_snapshot(data: bytes) -> Snapshot:
    """Parses and validates a serialized ``metagraph_ref.GraphSnapshot`` (rules 1.9, 1.9.1)."""
    rules.applied("1.9")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SnapshotError(f"a snapshot is bytes, not {type(data).__name__}")
    raw = _parse(snap.GraphSnapshot, bytes(data), "the snapshot")
    if raw.format_version not in SUPPORTED_FORMAT_VERSIONS:
        raise SnapshotError(
            f"snapshot format_version {raw.format_version} is not supported "
            f"(supported: {', '.join(map(str, SUPPORTED_FORMAT_VERSIONS))})"
        )
    env = raw.environment
    if not env.tensorflow_version:
        raise SnapshotError("environment.tensorflow_version is empty")
    frames = tuple(Frame(f.filename, f.lineno, f.name) for f in raw.frames)
    operations = tuple(_operation(i, op, frames) for i, op in enumerate(raw.operations))
    ops_by_name: dict[str, Operation] = {}
    for op in operations:
        if op.name in ops_by_name:
            raise SnapshotError(f"operation name {op.name!r} occurs twice")
        ops_by_name[op.name] = op
    cpp = _parse(GraphDef, raw.cpp_graph_def, "cpp_graph_def")
    for node in cpp.node:
        if node.name not in ops_by_name:
            raise SnapshotError(f"cpp_graph_def node {node.name!r} is not among the operations")
    if len(cpp.node) != len(operations):
        raise SnapshotError(
            f"cpp_graph_def has {len(cpp.node)} nodes but there are {len(operations)} operations"
        )
    functions = tuple(_function(f) for f in raw.functions)
    fns_by_name: dict[str, Function] = {}
    for fn in functions:
        if fn.name in fns_by_name:
            raise SnapshotError(f"function {fn.name!r} occurs twice")
        fns_by_name[fn.name] = fn
    op_defs: dict[str, OpDef] = {}
    for i, b in enumerate(raw.op_defs):
        op_def = _parse(OpDef, b, f"op_defs[{i}]")
        if not op_def.name:
            raise SnapshotError(f"op_defs[{i}] has no name")
        op_defs[op_def.name] = op_def
    collections = tuple(_collection(i, c) for i, c in enumerate(raw.collections))
    from refimpl.snapshot_checks import check_consistency  # (it imports this module)

    rules.applied("1.9.1")
    check_consistency(env, cpp, ops_by_name, fns_by_name, op_defs, collections)
    return Snapshot(
        environment=Environment(
            tensorflow_version=env.tensorflow_version,
            tensorflow_git_version=env.tensorflow_git_version,
            protobuf_version=env.protobuf_version,
            frame_classifier=FrameClassifier(
                tuple(env.framework_path_prefixes),
                tuple(env.framework_filename_patterns),
                tuple(env.external_filename_patterns),
            ),
            proto_function_keys=MappingProxyType(dict(env.proto_function_keys)),
            record=env,
        ),
        cpp_graph_def=cpp,
        operations=operations,
        functions=functions,
        versions=_parse(VersionDef, raw.graph_def_versions, "graph_def_versions"),
        collections=collections,
        op_defs=MappingProxyType(op_defs),
        finalized=raw.finalized,
        names_in_use=MappingProxyType(dict(raw.names_in_use)),
        operations_by_name=MappingProxyType(ops_by_name),
        functions_by_name=MappingProxyType(fns_by_name),
    )


def _shapes(data: Iterable[bytes], what: str) -> tuple[TensorShapeProto, ...]:
    return tuple(_parse(TensorShapeProto, b, f"{what}[{i}]") for i, b in enumerate(data))


def _operation(i: int, op: snap.Operation, frames: tuple[Frame, ...]) -> Operation:
    what = f"operations[{i}] ({op.name!r})"
    if not op.name:
        raise SnapshotError(f"operations[{i}] has no name")
    node_def = _parse(NodeDef, op.node_def, f"{what}.node_def")
    if node_def.name != op.name:
        raise SnapshotError(f"{what}.node_def is named {node_def.name!r}")
    traceback: tuple[Frame, ...] | None = None
    if op.has_traceback:
        for idx in op.traceback:
            if idx >= len(frames):
                raise SnapshotError(f"{what}.traceback refers to frame {idx}, which does not exist")
        traceback = tuple(frames[idx] for idx in op.traceback)
    return Operation(
        name=op.name,
        type=op.type,
        node_def=node_def,
        output_shapes=_shapes(op.output_shapes, f"{what}.output_shapes"),
        traceback=traceback,
    )


def _function_tensor(t: snap.FunctionTensor, what: str) -> FunctionTensor:
    handle = None
    if t.has_handle_data:
        handle = (t.handle_dtype, _parse(TensorShapeProto, t.handle_shape, f"{what}.handle_shape"))
    return FunctionTensor(t.dtype, _parse(TensorShapeProto, t.shape, f"{what}.shape"), handle)


def _function(f: snap.Function) -> Function:
    what = f"function {f.name!r}"
    definition = _parse(FunctionDef, f.definition, f"{what}.definition")
    if definition.signature.name != f.name:
        raise SnapshotError(f"{what}.definition is named {definition.signature.name!r}")
    return Function(
        name=f.name,
        definition=definition,
        grad_func_name=f.grad_func_name,
        has_graph=f.has_graph,
        has_graph_inputs=f.has_graph_inputs,
        inputs=tuple(_function_tensor(t, f"{what}.inputs") for t in f.inputs),
        outputs=tuple(_function_tensor(t, f"{what}.outputs") for t in f.outputs),
        body_ops=MappingProxyType(
            {
                b.name: BodyOp(b.name, b.type, _shapes(b.output_shapes, f"{what}.body"))
                for b in f.body_ops
            }
        ),
    )


def _collection(i: int, c: snap.Collection) -> Collection:
    kind = c.key.WhichOneof("kind")
    key: CollectionKey
    if kind == "str":
        key = c.key.str
    elif kind == "bytes":
        key = c.key.bytes
    elif kind == "other":
        key = c.key.other
    else:
        raise SnapshotError(f"collections[{i}] has no key")
    for j, item in enumerate(c.items):
        if item.WhichOneof("kind") is None:
            raise SnapshotError(f"collections[{i}].items[{j}] has no value")
    return Collection(key=key, items=tuple(c.items))


def _key_record(key: CollectionKey) -> snap.CollectionKey:
    if isinstance(key, str):
        return snap.CollectionKey(str=key)
    if isinstance(key, bytes):
        return snap.CollectionKey(bytes=key)
    return snap.CollectionKey(other=key)


def _tensor_record(t: FunctionTensor) -> snap.FunctionTensor:
    rec = snap.FunctionTensor(dtype=t.dtype, shape=t.shape.SerializeToString(deterministic=True))
    if t.handle_data is not None:
        rec.has_handle_data = True
        rec.handle_dtype = t.handle_data[0]
        rec.handle_shape = t.handle_data[1].SerializeToString(deterministic=True)
    return rec


def dump_snapshot(snapshot: Snapshot) -> bytes:
    """Serializes a loaded snapshot back (inverse of ``load_snapshot`` for captured snapshots).

    Frames are numbered in order of first appearance over the operations'
    tracebacks, as capture numbers them.
    """

    def ser(m: Message) -> bytes:
        return m.SerializeToString(deterministic=True)

    out = snap.GraphSnapshot(format_version=SUPPORTED_FORMAT_VERSIONS[-1])
    out.environment.CopyFrom(snapshot.environment.record)
    out.cpp_graph_def = ser(snapshot.cpp_graph_def)
    frames: dict[Frame, int] = {}
    for op in snapshot.operations:
        rec = out.operations.add(name=op.name, type=op.type, node_def=ser(op.node_def))
        rec.output_shapes.extend(ser(s) for s in op.output_shapes)
        if op.traceback is not None:
            rec.has_traceback = True
            rec.traceback.extend(frames.setdefault(f, len(frames)) for f in op.traceback)
    for f in frames:
        out.frames.add(filename=f.filename, lineno=f.lineno, name=f.name)
    for fn in snapshot.functions:
        frec = out.functions.add(
            name=fn.name,
            definition=ser(fn.definition),
            grad_func_name=fn.grad_func_name,
            has_graph=fn.has_graph,
            has_graph_inputs=fn.has_graph_inputs,
        )
        frec.inputs.extend(_tensor_record(t) for t in fn.inputs)
        frec.outputs.extend(_tensor_record(t) for t in fn.outputs)
        for b in fn.body_ops.values():
            brec = frec.body_ops.add(name=b.name, type=b.type)
            brec.output_shapes.extend(ser(s) for s in b.output_shapes)
    out.graph_def_versions = ser(snapshot.versions)
    for c in snapshot.collections:
        out.collections.add(key=_key_record(c.key), items=c.items)
    out.op_defs.extend(ser(snapshot.op_defs[name]) for name in sorted(snapshot.op_defs))
    out.finalized = snapshot.finalized
    for name, count in snapshot.names_in_use.items():
        out.names_in_use[name] = count
    return ser(out)
