"""The descriptor pool that decides how ``Any`` values print in text format (spec.md 10.2).

TF's text output expands an ``Any`` exactly when its type is known to TF's
process. refimpl keeps those types (refimpl/data/tf_descriptor_pool.pb, made by
scripts/dump_tf_descriptor_pool.py, for TF 2.21; the other releases' pools are rebuilt
from deltas, ``refimpl.release_data``) in a private pool, apart from the default
pool that holds refimpl's own generated classes. Which release's pool: the bundled
release that stands for the snapshot's (``TFRelease.data_release``).
"""

from __future__ import annotations

from functools import cache

from google.protobuf import descriptor_pb2, descriptor_pool

from refimpl.message_names import message_type_names
from refimpl.release_data import release_pool_bytes
from refimpl.tf_release import REFERENCE_RELEASE, tf_release

__all__ = ["expanded_any_types", "tf_pool_files", "tf_text_pool"]


def tf_pool_files(release: str = REFERENCE_RELEASE) -> descriptor_pb2.FileDescriptorSet:
    """The ``.proto`` files TF ``release`` (default 2.21) has loaded after ``import
    tensorflow``, dependencies first (shared between callers: do not change it)."""
    return _pool_files(tf_release(release).data_release)


def tf_text_pool(release: str = REFERENCE_RELEASE) -> descriptor_pool.DescriptorPool:
    """A pool holding every message type TF ``release`` (default 2.21) has loaded after
    ``import tensorflow``."""
    return _text_pool(tf_release(release).data_release)


@cache
def _pool_files(release: str) -> descriptor_pb2.FileDescriptorSet:
    files = descriptor_pb2.FileDescriptorSet()
    files.ParseFromString(release_pool_bytes(release))
    return files


@cache
def _text_pool(release: str) -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    for f in _pool_files(release).file:
        pool.Add(f)
    return pool


def expanded_any_types(
    files: descriptor_pb2.FileDescriptorSet | None = None, release: str = REFERENCE_RELEASE
) -> list[str]:
    """The full names of the message types whose ``Any`` text output expands (spec.md
    10.2.7): every message, nested ones included, of ``files`` (default: those of TF
    ``release``), sorted."""
    return message_type_names(files or tf_pool_files(release))
