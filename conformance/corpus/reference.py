"""refimpl's outcome on a corpus case: ``run_case`` (loads refimpl's exporter).

``conformance.corpus`` loads this module only when ``run_case`` is used, so that reading
and judging the corpus (the runner) never imports the exporter.
"""

from __future__ import annotations

import functools
import os
import tempfile

import refimpl
from conformance.corpus.arguments import from_arguments
from conformance.corpus.files import snapshot_sha256
from conformance.corpus.requests import request_for
from conformance.protocol import file_states, serving
from conformance.protocol.conformance_pb2 import CorpusCase, Outcome
from refimpl.snapshot import Snapshot

__all__ = ["case_trace", "run_case"]


@functools.lru_cache(maxsize=16)
def _snapshot(sha256: str, data: bytes) -> Snapshot:
    return refimpl.load_snapshot(data)


def run_case(case: CorpusCase) -> Outcome:
    """refimpl's outcome on ``case`` (its snapshot must be resolved, see ``load_corpus``).

    ``refimpl.run_exports`` with the case's arguments, then each ``then`` argument set
    (file ``then<i>.meta`` unless it names one), planned only (nothing is written): the
    files of every export, the warnings, the error, and what the exports left, as TF
    does it (``refimpl.Outcome``).

    A case with a file-system pre-state (protocol 2) is run for real, as refimpl's testee
    runs it (``refimpl.testee.handle``): in a directory holding the pre-state, whose
    after-state the outcome lists.
    """
    if not case.snapshot:
        raise ValueError(f"case {case.name}: snapshot not resolved (use load_corpus)")
    if case.HasField("pre_state"):
        from refimpl import testee

        return testee.handle(request_for(case)).outcome
    graph = _snapshot(snapshot_sha256(case.snapshot), case.snapshot)
    exports = [from_arguments(case.arguments), *(from_arguments(t) for t in case.then)]
    return refimpl.run_exports(graph, exports, write=False).to_proto()


def case_trace(case: CorpusCase) -> tuple[str, ...]:
    """The numbered rules of spec.md that refimpl's exports of ``case`` apply, in order.

    The exports really run, in a fresh temporary working directory (the file-writing
    rules 10.3.x apply only to files that are written), holding the case's pre-state if
    it has one; ``refimpl.run_exports`` with ``trace=True``.
    """
    if not case.snapshot:
        raise ValueError(f"case {case.name}: snapshot not resolved (use load_corpus)")
    graph = _snapshot(snapshot_sha256(case.snapshot), case.snapshot)
    exports = [from_arguments(case.arguments), *(from_arguments(t) for t in case.then)]
    if case.HasField("pre_state"):
        rules, _after = serving.in_prepared_directory(
            lambda: refimpl.run_exports(graph, exports, trace=True).rules,
            file_states.entries_of(case.pre_state),
            prefix="metagraph-trace-",
        )
        return rules
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="metagraph-trace-") as workdir:
        os.chdir(workdir)
        try:
            return refimpl.run_exports(graph, exports, trace=True).rules
        finally:
            os.chdir(previous)
