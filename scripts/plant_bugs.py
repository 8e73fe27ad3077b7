"""The mutation harness: plants realistic bugs in copies of refimpl and checks that the
golden corpus catches each one, without TensorFlow.

    python scripts/plant_bugs.py [--rule 4.2] [--mutant ID ...] [--fast] [--jobs 2]
                                 [--corpus DIR ...] [--json FILE] [--list]
                                 [--check-equivalent]

Every mutant (``mutation.catalog``: one realistic porting bug, tagged with the spec.md
rule it breaks) is applied to a copy of refimpl in a temporary directory (the tree is
never edited), and the corpus is run on it as ``python -m conformance`` runs it at its
default settings (identical bytes, every level), cases of the mutant's rule first,
stopping at the first failing case. A mutant is *caught* when a case at its rule's
level fails (REQUIRED or RECOMMENDED for a MUST rule), *escaped* otherwise, *equivalent*
when the catalog shows no output can differ, *awaiting* when the cases that would catch
it are another piece of work's, and *stale* when its original text is no longer found
once in refimpl. ``--check-equivalent`` runs the mutants marked equivalent too: each must
escape, and is *refuted* when a case fails (its reason was wrong). Prints one line per
mutant and a table per spec section; exit status 1 if a mutant escaped, was refuted or
went stale.

``--corpus DIR`` (repeatable) replaces the packaged corpus; later directories override
cases of the same name (a scratch corpus of new cases on top of the committed one).

The old live-TF mode (``--suite random``: the random property of
tests/test_random_vs_tf.py against a mutated tree) is gone: pytest puts the repository
first on ``sys.path``, so it cannot run against a copy, and editing the tree in place is
what this harness avoids. The corpus holds the random programs' cases too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mutation.catalog import FAST, MUTANTS, by_id  # noqa: E402
from mutation.harness import report_json, report_table, run_mutants  # noqa: E402
from mutation.model import Mutant, MutantResult  # noqa: E402


def _selected(args: argparse.Namespace) -> list[Mutant]:
    known = by_id()
    unknown = [m for m in args.mutant if m not in known]
    if unknown:
        raise SystemExit(f"unknown mutants: {', '.join(unknown)}")
    chosen = list(MUTANTS)
    if args.fast:
        chosen = [known[i] for i in FAST]
    if args.mutant:
        chosen = [known[i] for i in args.mutant]
    if args.rule:
        chosen = [
            m for m in chosen if any(m.rule == r or m.rule.startswith(r + ".") for r in args.rule)
        ]
    return chosen


def _line(r: MutantResult) -> str:
    where = f" by {r.case} ({r.level})" if r.case else ""
    note = f": {r.detail}" if r.detail and r.status != "caught" else ""
    return f"{r.status:<10} {r.mutant.rule:<7} {r.mutant.id}{where}{note}"


def main(argv: list[str] | None = None) -> int:
    """Runs the selected mutants; returns the exit status."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rule", action="append", default=[], help="rule (and its sub-rules)")
    p.add_argument("--mutant", action="append", default=[], help="mutant id (repeatable)")
    p.add_argument("--fast", action="store_true", help="the fixed subset CI runs")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--corpus", type=Path, action="append", default=[])
    p.add_argument("--json", type=Path, help="write every result as JSON")
    p.add_argument("--list", action="store_true", help="list the mutants and stop")
    p.add_argument(
        "--check-equivalent",
        action="store_true",
        help="run the mutants marked equivalent too (each must escape)",
    )
    args = p.parse_args(argv)
    mutants = _selected(args)
    if args.list:
        for m in mutants:
            print(f"{m.rule:<7} {m.id:<40} {m.description}")
        return 0
    results = run_mutants(
        mutants,
        args.corpus,
        args.jobs,
        progress=lambda r: print(_line(r), flush=True),
        check_equivalent=args.check_equivalent,
    )
    print()
    print(report_table(results))
    if args.json:
        args.json.write_text(report_json(results) + "\n", encoding="utf-8")
    return 1 if any(r.status in ("escaped", "refuted", "stale") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
