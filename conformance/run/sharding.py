"""Splitting a conformance campaign over machines: ``--shard I/N`` and ``METAGRAPH_SHARD``.

Corpus cases: a case belongs to shard ``int.from_bytes(sha256(name)[:8], "big") % N``.
The shard of a case depends on its name only (not on what else is selected, on the
order of the corpus or on its version), so the N shards of one selection hold every
selected case exactly once, and a failing case stays in the same shard from run to run.

Random properties (the live-TF property, tests/test_random_vs_tf.py): a run of ``P``
property tests on each of ``N`` machines is ``P * N`` sub-runs; sub-run ``I * P + p``
(machine ``I``, test ``p``) draws ``ceil(total / (P * N))`` examples with the seed
``(seed * 1_000_003 + I * P + p) mod 2**64``. With ``N = 1`` that is the seed of an
unsharded run, so ``METAGRAPH_SEED`` replays a run whether or not it was sharded.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass

__all__ = ["ENVIRONMENT_VARIABLE", "Shard", "property_runs", "shard_from_environment"]

#: The environment variable naming this machine's shard of a random-property campaign.
ENVIRONMENT_VARIABLE = "METAGRAPH_SHARD"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (0-based) of ``count``."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"I/N"`` (0 <= I < N) as a Shard; ValueError otherwise."""
        left, sep, right = text.strip().partition("/")
        try:
            index, count = int(left), int(right)
        except ValueError:
            raise ValueError(f"a shard is I/N with 0 <= I < N, not {text!r}") from None
        if not sep or count < 1 or not 0 <= index < count:
            raise ValueError(f"a shard is I/N with 0 <= I < N, not {text!r}")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, name: str) -> bool:
        """Whether the case named ``name`` belongs to this shard."""
        if self.count == 1:
            return True
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index


def shard_from_environment() -> Shard:
    """The shard ``METAGRAPH_SHARD`` names (``I/N``), or the whole run (0/1)."""
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    return Shard.parse(text) if text else Shard()


def property_runs(seed: int, total: int, parts: int, shard: Shard) -> list[tuple[int, int]]:
    """(seed, examples) of each of the ``parts`` property tests of this shard; see the
    module docstring. Distinct shards get distinct seeds."""
    examples = math.ceil(total / (parts * shard.count))
    return [
        ((seed * 1_000_003 + shard.index * parts + p) % 2**64, examples) for p in range(parts)
    ]
