"""TensorFlow 2.21's op registry, bundled as data so exporting needs no TensorFlow.

``refimpl/data/op_registry.pb`` is a ``tensorflow.OpList`` holding, sorted by
name, the OpDef of every op registered in TF 2.21 as ``op_def_registry.get``
returns it (documentation removed); ``op_registry.meta.json`` describes it.
Both are written by ``scripts/dump_op_registry.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from refimpl.pb.tensorflow.op_def_pb2 import OpDef, OpList

#: How the export looks an op name up (rule 5.4): the OpDef, or None for a name that is
#: no registered op. ``refimpl.export`` makes one per graph (snapshot first, then bundled).
OpLookup = Callable[[str], OpDef | None]

PB_NAME = "op_registry.pb"
META_NAME = "op_registry.meta.json"


@dataclass(frozen=True)
class BundledRegistryInfo:
    """Metadata of the bundled op registry (from ``op_registry.meta.json``)."""

    tensorflow_version: str
    tensorflow_git_version: str
    op_count: int
    sha256: str


def _read_data(name: str) -> bytes:
    """The bytes of a file in ``refimpl/data``."""
    return (resources.files("refimpl") / "data" / name).read_bytes()


@cache
def bundled_registry_info() -> BundledRegistryInfo:
    """The metadata of the bundled op registry: TF version, git version, op count, sha256."""
    meta = json.loads(_read_data(META_NAME))
    return BundledRegistryInfo(
        tensorflow_version=str(meta["tensorflow_version"]),
        tensorflow_git_version=str(meta["tensorflow_git_version"]),
        op_count=int(meta["op_count"]),
        sha256=str(meta["sha256"]),
    )


@cache
def load_bundled_op_registry() -> Mapping[str, OpDef]:
    """Op name -> OpDef for every op of the bundled registry (read-only, cached).

    The OpDefs are shared between callers: copy one before changing it.
    Raises ``ValueError`` when the data file does not match its metadata.
    """
    data = _read_data(PB_NAME)
    info = bundled_registry_info()
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise ValueError(f"{PB_NAME} does not match the sha256 in {META_NAME}")
    op_list = OpList()
    op_list.ParseFromString(data)
    registry = {op_def.name: op_def for op_def in op_list.op}
    if len(registry) != info.op_count or len(op_list.op) != info.op_count:
        raise ValueError(f"{PB_NAME} has {len(op_list.op)} ops, {META_NAME} says {info.op_count}")
    return MappingProxyType(registry)
