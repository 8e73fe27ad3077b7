"""The working directory before and after an export (protocol 2; docs/conformance-protocol.md
4.5): the one copy of how a pre-state is created and an after-state listed.

- ``Entry``: one entry of a pre-state (``metagraph_ref.FileSystemEntry`` as plain data, so
  that a TF worker can take it in a pickled request); ``entries_of`` / ``fill_state``
  convert from and to the message;
- ``create``: makes the entries under a directory, in order (parents first), then the
  read-only modes;
- ``run_unprivileged``: runs a function where the modes bind: directly when this process
  is not root, else in a child process that has dropped to the user ``nobody``
  (the working directory's tree is handed to that user first);
- ``listing`` / ``fill_after_state``: what the directory holds afterwards (regular files
  with their bytes, symbolic links with their targets, directories; links not followed),
  and that listing in an ``Outcome``;
- ``normalize_temp_names``: TF's random temporary-file suffix in a message, made stable.

Used by refimpl's testee, the TF worker and the corpus generator alike. It imports neither
refimpl nor TensorFlow (the standard library only; messages are duck-typed).
"""

from __future__ import annotations

import os
import pickle
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "DIRECTORY",
    "FILE",
    "KINDS",
    "SYMLINK",
    "AfterState",
    "Entry",
    "create",
    "entries_of",
    "fill_after_state",
    "fill_state",
    "listing",
    "make_removable",
    "needs_unprivileged",
    "normalize_temp_names",
    "run_unprivileged",
]

T = TypeVar("T")

FILE, DIRECTORY, SYMLINK = "file", "directory", "symlink"
#: The kinds, in the order of ``FileSystemEntry.Kind``'s numbers.
KINDS: tuple[str, ...] = (FILE, DIRECTORY, SYMLINK)
#: The modes of read-only entries.
READ_ONLY_FILE, READ_ONLY_DIRECTORY = 0o444, 0o555
#: The user an export runs as when root must drop its privileges.
UNPRIVILEGED_USER = "nobody"

_TEMP_SUFFIX = re.compile(r"\.tmp[0-9a-f]{32}")


@dataclass(frozen=True)
class Entry:
    """One entry of a pre-state: a relative '/'-separated path and what is there."""

    path: str
    kind: str = FILE
    content: bytes = b""
    target: str = ""
    read_only: bool = False


@dataclass(frozen=True)
class AfterState:
    """What a working directory holds: regular files (path, bytes), symbolic links
    (path, target) and directories, each sorted by '/'-separated relative path."""

    files: tuple[tuple[str, bytes], ...] = ()
    symlinks: tuple[tuple[str, str], ...] = ()
    directories: tuple[str, ...] = ()


def entries_of(state: Any) -> tuple[Entry, ...]:
    """The entries of a ``metagraph_ref.FileSystemState`` message, checked (``check``)."""
    entries = tuple(
        Entry(e.path, KINDS[e.kind], bytes(e.content), e.target, bool(e.read_only))
        for e in state.entries
    )
    check(entries)
    return entries


def fill_state(state: Any, entries: Iterable[Entry]) -> None:
    """Appends ``entries`` to a ``metagraph_ref.FileSystemState`` message."""
    for entry in entries:
        state.entries.add(
            path=entry.path,
            kind=KINDS.index(entry.kind),
            content=entry.content,
            target=entry.target,
            read_only=entry.read_only,
        )


def check(entries: Sequence[Entry]) -> None:
    """``ValueError`` unless every path is relative, '/'-separated, without '.' or '..'
    components, new, and inside the working directory or an earlier directory entry, and
    every link's target is relative and stays inside the working directory (so that no
    export through a link writes outside it)."""
    directories = {""}
    seen: set[str] = set()
    for entry in entries:
        parts = entry.path.split("/")
        if entry.kind not in KINDS:
            raise ValueError(f"pre-state entry {entry.path!r}: unknown kind {entry.kind!r}")
        if not entry.path or any(p in ("", ".", "..") for p in parts) or "\\" in entry.path:
            raise ValueError(f"pre-state entry {entry.path!r}: not a plain relative path")
        if entry.path in seen:
            raise ValueError(f"pre-state entry {entry.path!r}: given twice")
        if "/".join(parts[:-1]) not in directories:
            raise ValueError(f"pre-state entry {entry.path!r}: its parent is no earlier directory")
        if entry.kind == SYMLINK:
            where = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), entry.target))
            if not entry.target or entry.target.startswith("/") or where.split("/")[0] == "..":
                raise ValueError(
                    f"pre-state entry {entry.path!r}: link target {entry.target!r} is not "
                    "inside the working directory"
                )
        seen.add(entry.path)
        if entry.kind == DIRECTORY:
            directories.add(entry.path)


def create(entries: Sequence[Entry], root: str = ".") -> None:
    """Creates ``entries`` under ``root``, in order: files with their bytes, directories,
    symbolic links with their targets as given; then the read-only modes (so that a
    read-only directory can still receive its entries)."""
    check(entries)
    for entry in entries:
        path = os.path.join(root, *entry.path.split("/"))
        if entry.kind == FILE:
            with open(path, "xb") as f:
                f.write(entry.content)
        elif entry.kind == DIRECTORY:
            os.mkdir(path)
        else:
            os.symlink(entry.target, path)
    for entry in reversed(entries):
        if entry.read_only and entry.kind != SYMLINK:
            path = os.path.join(root, *entry.path.split("/"))
            os.chmod(path, READ_ONLY_DIRECTORY if entry.kind == DIRECTORY else READ_ONLY_FILE)


def needs_unprivileged(entries: Iterable[Entry]) -> bool:
    """Whether an export on these entries must run where their modes bind."""
    return any(e.read_only for e in entries)


def run_unprivileged(run: Callable[[], T], root: str = ".") -> T:
    """``run()``, where file modes bind: directly if this process is not root; as root, in
    a forked child that has dropped to the user ``nobody`` after ``root``'s tree was
    handed to that user. The result travels back pickled; ``RuntimeError`` if the child
    fails."""
    if os.geteuid() != 0:
        return run()
    import pwd

    try:
        user = pwd.getpwnam(UNPRIVILEGED_USER)
        uid, gid = user.pw_uid, user.pw_gid
    except KeyError:
        uid = gid = 65534
    _chown_tree(root, uid, gid)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            data = pickle.dumps(("ok", run()))
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            data, status = pickle.dumps(("error", f"{type(e).__name__}: {e}")), 1
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("the unprivileged child process died")
    kind, value = pickle.loads(data)  # noqa: S301 - our own child's answer
    if kind != "ok":
        raise RuntimeError(f"the unprivileged child process failed: {value}")
    result: T = value
    return result


def _chown_tree(root: str, uid: int, gid: int) -> None:
    os.lchown(root, uid, gid)
    for directory, dirs, names in os.walk(root):
        for name in dirs + names:
            os.lchown(os.path.join(directory, name), uid, gid)


def make_removable(root: str) -> None:
    """Gives the owner full rights on every directory under ``root`` (read-only ones
    included), so that the tree can be removed by a user who is not root."""
    for directory, dirs, _names in os.walk(root):
        for name in dirs:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, 0o755)


def listing(root: str = ".") -> AfterState:
    """Everything under ``root``: regular files and their bytes, symbolic links and their
    targets (not followed), directories; paths relative and '/'-separated, sorted."""
    files: list[tuple[str, bytes]] = []
    symlinks: list[tuple[str, str]] = []
    directories: list[str] = []
    for directory, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                symlinks.append((rel, os.readlink(path)))
            elif stat.S_ISDIR(mode):
                directories.append(rel)
            elif stat.S_ISREG(mode):
                with open(path, "rb") as f:
                    files.append((rel, f.read()))
    return AfterState(tuple(sorted(files)), tuple(sorted(symlinks)), tuple(sorted(directories)))


def fill_after_state(outcome: Any, after: AfterState) -> None:
    """Sets a ``metagraph_ref.Outcome``'s ``files``, ``symlinks`` and ``directories`` to
    ``after`` (whatever they held)."""
    outcome.files.clear()
    outcome.files.update(dict(after.files))
    outcome.symlinks.clear()
    outcome.symlinks.update(dict(after.symlinks))
    del outcome.directories[:]
    outcome.directories.extend(after.directories)


def normalize_temp_names(message: str) -> str:
    """``message`` with TF's random temporary-file suffixes (``.tmp`` and 32 hex digits,
    spec.md 10.3.3) replaced by ``.tmp`` and 32 zeros."""
    return _TEMP_SUFFIX.sub(".tmp" + "0" * 32, message)
