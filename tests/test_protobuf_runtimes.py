"""refimpl's generated code runs on every protobuf runtime TensorFlow 2.21 accepts (spec.md 0.3).

TF 2.21 accepts ``protobuf>=6.31.1,<8`` and so does this project: protoc's runtime version
check is removed from the generated modules (``scripts/gen_protos.py``,
``runtime_agnostic``), so that they import beside whatever runtime the user's TensorFlow
has. The oldest accepted runtime is checked in a second environment when the environment
variable ``METAGRAPH_PB6_PYTHON`` names its interpreter (``.ci/run`` makes one with
protobuf 6.31.1); the newest 7.x is this environment's.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
GENERATED = sorted((REPO / "refimpl" / "pb").rglob("*_pb2.py"))
PB6_PYTHON = os.environ.get("METAGRAPH_PB6_PYTHON")

#: Imports every generated module (warnings are errors: protobuf 7 warns about old
#: gencode), round-trips a message through both wire and text format, prints the runtime.
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import google.protobuf
from google.protobuf import text_format
import refimpl.pb
names = [m.name for m in pkgutil.walk_packages(refimpl.pb.__path__, "refimpl.pb.")
         if m.name.endswith("_pb2")]
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
