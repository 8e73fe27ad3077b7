"""Benchmark: refimpl against TensorFlow 2.21 on every export path, loading included.

    python benchmarks/bench_export.py [--sizes 1000,10000,20000,100000,1000000]
        [--shapes chain,training,functions] [--cache benchmarks/.cache]
        [--tf-rebuild-max 25000] [--tf-max 200000] [--repeat 3] [--json FILE]
        [--plot FILE] [--no-memory]

For each shape and size (``benchmarks/graphs.py``) a TensorFlow subprocess builds the
graph, captures its snapshot and times TF's ``export_meta_graph`` on each path (TF's
rebuild paths are quadratic: above ``--tf-rebuild-max`` nodes they are skipped). The
snapshot and TF's files and times are cached under ``--cache``, one directory per graph,
so a rerun only times refimpl (delete a directory to rebuild it). Capturing a graph
takes TF about 3 ms a node, so graphs above ``--tf-max`` nodes are made from the biggest
captured graph of the shape by ``benchmarks/replicate.py`` (no TF times, no TF files to
compare).

refimpl runs in subprocesses of its own (no TensorFlow there): the protobuf parse of the
snapshot (the floor of loading), ``load_snapshot``, then ``export_meta_graph`` on each path
(writing the files, as TF does) on a freshly loaded snapshot each time, the deterministic
serialization of the returned MetaGraphDef (the floor of exporting), load plus the default
export, and, in one more process per path, the peak resident memory of loading and
exporting once (``ru_maxrss`` over the resident size before reading the snapshot). Every
time is the best of ``--repeat`` runs. refimpl's files are compared with TF's.

Only numbers are printed (and written with ``--json``; ``--plot`` draws time against
nodes, log-log, which needs matplotlib: ``pip install -e .[bench]``). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHAPES = ("chain", "training", "functions")
#: The export paths: TF's keyword arguments (``export_scope`` is set per shape).
PATHS: dict[str, dict[str, object]] = {
    "default": {},
    "as_text": {"as_text": True},
    "strip_default_attrs": {"strip_default_attrs": True},
    "save_debug_info": {"save_debug_info": True},
    "export_scope": {"export_scope": None},
    "clear_devices": {"clear_devices": True},
    "clear_extraneous_savers": {"clear_extraneous_savers": True},
}
#: TF's quadratic paths (it rebuilds the GraphDef node by node).
REBUILD_PATHS = ("export_scope", "clear_devices", "clear_extraneous_savers")


def path_arguments(path: str, shape: str) -> dict[str, object]:
    """The keyword arguments of ``export_meta_graph`` on ``path`` for a graph of ``shape``."""
    from graphs import EXPORT_SCOPES  # noqa: PLC0415  (benchmarks/ is on sys.path)

    args = dict(PATHS[path])
    if "export_scope" in args:
        args["export_scope"] = EXPORT_SCOPES[shape]
    return args


def best_of(
    repeat: int, run: Callable[[], object], setup: Callable[[], object] | None = None
) -> float:
    """The least wall time of ``repeat`` calls of ``run`` (``setup`` before each, untimed)."""
    best = float("inf")
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


# -- the TensorFlow side ------------------------------------------------------------------


def tf_side(shape: str, n: int, out: Path, rebuild_max: int, repeat: int) -> None:
    """Runs in the TF subprocess: builds, captures and times TF's export on each path."""
    import tensorflow as tf
    from graphs import build

    from conformance.oracle import capture

    t0 = time.perf_counter()
    g = build(tf, shape, n)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    snapshot = capture(g)
    captured = time.perf_counter() - t0
    (out / "snapshot").write_bytes(snapshot)
    nodes = len(g.get_operations())
    # TF's export changes the graph: the rebuild paths rewrite its unbound_inputs
    # collection (restored after each run below), clear_extraneous_savers builds a new
    # Saver in it (last path; only its first run's files are kept).
    unbound = list(g.get_collection("unbound_inputs"))
    scratch = out / "scratch"
    times: dict[str, list[float]] = {}
    serialize: list[float] = []
    body_nodes = functions = 0
    for path in PATHS:
        if path in REBUILD_PATHS and nodes > rebuild_max:
            continue
        target = out / "tf" / path
        target.mkdir(parents=True)
        runs = repeat if path == "default" or nodes <= 100_000 else 1
        times[path] = []
        for run in range(runs):
            filename = str((target if run == 0 else scratch) / "model.meta")
            with g.as_default():
                t0 = time.perf_counter()
                mgd = tf.compat.v1.train.export_meta_graph(
                    filename=filename, graph=g, **path_arguments(path, shape)
                )
                times[path].append(time.perf_counter() - t0)
            g.clear_collection("unbound_inputs")
            for item in unbound:
                g.add_to_collection("unbound_inputs", item)
        if path == "default":
            functions = len(mgd.graph_def.library.function)
            body_nodes = sum(len(f.node_def) for f in mgd.graph_def.library.function)
            for _ in range(repeat):
                t0 = time.perf_counter()
                mgd.SerializeToString(deterministic=True)
                serialize.append(time.perf_counter() - t0)
    info = {
        "shape": shape,
        "requested": n,
        "operations": nodes,
        "function_body_nodes": body_nodes,
        "functions": functions,
        "nodes": nodes + body_nodes,
        "snapshot_bytes": len(snapshot),
        "tf_build_s": built,
        "tf_capture_s": captured,
        "tf_times": times,
        "tf_serialize_s": serialize,
        "tf_version": tf.version.VERSION,
    }
    shutil.rmtree(scratch, ignore_errors=True)
    (out / "tf.json").write_text(json.dumps(info, indent=1))


def replicated(cache: Path, shape: str, n: int, base: Path) -> Path:
    """The cache directory of a graph of about ``n`` nodes made from the captured graph in
    ``base`` by ``benchmarks/replicate.py`` (no TF times, no TF files)."""
    directory = cache / f"{shape}-{n}"
    if (directory / "tf.json").exists():
        return directory
    info = json.loads((base / "tf.json").read_text())
    copies = max(1, round(n / info["nodes"]))
    print(f"# replicating {base.name} {copies} times ...", file=sys.stderr, flush=True)
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # (in a process of its own: this one stays small)
        [sys.executable, str(HERE / "replicate.py"), str(base / "snapshot")]
        + [str(directory / "snapshot"), str(copies)],
        check=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    data = (directory / "snapshot").read_bytes()
    info.update(
        requested=n,
        operations=info["operations"] * copies,
        function_body_nodes=info["function_body_nodes"] * copies,
        functions=info["functions"] * copies,
        nodes=(info["operations"] + info["function_body_nodes"]) * copies,
        snapshot_bytes=len(data),
        tf_times={},
        tf_serialize_s=[],
        replicated_from=base.name,
        copies=copies,
    )
    (directory / "tf.json").write_text(json.dumps(info, indent=1))
    return directory


def ensure_cached(cache: Path, shape: str, n: int, rebuild_max: int, repeat: int) -> Path:
    """The cache directory of a graph, made by a TF subprocess if it is not there yet."""
    directory = cache / f"{shape}-{n}"
    if (directory / "tf.json").exists():
        return directory
    tmp = cache / f".{shape}-{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    print(f"# building {shape} with {n} nodes in TensorFlow ...", file=sys.stderr, flush=True)
    with open(tmp / "tf.log", "wb") as log:
        done = subprocess.run(
            [sys.executable, __file__, "--tf-side", shape, str(n), str(tmp), str(rebuild_max)]
            + ["--repeat", str(repeat)],
            stderr=log,
            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=f"{REPO}{os.pathsep}{HERE}"),
        )
    if done.returncode != 0:
        raise RuntimeError(f"the TensorFlow side failed: see {tmp / 'tf.log'}")
    shutil.rmtree(directory, ignore_errors=True)
    tmp.rename(directory)
    return directory


# -- the refimpl side ---------------------------------------------------------------------


def refimpl_side(directory: Path, shape: str, repeat: int) -> None:
    """Runs in a refimpl subprocess: prints the times (JSON) of loading and of each path."""
    import refimpl
    from refimpl.pb.snapshot_pb2 import GraphSnapshot

    _warm_up()
    data = (directory / "snapshot").read_bytes()
    out: dict[str, Any] = {
        "parse_s": best_of(repeat, lambda: GraphSnapshot.FromString(data)),
        "load_s": best_of(repeat, lambda: refimpl.load_snapshot(data)),
        "paths": {},
    }
    loaded: list[Any] = [None]

    def load() -> None:
        loaded[0] = None  # (the previous graph is freed first)
        loaded[0] = refimpl.load_snapshot(data)

    def load_and_export() -> None:
        refimpl.export_meta_graph(refimpl.load_snapshot(data), os.path.join(tmp, "model.meta"))

    with tempfile.TemporaryDirectory() as tmp:
        for path in PATHS:
            args = path_arguments(path, shape)
            target = os.path.join(tmp, path)
            os.mkdir(target)
            result: list[Any] = [None]

            def export(
                target: str = target, args: dict[str, object] = args, result: list[Any] = result
            ) -> None:
                result[0] = refimpl.export_meta_graph(
                    loaded[0], os.path.join(target, "model.meta"), **args
                )

            seconds = best_of(repeat, export, setup=load)
            mgd: Any = result[0]

            def serialize_once(mgd: Any = mgd) -> None:
                mgd.SerializeToString(deterministic=True)

            serialize = best_of(repeat, serialize_once)
            ours = _files(Path(target))
            tf_dir = directory / "tf" / path
            same = None
            if tf_dir.is_dir():
                same = ours == _files(tf_dir)
            out["paths"][path] = {
                "s": seconds,
                "serialize_s": serialize,
                "output_bytes": sum(map(len, ours.values())),
                "identical": same,
            }
        loaded[0] = None
        out["load_default_s"] = best_of(repeat, load_and_export)
    print(json.dumps(out))


def _warm_up() -> None:
    """Loads every module and the bundled op registry (TF's process has its own loaded)."""
    import refimpl

    with tempfile.TemporaryDirectory() as tmp:
        example = refimpl.load_snapshot((REPO / "examples" / "training.snapshot").read_bytes())
        for args in PATHS.values():
            args = {**args, "export_scope": "w"} if "export_scope" in args else args
            refimpl.export_meta_graph(example, os.path.join(tmp, "m.meta"), **args)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """The peak resident size of this process's memory (``VmHWM``: unlike ``ru_maxrss``,
    not inherited from the process that forked it)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def memory_side(directory: Path, shape: str, path: str) -> None:
    """Runs in a refimpl subprocess: peak resident memory of loading and exporting once."""
    import refimpl

    _warm_up()
    baseline = _rss_bytes()
    data = (directory / "snapshot").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        graph = refimpl.load_snapshot(data)
        refimpl.export_meta_graph(
            graph, os.path.join(tmp, "model.meta"), **path_arguments(path, shape)
        )
    print(json.dumps({"peak_bytes": _peak_rss_bytes() - baseline}))


def _subprocess_json(args: Sequence[str]) -> Any:
    done = subprocess.run(
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=f"{REPO}{os.pathsep}{HERE}"),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report -----------------------------------------------------------------------------


def measure(
    cache: Path,
    shape: str,
    n: int,
    rebuild_max: int,
    repeat: int,
    memory: bool,
    tf_max: int,
) -> dict[str, Any]:
    """Every number of one graph (above ``tf_max`` nodes, replicated from the biggest
    captured graph of the shape)."""
    if n > tf_max:
        bases = sorted(
            (int(d.name.rsplit("-", 1)[1]), d)
            for d in cache.glob(f"{shape}-*")
            if (d / "tf.json").exists()
            and "replicated_from" not in d.joinpath("tf.json").read_text()
            and int(d.name.rsplit("-", 1)[1]) <= tf_max
        )
        if not bases:
            raise RuntimeError(f"no captured {shape} graph of at most {tf_max} nodes to replicate")
        directory = replicated(cache, shape, n, bases[-1][1])
    else:
        directory = ensure_cached(cache, shape, n, rebuild_max, repeat)
    info: dict[str, Any] = json.loads((directory / "tf.json").read_text())
    info["refimpl"] = _subprocess_json(["--refimpl-side", str(directory), shape, str(repeat)])
    if memory:
        info["peak_bytes"] = {
            path: _subprocess_json(["--memory", str(directory), shape, path])["peak_bytes"]
            for path in PATHS
        }
    return info


def _s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def rows(info: dict[str, Any]) -> list[list[str]]:
    """The table rows of one graph."""
    ref = info["refimpl"]
    tf_times = {p: min(ts) for p, ts in info["tf_times"].items()}
    snapshot = info["snapshot_bytes"]
    peaks = info.get("peak_bytes", {})
    head = [info["shape"], str(info["nodes"])]
    out = [
        head
        + [
            "load",
            "-",
            _s(ref["load_s"]),
            "-",
            _s(ref["parse_s"]),
            _ratio(ref["load_s"], ref["parse_s"]),
        ]
        + ["-", "-"],
        head
        + ["load+default", _s(tf_times.get("default")), _s(ref["load_default_s"])]
        + [_ratio(ref["load_default_s"], tf_times.get("default")), "-", "-", "-", "-"],
    ]
    for path, r in ref["paths"].items():
        peak = peaks.get(path)
        mem = "-"
        if peak is not None:
            mem = f"{peak / 2**20:.0f} ({peak / (snapshot + r['output_bytes']):.1f}x)"
        same = {None: "-", True: "yes", False: "NO"}[r["identical"]]
        out.append(
            head
            + [path, _s(tf_times.get(path)), _s(r["s"]), _ratio(r["s"], tf_times.get(path))]
            + [_s(r["serialize_s"]), _ratio(r["s"], r["serialize_s"]), mem, same]
        )
    return out


HEADER = [
    "shape",
    "nodes",
    "path",
    "TF s",
    "refimpl s",
    "refimpl/TF",
    "floor s",
    "refimpl/floor",
    "peak MiB (x in+out)",
    "same bytes",
]


def table(all_rows: list[list[str]]) -> str:
    """The rows as an aligned text table."""
    widths = [max(len(r[i]) for r in [HEADER, *all_rows]) for i in range(len(HEADER))]
    lines = [
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [HEADER, *all_rows]
    ]
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], filename: str) -> None:
    """Time against nodes, log-log: one panel per shape, TF dashed, refimpl solid."""
    matplotlib: Any = importlib.import_module("matplotlib")  # (optional: the bench extra)
    matplotlib.use("Agg")
    plt: Any = importlib.import_module("matplotlib.pyplot")

    shapes = [s for s in SHAPES if any(r["shape"] == s for r in results)]
    fig, axes = plt.subplots(1, len(shapes), figsize=(6 * len(shapes), 5), squeeze=False)
    shown = ("default", "as_text", "clear_devices", "export_scope", "clear_extraneous_savers")
    colors = dict(
        zip(
            [*shown, "load", "load+default"],
            plt.rcParams["axes.prop_cycle"].by_key()["color"],
            strict=False,
        )
    )
    for ax, shape in zip(axes[0], shapes, strict=True):
        mine = sorted((r for r in results if r["shape"] == shape), key=lambda r: r["nodes"])
        nodes = [r["nodes"] for r in mine]
        for path in shown:
            tf_pts = [(r["nodes"], min(r["tf_times"][path])) for r in mine if path in r["tf_times"]]
            if tf_pts:
                ax.plot(*zip(*tf_pts, strict=True), "--o", color=colors[path], label=f"TF {path}")
            ax.plot(
                nodes,
                [r["refimpl"]["paths"][path]["s"] for r in mine],
                "-o",
                color=colors[path],
                label=f"refimpl {path}",
            )
        ax.plot(
            nodes,
            [r["refimpl"]["load_s"] for r in mine],
            "-s",
            color=colors["load"],
            label="refimpl load",
        )
        ax.plot(
            nodes,
            [r["refimpl"]["parse_s"] for r in mine],
            ":",
            color="gray",
            label="protobuf parse (floor of load)",
        )
        ax.plot(
            nodes,
            [r["refimpl"]["paths"]["default"]["serialize_s"] for r in mine],
            ":",
            color="black",
            label="protobuf serialize (floor of export)",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("nodes")
        ax.set_ylabel("seconds")
        ax.set_title(shape)
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    fig.savefig(filename, dpi=110)


def main() -> None:
    """Runs the benchmark and prints a table."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="1000,10000,20000,100000,1000000")
    p.add_argument("--shapes", default=",".join(SHAPES))
    p.add_argument("--cache", default=str(HERE / ".cache"))
    p.add_argument("--tf-rebuild-max", type=int, default=25000)
    p.add_argument(
        "--tf-max",
        type=int,
        default=200_000,
        help="bigger graphs are replicated from the biggest captured one (TF not run)",
    )
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", help="write every number here")
    p.add_argument("--plot", help="draw the times here (PNG; needs matplotlib)")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    p.add_argument("--build-only", action="store_true", help="only fill the cache (TF side)")
    p.add_argument(
        "--from-json",
        nargs="+",
        metavar="FILE",
        help="measure nothing: the table (and --json, --plot) of earlier runs' numbers, "
        "a later file's graph replacing an earlier one's of the same shape and size",
    )
    p.add_argument(
        "--tf-side", nargs=4, metavar=("SHAPE", "N", "DIR", "REBUILD_MAX"), help=argparse.SUPPRESS
    )
    p.add_argument(
        "--refimpl-side", nargs=3, metavar=("DIR", "SHAPE", "REPEAT"), help=argparse.SUPPRESS
    )
    p.add_argument("--memory", nargs=3, metavar=("DIR", "SHAPE", "PATH"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.tf_side:
        shape, n, out, rebuild_max = a.tf_side
        tf_side(shape, int(n), Path(out), int(rebuild_max), a.repeat)
        return
    if a.refimpl_side:
        refimpl_side(Path(a.refimpl_side[0]), a.refimpl_side[1], int(a.refimpl_side[2]))
        return
    if a.memory:
        memory_side(Path(a.memory[0]), a.memory[1], a.memory[2])
        return
    if a.from_json:
        merged: dict[tuple[str, int], dict[str, Any]] = {}
        for name in a.from_json:
            for info in json.loads(Path(name).read_text()):
                merged[(info["shape"], info["requested"])] = info
        order = {s: i for i, s in enumerate(SHAPES)}
        earlier = sorted(merged.values(), key=lambda r: (order[r["shape"]], r["requested"]))
        print(table([row for info in earlier for row in rows(info)]))
        if a.json:
            Path(a.json).write_text(json.dumps(earlier, indent=1))
        if a.plot:
            plot(earlier, a.plot)
        return
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    all_rows: list[list[str]] = []
    for shape in a.shapes.split(","):
        for n in (int(x) for x in a.sizes.split(",")):
            if a.build_only:
                if n <= a.tf_max:
                    ensure_cached(cache, shape, n, a.tf_rebuild_max, a.repeat)
                continue
            info = measure(cache, shape, n, a.tf_rebuild_max, a.repeat, not a.no_memory, a.tf_max)
            results.append(info)
            all_rows.extend(rows(info))
            print(table(all_rows[-2 - len(PATHS) :]).split("\n", 1)[1], flush=True)
            if a.json:
                Path(a.json).write_text(json.dumps(results, indent=1))
    if all_rows:
        print()
        print(table(all_rows))
    if a.plot:
        plot(results, a.plot)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
