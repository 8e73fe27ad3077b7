"""The protocol package ``conformance.protocol``: framing, the argument codec, the schema.

Every process of the suite speaks through it (the runner, refimpl's testee, the TF testee,
the TF worker), so it must stand alone: it imports neither refimpl nor TensorFlow.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import protocol
from conformance.protocol import conformance_pb2 as pb
from conformance.protocol.schema import embedded_messages
from conformance.protocol.serving import files_under, in_fresh_directory, serve
from conformance.protocol.values import (
    PROTO_TYPE_NAMES,
    decode_arguments,
    decode_value,
    encode_arguments,
    encode_value,
    message_builder,
)
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef

REPO = Path(__file__).resolve().parents[1]
BUILD = message_builder(
    {
        "tensorflow.MetaGraphDef.MetaInfoDef": MetaGraphDef.MetaInfoDef,
        "tensorflow.GraphDef": GraphDef,
        "tensorflow.SaverDef": SaverDef,
    }
)


def test_the_package_imports_neither_refimpl_nor_tensorflow() -> None:
    code = (
        "import sys\n"
        "import conformance.protocol\n"
        "assert not any(m.startswith(('refimpl', 'tensorflow')) for m in sys.modules)\n"
        "import conformance.protocol.framing, conformance.protocol.values\n"
        "import conformance.protocol.schema, conformance.protocol.serving\n"
        "import conformance.protocol.conformance_pb2\n"
        "conformance.protocol.values.encode_value([1, {}])\n"
        "bad = [m for m in sys.modules if m.startswith(('refimpl', 'tensorflow'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_importing_the_package_loads_no_generated_module() -> None:
    # The TF testee runs under older protobuf runtimes too: the framing must load there.
    code = (
        "import sys, conformance.protocol\n"
        "assert 'conformance.protocol.conformance_pb2' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


VALUES: list[object] = [
    None,
    True,
    False,
    0,
    -(2**80),
    2**64 + 1,
    1.5,
    "s",
    "",
    b"\x00\xff",
    [],
    [1, "a", [None, b""]],
    {},
    MetaGraphDef.MetaInfoDef(tags=["serve"]),
    GraphDef(),
    SaverDef(max_to_keep=3),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_round_trip(value: object) -> None:
    encoded = encode_value(value)
    decoded = decode_value(pb.PyValue.FromString(encoded.SerializeToString()), BUILD)
    assert decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize(
    "value", [(), {"a": 1}, object(), MetaGraphDef(), 1j], ids=lambda v: type(v).__name__
)
def test_values_the_protocol_cannot_represent(value: object) -> None:
    with pytest.raises(TypeError, match="cannot represent"):
        encode_value(value)


def test_the_message_builder_decides_the_classes() -> None:
    value = encode_value(SaverDef(version=SaverDef.V1))
    seen: list[tuple[str, bytes]] = []

    def build(name: str, data: bytes) -> str:
        seen.append((name, data))
        return "built"

    decoded = decode_value(value, build)
    assert decoded == "built" and seen == [("tensorflow.SaverDef", value.proto_value.value)]
    with pytest.raises(ValueError, match="unknown ProtoValue type 'tensorflow.SaverDef'"):
        decode_value(value, message_builder({}))
    with pytest.raises(ValueError, match="PyValue without a value"):
        decode_value(pb.PyValue(), BUILD)
    assert PROTO_TYPE_NAMES == {
        "tensorflow.MetaGraphDef.MetaInfoDef",
        "tensorflow.GraphDef",
        "tensorflow.SaverDef",
    }


def test_arguments_decode_in_sorted_name_order() -> None:
    arguments = encode_arguments({"zz": 1, "filename": "m.meta", "aa": [True]})
    decoded = decode_arguments(pb.ExportArguments.FromString(arguments.SerializeToString()), BUILD)
    assert list(decoded) == ["aa", "filename", "zz"]
    assert decoded == {"zz": 1, "filename": "m.meta", "aa": [True]}


def test_one_size_limit_and_one_error() -> None:
    assert protocol.DEFAULT_MAX_FRAME_BYTES == 2**31 - 1
    assert protocol.FrameError is protocol.ProtocolError
    with pytest.raises(protocol.ProtocolError, match="oversized frame") as raised:
        protocol.read_frame(io.BytesIO(protocol.HEADER.pack(2**31) + b"x"))
    assert raised.value.kind == "oversized"
    with pytest.raises(protocol.ProtocolError, match="truncated frame: 1 of 5 bytes") as raised:
        protocol.read_frame(io.BytesIO(protocol.HEADER.pack(5) + b"x"))
    assert raised.value.kind == "truncated"
    with pytest.raises(protocol.ProtocolError, match="cannot parse Hello") as raised:
        protocol.decode(pb.Hello, b"\xff", "Hello")
    assert raised.value.kind == "undecodable"


def test_read_frame_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    payload = b"x" * ((1 << 20) + 3)
    stream = io.BytesIO(protocol.encode_frame(payload))
    assert protocol.read_frame(stream, progress=lambda got, n: seen.append((got, n))) == payload
    assert seen == [(0, len(payload)), (1 << 20, len(payload)), (len(payload), len(payload))]


def test_serve_answers_hello_and_requests_in_order() -> None:
    frames = [
        protocol.encode_frame(pb.Hello(protocol_version=1).SerializeToString()),
        protocol.encode_frame(pb.ExportRequest(case_name="a").SerializeToString()),
        protocol.encode_frame(pb.ExportRequest(case_name="b").SerializeToString()),
    ]
    out = io.BytesIO()
    serve(
        io.BytesIO(b"".join(frames)),
        out,
        pb,
        lambda: pb.Handshake(protocol_version=1),
        lambda request: pb.ExportResponse(case_name=request.case_name, skipped="no"),
    )
    written = io.BytesIO(out.getvalue())
    assert pb.Handshake.FromString(protocol.read_frame(written) or b"").protocol_version == 1
    names = [pb.ExportResponse.FromString(f).case_name for f in iter(
        lambda: protocol.read_frame(written), None
    )]
    assert names == ["a", "b"]


def test_in_fresh_directory_returns_the_files_left_and_cleans_up(tmp_path: Path) -> None:
    def run() -> str:
        Path("d").mkdir()
        Path("d/x.meta").write_bytes(b"1")
        Path("a.meta").write_bytes(b"2")
        return str(Path.cwd())

    workdir, files = in_fresh_directory(run)
    assert files == [("a.meta", b"2"), ("d/x.meta", b"1")]
    assert not Path(workdir).exists() and Path.cwd() != Path(workdir)
    (tmp_path / "e").mkdir()
    assert files_under(str(tmp_path)) == []


def test_embedded_messages_read_what_the_generated_module_writes() -> None:
    messages = embedded_messages("conformance.protocol.conformance_pb2")
    case = pb.CorpusCase(name="n", level=pb.CorpusCase.OPTIONAL)
    case.arguments.kwargs["x"].int_value = "5"
    again = messages.CorpusCase.FromString(case.SerializeToString())
    assert again.name == "n" and again.arguments.kwargs["x"].int_value == "5"
