"""A bigger snapshot from a captured one: its operations copied under scopes ``r<i>/``.

    python benchmarks/replicate.py IN.snapshot OUT.snapshot COPIES

Capturing a graph of a million nodes from TensorFlow takes about an hour (capture reads
every operation through TF's Python API), so the benchmark's largest graphs are made
from a captured graph of 100,000 nodes: every operation (record, NodeDef and C++ node)
is copied ``COPIES`` times, renamed ``r<i>/<name>``, its inputs and ``_class``
colocations renamed alike, and each library function (C++ library and Python records)
with it, renamed ``<name>_r<i>`` where the copies call it. Collections, frames and the
rest stay as they are (a collection may name operations the graph lacks). The result is
a consistent snapshot that refimpl loads in bulk; TensorFlow never saw it, so there is
nothing to compare its exports with, and the benchmark shows refimpl's times only.
"""

from __future__ import annotations

import sys

from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.function_pb2 import FunctionDef, GradientDef
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef


def _calls_renamed(node: NodeDef, functions: dict[str, str]) -> None:
    """The node's calls of library functions renamed (its op, its func attrs)."""
    if node.op in functions:
        node.op = functions[node.op]
    for value in node.attr.values():
        if value.HasField("func") and value.func.name in functions:
            value.func.name = functions[value.func.name]


def _renamed(node: NodeDef, prefix: str, functions: dict[str, str] | None = None) -> NodeDef:
    out = NodeDef()
    out.CopyFrom(node)
    out.name = prefix + node.name
    if functions:
        _calls_renamed(out, functions)
    for i, x in enumerate(node.input):
        out.input[i] = "^" + prefix + x[1:] if x.startswith("^") else prefix + x
    if "_class" in node.attr:
        entries = out.attr["_class"].list.s
        for i, s in enumerate(entries):
            if s.startswith(b"loc:@"):
                entries[i] = b"loc:@" + prefix.encode() + s[5:]
    return out


def _library_copy(
    raw: snap.GraphSnapshot,
    cpp: GraphDef,
    functions: list[snap.Function],
    library: list[FunctionDef],
    gradients: list[GradientDef],
    suffix: str,
) -> dict[str, str]:
    """The library functions (and their records) added again, named ``<name><suffix>``;
    returns old name -> new name."""
    names = {f.signature.name: f.signature.name + suffix for f in library}
    for fn in library:
        copy = cpp.library.function.add()
        copy.CopyFrom(fn)
        copy.signature.name = names[fn.signature.name]
        for node in copy.node_def:
            _calls_renamed(node, names)
    for g in gradients:
        cpp.library.gradient.add(
            function_name=names.get(g.function_name, g.function_name),
            gradient_func=names.get(g.gradient_func, g.gradient_func),
        )
    for f in functions:
        record = raw.functions.add()
        record.CopyFrom(f)
        record.name = names.get(f.name, f.name)
        record.grad_func_name = names.get(f.grad_func_name, f.grad_func_name)
        definition = FunctionDef.FromString(f.definition)
        definition.signature.name = record.name
        for node in definition.node_def:
            _calls_renamed(node, names)
        record.definition = definition.SerializeToString(deterministic=True)
    return names


def replicate(data: bytes, copies: int) -> bytes:
    """``data``'s operations (and library functions, renamed ``<name>_r<i>``) ``copies``
    times, under scopes ``r0/``, ``r1/``, ..."""
    raw = snap.GraphSnapshot.FromString(data)
    cpp = GraphDef.FromString(raw.cpp_graph_def)
    operations = list(raw.operations)
    nodes = list(cpp.node)
    functions = list(raw.functions)
    library = list(cpp.library.function)
    gradients = list(cpp.library.gradient)
    del raw.operations[:]
    del cpp.node[:]
    del raw.functions[:]
    cpp.ClearField("library")
    for i in range(copies):
        prefix = f"r{i}/"
        renamed = _library_copy(raw, cpp, functions, library, gradients, f"_r{i}")
        for op in operations:
            record = raw.operations.add()
            record.CopyFrom(op)
            record.name = prefix + op.name
            record.type = renamed.get(op.type, op.type)
            node_def = _renamed(NodeDef.FromString(op.node_def), prefix, renamed)
            record.node_def = node_def.SerializeToString(deterministic=True)
        cpp.node.extend(_renamed(node, prefix, renamed) for node in nodes)
        raw.names_in_use[f"r{i}"] = 1
    raw.cpp_graph_def = cpp.SerializeToString(deterministic=True)
    return raw.SerializeToString(deterministic=True)


if __name__ == "__main__":
    source, target, count = sys.argv[1:4]
    with open(source, "rb") as reader:
        result = replicate(reader.read(), int(count))
    with open(target, "wb") as writer:
        writer.write(result)
