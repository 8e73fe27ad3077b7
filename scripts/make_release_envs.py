"""One virtual environment per TensorFlow 2 release, for capture and export under each.

Creates ``DIR/<release>`` for each release (default: the ten releases pip offers for
Python 3.11, 2.12.1 to 2.21.0), installs ``tensorflow-cpu==<release>`` there with whatever
``protobuf`` pip resolves for it (``--pin RELEASE=REQUIREMENT`` adds a requirement, e.g.
``--pin "2.20.0=protobuf<7"``), and makes this repository importable without installing
its dependencies (a ``.pth`` file naming the repository's root: the ``--no-deps`` editable
install, without a build step). Environments that already hold the release are kept.

Then records, for each environment, what pip resolved: the TensorFlow version, the
protobuf version and backend (``upb``, ``python`` or ``cpp``) and the Python version, in
``DIR/releases.json`` (printed as a Markdown table too). Releases are installed one after
the other (each downloads about 0.5 GB).

Usage::

    python scripts/make_release_envs.py DIR [--releases 2.12.1 2.16.2] [--python python3.11]
        [--pin "2.20.0=protobuf<7"] [--repo PATH]

The test ``tests/test_tf_releases.py`` takes the interpreters:
``METAGRAPH_TF_RELEASE_PYTHONS="DIR/2.12.1/bin/python DIR/2.16.2/bin/python"``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

RELEASES = (
    "2.12.1", "2.13.1", "2.14.1", "2.15.1", "2.16.2",
    "2.17.1", "2.18.1", "2.19.1", "2.20.0", "2.21.0",
)

_PROBE = """
import json, sys
import google.protobuf
from google.protobuf.internal import api_implementation
import tensorflow as tf
print(json.dumps({
    "tensorflow": tf.__version__,
    "tensorflow_git_version": tf.version.GIT_VERSION,
    "protobuf": google.protobuf.__version__,
    "protobuf_backend": api_implementation.Type(),
    "python": "%d.%d.%d" % sys.version_info[:3],
}))
"""


def env_python(root: Path, release: str) -> Path:
    """The interpreter of ``release``'s environment under ``root``."""
    return root / release / "bin" / "python"


def probe(python: Path) -> dict[str, str]:
    """What an environment holds: TF, protobuf (version, backend) and Python versions."""
    out = subprocess.run(
        [str(python), "-c", _PROBE], capture_output=True, text=True, check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _installed(python: Path, release: str) -> bool:
    if not python.exists():
        return False
    try:
        return probe(python)["tensorflow"] == release
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return False


def make_env(root: Path, release: str, base: str, pins: list[str], repo: Path) -> None:
    """Creates (or completes) ``root/release``: TF, the resolved protobuf, the repository."""
    python = env_python(root, release)
    if not _installed(python, release):
        subprocess.run([base, "-m", "venv", str(root / release)], check=True)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*pip, f"tensorflow-cpu=={release}", *pins], check=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    Path(site, "metagraph_ref_repo.pth").write_text(f"{repo}\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Creates the environments and writes ``DIR/releases.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="where the environments go (DIR/<release>)")
    parser.add_argument("--releases", nargs="+", default=list(RELEASES))
    parser.add_argument("--python", default=sys.executable,
                        help="the Python 3.11 the environments are made from")
    parser.add_argument("--pin", action="append", default=[], metavar="RELEASE=REQ",
                        help="an extra requirement for one release (repeatable)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the repository the environments import (default: this one)")
    args = parser.parse_args(argv)
    root = args.dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    record_path = root / "releases.json"
    records: dict[str, dict[str, str]] = (
        json.loads(record_path.read_text()) if record_path.exists() else {}
    )
    failed = []
    for release in args.releases:
        pins = [p.split("=", 1)[1] for p in args.pin if p.split("=", 1)[0] == release]
        try:
            make_env(root, release, args.python, pins, args.repo.resolve())
            records[release] = probe(env_python(root, release))
        except subprocess.CalledProcessError as exc:
            failed.append(release)
            print(f"{release}: failed: {exc}", file=sys.stderr)
            continue
        record_path.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
        print(f"{release}: {records[release]}", flush=True)
    print("\n| release | TensorFlow | protobuf | backend | Python |\n|---|---|---|---|---|")
    for release in sorted(records, key=lambda r: tuple(int(x) for x in r.split("."))):
        r = records[release]
        print(f"| {release} | {r['tensorflow']} | {r['protobuf']} | "
              f"{r['protobuf_backend']} | {r['python']} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
