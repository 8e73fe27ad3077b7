"""Consistency of a graph snapshot (spec.md rule 1.9.1): what a loader rejects besides bad bytes.

``load_snapshot`` parses a snapshot into its parts, then ``check_consistency`` makes sure
the parts agree with each other the way TF's graph guarantees they do, so that every
export of a loaded snapshot either succeeds or raises one of TF's own errors. Each check
raises ``SnapshotError`` naming the fault. Only what TF itself guarantees is checked:
a function attr may name a function the graph lacks (TF builds such call ops), a
function body may use an op no registry knows (``import_graph_def`` accepts it), and a
collection may hold operations, tensors or variables of another graph; those load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from google.protobuf.message import DecodeError

from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.function_pb2 import FunctionDefLibrary
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.snapshot import Collection, Function, Operation, SnapshotError

_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)")
_MAX_INT_DIGITS = 4300  # what str(int) and int(str) accept (sys.get_int_max_str_digits)


def check_consistency(
    environment: snap.Environment,
    cpp_graph_def: GraphDef,
    operations: Mapping[str, Operation],
    functions: Mapping[str, Function],
    op_defs: Mapping[str, OpDef],
    collections: Sequence[Collection],
) -> None:
    """Raises ``SnapshotError`` if the parts of a snapshot contradict each other."""
    check_patterns(environment)
    check_nodes_are_operations(cpp_graph_def, operations)
    check_library(cpp_graph_def.library, functions)
    check_node_ops(cpp_graph_def, operations, functions, op_defs)
    check_output_counts(operations, functions, op_defs)
    check_inputs(cpp_graph_def, operations)
    check_collection_items(collections)


# -- the environment -----------------------------------------------------------------


def check_patterns(environment: snap.Environment) -> None:
    """The frame-classification patterns are Python regular expressions (rule 1.2)."""
    for field in ("framework_filename_patterns", "external_filename_patterns"):
        for i, pattern in enumerate(getattr(environment, field)):
            try:
                re.compile(pattern)
            except re.error as e:
                raise SnapshotError(
                    f"environment.{field}[{i}] is not a valid regular expression: {e}"
                ) from None


# -- operations and nodes ------------------------------------------------------------


def check_nodes_are_operations(
    cpp_graph_def: GraphDef, operations: Mapping[str, Operation]
) -> None:
    """Each operation is exactly one node of ``cpp_graph_def``, of the same op type."""
    seen: set[str] = set()
    for node in cpp_graph_def.node:
        if node.name in seen:
            raise SnapshotError(f"cpp_graph_def node {node.name!r} occurs twice")
        seen.add(node.name)
        op = operations.get(node.name)
        if op is not None and node.op != op.node_def.op:
            raise SnapshotError(
                f"cpp_graph_def node {node.name!r} has op {node.op!r}, "
                f"but the node_def of that operation has op {op.node_def.op!r}"
            )
    for i, op in enumerate(operations.values()):
        if op.type != op.node_def.op:
            raise SnapshotError(
                f"operations[{i}] ({op.name!r}) has type {op.type!r}, "
                f"but its node_def has op {op.node_def.op!r}"
            )


def check_library(cpp_library: FunctionDefLibrary, functions: Mapping[str, Function]) -> None:
    """``cpp_graph_def.library`` and ``functions`` hold the same functions; gradients resolve."""
    library: set[str] = set()
    for function_def in cpp_library.function:
        name = function_def.signature.name
        if name in library:
            raise SnapshotError(f"cpp_graph_def.library function {name!r} occurs twice")
        library.add(name)
        if name not in functions:
            raise SnapshotError(
                f"cpp_graph_def.library function {name!r} is not among the functions"
            )
    for name, fn in functions.items():
        if name not in library:
            raise SnapshotError(f"function {name!r} is not in cpp_graph_def.library")
        if fn.grad_func_name and fn.grad_func_name not in functions:
            raise SnapshotError(
                f"function {name!r} has gradient function {fn.grad_func_name!r}, "
                "which is not among the functions"
            )
    for gradient in cpp_library.gradient:
        names = (("function", gradient.function_name), ("gradient", gradient.gradient_func))
        for role, name in names:
            if name not in library:
                raise SnapshotError(
                    f"cpp_graph_def.library gradient of {gradient.function_name!r} names "
                    f"{role} {name!r}, which is not in the library"
                )


def check_node_ops(
    cpp_graph_def: GraphDef,
    operations: Mapping[str, Operation],
    functions: Mapping[str, Function],
    op_defs: Mapping[str, OpDef],
) -> None:
    """Every node of the graph runs a registered op (in ``op_defs``) or a library function."""

    def check(node: NodeDef, what: str) -> None:
        if node.op not in op_defs and node.op not in functions:
            raise SnapshotError(
                f"{what} uses op {node.op!r}, which is neither in op_defs nor a library function"
            )

    for node in cpp_graph_def.node:
        check(node, f"cpp_graph_def node {node.name!r}")
    for i, op in enumerate(operations.values()):
        check(op.node_def, f"operations[{i}] ({op.name!r}).node_def")


# -- outputs and inputs --------------------------------------------------------------


def output_count(node: NodeDef, op_def: OpDef) -> int | None:
    """How many outputs ``node`` has by its OpDef and attrs; None if the attrs do not say."""
    count = 0
    for arg in op_def.output_arg:
        if arg.number_attr:
            number = node.attr.get(arg.number_attr)
            if number is None or number.WhichOneof("value") != "i" or number.i < 0:
                return None
            count += number.i
        elif arg.type_list_attr:
            types = node.attr.get(arg.type_list_attr)
            if types is None or types.WhichOneof("value") != "list":
                return None
            count += len(types.list.type)
        else:
            count += 1
    return count


def check_output_counts(
    operations: Mapping[str, Operation],
    functions: Mapping[str, Function],
    op_defs: Mapping[str, OpDef],
) -> None:
    """Each operation has one output shape per output of its op (when the OpDef says how many)."""
    for i, op in enumerate(operations.values()):
        fn = functions.get(op.node_def.op)
        op_def = fn.definition.signature if fn is not None else op_defs.get(op.node_def.op)
        if op_def is None:
            continue
        expected = output_count(op.node_def, op_def)
        if expected is not None and expected != len(op.output_shapes):
            raise SnapshotError(
                f"operations[{i}] ({op.name!r}) has {len(op.output_shapes)} output_shapes, "
                f"but op {op.node_def.op!r} gives it {expected} outputs"
            )


def input_fault(inp: str, output_counts: Mapping[str, int]) -> str | None:
    """What is wrong with a node input (``^op``, ``op`` or ``op:k``), or None.

    ``output_counts``: operation name -> how many outputs (output shapes) it has."""
    if inp.startswith("^"):
        name, index = inp[1:], 0
        control = True
    else:
        name, sep, k = inp.rpartition(":")
        control = False
        if not sep:
            name, index = inp, 0
        elif k.isascii() and k.isdigit():
            index = int(k)
        else:
            return "is not a tensor name"
    count = output_counts.get(name)
    if count is None:
        return "names no operation"
    if not control and index >= count:
        return f"names output {index} of an operation with {count} outputs"
    return None


def _check_node_inputs(inputs: Iterable[str], what: str, output_counts: Mapping[str, int]) -> None:
    for inp in inputs:
        fault = input_fault(inp, output_counts)
        if fault is not None:
            raise SnapshotError(f"{what} input {inp!r} {fault}")


def check_inputs(cpp_graph_def: GraphDef, operations: Mapping[str, Operation]) -> None:
    """Every input of a node is an output (or, for ``^op``, an operation) of the graph."""
    counts = {name: len(op.output_shapes) for name, op in operations.items()}
    for node in cpp_graph_def.node:
        _check_node_inputs(node.input, f"cpp_graph_def node {node.name!r}", counts)
    for i, op in enumerate(operations.values()):
        _check_node_inputs(op.node_def.input, f"operations[{i}] ({op.name!r}).node_def", counts)


# -- collections ---------------------------------------------------------------------


def check_collection_items(collections: Sequence[Collection]) -> None:
    """Items (and their flattened leaves) hold what capture records.

    Contexts (and nested contexts) of a kind, SaverDefs that parse, decimal integers.
    """
    for i, c in enumerate(collections):
        for j, item in enumerate(c.items):
            _check_item(item, f"collections[{i}].items[{j}]")


def _check_item(item: snap.CollectionItem, what: str) -> None:
    kind = item.WhichOneof("kind")
    for k, leaf in enumerate(item.flattened):
        if leaf.WhichOneof("kind") is None:
            raise SnapshotError(f"{what}.flattened[{k}] has no value")
        _check_item(leaf, f"{what}.flattened[{k}]")
    if kind == "context":
        _check_context(item.context, f"{what}.context")
    elif kind == "saver" and not item.saver.saver_def_is_none:
        try:
            SaverDef().ParseFromString(item.saver.saver_def)
        except DecodeError as e:
            raise SnapshotError(
                f"{what}.saver.saver_def is not a valid tensorflow.SaverDef: {e}"
            ) from None
    elif kind == "int":
        _check_decimal(item.int, f"{what}.int")
    elif kind == "numpy" and item.numpy.WhichOneof("value") == "int":
        _check_decimal(item.numpy.int, f"{what}.numpy.int")


def _check_context(ctx: snap.ContextItem, what: str) -> None:
    kind = ctx.WhichOneof("kind")
    if kind is None:
        raise SnapshotError(f"{what} is neither a cond nor a while context")
    inner = ctx.cond if kind == "cond" else getattr(ctx, "while")
    for k, nested in enumerate(inner.nested_contexts):
        _check_context(nested, f"{what}.nested_contexts[{k}]")


def _check_decimal(text: str, what: str) -> None:
    if not _DECIMAL.fullmatch(text) or len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise SnapshotError(f"{what} is not a decimal integer: {text[:40]!r}")
