"""A testee announcing an absurd frame length (0xFFFFFFF0 bytes) for its 2nd request."""

from __future__ import annotations

import struct
import time
from typing import BinaryIO

from _common import correct, raw, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    if index == 2:
        raw(out, struct.pack("<I", 0xFFFFFFF0) + b"\x00" * 64)
        time.sleep(3600)  # the runner must not wait for the announced 4 GB
    respond(out, correct(request))


if __name__ == "__main__":
    serve(hook)
