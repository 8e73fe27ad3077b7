"""How far below the protobuf parse a checking loader can go: two floors for ``load_snapshot``.

The issue's floor for loading is the protobuf parse of the snapshot
(``GraphSnapshot.ParseFromString``), which reads every ``node_def`` and the C++ GraphDef as
opaque bytes. ``load_snapshot`` must check them (spec.md 1.9.1: names, ops and inputs of
every node against the operations), so it has to parse them. The second floor parses the
same bytes with a message type of the same shape whose ``Operation.node_def`` is a
``tensorflow.NodeDef`` and ``cpp_graph_def`` a ``tensorflow.GraphDef`` (built at run time
from the two schemas): what a loader that checks anything inside those messages pays before
doing anything else, all in protobuf's C code.

Usage: python benchmarks/parse_floors.py SNAPSHOT [...] [--repeat 5]
(the snapshots of ``benchmarks/bench_export.py``'s cache: benchmarks/.cache/<shape>-<n>/snapshot)
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.message import Message

import refimpl
from refimpl.pb import snapshot_pb2
from refimpl.pb.tensorflow import graph_pb2, node_def_pb2

_DEEP_PACKAGE = "deep_snapshot"


def _add(pool: descriptor_pool.DescriptorPool, fd: FileDescriptor, seen: set[str]) -> None:
    """Adds ``fd`` and its dependencies to ``pool``, dependencies first."""
    if fd.name in seen:
        return
    for dep in fd.dependencies:
        _add(pool, dep, seen)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    pool.Add(proto)
    seen.add(fd.name)


def deep_snapshot_class() -> type[Message]:
    """``GraphSnapshot`` with ``node_def`` and ``cpp_graph_def`` typed as TF's messages."""
    pool = descriptor_pool.DescriptorPool()
    _add(pool, graph_pb2.DESCRIPTOR, set())
    proto = descriptor_pb2.FileDescriptorProto()
    snapshot_pb2.DESCRIPTOR.CopyToProto(proto)
    own = f".{proto.package}."
    proto.name, proto.package = f"{_DEEP_PACKAGE}.proto", _DEEP_PACKAGE
    proto.dependency.extend([graph_pb2.DESCRIPTOR.name, node_def_pb2.DESCRIPTOR.name])

    def retype(messages: Sequence[descriptor_pb2.DescriptorProto]) -> None:
        for m in messages:
            for f in m.field:
                if f.type_name.startswith(own):
                    f.type_name = f".{_DEEP_PACKAGE}.{f.type_name[len(own) :]}"
                if (m.name, f.name) == ("Operation", "node_def"):
                    f.type, f.type_name = f.TYPE_MESSAGE, ".tensorflow.NodeDef"
                if (m.name, f.name) == ("GraphSnapshot", "cpp_graph_def"):
                    f.type, f.type_name = f.TYPE_MESSAGE, ".tensorflow.GraphDef"
            retype(m.nested_type)

    retype(proto.message_type)
    pool.Add(proto)
    return message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"{_DEEP_PACKAGE}.GraphSnapshot")
    )


def best_cpu_seconds(run: Callable[[], object], repeat: int) -> float:
    """The least CPU time of ``repeat`` runs (garbage collected before each)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("snapshots", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    deep = deep_snapshot_class()
    print("| snapshot | parse | deep parse | load_snapshot | load / parse | load / deep parse |")
    print("|---|---|---|---|---|---|")
    for path in args.snapshots:
        data = path.read_bytes()
        parse = best_cpu_seconds(partial(snapshot_pb2.GraphSnapshot.FromString, data), args.repeat)
        deep_parse = best_cpu_seconds(partial(deep.FromString, data), args.repeat)
        load = best_cpu_seconds(partial(refimpl.load_snapshot, data), args.repeat)
        print(
            f"| {path.parent.name} | {parse * 1000:.0f} ms | {deep_parse * 1000:.0f} ms | "
            f"{load * 1000:.0f} ms | {load / parse:.1f} | {load / deep_parse:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
