"""Dumps the message types TensorFlow 2.21's process knows after ``import tensorflow``.

    python scripts/dump_tf_descriptor_pool.py [--check]

TF prints a ``google.protobuf.Any`` in text format expanded (``[type_url] { ... }``)
exactly when its type is in the process's default descriptor pool. refimpl
reproduces that with a private pool built from this file:
refimpl/data/tf_descriptor_pool.pb, a FileDescriptorSet of every .proto file
loaded by the ``*_pb2`` modules TF imports, dependencies first. ``--check``
compares against the committed file (staleness check).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "refimpl" / "data" / "tf_descriptor_pool.pb"


def build() -> bytes:
    """The FileDescriptorSet of TF's loaded protos, deterministically serialized."""
    import tensorflow  # noqa: F401
    from google.protobuf import descriptor_pb2

    files: dict[str, Any] = {}

    def add(fd: Any) -> None:
        if fd.name in files:
            return
        for dep in fd.dependencies:
            add(dep)
        proto = descriptor_pb2.FileDescriptorProto()
        fd.CopyToProto(proto)
        files[fd.name] = proto

    for name in sorted(sys.modules):
        module = sys.modules[name]
        if name.endswith("_pb2") and hasattr(module, "DESCRIPTOR"):
            add(module.DESCRIPTOR)
    out = descriptor_pb2.FileDescriptorSet(file=list(files.values()))
    return bytes(out.SerializeToString(deterministic=True))


def main(argv: list[str]) -> int:
    """Writes (or with --check, verifies) the data file."""
    data = build()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_bytes() != data:
            print(f"{OUT} is stale: regenerate with {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
