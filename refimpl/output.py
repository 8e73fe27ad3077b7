"""File contents and file writing (spec.md section 10): the only I/O in refimpl."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from google.protobuf.message import DecodeError, Message

from refimpl import rules
from refimpl.errors import FailedPreconditionError
from refimpl.protobuf_runtime import REFERENCE_VERSION, ProtobufRuntime, protobuf_runtime
from refimpl.text_any import recorded_decode_error
from refimpl.text_output import message_to_string
from refimpl.text_pool import tf_text_pool


def serialize(message: Message, as_text: object, runtime: ProtobufRuntime | None = None) -> bytes:
    """The bytes TF writes for ``message``: text format (UTF-8, rule 10.2) if ``as_text`` is
    truthy, else the deterministic binary serialization (rule 10.1).

    An ``Any`` that does not parse fails the text as it does under ``runtime`` (the one TF
    ran on; default: the reference runtime), rule 10.2.7.
    """
    if as_text:
        rules.applied("10.2.1", "10.2.2", "10.2.3", "10.2.4", "10.2.5", "10.2.6", "10.2.7")
        try:
            text = message_to_string(message, tf_text_pool())
        except DecodeError as e:
            rules.applied("0.3.1")  # the recorded runtime words the error
            recorded = runtime or protobuf_runtime(REFERENCE_VERSION)
            raise recorded_decode_error(e, message, recorded) from None
        return text.encode("utf-8")
    rules.applied("10.1.1", "10.1.2", "10.1.3")
    return message.SerializeToString(deterministic=True)


def debug_filename(filename: str) -> str:
    """Rule 10.3.5: the meta file's name with its extension replaced by '.debug'."""
    rules.applied("10.3.5")
    return os.path.splitext(filename)[0] + ".debug"


@dataclass(frozen=True)
class FileWrite:
    """One file the export writes: where (as given, relative to the CWD) and what."""

    path: str
    content: bytes


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
    10.3.1-10.3.3."""
    rules.applied("10.3.1", "10.3.2")
    logdir = os.path.dirname(write.path)
    if logdir and not logdir.startswith("gs:"):
        _make_dirs(logdir)
    rules.applied("10.3.3")
    path = os.path.join(logdir, os.path.basename(write.path))
    tmp = path + ".tmp" + uuid.uuid4().hex
    try:
        with open(tmp, "wb") as f:
            f.write(write.content)
    except IsADirectoryError:
        raise FailedPreconditionError(f"{tmp}; Is a directory") from None
    except NotADirectoryError:
        raise FailedPreconditionError(f"{logdir} is not a directory") from None
    try:
        os.replace(tmp, path)
    except IsADirectoryError:
        os.unlink(tmp)
        raise FailedPreconditionError(f"{tmp}; Is a directory") from None
    except OSError:
        os.unlink(tmp)
        raise


def _make_dirs(logdir: str) -> None:
    try:
        os.makedirs(logdir, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = logdir
        while blocker and not os.path.exists(blocker):
            blocker = os.path.dirname(blocker)
        raise FailedPreconditionError(f"{blocker} is not a directory") from None
