"""``python -m conformance --matrix``: testees x release corpora, conformant cases.

Each testee (a command line, ``None`` for refimpl's own testee) runs every case of each
release's corpus (``conformance.corpus.releases``); a case counts as conformant when its
bytes are identical (the ``bytes`` tier). The table is Markdown, one row a testee, one
column a release, each cell ``conformant/total``. With ``sample``, each corpus is cut to
that many cases, evenly spaced in name order (``sample_cases``): a TF testee rebuilds
every graph, and ten of them on every corpus take long.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from conformance.corpus.files import load_corpus
from conformance.corpus.releases import corpus_directory, release_corpora
from conformance.protocol.conformance_pb2 import CorpusCase
from conformance.run.runner import RunResult, run_cases
from conformance.run.testee_process import TesteeProcess

__all__ = ["MatrixCell", "format_matrix", "run_matrix", "sample_cases", "testee_label"]


@dataclass(frozen=True)
class MatrixCell:
    """One testee's result on one release's corpus."""

    conformant: int
    total: int


def testee_label(command: str | None, result: RunResult) -> str:
    """A row label: the implementation the testee announced (up to its first `` (``),
    else its command line."""
    if result.handshake is not None and result.handshake.implementation:
        return result.handshake.implementation.split(" (")[0]
    return command or "refimpl"


def sample_cases(cases: Sequence[CorpusCase], size: int | None) -> list[CorpusCase]:
    """``size`` of ``cases`` (sorted by name), evenly spaced; all of them when ``size`` is
    ``None`` or not smaller."""
    ordered = sorted(cases, key=lambda c: c.name)
    if size is None or size >= len(ordered):
        return ordered
    return [ordered[k * len(ordered) // size] for k in range(size)]


def run_matrix(
    testees: Sequence[str | None],
    make_process: Callable[[str | None], list[TesteeProcess]],
    releases: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    sample: int | None = None,
) -> tuple[list[str], dict[str, dict[str, MatrixCell]]]:
    """Runs each testee on each release's corpus (default: every release with a corpus;
    ``sample``: that many cases of each); returns the releases and, by row label, each
    release's cell."""
    chosen = list(releases) if releases is not None else release_corpora()
    rows: dict[str, dict[str, MatrixCell]] = {}
    for command in testees:
        row: dict[str, MatrixCell] = {}
        label = command or "refimpl"
        for release in chosen:
            cases = sample_cases(load_corpus(corpus_directory(release)), sample)
            result = run_cases(cases, make_process(command), require="bytes")
            label = testee_label(command, result)
            passed = sum(1 for r in result.runs if r.status == "pass")
            row[release] = MatrixCell(passed, len(cases))
            if progress is not None:
                progress(f"{label} on {release}: {passed}/{len(cases)}")
        rows[label] = row
    return chosen, rows


def format_matrix(releases: Sequence[str], rows: dict[str, dict[str, MatrixCell]]) -> str:
    """The Markdown table: testees x releases, ``conformant/total`` (bytes tier)."""
    lines = [
        "| testee \\ corpus | " + " | ".join(releases) + " |",
        "|---|" + "---|" * len(releases),
    ]
    for label, row in rows.items():
        cells = [f"{row[r].conformant}/{row[r].total}" if r in row else "" for r in releases]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
