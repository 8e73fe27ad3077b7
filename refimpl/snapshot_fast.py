"""Loading a snapshot in bulk: every check of rules 1.9 and 1.9.1, graph-wide, in C.

``load_snapshot`` checks a snapshot operation by operation (``refimpl.snapshot``,
``refimpl.snapshot_checks``), which words the first fault it finds. Reading each node's
fields from Python costs far more than parsing the snapshot, so ``load_in_bulk`` first
tries to *prove* that no check fails, reading whole graphs through the views of
``refimpl.wire``, and builds the lazy model if so. It returns None (and the
per-operation check then finds and words the fault) whenever it cannot prove it: it
may decline a consistent snapshot (one serialized in an unusual way), never accept an
inconsistent one.

How each per-operation check is proved (n operations; ``P_i``, the *prefix* of
operation i, is its ``NodeDef`` fields 1 and 2 as a canonical serializer writes them:
name, then op = the operation's type):

- operation names: read per operation; none empty, no two equal.
- each ``node_def`` parses as a NodeDef: the node_defs, framed as one GraphDef, parse as
  ``refimpl.wire.FLAT_GRAPH`` (each node on its own, as NodeDef would parse it).
- ``node_def.name`` is the operation's name and ``node_def.op`` its type: every node_def
  starts with ``P_i`` (so it has a name and an op field with these values) and the
  node_defs hold n name fields and n op fields in all (so no second one overrides them).
- ``cpp_graph_def`` parses as a GraphDef (``FLAT_GRAPH``); its nodes are the operations,
  in creation order, with the same op: it has n nodes, node i starts with ``P_i``, and
  the nodes hold n name and n op fields in all. (Names being unique, no node occurs
  twice.)
- output shapes parse as TensorShapeProto and traceback indices name frames:
  ``FLAT_OPERATIONS`` (every index, traceback or not: stricter than the check).
- every node runs a registered op or a library function: the set of types.
- output counts: per type, from its OpDef (or function signature); per operation only
  for types whose count depends on attrs.
- inputs: the set of all inputs of the node_defs and of the nodes (``FLAT_GRAPH`` lists
  every occurrence), less the names of operations with an output, is checked input by
  input (control inputs, ``op:k``, faults).
- functions, op_defs, collections, patterns, the library: the per-record checks
  themselves (their size is not the graph's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, compress, filterfalse
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

def load_in_bulk(
    raw: snap.GraphSnapshot, data: bytes, frames: Frames
) -> Snapshot | None:
    """The loaded snapshot if every check provably holds; else None. ``raw`` is ``data``
    parsed, its format version and environment checked. May raise ``SnapshotError``
    (the caller then runs the per-operation check, which words the first fault)."""
    records: list[snap.Operation] = raw.operations[:]  # (a list: iterating it costs less)
    n = len(records)
    names = [r.name for r in records]
    if not all(names):
        return None
    index = dict(zip(names, range(n), strict=True))
    if len(index) != n:
        return None
    types = [r.type for r in records]
    prefixes = _prefixes(names, types)
    if prefixes is None:
        return None
    # The node_defs: each a NodeDef named and typed as its operation.
    node_defs = [r.node_def for r in records]
    if not all(map(bytes.startswith, node_defs, prefixes)):
        return None
    nodes = _flat_graph(wire.frame(node_defs))
    del node_defs
    if nodes is None or not _one_name_and_op_each(nodes, n):
        return None
    # The C++ GraphDef: node i is operation i.
    cpp_bytes = raw.cpp_graph_def
    cpp_flat = _flat_graph(cpp_bytes)
    if cpp_flat is None or not _one_name_and_op_each(cpp_flat, n):
        return None
    cpp_nodes: list[bytes] = wire.parse(wire.NODE_BYTES, cpp_bytes).node[:]
    if len(cpp_nodes) != n or not all(map(bytes.startswith, cpp_nodes, prefixes)):
        return None
    del cpp_nodes, prefixes
    # Output shapes and tracebacks.
    try:
        flat_ops = wire.parse(wire.FLAT_OPERATIONS, data).operations
    except DecodeError:
        return None
    traceback = flat_ops.traceback
    if len(traceback) and max(traceback[:]) >= len(frames):
        return None
    counts = [len(r.output_shapes) for r in records]
    # The records whose size is not the graph's.
    env = raw.environment
    check_patterns(env)
    cpp = Deferred(GraphDef, cpp_bytes)  # (it parses: cpp_flat is the same fields)
    functions, fns_by_name = functions_of(raw)
    op_defs = op_defs_of(raw)
    collections = collections_of(raw)
    check_library(cpp_flat.library, fns_by_name)
    check_collection_items(collections)
    if not _registered(set(types), op_defs, fns_by_name):
        return None
    if not _output_counts_hold(records, types, counts, op_defs, fns_by_name):
        return None
    if not _inputs_resolve(
        chain(nodes.node.input[:], cpp_flat.node.input[:]), names, counts
    ):
        return None
    operations = OperationList(raw.operations, frames)
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
            data=data,
            record=raw,
            operations=operations,
            cpp_graph_def=cpp,
            names=tuple(names),
            types=tuple(types),
            output_counts=tuple(counts),
            cpp_has_output_shapes="_output_shapes" in cpp_flat.node.attr,
            node_defs_have_output_shapes="_output_shapes" in nodes.node.attr,
        ),
    )


def _flat_graph(data: bytes) -> Any | None:
    try:
        return wire.parse(wire.FLAT_GRAPH, data)
    except DecodeError:
        return None


def _one_name_and_op_each(flat: Any, n: int) -> bool:
    """Whether the merged nodes hold n name fields and n op fields in all (with a prefix
    check: exactly one each)."""
    return len(flat.node.name) == n and len(flat.node.op) == n


def _prefixes(names: Sequence[str], types: Sequence[str]) -> list[bytes] | None:
    """``P_i``: fields 1 (name) and 2 (op) of NodeDef i as a canonical serializer writes
    them; None if a type is empty (a canonical NodeDef then has no op field)."""
    if not all(types):
        return None
    encoded_names = list(map(str.encode, names))
    type_fields = _TypeFields()
    return list(
        map(
            b"".join,
            zip(
                wire.length_prefixes(b"\n", map(len, encoded_names)),
                encoded_names,
                map(type_fields.__getitem__, types),
                strict=True,
            ),
        )
    )


class _TypeFields(dict[str, bytes]):
    """type -> its NodeDef field 2 (tag, length, UTF-8 bytes), made once per type."""

    def __missing__(self, key: str) -> bytes:
        encoded = key.encode()
        value = b"\x12" + wire.varint(len(encoded)) + encoded
        self[key] = value
        return value


def _registered(types: set[str], op_defs: Mapping[str, OpDef], fns: Mapping[str, Function]) -> bool:
    """``check_node_ops``: every node's op (here, every type) is an OpDef or a function."""
    return all(t in op_defs or t in fns for t in types)


def _output_counts_hold(
    records: Sequence[snap.Operation],
    types: Sequence[str],
    counts: Sequence[int],
    op_defs: Mapping[str, OpDef],
    fns: Mapping[str, Function],
) -> bool:
    """``check_output_counts``: per type when the OpDef fixes the count, else per node."""
    expected: dict[str, int | None] = {}  # None: the attrs decide
    for t in set(types):
        fn = fns.get(t)
        op_def = fn.definition.signature if fn is not None else op_defs.get(t)
        if op_def is None:
            expected[t] = -1  # no OpDef: not checked
        elif any(a.number_attr or a.type_list_attr for a in op_def.output_arg):
            expected[t] = None
        else:
            expected[t] = len(op_def.output_arg)
    for i, (t, count) in enumerate(zip(types, counts, strict=True)):
        want = expected[t]
        if want == count or want == -1:
            continue
        if want is not None:
            return False
        fn = fns.get(t)
        op_def = fn.definition.signature if fn is not None else op_defs[t]
        node_def = NodeDef.FromString(records[i].node_def)
        got = output_count(node_def, op_def)
        if got is not None and got != count:
            return False
    return True


def _inputs_resolve(
    inputs: Iterable[str], names: Sequence[str], counts: Sequence[int]
) -> bool:
    """``check_inputs``: each input names an output (or, ``^op``, an operation).

    Most inputs are ``op``, output 0 of an operation that has outputs: those are found in
    one set; the others (``^op``, ``op:k``, faults) are checked one by one."""
    plain = set(compress(names, counts))
    others = set(filterfalse(plain.__contains__, inputs))
    if not others:
        return True
    outputs = dict(zip(names, counts, strict=True))
    return all(input_fault(x, outputs) is None for x in others)
