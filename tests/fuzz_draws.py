"""What the fuzz properties share: example counts scaled by the hypothesis profile, and
the mutators' choices drawn by hypothesis (``fuzz_snapshots.Chooser``), so that failures
shrink; and ``fuzz_snapshots`` (scripts/, the mutators) as ``fz``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Protocol, TypeVar

from hypothesis import settings
from hypothesis import strategies as st

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))

import fuzz_snapshots as fz  # noqa: E402

__all__ = ["REPO", "SCALE", "Draw", "DrawChooser", "examples", "fz"]

#: The active profile's examples per property (default 60, ci 500, campaign 20000),
#: relative to the default profile's.
SCALE = (settings().max_examples or 60) / 60


def examples(n: int) -> int:
    """``n`` examples at the default profile, scaled by the active one."""
    return max(10, int(n * SCALE))


class Draw(Protocol):
    """A hypothesis draw: ``st.composite``'s ``draw`` or ``st.data()``'s ``draw``."""

    def __call__(self, strategy: st.SearchStrategy[T], /) -> T: ...


class DrawChooser:
    """The mutators' choices, drawn by hypothesis (so that failures shrink)."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""
        return self.draw(st.integers(lo, hi))

    def blob(self, max_size: int) -> bytes:
        """Up to ``max_size`` bytes."""
        return self.draw(st.binary(max_size=max_size))
