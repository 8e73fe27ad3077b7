"""Loading a snapshot in bulk: every check of rules 1.9 and 1.9.1, graph-wide, in C.

``load_snapshot`` checks a snapshot operation by operation (``refimpl.snapshot``,
``refimpl.snapshot_checks``), which words the first fault it finds. Reading each
operation's fields from Python costs far more than parsing the snapshot, so
``load_in_bulk`` first tries to *prove* that every check holds, reading whole graphs
through the views of ``refimpl.wire``, and builds the lazy model if so. It returns None
(and the per-operation check then finds and words the fault) whenever it cannot prove
it: it may decline a consistent snapshot (one serialized in an unusual way), never accept
an inconsistent one.

The operations are read merged (``wire.SNAPSHOT_FIELDS``: every name, type, node_def,
output shape and traceback, in order), then each operation's record is *rebuilt* from
those lists as a canonical serializer writes it, with as many output shapes as its OpDef
gives it, and the records, framed, must be the snapshot's bytes that follow its format
version, environment and C++ GraphDef, and with them and the snapshot's other fields
make up all of its bytes (no other operation record, even an empty one). So the records
parse to exactly these fields: one name, type and node_def each, the OpDef's count of
output shapes, a traceback or not. The rebuilt records are the model's
(``OperationList``).

How each per-operation check is proved then (n operations; ``P_i``: fields 1 (name) and
2 (op) of NodeDef i as a canonical serializer writes them, from operation i's name and
type):

- records parse; names not empty, not twice; output counts per OpDef (or function
  signature; from the attrs where the OpDef says so): by the rebuilding.
- each ``node_def`` parses as a NodeDef, named and typed as its operation: the node_defs,
  framed as one GraphDef, parse as ``wire.FLAT_GRAPH`` (each node on its own, as NodeDef
  would); each starts with ``P_i`` and all hold n name and n op fields (no second one).
- ``cpp_graph_def`` parses as a GraphDef (``FLAT_GRAPH``); its nodes are the operations,
  in creation order, with the same op: n nodes, node i starts with ``P_i``, n name and n
  op fields in all.
- output shapes parse (``wire.SHAPES``); traceback indices decode and name frames (every
  index: stricter than the check).
- every node runs a registered op or a library function: the set of types.
- inputs: every input of the node_defs and of the nodes (``FLAT_GRAPH`` lists every
  occurrence), less the names of operations with an output, is checked input by input
  (control inputs, ``op:k``, faults).
- the format version, environment, functions, op_defs, collections, patterns, library:
  the per-record checks themselves (their size is not the graph's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from itertools import compress, filterfalse, islice, repeat
from operator import add, not_, sub
from types import MappingProxyType
from typing import Any

from google.protobuf.message import DecodeError

from refimpl import wire
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef
from refimpl.pb.tensorflow.versions_pb2 import VersionDef
from refimpl.snapshot import (
    SUPPORTED_FORMAT_VERSIONS,
    Deferred,
    Frames,
    Function,
    OperationList,
    OperationsByName,
    ReadOnlyMap,
    Snapshot,
    WireIndex,
    collections_of,
    environment_of,
    functions_of,
    op_defs_of,
    parse_message,
)
from refimpl.snapshot_checks import (
    check_collection_items,
    check_library,
    check_patterns,
    input_fault,
    output_count,
)

__all__ = ["load_in_bulk"]


def load_in_bulk(data: bytes) -> Snapshot | None:
    """The loaded snapshot if every check provably holds; else None. May raise
    ``SnapshotError`` (the caller then runs the per-operation check, which words the
    first fault)."""
    try:
        view = wire.parse(wire.SNAPSHOT_FIELDS, data)
    except DecodeError:
        return None
    fields = view.operations
    names: list[str] = fields.name[:]
    types: list[str] = fields.type[:]
    node_defs: list[bytes] = fields.node_def[:]
    shapes: list[bytes] = fields.output_shapes[:]
    tracebacks: list[bytes] = fields.traceback[:]
    has_traceback = len(fields.has_traceback)
    cpp_bytes: bytes = view.cpp_graph_def
    view.ClearField("operations")
    view.ClearField("cpp_graph_def")
    others = view.SerializeToString()  # the other fields, as they are
    try:
        raw = snap.GraphSnapshot.FromString(others)
    except DecodeError:
        return None
    del view, fields
    env = raw.environment
    if raw.format_version not in SUPPORTED_FORMAT_VERSIONS or not env.tensorflow_version:
        return None
    n = len(names)
    if len(types) != n or len(node_defs) != n or not all(names) or not all(types):
        return None
    index = dict(zip(names, range(n), strict=True))
    if len(index) != n:
        return None
    # The records whose size is not the graph's.
    check_patterns(env)
    cpp_flat = _flat_graph(cpp_bytes)
    if cpp_flat is None or not _one_name_and_op_each(cpp_flat, n):
        return None
    library_names = [f.signature.name for f in cpp_flat.library.function]
    library = _library_by_name(cpp_bytes, library_names)
    functions, fns_by_name = functions_of(raw, library)
    op_defs = op_defs_of(raw)
    collections = collections_of(raw)
    if not _registered(set(types), op_defs, fns_by_name):
        return None
    # Output counts per OpDef; the records rebuilt with them.
    counts = _output_counts(types, node_defs, op_defs, fns_by_name)
    if counts is None or sum(counts) != len(shapes):
        return None
    if counts.count(1) == n:  # (one output each: the common case, in C)
        by_operation: list[tuple[bytes, ...]] = list(zip(shapes))
    else:
        by_operation = list(map(tuple, map(islice, repeat(iter(shapes)), counts)))
    records = _records(names, types, node_defs, by_operation, tracebacks, has_traceback, data)
    if records is None:
        return None
    head = snap.GraphSnapshot(
        format_version=raw.format_version, environment=env, cpp_graph_def=cpp_bytes
    ).SerializeToString(deterministic=True)
    body = wire.frame(records, b"\x22")
    if not data.startswith(head) or memoryview(data)[len(head) : len(head) + len(body)] != body:
        return None
    # ... and they are all the operations (an empty record merges into no list) and the
    # one C++ GraphDef: the other fields make up the rest of the snapshot.
    cpp_field = 1 + len(wire.varint(len(cpp_bytes))) + len(cpp_bytes)
    if len(data) != len(others) + cpp_field + len(body):
        return None
    del body, head, others
    # Shapes, tracebacks.
    try:
        wire.parse(wire.SHAPES, wire.frame(shapes))
    except DecodeError:
        return None
    del shapes
    if not _frames_exist(tracebacks, len(raw.frames)):
        return None
    del tracebacks
    # The node_defs: each a NodeDef named and typed as its operation.
    prefixes = _prefixes(names, types)
    if not all(map(bytes.startswith, node_defs, prefixes)):
        return None
    nodes = _flat_graph(wire.frame(node_defs))
    del node_defs
    if nodes is None or not _one_name_and_op_each(nodes, n):
        return None
    # The C++ GraphDef: node i is operation i.
    cpp_nodes: list[bytes] = wire.parse(wire.NODE_BYTES, cpp_bytes).node[:]
    if len(cpp_nodes) != n or not all(map(bytes.startswith, cpp_nodes, prefixes)):
        return None
    del cpp_nodes, prefixes
    check_library(cpp_flat.library, fns_by_name)
    check_collection_items(collections)
    node_inputs: list[str] = nodes.node.input[:]
    cpp_inputs: list[str] = cpp_flat.node.input[:]
    inputs = set(node_inputs)
    if cpp_inputs != node_inputs:  # (as TF canonicalizes them, they are often the same)
        inputs.update(cpp_inputs)
    del cpp_inputs, node_inputs
    if not _inputs_resolve(inputs, names, counts, index):
        return None
    cpp = Deferred(GraphDef, cpp_bytes)  # (it parses: cpp_flat is the same fields)
    operations = OperationList(records, Frames(raw.frames))
    return Snapshot(
        environment=environment_of(env),
        cpp_graph_def=cpp,
        operations=operations,
        functions=functions,
        versions=parse_message(VersionDef, raw.graph_def_versions, "graph_def_versions"),
        collections=collections,
        op_defs=MappingProxyType(op_defs),
        finalized=raw.finalized,
        names_in_use=ReadOnlyMap(raw.names_in_use),
        operations_by_name=OperationsByName(operations, MappingProxyType(index)),
        functions_by_name=MappingProxyType(fns_by_name),
        wire=WireIndex(
            operations=operations,
            cpp_graph_def=cpp,
            cpp_bytes=cpp_bytes,
            names=tuple(names),
            types=tuple(types),
            output_shapes=tuple(by_operation),
            functions_size=sum(len(f.definition) for f in raw.functions),
            library_names=tuple(library_names),
            cpp_has_output_shapes="_output_shapes" in cpp_flat.node.attr,
            node_defs_have_output_shapes="_output_shapes" in nodes.node.attr,
        ),
    )


def _records(
    names: list[str],
    types: list[str],
    node_defs: list[bytes],
    shapes: list[tuple[bytes, ...]],
    tracebacks: list[bytes],
    has_traceback: int,
    data: bytes,
) -> list[bytes] | None:
    """Each operation's record (``metagraph_ref.Operation``) as a canonical serializer
    writes it: name, type, node_def, each output shape, ``has_traceback`` and the packed
    traceback. When all or no operations have both, the lists say which; else each
    record's length in ``data`` does. None if they cannot say."""
    encoded = list(map(str.encode, names))
    name_fields = list(map(add, wire.length_prefixes(b"\n", map(len, encoded)), encoded))
    del encoded
    type_fields = list(map(_FIELD_2.__getitem__, types))
    node_def_keys = wire.length_prefixes(b"\x1a", map(len, node_defs))
    shape_fields = list(map(_SHAPE_FIELD.__getitem__, shapes))
    columns = [name_fields, type_fields, node_def_keys, node_defs, shape_fields]
    n = len(names)
    keys = wire.length_prefixes(b"\x32", map(len, tracebacks))
    traceback_fields = list(map(add, map(add, repeat(b"\x28\x01"), keys), tracebacks))
    if has_traceback == len(tracebacks) == n:
        columns.append(traceback_fields)
    elif has_traceback or tracebacks:
        tails = _tails(columns, traceback_fields, data)
        if tails is None:
            return None
        columns.append(tails)
    return list(map(b"".join, zip(*columns, strict=True)))


def _tails(
    columns: list[list[bytes]], traceback_fields: list[bytes], data: bytes
) -> list[bytes] | None:
    """Each record's ``has_traceback``/``traceback`` fields, told by its length: what
    ``columns`` do not make up is nothing, ``has_traceback`` alone, or ``has_traceback``
    with the next traceback. (A wrong guess fails the comparison with the snapshot.)"""
    try:
        lengths = list(map(len, wire.parse(wire.OPERATION_BYTES, data).operations[:]))
    except DecodeError:
        return None
    if len(lengths) != len(columns[0]):
        return None
    made = list(map(len, columns[0]))
    for column in columns[1:]:
        made = list(map(add, made, map(len, column)))
    # By what is left: 0 bytes, nothing; 2, has_traceback alone; else the next traceback
    # field (in C: a missing length is looked up once, then maps to the same iterator).
    fields = iter(traceback_fields)
    choose: defaultdict[int, Iterator[bytes]] = defaultdict(
        lambda: fields, {0: repeat(b""), 2: repeat(b"\x28\x01")}
    )
    tails = list(map(next, map(choose.__getitem__, map(sub, lengths, made))))
    return tails if len(tails) == len(lengths) else None  # (shorter: too few tracebacks)


class _Field2(dict[str, bytes]):
    """type -> NodeDef (or Operation) field 2: tag, length, UTF-8 bytes; made once a type."""

    def __missing__(self, key: str) -> bytes:
        encoded = key.encode()
        value = b"\x12" + wire.varint(len(encoded)) + encoded
        self[key] = value
        return value


class _ShapeFields(dict[tuple[bytes, ...], bytes]):
    """Output shapes -> their ``Operation.output_shapes`` fields (field 4, each)."""

    def __missing__(self, key: tuple[bytes, ...]) -> bytes:
        value = b"".join(b"\x22" + wire.varint(len(s)) + s for s in key)
        if len(self) < 100_000:
            self[key] = value
        return value


_FIELD_2 = _Field2()
_SHAPE_FIELD = _ShapeFields()


def _frames_exist(tracebacks: list[bytes], frames: int) -> bool:
    """Every packed traceback decodes, and every index names one of ``frames`` frames."""
    if not tracebacks:
        return True
    joined = b"".join(tracebacks)
    if not joined:
        return True
    if joined.isascii():  # one byte an index: the indices are the bytes, each below frames?
        return frames >= 0x80 or not joined.translate(None, bytes(range(frames)))
    try:
        indices: list[int] = wire.parse(wire.INDICES, wire.frame(tracebacks)).index[:]
    except DecodeError:
        return False
    return not indices or max(indices) < frames


def _library_by_name(cpp_bytes: bytes, names: list[str]) -> dict[str, bytes]:
    """Name -> serialized FunctionDef of the C++ library (``names``: its functions' names,
    in order, as ``FLAT_GRAPH`` parsed them); empty if a name occurs twice
    (``check_library`` then fails)."""
    serialized: list[bytes] = wire.parse(wire.GRAPH_LIBRARY_BYTES, cpp_bytes).library.function[:]
    by_name = dict(zip(names, serialized, strict=True))
    return by_name if len(by_name) == len(names) else {}


def _flat_graph(data: bytes) -> Any | None:
    try:
        return wire.parse(wire.FLAT_GRAPH, data)
    except DecodeError:
        return None


def _one_name_and_op_each(flat: Any, n: int) -> bool:
    """Whether the merged nodes hold n name fields and n op fields in all (with a prefix
    check: exactly one each)."""
    return len(flat.node.name) == n and len(flat.node.op) == n


def _prefixes(names: Sequence[str], types: Sequence[str]) -> list[bytes]:
    """``P_i``: fields 1 (name) and 2 (op) of NodeDef i as a canonical serializer writes
    them (types are not empty)."""
    encoded = list(map(str.encode, names))
    name_fields = map(add, wire.length_prefixes(b"\n", map(len, encoded)), encoded)
    return list(map(add, name_fields, map(_FIELD_2.__getitem__, types)))


def _registered(types: set[str], op_defs: Mapping[str, OpDef], fns: Mapping[str, Function]) -> bool:
    """``check_node_ops``: every node's op (here, every type) is an OpDef or a function."""
    return all(t in op_defs or t in fns for t in types)


def _output_counts(
    types: Sequence[str],
    node_defs: Sequence[bytes],
    op_defs: Mapping[str, OpDef],
    fns: Mapping[str, Function],
) -> list[int] | None:
    """Each operation's output count by its OpDef (or function signature): per type when
    the OpDef fixes it, else from the node's attrs; None if the attrs do not say."""
    fixed: dict[str, int | None] = {}  # None: the attrs decide
    signatures: dict[str, OpDef] = {}
    for t in set(types):
        fn = fns.get(t)
        op_def = fn.definition.signature if fn is not None else op_defs[t]
        signatures[t] = op_def
        if any(a.number_attr or a.type_list_attr for a in op_def.output_arg):
            fixed[t] = None
        else:
            fixed[t] = len(op_def.output_arg)
    counts: list[int | None] = list(map(fixed.__getitem__, types))
    if None in counts:
        for i in [i for i, c in enumerate(counts) if c is None]:
            try:
                node_def = NodeDef.FromString(node_defs[i])
            except DecodeError:
                return None
            counts[i] = output_count(node_def, signatures[types[i]])
            if counts[i] is None:
                return None
    return counts  # type: ignore[return-value]


def _inputs_resolve(
    inputs: set[str], names: Sequence[str], counts: Sequence[int], index: dict[str, int]
) -> bool:
    """``check_inputs``: each input (of the set of them all) names an output (or, ``^op``,
    an operation).

    Most inputs are ``op``, output 0 of an operation that has outputs (and whose name has
    no ``:`` and no leading ``^``): an input that is an operation's name is one, unless
    that operation has no output or such a name. Many others are ``^op`` or ``op:k`` as
    TF spells them: when they are many, those are found in sets; then the rest one by one
    (``input_fault``)."""
    others = inputs.difference(index)
    unusual = set(compress(names, map(not_, counts)))  # no output: "op" names none
    joined = "".join(names)
    if ":" in joined or "^" in joined:  # such a name is not an input naming it
        unusual.update(name for name in names if ":" in name or name.startswith("^"))
    if unusual:
        others.update(unusual.intersection(inputs))
    if len(others) > len(names) // 8:
        others.difference_update(map(add, repeat("^"), names))
        others.difference_update(
            map(add, filterfalse(unusual.__contains__, compress(names, counts)), repeat(":0"))
        )
        for name, count in zip(names, counts, strict=True):
            if count > 1 and not name.startswith("^"):
                others.difference_update(f"{name}:{k}" for k in range(1, count))
    outputs = _OutputCounts(index, counts)
    return all(input_fault(x, outputs) is None for x in others)


class _OutputCounts(Mapping[str, int]):
    """Operation name -> its output count, over the index and the counts."""

    def __init__(self, index: Mapping[str, int], counts: Sequence[int]) -> None:
        self._index = index
        self._counts = counts

    def __getitem__(self, name: str) -> int:
        return self._counts[self._index[name]]

    def get(self, name: str, default: int | None = None) -> int | None:  # type: ignore[override]
        i = self._index.get(name)
        return default if i is None else self._counts[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)
