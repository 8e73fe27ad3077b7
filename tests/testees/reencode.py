"""A testee whose protobuf runtime writes differently: same messages, other bytes.

Binary MetaGraphDefs (files and the returned one) are written with their fields in
another order (meta_info_def last); text files on one line. The verdict tier is
"identical after parse + deterministic re-serialize".
"""

from __future__ import annotations

from typing import BinaryIO

from _common import correct, respond, serve
from google.protobuf import text_format

from conformance.protocol.conformance_pb2 import ExportRequest
from conformance.run.verdicts import detect_format
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.text_pool import tf_text_pool


def reencode_binary(data: bytes) -> bytes:
    mgd = MetaGraphDef()
    mgd.ParseFromString(data)
    if not mgd.HasField("meta_info_def"):
        return data
    head = MetaGraphDef()
    head.meta_info_def.CopyFrom(mgd.meta_info_def)
    mgd.ClearField("meta_info_def")
    return mgd.SerializeToString(deterministic=True) + head.SerializeToString(deterministic=True)


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    response = correct(request)
    outcome = response.outcome
    for name in list(outcome.files):
        kind = detect_format(name, outcome.files[name])
        if kind is None or kind[0] is not MetaGraphDef:
            continue
        if kind[1] == "binary":
            outcome.files[name] = reencode_binary(outcome.files[name])
        else:
            mgd = MetaGraphDef()
            pool = tf_text_pool()
            text_format.Parse(outcome.files[name].decode(), mgd, descriptor_pool=pool)
            one_line = text_format.MessageToString(mgd, as_one_line=True, descriptor_pool=pool)
            outcome.files[name] = one_line.encode()
    if outcome.HasField("returned_meta_graph_def"):
        outcome.returned_meta_graph_def = reencode_binary(outcome.returned_meta_graph_def)
    respond(out, response)


if __name__ == "__main__":
    serve(hook)
