"""The bundled TF 2.21 op registry (refimpl/op_registry.py, refimpl/data/op_registry.*)."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from refimpl.op_registry import (
    META_NAME,
    PB_NAME,
    bundled_registry_info,
    load_bundled_op_registry,
)
from refimpl.pb.tensorflow.op_def_pb2 import OpList
from refimpl.pb.tensorflow.types_pb2 import DT_UINT8

REPO = Path(__file__).resolve().parent.parent


def _data(name: str) -> bytes:
    return (resources.files("refimpl") / "data" / name).read_bytes()


def test_loads_with_many_ops() -> None:
    registry = load_bundled_op_registry()
    assert len(registry) > 1500
    assert len(registry) == bundled_registry_info().op_count
    assert load_bundled_op_registry() is registry
    for name in ("Const", "AddV2", "ImageSummary", "PartitionedCall", "VarHandleOp"):
        assert registry[name].name == name


def test_read_only() -> None:
    registry = load_bundled_op_registry()
    with pytest.raises(TypeError):
        registry["Nope"] = registry["Const"]  # type: ignore[index]


def test_const_and_add_v2() -> None:
    registry = load_bundled_op_registry()
    const = registry["Const"]
    assert [a.name for a in const.output_arg] == ["output"]
    assert [a.name for a in const.attr] == ["value", "dtype"]
    add = registry["AddV2"]
    assert [a.name for a in add.input_arg] == ["x", "y"]
    assert add.is_commutative and add.is_aggregate


def test_image_summary_bad_color_tensor_default() -> None:
    attrs = {a.name: a for a in load_bundled_op_registry()["ImageSummary"].attr}
    bad_color = attrs["bad_color"]
    assert bad_color.type == "tensor"
    assert bad_color.default_value.WhichOneof("value") == "tensor"
    tensor = bad_color.default_value.tensor
    assert tensor.dtype == DT_UINT8
    assert [d.size for d in tensor.tensor_shape.dim] == [4]
    assert list(tensor.int_val) == [255, 0, 0, 255]


def test_no_documentation() -> None:
    for name, op_def in load_bundled_op_registry().items():
        assert not op_def.summary, name
        assert not op_def.description, name
        for arg in [*op_def.input_arg, *op_def.output_arg]:
            assert not arg.description, (name, arg.name)
        for attr in op_def.attr:
            assert not attr.description, (name, attr.name)


def test_sha256_and_meta() -> None:
    info = bundled_registry_info()
    assert hashlib.sha256(_data(PB_NAME)).hexdigest() == info.sha256
    assert info.tensorflow_version == "2.21.0"
    assert info.tensorflow_git_version.startswith("v2.21.0")
    assert META_NAME.endswith(".json")


def test_sorted_and_round_trips_exactly() -> None:
    """Sorted by name, no unknown fields: our schema re-serializes the same bytes."""
    data = _data(PB_NAME)
    op_list = OpList()
    op_list.ParseFromString(data)
    names = [op.name for op in op_list.op]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    assert op_list.SerializeToString(deterministic=True) == data


@pytest.mark.tf
def test_bundled_registry_matches_installed_tensorflow() -> None:
    """Staleness check: the committed data equals what TF would dump now."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "dump_op_registry.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
