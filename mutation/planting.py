"""A copy of refimpl with one mutant applied, never the tree itself."""

from __future__ import annotations

import shutil
from pathlib import Path

from mutation.model import Mutant

__all__ = ["REPO_ROOT", "occurrences", "plant"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def occurrences(mutant: Mutant, root: Path = REPO_ROOT) -> int:
    """How many times the mutant's original text occurs in its file (1 when it is fresh)."""
    path = root / mutant.file
    return path.read_text(encoding="utf-8").count(mutant.original) if path.is_file() else 0


def plant(mutant: Mutant, destination: Path, root: Path = REPO_ROOT) -> Path:
    """Copies ``root/refimpl`` into ``destination`` and applies the mutant there; returns
    the directory to put first on ``PYTHONPATH``. ``ValueError`` unless the original text
    occurs exactly once (the mutant is stale)."""
    found = occurrences(mutant, root)
    if found != 1:
        raise ValueError(f"{mutant.id}: original text found {found} times in {mutant.file}")
    shutil.copytree(
        root / "refimpl", destination / "refimpl", ignore=shutil.ignore_patterns("__pycache__")
    )
    target = destination / mutant.file
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(mutant.original, mutant.replacement), encoding="utf-8")
    return destination
