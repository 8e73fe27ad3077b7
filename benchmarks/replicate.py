"""A bigger snapshot from a captured one: its operations copied under scopes ``r<i>/``.

    python benchmarks/replicate.py IN.snapshot OUT.snapshot COPIES

Capturing a graph of a million nodes from TensorFlow takes about an hour (capture reads
every operation through TF's Python API), so the benchmark's largest graphs are made
from a captured graph of 100,000 nodes: every operation (record, NodeDef and C++ node)
is copied ``COPIES`` times, renamed ``r<i>/<name>``, its inputs and ``_class``
colocations renamed alike. Function library, collections, frames and the rest stay as
they are (copies call the same functions), so this suits graphs whose collections name
no operation (the ``chain`` and ``functions`` shapes). The result is a consistent
snapshot that refimpl loads in bulk; TensorFlow never saw it, so there is nothing to
compare its exports with, and the benchmark shows refimpl's times only.
"""

from __future__ import annotations

import sys

from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef


def _renamed(node: NodeDef, prefix: str) -> NodeDef:
    out = NodeDef()
    out.CopyFrom(node)
    out.name = prefix + node.name
    for i, x in enumerate(node.input):
        out.input[i] = "^" + prefix + x[1:] if x.startswith("^") else prefix + x
    if "_class" in node.attr:
        entries = out.attr["_class"].list.s
        for i, s in enumerate(entries):
            if s.startswith(b"loc:@"):
                entries[i] = b"loc:@" + prefix.encode() + s[5:]
    return out


def replicate(data: bytes, copies: int) -> bytes:
    """``data``'s operations ``copies`` times, under scopes ``r0/``, ``r1/``, ..."""
    raw = snap.GraphSnapshot.FromString(data)
    cpp = GraphDef.FromString(raw.cpp_graph_def)
    operations = list(raw.operations)
    nodes = list(cpp.node)
    del raw.operations[:]
    del cpp.node[:]
    for i in range(copies):
        prefix = f"r{i}/"
        for op in operations:
            record = raw.operations.add()
            record.CopyFrom(op)
            record.name = prefix + op.name
            node_def = _renamed(NodeDef.FromString(op.node_def), prefix)
            record.node_def = node_def.SerializeToString(deterministic=True)
        cpp.node.extend(_renamed(node, prefix) for node in nodes)
        raw.names_in_use[f"r{i}"] = 1
    raw.cpp_graph_def = cpp.SerializeToString(deterministic=True)
    return raw.SerializeToString(deterministic=True)


if __name__ == "__main__":
    source, target, count = sys.argv[1:4]
    with open(source, "rb") as reader:
        result = replicate(reader.read(), int(count))
    with open(target, "wb") as writer:
        writer.write(result)
