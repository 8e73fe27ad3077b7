"""refimpl as a conformance testee: ``python -m refimpl.testee``.

Speaks the testee protocol (docs/conformance-protocol.md) over stdin/stdout: the runner
sends a ``Hello``, this answers with a ``Handshake``, then each ``ExportRequest`` gets an
``ExportResponse`` (echoing its case name), until the runner closes stdin. Each message
is one frame: a 4-byte little-endian length and the serialized message (``metagraph_ref``
messages of ``protos/refimpl/pb/conformance.proto``).

Every request runs in a fresh, empty temporary working directory: refimpl really writes
the files there (``refimpl.export.export_scoped_meta_graph``), and the response carries
every file found afterwards, the returned ``MetaGraphDef``, the error raised (type name
and message), the warnings logged, the graph's ``unbound_inputs`` collection after the
last export that completed and the caller's stamped ``meta_info_def``. The ``then``
exports run on the graph state the previous export returned (file ``then<i>.meta``
unless they name one), and stop at the first error.

Nothing but frames is written to stdout: the frames go to a duplicate of the original
stdout descriptor, and descriptor 1 (and ``sys.stdout``) are pointed at stderr.
This module never imports TensorFlow or ``conformance``.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import logging
import os
import shutil
import struct
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from google.protobuf.message import DecodeError, Message

from refimpl.export import ExportResult, export_scoped_meta_graph
from refimpl.op_registry import bundled_registry_info
from refimpl.pb.conformance_pb2 import (
    ExportArguments,
    ExportRequest,
    ExportResponse,
    Handshake,
    Hello,
    Outcome,
    PyValue,
)
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.snapshot import Snapshot, SnapshotError, load_snapshot

PROTOCOL_VERSION = 1
IMPLEMENTATION = "refimpl 0.1.0 (Python reference exporter)"
_HEADER = struct.Struct("<I")
_MAX_FRAME_BYTES = 1 << 31
_PROTO_TYPES: dict[str, type[Message]] = {
    "tensorflow.MetaGraphDef.MetaInfoDef": MetaGraphDef.MetaInfoDef,
    "tensorflow.GraphDef": GraphDef,
    "tensorflow.SaverDef": SaverDef,
}


# -- framing -----------------------------------------------------------------------------
class ProtocolError(Exception):
    """The runner broke the protocol (a truncated or oversized frame, an unparseable message)."""


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    """Up to ``n`` bytes (fewer only at end of stream), read 1 MiB at a time.

    A pipe's ``BufferedReader.read(n)`` allocates ``n`` bytes first: a header announcing
    2 GiB before a truncated stream must not cost 2 GiB (or a ``MemoryError``).
    """
    chunks: list[bytes] = []
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's payload; None at end of stream between frames."""
    header = _read_exactly(stream, _HEADER.size)
    if not header:
        return None
    if len(header) < _HEADER.size:
        raise ProtocolError("truncated frame header")
    (size,) = _HEADER.unpack(header)
    if size > _MAX_FRAME_BYTES:
        raise ProtocolError(f"oversized frame ({size} bytes)")
    payload = _read_exactly(stream, size)
    if len(payload) < size:
        raise ProtocolError(f"truncated frame: {len(payload)} of {size} bytes")
    return payload


def write_frame(stream: BinaryIO, message: Message) -> None:
    """Writes ``message`` as one frame and flushes."""
    payload = message.SerializeToString(deterministic=True)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


# -- arguments ---------------------------------------------------------------------------
def py_value(value: PyValue) -> Any:
    """The Python value of a ``PyValue``; a ``ProtoValue`` becomes refimpl's message class."""
    kind = value.WhichOneof("kind")
    if kind == "none":
        return None
    if kind == "bool_value":
        return value.bool_value
    if kind == "int_value":
        return int(value.int_value)
    if kind == "float_value":
        return value.float_value
    if kind == "str_value":
        return value.str_value
    if kind == "bytes_value":
        return value.bytes_value
    if kind == "list_value":
        return [py_value(item) for item in value.list_value.items]
    if kind == "empty_dict":
        return {}
    if kind == "proto_value":
        cls = _PROTO_TYPES.get(value.proto_value.type)
        if cls is None:
            raise ValueError(f"unknown ProtoValue type {value.proto_value.type!r}")
        msg = cls()
        msg.ParseFromString(value.proto_value.value)
        return msg
    raise ValueError("PyValue without a value")


def keyword_arguments(arguments: ExportArguments) -> dict[str, Any]:
    """The keyword arguments of one export, in sorted key order (the protocol's order)."""
    return {name: py_value(arguments.kwargs[name]) for name in sorted(arguments.kwargs)}


# -- one request -------------------------------------------------------------------------
class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@functools.lru_cache(maxsize=32)
def _load(sha256: str, data: bytes) -> Snapshot:
    return load_snapshot(data)


def _files(root: str) -> Iterator[tuple[str, bytes]]:
    """Every regular file under ``root``: ('/'-separated relative path, content), sorted."""
    found: list[tuple[str, str]] = []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                found.append((rel, path))
    for rel, path in sorted(found):
        with open(path, "rb") as f:
            yield rel, f.read()


def _unbound_item(item: Any) -> str:
    return str(item.str) if item.WhichOneof("kind") == "str" else str(item.repr)


def run_exports(graph: Snapshot, exports: list[dict[str, Any]]) -> Outcome:
    """Runs the exports in the current working directory; the outcome (files not included)."""
    out = Outcome()
    warnings: list[str] = []
    handler = _ListHandler(warnings)
    logger = logging.getLogger("refimpl")
    logger.addHandler(handler)
    results: list[ExportResult] = []
    error: Exception | None = None
    try:
        state = graph
        for kwargs in exports:
            result = export_scoped_meta_graph(state, **kwargs)
            results.append(result)
            state = result.graph
    except Exception as e:  # noqa: BLE001 - every exception is part of the outcome
        error = e
    finally:
        logger.removeHandler(handler)
    if error is not None:
        out.error.type = type(error).__name__
        out.error.message = str(error)
    elif results:
        first = results[0]
        out.returned_meta_graph_def = first.meta_graph_def.SerializeToString(deterministic=True)
        if first.meta_info_def is not None:
            out.meta_info_def_after = first.meta_info_def.SerializeToString(deterministic=True)
    out.warnings.extend(warnings)
    if results:
        items = results[-1].graph.get_collection("unbound_inputs")
        out.unbound_inputs_after.extend(_unbound_item(item) for item in items)
    return out


def handle(request: ExportRequest) -> ExportResponse:
    """The response to one request: the exports run in a fresh temporary directory."""
    response = ExportResponse(case_name=request.case_name)
    try:
        graph = _load(hashlib.sha256(request.snapshot).hexdigest(), request.snapshot)
        exports = [keyword_arguments(request.arguments)]
        for i, more in enumerate(request.then):
            kwargs = keyword_arguments(more)
            kwargs.setdefault("filename", f"then{i}.meta")
            exports.append(kwargs)
    except (SnapshotError, ValueError, DecodeError) as e:
        response.skipped = f"cannot read the request: {e}"
        return response
    workdir = tempfile.mkdtemp(prefix="refimpl-testee-")
    previous = os.getcwd()
    try:
        os.chdir(workdir)
        try:
            outcome = run_exports(graph, exports)
        finally:
            os.chdir(previous)
        for path, content in _files(workdir):
            outcome.files[path] = content
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    response.outcome.CopyFrom(outcome)
    return response


def handshake() -> Handshake:
    """refimpl's handshake: protocol 1, TF 2.21.0's behaviour, every feature."""
    return Handshake(
        protocol_version=PROTOCOL_VERSION,
        implementation=IMPLEMENTATION,
        target_tensorflow_version=bundled_registry_info().tensorflow_version,
        features=["*"],
    )


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """The protocol loop: Hello -> Handshake, then requests until end of input."""
    data = read_frame(inp)
    if data is None:
        return
    hello = Hello()
    try:
        hello.ParseFromString(data)
    except DecodeError as e:
        raise ProtocolError(f"cannot parse Hello: {e}") from None
    # A runner speaking another version decides from our handshake what to do.
    write_frame(out, handshake())
    while (data := read_frame(inp)) is not None:
        request = ExportRequest()
        try:
            request.ParseFromString(data)
        except DecodeError as e:
            raise ProtocolError(f"cannot parse ExportRequest: {e}") from None
        write_frame(out, handle(request))


def main(argv: list[str] | None = None) -> int:
    """Runs the testee on stdin/stdout; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m refimpl.testee",
        description="refimpl as a conformance testee (docs/conformance-protocol.md); "
        "speaks the protocol on stdin/stdout.",
    )
    parser.parse_args(argv)
    # Frames go to a private copy of stdout; anything else printed lands on stderr.
    sys.stdout.flush()
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        serve(sys.stdin.buffer, frames)
    except ProtocolError as e:
        print(f"refimpl.testee: protocol error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    finally:
        try:
            frames.close()
        except BrokenPipeError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
