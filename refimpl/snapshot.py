"""refimpl's typed model of a graph snapshot, and its loader.

A snapshot (``metagraph_ref.GraphSnapshot``, protos/refimpl/pb/snapshot.proto)
records everything ``export_meta_graph`` reads from a ``tf.Graph``. Values of the
model are immutable: refimpl never mutates them (functions that need a changed copy
make one), and neither may callers (the messages it hands out, such as
``cpp_graph_def`` or an operation's ``node_def``, are shared).

The operations are a lazy view over the parsed snapshot: ``Snapshot.operations`` is
a sequence whose ``Operation`` values are made (their ``node_def`` and shapes parsed)
when first read, and ``operations_by_name`` maps names to them. ``load_snapshot``
checks the whole snapshot first (rules 1.9, 1.9.1): in bulk where it can prove every
check holds (``refimpl.snapshot_fast``), else operation by operation, which also words
the error. A snapshot loaded in bulk keeps its serialized parts (``Snapshot.wire``)
for the exporter's whole-graph paths.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar, overload

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
    # File name -> is_framework (a cache: the answer never changes).
    _verdicts: dict[str, bool] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_framework_res", tuple(re.compile(p) for p in self.framework_filename_patterns)
        )
        object.__setattr__(
            self, "_external_res", tuple(re.compile(p) for p in self.external_filename_patterns)
        )

    def is_framework(self, filename: str) -> bool:
        known = self._verdicts.get(filename)
        if known is None:
            known = self._verdicts[filename] = self._is_framework(filename)
        return known

    def _is_framework(self, filename: str) -> bool:
        if any(p.search(filename) for p in self._external_res):
            return False
        if any(p.search(filename) for p in self._framework_res):
            return True
        return any(filename.startswith(prefix) for prefix in self.framework_path_prefixes)


class SnapshotError(ValueError):
    """A snapshot that cannot be loaded; the message names what is wrong."""


class Deferred(Generic[M]):
    """A serialized message, parsed when first read (once), then kept."""

    __slots__ = ("_cls", "_data", "_parsed")

    def __init__(self, cls: type[M], data: bytes) -> None:
        self._cls = cls
        self._data = data
        self._parsed: M | None = None

    @property
    def parsed(self) -> M | None:
        """The message, if it was read already."""
        return self._parsed

    @property
    def data(self) -> bytes:
        """The message, serialized (as it was given)."""
        return self._data

    def value(self) -> M:
        """The message (parsed now if it was not)."""
        if self._parsed is None:
            message = self._cls()
            message.ParseFromString(self._data)
            self._parsed = message
        return self._parsed


class LazyMessage(Generic[M]):
    """A dataclass field whose value may be a ``Deferred``: reading it gives the message."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_value"

    def __get__(self, obj: object, owner: type | None = None) -> M:
        if obj is None:
            raise AttributeError(self._slot)  # (no default value for the dataclass)
        value = obj.__dict__[self._slot]
        return value.value() if isinstance(value, Deferred) else value  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: M | Deferred[M]) -> None:
        obj.__dict__[self._slot] = value

    def stored(self, obj: object) -> M | Deferred[M]:
        """What the field holds: the message, or the ``Deferred`` that makes it."""
        return obj.__dict__[self._slot]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Environment:
    """What the capturing TensorFlow process stamps or decides by its setup."""

    tensorflow_version: str
    tensorflow_git_version: str
    protobuf_version: str
    frame_classifier: FrameClassifier
    proto_function_keys: Mapping[str, str]
    #: ``hash()`` of traceback file names in the capturing process (TF 2.12 and 2.13 only).
    filename_hashes: Mapping[str, int]
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
    grad_func_name: str
    has_graph: bool
    has_graph_inputs: bool
    inputs: tuple[FunctionTensor, ...]
    outputs: tuple[FunctionTensor, ...]
    body_ops: Mapping[str, BodyOp]
    # (A descriptor, not a default: loaded in bulk, the FunctionDef is parsed when first
    # read, if it is the C++ library's, which was checked.)
    definition: LazyMessage[FunctionDef] = LazyMessage()


CollectionKey = str | bytes | snap.PyObject


@dataclass(frozen=True)
class Collection:
    """A graph collection: its key and its items, in insertion order."""

    key: CollectionKey
    items: tuple[CollectionItem, ...]


class Frames:
    """The snapshot's frames, made into ``Frame`` values when first needed."""

    __slots__ = ("_made", "_records")

    def __init__(self, records: Sequence[snap.StackFrame]) -> None:
        self._records = records
        self._made: tuple[Frame, ...] | None = None

    def __len__(self) -> int:
        return len(self._records)

    def all(self) -> tuple[Frame, ...]:
        """Every frame, in order."""
        if self._made is None:
            self._made = tuple(Frame(f.filename, f.lineno, f.name) for f in self._records)
        return self._made


class OperationList(Sequence[Operation]):
    """The operations of a loaded snapshot, in creation order: a lazy, read-only sequence.

    It holds each operation's record serialized (``metagraph_ref.Operation``); the
    ``Operation`` is made (record, NodeDef and shapes parsed) when first read, then kept.
    """

    __slots__ = ("_frames", "_made", "_records")

    def __init__(self, records: Sequence[bytes], frames: Frames) -> None:
        self._records = records
        self._frames = frames
        self._made: list[Operation | None] = [None] * len(records)

    @property
    def records(self) -> Sequence[bytes]:
        """Each operation's record, serialized."""
        return self._records

    def __len__(self) -> int:
        return len(self._made)

    @overload
    def __getitem__(self, index: int) -> Operation: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Operation, ...]: ...

    def __getitem__(self, index: int | slice) -> Operation | tuple[Operation, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        made = self._made[index]
        if made is None:
            record = snap.Operation.FromString(self._records[index])
            made = _operation_view(record, self._frames.all())
            self._made[index] = made
        return made

    def __iter__(self) -> Iterator[Operation]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (OperationList, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<OperationList of {len(self)} operations>"

    def traceback(self, index: int) -> tuple[Frame, ...] | None:
        """The traceback of operation ``index``, without making the ``Operation``."""
        made = self._made[index]
        if made is not None:
            return made.traceback
        return _traceback(snap.Operation.FromString(self._records[index]), self._frames.all())


class OperationsByName(Mapping[str, Operation]):
    """Name -> operation over an ``OperationList`` (read-only)."""

    __slots__ = ("_index", "_operations")

    def __init__(self, operations: OperationList, index: Mapping[str, int]) -> None:
        self._operations = operations
        self._index = index

    def __getitem__(self, name: str) -> Operation:
        return self._operations[self._index[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def traceback(self, name: str) -> tuple[Frame, ...] | None:
        """``self[name].traceback``, without making the ``Operation`` (KeyError if none)."""
        return self._operations.traceback(self._index[name])

    def __repr__(self) -> str:
        return f"<OperationsByName of {len(self)} operations>"


class ReadOnlyMap(Mapping[str, int]):
    """A read-only view of a protobuf ``map<string, int32>`` (reading never inserts)."""

    __slots__ = ("_map",)

    def __init__(self, entries: Mapping[str, int]) -> None:
        self._map = entries

    def __getitem__(self, key: str) -> int:
        if key not in self._map:
            raise KeyError(key)
        return self._map[key]

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._map[key] if key in self._map else default

    def __contains__(self, key: object) -> bool:
        return key in self._map

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def __repr__(self) -> str:
        return f"<ReadOnlyMap of {len(self)} entries>"


@dataclass(frozen=True)
class WireIndex:
    """The serialized parts of a snapshot that ``load_snapshot`` checked in bulk, for the
    exporter's whole-graph paths (``refimpl.graph_def``, ``refimpl.op_list``).

    It describes the ``operations`` and ``cpp_graph_def`` it was loaded with: a snapshot
    made with others (``dataclasses.replace``) is exported the ordinary way
    (``Snapshot.wire_index``).
    """

    operations: OperationList = field(repr=False)
    cpp_graph_def: Deferred[GraphDef] = field(repr=False)
    #: ``cpp_graph_def`` serialized.
    cpp_bytes: bytes = field(repr=False)
    #: Operation names, types and output shapes (serialized), in creation order, which
    #: is also the order of ``cpp_graph_def.node`` (the nodes are the operations, same
    #: name, same op).
    names: tuple[str, ...] = field(repr=False)
    types: tuple[str, ...] = field(repr=False)
    output_shapes: tuple[tuple[bytes, ...], ...] = field(repr=False)
    #: The functions' definitions' size, serialized.
    functions_size: int
    #: The names of ``cpp_graph_def.library``'s functions, in order.
    library_names: tuple[str, ...]
    #: Whether some node of ``cpp_graph_def`` (of an operation's ``node_def``) has an
    #: ``_output_shapes`` attr already.
    cpp_has_output_shapes: bool
    node_defs_have_output_shapes: bool

    @property
    def output_counts(self) -> tuple[int, ...]:
        """How many outputs each operation has."""
        return tuple(map(len, self.output_shapes))

    def node_defs(self) -> list[bytes]:
        """Each operation's ``node_def``, serialized."""
        from refimpl import wire  # (it imports the TensorFlow schemas)

        framed = wire.parse(wire.FRAMED_OPERATIONS, wire.frame(self.operations.records))
        node_defs: list[bytes] = framed.operation.node_def[:]
        return node_defs


@dataclass(frozen=True)
class Snapshot:
    """A loaded graph snapshot: the exporter's only input besides the arguments."""

    environment: Environment
    operations: Sequence[Operation]
    functions: tuple[Function, ...]
    versions: VersionDef
    collections: tuple[Collection, ...]
    op_defs: Mapping[str, OpDef]
    finalized: bool
    names_in_use: Mapping[str, int]
    operations_by_name: Mapping[str, Operation] = field(repr=False, compare=False)
    functions_by_name: Mapping[str, Function] = field(repr=False, compare=False)
    # (A descriptor, not a default: loaded in bulk, the GraphDef is parsed when first read.)
    cpp_graph_def: LazyMessage[GraphDef] = LazyMessage()
    #: The serialized parts, when the snapshot was loaded in bulk (see ``wire_index``).
    wire: WireIndex | None = field(default=None, repr=False, compare=False)

    def wire_index(self) -> WireIndex | None:
        """``wire``, if it still describes this snapshot's operations and C++ GraphDef."""
        w = self.wire
        if w is None or w.operations is not self.operations:
            return None
        cpp = _CPP_GRAPH_DEF.stored(self)
        if cpp is not w.cpp_graph_def and cpp is not w.cpp_graph_def.parsed:
            return None
        return w

    def with_collections(self, collections: tuple[Collection, ...]) -> Snapshot:
        """This snapshot with other collections (``dataclasses.replace`` that keeps the C++
        GraphDef unparsed if it was)."""
        return dataclasses.replace(
            self,
            collections=collections,
            cpp_graph_def=_CPP_GRAPH_DEF.stored(self),
        )


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


_CPP_GRAPH_DEF: LazyMessage[GraphDef] = Snapshot.__dict__["cpp_graph_def"]


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
    """Parses and validates a serialized ``metagraph_ref.GraphSnapshot`` (rules 1.9, 1.9.1).

    The checks run in bulk (``refimpl.snapshot_fast``) when they provably hold, else
    operation by operation (``load_snapshot_checked``), which raises the first fault.
    """
    rules.applied("1.9")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SnapshotError(f"a snapshot is bytes, not {type(data).__name__}")
    from refimpl.snapshot_fast import load_in_bulk  # (it imports this module)

    collecting = gc.isenabled()
    gc.disable()  # (the bulk load makes few objects that could form cycles, and many others)
    try:
        loaded = load_in_bulk(bytes(data))
    except SnapshotError:
        loaded = None  # the checks below find the first fault, and word it
    finally:
        if collecting:
            gc.enable()
    if loaded is not None:
        rules.applied("1.9.1")
        return loaded
    data, raw = _parse_snapshot(data)
    records = _records(raw, Frames(raw.frames).all())
    rules.applied("1.9.1")
    records.check_consistency()
    return records.snapshot()


def load_snapshot_checked(data: bytes) -> Snapshot:
    """``load_snapshot`` operation by operation, never in bulk: what ``load_snapshot`` does
    when it cannot prove the checks in bulk (the model has no ``wire``). Records no rule."""
    _, raw = _parse_snapshot(data)
    records = _records(raw, Frames(raw.frames).all())
    records.check_consistency()
    return records.snapshot()


def _parse_snapshot(data: object) -> tuple[bytes, snap.GraphSnapshot]:
    """The snapshot's bytes, and parsed, format version and environment checked."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SnapshotError(f"a snapshot is bytes, not {type(data).__name__}")
    data = bytes(data)
    raw = _parse(snap.GraphSnapshot, data, "the snapshot")
    if raw.format_version not in SUPPORTED_FORMAT_VERSIONS:
        raise SnapshotError(
            f"snapshot format_version {raw.format_version} is not supported "
            f"(supported: {', '.join(map(str, SUPPORTED_FORMAT_VERSIONS))})"
        )
    env = raw.environment
    if not env.tensorflow_version:
        raise SnapshotError("environment.tensorflow_version is empty")
    return data, raw


@dataclass(frozen=True)
class _Records:
    """The parts of a snapshot, each record parsed and checked on its own (rule 1.9)."""

    raw: snap.GraphSnapshot
    operations: tuple[Operation, ...]
    ops_by_name: dict[str, Operation]
    cpp: GraphDef
    functions: tuple[Function, ...]
    fns_by_name: dict[str, Function]
    op_defs: dict[str, OpDef]
    collections: tuple[Collection, ...]

    def check_consistency(self) -> None:
        """Rule 1.9.1, operation by operation: raises the first fault."""
        from refimpl.snapshot_checks import check_consistency  # (it imports this module)

        check_consistency(
            self.raw.environment,
            self.cpp,
            self.ops_by_name,
            self.fns_by_name,
            self.op_defs,
            self.collections,
        )

    def snapshot(self) -> Snapshot:
        raw = self.raw
        return Snapshot(
            environment=environment_of(raw.environment),
            cpp_graph_def=self.cpp,
            operations=self.operations,
            functions=self.functions,
            versions=_parse(VersionDef, raw.graph_def_versions, "graph_def_versions"),
            collections=self.collections,
            op_defs=MappingProxyType(self.op_defs),
            finalized=raw.finalized,
            names_in_use=ReadOnlyMap(raw.names_in_use),
            operations_by_name=MappingProxyType(self.ops_by_name),
            functions_by_name=MappingProxyType(self.fns_by_name),
        )


def _records(raw: snap.GraphSnapshot, frames: tuple[Frame, ...]) -> _Records:
    """Each record parsed and checked, in order: raises the first fault."""
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
    functions, fns_by_name = functions_of(raw)
    return _Records(
        raw,
        operations,
        ops_by_name,
        cpp,
        functions,
        fns_by_name,
        op_defs_of(raw),
        collections_of(raw),
    )


def environment_of(env: snap.Environment) -> Environment:
    """The model of the snapshot's environment record."""
    return Environment(
        tensorflow_version=env.tensorflow_version,
        tensorflow_git_version=env.tensorflow_git_version,
        protobuf_version=env.protobuf_version,
        frame_classifier=FrameClassifier(
            tuple(env.framework_path_prefixes),
            tuple(env.framework_filename_patterns),
            tuple(env.external_filename_patterns),
        ),
        proto_function_keys=MappingProxyType(dict(env.proto_function_keys)),
        filename_hashes=MappingProxyType(dict(env.filename_hashes)),
        record=env,
    )


def functions_of(
    raw: snap.GraphSnapshot, checked: Mapping[str, bytes] | None = None
) -> tuple[tuple[Function, ...], dict[str, Function]]:
    """The functions, each parsed and checked, and by name (names occur once).
    ``checked``: name -> a FunctionDef of that name known to parse; a definition equal
    to it is parsed when first read."""
    known = checked or {}
    functions = tuple(_function(f, known.get(f.name) == f.definition) for f in raw.functions)
    fns_by_name: dict[str, Function] = {}
    for fn in functions:
        if fn.name in fns_by_name:
            raise SnapshotError(f"function {fn.name!r} occurs twice")
        fns_by_name[fn.name] = fn
    return functions, fns_by_name


def op_defs_of(raw: snap.GraphSnapshot) -> dict[str, OpDef]:
    """The OpDefs, each parsed and named, by name."""
    op_defs: dict[str, OpDef] = {}
    for i, b in enumerate(raw.op_defs):
        op_def = _parse(OpDef, b, f"op_defs[{i}]")
        if not op_def.name:
            raise SnapshotError(f"op_defs[{i}] has no name")
        op_defs[op_def.name] = op_def
    return op_defs


def collections_of(raw: snap.GraphSnapshot) -> tuple[Collection, ...]:
    """The collections, keys and items checked for a kind."""
    return tuple(_collection(i, c) for i, c in enumerate(raw.collections))


def parse_message(cls: type[M], data: bytes, what: str) -> M:
    """``data`` parsed as ``cls``; ``SnapshotError`` naming ``what`` if it does not parse."""
    return _parse(cls, data, what)


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


def _traceback(op: snap.Operation, frames: tuple[Frame, ...]) -> tuple[Frame, ...] | None:
    return tuple(frames[idx] for idx in op.traceback) if op.has_traceback else None


def _operation_view(op: snap.Operation, frames: tuple[Frame, ...]) -> Operation:
    """The ``Operation`` of a record that ``load_snapshot`` checked already."""
    node_def = NodeDef()
    node_def.ParseFromString(op.node_def)
    return Operation(
        name=op.name,
        type=op.type,
        node_def=node_def,
        output_shapes=tuple(TensorShapeProto.FromString(b) for b in op.output_shapes),
        traceback=_traceback(op, frames),
    )


def _function_tensor(t: snap.FunctionTensor, what: str) -> FunctionTensor:
    handle = None
    if t.has_handle_data:
        handle = (t.handle_dtype, _parse(TensorShapeProto, t.handle_shape, f"{what}.handle_shape"))
    return FunctionTensor(t.dtype, _parse(TensorShapeProto, t.shape, f"{what}.shape"), handle)


def _function(f: snap.Function, checked: bool = False) -> Function:
    """The function of a record; ``checked``: its definition is known to parse and be
    named so (it is parsed when first read)."""
    what = f"function {f.name!r}"
    definition: FunctionDef | Deferred[FunctionDef]
    if checked:
        definition = Deferred(FunctionDef, f.definition)
    else:
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
