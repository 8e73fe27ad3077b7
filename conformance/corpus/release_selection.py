"""Which cases a release corpus holds (``scripts/generate_corpus.py --tf-release``).

A release other than 2.21 gets a representative corpus: the hand cases (never random
programs, never ``@pb6`` twins) of the 2.21 corpus picked by ``select_release_cases``,
deterministically from the 2.21 corpus alone. Every successful export differs between
releases (version stamps, rule 9.1.1; graph versions, rule 4.1), so the selection aims at
the rules whose behaviour differs beyond that (docs/tf-releases.md), then at coverage:

1. every case whose bytes depend on the protobuf runtime (``depends_on_protobuf_runtime``:
   bool collection items, ``DecodeError``; the releases run protobuf 4, 5 or 7);
2. every text export that fails in 2.21 or starts from a file-system pre-state (which
   error comes first where TF 2.20 on protobuf 7 raises its ``TypeError``), then
   ``TEXT_CASES`` other text exports (float format before 2.21, rule 10.2.8);
3. ``DEBUG_CASES`` debug-file exports (2.12 and 2.13 write other stacks, rule 10.4);
4. one case per spec rule that a 2.21 case exercises, and one per graph builder (the
   OpDefs and attributes each builder's ops have in each release: ``MapDataset``,
   ``Range``, ``PartitionedCall``, ``TensorListGetItem``, ...);
5. the rest, up to ``SIZE`` cases.

Within each step cases are taken in the order of the SHA-256 of their names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from conformance.corpus.runtimes import PB6_SUFFIX, depends_on_protobuf_runtime
from conformance.protocol.conformance_pb2 import CorpusCase

__all__ = ["DEBUG_CASES", "SIZE", "TEXT_CASES", "select_release_cases"]

#: Cases in a release corpus (at least; steps 1 to 4 may add more).
SIZE = 210
#: Text exports taken in step 2.
TEXT_CASES = 40
#: Debug-file exports taken in step 3.
DEBUG_CASES = 30


def _order(case: CorpusCase) -> str:
    return hashlib.sha256(case.name.encode()).hexdigest()


def select_release_cases(reference: Sequence[CorpusCase]) -> list[str]:
    """The names of the 2.21 corpus's cases (``reference``, snapshots resolved) that a
    release corpus records, sorted."""
    pool = sorted(
        (c for c in reference if c.program.startswith("builder:") and PB6_SUFFIX not in c.name),
        key=_order,
    )
    chosen: dict[str, None] = {}

    def take(cases: Sequence[CorpusCase], limit: int | None = None) -> None:
        for case in cases[:limit]:
            chosen.setdefault(case.name)

    take([c for c in pool if depends_on_protobuf_runtime(c)])
    text = [c for c in pool if "text" in c.features]
    take([c for c in text if "error" in c.features or c.HasField("pre_state")])
    take([c for c in text if c.name not in chosen], TEXT_CASES)
    take([c for c in pool if "debug" in c.features], DEBUG_CASES)
    rules: set[str] = set()
    builders: set[str] = set()
    for case in pool:
        new = set(case.rules) - rules
        if new or case.program not in builders:
            chosen.setdefault(case.name)
        rules |= new
        builders.add(case.program)
    take([c for c in pool if c.name not in chosen], max(0, SIZE - len(chosen)))
    return sorted(chosen)
