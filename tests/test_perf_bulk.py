"""The bulk paths (``refimpl.snapshot_fast``, ``refimpl.wire``, the default export over the
serialized graph) agree with the per-operation ones: the same models, the same exports,
the same errors. Correctness only; nothing here is timed (benchmarks/ times them).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import refimpl
from refimpl import rules, wire
from refimpl.export import plan
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.snapshot import (
    OperationList,
    ReadOnlyMap,
    Snapshot,
    SnapshotError,
    load_snapshot,
    load_snapshot_checked,
)

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))

import fuzz_snapshots as fz  # noqa: E402

EXAMPLES = REPO / "examples"
SNAPSHOTS = fz.corpus_files()


def _corpus_cases() -> list[object]:
    try:
        from conformance.corpus import DEFAULT_DIRECTORY, load_corpus
    except ImportError:  # the corpus package is optional here
        return []
    return list(load_corpus()) if (DEFAULT_DIRECTORY / "MANIFEST.json").exists() else []


def _without_wire(graph: Snapshot) -> Snapshot:
    return dataclasses.replace(graph, wire=None)


# -- loading ----------------------------------------------------------------------------


def test_every_corpus_and_example_snapshot_loads_in_bulk() -> None:
    paths = [*SNAPSHOTS, *sorted(EXAMPLES.glob("*.snapshot"))]
    assert paths
    declined = [p.name for p in paths if load_snapshot(p.read_bytes()).wire is None]
    assert declined == []


@pytest.mark.parametrize("path", SNAPSHOTS, ids=[p.stem[:12] for p in SNAPSHOTS])
def test_bulk_and_checked_loads_make_the_same_model(path: Path) -> None:
    data = path.read_bytes()
    bulk, checked = load_snapshot(data), load_snapshot_checked(data)
    assert checked.wire is None and bulk.wire is not None
    for f in dataclasses.fields(Snapshot):
        if f.name in ("wire", "operations_by_name", "names_in_use"):
            continue
        assert getattr(bulk, f.name) == getattr(checked, f.name), f.name
    assert list(bulk.operations_by_name) == list(checked.operations_by_name)
    for name, op in checked.operations_by_name.items():
        assert bulk.operations_by_name[name] == op
        assert bulk.operations_by_name.traceback(name) == op.traceback  # type: ignore[attr-defined]
    assert dict(bulk.names_in_use) == dict(checked.names_in_use)
    assert list(bulk.operations) == list(checked.operations)


class _Chooser:
    """The fuzzer's choices, drawn by hypothesis."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def blob(self, max_size: int) -> bytes:
        return self.data.draw(st.binary(max_size=max_size))


@settings(max_examples=max(60, settings().max_examples or 60), deadline=None)
@given(st.data())
def test_the_bulk_load_never_accepts_what_the_checked_load_rejects(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SNAPSHOTS))
    structural = data.draw(st.booleans())
    mutant = fz.mutate(seed.read_bytes(), _Chooser(data), structural, not structural)
    try:
        checked = load_snapshot_checked(mutant.data)
    except SnapshotError as e:
        with pytest.raises(SnapshotError) as raised:
            load_snapshot(mutant.data)
        assert str(raised.value) == str(e)
        return
    assert load_snapshot(mutant.data).operations == checked.operations


def _example_raw() -> snap.GraphSnapshot:
    return snap.GraphSnapshot.FromString((EXAMPLES / "training.snapshot").read_bytes())


def test_a_node_def_that_repeats_its_name_field_is_judged_by_the_last_one() -> None:
    # Legal wire format, never written by capture: the bulk load cannot prove the name
    # and leaves the verdict to the per-operation check (the last field wins).
    raw = _example_raw()
    raw.operations[3].node_def += NodeDef(name="renamed").SerializeToString()
    with pytest.raises(SnapshotError, match=r"operations\[3\].*node_def is named 'renamed'"):
        load_snapshot(raw.SerializeToString())


def test_an_unusually_ordered_but_consistent_node_def_loads_the_checked_way() -> None:
    raw = _example_raw()
    node = NodeDef.FromString(raw.operations[3].node_def)
    op_field = NodeDef(op=node.op).SerializeToString()
    rest = NodeDef()
    rest.CopyFrom(node)
    rest.op = ""
    raw.operations[3].node_def = rest.SerializeToString(deterministic=True) + op_field
    data = raw.SerializeToString()
    graph = load_snapshot(data)
    assert graph.wire is None
    assert graph.operations == load_snapshot_checked(data).operations
    reference = load_snapshot((EXAMPLES / "training.snapshot").read_bytes())
    assert plan(graph, "m.meta").files == plan(reference, "m.meta").files


def test_a_cpp_node_out_of_creation_order_loads_the_checked_way() -> None:
    raw = _example_raw()
    cpp = GraphDef.FromString(raw.cpp_graph_def)
    first, second = NodeDef(), NodeDef()
    first.CopyFrom(cpp.node[0])
    second.CopyFrom(cpp.node[1])
    cpp.node[0].CopyFrom(second)
    cpp.node[1].CopyFrom(first)
    raw.cpp_graph_def = cpp.SerializeToString(deterministic=True)
    data = raw.SerializeToString()
    graph = load_snapshot(data)
    assert graph.wire is None
    result = plan(graph, "m.meta")
    assert result.error is None
    assert [n.name for n in result.meta_graph_def.graph_def.node[:2]] == [second.name, first.name]


# -- exporting --------------------------------------------------------------------------


CASES = _corpus_cases()


@pytest.mark.skipif(not CASES, reason="no corpus")
def test_every_corpus_case_exports_the_same_with_and_without_the_wire_index() -> None:
    from conformance.corpus import from_arguments

    graphs: dict[bytes, tuple[Snapshot, Snapshot]] = {}
    for case in CASES:
        data: bytes = case.snapshot  # type: ignore[attr-defined]
        if data not in graphs:
            graphs.clear()
            bulk = load_snapshot(data)
            graphs[data] = (bulk, _without_wire(bulk))
        bulk, plain = graphs[data]
        exports = [
            from_arguments(case.arguments),  # type: ignore[attr-defined]
            *(from_arguments(t) for t in case.then),  # type: ignore[attr-defined]
        ]
        fast = refimpl.run_exports(bulk, exports, write=False, trace=True)
        slow = refimpl.run_exports(plain, exports, write=False, trace=True)
        assert fast == slow, case.name  # type: ignore[attr-defined]


def test_a_replaced_cpp_graph_def_is_exported_the_ordinary_way() -> None:
    graph = load_snapshot((EXAMPLES / "training.snapshot").read_bytes())
    cpp = GraphDef()
    cpp.CopyFrom(graph.cpp_graph_def)
    cpp.node[0].device = "/device:CPU:7"
    replaced = dataclasses.replace(graph, cpp_graph_def=cpp)
    assert replaced.wire_index() is None and graph.wire_index() is not None
    node = plan(replaced).meta_graph_def.graph_def.node[0]
    assert node.device == "/device:CPU:7"


# -- the pieces -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 127, 128, 300, 16383, 16384, 1 << 21, (1 << 63) + 5])
def test_varint_encodes_as_protobuf_does(n: int) -> None:
    from refimpl.pb.tensorflow.versions_pb2 import VersionDef

    encoded = VersionDef(producer=n & 0x7FFFFFFF).SerializeToString()
    assert wire.varint(n & 0x7FFFFFFF) == encoded[1:] if n & 0x7FFFFFFF else True
    assert wire.length_prefixes(b"\x12", [n]) == [b"\x12" + wire.varint(n)]


def test_frame_makes_a_repeated_field_of_the_items() -> None:
    nodes = [NodeDef(name="a" * k, op="Const").SerializeToString() for k in (1, 200, 20000)]
    gd = GraphDef.FromString(wire.frame(nodes))
    assert [len(n.name) for n in gd.node] == [1, 200, 20000]


def test_operation_list_is_a_read_only_lazy_sequence() -> None:
    graph = load_snapshot((EXAMPLES / "training.snapshot").read_bytes())
    ops = graph.operations
    assert isinstance(ops, OperationList)
    assert ops[1:3] == (ops[1], ops[2]) and ops[-1] is ops[len(ops) - 1]
    assert ops == tuple(ops) and ops == load_snapshot_checked(b"" + _serialized()).operations
    with pytest.raises(IndexError):
        ops[len(ops)]
    with pytest.raises(TypeError):
        ops[0] = ops[1]  # type: ignore[index]


def _serialized() -> bytes:
    return (EXAMPLES / "training.snapshot").read_bytes()


def test_names_in_use_is_read_only_and_reading_never_inserts() -> None:
    graph = load_snapshot(_serialized())
    names = graph.names_in_use
    assert isinstance(names, ReadOnlyMap)
    assert names.get("no such name") is None and "no such name" not in names
    with pytest.raises(KeyError):
        names["no such name"]
    assert len(names) == len(dict(names))


def _renamed(old: str, new: str) -> bytes:
    """examples/training.snapshot with operation ``old`` renamed ``new`` everywhere."""
    raw = _example_raw()

    def rename_node(node: NodeDef) -> None:
        if node.name == old:
            node.name = new
        for i, x in enumerate(node.input):
            if x == old or x.startswith(old + ":"):
                node.input[i] = new + x[len(old) :]
            elif x == "^" + old:
                node.input[i] = "^" + new

    for op in raw.operations:
        if op.name == old:
            op.name = new
        node = NodeDef.FromString(op.node_def)
        rename_node(node)
        op.node_def = node.SerializeToString(deterministic=True)
    cpp = GraphDef.FromString(raw.cpp_graph_def)
    for node in cpp.node:
        rename_node(node)
    raw.cpp_graph_def = cpp.SerializeToString(deterministic=True)
    return raw.SerializeToString(deterministic=True)


@pytest.mark.parametrize("old", ["w", "x"])
@pytest.mark.parametrize("new", ["w:0", "w:1", "^w", "w:x", "a:b:0", "w/Initializer:0"])
def test_operation_names_that_read_as_inputs_are_judged_as_by_the_checked_load(
    old: str, new: str
) -> None:
    data = _renamed(old, new)
    try:
        checked = load_snapshot_checked(data)
    except SnapshotError as e:
        with pytest.raises(SnapshotError) as raised:
            load_snapshot(data)
        assert str(raised.value) == str(e)
        return
    assert load_snapshot(data).operations == checked.operations


@pytest.mark.parametrize("path", SNAPSHOTS[::4], ids=[p.stem[:12] for p in SNAPSHOTS[::4]])
def test_stripping_with_the_cache_strips_what_attr_by_attr_strips(path: Path) -> None:
    from refimpl.default_attrs import strip_graph_default_attrs, strip_node_default_attrs
    from refimpl.export import _op_lookup

    graph = load_snapshot(path.read_bytes())
    result = plan(graph)
    if result.error is not None:
        return
    lookup = _op_lookup(graph)
    cached, plain = GraphDef(), GraphDef()
    cached.CopyFrom(result.meta_graph_def.graph_def)
    plain.CopyFrom(cached)
    strip_graph_default_attrs(cached, lookup)
    names = {f.signature.name for f in plain.library.function}
    for node in [*plain.node, *(n for f in plain.library.function for n in f.node_def)]:
        strip_node_default_attrs(node, names, lookup)
    assert cached == plain


# -- the collections and the op list in bulk ----------------------------------------------


@pytest.mark.skipif(not CASES, reason="no corpus")
def test_every_corpus_case_exports_the_same_without_the_bulk_collection_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from conformance.corpus import from_arguments
    from refimpl import collections_def as cols

    def run(case: object) -> object:
        graph = load_snapshot(case.snapshot)  # type: ignore[attr-defined]
        exports = [
            from_arguments(case.arguments),  # type: ignore[attr-defined]
            *(from_arguments(t) for t in case.then),  # type: ignore[attr-defined]
        ]
        return refimpl.run_exports(graph, exports, write=False, trace=True)

    fast = [run(case) for case in CASES]
    monkeypatch.setattr(cols, "unscoped_variable_defs", lambda items: None)
    monkeypatch.setattr(cols, "_STR_OR_NO_NAME", frozenset())
    slow = [run(case) for case in CASES]
    assert [case.name for case, a, b in zip(CASES, fast, slow, strict=True) if a != b] == []  # type: ignore[attr-defined]


def _variable(**fields: object) -> snap.CollectionItem:
    return snap.CollectionItem(variable=snap.VariableItem(**fields), type_name="RefVariable")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"variable_name": "v:0", "initializer_name": "v/Assign", "snapshot_name": "v/read:0"},
        {"variable_name": "v:0", "has_initial_value": True, "initial_value_name": "i:0"},
        {"variable_name": "v:0", "has_initial_value": True, "initial_value_name": ""},
        {"variable_name": "v:0", "initial_value_name": "i:0", "is_resource": True},
        {"variable_name": "v:0", "trainable": True, "synchronization": 3, "aggregation": 2},
        {"variable_name": "v:0", "synchronization": -1, "aggregation": 1 << 30},
        {},
    ],
)
def test_unscoped_variable_defs_are_what_variable_to_proto_serializes(
    fields: dict[str, object],
) -> None:
    from refimpl import collections_def as cols
    from refimpl.scope import NO_SCOPE

    items = [_variable(**fields), _variable(variable_name="w:0", trainable=True)]
    expected = []
    for item in items:
        proto = cols.variable_to_proto(item.variable, NO_SCOPE)
        assert proto is not None
        expected.append(proto.SerializeToString(deterministic=True))
    assert cols.unscoped_variable_defs(items) == expected


def test_unscoped_variable_defs_decline_a_save_slice_and_other_items() -> None:
    from refimpl import collections_def as cols

    plain = _variable(variable_name="v:0")
    sliced = _variable(variable_name="v:0", has_save_slice_info=True, slice_full_name="v")
    other = snap.CollectionItem(str="v:0", type_name="str")
    assert cols.unscoped_variable_defs([plain, sliced]) is None
    assert cols.unscoped_variable_defs([plain, other]) is None


def test_include_items_passes_a_non_str_name_to_the_item_by_item_filter() -> None:
    from refimpl import collections_def as cols
    from refimpl.scope import NO_SCOPE

    saver = snap.CollectionItem(
        saver=snap.SaverItem(name=snap.NameAttr(other_type="int")), type_name="Saver"
    )
    with pytest.raises(AttributeError, match="'int' object has no attribute 'startswith'"):
        cols.include_items([_variable(variable_name="v:0"), saver], NO_SCOPE, None)


def test_join_rows_interleaves_the_columns_and_refuses_uneven_ones() -> None:
    assert wire.join_rows([b"a", b"b"], [b"1", b"2"], [b"", b"x"]) == b"a1b2x"
    assert wire.join_rows() == b"" and wire.join_rows([]) == b""
    with pytest.raises(ValueError):
        wire.join_rows([b"a", b"b"], [b"1"])


@st.composite
def _libraries(draw: st.DrawFn) -> tuple[GraphDef, list[str]]:
    """A GraphDef whose nodes call some of its functions, whose bodies use registered
    ops, function names and call ops; and its node ops."""
    from refimpl.op_list import CALL_OPS

    count = draw(st.integers(1, 4))
    names = [f"fn{i}" for i in range(count)]
    ops = st.sampled_from(["Const", "AddV2", "", *CALL_OPS, *names])
    gd = GraphDef()
    for name in names:
        fn = gd.library.function.add()
        fn.signature.name = name
        for k, op in enumerate(draw(st.lists(ops, max_size=4))):
            node = fn.node_def.add(name=f"n{k}", op=op)
            if op in CALL_OPS and draw(st.booleans()):
                node.attr["f"].func.name = draw(st.sampled_from(names))
    for k, op in enumerate(draw(st.lists(ops, min_size=1, max_size=6))):
        node = gd.node.add(name=f"t{k}", op=op)
        if op in CALL_OPS and draw(st.booleans()):
            node.attr["f"].func.name = draw(st.sampled_from(names))
    return gd, [n.op for n in gd.node]


@settings(max_examples=300, deadline=None)
@given(_libraries())
def test_the_op_list_read_from_the_whole_library_is_the_walked_one(
    graph: tuple[GraphDef, list[str]],
) -> None:
    from refimpl.op_list import ops_used_by_graph_def

    gd, node_ops = graph
    walked, whole = GraphDef(), GraphDef()
    walked.CopyFrom(gd)
    whole.CopyFrom(gd)
    library = GraphDef(library=gd.library).SerializeToString(deterministic=True)
    with rules.tracing() as slow_rules:
        slow = ops_used_by_graph_def(walked)
    with rules.tracing() as fast_rules:
        fast = ops_used_by_graph_def(whole, node_ops, library)
    assert (fast, whole, fast_rules.rules) == (slow, walked, slow_rules.rules)


def test_the_bulk_rebuild_merges_the_function_definitions_unparsed() -> None:
    from refimpl.graph_def import _DEFINITION
    from refimpl.snapshot import Deferred

    data = (EXAMPLES / "functions.snapshot").read_bytes()
    graph = load_snapshot(data)
    result = plan(graph, clear_devices=True)
    stored = [_DEFINITION.stored(fn) for fn in graph.functions]
    assert stored and all(isinstance(d, Deferred) and d.parsed is None for d in stored)
    plain = plan(_without_wire(load_snapshot(data)), clear_devices=True)
    assert result.meta_graph_def == plain.meta_graph_def
    assert list(result.meta_graph_def.graph_def.library.function) == [
        fn.definition for fn in graph.functions
    ]
