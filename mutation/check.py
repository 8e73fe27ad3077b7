"""Runs the corpus on a mutated copy of refimpl: ``python -m mutation.check``.

Started by the harness with the copy first on ``PYTHONPATH`` (and the repository after it),
from a working directory that holds nothing importable. Each case goes through refimpl's
testee (``refimpl.testee.handle``: a fresh directory, files really written) and is judged
as the conformance runner judges it at its default settings (``judge_response``: identical
bytes). Without ``--corpus``, every corpus is checked: TF 2.21's and each other release's
(its cases named ``<release>:<name>``, the cases its failure list names left out, since
refimpl itself fails them). Cases come in this order: those of the guarding levels
(REQUIRED and RECOMMENDED for a MUST rule, every level for an OPTIONAL one) that exercise
the mutant's rule, the other cases of those levels, then the rest; the run stops at the
first failing case. One JSON object goes to stdout: ``status`` ("caught" or "escaped"),
``case``, ``level`` and ``detail`` of the first failure (for an escaped mutant: one below
the rule's level, if any).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance.corpus import DEFAULT_DIRECTORY, case_rules, load_corpus
from conformance.corpus.releases import (
    REFERENCE_RELEASE,
    corpus_directory,
    failure_list_path,
    release_corpora,
)
from conformance.corpus.requests import request_for
from conformance.protocol.conformance_pb2 import CorpusCase
from conformance.run.failure_list import parse_failure_list
from conformance.run.runner import level_name
from conformance.run.verdicts import Verdict, judge_response

__all__ = ["every_corpus", "first_failure", "load_cases", "main", "ordered_cases"]

MUST_LEVELS = frozenset({"required", "recommended"})


def load_cases(directories: Sequence[Path]) -> list[CorpusCase]:
    """The cases of every corpus directory; a later directory's case replaces an earlier
    one of the same name. ``FileNotFoundError`` for a directory without ``cases/``."""
    by_name: dict[str, CorpusCase] = {}
    for directory in directories:
        if not (directory / "cases").is_dir():
            raise FileNotFoundError(f"not a corpus directory (no cases/): {directory}")
        for case in load_corpus(directory):
            by_name[case.name] = case
    return [by_name[name] for name in sorted(by_name)]


def every_corpus() -> list[CorpusCase]:
    """TF 2.21's cases, then each other release's, named ``<release>:<name>``, without
    those of its failure list (refimpl does not reproduce them)."""
    cases = load_corpus(DEFAULT_DIRECTORY)
    for release in release_corpora():
        if release == REFERENCE_RELEASE:
            continue
        listed = failure_list_path(release)
        known = parse_failure_list(listed.read_text(), str(listed)) if listed else {}
        for case in load_corpus(corpus_directory(release)):
            if case.name not in known:
                case.name = f"{release}:{case.name}"
                cases.append(case)
    return cases


def _exercises(case: CorpusCase, rule: str) -> bool:
    return any(r == rule or r.startswith(rule + ".") for r in case_rules(case))


def ordered_cases(
    cases: Sequence[CorpusCase], rule: str, any_level: bool
) -> tuple[list[CorpusCase], list[CorpusCase]]:
    """The cases that guard the rule (those exercising it first) and those below its level."""
    guarding = [c for c in cases if any_level or level_name(c) in MUST_LEVELS]
    below = [c for c in cases if not (any_level or level_name(c) in MUST_LEVELS)]
    first = [c for c in guarding if _exercises(c, rule)]
    rest = [c for c in guarding if not _exercises(c, rule)]
    return first + rest, below


def _verdict(case: CorpusCase) -> Verdict:
    from refimpl.testee import handle

    try:
        return judge_response(case, handle(request_for(case)))
    except Exception as e:  # noqa: BLE001 - the runner reports a crashing testee as a failure
        return Verdict("fail", reason="crash", details=[f"{type(e).__name__}: {e}"])


def first_failure(cases: Sequence[CorpusCase]) -> tuple[CorpusCase, Verdict] | None:
    """The first case whose verdict is not a pass, with the verdict."""
    for case in cases:
        verdict = _verdict(case)
        if verdict.status != "pass":
            return case, verdict
    return None


def _describe(found: tuple[CorpusCase, Verdict] | None) -> dict[str, str]:
    if found is None:
        return {}
    case, verdict = found
    detail = verdict.reason + (": " + verdict.details[0] if verdict.details else "")
    return {"case": case.name, "level": level_name(case), "detail": detail[:300]}


def main(argv: Sequence[str] | None = None) -> int:
    """Checks the corpus against the refimpl on ``sys.path``; prints one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m mutation.check")
    parser.add_argument("--rule", required=True)
    parser.add_argument("--any-level", action="store_true", help="an OPTIONAL rule")
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    import refimpl

    expected = os.environ.get("MUTATION_COPY")
    if expected and not Path(refimpl.__file__).resolve().is_relative_to(Path(expected)):
        print(f"refimpl imported from {refimpl.__file__}, not the copy", file=sys.stderr)
        return 2
    cases = load_cases(args.corpus) if args.corpus else every_corpus()
    guarding, below = ordered_cases(cases, args.rule, args.any_level)
    caught = first_failure(guarding)
    if caught is not None:
        print(json.dumps({"status": "caught", **_describe(caught)}))
    else:
        print(json.dumps({"status": "escaped", **_describe(first_failure(below))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
