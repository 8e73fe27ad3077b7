"""Every bundled release's op registry and descriptor pool, rebuilt from deltas against 2.21.

TF 2.21's data is stored whole (``refimpl/data/op_registry.pb``,
``refimpl/data/tf_descriptor_pool.pb``). Every other release that
``scripts/dump_release_registries.py`` dumped is stored as a delta against it under
``refimpl/data/releases/``: ``<release>.json`` (metadata), ``<release>.ops.pb`` (a
``tensorflow.OpList`` of the OpDefs the release adds or changes) and ``<release>.pool.pb``
(a ``FileDescriptorSet`` of the ``.proto`` files it adds or changes). Both data sets are
framed records (an OpList is its OpDefs as field 1, a FileDescriptorSet its files as
field 1), so a release's full data is rebuilt from bytes, never re-serialized:

- ops: 2.21's OpDefs less ``ops.removed``, with the delta's OpDefs replacing or adding
  by name, in name order (code points);
- pool: the files named in ``pool.order``, each the delta's bytes if it has them, else
  2.21's.

The metadata records each rebuilt file's sha256; ``release_ops_bytes`` and
``release_pool_bytes`` check it. Only the record framing is read here (``refimpl.wire``)
plus each record's name, so this module imports no generated ``tensorflow.*`` module.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources

from refimpl.versions import version_key
from refimpl.wire import NODE_BYTES, frame, parse

__all__ = [
    "BASE_RELEASE",
    "ReleaseDelta",
    "ReleaseVersions",
    "apply_ops",
    "apply_pool",
    "base_ops_bytes",
    "base_pool_bytes",
    "bundled_releases",
    "delta_for",
    "delta_from_json",
    "named_records",
    "records",
    "release_delta",
    "release_ops_bytes",
    "release_pool_bytes",
    "sha256",
]

#: The release whose data is stored whole; the others are deltas against it.
BASE_RELEASE = "2.21.0"
RELEASES_DIR = "releases"
BASE_OPS = "op_registry.pb"
BASE_POOL = "tf_descriptor_pool.pb"


@dataclass(frozen=True)
class ReleaseVersions:
    """What a release's process says of itself (as ``scripts/dump_release_registries.py``
    recorded it)."""

    #: ``tf.version.VERSION`` and ``tf.version.GIT_VERSION``.
    tensorflow_version: str
    tensorflow_git_version: str
    #: ``tf.version.GRAPH_DEF_VERSION``: the producer of the graphs it builds (rule 4.1).
    graph_def_version: int
    #: ``google.protobuf.__version__`` of the release's environment (what pip resolved).
    protobuf_version: str


@dataclass(frozen=True)
class ReleaseDelta:
    """One release's metadata (``refimpl/data/releases/<release>.json``)."""

    release: str
    versions: ReleaseVersions
    op_count: int
    ops_removed: tuple[str, ...]
    ops_sha256: str
    ops_delta_sha256: str
    pool_order: tuple[str, ...]
    pool_removed: tuple[str, ...]
    pool_sha256: str
    pool_delta_sha256: str

    def to_json(self) -> bytes:
        """The metadata file's bytes (sorted keys, two-space indent, final newline)."""
        meta = {
            "release": self.release,
            "versions": asdict(self.versions),
            "base_release": BASE_RELEASE,
            "ops": {
                "op_count": self.op_count,
                "removed": list(self.ops_removed),
                "sha256": self.ops_sha256,
                "delta_file": f"{self.release}.ops.pb",
                "delta_sha256": self.ops_delta_sha256,
            },
            "pool": {
                "order": list(self.pool_order),
                "removed": list(self.pool_removed),
                "sha256": self.pool_sha256,
                "delta_file": f"{self.release}.pool.pb",
                "delta_sha256": self.pool_delta_sha256,
            },
        }
        return (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode()


def sha256(data: bytes) -> str:
    """The hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _read(*parts: str) -> bytes:
    return (resources.files("refimpl").joinpath("data", *parts)).read_bytes()


def records(data: bytes) -> list[bytes]:
    """The field-1 records of a framed message (an OpList's OpDefs, a FileDescriptorSet's
    files), as bytes; ``ValueError`` if ``data`` holds anything else."""
    items = [bytes(item) for item in parse(NODE_BYTES, data).node]
    if frame(items) != data:
        raise ValueError("not a sequence of field-1 records")
    return items


def _name(record: bytes) -> str:
    """Field 1 (``name``, a string) of an OpDef or FileDescriptorProto record."""
    names = parse(NODE_BYTES, record).node
    if len(names) != 1:
        raise ValueError("a record without exactly one name")
    return bytes(names[0]).decode("utf-8")


def named_records(data: bytes) -> dict[str, bytes]:
    """Name -> record of a serialized OpList (its OpDefs) or FileDescriptorSet (its
    files), in their order; ``ValueError`` if a name occurs twice."""
    items = records(data)
    out = {_name(r): r for r in items}
    if len(out) != len(items):
        raise ValueError("a name occurs twice")
    return out


def base_ops_bytes() -> bytes:
    """The bundled OpList of ``BASE_RELEASE`` (``refimpl/data/op_registry.pb``)."""
    return _read(BASE_OPS)


def base_pool_bytes() -> bytes:
    """The bundled FileDescriptorSet of ``BASE_RELEASE``."""
    return _read(BASE_POOL)


@cache
def bundled_releases() -> tuple[str, ...]:
    """Every release with bundled data (``BASE_RELEASE`` and each delta), sorted by version."""
    folder = resources.files("refimpl").joinpath("data", RELEASES_DIR)
    names = [p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")]
    return tuple(sorted({BASE_RELEASE, *names}, key=lambda r: version_key(r) or (0, 0, 0)))


@cache
def release_delta(release: str) -> ReleaseDelta:
    """The metadata of ``release``'s delta (``KeyError`` if none is bundled)."""
    if release == BASE_RELEASE or release not in bundled_releases():
        raise KeyError(release)
    return delta_from_json(_read(RELEASES_DIR, f"{release}.json"))


def delta_from_json(data: bytes) -> ReleaseDelta:
    """A ``ReleaseDelta`` from its metadata file's bytes."""
    meta = json.loads(data)
    ops, pool = meta["ops"], meta["pool"]
    return ReleaseDelta(
        release=str(meta["release"]),
        versions=ReleaseVersions(
            tensorflow_version=str(meta["versions"]["tensorflow_version"]),
            tensorflow_git_version=str(meta["versions"]["tensorflow_git_version"]),
            graph_def_version=int(meta["versions"]["graph_def_version"]),
            protobuf_version=str(meta["versions"]["protobuf_version"]),
        ),
        op_count=int(ops["op_count"]),
        ops_removed=tuple(str(n) for n in ops["removed"]),
        ops_sha256=str(ops["sha256"]),
        ops_delta_sha256=str(ops["delta_sha256"]),
        pool_order=tuple(str(n) for n in pool["order"]),
        pool_removed=tuple(str(n) for n in pool["removed"]),
        pool_sha256=str(pool["sha256"]),
        pool_delta_sha256=str(pool["delta_sha256"]),
    )


def apply_ops(base: bytes, delta: ReleaseDelta, delta_ops: bytes) -> bytes:
    """The release's OpList: ``base`` with ``delta``'s removals and ``delta_ops`` applied."""
    ops = named_records(base)
    for name in delta.ops_removed:
        del ops[name]
    ops.update(named_records(delta_ops))
    return frame([ops[name] for name in sorted(ops)])


def apply_pool(base: bytes, delta: ReleaseDelta, delta_pool: bytes) -> bytes:
    """The release's FileDescriptorSet: the files of ``delta.pool_order``, each from
    ``delta_pool`` if there, else from ``base``."""
    files = {**named_records(base), **named_records(delta_pool)}
    return frame([files[name] for name in delta.pool_order])


def delta_for(
    versions: ReleaseVersions,
    ops: bytes,
    pool: bytes,
    base_ops: bytes,
    base_pool: bytes,
) -> tuple[ReleaseDelta, bytes, bytes]:
    """The delta of a release's full data (``ops``, ``pool``) against the base release's:
    its metadata and the bytes of its two delta files (the release is
    ``versions.tensorflow_version``)."""
    new_ops, old_ops = named_records(ops), named_records(base_ops)
    new_pool, old_pool = named_records(pool), named_records(base_pool)
    delta_ops = frame([r for n, r in sorted(new_ops.items()) if old_ops.get(n) != r])
    delta_pool = frame([r for n, r in new_pool.items() if old_pool.get(n) != r])
    meta = ReleaseDelta(
        release=versions.tensorflow_version,
        versions=versions,
        op_count=len(new_ops),
        ops_removed=tuple(sorted(old_ops.keys() - new_ops.keys())),
        ops_sha256=sha256(ops),
        ops_delta_sha256=sha256(delta_ops),
        pool_order=tuple(new_pool),
        pool_removed=tuple(sorted(old_pool.keys() - new_pool.keys())),
        pool_sha256=sha256(pool),
        pool_delta_sha256=sha256(delta_pool),
    )
    return meta, delta_ops, delta_pool


def _verified(data: bytes, expected: str, what: str) -> bytes:
    if sha256(data) != expected:
        raise ValueError(f"{what} does not match the sha256 in its metadata")
    return data


@cache
def release_ops_bytes(release: str) -> bytes:
    """The serialized OpList of bundled release ``release`` (exact ``major.minor.patch``),
    checked against its recorded sha256 (``ValueError`` if it differs)."""
    if release == BASE_RELEASE:
        return base_ops_bytes()
    delta = release_delta(release)
    delta_ops = _verified(
        _read(RELEASES_DIR, f"{release}.ops.pb"), delta.ops_delta_sha256, f"{release}.ops.pb"
    )
    return _verified(
        apply_ops(base_ops_bytes(), delta, delta_ops),
        delta.ops_sha256,
        f"{release}'s rebuilt op registry",
    )


@cache
def release_pool_bytes(release: str) -> bytes:
    """The serialized FileDescriptorSet of bundled release ``release``, checked against its
    recorded sha256 (``ValueError`` if it differs)."""
    if release == BASE_RELEASE:
        return base_pool_bytes()
    delta = release_delta(release)
    delta_pool = _verified(
        _read(RELEASES_DIR, f"{release}.pool.pb"), delta.pool_delta_sha256, f"{release}.pool.pb"
    )
    return _verified(
        apply_pool(base_pool_bytes(), delta, delta_pool),
        delta.pool_sha256,
        f"{release}'s rebuilt descriptor pool",
    )
