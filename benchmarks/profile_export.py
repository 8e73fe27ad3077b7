"""Where refimpl's time goes: cProfile of loading a snapshot and of one export path.

    python benchmarks/profile_export.py SNAPSHOT [--path default] [--top 15] [--lines]

Prints the top entries (by own time) of ``load_snapshot`` and of ``export_meta_graph``
on ``--path`` (a path of ``bench_export.PATHS``; ``export_scope`` uses the ``chain``
shape's scope unless ``--scope`` says otherwise), each on a freshly loaded snapshot after
a warm-up run. Most of the bulk paths' time is in C calls (``map``, ``join``, parsing)
that cProfile charges to the calling function, so ``--lines`` also prints the time of
each statement of ``refimpl.snapshot_fast.load_in_bulk``.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import inspect
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def _top(code: str, env: dict[str, Any], top: int) -> str:
    profile = cProfile.Profile()
    profile.runctx(code, env, env)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _statement_times(data: bytes) -> list[tuple[float, str]]:
    """Each top-level statement of ``load_in_bulk`` and its wall time, one run."""
    import refimpl.snapshot_fast as fast

    tree = ast.parse(inspect.getsource(fast.load_in_bulk))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    timed: list[ast.stmt] = [ast.parse("_mark('')").body[0]]
    for statement in function.body:
        text = ast.unparse(statement).splitlines()[0][:70]
        timed += [statement, ast.parse(f"_mark({text!r})").body[0]]
    function.body = timed
    ast.fix_missing_locations(tree)
    marks: list[tuple[float, str]] = []

    def _mark(text: str) -> None:
        marks.append((time.perf_counter(), text))

    env = dict(fast.__dict__, _mark=_mark)
    exec(compile(tree, "load_in_bulk (timed)", "exec"), env)  # noqa: S102
    env["load_in_bulk"](data)
    return [(t1 - t0, text) for (t0, _), (t1, text) in zip(marks, marks[1:], strict=False)]


def main() -> None:
    """Prints the profiles."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("snapshot")
    p.add_argument("--path", default="default")
    p.add_argument("--scope", default="s0")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--lines", action="store_true")
    a = p.parse_args()
    from bench_export import PATHS

    import refimpl

    data = Path(a.snapshot).read_bytes()
    args = dict(PATHS[a.path])
    if "export_scope" in args:
        args["export_scope"] = a.scope
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "model.meta")
        refimpl.export_meta_graph(refimpl.load_snapshot(data), target, **args)  # warm-up
        env: dict[str, Any] = {"refimpl": refimpl, "data": data, "target": target, "args": args}
        print(f"== load_snapshot ({len(data) / 2**20:.1f} MiB)")
        print(_top("refimpl.load_snapshot(data)", env, a.top))
        env["graph"] = refimpl.load_snapshot(data)
        print(f"== export_meta_graph, path {a.path}")
        print(_top("refimpl.export_meta_graph(graph, target, **args)", env, a.top))
    if a.lines:
        print("== load_in_bulk, statement by statement")
        for seconds, text in sorted(_statement_times(data), reverse=True)[: a.top]:
            print(f"{seconds * 1000:9.1f} ms  {text}")


if __name__ == "__main__":
    main()
