"""A hanging testee: correct answers, but every 2nd request of a process never returns."""

from __future__ import annotations

import time
from typing import BinaryIO

from _common import correct, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    if index % 2 == 0:
        time.sleep(3600)
    respond(out, correct(request))


if __name__ == "__main__":
    serve(hook)
