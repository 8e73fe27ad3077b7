"""Runs mutants against the corpus, each in its own copy of refimpl, and reports them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from mutation.model import OPTIONAL_RULES, STATUSES, Mutant, MutantResult, rule_section
from mutation.planting import REPO_ROOT, occurrences, plant

__all__ = ["report_json", "report_table", "run_mutant", "run_mutants"]

#: A mutant whose corpus run takes longer is caught (the runner times out a testee too).
TIMEOUT_SECONDS = 300.0


def _rule_key(rule: str) -> tuple[int, ...]:
    return tuple(int(p) for p in rule.split("."))


def run_mutant(
    mutant: Mutant,
    corpora: Sequence[Path] = (),
    timeout: float = TIMEOUT_SECONDS,
    check_equivalent: bool = False,
) -> MutantResult:
    """Plants ``mutant`` in a temporary copy of refimpl and runs the corpus on it
    (``corpora``: corpus directories, later ones overriding cases of the same name).

    A mutant marked equivalent is not run, unless ``check_equivalent``: then it must
    escape, and is "refuted" when a case fails."""
    started = time.monotonic()
    if occurrences(mutant) != 1:
        detail = f"original text not found once in {mutant.file}"
        return MutantResult(mutant, "stale", detail=detail)
    if mutant.equivalent and not check_equivalent:
        return MutantResult(mutant, "equivalent", detail=mutant.equivalent)
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        copy = plant(mutant, Path(tmp))
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(copy), str(REPO_ROOT)]),
            MUTATION_COPY=str(copy),
            PYTHONDONTWRITEBYTECODE="1",
        )
        command = [sys.executable, "-m", "mutation.check", "--rule", mutant.rule]
        command += ["--any-level"] if mutant.rule in OPTIONAL_RULES else []
        for corpus in corpora:  # (the check runs elsewhere: absolute paths)
            command += ["--corpus", str(Path(corpus).resolve())]
        try:
            done = subprocess.run(
                command, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return MutantResult(mutant, "caught", case="(timeout)", detail="the corpus run hung")
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{mutant.id}: the check failed:\n{done.stderr[-2000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    status = found["status"]
    if mutant.equivalent:
        status = "refuted" if status == "caught" else "equivalent"
    elif status == "escaped" and mutant.awaiting:
        status = "awaiting"
    return MutantResult(
        mutant,
        status,
        case=found.get("case", ""),
        level=found.get("level", ""),
        detail=found.get("detail", ""),
        seconds=seconds,
    )


def run_mutants(
    mutants: Sequence[Mutant],
    corpora: Sequence[Path] = (),
    jobs: int = 2,
    progress: Callable[[MutantResult], None] | None = None,
    check_equivalent: bool = False,
) -> list[MutantResult]:
    """Every mutant's result, in the order given, ``jobs`` at a time."""

    def one(mutant: Mutant) -> MutantResult:
        result = run_mutant(mutant, corpora, check_equivalent=check_equivalent)
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, mutants))


def report_table(results: Sequence[MutantResult]) -> str:
    """A table per spec section: mutants, and how many have each of ``STATUSES``."""
    sections: dict[str, dict[str, int]] = {}
    for r in results:
        row = sections.setdefault(rule_section(r.mutant.rule), dict.fromkeys(STATUSES, 0))
        row[r.status] += 1
    header = f"{'section':<8} {'mutants':>7} " + " ".join(f"{s:>10}" for s in STATUSES)
    lines = [header, "-" * len(header)]
    totals = dict.fromkeys(STATUSES, 0)
    for section in sorted(sections, key=_rule_key):
        row = sections[section]
        for s in STATUSES:
            totals[s] += row[s]
        cells = " ".join(f"{row[s]:>10}" for s in STATUSES)
        lines.append(f"{section:<8} {sum(row.values()):>7} {cells}")
    lines.append("-" * len(header))
    cells = " ".join(f"{totals[s]:>10}" for s in STATUSES)
    lines.append(f"{'total':<8} {sum(totals.values()):>7} {cells}")
    return "\n".join(lines)


def report_json(results: Sequence[MutantResult]) -> str:
    """Every result as JSON: the mutant's fields and the verdict."""
    rows = [
        {**asdict(r.mutant), **{k: v for k, v in asdict(r).items() if k != "mutant"}}
        for r in results
    ]
    return json.dumps(rows, indent=1, ensure_ascii=False)
