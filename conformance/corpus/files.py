"""The corpus on disk: reading cases (snapshots resolved) and the manifest; content hashes.

- ``cases/<name>.case``: one serialized ``metagraph_ref.CorpusCase`` per case, its
  ``snapshot`` field empty and ``snapshot_sha256`` naming the shared snapshot;
- ``snapshots/<sha256>.snapshot``: the graph snapshots, de-duplicated (the file name is
  the SHA-256 of the content);
- ``MANIFEST.json``: versions, the generator fingerprint, each case file's SHA-256, counts.

A corpus without a ``snapshots/`` directory of its own reads them from its parent's
``snapshots/``: the release corpora (``conformance.corpus.releases``) share one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from conformance.protocol.conformance_pb2 import CorpusCase

__all__ = [
    "DEFAULT_DIRECTORY",
    "REPO_ROOT",
    "case_file_sha256",
    "load_case",
    "load_corpus",
    "load_manifest",
    "snapshot_sha256",
    "snapshots_directory",
]

#: Where the corpus is: this package's directory.
DEFAULT_DIRECTORY = Path(__file__).resolve().parent
#: The repository root (spec.md and the generator's sources live there).
REPO_ROOT = DEFAULT_DIRECTORY.parent.parent

_SNAPSHOT_SUFFIX = ".snapshot"
_CASE_SUFFIX = ".case"


def snapshot_sha256(data: bytes) -> str:
    """The lowercase hex SHA-256 of a snapshot (its name in ``snapshots/``)."""
    return hashlib.sha256(data).hexdigest()


def case_file_sha256(path: Path) -> str:
    """The lowercase hex SHA-256 of a case file (as MANIFEST.json records it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshots_directory(directory: Path) -> Path:
    """Where the corpus in ``directory`` keeps its snapshots: ``directory/snapshots``, or
    the parent's ``snapshots`` when the corpus has none of its own (shared)."""
    own = directory / "snapshots"
    return own if own.is_dir() or not (directory.parent / "snapshots").is_dir() else (
        directory.parent / "snapshots"
    )


def _read_case(path: Path, snapshots: Path, cache: dict[str, bytes]) -> CorpusCase:
    """A case file, its snapshot resolved from ``snapshots`` (each read once per ``cache``)."""
    case = CorpusCase()
    case.ParseFromString(path.read_bytes())
    sha = case.snapshot_sha256
    if not case.snapshot and sha:
        if sha not in cache:
            data = (snapshots / f"{sha}{_SNAPSHOT_SUFFIX}").read_bytes()
            if snapshot_sha256(data) != sha:
                raise ValueError(f"snapshot {sha} does not match its hash")
            cache[sha] = data
        case.snapshot = cache[sha]
    return case


def load_case(path: Path, directory: Path | None = None) -> CorpusCase:
    """One case file, with its snapshot resolved from ``directory/snapshots``.

    ``directory`` defaults to the parent of the case file's directory. A snapshot
    whose content does not match ``snapshot_sha256`` raises ``ValueError``.
    """
    root = directory if directory is not None else path.parent.parent
    return _read_case(path, snapshots_directory(root), {})


def load_corpus(directory: Path = DEFAULT_DIRECTORY) -> list[CorpusCase]:
    """Every case of the corpus in ``directory``, sorted by name, snapshots resolved.

    Each snapshot file is read once and shared between the cases that use it.
    """
    cache: dict[str, bytes] = {}
    snapshots = snapshots_directory(directory)
    cases = [
        _read_case(path, snapshots, cache)
        for path in sorted((directory / "cases").glob(f"*{_CASE_SUFFIX}"))
    ]
    cases.sort(key=lambda c: c.name)
    return cases


def load_manifest(directory: Path = DEFAULT_DIRECTORY) -> dict[str, Any]:
    """The corpus's MANIFEST.json."""
    data = json.loads((directory / "MANIFEST.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("MANIFEST.json is not an object")
    return data
