"""A broken testee: refimpl's answers with one byte flipped in every file it wrote."""

from __future__ import annotations

from typing import BinaryIO

from _common import correct, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    response = correct(request)
    files = response.outcome.files
    for name in list(files):
        data = bytearray(files[name])
        if data:
            data[len(data) // 2] ^= 0x01
        files[name] = bytes(data)
    respond(out, response)


if __name__ == "__main__":
    serve(hook)
