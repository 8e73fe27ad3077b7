"""Dumps the message types TensorFlow 2.21's process knows after ``import tensorflow``.

    python scripts/dump_tf_descriptor_pool.py [--check]

TF prints a ``google.protobuf.Any`` in text format expanded (``[type_url] { ... }``)
exactly when its type is in the process's default descriptor pool. refimpl
reproduces that with a private pool built from this file:
refimpl/data/tf_descriptor_pool.pb, a FileDescriptorSet of every .proto file
loaded by the ``*_pb2`` modules TF imports, dependencies first. It also writes
docs/text-any-types.txt, the same set as a list of message type names for implementers
in other languages (spec.md 10.2.7). ``--check`` compares both against the committed
files (staleness check).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "refimpl" / "data" / "tf_descriptor_pool.pb"
TYPES_OUT = ROOT / "docs" / "text-any-types.txt"
TYPES_HEADER = """\
# The message types TensorFlow 2.21's text output expands inside a google.protobuf.Any
# (spec.md rule 10.2.7): every message type, nested ones and map entries included, of the
# .proto files in TF's default descriptor pool after `import tensorflow`. An Any whose
# type name (the part of type_url after the last '/') is listed prints as
# `[<type_url>] { ... }`; any other Any prints its type_url and value fields.
# Written by scripts/dump_tf_descriptor_pool.py from refimpl/data/tf_descriptor_pool.pb;
# one full name a line, sorted; lines starting with '#' are comments.
"""


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


def types_text(data: bytes) -> str:
    """docs/text-any-types.txt for the FileDescriptorSet ``data``."""
    import importlib.util

    from google.protobuf import descriptor_pb2

    # refimpl/message_names.py alone: the refimpl package would load refimpl's generated
    # tensorflow.* classes, which cannot share a process with TF's.
    path = ROOT / "refimpl" / "message_names.py"
    spec = importlib.util.spec_from_file_location("message_names", path)
    assert spec is not None and spec.loader is not None
    message_names = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(message_names)
    names = message_names.message_type_names(descriptor_pb2.FileDescriptorSet.FromString(data))
    return TYPES_HEADER + "".join(f"{n}\n" for n in names)


def main(argv: list[str]) -> int:
    """Writes (or with --check, verifies) the data file and the list of its types."""
    data = build()
    outputs = {OUT: data, TYPES_OUT: types_text(data).encode("utf-8")}
    if "--check" in argv:
        stale = [p for p, content in outputs.items() if not p.exists() or p.read_bytes() != content]
        for path in stale:
            print(f"{path} is stale: regenerate with {Path(__file__).name}", file=sys.stderr)
        return 1 if stale else 0
    for path, content in outputs.items():
        path.write_bytes(content)
        print(f"wrote {path} ({len(content)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
