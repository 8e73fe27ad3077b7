"""Generate Python code (and mypy stubs) for every .proto under protos/.

Runs ``python -m grpc_tools.protoc -I protos --python_out=. --mypy_out=.``
(plus grpc_tools' well-known-type include path) on all ``protos/**/*.proto``. A proto's
path under protos/ is its module's path in the repository, so the generated code goes
into more than one package (``PACKAGES``):

- ``refimpl/pb/**``: refimpl's schemas (the snapshot, TF's ``tensorflow.*`` messages);
  these packages hold generated code only, and each gets an empty ``__init__.py``;
- ``conformance/protocol``: the testee protocol's schema (``conformance.proto``), beside
  the hand-written modules of that package (its ``__init__.py`` is left alone).

Generated files whose .proto is gone are removed.
Needs no TensorFlow; needs the ``codegen`` extra (exact grpcio-tools and mypy-protobuf).

**Runtime-agnostic code.** protoc stamps each ``_pb2.py`` with its own protobuf version
and a call ``ValidateProtobufRuntimeVersion(...)`` that refuses any older runtime
(``VersionError``), and protobuf 7 warns about gencode one major older. refimpl must run
on every runtime TensorFlow 2.21 accepts (``protobuf>=6.31.1,<8``), so
``runtime_agnostic`` removes the ``runtime_version`` import and that call, and marks the
file; nothing else in the generated code needs a newer runtime than 6.31.1
(``tests/test_protobuf_runtimes.py`` imports every module under 6.31.1 and 7.x).

``--check`` generates into a temporary directory instead and exits 1, listing
the files, when the committed generated code is out of sync with protos/.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROTOS = REPO / "protos"
PB_PACKAGE = Path("refimpl") / "pb"
PROTOCOL_PACKAGE = Path("conformance") / "protocol"
#: Where generated code goes. The generator owns the ``__init__.py`` files of the packages
#: under ``PB_PACKAGE`` (generated code only), not those of ``PROTOCOL_PACKAGE``.
PACKAGES: tuple[Path, ...] = (PB_PACKAGE, PROTOCOL_PACKAGE)
ALWAYS_PACKAGES = (PB_PACKAGE, PB_PACKAGE / "tensorflow")

#: protoc's import of the version check and the check itself (whole lines).
_VERSION_IMPORT = re.compile(
    r"^from google\.protobuf import runtime_version as _runtime_version\n", re.MULTILINE
)
_VERSION_CHECK = re.compile(
    r"^_runtime_version\.ValidateProtobufRuntimeVersion\(\n(?:    .*\n)*?\)\n", re.MULTILINE
)
#: The line that replaces the check in the generated files.
AGNOSTIC_MARK = (
    "# Runtime version check removed by scripts/gen_protos.py: "
    "runs on protobuf>=6.31.1,<8.\n"
)


def proto_files() -> list[str]:
    """Every .proto under protos/, relative to it, sorted."""
    return sorted(p.relative_to(PROTOS).as_posix() for p in PROTOS.rglob("*.proto"))


def mypy_plugin() -> str:
    """Path of mypy-protobuf's protoc-gen-mypy (next to this Python, else on PATH)."""
    local = Path(sys.executable).parent / "protoc-gen-mypy"
    found = str(local) if local.exists() else shutil.which("protoc-gen-mypy")
    if not found:
        raise SystemExit("protoc-gen-mypy not found: install mypy-protobuf")
    return found


def wkt_include() -> Path:
    """grpc_tools' directory of well-known-type .proto files (google/protobuf/*)."""
    spec = importlib.util.find_spec("grpc_tools")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("grpc_tools not found: install grpcio-tools")
    return Path(list(spec.submodule_search_locations)[0]) / "_proto"


def generate(out: Path) -> list[Path]:
    """Generate into ``out``; return the generated files relative to it."""
    files = proto_files()
    if not files:
        return []
    stray = [f for f in files if not any(Path(f).is_relative_to(p) for p in PACKAGES)]
    if stray:
        raise SystemExit(f"protos outside the packages {[str(p) for p in PACKAGES]}: {stray}")
    wkt = wkt_include()
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTOS}", f"-I{wkt}"]
    cmd += [f"--plugin=protoc-gen-mypy={mypy_plugin()}"]
    cmd += [f"--python_out={out}", f"--mypy_out={out}", *files]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:  # mypy-protobuf's "Writing mypy to ..." noise is dropped otherwise
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"protoc failed with exit code {done.returncode}")
    generated = sorted(
        p.relative_to(out) for package in PACKAGES for p in (out / package).rglob("*_pb2.py*")
    )
    for path in generated:
        if path.suffix == ".py":
            target = out / path
            target.write_text(runtime_agnostic(target.read_text(encoding="utf-8")), "utf-8")
    packages = set(ALWAYS_PACKAGES)
    for path in generated:
        parent = path.parent
        while parent.is_relative_to(PB_PACKAGE):
            packages.add(parent)
            parent = parent.parent
    for package in sorted(packages):
        init = out / package / "__init__.py"
        init.parent.mkdir(parents=True, exist_ok=True)
        init.touch()
        generated.append(package / "__init__.py")
    return sorted(generated)


def runtime_agnostic(source: str) -> str:
    """protoc's Python output without its protobuf runtime version check (module docstring).

    Raises ``ValueError`` unless the source has exactly one such import and one such call:
    if protoc's output changes shape, the post-processing must be revisited.
    """
    source, imports = _VERSION_IMPORT.subn("", source)
    source, checks = _VERSION_CHECK.subn(AGNOSTIC_MARK, source)
    if imports != 1 or checks != 1:
        raise ValueError(f"unexpected protoc output: {imports} version imports, {checks} checks")
    return source


def committed_generated() -> set[Path]:
    """Generated-looking files currently in ``PACKAGES``, relative to the repo."""
    found: set[Path] = set()
    for package in PACKAGES:
        root = REPO / package
        if root.exists():
            found.update(p.relative_to(REPO) for p in root.rglob("*_pb2.py*"))
    return found


def check() -> int:
    """Regenerate into a temp dir and compare with the committed files."""
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate(Path(tmp))
        bad = [
            str(rel)
            for rel in generated
            if not (REPO / rel).is_file()
            or not filecmp.cmp(Path(tmp) / rel, REPO / rel, shallow=False)
        ]
    stale = sorted(str(p) for p in committed_generated() - set(generated))
    if bad or stale:
        for name in bad:
            print(f"out of date or missing: {name}", file=sys.stderr)
        for name in stale:
            print(f"no longer generated from protos/: {name}", file=sys.stderr)
        print("run: python scripts/gen_protos.py", file=sys.stderr)
        return 1
    print(f"{len(generated)} generated files up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if generated code is stale")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    generated = generate(REPO)
    for stale in sorted(committed_generated() - set(generated)):
        (REPO / stale).unlink()
        print(f"removed {stale} (its .proto is gone)")
    print(f"generated {len(generated)} files from {len(proto_files())} protos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
