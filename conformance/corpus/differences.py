"""How an outcome differs from a corpus case's expected one: ``case_differences``."""

from __future__ import annotations

from conformance.compare import differences
from conformance.protocol.conformance_pb2 import CorpusCase, Outcome

__all__ = ["case_differences"]


def case_differences(case: CorpusCase, actual: Outcome) -> list[str]:
    """Every way ``actual`` differs from the case's expected outcome (empty: it conforms).

    The comparison is ``conformance.compare.differences``, exactly as the live-TF tests
    do: the error (type and message), every file byte for byte, the returned
    MetaGraphDef, the warnings, and, when TF raised no error, the caller's stamped
    ``meta_info_def`` and the graph's ``unbound_inputs`` collection. Differences are
    described structurally (the first differing field path with both values). In a case
    marked ``unordered_inner_maps`` (spec.md 0.4.1), a file or the returned message may
    differ in bytes from TF's if both are equal after re-serializing their control-flow
    contexts deterministically, whatever the file's name; in other cases every byte counts.
    """
    return list(differences(case.expected, actual, unordered_inner_maps=case.unordered_inner_maps))
