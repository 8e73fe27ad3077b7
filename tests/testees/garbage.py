"""A testee that writes garbage: correct answers, except for its 2nd request.

``--mode frame`` (default): a well-framed payload that is no ExportResponse;
``--mode raw``: unframed text (its first 4 bytes read as an absurd length);
``--mode truncated``: a header announcing 100 bytes, 10 bytes, then exit.
``--mode unsolicited``: the right answer twice.
"""

from __future__ import annotations

import argparse
import os
import struct
from typing import BinaryIO

from _common import correct, raw, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest

MODE = "frame"


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    if index != 2:
        respond(out, correct(request))
        return
    if MODE == "frame":
        payload = b"\xff\xfe this is not a protobuf message \x00\x01"
        raw(out, struct.pack("<I", len(payload)) + payload)
    elif MODE == "raw":
        raw(out, b"Traceback (most recent call last): oops, printed to stdout\n")
    elif MODE == "truncated":
        raw(out, struct.pack("<I", 100) + b"0123456789")
        os._exit(0)
    elif MODE == "unsolicited":
        respond(out, correct(request))
        respond(out, correct(request))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("frame", "raw", "truncated", "unsolicited"),
                        default="frame")
    MODE = parser.parse_args().mode
    serve(hook)
