"""Our tensorflow.* protos (refimpl.pb.tensorflow) equal TensorFlow 2.21's.

TF's generated protos and ours define the same names, so TensorFlow is never
imported here: its side is described by a subprocess
(``python -m conformance.tools.dump_tf_descriptors``) and compared with the
same description of our generated modules.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from google.protobuf import descriptor_pb2, descriptor_pool, wrappers_pb2  # noqa: E402

from conformance.tools.descriptor_summary import describe_pool_roots, diff  # noqa: E402

OUR_MODULES = (
    "refimpl.pb.tensorflow.meta_graph_pb2",
    "refimpl.pb.tensorflow.graph_debug_info_pb2",
    "refimpl.pb.tensorflow.saver_pb2",
    "refimpl.pb.tensorflow.queue_runner_pb2",
    "refimpl.pb.tensorflow.control_flow_pb2",
    "refimpl.pb.tensorflow.variable_pb2",
    "refimpl.pb.tensorflow.op_def_pb2",
)

REQUIRED = (
    "tensorflow.MetaGraphDef",
    "tensorflow.MetaGraphDef.MetaInfoDef",
    "tensorflow.GraphDef",
    "tensorflow.NodeDef",
    "tensorflow.AttrValue",
    "tensorflow.TensorProto",
    "tensorflow.TensorShapeProto",
    "tensorflow.ResourceHandleProto",
    "tensorflow.FunctionDefLibrary",
    "tensorflow.FunctionDef",
    "tensorflow.OpDef",
    "tensorflow.OpList",
    "tensorflow.VersionDef",
    "tensorflow.FullTypeDef",
    "tensorflow.CollectionDef",
    "tensorflow.SaverDef",
    "tensorflow.SignatureDef",
    "tensorflow.TensorInfo",
    "tensorflow.AssetFileDef",
    "tensorflow.SavedObjectGraph",
    "tensorflow.StructuredValue",
    "tensorflow.VariableDef",
    "tensorflow.SaveSliceInfoDef",
    "tensorflow.QueueRunnerDef",
    "tensorflow.CondContextDef",
    "tensorflow.WhileContextDef",
    "tensorflow.GraphDebugInfo",
    "tensorflow.DataType",
)

HAS_TF = importlib.util.find_spec("tensorflow") is not None
HAS_GRPC_TOOLS = importlib.util.find_spec("grpc_tools") is not None
needs_tf = pytest.mark.skipif(not HAS_TF, reason="tensorflow is not installed")
needs_grpc_tools = pytest.mark.skipif(not HAS_GRPC_TOOLS, reason="grpcio-tools is not installed")


def _our_descriptions() -> dict[str, dict[str, Any]]:
    for name in OUR_MODULES:
        importlib.import_module(name)
    described = describe_pool_roots(descriptor_pool.Default())
    # Same shape as the TF side, which went through JSON.
    result: dict[str, dict[str, Any]] = json.loads(json.dumps(described))
    return result


OURS = _our_descriptions()


@pytest.fixture(scope="module")
def tf_descriptions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """TensorFlow's descriptions, dumped once per session by a subprocess."""
    if not HAS_TF:
        pytest.skip("tensorflow is not installed")
    out = tmp_path_factory.mktemp("tf") / "descriptors.json"
    cmd = [sys.executable, "-m", "conformance.tools.dump_tf_descriptors", "--out", str(out)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-5000:]
    result: dict[str, dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    return result


@pytest.mark.tf
@needs_tf
@pytest.mark.parametrize("name", sorted(OURS))
def test_schema_matches_tensorflow(name: str, tf_descriptions: dict[str, dict[str, Any]]) -> None:
    assert name in tf_descriptions, f"{name} is not reachable in TensorFlow's schema"
    problems = diff(name, OURS[name], tf_descriptions[name])
    assert not problems, "\n".join(problems)


@pytest.mark.tf
@needs_tf
def test_same_message_and_enum_names(tf_descriptions: dict[str, dict[str, Any]]) -> None:
    missing = sorted(set(tf_descriptions) - set(OURS))
    extra = sorted(set(OURS) - set(tf_descriptions))
    assert not missing, f"reachable in TensorFlow but not in ours: {missing}"
    assert not extra, f"reachable in ours but not in TensorFlow: {extra}"
    assert set(REQUIRED) <= set(tf_descriptions)


def test_required_names_present() -> None:
    missing = sorted(set(REQUIRED) - set(OURS))
    assert not missing, f"missing from refimpl.pb.tensorflow: {missing}"
    assert OURS["tensorflow.DataType"]["kind"] == "enum"
    assert OURS["tensorflow.GraphDebugInfo"]["syntax"] == "proto2"
    assert OURS["tensorflow.MetaGraphDef"]["syntax"] == "proto3"


@needs_grpc_tools
def test_generated_code_in_sync() -> None:
    cmd = [sys.executable, str(REPO / "scripts" / "gen_protos.py"), "--check"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.tf
@needs_tf
def test_rendered_protos_up_to_date() -> None:
    cmd = [sys.executable, str(REPO / "scripts" / "render_protos_from_tf.py"), "--check"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-10000:]


# ------------------------------------------------- the renderer, without TF


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_protos_from_tf", REPO / "scripts" / "render_protos_from_tf.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "tensorflow" not in sys.modules
    return module


BASE = """
syntax = "proto3";
package rt;
message Base { int32 x = 1; }
enum Signed { ZERO = 0; MINUS = -1; }
"""

PROTO2 = r"""
syntax = "proto2";
package rt.inner;
import public "rt/base.proto";
import "google/protobuf/wrappers.proto";

message Outer {
  option deprecated = true;
  optional string s = 1 [default = "a\"b\\c\n\t\001'\303\251?"];
  optional bytes b = 2 [default = "\000\001\377abc\"\\\n"];
  optional double d = 3 [default = -inf];
  optional float f = 4 [default = nan];
  optional int64 i = 5 [default = -9223372036854775808];
  optional uint64 u = 6 [default = 18446744073709551615];
  optional bool t = 7 [default = true];
  optional Color c = 8 [default = BLUE];
  required int32 r = 9 [json_name = "customName"];
  repeated int32 packed_no = 10 [packed = false];
  repeated int32 packed_yes = 11 [packed = true, deprecated = true];
  map<string, Inner> m = 12;
  message Inner { optional google.protobuf.Int32Value w = 1; }
  message Base { optional rt.Base shadowed = 1; }
  oneof choice { string x = 13; Inner y = 14; }
  optional double d2 = 17 [default = 1e+100];
  optional float f2 = 18 [default = 0.1];
  optional rt.Base top = 19;
  optional Base nested = 31;
  map<int32, rt.Signed> signs = 32;
  enum Color {
    option allow_alias = true;
    RED = 1;
    BLUE = 2;
    AZURE = 2 [deprecated = true];
    reserved 10 to max;
    reserved "GREEN";
  }
  extensions 100 to max;
  reserved 15, 20 to 30, 40;
  reserved "old", "older";
}
"""

PROTO3 = """
syntax = "proto3";
package rt;
import "rt/base.proto";

message P3 {
  optional int32 maybe = 1;
  repeated int32 plain = 2;
  repeated int32 unpacked = 3 [packed = false];
  oneof real { string a = 4; int32 b = 5; }
  optional string later = 6;
  map<int32, Base> by_id = 7;
  Nested nested = 8;
  message Nested { Nested self = 1; P3 outer = 2; }
  Signed sign = 9 [deprecated = true];
  reserved 100 to max;
}
"""


@needs_grpc_tools
def test_renderer_round_trips_schema_features() -> None:
    """Defaults, escaping, packed, proto3 optional, maps, reserved... survive a round trip."""
    render = _renderer()
    sources = {"rt/base.proto": BASE, "rt/two.proto": PROTO2, "rt/three.proto": PROTO3}
    compiled = render.compile_sources(sources)
    wkt = descriptor_pb2.FileDescriptorProto()
    wrappers_pb2.DESCRIPTOR.CopyToProto(wkt)
    fdps = [compiled[p] for p in sorted(sources)] + [wkt]
    rendered = render.render_all(fdps)
    assert sorted(rendered) == [
        "refimpl/pb/tensorflow/base.proto",
        "refimpl/pb/tensorflow/three.proto",
        "refimpl/pb/tensorflow/two.proto",
    ]
    assert render.verify(fdps, rendered) == []
    two = rendered["refimpl/pb/tensorflow/two.proto"]
    assert 'import public "refimpl/pb/tensorflow/base.proto";' in two
    assert 'import "google/protobuf/wrappers.proto";' in two
    assert "[packed = false]" in two and "rt.Base shadowed" in two


def test_file_name_disambiguation() -> None:
    render = _renderer()
    names = render.our_names(
        ["xla/tsl/protobuf/error_codes.proto", "tensorflow/core/error_codes.proto", "a/b.proto"]
    )
    assert names == {
        "tensorflow/core/error_codes.proto": "refimpl/pb/tensorflow/error_codes.proto",
        "xla/tsl/protobuf/error_codes.proto": (
            "refimpl/pb/tensorflow/xla_tsl_protobuf_error_codes.proto"
        ),
        "a/b.proto": "refimpl/pb/tensorflow/b.proto",
    }
