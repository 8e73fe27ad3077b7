"""A confused testee: refimpl's answers, but every 2nd echoes another case's name;
with ``--empty``, no response echoes a name (as testees older than the field do)."""

from __future__ import annotations

import sys
from typing import BinaryIO

from _common import correct, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest

EMPTY = "--empty" in sys.argv[1:]


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    response = correct(request)
    if EMPTY:
        response.case_name = ""
    elif index % 2 == 0:
        response.case_name = request.case_name + "-other"
    respond(out, response)


if __name__ == "__main__":
    serve(hook)
