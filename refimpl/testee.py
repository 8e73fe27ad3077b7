"""refimpl as a conformance testee: ``python -m refimpl.testee``.

Speaks the testee protocol (docs/conformance-protocol.md) over stdin/stdout through the
protocol package ``conformance.protocol`` (framing, argument codec, schema, the testee's
loop; it imports nothing but protobuf): the runner sends a ``Hello``, this answers with a
``Handshake``, then each ``ExportRequest`` gets an ``ExportResponse`` (echoing its case
name), until the runner closes stdin.

Each request runs in a fresh temporary working directory, empty or (protocol 2) holding
the request's ``pre_state`` (``conformance.protocol.serving.in_prepared_directory``; as
root the exports of a pre-state with read-only entries run in a child process that has
dropped to the user ``nobody``): ``refimpl.run_exports`` exports the snapshot with the
request's arguments and then each ``then`` argument set (file ``then<i>.meta`` unless they
name one) on the graph state the previous export left, stopping at the first error, and
writes the files there as TF would. The response carries every file found in the directory
afterwards (with a pre-state: every regular file, symbolic link and directory,
``conformance.protocol.file_states.listing``) and the rest of ``refimpl.Outcome``: the
returned ``MetaGraphDef``, the error raised (type name and message), the warnings, the
graph's ``unbound_inputs`` collection after the last export that completed and the
caller's stamped ``meta_info_def``.

Nothing but frames is written to stdout: the frames go to a duplicate of the original
stdout descriptor, and descriptor 1 (and ``sys.stdout``) are pointed at stderr.
This module never imports TensorFlow.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
from typing import BinaryIO

from google.protobuf.message import DecodeError

from conformance.protocol import PROTOCOL_VERSION, ProtocolError, file_states, read_frame, serving
from conformance.protocol import conformance_pb2 as pb
from conformance.protocol.values import decode_arguments, message_builder
from refimpl.op_registry import bundled_registry_info
from refimpl.outcome import run_exports
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.snapshot import Snapshot, SnapshotError, load_snapshot

__all__ = ["ProtocolError", "handle", "handshake", "main", "read_frame", "serve"]

IMPLEMENTATION = "refimpl 0.1.0 (Python reference exporter)"
#: ``ProtoValue`` arguments become refimpl's message classes.
BUILD_MESSAGE = message_builder(
    {
        "tensorflow.MetaGraphDef.MetaInfoDef": MetaGraphDef.MetaInfoDef,
        "tensorflow.GraphDef": GraphDef,
        "tensorflow.SaverDef": SaverDef,
    }
)


@functools.lru_cache(maxsize=32)
def _load(sha256: str, data: bytes) -> Snapshot:
    return load_snapshot(data)


def handle(request: pb.ExportRequest) -> pb.ExportResponse:
    """The response to one request: the exports run in a fresh temporary directory
    (holding the request's pre-state, if it has one)."""
    response = pb.ExportResponse(case_name=request.case_name)
    try:
        graph = _load(hashlib.sha256(request.snapshot).hexdigest(), request.snapshot)
        exports = [decode_arguments(a, BUILD_MESSAGE) for a in (request.arguments, *request.then)]
        entries = file_states.entries_of(request.pre_state)
    except (SnapshotError, ValueError, DecodeError) as e:
        response.skipped = f"cannot read the request: {e}"
        return response
    if request.HasField("pre_state"):
        data, after = serving.in_prepared_directory(
            lambda: run_exports(graph, exports).to_proto().SerializeToString(),
            entries,
            prefix="refimpl-testee-",
        )
        response.outcome.ParseFromString(data)
        file_states.fill_after_state(response.outcome, after)
        return response
    outcome, files = serving.in_fresh_directory(
        lambda: run_exports(graph, exports), prefix="refimpl-testee-"
    )
    response.outcome.CopyFrom(outcome.to_proto())
    response.outcome.files.clear()
    response.outcome.files.update(files)
    return response


def handshake() -> pb.Handshake:
    """refimpl's handshake: protocol 2, TF 2.21.0's behaviour, every feature."""
    return pb.Handshake(
        protocol_version=PROTOCOL_VERSION,
        implementation=IMPLEMENTATION,
        target_tensorflow_version=bundled_registry_info().tensorflow_version,
        features=["*"],
    )


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """The protocol loop: Hello -> Handshake, then requests until end of input;
    ``ProtocolError`` if the runner breaks the protocol."""
    serving.serve(inp, out, pb, handshake, handle)


def main(argv: list[str] | None = None) -> int:
    """Runs the testee on stdin/stdout; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m refimpl.testee",
        description="refimpl as a conformance testee (docs/conformance-protocol.md); "
        "speaks the protocol on stdin/stdout.",
    )
    parser.parse_args(argv)
    return serving.main("refimpl.testee", serve)


if __name__ == "__main__":
    sys.exit(main())
