"""Dump TensorFlow's op registry to ``refimpl/data/op_registry.pb`` (needs TensorFlow 2.21).

Every op name registered in the running TF process (``TF_GetAllOpList``) is
looked up with ``op_def_registry.get``, which returns the OpDef with all
documentation removed (summary, description, arg/attr descriptions); the
OpDefs, sorted by name (code points), are written as one ``tensorflow.OpList``
in binary deterministic serialization. ``refimpl/data/op_registry.meta.json``
records the TF version and git version, the op count and the sha256 of the .pb.

Serializes with TF's own ``OpList``: never imports ``refimpl.pb.tensorflow``
(both define the same ``tensorflow.*`` protobuf names).

``--check`` writes nothing and exits 1, naming the first differing ops, when
the committed files differ from what this TF would write (staleness check).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "refimpl" / "data"
PB_NAME = "op_registry.pb"
META_NAME = "op_registry.meta.json"
MAX_REPORTED = 10


def _import_tf() -> tuple[Any, Any, Any, Any]:
    """Import TF quietly: ``(tf, op_def_pb2, op_def_registry, pywrap_tf_session)``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf  # type: ignore[import-untyped,unused-ignore]
    from tensorflow.core.framework import (  # type: ignore[import-untyped,unused-ignore]
        op_def_pb2,
    )
    from tensorflow.python.client import (  # type: ignore[import-untyped,unused-ignore]
        pywrap_tf_session,
    )
    from tensorflow.python.framework import (  # type: ignore[import-untyped,unused-ignore]
        op_def_registry,
    )

    return tf, op_def_pb2, op_def_registry, pywrap_tf_session


def registered_op_names() -> list[str]:
    """Every op name in the C++ op registry of this process, sorted (code points)."""
    _, op_def_pb2, _, pywrap_tf_session = _import_tf()
    all_ops = op_def_pb2.OpList()
    all_ops.ParseFromString(pywrap_tf_session.TF_GetBuffer(pywrap_tf_session.TF_GetAllOpList()))
    names = [op.name for op in all_ops.op]
    if len(set(names)) != len(names):
        raise SystemExit("TF_GetAllOpList lists an op name twice")
    return sorted(names)


def has_docs(op_def: Any) -> bool:
    """Whether an OpDef (TF's class) carries any documentation text."""
    args = [*op_def.input_arg, *op_def.output_arg, *op_def.attr]
    return bool(op_def.summary or op_def.description or any(a.description for a in args))


def build_op_list() -> Any:
    """TF's ``OpList`` of ``op_def_registry.get(name)`` for every registered op, by name."""
    _, op_def_pb2, op_def_registry, _ = _import_tf()
    op_list = op_def_pb2.OpList()
    for name in registered_op_names():
        op_def = op_def_registry.get(name)
        if op_def is None:
            raise SystemExit(f"op_def_registry.get({name!r}) is None")
        if has_docs(op_def):
            raise SystemExit(f"op_def_registry.get({name!r}) still has documentation")
        op_list.op.append(op_def)
    return op_list


def render() -> tuple[bytes, bytes]:
    """The bytes of the .pb and of the .meta.json, as this TF would write them."""
    tf, _, _, _ = _import_tf()
    op_list = build_op_list()
    data: bytes = op_list.SerializeToString(deterministic=True)
    meta = {
        "file": PB_NAME,
        "format": "tensorflow.OpList, binary, deterministic serialization",
        "tensorflow_version": tf.version.VERSION,
        "tensorflow_git_version": tf.version.GIT_VERSION,
        "op_count": len(op_list.op),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    return data, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()


def differing_ops(old: bytes, new: bytes) -> list[str]:
    """Human-readable differences between two serialized OpLists, by op name."""
    _, op_def_pb2, _, _ = _import_tf()
    lists = []
    for data in (old, new):
        op_list = op_def_pb2.OpList()
        op_list.ParseFromString(data)
        lists.append({op.name: op.SerializeToString(deterministic=True) for op in op_list.op})
    before, after = lists
    out: list[str] = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            out.append(f"{name}: removed")
        elif name not in before:
            out.append(f"{name}: added")
        elif before[name] != after[name]:
            out.append(f"{name}: changed")
    return out


def check(data_dir: Path, data: bytes, meta: bytes) -> int:
    """Compare with the committed files; print what differs and return the exit status."""
    pb_path, meta_path = data_dir / PB_NAME, data_dir / META_NAME
    status = 0
    if not pb_path.exists():
        print(f"{pb_path} is missing", file=sys.stderr)
        status = 1
    elif pb_path.read_bytes() != data:
        diffs = differing_ops(pb_path.read_bytes(), data)
        print(f"{pb_path} is stale: {len(diffs)} op(s) differ", file=sys.stderr)
        for line in diffs[:MAX_REPORTED]:
            print(f"  {line}", file=sys.stderr)
        if len(diffs) > MAX_REPORTED:
            print(f"  ... and {len(diffs) - MAX_REPORTED} more", file=sys.stderr)
        if not diffs:
            print("  (same OpDefs, different bytes)", file=sys.stderr)
        status = 1
    if not meta_path.exists() or meta_path.read_bytes() != meta:
        print(f"{meta_path} is missing or stale; expected:\n{meta.decode()}", file=sys.stderr)
        status = 1
    if status == 0:
        print(f"{pb_path.name} and {meta_path.name} are up to date")
    else:
        print("regenerate with: python scripts/dump_op_registry.py", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    """Entry point: write the data files, or with ``--check`` compare against them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data, meta = render()
    if args.check:
        return check(args.data_dir, data, meta)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    (args.data_dir / PB_NAME).write_bytes(data)
    (args.data_dir / META_NAME).write_bytes(meta)
    print(f"wrote {PB_NAME} ({len(data)} bytes) and {META_NAME} to {args.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
