"""What refimpl exports differently from another TensorFlow release, case by case.

For each interpreter given (one per release: ``scripts/make_release_envs.py`` makes them),
TF workers of that interpreter build every hand case (``conformance.gen.hand_cases``) and,
with ``--programs N``, N random graph programs (drawn as ``scripts/generate_corpus.py``
draws them), capture the snapshot under that release and export with that release's
``export_meta_graph``; refimpl then exports the captured snapshot with the same arguments
and the two outcomes are compared byte for byte (``conformance.compare.differences``: the
files, returned ``MetaGraphDef``, error, warnings, ``unbound_inputs``). By default the cases
are split into ``--jobs`` runs of long-lived workers (refimpl reads everything that depends
on a process's history from the snapshot); ``--fresh-workers`` runs them as the corpus
generator does instead (a fresh process per graph builder, ``PYTHONHASHSEED=0``; about
four times slower).

Prints, per release, the cases identical / different / not built (the worker could not
build or capture the graph) / not loaded (``refimpl.load_snapshot`` refused the snapshot),
and every kind of difference with its count and an example (Markdown, as
docs/tf-releases.md summarizes it). ``--json FILE`` keeps every difference of every case.
Never imports TensorFlow.

Usage: python scripts/tf_release_vs_refimpl.py ../tfrel/2.12.1/bin/python [...]
[-j 2] [--programs 100] [-k REGEX] [--json FILE] [--fresh-workers]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate_corpus  # noqa: E402

from conformance.tf.process import TFWorkers  # noqa: E402
from conformance.tf.release_check import CaseCheck, check_response  # noqa: E402

Answers = list[tuple[generate_corpus.Pending, dict[str, Any]]]

_DIGITS = re.compile(r"\d+")
_PATH = re.compile(r"'(/[^']*|<[^']*>)'")


def kind_of(difference: str) -> str:
    """A difference with what varies from case to case blurred: numbers, paths, values."""
    text = _PATH.sub("'<path>'", difference)
    text = _DIGITS.sub("N", text)
    head, _, tail = text.partition(": ")
    if head.endswith(".debug"):
        head = "<debug file>"
    elif head.startswith("file "):
        head = "file <name>"
    elif "." in head and " " not in head:
        head = "<meta file>"
    return (head + ": " + tail)[:140] if tail else head[:140]


def ask_long_lived(pending: Sequence[generate_corpus.Pending], jobs: int, python: str) -> Answers:
    """TF's responses, from ``jobs`` sets of long-lived workers (contiguous shares)."""

    def run(share: Sequence[generate_corpus.Pending]) -> Answers:
        workers = TFWorkers(python)
        try:
            return [(p, workers.run(p.request)) for p in share]
        finally:
            workers.close()

    size = -(-len(pending) // max(jobs, 1))
    shares = [pending[i : i + size] for i in range(0, len(pending), size)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        return [a for answers in pool.map(run, shares) for a in answers]


def check(p: generate_corpus.Pending, response: Mapping[str, Any]) -> CaseCheck:
    """The check of one case; a random program's arguments are those the worker fitted
    to its graph (``conformance.tf.worker``)."""
    request = dict(p.request)
    if p.random_program and "args" in response:
        request["args"] = response["args"]
    return check_response(p.name, request, response)


def report(release: str, checks: Sequence[CaseCheck], seconds: float) -> str:
    """The Markdown section of one release."""
    counts = Counter(c.verdict for c in checks)
    lines = [
        f"### {release}",
        "",
        f"{len(checks)} cases in {seconds:.0f} s: {counts['identical']} identical, "
        f"{counts['different']} different, {counts['not built']} not built, "
        f"{counts['not loaded']} not loaded.",
        "",
    ]
    kinds: Counter[str] = Counter()
    example: dict[str, str] = {}
    for c in checks:
        seen = set()
        for d in c.problems:
            k = kind_of(d)
            if k not in seen:
                seen.add(k)
                kinds[k] += 1
                example.setdefault(k, f"{c.name}: {d[:300]}")
    if kinds:
        lines += ["| cases | difference | example |", "|---|---|---|"]
        for k, n in kinds.most_common():
            lines.append(f"| {n} | `{k}` | {example[k]} |".replace("\n", " "))
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs every given release; prints the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pythons", nargs="+", help="interpreters, one per release")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--programs", type=int, default=0, help="random programs (default 0)")
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("-k", "--select", default=None, metavar="REGEX", help="case names")
    parser.add_argument("--json", type=Path, default=None, help="every difference, per case")
    parser.add_argument("--fresh-workers", action="store_true",
                        help="a fresh worker per graph builder, as the corpus generator")
    args = parser.parse_args(argv)
    pending = generate_corpus.pending_hand_cases()
    if args.programs:
        pending += generate_corpus.pending_random_cases(args.programs, args.seed)
    if args.select:
        pattern = re.compile(args.select)
        pending = [p for p in pending if pattern.search(p.name)]
    everything: dict[str, Any] = {}
    for python in args.pythons:
        started = time.monotonic()
        if args.fresh_workers:
            answers = generate_corpus.ask_tf(pending, args.jobs, lambda _: None, python)
        else:
            answers = ask_long_lived(pending, args.jobs, python)
        checks = [check(p, r) for p, r in answers]
        seconds = time.monotonic() - started
        release = _release(answers) or python
        print(report(release, checks, seconds), flush=True)
        everything[release] = {c.name: _json(c) for c in checks}
        if args.json:  # after each release: a long run keeps what it measured
            args.json.write_text(json.dumps(everything, indent=1, sort_keys=True) + "\n")
    return 0


def _release(answers: Sequence[tuple[object, Mapping[str, Any]]]) -> str | None:
    for _, response in answers:
        if response.get("tf_version"):
            return str(response["tf_version"])
    return None


def _json(check: CaseCheck) -> dict[str, Any]:
    return {"verdict": check.verdict, "problems": list(check.problems)}


if __name__ == "__main__":
    sys.exit(main())
