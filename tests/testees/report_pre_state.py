"""A testee that answers every request with a skip saying whether it carried a pre-state.

``--version N`` sets the protocol version of its handshake (default: refimpl's).
"""

from __future__ import annotations

import argparse
from typing import BinaryIO

from _common import respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest, ExportResponse


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    if request.HasField("pre_state"):
        reason = f"got a pre-state of {len(request.pre_state.entries)} entries"
    else:
        reason = "got no pre-state"
    respond(out, ExportResponse(case_name=request.case_name, skipped=reason))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", type=int, default=None)
    serve(hook, version=parser.parse_args().version)
