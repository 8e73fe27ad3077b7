"""The testee protocol's framing (docs/conformance-protocol.md, section 3, "Framing").

Every message on a testee's stdin and stdout is one *frame*: a 4-byte little-endian
unsigned length ``n`` followed by ``n`` bytes, the serialized protobuf message
(``conformance/protocol/conformance.proto``: ``Hello``, ``Handshake``, ``ExportRequest``,
``ExportResponse``). The TF worker (``conformance.tf.worker``) frames its pickled
requests and responses the same way.

Every process of the suite reads and writes frames with this module: the runner
(``conformance.run.testee_process``), refimpl's testee (``refimpl.testee``), the TF testee
(``conformance.tf.testee``) and the TF worker and its client. There is one size limit,
``DEFAULT_MAX_FRAME_BYTES`` (2 GiB - 1 byte, the largest message protobuf serializes;
the runner's ``--max-frame-bytes`` lowers it), and one error, ``ProtocolError``. It
imports nothing but the standard library and protobuf's ``DecodeError``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from google.protobuf.message import DecodeError

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "FrameError",
    "HEADER",
    "PRE_STATE_PROTOCOL",
    "PROTOCOL_VERSION",
    "SUPPORTED_PROTOCOL_VERSIONS",
    "ProtocolError",
    "decode",
    "encode_frame",
    "read_frame",
    "write_frame",
    "write_message",
]

#: The protocol version of this suite (``Hello.protocol_version``, ``Handshake``).
PROTOCOL_VERSION = 2
#: The versions the runner serves: a testee answering 1 is not sent the cases that have a
#: file-system pre-state (``CorpusCase.pre_state``), which need ``PRE_STATE_PROTOCOL``.
SUPPORTED_PROTOCOL_VERSIONS: tuple[int, ...] = (1, 2)
PRE_STATE_PROTOCOL = 2
#: The frame header: the payload length, 4 bytes, little-endian, unsigned.
HEADER = struct.Struct("<I")
#: Frames longer than this are refused: 2 GiB - 1 byte, the largest message protobuf
#: serializes or parses (docs/conformance-protocol.md, section 3).
DEFAULT_MAX_FRAME_BYTES = (1 << 31) - 1
#: How much is read at once: a pipe's ``read(n)`` allocates ``n`` bytes first, so a header
#: announcing 2 GiB before a truncated stream must not cost 2 GiB (or a ``MemoryError``).
_CHUNK = 1 << 20

M = TypeVar("M")


class ProtocolError(Exception):
    """The other side broke the protocol: a frame that cannot be read, or a payload that is
    not the message expected at that point of the conversation."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        #: "truncated", "oversized" or "undecodable".
        self.kind = kind


#: The name the runner's side has always used for frame errors (the same class).
FrameError = ProtocolError


def encode_frame(payload: bytes, max_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> bytes:
    """The frame carrying ``payload``; ``ValueError`` if it is longer than ``max_bytes``."""
    if len(payload) > max_bytes or len(payload) > 0xFFFFFFFF:
        raise ValueError(f"payload of {len(payload)} bytes exceeds the limit of {max_bytes}")
    return HEADER.pack(len(payload)) + payload


def write_frame(stream: BinaryIO, payload: bytes, max_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
    """Writes one frame and flushes the stream."""
    stream.write(encode_frame(payload, max_bytes))
    stream.flush()


def write_message(stream: BinaryIO, message: object) -> None:
    """Writes a protobuf message (deterministically serialized) as one frame and flushes.

    ``message`` is any generated message class's instance: refimpl's, TF's process's own,
    or one built from an embedded descriptor (``conformance.protocol.schema``)."""
    write_frame(stream, message.SerializeToString(deterministic=True))  # type: ignore[attr-defined]


def _read_exactly(
    stream: BinaryIO, n: int, progress: Callable[[int], None] | None = None
) -> bytes:
    """Up to ``n`` bytes (fewer only at end of stream), read ``_CHUNK`` bytes at a time."""
    chunks: list[bytes] = []
    got = 0
    while got < n:
        chunk = stream.read(min(n - got, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        if progress is not None:
            progress(got)
    return b"".join(chunks)


def read_frame(
    stream: BinaryIO,
    max_bytes: int = DEFAULT_MAX_FRAME_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> bytes | None:
    """The next frame's payload, or None at a clean end of stream (between frames).

    Raises ``ProtocolError("truncated", ...)`` if the stream ends inside a frame and
    ``ProtocolError("oversized", ...)`` if the header announces more than ``max_bytes``
    (nothing of the payload is read then: the stream is no longer usable). ``progress``,
    if given, is called with (bytes received, bytes announced) as the payload arrives.
    """
    header = _read_exactly(stream, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise ProtocolError(
            "truncated",
            f"truncated frame header: {len(header)} of {HEADER.size} bytes, then end of stream",
        )
    (size,) = HEADER.unpack(header)
    if size > max_bytes:
        raise ProtocolError(
            "oversized",
            f"oversized frame: header {header.hex()} announces {size} bytes (limit {max_bytes})",
        )
    if progress is not None:
        progress(0, size)
    payload = _read_exactly(stream, size, None if progress is None else lambda n: progress(n, size))
    if len(payload) < size:
        raise ProtocolError(
            "truncated",
            f"truncated frame: {len(payload)} of {size} bytes, then end of stream",
        )
    return payload


def decode(cls: Callable[[], M], payload: bytes, what: str = "") -> M:
    """``payload`` parsed as a message of class ``cls``; ``ProtocolError("undecodable")``
    if it is not one (``what`` names it in the error, default: the class's name)."""
    message = cls()
    try:
        message.ParseFromString(payload)  # type: ignore[attr-defined]
    except DecodeError as e:
        name = what or getattr(cls, "__name__", "message")
        raise ProtocolError("undecodable", f"cannot parse {name}: {e}") from None
    return message
