"""The testee protocol's framing (docs/conformance-protocol.md, "Framing").

Every message on the testee's stdin and stdout is one *frame*: a 4-byte little-endian
unsigned length ``n`` followed by ``n`` bytes, the serialized protobuf message
(``protos/refimpl/pb/conformance.proto``: ``Hello``, ``Handshake``, ``ExportRequest``,
``ExportResponse``).

This module is shared by the runner (``conformance.testee_process``) and by refimpl's
testee (``refimpl.testee`` keeps its own copy of the few lines it needs, so that
refimpl does not depend on ``conformance``). It imports nothing but the standard library.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "FrameError",
    "HEADER",
    "PROTOCOL_VERSION",
    "encode_frame",
    "read_frame",
    "write_frame",
]

#: The protocol version this runner speaks (``Hello.protocol_version``).
PROTOCOL_VERSION = 1
#: The frame header: the payload length, 4 bytes, little-endian, unsigned.
HEADER = struct.Struct("<I")
#: Frames longer than this are refused (the runner reports an "oversized frame").
DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024


class FrameError(Exception):
    """A frame that cannot be read: truncated by end of stream, or longer than allowed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        #: "truncated" or "oversized".
        self.kind = kind


def encode_frame(payload: bytes, max_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> bytes:
    """The frame carrying ``payload``; ``ValueError`` if it is longer than ``max_bytes``."""
    if len(payload) > max_bytes or len(payload) > 0xFFFFFFFF:
        raise ValueError(f"payload of {len(payload)} bytes exceeds the limit of {max_bytes}")
    return HEADER.pack(len(payload)) + payload


def write_frame(stream: BinaryIO, payload: bytes, max_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
    """Writes one frame and flushes the stream."""
    stream.write(encode_frame(payload, max_bytes))
    stream.flush()


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    """Up to ``n`` bytes: fewer only at end of stream."""
    chunks: list[bytes] = []
    remaining = n
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO, max_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> bytes | None:
    """The next frame's payload, or None at a clean end of stream (between frames).

    Raises ``FrameError("truncated", ...)`` if the stream ends inside a frame and
    ``FrameError("oversized", ...)`` if the header announces more than ``max_bytes``
    (nothing of the payload is read then: the stream is no longer usable).
    """
    header = _read_exactly(stream, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise FrameError(
            "truncated", f"truncated frame header: {len(header)} of {HEADER.size} bytes"
        )
    (size,) = HEADER.unpack(header)
    if size > max_bytes:
        raise FrameError(
            "oversized", f"oversized frame: the header announces {size} bytes (limit {max_bytes})"
        )
    payload = _read_exactly(stream, size)
    if len(payload) < size:
        raise FrameError(
            "truncated", f"truncated frame: {len(payload)} of {size} announced bytes before EOF"
        )
    return payload
