"""The testee's side of the conversation (docs/conformance-protocol.md, sections 3-4).

What every testee written in Python does the same way, whatever it exports with:
refimpl's (``refimpl.testee``) and the TF testee (``conformance.tf.testee``).

- ``serve``: the protocol loop: the ``Hello`` is answered with the handshake, then each
  ``ExportRequest`` with its ``ExportResponse``, until the runner closes stdin;
- ``in_fresh_directory``: runs a request's exports in a new, empty temporary working
  directory and returns what they returned and every regular file left there
  (``files_under``), then removes the directory;
- ``in_prepared_directory``: the same for a request with a pre-state (protocol 2): the
  pre-state is created first (``conformance.protocol.file_states``), the exports run where
  file modes bind, and everything left there is listed (``file_states.listing``);
- ``main``: runs ``serve`` on stdin and a private duplicate of stdout, with descriptor 1
  (and ``sys.stdout``) pointed at stderr, so that nothing but frames reaches the runner;
  exit status 0, or 2 after a ``ProtocolError``.

The message classes are the caller's (``messages``: a generated module or the namespace
``conformance.protocol.schema.load_messages`` builds), so that this module runs under any
protobuf runtime. It imports neither refimpl nor TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, TypeVar

from conformance.protocol import file_states
from conformance.protocol.framing import ProtocolError, decode, read_frame, write_message

__all__ = ["files_under", "in_fresh_directory", "in_prepared_directory", "main", "serve"]

T = TypeVar("T")


def serve(
    inp: BinaryIO,
    out: BinaryIO,
    messages: Any,
    handshake: Callable[[], object],
    handle: Callable[[Any], object],
) -> None:
    """The protocol loop: Hello -> ``handshake()``, then ``handle(request)`` for each
    ``ExportRequest`` until end of input. ``ProtocolError`` if the runner breaks the
    protocol (a truncated or oversized frame, a payload that is not the message due)."""
    data = read_frame(inp)
    if data is None:
        return
    # A runner speaking another version decides from our handshake what to do.
    decode(messages.Hello, data, "Hello")
    write_message(out, handshake())
    while (data := read_frame(inp)) is not None:
        write_message(out, handle(decode(messages.ExportRequest, data, "ExportRequest")))


def files_under(root: str) -> list[tuple[str, bytes]]:
    """Every regular file under ``root``: ('/'-separated relative path, content), sorted."""
    found: list[tuple[str, str]] = []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                found.append((os.path.relpath(path, root).replace(os.sep, "/"), path))
    out = []
    for rel, path in sorted(found):
        with open(path, "rb") as f:
            out.append((rel, f.read()))
    return out


def in_fresh_directory(
    run: Callable[[], T], prefix: str = "testee-"
) -> tuple[T, list[tuple[str, bytes]]]:
    """``run()`` in a new, empty temporary working directory: its result and the files it
    left there (``files_under``). The directory is removed, the working directory restored."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    previous = os.getcwd()
    try:
        os.chdir(workdir)
        try:
            result = run()
        finally:
            os.chdir(previous)
        return result, files_under(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def in_prepared_directory(
    run: Callable[[], T], entries: Sequence[file_states.Entry], prefix: str = "testee-"
) -> tuple[T, file_states.AfterState]:
    """``run()`` in a new working directory holding ``entries`` (created in order,
    ``file_states.create``), unprivileged when an entry is read-only
    (``file_states.run_unprivileged``: ``run``'s result must then pickle): its result and
    what the directory holds afterwards (``file_states.listing``). The directory is
    removed, the working directory restored."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    previous = os.getcwd()
    try:
        file_states.create(entries, workdir)
        os.chdir(workdir)
        try:
            if file_states.needs_unprivileged(entries):
                result = file_states.run_unprivileged(run, workdir)
            else:
                result = run()
        finally:
            os.chdir(previous)
        return result, file_states.listing(workdir)
    finally:
        file_states.make_removable(workdir)
        shutil.rmtree(workdir, ignore_errors=True)


def main(name: str, serve_on: Callable[[BinaryIO, BinaryIO], None]) -> int:
    """Runs ``serve_on(stdin, frames)``, where ``frames`` is a private copy of stdout and
    anything else printed lands on stderr; the exit status (2 after a ``ProtocolError``,
    0 otherwise, also when the runner went away)."""
    sys.stdout.flush()
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        serve_on(sys.stdin.buffer, frames)
    except ProtocolError as e:
        print(f"{name}: protocol error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    finally:
        with contextlib.suppress(BrokenPipeError):
            frames.close()
    return 0
