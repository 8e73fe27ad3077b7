"""A loaded snapshot is consistent (spec.md rule 1.9.1): mutation fuzzing, and one test per check.

The properties mutate corpus snapshots (structurally, and byte by byte) with the mutators
of ``scripts/fuzz_snapshots.py``, drawn by hypothesis: ``load_snapshot`` rejects a mutant
with ``SnapshotError``, or every export of it (default path, scope, ``clear_devices``,
``clear_extraneous_savers``, ``strip_default_attrs``, text, debug file) succeeds or raises
an error of spec.md's catalogue with TF's message. The plain tests below build one
inconsistency each from ``examples/training.snapshot`` and check the loader's message, and
show that what TF itself allows still loads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from fuzz_draws import REPO, DrawChooser, examples, fz
from hypothesis import given, settings
from hypothesis import strategies as st

from refimpl.export import plan_export
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.function_pb2 import FunctionDef
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.snapshot import Snapshot, SnapshotError, load_snapshot

EXAMPLE = REPO / "examples" / "training.snapshot"
#: The hypothesis profile scales the example counts below (``fuzz_draws.examples``):
#: about 300 mutants in a default run.


@st.composite
def mutants(draw: st.DrawFn, structural: bool, byte_level: bool) -> fz.Mutant:
    """A corpus snapshot, mutated by one to three mutators."""
    seed = draw(st.sampled_from(fz.corpus_files()))
    return fz.mutate(seed.read_bytes(), DrawChooser(draw), structural, byte_level)


def _assert_documented(mutant: fz.Mutant, data: st.DataObject) -> fz.Verdict:
    verdict = fz.check_snapshot_input(mutant.data, DrawChooser(data.draw))
    assert not verdict.failures, "made by: {}\n{}".format(
        "; ".join(mutant.steps), "\n".join(f"{f.where}:\n{f.trace}" for f in verdict.failures)
    )
    return verdict


# -- the properties ---------------------------------------------------------------------


@settings(max_examples=examples(200))
@given(mutants(structural=True, byte_level=False), st.data())
def test_structural_mutants_are_rejected_or_export_only_documented_errors(
    mutant: fz.Mutant, data: st.DataObject
) -> None:
    _assert_documented(mutant, data)


@settings(max_examples=examples(100))
@given(mutants(structural=False, byte_level=True), st.data())
def test_byte_mutants_are_rejected_or_export_only_documented_errors(
    mutant: fz.Mutant, data: st.DataObject
) -> None:
    _assert_documented(mutant, data)


def test_every_corpus_snapshot_is_consistent() -> None:
    for path in fz.corpus_files():
        load_snapshot(path.read_bytes())


def test_the_oracle_calls_a_lookup_key_error_undocumented() -> None:
    # A Snapshot made without the loader, whose library names a function it lacks:
    # refimpl's dict lookup fails, which is no error of TF's.
    graph = _with_library_function(load_snapshot(EXAMPLE.read_bytes()), "ghost")
    error = plan_export(graph).error
    assert isinstance(error, KeyError)
    assert fz.documented_rule(error) is None


def test_the_oracle_calls_the_debug_step_key_error_documented() -> None:
    graph = load_snapshot(EXAMPLE.read_bytes())
    result = plan_export(graph, "model.meta", export_scope="w", save_debug_info=True)
    assert isinstance(result.error_after_files, KeyError)
    assert fz.documented_rule(result.error_after_files) == "10.4.1"


def _with_library_function(graph: Snapshot, name: str) -> Snapshot:
    cpp = GraphDef()
    cpp.CopyFrom(graph.cpp_graph_def)
    cpp.library.function.add().signature.name = name
    return dataclasses.replace(graph, cpp_graph_def=cpp)


# -- one inconsistency each -------------------------------------------------------------

Edit = Callable[[snap.GraphSnapshot], object]


def _corrupted(edit: Edit) -> bytes:
    raw = snap.GraphSnapshot.FromString(EXAMPLE.read_bytes())
    edit(raw)
    return raw.SerializeToString()


def _rejected(edit: Edit) -> str:
    with pytest.raises(SnapshotError) as raised:
        load_snapshot(_corrupted(edit))
    return str(raised.value)


def _edit_cpp(raw: snap.GraphSnapshot, change: Callable[[GraphDef], object]) -> None:
    cpp = GraphDef.FromString(raw.cpp_graph_def)
    change(cpp)
    raw.cpp_graph_def = cpp.SerializeToString()


def _edit_node_def(op: snap.Operation, change: Callable[[NodeDef], object]) -> None:
    node = NodeDef.FromString(op.node_def)
    change(node)
    op.node_def = node.SerializeToString()


def _add_function(raw: snap.GraphSnapshot, name: str, in_library: int = 1) -> snap.Function:
    definition = FunctionDef()
    definition.signature.name = name
    for _ in range(in_library):
        _edit_cpp(raw, lambda cpp: cpp.library.function.append(definition))
    return raw.functions.add(name=name, definition=definition.SerializeToString())


def _index(raw: snap.GraphSnapshot, name: str) -> int:
    return [op.name for op in raw.operations].index(name)


def test_a_frame_pattern_that_is_not_a_regular_expression_is_rejected() -> None:
    message = _rejected(lambda raw: raw.environment.external_filename_patterns.append("("))
    assert message.startswith(
        "environment.external_filename_patterns[1] is not a valid regular expression: "
    )


def test_a_cpp_node_twice_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _edit_cpp(raw, lambda cpp: cpp.node[-1].CopyFrom(cpp.node[0]))

    assert _rejected(edit) == "cpp_graph_def node 'x' occurs twice"


def test_a_cpp_node_of_another_op_than_its_operation_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _edit_cpp(raw, lambda cpp: setattr(cpp.node[0], "op", "Const"))

    assert _rejected(edit) == (
        "cpp_graph_def node 'x' has op 'Const', but the node_def of that operation has op "
        "'Placeholder'"
    )


def test_an_operation_type_other_than_its_node_def_op_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        raw.operations[1].type = "Const"

    assert _rejected(edit) == (
        "operations[1] ('y') has type 'Const', but its node_def has op 'Placeholder'"
    )


def test_a_library_function_without_its_record_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_function(raw, "f")
        del raw.functions[:]

    assert _rejected(edit) == "cpp_graph_def.library function 'f' is not among the functions"


def test_a_function_missing_from_the_library_is_rejected() -> None:
    assert _rejected(lambda raw: _add_function(raw, "f", in_library=0)) == (
        "function 'f' is not in cpp_graph_def.library"
    )


def test_a_library_function_twice_is_rejected() -> None:
    assert _rejected(lambda raw: _add_function(raw, "f", in_library=2)) == (
        "cpp_graph_def.library function 'f' occurs twice"
    )


def test_a_gradient_function_that_is_not_a_function_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_function(raw, "f").grad_func_name = "f_grad"

    assert _rejected(edit) == (
        "function 'f' has gradient function 'f_grad', which is not among the functions"
    )


def test_a_library_gradient_naming_a_missing_function_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_function(raw, "f")
        _edit_cpp(raw, lambda cpp: cpp.library.gradient.add(function_name="f", gradient_func="g"))

    assert _rejected(edit) == (
        "cpp_graph_def.library gradient of 'f' names gradient 'g', which is not in the library"
    )


def test_a_node_of_an_unregistered_op_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _edit_cpp(raw, lambda cpp: setattr(cpp.node[0], "op", "NoSuchOp"))
        _edit_node_def(raw.operations[0], lambda node: setattr(node, "op", "NoSuchOp"))
        raw.operations[0].type = "NoSuchOp"

    assert _rejected(edit) == (
        "cpp_graph_def node 'x' uses op 'NoSuchOp', which is neither in op_defs nor a "
        "library function"
    )


def test_output_shapes_of_another_count_than_the_op_gives_are_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        raw.operations[0].output_shapes.append(raw.operations[0].output_shapes[0])

    assert _rejected(edit) == (
        "operations[0] ('x') has 2 output_shapes, but op 'Placeholder' gives it 1 outputs"
    )


def test_an_input_naming_no_operation_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _edit_cpp(raw, lambda cpp: cpp.node[5].input.__setitem__(0, "nowhere"))

    assert _rejected(edit) == (
        "cpp_graph_def node 'w/Initializer/random_uniform/RandomUniform' input 'nowhere' "
        "names no operation"
    )


def test_an_input_past_the_outputs_of_its_operation_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        i = _index(raw, "w/Initializer/random_uniform/RandomUniform")
        _edit_node_def(raw.operations[i], lambda node: node.input.__setitem__(0, "x:1"))

    assert _rejected(edit) == (
        "operations[5] ('w/Initializer/random_uniform/RandomUniform').node_def input 'x:1' "
        "names output 1 of an operation with 1 outputs"
    )


def test_an_input_that_is_not_a_tensor_name_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _edit_cpp(raw, lambda cpp: cpp.node[5].input.__setitem__(0, "x:y"))

    assert _rejected(edit).endswith("input 'x:y' is not a tensor name")


def _add_item(raw: snap.GraphSnapshot) -> snap.CollectionItem:
    col = raw.collections.add()
    col.key.str = "fuzz"
    return col.items.add(type_name="T", repr="<T>")


def test_a_context_item_of_no_kind_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_item(raw).context.SetInParent()

    assert _rejected(edit) == (
        "collections[8].items[0].context is neither a cond nor a while context"
    )


def test_a_nested_context_of_no_kind_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_item(raw).context.cond.nested_contexts.add()

    assert _rejected(edit) == (
        "collections[8].items[0].context.nested_contexts[0] is neither a cond nor a while context"
    )


def test_a_saver_item_whose_saver_def_does_not_parse_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_item(raw).saver.saver_def = b"\xff\xff"

    assert _rejected(edit).startswith(
        "collections[8].items[0].saver.saver_def is not a valid tensorflow.SaverDef: "
    )


def test_an_int_item_that_is_not_a_decimal_integer_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_item(raw).int = "12x"

    assert _rejected(edit) == "collections[8].items[0].int is not a decimal integer: '12x'"


def test_a_flattened_leaf_of_no_kind_is_rejected() -> None:
    def edit(raw: snap.GraphSnapshot) -> None:
        item = _add_item(raw)
        item.str = "x"
        item.nested = True
        item.flattened.add(type_name="T", repr="<T>")

    assert _rejected(edit) == "collections[8].items[0].flattened[0] has no value"


# -- what TF allows loads ---------------------------------------------------------------


def test_a_func_attr_naming_a_missing_function_loads() -> None:
    # TF builds PartitionedCall(f=<a function the graph lacks>) and exports it.
    def edit(raw: snap.GraphSnapshot) -> None:
        _edit_cpp(raw, lambda cpp: setattr(cpp.node[0].attr["f"].func, "name", "ghost"))
        _edit_node_def(raw.operations[0], lambda n: setattr(n.attr["f"].func, "name", "ghost"))

    graph = load_snapshot(_corrupted(edit))
    assert plan_export(graph).meta_graph_def.graph_def.node[0].attr["f"].func.name == "ghost"


def test_a_function_body_of_an_unregistered_op_loads() -> None:
    # tf.compat.v1.import_graph_def accepts a library function whose body no registry knows.
    def edit(raw: snap.GraphSnapshot) -> None:
        definition = FunctionDef()
        definition.signature.name = "f"
        definition.node_def.add(name="n", op="NoSuchOp")
        _edit_cpp(raw, lambda cpp: cpp.library.function.append(definition))
        raw.functions.add(name="f", definition=definition.SerializeToString())

    load_snapshot(_corrupted(edit))


def test_collection_items_of_another_graph_load() -> None:
    # Graph.add_to_collection takes ops, tensors and variables of any graph.
    def edit(raw: snap.GraphSnapshot) -> None:
        _add_item(raw).operation = "elsewhere"
        raw.collections[-1].items.add(tensor="elsewhere:3", type_name="SymbolicTensor")

    graph = load_snapshot(_corrupted(edit))
    node_list = plan_export(graph).meta_graph_def.collection_def["fuzz"].node_list
    assert list(node_list.value) == ["elsewhere", "elsewhere:3"]
