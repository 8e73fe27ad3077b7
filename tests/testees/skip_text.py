"""A partial testee: declares every feature but "text" and "debug", skips cases with a scope."""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from _common import correct, respond

from conformance.protocol import read_frame, write_message
from conformance.protocol.conformance_pb2 import ExportRequest, ExportResponse, Hello
from refimpl.testee import handshake

SUPPORTED = ["bad_types", "clear_devices", "clear_extraneous_savers", "collection_list",
             "collections", "control_flow_v1", "error", "falsy", "filename", "functions",
             "graph_def", "kwargs", "meta_info_def", "random", "saver_def", "savers", "scope",
             "strip_default_attrs", "then", "unbound_inputs_col_name", "unordered_inner_maps",
             "variables", "warnings"]


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    kwargs = request.arguments.kwargs
    if "export_scope" in kwargs and kwargs["export_scope"].str_value:
        respond(out, ExportResponse(skipped="export_scope is not implemented"))
        return
    respond(out, correct(request))


def main() -> None:
    inp = sys.stdin.buffer
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    data = read_frame(inp)
    if data is None:
        return
    Hello().ParseFromString(data)
    hs = handshake()
    del hs.features[:]
    hs.features.extend(SUPPORTED)
    write_message(out, hs)
    index = 0
    while (data := read_frame(inp)) is not None:
        index += 1
        request = ExportRequest()
        request.ParseFromString(data)
        hook(index, request, out)


if __name__ == "__main__":
    main()
