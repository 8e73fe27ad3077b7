"""Benchmark: cases per second over the golden corpus, in process and through the runner.

    python benchmarks/bench_corpus.py [--repeat 3] [--runner-jobs 2] [--no-runner]

In process, through refimpl's public API: for every corpus case,
``refimpl.run_exports(refimpl.load_snapshot(snapshot), exports, write=False)`` (the
snapshot loaded for each case, as a caller with one case would), and again with each
snapshot loaded once (as the testee does, it caches snapshots by hash). Then the runner
with refimpl's testee: ``python -m conformance -j N`` (its own count of cases per second),
also with ``TMPDIR=/dev/shm`` (the testee runs each case in a new temporary directory).
Every number is the best of ``--repeat`` runs. Only numbers are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The least wall time of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def in_process(repeat: int) -> tuple[int, float, float]:
    """(cases, seconds loading each case's snapshot, seconds loading each snapshot once)."""
    import refimpl
    from conformance.corpus import from_arguments, load_corpus

    work = [
        (c.snapshot, [from_arguments(c.arguments), *(from_arguments(t) for t in c.then)])
        for c in load_corpus()
    ]

    def each_case() -> None:
        for snapshot, exports in work:
            refimpl.run_exports(refimpl.load_snapshot(snapshot), exports, write=False)

    graphs: dict[bytes, refimpl.Snapshot] = {}

    def cached() -> None:
        graphs.clear()
        for snapshot, exports in work:
            graph = graphs.get(snapshot)
            if graph is None:
                graph = graphs[snapshot] = refimpl.load_snapshot(snapshot)
            refimpl.run_exports(graph, exports, write=False)

    return len(work), best_of(repeat, each_case), best_of(repeat, cached)


_RUNNER_LINE = re.compile(r"(\d+) cases in ([\d.]+) s \(([\d.]+) cases/s\)")


def runner(repeat: int, jobs: int, tmpdir: str | None = None) -> tuple[int, float]:
    """(cases, best cases/s) of ``python -m conformance -j jobs`` (the testee's temporary
    directories under ``tmpdir``, if given)."""
    best = 0.0
    cases = 0
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if tmpdir:
        env["TMPDIR"] = tmpdir
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-m", "conformance", "-j", str(jobs)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
        )
        m = _RUNNER_LINE.search(done.stdout + done.stderr)
        if m is None:
            raise RuntimeError(f"no summary line in the runner's output:\n{done.stdout[-2000:]}")
        cases = int(m.group(1))
        best = max(best, float(m.group(3)))
    return cases, best


def main() -> None:
    """Runs the benchmark and prints the numbers."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--runner-jobs", type=int, default=2)
    p.add_argument("--no-runner", action="store_true")
    a = p.parse_args()
    cases, each, cached = in_process(a.repeat)
    print(
        f"in process, snapshot loaded per case : {cases} cases in {each:.2f} s "
        f"({cases / each:.0f} cases/s)"
    )
    print(
        f"in process, each snapshot loaded once: {cases} cases in {cached:.2f} s "
        f"({cases / cached:.0f} cases/s)"
    )
    if not a.no_runner:
        n, rate = runner(a.repeat, a.runner_jobs)
        print(f"runner, python -m conformance -j {a.runner_jobs}: {n} cases, {rate:.0f} cases/s")
        if os.path.isdir("/dev/shm"):  # the testee makes (and removes) a directory a case
            n, rate = runner(a.repeat, a.runner_jobs, "/dev/shm")
            print(
                f"runner, TMPDIR=/dev/shm python -m conformance -j {a.runner_jobs}: "
                f"{n} cases, {rate:.0f} cases/s"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
