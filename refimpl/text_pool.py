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


@cache
def tf_text_pool() -> descriptor_pool.DescriptorPool:
    """A pool holding every message type TF 2.21 has loaded after ``import tensorflow``."""
    data = resources.files("refimpl").joinpath("data/tf_descriptor_pool.pb").read_bytes()
    files = descriptor_pb2.FileDescriptorSet()
    files.ParseFromString(data)
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    return pool
