"""Properties of refimpl over snapshots drawn without TF (conformance.gen.snapshot_strategies)."""

from __future__ import annotations

import re
from typing import Any

from google.protobuf import text_format
from google.protobuf.message import DecodeError
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.gen.snapshot_strategies import OPS, export_arguments, snapshots
from refimpl.errors import OpError
from refimpl.export import ExportResult, plan_export
from refimpl.names import UNBOUND_INPUT_PREFIX
from refimpl.op_registry import load_bundled_op_registry
from refimpl.output import serialize
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.snapshot import Snapshot, load_snapshot
from refimpl.text_pool import tf_text_pool

# TF's documented exception types (spec.md appendix B).
DOCUMENTED_ERRORS: tuple[type[BaseException], ...] = (
    AttributeError,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    RuntimeError,
    AssertionError,
    UnboundLocalError,
    re.error,
    DecodeError,
    OpError,
)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Snapshot, dict[str, Any]]:
    data = draw(snapshots(max_nodes=12))
    graph = load_snapshot(data)
    return graph, draw(export_arguments(graph))


def _export(graph: Snapshot, args: dict[str, Any]) -> ExportResult | None:
    """The planned export; None when it ends in one of TF's documented errors."""
    result = plan_export(graph, **args)
    if isinstance(result.error, DOCUMENTED_ERRORS):
        return None
    if result.error is not None:
        raise result.error
    return result


@settings(max_examples=50, deadline=None)
@given(snapshots())
def test_drawn_snapshots_load_with_registry_ops(data: bytes) -> None:
    graph = load_snapshot(data)
    registry = load_bundled_op_registry()
    assert graph.environment.tensorflow_version == "2.21.0"
    assert len(graph.environment.proto_function_keys) == 11
    assert graph.cpp_graph_def.versions.producer == 2474
    for name, op in graph.operations_by_name.items():
        assert op.type in OPS and op.type in registry
        assert name == op.node_def.name
        op_def = registry[op.type]
        assert {a.name for a in op_def.attr} <= set(op.node_def.attr)
    assert set(graph.op_defs) == {op.type for op in graph.operations}
    for node in graph.cpp_graph_def.node:
        controls = [i for i in node.input if i.startswith("^")]
        assert controls == sorted(set(controls))
        assert all(not i.endswith(":0") for i in node.input)


@settings(max_examples=50, deadline=None)
@given(_cases())
def test_export_succeeds_or_raises_a_documented_error(
    case: tuple[Snapshot, dict[str, Any]],
) -> None:
    graph, args = case
    _export(graph, args)


@settings(max_examples=50, deadline=None)
@given(_cases())
def test_binary_round_trips_and_text_parses_to_the_same_message(
    case: tuple[Snapshot, dict[str, Any]],
) -> None:
    graph, args = case
    result = _export(graph, args)
    if result is None:
        return
    mgd = result.meta_graph_def
    binary = serialize(mgd, False)
    parsed = MetaGraphDef()
    parsed.ParseFromString(binary)
    assert parsed == mgd
    from_text = text_format.Parse(
        serialize(mgd, True).decode("utf-8"), MetaGraphDef(), descriptor_pool=tf_text_pool()
    )
    assert from_text == parsed
    if result.files:
        assert result.files[0].content == serialize(mgd, bool(args.get("as_text")))


def _expected_name(name: str, scope: str) -> str:
    """The name a node included under ``scope`` gets (a scope without regex syntax)."""
    bare = scope[:-1] if scope.endswith("/") else scope
    if name.startswith(bare + "/"):
        return name[len(bare) :].lstrip("/")
    return name


@settings(max_examples=50, deadline=None)
@given(_cases())
def test_scoped_export_keeps_names_inside_the_scope(case: tuple[Snapshot, dict[str, Any]]) -> None:
    graph, args = case
    scope = args.get("export_scope")
    if not isinstance(scope, str) or not scope or re.escape(scope) != scope:
        return  # no scope, a scope of the wrong type, or one with regex syntax
    result = _export(graph, args)
    if result is None:
        return
    expected = {_expected_name(n, scope) for n in graph.operations_by_name if n.startswith(scope)}
    exported = [n.name for n in result.meta_graph_def.graph_def.node]
    assert set(exported) <= expected
    if not args.get("clear_extraneous_savers"):
        assert set(exported) == expected
        for node in result.meta_graph_def.graph_def.node:
            for inp in node.input:
                bare = inp.lstrip("^")
                if bare.startswith(UNBOUND_INPUT_PREFIX):
                    assert not bare[len(UNBOUND_INPUT_PREFIX) :].startswith(scope)
                    continue
                assert bare.split(":")[0] in expected


@settings(max_examples=50, deadline=None)
@given(_cases())
def test_stripping_then_re_adding_defaults_gives_the_unstripped_attrs(
    case: tuple[Snapshot, dict[str, Any]],
) -> None:
    graph, args = case
    full = _export(graph, {**args, "strip_default_attrs": False})
    stripped = _export(graph, {**args, "strip_default_attrs": True})
    if full is None or stripped is None:
        return
    registry = load_bundled_op_registry()
    full_nodes = full.meta_graph_def.graph_def.node
    stripped_nodes = stripped.meta_graph_def.graph_def.node
    assert [n.name for n in full_nodes] == [n.name for n in stripped_nodes]
    for a, b in zip(full_nodes, stripped_nodes, strict=True):
        op_def = registry[a.op]
        restored = dict(b.attr)
        assert set(restored) <= set(a.attr)
        for attr_def in op_def.attr:
            if attr_def.name not in restored and attr_def.name in a.attr:
                assert attr_def.HasField("default_value"), (a.name, attr_def.name)
                restored[attr_def.name] = attr_def.default_value
        assert restored == dict(a.attr), a.name


@settings(max_examples=50, deadline=None)
@given(_cases())
def test_stripped_op_list_is_sorted_registry_ops(case: tuple[Snapshot, dict[str, Any]]) -> None:
    graph, args = case
    result = _export(graph, args)
    if result is None:
        return
    registry = load_bundled_op_registry()
    names = [op.name for op in result.meta_graph_def.meta_info_def.stripped_op_list.op]
    assert names == sorted(set(names))
    assert all(name in registry for name in names)
    assert set(names) == {n.op for n in result.meta_graph_def.graph_def.node}
