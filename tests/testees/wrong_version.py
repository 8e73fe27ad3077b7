"""A testee that speaks protocol version 99."""

from __future__ import annotations

from typing import BinaryIO

from _common import correct, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    respond(out, correct(request))


if __name__ == "__main__":
    serve(hook, version=99)
