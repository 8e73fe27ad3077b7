"""Dump every TF release's op registry and descriptor pool as deltas against 2.21.

    python scripts/dump_release_registries.py --release-envs DIR      # write the deltas
    python scripts/dump_release_registries.py --tf-python 2.12.1=PATH ...
    python scripts/dump_release_registries.py --check                 # no TF needed
    python scripts/dump_release_registries.py --check --release-envs DIR  # staleness

Each release's interpreter (``DIR/<release>/bin/python`` for the releases of
``DIR/releases.json``, made by ``scripts/make_release_envs.py DIR``; or ``--tf-python
RELEASE=PATH``) runs this script with ``--dump-one``: it dumps the descriptor pool exactly as
``scripts/dump_tf_descriptor_pool.py`` does (first, right after ``import tensorflow``) and
the op registry exactly as ``scripts/dump_op_registry.py`` does (``TF_GetAllOpList``,
documentation stripped), and records the release's version strings, GraphDef producer
(``tf.version.GRAPH_DEF_VERSION``) and protobuf version. The release's data is then
stored as a delta against the bundled 2.21 data (``refimpl/release_data.py``):
``refimpl/data/releases/<release>.{json,ops.pb,pool.pb}``. The 2.21.0 interpreter, if
given, must reproduce the bundled 2.21 files.

``--check`` without interpreters rebuilds every bundled release from its delta and compares
the sha256s its metadata records (and that no stray file is there); with interpreters it
also dumps each release and fails if a committed delta differs (staleness check).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RELEASES_DIR = ROOT / "refimpl" / "data" / "releases"
OPS_NAME, POOL_NAME, VERSION_NAME = "op_registry.pb", "tf_descriptor_pool.pb", "version.json"


def dump_one(out: Path) -> None:
    """In a TF process: write the release's pool, op registry and version to ``out``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import dump_op_registry  # noqa: PLC0415 - imports TF
    import dump_tf_descriptor_pool  # noqa: PLC0415

    pool = dump_tf_descriptor_pool.build()  # before the op dump imports more modules
    ops, _ = dump_op_registry.render()
    import google.protobuf  # noqa: PLC0415
    import tensorflow as tf  # type: ignore[import-untyped,unused-ignore] # noqa: PLC0415

    version = {"tensorflow_version": tf.version.VERSION,
               "tensorflow_git_version": tf.version.GIT_VERSION,
               "graph_def_version": tf.version.GRAPH_DEF_VERSION,
               "protobuf_version": google.protobuf.__version__}
    out.mkdir(parents=True, exist_ok=True)
    (out / POOL_NAME).write_bytes(pool)
    (out / OPS_NAME).write_bytes(ops)
    (out / VERSION_NAME).write_text(json.dumps(version))


def interpreters(release_envs: Path | None, tf_pythons: list[str]) -> dict[str, Path]:
    """Release -> interpreter, from ``DIR/releases.json`` and ``RELEASE=PATH`` pairs."""
    found: dict[str, Path] = {}
    if release_envs is not None:
        for release in json.loads((release_envs / "releases.json").read_text()):
            found[release] = release_envs / release / "bin" / "python"
    for pair in tf_pythons:
        release, _, path = pair.partition("=")
        if not path:
            raise SystemExit(f"--tf-python wants RELEASE=PATH, not {pair!r}")
        found[release] = Path(path)
    return dict(sorted(found.items()))


def dump_release(python: Path, work: Path) -> tuple[dict[str, Any], bytes, bytes]:
    """Run ``--dump-one`` under ``python``: its version strings, OpList and pool bytes."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
    subprocess.run([str(python), __file__, "--dump-one", str(work)], check=True, env=env)
    version = json.loads((work / VERSION_NAME).read_text())
    return version, (work / OPS_NAME).read_bytes(), (work / POOL_NAME).read_bytes()


def release_files(release: str, python: Path) -> dict[str, bytes]:
    """The files of ``release``'s delta (file name -> bytes), dumped from its TF; for
    ``BASE_RELEASE`` nothing, after checking that it reproduces the bundled files."""
    from refimpl import release_data as rd  # noqa: PLC0415 - not in the TF process

    with tempfile.TemporaryDirectory() as tmp:
        version, ops, pool = dump_release(python, Path(tmp))
    if version["tensorflow_version"] != release:
        raise SystemExit(f"{python} runs TF {version['tensorflow_version']}, not {release}")
    if release == rd.BASE_RELEASE:
        if ops != rd.base_ops_bytes() or pool != rd.base_pool_bytes():
            raise SystemExit(f"{release} does not reproduce the bundled 2.21 data: run "
                             "dump_op_registry.py and dump_tf_descriptor_pool.py first")
        return {}
    meta, delta_ops, delta_pool = rd.delta_for(
        rd.ReleaseVersions(**version), ops, pool, rd.base_ops_bytes(), rd.base_pool_bytes()
    )
    return {f"{release}.json": meta.to_json(), f"{release}.ops.pb": delta_ops,
            f"{release}.pool.pb": delta_pool}


def check_bundled(folder: Path) -> list[str]:
    """What is wrong with the committed deltas, TF-free: each release rebuilt from its delta
    must match its metadata's sha256s, and no file may be there without metadata."""
    from refimpl import release_data as rd  # noqa: PLC0415

    problems: list[str] = []
    expected: set[str] = set()
    for meta_path in sorted(folder.glob("*.json")):
        meta = rd.delta_from_json(meta_path.read_bytes())
        named = meta.versions.tensorflow_version
        if meta_path.name != f"{meta.release}.json" or named != meta.release:
            problems.append(f"{meta_path.name}: names release {meta.release}")
            continue
        expected |= {meta_path.name, f"{meta.release}.ops.pb", f"{meta.release}.pool.pb"}
        try:
            delta_ops = (folder / f"{meta.release}.ops.pb").read_bytes()
            delta_pool = (folder / f"{meta.release}.pool.pb").read_bytes()
        except FileNotFoundError as e:
            problems.append(f"{meta.release}: {Path(str(e.filename)).name} is missing")
            continue
        checks = [
            (rd.sha256(delta_ops), meta.ops_delta_sha256, "ops delta file"),
            (rd.sha256(delta_pool), meta.pool_delta_sha256, "pool delta file"),
        ]
        ops = rd.apply_ops(rd.base_ops_bytes(), meta, delta_ops)
        pool = rd.apply_pool(rd.base_pool_bytes(), meta, delta_pool)
        checks += [(rd.sha256(ops), meta.ops_sha256, "rebuilt op registry"),
                   (rd.sha256(pool), meta.pool_sha256, "rebuilt descriptor pool")]
        problems += [f"{meta.release}: {what} differs from its sha256"
                     for got, want, what in checks if got != want]
        if len(rd.named_records(ops)) != meta.op_count:
            problems.append(f"{meta.release}: op count differs from its metadata")
    problems += [f"{p.name}: no release's metadata names it"
                 for p in sorted(folder.iterdir()) if p.name not in expected]
    return problems


def main(argv: list[str] | None = None) -> int:
    """Write the deltas, or check them (``--check``), or dump one release (``--dump-one``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--release-envs", type=Path, help="DIR of scripts/make_release_envs.py")
    parser.add_argument("--tf-python", action="append", default=[], metavar="RELEASE=PATH")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--dump-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RELEASES_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dump_one is not None:
        dump_one(args.dump_one)
        return 0
    sys.path.insert(0, str(ROOT))
    pythons = interpreters(args.release_envs, args.tf_python)
    if not args.check and not pythons:
        parser.error("give --release-envs or --tf-python (or --check)")
    problems = check_bundled(args.out) if args.check else []
    for release, python in pythons.items():
        files = release_files(release, python)
        for name, content in files.items():
            path = args.out / name
            if args.check:
                if not path.exists() or path.read_bytes() != content:
                    problems.append(f"{name} is stale for TF {release}")
            else:
                args.out.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
        print(f"{release}: " + ", ".join(f"{n} {len(c)} bytes" for n, c in files.items()))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("regenerate with: python scripts/dump_release_registries.py --release-envs DIR",
              file=sys.stderr)
        return 1
    if args.check:
        print("release registries are consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
