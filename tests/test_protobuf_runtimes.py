"""refimpl's generated code runs on every protobuf runtime TensorFlow 2.21 accepts (spec.md 0.3).

TF 2.21 accepts ``protobuf>=6.31.1,<8`` and so does this project: protoc's runtime version
check is removed from the generated modules (``scripts/gen_protos.py``,
``runtime_agnostic``), so that they import beside whatever runtime the user's TensorFlow
has. The oldest accepted runtime is checked in a second environment when the environment
variable ``METAGRAPH_PB6_PYTHON`` names its interpreter (``.ci/run`` makes one with
protobuf 6.31.1); the newest 7.x is this environment's.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf.message import DecodeError

import refimpl
from refimpl.export import plan_export
from refimpl.pb.snapshot_pb2 import AnyItem, CollectionItem, CollectionKey, GraphSnapshot
from refimpl.protobuf_runtime import REFERENCE_VERSION, protobuf_runtime
from refimpl.snapshot import Snapshot

REPO = Path(__file__).resolve().parent.parent
#: Every generated module: refimpl's schemas and the protocol's (scripts/gen_protos.py).
GENERATED = sorted((REPO / "refimpl" / "pb").rglob("*_pb2.py")) + sorted(
    (REPO / "conformance" / "protocol").glob("*_pb2.py")
)
PB6_PYTHON = os.environ.get("METAGRAPH_PB6_PYTHON")

#: Imports every generated module (warnings are errors: protobuf 7 warns about old
#: gencode), round-trips a message through both wire and text format, prints the runtime.
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import google.protobuf
from google.protobuf import text_format
import conformance.protocol
import refimpl.pb
names = [m.name for m in pkgutil.walk_packages(refimpl.pb.__path__, "refimpl.pb.")
         if m.name.endswith("_pb2")]
names += [m.name for m in pkgutil.iter_modules(conformance.protocol.__path__,
          "conformance.protocol.") if m.name.endswith("_pb2")]
for name in names:
    importlib.import_module(name)
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
mgd = MetaGraphDef()
mgd.collection_def["k"].int64_list.value.extend([1, -2])
mgd.graph_def.node.add(name="a", op="Const").attr["dtype"].type = 1
again = MetaGraphDef.FromString(mgd.SerializeToString(deterministic=True))
assert again == mgd == text_format.Parse(text_format.MessageToString(mgd), MetaGraphDef())
print(google.protobuf.__version__, len(names))
"""

PROTOC_OUTPUT = """\
from google.protobuf import descriptor as _descriptor
from google.protobuf import runtime_version as _runtime_version
from google.protobuf import symbol_database as _symbol_database
_runtime_version.ValidateProtobufRuntimeVersion(
    _runtime_version.Domain.PUBLIC,
    7,
    35,
    1,
    '',
    'refimpl/pb/x.proto'
)
# @@protoc_insertion_point(imports)
"""


def _gen_protos() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protos", REPO / "scripts" / "gen_protos.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _import_every_module(python: str) -> tuple[str, int]:
    done = subprocess.run(
        [python, "-W", "error", "-c", IMPORT_EVERY_MODULE],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    version, count = done.stdout.split()
    return version, int(count)


def test_generated_modules_exist() -> None:
    assert len(GENERATED) >= 20


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_generated_module_has_no_runtime_version_check(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "runtime_version" not in text
    assert "ValidateProtobufRuntimeVersion" not in text
    assert _gen_protos().AGNOSTIC_MARK in text


def test_runtime_agnostic_drops_the_import_and_the_check() -> None:
    out = _gen_protos().runtime_agnostic(PROTOC_OUTPUT)
    assert out.splitlines() == [
        "from google.protobuf import descriptor as _descriptor",
        "from google.protobuf import symbol_database as _symbol_database",
        "# Runtime version check removed by scripts/gen_protos.py: runs on protobuf>=6.31.1,<8.",
        "# @@protoc_insertion_point(imports)",
    ]


def test_runtime_agnostic_refuses_output_without_the_check() -> None:
    gen = _gen_protos()
    with pytest.raises(ValueError, match="0 version imports, 0 checks"):
        gen.runtime_agnostic(gen.runtime_agnostic(PROTOC_OUTPUT))


def test_generated_modules_work_under_this_runtime_without_warnings() -> None:
    version, count = _import_every_module(sys.executable)
    assert count == len(GENERATED)
    assert version.split(".")[0] in ("6", "7")


@pytest.mark.skipif(not PB6_PYTHON, reason="METAGRAPH_PB6_PYTHON is not set")
def test_generated_modules_work_under_protobuf_6_without_warnings() -> None:
    assert PB6_PYTHON is not None
    version, count = _import_every_module(PB6_PYTHON)
    assert count == len(GENERATED)
    assert version.split(".")[0] == "6", f"METAGRAPH_PB6_PYTHON runs protobuf {version}"


# -- refimpl follows the runtime recorded in the snapshot, not its own (spec.md 0.3) ------
def _snapshot(protobuf_version: str, items: list[CollectionItem]) -> Snapshot:
    """The one-constant example graph with a collection ``c`` of ``items``, recorded
    under ``protobuf_version``."""
    snap = GraphSnapshot.FromString((REPO / "examples" / "training.snapshot").read_bytes())
    snap.environment.protobuf_version = protobuf_version
    snap.collections.add(key=CollectionKey(str="c")).items.extend(items)
    return refimpl.load_snapshot(snap.SerializeToString())


def _bools() -> list[CollectionItem]:
    return [
        CollectionItem(bool=True, type_name="bool", repr="True"),
        CollectionItem(bool=False, type_name="bool", repr="False"),
    ]


def _any(value: bytes) -> list[CollectionItem]:
    item = AnyItem(type_url="type.googleapis.com/tensorflow.SaverDef", value=value)
    return [CollectionItem(any=item, type_name="Any", repr="<Any>")]


@pytest.mark.parametrize("version", ["6.31.1", "6.33.6"])
def test_protobuf_6_int_fields_accept_bools(version: str) -> None:
    assert protobuf_runtime(version).int_fields_accept_bools


@pytest.mark.parametrize("version", ["7.34.0", "7.36.2"])
def test_protobuf_7_int_fields_reject_bools(version: str) -> None:
    assert not protobuf_runtime(version).int_fields_accept_bools


@pytest.mark.parametrize(
    ("version", "reasons"),
    [("6.33.6", False), ("7.34.2", False), ("7.35.0", True), ("7.36.2", True)],
)
def test_decode_errors_name_the_reason_from_protobuf_7_35_0(version: str, reasons: bool) -> None:
    assert protobuf_runtime(version).decode_error_reasons is reasons


def test_an_unparsable_version_means_the_reference_runtime() -> None:
    assert protobuf_runtime("") == dataclasses.replace(
        protobuf_runtime(REFERENCE_VERSION), version=""
    )


def test_bool_collection_recorded_under_protobuf_6_is_an_int64_list() -> None:
    result = plan_export(_snapshot("6.31.1", _bools()))
    assert list(result.meta_graph_def.collection_def["c"].int64_list.value) == [1, 0]
    assert not result.warnings


def test_bool_collection_recorded_under_protobuf_7_is_dropped_with_a_warning() -> None:
    result = plan_export(_snapshot("7.36.2", _bools()))
    assert "c" not in result.meta_graph_def.collection_def
    assert [w.args[1] for w in result.warnings] == [
        "Field tensorflow.CollectionDef.Int64List.value: Expected an int, got a boolean."
    ]


def test_int64_list_reports_the_first_bad_item_in_order() -> None:
    items = [
        CollectionItem(bool=True, type_name="bool", repr="True"),
        CollectionItem(int=str(2**63), type_name="int", repr=str(2**63)),
    ]
    under_6 = plan_export(_snapshot("6.31.1", items)).warnings
    under_7 = plan_export(_snapshot("7.36.2", items)).warnings
    assert under_6[0].args[1] == "Value out of range: 9223372036854775808"
    assert under_7[0].args[1].endswith("Expected an int, got a boolean.")


@pytest.mark.parametrize(
    ("version", "value", "message"),
    [
        ("6.31.1", b"\xff", "Error parsing message with type 'tensorflow.SaverDef'"),
        ("7.34.0", b"\xff", "Error parsing message with type 'tensorflow.SaverDef'"),
        (
            "7.36.2",
            b"\xff",
            "Error parsing message with type 'tensorflow.SaverDef': Wire format was corrupt",
        ),
        (
            "7.36.2",
            b"\n\x01\xff",
            "Error parsing message with type 'tensorflow.SaverDef': String field had bad UTF-8",
        ),
    ],
)
def test_undecodable_any_in_text_fails_as_the_recorded_runtime_words_it(
    version: str, value: bytes, message: str
) -> None:
    error = plan_export(_snapshot(version, _any(value)), filename="m.meta", as_text=True).error
    assert isinstance(error, DecodeError)
    assert str(error) == message
