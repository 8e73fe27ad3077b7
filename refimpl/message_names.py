"""The full names of the message types a set of ``.proto`` files defines.

Pure (imports only ``descriptor_pb2``), so that ``scripts/dump_tf_descriptor_pool.py`` can
load it beside TensorFlow, whose generated ``tensorflow.*`` classes refimpl's cannot share
a process with.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2

__all__ = ["message_type_names"]


def message_type_names(files: descriptor_pb2.FileDescriptorSet) -> list[str]:
    """Every message type of ``files``, nested ones and map entries included, by full
    name, sorted."""
    names: list[str] = []

    def walk(prefix: str, messages: list[descriptor_pb2.DescriptorProto]) -> None:
        for m in messages:
            names.append(f"{prefix}{m.name}")
            walk(f"{prefix}{m.name}.", list(m.nested_type))

    for f in files.file:
        walk(f"{f.package}." if f.package else "", list(f.message_type))
    return sorted(names)
