"""A crashing testee: correct answers, but the process dies on its 3rd request."""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from _common import correct, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    if index == 3:
        print(f"crash_third: giving up on {request.case_name}", file=sys.stderr, flush=True)
        os._exit(3)
    respond(out, correct(request))


if __name__ == "__main__":
    serve(hook)
