"""A testee that prints a stray line ("oops\\n") to its stdout, which carries frames only.

``--when handshake``: before its handshake; ``--when response`` (default): before its
answer to its 1st request. The runner reads "oops" as a frame header announcing
1,936,748,399 bytes, waits for them and times out; the report shows the bytes as text.
"""

from __future__ import annotations

import argparse
import os
from typing import BinaryIO

from _common import correct, raw, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    if index == 1:
        raw(out, b"oops\n")
    respond(out, correct(request))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--when", choices=("handshake", "response"), default="response")
    if parser.parse_args().when == "handshake":
        os.write(1, b"oops\n")
    serve(hook)
