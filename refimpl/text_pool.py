"""The descriptor pool that decides how ``Any`` values print in text format (spec.md 10.2).

TF's text output expands an ``Any`` exactly when its type is known to TF's
process. refimpl keeps those types (refimpl/data/tf_descriptor_pool.pb, made by
scripts/dump_tf_descriptor_pool.py) in a private pool, apart from the default
pool that holds refimpl's own generated classes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from google.protobuf import descriptor_pb2, descriptor_pool

__all__ = ["expanded_any_types", "tf_pool_files", "tf_text_pool"]


@cache
def tf_pool_files() -> descriptor_pb2.FileDescriptorSet:
    """The ``.proto`` files TF 2.21 has loaded after ``import tensorflow``, dependencies first."""
    data = resources.files("refimpl").joinpath("data/tf_descriptor_pool.pb").read_bytes()
    files = descriptor_pb2.FileDescriptorSet()
    files.ParseFromString(data)
    return files


@cache
def tf_text_pool() -> descriptor_pool.DescriptorPool:
    """A pool holding every message type TF 2.21 has loaded after ``import tensorflow``."""
    pool = descriptor_pool.DescriptorPool()
    for f in tf_pool_files().file:
        pool.Add(f)
    return pool


def expanded_any_types(files: descriptor_pb2.FileDescriptorSet | None = None) -> list[str]:
    """The full names of the message types whose ``Any`` text output expands (spec.md
    10.2.7): every message, nested ones included, of ``files`` (default: TF's), sorted."""
    names: list[str] = []

    def walk(prefix: str, messages: list[descriptor_pb2.DescriptorProto]) -> None:
        for m in messages:
            names.append(f"{prefix}{m.name}")
            walk(f"{prefix}{m.name}.", list(m.nested_type))

    for f in (files or tf_pool_files()).file:
        walk(f"{f.package}." if f.package else "", list(f.message_type))
    return sorted(names)
