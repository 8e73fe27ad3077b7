"""The ``stripped_op_list``: which registered ops a GraphDef uses (spec.md section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress

from refimpl import rules, wire
from refimpl.op_registry import OpLookup
from refimpl.pb.tensorflow.function_pb2 import FunctionDef
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpList

CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")


def ops_used_by_graph_def(
    graph_def: GraphDef, node_ops: Sequence[str] | None = None, library: bytes | None = None
) -> set[str]:
    """Op names used by top-level nodes and by the functions they call, minus function names.

    A function is walked only when a node's op is its name, or when a
    ``PartitionedCall``/``StatefulPartitionedCall`` names it in attr ``f``.
    Reading attr ``f`` of a call node that lacks it adds an empty ``f`` to
    ``graph_def`` (as TF does, rule 5.3): this function mutates its argument there.

    ``node_ops``, if given, is the op of each top-level node, in order (known to the
    caller): only the call nodes are then read. ``library``, if given, is a GraphDef
    holding ``graph_def``'s library, canonically serialized: the function bodies' ops are
    read from it (else from ``graph_def``'s library, serialized here).
    """
    rules.applied("5.2", "5.5")
    functions = graph_def.library.function
    whole = None
    if node_ops is not None and library is not None and len(functions):
        whole = _whole_library(library, functions)
    name_to_function: dict[str, int] = {}  # name -> its (last) place in the library
    if whole is not None:
        name_to_function = dict(zip(whole[0], range(len(functions)), strict=True))
    else:
        for i, fun in enumerate(functions):
            name_to_function[fun.signature.name] = i
    used: set[str] = set()
    pending: list[int] = []

    def mark(op: str) -> None:
        if op not in used and op in name_to_function:
            pending.append(name_to_function[op])
        used.add(op)

    def process(node: NodeDef) -> None:
        mark(node.op)
        if node.op in CALL_OPS:
            if "f" not in node.attr:
                rules.applied("5.3")  # reading it creates it
            mark(node.attr["f"].func.name)

    if node_ops is None:
        for node in graph_def.node:
            process(node)
    else:
        # The same marks: a set of ops, then the call nodes in order.
        for op in set(node_ops):
            mark(op)
        nodes = graph_def.node
        for i in compress(range(len(node_ops)), map(CALL_OPS.__contains__, node_ops)):
            process(nodes[i])
    every_body_op = None
    if (
        whole is not None
        and whole[1].isdisjoint(CALL_OPS)
        and whole[1].isdisjoint(name_to_function)
        and len(set(pending)) == len(functions)
    ):
        every_body_op = whole[1]  # every function is walked, and their bodies call none
    body_ops = None
    if node_ops is not None and len(functions) and every_body_op is None:
        body_ops = _body_ops(graph_def, library)
    while pending:
        i = pending.pop()
        if every_body_op is not None:  # the marks of every body at once
            used.update(every_body_op)
            break
        nodes = functions[i].node_def
        ops = body_ops[i] if body_ops is not None else None
        if ops is None or len(ops) != len(nodes):
            for node in nodes:
                process(node)
            continue
        # The same marks: a set of ops, then the call nodes in order.
        for op in set(ops):
            mark(op)
        for k in compress(range(len(ops)), map(CALL_OPS.__contains__, ops)):
            process(nodes[k])
    return {op for op in used if op not in name_to_function}


def _whole_library(
    library: bytes, functions: Sequence[FunctionDef]
) -> tuple[list[str], set[str]] | None:
    """The library's function names, in order, and the set of every body node's op, read
    from the library serialized canonically (``ops_used_by_graph_def``); None unless
    every function has a name and every body node an op (one field each, canonically)."""
    flat = wire.parse(wire.GRAPH_FLAT_LIBRARY, library).library.function
    names: list[str] = flat.signature.name[:]
    ops = flat.node_def.op
    if len(names) != len(functions) or len(ops) != sum(len(f.node_def) for f in functions):
        return None
    return names, set(ops)


def _body_ops(graph_def: GraphDef, library: bytes | None) -> list[list[str]]:
    """Each library function's body node ops, in order, read from the library serialized
    (canonically: a node has one op field, or none if its op is empty)."""
    if library is None:
        library = GraphDef(library=graph_def.library).SerializeToString(deterministic=True)
    functions = wire.parse(wire.GRAPH_LIBRARY_OPS, library).library.function
    return [f.node_def.op[:] for f in functions]


def stripped_op_list(
    graph_def: GraphDef,
    lookup: OpLookup,
    node_ops: Sequence[str] | None = None,
    library: bytes | None = None,
) -> OpList:
    """The OpDefs of the used ops that ``lookup`` knows, sorted by name (code points).
    ``node_ops``, ``library``: as for ``ops_used_by_graph_def``."""
    used = ops_used_by_graph_def(graph_def, node_ops, library)
    rules.applied("5.4")
    op_list = OpList()
    for name in sorted(used):
        op_def = lookup(name)
        if op_def is not None:
            op_list.op.append(op_def)
    return op_list
