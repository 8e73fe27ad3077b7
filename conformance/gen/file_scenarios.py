"""File-writing scenarios run by both TF and refimpl (see tests/test_files_vs_tf.py)."""

from __future__ import annotations

import os
import re
from typing import Any

SCENARIOS: dict[str, dict[str, Any]] = {
    "parent_is_a_file": {"files": ["afile"], "filename": "afile/x.meta"},
    "grandparent_is_a_file": {"files": ["afile"], "filename": "afile/sub/x.meta"},
    "target_is_a_directory": {"dirs": ["target.meta"], "filename": "target.meta"},
    "existing_file_is_overwritten": {"files": ["m.meta"], "filename": "m.meta"},
    "bytes_filename": {"filename": b"b.meta"},
    "empty_filename_writes_nothing": {"filename": "", "args": {"save_debug_info": True}},
    "hidden_name": {"filename": ".hidden", "args": {"save_debug_info": True}},
    "dotted_directory": {"filename": "dir.v1/model", "args": {"save_debug_info": True}},
    "debug_target_is_a_directory": {
        "dirs": ["m.debug"],
        "filename": "m.meta",
        "args": {"save_debug_info": True},
    },
}

_TMP_SUFFIX = re.compile(r"\.tmp[0-9a-f]{32}")


def prepare(scenario: dict[str, Any]) -> None:
    """Creates the scenario's files and directories in the current directory."""
    for d in scenario.get("dirs", []):
        os.makedirs(d)
    for f in scenario.get("files", []):
        with open(f, "wb") as fh:
            fh.write(b"old")


def list_files(root: str) -> list[str]:
    """Every file and directory below ``root``, relative, sorted.

    Sizes are given for all but ``.debug`` files, whose content depends on
    where in the calling program the graph was built.
    """
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out.append(os.path.relpath(os.path.join(dirpath, d), root) + "/")
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            out.append(rel if rel.endswith(".debug") else f"{rel} ({os.path.getsize(p)} bytes)")
    return sorted(out)


def normalize_message(message: str) -> str:
    """Replaces the random temp-file suffix (``.tmp`` + 32 hex digits) by ``.tmpXXX``."""
    return _TMP_SUFFIX.sub(".tmpXXX", message)
