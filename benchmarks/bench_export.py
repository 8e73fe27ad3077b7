"""Benchmark: refimpl's export against TensorFlow's, and against plain protobuf serialization.

    python benchmarks/bench_export.py [--sizes 10000,50000,100000] [--tf-rebuild-max 20000]

For each size N it builds a graph of N nodes in a TensorFlow subprocess (chains
of adds in nested name scopes, with control dependencies and colocation),
captures its snapshot, and times TF's export on the default path and, for N up
to --tf-rebuild-max (TF's rebuild paths are quadratic), with clear_devices and
with export_scope. In this process it times refimpl on the same paths, and
plain ``SerializeToString(deterministic=True)`` of the resulting MetaGraphDef,
and prints the ratios. Only numbers are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

PATHS: dict[str, dict[str, Any]] = {
    "default": {},
    "clear_devices": {"clear_devices": True},
    "export_scope": {"export_scope": "s0"},
}


def _build(tf: Any, n: int) -> None:
    prev = None
    per_scope = 1000
    for i in range(n // 2):
        with tf.name_scope(f"s{(i // per_scope) % 10}"), tf.name_scope(f"b{i // per_scope}"):
            c = tf.constant(float(i), name="c")
            prev = c if prev is None else tf.add(prev, c, name="add")


def tf_side(n: int, out_dir: str, rebuild_max: int) -> None:
    """Runs in the TF subprocess: builds, captures, times TF's export."""
    import tensorflow as tf

    from conformance.oracle import capture

    g = tf.Graph()
    with g.as_default():
        _build(tf, n)
        snap = capture(g)
        with open(os.path.join(out_dir, "snapshot"), "wb") as f:
            f.write(snap)
        times: dict[str, float | None] = {}
        for name, args in PATHS.items():
            if name != "default" and n > rebuild_max:
                times[name] = None
                continue
            t0 = time.perf_counter()
            mgd = tf.compat.v1.train.export_meta_graph(
                filename=os.path.join(out_dir, f"tf-{name}.meta"), graph=g, **args
            )
            times[name] = time.perf_counter() - t0
            if name == "default":
                t0 = time.perf_counter()
                mgd.SerializeToString(deterministic=True)
                times["tf_protobuf_serialize"] = time.perf_counter() - t0
    with open(os.path.join(out_dir, "times.json"), "w") as f:
        json.dump({"nodes": len(g.get_operations()), "times": times}, f)


def main() -> None:
    """Runs the benchmark and prints a table."""
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,50000,100000")
    p.add_argument("--tf-rebuild-max", type=int, default=20000)
    p.add_argument("--tf-side", nargs=3, metavar=("N", "DIR", "REBUILD_MAX"))
    a = p.parse_args()
    if a.tf_side:
        tf_side(int(a.tf_side[0]), a.tf_side[1], int(a.tf_side[2]))
        return
    import refimpl
    from refimpl.export import plan_export

    print(
        f"{'nodes':>7} {'path':<14} {'TF s':>8} {'refimpl s':>10} {'pb ser s':>9} "
        f"{'TF/refimpl':>11} {'refimpl/pb':>11} {'identical':>9}"
    )
    for n in (int(x) for x in a.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [sys.executable, __file__, "--tf-side", str(n), tmp, str(a.tf_rebuild_max)],
                check=True,
                stderr=subprocess.DEVNULL,
                env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
            )
            with open(os.path.join(tmp, "times.json")) as f:
                info = json.load(f)
            with open(os.path.join(tmp, "snapshot"), "rb") as f:
                graph = refimpl.load_snapshot(f.read())
            for name, args in PATHS.items():
                t0 = time.perf_counter()
                result = plan_export(graph, "model.meta", **args)
                ours = time.perf_counter() - t0
                t0 = time.perf_counter()
                result.meta_graph_def.SerializeToString(deterministic=True)
                pb = time.perf_counter() - t0
                tf_t = info["times"][name]
                tf_file = os.path.join(tmp, f"tf-{name}.meta")
                same = "-"
                if os.path.exists(tf_file):
                    with open(tf_file, "rb") as f:
                        same = "yes" if f.read() == result.files[0].content else "NO"
                tf_s = f"{tf_t:8.2f}" if tf_t is not None else f"{'skipped':>8}"
                ratio = f"{tf_t / ours:11.1f}" if tf_t is not None else f"{'-':>11}"
                print(
                    f"{info['nodes']:>7} {name:<14} {tf_s} {ours:10.2f} {pb:9.3f} "
                    f"{ratio} {ours / pb:11.1f} {same:>9}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
