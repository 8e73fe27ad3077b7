"""Shared plumbing of the fake testees: refimpl's testee with a hook per request.

Each fake runs as ``python tests/testees/<name>.py``; ``serve(hook)`` does the
handshake, then calls ``hook(index, request, out)`` for each request (``index`` counts
the requests of this process from 1); the hook writes whatever it wants to ``out``
(``respond`` writes refimpl's correct response).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import BinaryIO

from google.protobuf.message import Message

from conformance.protocol import read_frame, write_message
from conformance.protocol.conformance_pb2 import ExportRequest, ExportResponse, Hello
from refimpl.testee import handle, handshake

Hook = Callable[[int, ExportRequest, BinaryIO], None]


def respond(out: BinaryIO, message: Message) -> None:
    """Writes one well-formed frame."""
    write_message(out, message)


def correct(request: ExportRequest) -> ExportResponse:
    """refimpl's response."""
    return handle(request)


def raw(out: BinaryIO, data: bytes) -> None:
    """Writes bytes as they are (no framing)."""
    out.write(data)
    out.flush()


def serve(hook: Hook, version: int | None = None) -> None:
    """Handshake (announcing ``version``, default refimpl's), then ``hook`` per request
    until EOF."""
    inp = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    data = read_frame(inp)
    if data is None:
        return
    Hello().ParseFromString(data)
    hs = handshake()
    if version is not None:
        hs.protocol_version = version
    hs.implementation = "fake testee " + os.path.basename(sys.argv[0])
    write_message(out, hs)
    index = 0
    while (data := read_frame(inp)) is not None:
        index += 1
        request = ExportRequest()
        request.ParseFromString(data)
        hook(index, request, out)
