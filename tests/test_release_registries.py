"""Every release's op registry and descriptor pool, bundled as deltas against 2.21
(``refimpl.release_data``, ``scripts/dump_release_registries.py``), and refimpl's choice
of them by the snapshot's release."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import refimpl
from refimpl import release_data as rd
from refimpl.op_registry import load_bundled_op_registry
from refimpl.pb.snapshot_pb2 import GraphSnapshot
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.release_data import bundled_releases, release_delta
from refimpl.text_pool import expanded_any_types, tf_pool_files, tf_text_pool
from refimpl.tf_release import REFERENCE_RELEASE, data_release, tf_release
from refimpl.tf_type_names import tf_type_repr
from refimpl.wire import frame

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "dump_release_registries.py"
DELTAS = ROOT / "refimpl" / "data" / "releases"
EXAMPLE = ROOT / "examples" / "training.snapshot"
OTHER_RELEASES = [r for r in bundled_releases() if r != REFERENCE_RELEASE]

#: ``TF_GetAllOpList()`` counts of docs/tf-releases.md ("The environments").
OP_COUNTS = {
    "2.12.1": 1838, "2.13.1": 1850, "2.14.1": 1856, "2.15.1": 1862, "2.16.2": 1884,
    "2.17.1": 1895, "2.18.1": 1897, "2.19.1": 1896, "2.20.0": 1907, "2.21.0": 1908,
}


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", *args], capture_output=True, text=True,
        cwd=ROOT,
    )


def test_bundled_releases_are_the_ten_measured_ones() -> None:
    assert list(bundled_releases()) == list(OP_COUNTS)


@pytest.mark.parametrize("release", OTHER_RELEASES)
def test_op_registry_rebuilds_to_its_recorded_sha256(release: str) -> None:
    assert rd.sha256(rd.release_ops_bytes(release)) == release_delta(release).ops_sha256


@pytest.mark.parametrize("release", OTHER_RELEASES)
def test_descriptor_pool_rebuilds_to_its_recorded_sha256(release: str) -> None:
    assert rd.sha256(rd.release_pool_bytes(release)) == release_delta(release).pool_sha256


@pytest.mark.parametrize("release", list(OP_COUNTS))
def test_op_count_is_the_one_tensorflow_registered(release: str) -> None:
    assert len(load_bundled_op_registry(release)) == OP_COUNTS[release]


#: Interpreters of other releases (``scripts/make_release_envs.py``), for the staleness check.
RELEASE_PYTHONS = os.environ.get("METAGRAPH_TF_RELEASE_PYTHONS", "").split()


def _tf_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import tensorflow as tf; print(tf.version.VERSION)"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return out.stdout.split()[-1]


@pytest.mark.tf_releases
@pytest.mark.skipif(not RELEASE_PYTHONS, reason="METAGRAPH_TF_RELEASE_PYTHONS is not set")
@pytest.mark.parametrize("python", RELEASE_PYTHONS)
def test_bundled_release_data_is_not_stale_against_the_releases_tensorflow(python: str) -> None:
    result = _check("--tf-python", f"{_tf_version(python)}={python}")
    assert result.returncode == 0, result.stderr


def test_check_mode_passes_without_tensorflow() -> None:
    result = _check()
    assert result.returncode == 0, result.stderr


def test_check_mode_finds_a_changed_delta_file(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    shutil.copytree(DELTAS, out)
    path = out / "2.16.2.ops.pb"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    result = _check("--out", str(out))
    assert result.returncode == 1
    assert "2.16.2: ops delta file differs from its sha256" in result.stderr


def test_check_mode_finds_a_file_no_metadata_names(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    shutil.copytree(DELTAS, out)
    (out / "2.16.2.json").unlink()
    result = _check("--out", str(out))
    assert result.returncode == 1
    assert "2.16.2.ops.pb: no release's metadata names it" in result.stderr


def test_a_changed_delta_fails_the_rebuild() -> None:
    meta = release_delta("2.16.2")
    delta = rd.records((DELTAS / "2.16.2.ops.pb").read_bytes())
    rebuilt = rd.apply_ops(rd.base_ops_bytes(), meta, frame(delta[1:]))
    assert rd.sha256(rebuilt) != meta.ops_sha256


def test_deltas_rebuild_what_they_were_made_from() -> None:
    ops, pool = rd.release_ops_bytes("2.13.1"), rd.release_pool_bytes("2.13.1")
    versions = rd.ReleaseVersions("2.13.1", "g", 1482, "4.25.9")
    meta, delta_ops, delta_pool = rd.delta_for(
        versions, ops, pool, rd.base_ops_bytes(), rd.base_pool_bytes()
    )
    assert rd.apply_ops(rd.base_ops_bytes(), meta, delta_ops) == ops
    assert rd.apply_pool(rd.base_pool_bytes(), meta, delta_pool) == pool


def test_release_2_12_matmul_has_no_grad_a() -> None:
    attrs = {a.name for a in load_bundled_op_registry("2.12.1")["MatMul"].attr}
    assert attrs == {"transpose_a", "transpose_b", "T"}


def test_release_2_12_var_handle_op_has_no_debug_name() -> None:
    attrs = {a.name for a in load_bundled_op_registry("2.12.1")["VarHandleOp"].attr}
    assert "debug_name" not in attrs


def test_release_2_21_matmul_has_grad_a_and_var_handle_op_debug_name() -> None:
    registry = load_bundled_op_registry()
    assert "grad_a" in {a.name for a in registry["MatMul"].attr}
    assert "debug_name" in {a.name for a in registry["VarHandleOp"].attr}


@pytest.mark.parametrize(("release", "has_grad_a"), [("2.15.1", False), ("2.16.2", True)])
def test_matmul_grad_a_arrives_in_2_16(release: str, has_grad_a: bool) -> None:
    attrs = {a.name for a in load_bundled_op_registry(release)["MatMul"].attr}
    assert ("grad_a" in attrs) == has_grad_a


def test_no_argument_registry_is_2_21s() -> None:
    assert load_bundled_op_registry() is load_bundled_op_registry(REFERENCE_RELEASE)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.15.1", "2.15.1"),
        ("2.15.0", "2.15.1"),
        ("2.16.0", "2.16.2"),
        ("2.16.2-rc1", "2.16.2"),
        ("2.22.0", REFERENCE_RELEASE),
        ("2.11.0", REFERENCE_RELEASE),
        ("", REFERENCE_RELEASE),
    ],
)
def test_a_release_without_data_uses_its_minors_nearest_else_2_21(
    version: str, expected: str
) -> None:
    assert data_release(version) == expected


def test_a_release_without_data_shares_its_stand_ins_registry() -> None:
    assert load_bundled_op_registry("2.15.0") is load_bundled_op_registry("2.15.1")


def test_tf_release_names_its_data_release() -> None:
    assert tf_release("2.13.0").data_release == "2.13.1"


def test_release_2_12_pool_knows_tensorboard_types_2_21_does_not() -> None:
    tf_text_pool("2.12.1").FindMessageTypeByName("tensorboard.SummaryMetadata")
    with pytest.raises(KeyError):
        tf_text_pool().FindMessageTypeByName("tensorboard.SummaryMetadata")


def test_release_2_21_pool_knows_types_2_12_does_not() -> None:
    tf_text_pool().FindMessageTypeByName("tensorflow.BatchingOptions")
    with pytest.raises(KeyError):
        tf_text_pool("2.12.1").FindMessageTypeByName("tensorflow.BatchingOptions")


def test_no_argument_pool_is_2_21s() -> None:
    assert tf_pool_files() is tf_pool_files(REFERENCE_RELEASE)
    assert len(tf_pool_files().file) == 96


def test_expanded_any_types_follow_the_release() -> None:
    assert "tensorboard.SummaryMetadata" in expanded_any_types(release="2.15.1")
    assert "tensorboard.SummaryMetadata" not in expanded_any_types(release="2.16.2")


def _text_export_with_any(release: str, type_name: str) -> str:
    """The text export of the example snapshot, stamped ``release``, with a
    ``meta_info_def.any_info`` of type ``type_name`` (empty value), on the protobuf pip
    resolves for the release."""
    snap = GraphSnapshot.FromString(EXAMPLE.read_bytes())
    snap.environment.tensorflow_version = release
    snap.environment.protobuf_version = "4.25.9" if release < "2.18" else "7.36.2"
    graph = refimpl.load_snapshot(snap.SerializeToString())
    info = MetaGraphDef.MetaInfoDef()
    info.any_info.type_url = f"type.googleapis.com/{type_name}"
    result = refimpl.plan_export(graph, "m.meta", as_text=True, meta_info_def=info)
    assert result.error is None
    return result.files[0].content.decode("utf-8")


def test_text_any_expands_a_type_known_only_to_the_snapshots_release() -> None:
    text = _text_export_with_any("2.12.1", "tensorboard.SummaryMetadata")
    assert "[type.googleapis.com/tensorboard.SummaryMetadata] {" in text


def test_text_any_of_a_type_the_release_lacks_prints_its_fields() -> None:
    text = _text_export_with_any("2.21.0", "tensorboard.SummaryMetadata")
    assert 'type_url: "type.googleapis.com/tensorboard.SummaryMetadata"' in text


def test_tf_2_12_names_graph_debug_info_by_its_older_module() -> None:
    expected = "<class 'tensorflow.core.protobuf.graph_debug_info_pb2.GraphDebugInfo'>"
    assert tf_type_repr(GraphDebugInfo(), "2.12.1") == expected


def test_tf_2_21_names_graph_debug_info_by_its_framework_module() -> None:
    expected = "<class 'tensorflow.core.framework.graph_debug_info_pb2.GraphDebugInfo'>"
    assert tf_type_repr(GraphDebugInfo()) == expected


def test_a_type_error_names_the_class_as_the_snapshots_release_does() -> None:
    snap = GraphSnapshot.FromString(EXAMPLE.read_bytes())
    snap.environment.tensorflow_version = "2.12.1"
    graph = refimpl.load_snapshot(snap.SerializeToString())
    result = refimpl.plan_export(graph, "m.meta", saver_def=GraphDebugInfo())
    assert "tensorflow.core.protobuf.graph_debug_info_pb2.GraphDebugInfo" in str(result.error)
