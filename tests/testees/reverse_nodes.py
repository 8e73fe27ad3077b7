"""A testee that writes the graph's nodes in reverse order (files and returned message).

The same graph as TF's comparison sees it: the verdict tier is "semantically equal".
"""

from __future__ import annotations

from typing import BinaryIO

from _common import correct, respond, serve
from google.protobuf import text_format

from conformance.protocol.conformance_pb2 import ExportRequest
from conformance.run.verdicts import detect_format
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.text_pool import tf_text_pool


def reverse(mgd: MetaGraphDef) -> None:
    nodes = list(mgd.graph_def.node)[::-1]
    del mgd.graph_def.node[:]
    mgd.graph_def.node.extend(nodes)


def hook(index: int, request: ExportRequest, out: BinaryIO) -> None:
    response = correct(request)
    outcome = response.outcome
    pool = tf_text_pool()
    for name in list(outcome.files):
        kind = detect_format(name, outcome.files[name])
        if kind is None or kind[0] is not MetaGraphDef:
            continue
        mgd = MetaGraphDef()
        if kind[1] == "binary":
            mgd.ParseFromString(outcome.files[name])
            reverse(mgd)
            outcome.files[name] = mgd.SerializeToString(deterministic=True)
        else:
            text_format.Parse(outcome.files[name].decode(), mgd, descriptor_pool=pool)
            reverse(mgd)
            outcome.files[name] = text_format.MessageToString(mgd, descriptor_pool=pool).encode()
    if outcome.HasField("returned_meta_graph_def"):
        mgd = MetaGraphDef()
        mgd.ParseFromString(outcome.returned_meta_graph_def)
        reverse(mgd)
        outcome.returned_meta_graph_def = mgd.SerializeToString(deterministic=True)
    respond(out, response)


if __name__ == "__main__":
    serve(hook)
