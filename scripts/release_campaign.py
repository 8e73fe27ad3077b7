"""The live campaign per TensorFlow release: refimpl against each release's own export.

For each environment ``scripts/make_release_envs.py DIR`` made (``DIR/releases.json``), or
each interpreter given with ``--python``, runs in that release's TF:

1. the random property (``tests/test_random_vs_tf.py`` with ``METAGRAPH_TF_PYTHON``):
   ``--examples`` random graph programs with fitted export arguments, seed ``--seed``
   (the same programs for every release), each built, captured and exported by the
   release's TF and exported by refimpl from the snapshot, compared byte for byte;
2. every graph builder (``tests/test_tf_releases.py`` with
   ``METAGRAPH_TF_RELEASE_PYTHONS``): default, text and debug-file exports.

The TF workers run with the interpreter's default (random) string hash seed, so the debug
files of 2.12 and 2.13 (files in a Python set's order, spec.md 10.4.12) are checked under
a seed nobody chose. Prints a Markdown table (release, protobuf, examples, passed,
failed, time) for docs/tf-releases.md; ``--json FILE`` keeps it. Exits 1 if any test
failed. Never imports TensorFlow.

Usage: python scripts/release_campaign.py DIR [--releases 2.12.1 ...] [--examples 500]
[--seed 20261130] [-j 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_SUMMARY = re.compile(r"(\d+) (passed|failed|xfailed|skipped|error)")


def _pytest(test: str, env: dict[str, str], jobs: int) -> tuple[dict[str, int], float, str]:
    """Runs one test module; its outcome counts, its time and its output's tail."""
    start = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            str(jobs),
            "-p",
            "no:cacheprovider",
            "-rx",
            test,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - start
    lines = proc.stdout.strip().splitlines()
    counts = {kind: int(n) for n, kind in _SUMMARY.findall(lines[-1] if lines else "")}
    if proc.returncode not in (0, 1):
        counts.setdefault("error", 1)
    return counts, elapsed, "\n".join(lines[-40:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("envs", type=Path, help="the directory make_release_envs.py made")
    parser.add_argument("--releases", nargs="*", help="default: every one in releases.json")
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    resolved = json.loads((args.envs / "releases.json").read_text(encoding="utf-8"))
    releases = args.releases or sorted(resolved, key=lambda r: tuple(map(int, r.split("."))))
    rows: list[dict[str, object]] = []
    failed = False
    print(
        "| release | protobuf | random programs: passed / failed | time | graph builders "
        "(default, text, debug): passed / failed | time |"
    )
    print("|---|---|---|---|---|---|")
    for release in releases:
        python = str(args.envs / release / "bin" / "python")
        base = dict(os.environ)
        base.pop("PYTHONHASHSEED", None)
        random_env = dict(
            base,
            METAGRAPH_TF_PYTHON=python,
            METAGRAPH_PROFILE="default",
            METAGRAPH_EXAMPLES=str(args.examples),
            METAGRAPH_SEED=str(args.seed),
        )
        random_counts, random_time, random_tail = _pytest(
            "tests/test_random_vs_tf.py", random_env, args.jobs
        )
        builders_env = dict(base, METAGRAPH_TF_RELEASE_PYTHONS=python)
        builder_counts, builder_time, builder_tail = _pytest(
            "tests/test_tf_releases.py", builders_env, args.jobs
        )
        bad = sum(c.get("failed", 0) + c.get("error", 0) for c in (random_counts, builder_counts))
        failed = failed or bad > 0
        row = {
            "release": release,
            "protobuf": resolved.get(release, {}).get("protobuf", "?"),
            "examples": args.examples,
            "seed": args.seed,
            "random": random_counts,
            "random_seconds": round(random_time),
            "builders": builder_counts,
            "builders_seconds": round(builder_time),
        }
        rows.append(row)
        print(
            f"| {release} | {row['protobuf']} | {args.examples} programs (4 shards): "
            f"{random_counts.get('passed', 0)} / {random_counts.get('failed', 0)} shards | "
            f"{random_time:.0f} s | {builder_counts.get('passed', 0)} / "
            f"{builder_counts.get('failed', 0) + builder_counts.get('xfailed', 0)} | "
            f"{builder_time:.0f} s |",
            flush=True,
        )
        if bad:
            print(random_tail + "\n" + builder_tail, file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
