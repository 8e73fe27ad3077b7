"""A testee whose files differ from TF's only in serialization: map entries reordered.

Binary MetaGraphDefs (files and the returned one) are written with their
``collection_def`` map entries in reverse order (a protobuf runtime is free to write map
entries in any order), everything else byte for byte as refimpl writes it. Parsed and
re-serialized deterministically they are identical, so the verdict tier is
``reserialized``: not conformant at the default ``--require-tier bytes``.
"""

from __future__ import annotations

from typing import BinaryIO

from _common import correct, respond, serve

from conformance.protocol.conformance_pb2 import ExportRequest
from conformance.run.verdicts import detect_format
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef

_COLLECTION_DEF = 4


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def reorder_collections(data: bytes) -> bytes:
    """``data`` with its top-level field-4 records (map entries) in reverse order.

    Every top-level field of a MetaGraphDef is length-delimited; the entries are moved
    to where the first of them was.
    """
    records: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        start = pos
        tag, pos = _varint(data, pos)
        if tag & 7 != 2:
            return data
        length, pos = _varint(data, pos)
        pos += length
        records.append((tag >> 3, data[start:pos]))
    entries = [rec for field, rec in records if field == _COLLECTION_DEF]
    out: list[bytes] = []
    placed = False
    for field, rec in records:
        if field != _COLLECTION_DEF:
            out.append(rec)
        elif not placed:
            out.extend(reversed(entries))
            placed = True
    return b"".join(out)


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    response = correct(request)
    outcome = response.outcome
    for name in list(outcome.files):
        if detect_format(name, outcome.files[name]) == (MetaGraphDef, "binary"):
            outcome.files[name] = reorder_collections(outcome.files[name])
    if outcome.HasField("returned_meta_graph_def"):
        outcome.returned_meta_graph_def = reorder_collections(outcome.returned_meta_graph_def)
    respond(out, response)


if __name__ == "__main__":
    serve(hook)
