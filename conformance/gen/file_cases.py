"""The file-system cases: exports into a working directory that is not empty (protocol 2).

Each case exports the graph of the builder ``one_constant`` (``conformance.tf.graphs``)
into a working directory holding a *pre-state* (``conformance.protocol.file_states.Entry``
list; ``CorpusCase.pre_state``): files already at the target or the ``.debug`` name, a
directory where a file should be, a file where a directory should be (at several depths),
symbolic links to files, to directories, dangling or looping, read-only directories and
files, an existing temp-like file, unrelated entries that must be left alone. TF's answer
(its error, and every file, link and directory left) is recorded by the TF worker like any
hand case; spec.md 10.3 says what happens in each state. A few cases without a pre-state
cover odd file names (bytes, empty, hidden, dotted directories).

Named ``one_constant-files_<scenario>``; chained from ``conformance.gen.hand_cases``.
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.protocol.file_states import DIRECTORY, SYMLINK, Entry

__all__ = ["GRAPH", "SCENARIOS", "file_cases"]

#: The graph every file case exports (one constant: a small meta file and debug file).
GRAPH = "one_constant"

#: Pre-existing contents: a binary blob longer than the exported meta file (so that a
#: write that does not truncate shows), a text one, and a short one.
OLD_BINARY = bytes(range(256)) * 4
OLD_TEXT = b"# an old text file\n" * 40
OLD_SHORT = b"x"

_DEBUG = {"save_debug_info": True}
_TEXT = {"as_text": True}
_TEXT_DEBUG = {"as_text": True, "save_debug_info": True}


def _file(path: str, content: bytes = OLD_SHORT, *, read_only: bool = False) -> Entry:
    return Entry(path, content=content, read_only=read_only)


def _dir(path: str, *, read_only: bool = False) -> Entry:
    return Entry(path, DIRECTORY, read_only=read_only)


def _link(path: str, target: str) -> Entry:
    return Entry(path, SYMLINK, target=target)


#: name -> (pre-state entries or None for an empty directory without a pre-state,
#: file name, other export arguments).
SCENARIOS: dict[str, tuple[tuple[Entry, ...] | None, object, dict[str, Any]]] = {
    # files already there: replaced whole (a new file renamed over the old one)
    "existing_binary_target": ((_file("model.meta", OLD_BINARY),), "model.meta", {}),
    "existing_text_target_as_text": ((_file("model.meta", OLD_TEXT),), "model.meta", _TEXT),
    "existing_short_target": ((_file("model.meta"),), "model.meta", _DEBUG),
    "existing_debug_file": ((_file("model.debug", OLD_BINARY),), "model.meta", _DEBUG),
    "existing_debug_file_text": ((_file("model.debug", OLD_TEXT),), "model.meta", _TEXT_DEBUG),
    "existing_debug_file_not_written": ((_file("model.debug", OLD_TEXT),), "model.meta", {}),
    "existing_temp_like_file": (
        (_file("model.meta.tmp"), _file("model.meta.tmp" + "0" * 32)),
        "model.meta",
        _DEBUG,
    ),
    "others_left_alone": (
        (
            _file("notes.txt", OLD_TEXT),
            _dir("sub"),
            _file("sub/model.meta", OLD_BINARY),
            _dir("empty"),
            _link("alias", "notes.txt"),
        ),
        "model.meta",
        _TEXT_DEBUG,
    ),
    # a directory where a file should be
    "directory_at_target": ((_dir("model.meta"),), "model.meta", _DEBUG),
    "directory_at_target_text": ((_dir("model.meta"),), "model.meta", _TEXT),
    "nonempty_directory_at_target": (
        (_dir("model.meta"), _file("model.meta/keep", OLD_TEXT)),
        "model.meta",
        {},
    ),
    "directory_at_debug": ((_dir("model.debug"),), "model.meta", _DEBUG),
    "directory_at_debug_text": ((_dir("model.debug"),), "model.meta", _TEXT_DEBUG),
    # a file where a directory should be
    "file_as_parent": ((_file("a"),), "a/model.meta", _DEBUG),
    "file_as_parent_depth2": ((_dir("a"), _file("a/b")), "a/b/model.meta", {}),
    "file_as_grandparent": ((_file("a"),), "a/b/c/model.meta", _DEBUG),
    "file_as_middle_directory": ((_dir("a"), _file("a/b")), "a/b/c/model.meta", _TEXT),
    # symbolic links
    "symlink_to_file_at_target": (
        (_file("real.meta", OLD_BINARY), _link("model.meta", "real.meta")),
        "model.meta",
        {},
    ),
    "symlink_to_file_at_debug": (
        (_file("real.debug", OLD_TEXT), _link("model.debug", "real.debug")),
        "model.meta",
        _DEBUG,
    ),
    "symlink_to_directory_as_parent": (
        (_dir("real"), _file("real/old", OLD_SHORT), _link("link", "real")),
        "link/model.meta",
        _TEXT_DEBUG,
    ),
    "symlink_to_directory_at_target": (
        (_dir("real"), _link("model.meta", "real")),
        "model.meta",
        {},
    ),
    "symlink_to_file_as_parent": (
        (_file("real"), _link("link", "real")),
        "link/model.meta",
        {},
    ),
    "dangling_symlink_at_target": ((_link("model.meta", "missing"),), "model.meta", _DEBUG),
    "dangling_symlink_at_debug": ((_link("model.debug", "missing/x"),), "model.meta", _DEBUG),
    "dangling_symlink_as_parent": ((_link("link", "missing"),), "link/model.meta", {}),
    "dangling_symlink_as_grandparent": ((_link("link", "missing"),), "link/sub/model.meta", {}),
    "symlink_loop_as_parent": ((_link("loop", "loop"),), "loop/model.meta", {}),
    # read-only entries (the export runs where modes bind, docs/conformance-protocol.md 4.5)
    "read_only_directory": ((_dir("ro", read_only=True),), "ro/model.meta", _DEBUG),
    "read_only_directory_new_subdirectory": (
        (_dir("ro", read_only=True),),
        "ro/sub/model.meta",
        {},
    ),
    "read_only_directory_existing_files": (
        (_dir("ro", read_only=True), _file("ro/model.meta", OLD_TEXT), _dir("ro/w")),
        "ro/model.meta",
        _TEXT_DEBUG,
    ),
    "read_only_file_at_target": (
        (_file("model.meta", OLD_BINARY, read_only=True),),
        "model.meta",
        _DEBUG,
    ),
    "read_only_file_at_debug": (
        (_file("model.debug", OLD_TEXT, read_only=True),),
        "model.meta",
        _DEBUG,
    ),
    "writable_directory_in_read_only_directory": (
        (_dir("ro", read_only=True), _dir("ro/w")),
        "ro/w/model.meta",
        _DEBUG,
    ),
    # an empty pre-state: a protocol-2 request whose after-state lists the new directories
    "empty_pre_state": ((), "deep/er/model.meta", _DEBUG),
    # odd file names, in an empty directory (no pre-state: protocol 1 testees get these)
    "bytes_filename": (None, b"b.meta", {}),
    "empty_filename_writes_nothing": (None, "", _DEBUG),
    "hidden_name": (None, ".hidden", _DEBUG),
    "dotted_directory": (None, "dir.v1/model", _DEBUG),
}


def file_cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every file case, in a fixed order: ``(name, request)`` for ``TFWorker.run``, as
    ``conformance.gen.hand_cases.hand_cases`` yields them, plus ``pre_state`` (a list of
    ``Entry``) for the cases that have one."""
    for name, (entries, filename, args) in SCENARIOS.items():
        request: dict[str, Any] = {"graph": GRAPH, "args": dict(args), "filename": filename}
        request["then"] = []
        if entries is not None:
            request["pre_state"] = list(entries)
        yield f"{GRAPH}-files_{name}", request
