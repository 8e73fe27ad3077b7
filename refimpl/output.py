"""File contents and file writing (spec.md section 10): the only I/O in refimpl."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from google.protobuf.message import DecodeError, Message

from refimpl import rules
from refimpl.errors import FailedPreconditionError, io_error
from refimpl.protobuf_runtime import REFERENCE_VERSION, ProtobufRuntime, protobuf_runtime
from refimpl.text_any import recorded_decode_error
from refimpl.text_output import TextStyle, message_to_string
from refimpl.text_pool import tf_text_pool
from refimpl.tf_release import REFERENCE_RELEASE, TFRelease


def text_call_fails(as_text: object, runtime: ProtobufRuntime, release: TFRelease | None) -> bool:
    """Rule 0.3.2: the release passes ``float_format=''`` to a text format that no longer
    takes it (TF 2.20 on protobuf 7): its text call raises ``TypeError``, after
    ``write_graph`` made the file's directory."""
    return (
        bool(as_text)
        and release is not None
        and release.text_str_floats
        and (not runtime.text_float_format)
    )


def serialize(
    message: Message,
    as_text: object,
    runtime: ProtobufRuntime | None = None,
    release: TFRelease | None = None,
) -> bytes:
    """The bytes TF writes for ``message``: text format (UTF-8, rule 10.2) if ``as_text`` is
    truthy, else the deterministic binary serialization (rule 10.1).

    An ``Any`` that does not parse fails the text as it does under ``runtime`` (the one TF
    ran on; default: the reference runtime), rule 10.2.7, and expands the ``Any`` types
    ``release``'s process knows (its descriptor pool); floats print as ``release``
    prints them (default: the reference release), rules 10.2.3 and 0.3.2.
    """
    if as_text:
        rules.applied("10.2.1", "10.2.2", "10.2.3", "10.2.4", "10.2.5", "10.2.6", "10.2.7")
        recorded = runtime or protobuf_runtime(REFERENCE_VERSION)
        pool_release = release.version if release is not None else REFERENCE_RELEASE
        style = TextStyle(
            str_floats=release is not None and release.text_str_floats,
            ascii_strings=not recorded.text_utf8_strings,
        )
        if style.str_floats:
            rules.applied("0.3.2")  # the release passes float_format=''
            if text_call_fails(as_text, recorded, release):
                raise TypeError(
                    "MessageToString() got an unexpected keyword argument 'float_format'"
                )
        if style.ascii_strings:
            rules.applied("0.3.1")  # the recorded runtime's as_utf8 default
        try:
            text = message_to_string(message, tf_text_pool(pool_release), style)
        except DecodeError as e:
            rules.applied("0.3.1")  # the recorded runtime words the error
            raise recorded_decode_error(e, message, recorded, pool_release) from None
        return text.encode("utf-8")
    rules.applied("10.1.1", "10.1.2", "10.1.3")
    return message.SerializeToString(deterministic=True)


def debug_filename(filename: str) -> str:
    """Rule 10.3.5: the meta file's name with its extension replaced by '.debug'."""
    rules.applied("10.3.5")
    return os.path.splitext(filename)[0] + ".debug"


@dataclass(frozen=True)
class FileWrite:
    """One file the export writes: where (as given, relative to the CWD) and what.

    ``directories_only``: only the parent directories are made (rule 10.3.2), no file: what
    a release's ``write_graph`` does before its text call fails (``text_call_fails``)."""

    path: str
    content: bytes
    directories_only: bool = False


def check_filename(filename: object) -> str:
    """The file name as TF accepts it (str or os.PathLike of str); bytes fail as in TF
    (rules 2.9, 10.3.1)."""
    rules.applied("10.3.1")
    path = os.fspath(filename)  # type: ignore[call-overload]
    if isinstance(path, bytes):
        raise TypeError("startswith first arg must be bytes or a tuple of bytes, not str")
    assert isinstance(path, str)
    return path


def write_file(write: FileWrite) -> None:
    """Creates the parent directories, then writes atomically (temp file + rename): rules
    10.3.1-10.3.3. A failing system call raises TF's error for its errno (``io_error``)."""
    rules.applied("10.3.1", "10.3.2")
    logdir = os.path.dirname(write.path)
    if logdir and not logdir.startswith("gs:"):
        _make_dirs(logdir)
    if write.directories_only:
        return
    rules.applied("10.3.3")
    path = os.path.join(logdir, os.path.basename(write.path))
    tmp = path + ".tmp" + uuid.uuid4().hex
    try:
        with open(tmp, "wb") as f:
            f.write(write.content)
    except OSError as e:
        raise io_error(tmp, e) from None
    try:
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        raise io_error(tmp, e) from None


def _split(path: str) -> tuple[str, str]:
    """TF's ``io::SplitPath`` of a plain path: (dirname, basename) at the last '/'."""
    pos = path.rfind("/")
    if pos < 0:
        return "", path
    if pos == 0:
        return "/", path[1:]
    return path[:pos], path[pos + 1 :]


def _make_dirs(logdir: str) -> None:
    """TF's ``RecursivelyCreateDir`` (rule 10.3.2): from ``logdir`` up, the first prefix
    that exists (links followed; a dangling or looping link does not exist) must be a
    directory, else FailedPreconditionError; the prefixes below it are created in order,
    an existing entry (``EEXIST``) passed over, any other failure TF's error for it."""
    remaining = logdir
    missing: list[str] = []
    while remaining:
        if os.path.exists(remaining):
            if os.path.isdir(remaining):
                break
            raise FailedPreconditionError(f"{remaining} is not a directory")
        dirname, basename = _split(remaining)
        if basename:
            missing.append(basename)
        remaining = dirname
    built = remaining
    for name in reversed(missing):
        built = name if not built else (built + name if built.endswith("/") else f"{built}/{name}")
        try:
            os.mkdir(built, 0o755)
        except FileExistsError:
            continue
        except OSError as e:
            raise io_error(built, e) from None
