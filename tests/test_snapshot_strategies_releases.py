"""Snapshots drawn without TF as captured under other TF releases
(``conformance.gen.snapshot_strategies.snapshots(release=...)``)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_snapshot_strategies import DOCUMENTED_ERRORS

from conformance.gen.snapshot_strategies import (
    OPS,
    export_arguments,
    snapshot_release,
    snapshots,
)
from refimpl.export import plan_export
from refimpl.op_registry import load_bundled_op_registry
from refimpl.release_data import bundled_releases
from refimpl.snapshot import load_snapshot


@settings(max_examples=30, deadline=None)
@given(snapshots(max_nodes=12, release="2.12.1"))
def test_drawn_2_12_snapshots_use_only_2_12_ops_and_opdefs(data: bytes) -> None:
    graph = load_snapshot(data)
    registry = load_bundled_op_registry("2.12.1")
    assert {op.type for op in graph.operations} <= set(registry)
    for name, op_def in graph.op_defs.items():
        assert op_def == registry[name]


@settings(max_examples=30, deadline=None)
@given(snapshots(max_nodes=12, release="2.12.1"))
def test_drawn_2_12_snapshots_stamp_2_12s_versions(data: bytes) -> None:
    graph = load_snapshot(data)
    assert graph.environment.tensorflow_version == "2.12.1"
    assert graph.environment.tensorflow_git_version.startswith("v2.12.")
    assert graph.environment.protobuf_version == "4.25.9"
    assert graph.cpp_graph_def.versions.producer == 1395


@st.composite
def _release_cases(draw: st.DrawFn) -> tuple[str, Any, dict[str, Any]]:
    release = draw(st.sampled_from(bundled_releases()))
    graph = load_snapshot(draw(snapshots(max_nodes=10, release=release)))
    return release, graph, draw(export_arguments(graph))


@settings(max_examples=60, deadline=None)
@given(_release_cases())
def test_refimpl_exports_drawn_snapshots_of_every_release(
    case: tuple[str, Any, dict[str, Any]],
) -> None:
    release, graph, args = case
    result = plan_export(graph, **args)
    if result.error is not None:
        assert isinstance(result.error, DOCUMENTED_ERRORS), repr(result.error)
        return
    stamped = result.meta_graph_def.meta_info_def
    assert stamped.tensorflow_version == release
    registry = load_bundled_op_registry(release)
    for op_def in stamped.stripped_op_list.op:
        assert op_def == registry[op_def.name]


def test_a_release_without_data_draws_as_its_stand_in() -> None:
    assert snapshot_release("2.15.0") == snapshot_release("2.15.1")


def test_default_release_is_2_21_with_every_curated_op() -> None:
    release = snapshot_release()
    assert (release.version, release.producer, release.ops) == ("2.21.0", 2474, OPS)


def test_each_release_stamps_its_own_producer() -> None:
    producers = [snapshot_release(r).producer for r in bundled_releases()]
    assert producers == sorted(producers) and len(set(producers)) == len(producers)
