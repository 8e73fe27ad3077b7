"""Each TensorFlow release's op registry, bundled as data so exporting needs no TensorFlow.

``refimpl/data/op_registry.pb`` is a ``tensorflow.OpList`` holding, sorted by
name, the OpDef of every op registered in TF 2.21 as ``op_def_registry.get``
returns it (documentation removed); ``op_registry.meta.json`` describes it.
Both are written by ``scripts/dump_op_registry.py``. The other releases' registries
are rebuilt from deltas against it (``refimpl.release_data``, written by
``scripts/dump_release_registries.py``).
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
from refimpl.release_data import release_ops_bytes
from refimpl.tf_release import REFERENCE_RELEASE, tf_release

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


def load_bundled_op_registry(release: str = REFERENCE_RELEASE) -> Mapping[str, OpDef]:
    """Op name -> OpDef for every op of ``release``'s registry (read-only, cached): the
    bundled release that stands for it (``TFRelease.data_release``; default TF 2.21).

    The OpDefs are shared between callers: copy one before changing it.
    Raises ``ValueError`` when the data does not match its metadata.
    """
    return _registry(tf_release(release).data_release)


@cache
def _registry(release: str) -> Mapping[str, OpDef]:
    """The registry of bundled release ``release`` (exact version)."""
    if release != REFERENCE_RELEASE:
        return _parse(release_ops_bytes(release))
    data = _read_data(PB_NAME)
    info = bundled_registry_info()
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise ValueError(f"{PB_NAME} does not match the sha256 in {META_NAME}")
    registry = _parse(data)
    if len(registry) != info.op_count:
        raise ValueError(f"{PB_NAME} has {len(registry)} ops, {META_NAME} says {info.op_count}")
    return registry


def _parse(data: bytes) -> Mapping[str, OpDef]:
    """Op name -> OpDef of a serialized OpList (``ValueError`` if a name occurs twice)."""
    op_list = OpList()
    op_list.ParseFromString(data)
    registry = {op_def.name: op_def for op_def in op_list.op}
    if len(registry) != len(op_list.op):
        raise ValueError("the op registry names an op twice")
    return MappingProxyType(registry)
