"""The generator fingerprint: a hash of the sources that define the corpus's cases.

MANIFEST.json records it (``generator_fingerprint``) with the sources it covers
(``fingerprint_sources``); ``tests/test_corpus.py`` fails when they changed since the
corpus was generated (then regenerate it: ``scripts/generate_corpus.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from conformance.corpus.files import REPO_ROOT

__all__ = ["FINGERPRINT_SOURCES", "generator_fingerprint"]

#: Sources (relative to the repository root) whose content defines the hand-written
#: cases (the graph builders use ``v1_control_flow`` and ``NamedNone`` of the programs
#: package); the generator fingerprint covers them. A generator run that adds random
#: graph programs adds their sources (``scripts/generate_corpus.py``, ``PROGRAM_SOURCES``);
#: MANIFEST.json lists the sources actually used.
FINGERPRINT_SOURCES: tuple[str, ...] = (
    "conformance/tf/graphs.py",
    "conformance/tf/graphs_spec.py",
    "conformance/tf/programs/control_flow.py",
    "conformance/tf/programs/model.py",
    "conformance/gen/hand_cases.py",
    "conformance/gen/file_cases.py",
    "conformance/protocol/file_states.py",
    "conformance/gen/spec_cases.py",
    "conformance/gen/guard_cases.py",
    "conformance/tf/graphs_guard.py",
    "conformance/gen/release_cases.py",
    "conformance/tf/graphs_release.py",
    "conformance/corpus/features.py",
    "conformance/tf/responses.py",
    "scripts/generate_corpus.py",
)


def generator_fingerprint(sources: Iterable[str], root: Path = REPO_ROOT) -> str:
    """SHA-256 over the given source files (paths relative to ``root``), in sorted order.

    Each file contributes its path, a NUL, the SHA-256 of its bytes (or ``missing`` for a
    file that no longer exists) and a newline, so renaming, removing or editing any of
    them changes the fingerprint.
    """
    h = hashlib.sha256()
    for rel in sorted(set(sources)):
        path = root / rel
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()
