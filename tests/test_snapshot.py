"""The graph snapshot: capture -> load -> re-serialize round trips, and clear load errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.tf.graphs import BUILDERS
from conformance.tf.process import TFWorker, tensorflow_available
from refimpl.pb import snapshot_pb2 as snap
from refimpl.snapshot import Snapshot, SnapshotError, dump_snapshot, load_snapshot

EXAMPLE = Path(__file__).parent.parent / "examples" / "training.snapshot"
needs_tf = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]


def _raw() -> snap.GraphSnapshot:
    raw = snap.GraphSnapshot()
    raw.ParseFromString(EXAMPLE.read_bytes())
    return raw


def _load(raw: snap.GraphSnapshot) -> Snapshot:
    return load_snapshot(raw.SerializeToString())


def test_example_snapshot_loads_with_its_operations_and_collections() -> None:
    s = load_snapshot(EXAMPLE.read_bytes())
    assert len(s.operations) == len(s.cpp_graph_def.node) > 50
    assert "loss" in s.operations_by_name
    assert "variables" in s.str_collection_keys()
    assert s.environment.tensorflow_version == "2.21.0"


def test_example_snapshot_round_trips_through_dump() -> None:
    data = EXAMPLE.read_bytes()
    assert dump_snapshot(load_snapshot(data)) == data


def test_garbage_bytes_are_rejected_naming_the_snapshot() -> None:
    with pytest.raises(SnapshotError, match="the snapshot is not a valid"):
        load_snapshot(b"\xff\xff\xff")


def test_non_bytes_input_is_rejected() -> None:
    with pytest.raises(SnapshotError, match="not str"):
        load_snapshot("abc")  # type: ignore[arg-type]


def test_unknown_format_version_is_rejected() -> None:
    raw = _raw()
    raw.format_version = 99
    with pytest.raises(SnapshotError, match="format_version 99 is not supported"):
        _load(raw)


def test_duplicate_operation_names_are_rejected() -> None:
    raw = _raw()
    raw.operations.add().CopyFrom(raw.operations[0])
    with pytest.raises(SnapshotError, match="occurs twice"):
        _load(raw)


def test_traceback_index_out_of_range_is_rejected() -> None:
    raw = _raw()
    raw.operations[0].traceback.append(len(raw.frames) + 5)
    with pytest.raises(SnapshotError, match=r"traceback refers to frame \d+, which does not exist"):
        _load(raw)


def test_corrupt_node_def_is_rejected_naming_the_operation() -> None:
    raw = _raw()
    raw.operations[3].node_def = b"\xff\xff"
    with pytest.raises(SnapshotError, match=r"operations\[3\] .*node_def is not a valid"):
        _load(raw)


def test_cpp_graph_def_node_missing_from_operations_is_rejected() -> None:
    raw = _raw()
    del raw.operations[0]
    with pytest.raises(SnapshotError, match="is not among the operations"):
        _load(raw)


def test_collection_item_without_value_is_rejected() -> None:
    raw = _raw()
    raw.collections[0].items.add()
    with pytest.raises(SnapshotError, match=r"collections\[0\]\.items\[\d+\] has no value"):
        _load(raw)


@pytest.fixture(scope="module")
def worker() -> Iterator[TFWorker]:
    w = TFWorker()
    yield w
    w.close()


@pytest.mark.parametrize("graph", sorted(BUILDERS))
@pytest.mark.tf
@pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed")
def test_captured_graph_round_trips_unchanged(worker: TFWorker, graph: str) -> None:
    data = worker.run({"graph": graph, "args": {}})["snapshot"]
    assert dump_snapshot(load_snapshot(data)) == data


@pytest.mark.tf
@pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed")
def test_captured_graphs_cover_every_item_and_key_kind(worker: TFWorker) -> None:
    item_kinds: set[str] = set()
    key_kinds: set[str] = set()
    context_kinds: set[str] = set()
    functions_with_graph = functions_without_graph = 0
    for graph in BUILDERS:
        s = load_snapshot(worker.run({"graph": graph, "args": {}})["snapshot"])
        for c in s.collections:
            key_kinds.add(type(c.key).__name__)
            for item in c.items:
                kind = item.WhichOneof("kind")
                assert kind is not None
                item_kinds.add(kind)
                if kind == "context":
                    context_kinds.add(str(item.context.WhichOneof("kind")))
        for fn in s.functions:
            if fn.has_graph:
                functions_with_graph += 1
            else:
                functions_without_graph += 1
    oneof = snap.CollectionItem.DESCRIPTOR.oneofs_by_name["kind"]
    assert item_kinds == {f.name for f in oneof.fields}
    assert key_kinds == {"str", "bytes", "PyObject"}
    assert context_kinds == {"cond", "while"}
    assert functions_with_graph > 0 and functions_without_graph > 0
