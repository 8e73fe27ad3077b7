"""The testee protocol's frame readers on random and mutated byte streams.

docs/conformance-protocol.md section 3: a frame is a 4-byte little-endian length and the
payload. Whatever the bytes, the readers return payloads, ``None`` at a clean end, or raise
their documented error: ``conformance.protocol.read_frame`` a ``FrameError``, the runner's
reader thread a final ``FrameError``/EOF item, ``refimpl.testee.read_frame`` and
``refimpl.testee.serve`` a ``ProtocolError``; payloads that are not messages fail to decode
with ``DecodeError``. Streams are read like pipes (``fuzz_snapshots.PipeLikeStream``): short
reads, and a ``MemoryError`` for a read asking for more than 64 MiB at once (a pipe's
``BufferedReader.read(n)`` allocates ``n`` bytes first).
"""

from __future__ import annotations

import io

import pytest
from fuzz_draws import DrawChooser, examples, fz
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import protocol
from refimpl import testee

CHUNKS = st.sampled_from((1, 3, 4096, 1 << 30))


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """Random bytes, random frames, huge announced lengths, mutated conversations."""
    return fz.protocol_stream(DrawChooser(draw))


@settings(max_examples=examples(60))
@given(streams(), CHUNKS, st.sampled_from((protocol.DEFAULT_MAX_FRAME_BYTES, 64, 0)))
def test_conformance_read_frame_returns_payloads_or_raises_frame_error(
    stream: bytes, chunk: int, max_bytes: int
) -> None:
    fz.read_with_conformance_protocol(stream, chunk, max_bytes)


@settings(max_examples=examples(60))
@given(st.lists(st.binary(max_size=40), max_size=5), CHUNKS)
def test_conformance_read_frame_reads_back_what_encode_frame_wrote(
    payloads: list[bytes], chunk: int
) -> None:
    stream = fz.PipeLikeStream(b"".join(protocol.encode_frame(p) for p in payloads), chunk)
    read = []
    while (payload := protocol.read_frame(stream)) is not None:
        read.append(payload)
    assert read == payloads


@settings(max_examples=examples(60))
@given(streams(), CHUNKS, st.sampled_from((protocol.DEFAULT_MAX_FRAME_BYTES, 64)))
def test_the_runner_reader_thread_ends_with_end_of_stream_or_a_frame_error(
    stream: bytes, chunk: int, max_bytes: int
) -> None:
    fz.read_with_runner_thread(stream, chunk, max_bytes)


@settings(max_examples=examples(60))
@given(streams(), CHUNKS)
def test_testee_read_frame_returns_payloads_or_raises_protocol_error(
    stream: bytes, chunk: int
) -> None:
    fz.read_with_testee(stream, chunk)


@settings(max_examples=examples(40))
@given(streams(), CHUNKS)
def test_testee_serve_raises_only_protocol_error_and_writes_valid_frames(
    stream: bytes, chunk: int
) -> None:
    fz.serve_testee(stream, chunk)


def test_testee_read_frame_does_not_ask_for_an_announced_length_at_once() -> None:
    # A header announcing 2**31 - 1 bytes, then end of stream: reading it over a pipe must
    # not allocate the announced length (that was a MemoryError under a memory limit).
    stream = fz.PipeLikeStream(protocol.HEADER.pack(2**31 - 1) + b"abc")
    with pytest.raises(testee.ProtocolError, match="truncated frame: 3 of 2147483647 bytes"):
        testee.read_frame(stream)


def test_testee_read_frame_reads_a_frame_split_into_short_reads() -> None:
    stream = fz.PipeLikeStream(protocol.encode_frame(b"payload") * 2, chunk=3)
    assert [testee.read_frame(stream), testee.read_frame(stream)] == [b"payload"] * 2
    assert testee.read_frame(stream) is None


def test_testee_serve_answers_a_garbage_request_with_a_protocol_error() -> None:
    hello = protocol.encode_frame(b"")
    with pytest.raises(testee.ProtocolError, match="cannot parse ExportRequest"):
        testee.serve(io.BytesIO(hello + protocol.encode_frame(b"\xff")), io.BytesIO())
