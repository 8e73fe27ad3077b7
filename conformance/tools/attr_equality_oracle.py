"""TensorFlow's own AttrValue equality, as a subprocess oracle (run in a TF process).

``python -m conformance.tools.attr_equality_oracle`` reads pairs of serialized
``tensorflow.AttrValue`` messages from stdin and answers each with TF's verdict
from ``pywrap_tf_session.EqualAttrValueWrapper`` (the C++ ``AreAttrValuesEqual``
that ``strip_default_attrs`` uses).

Protocol (all integers unsigned 32-bit little-endian):

* request, repeated until EOF: ``len(a) a len(b) b``;
* reply to each request, flushed at once: one byte, ``b"1"`` if TF says equal,
  ``b"0"`` if it says different, ``b"E"`` if TF rejected the input (for
  example bytes that do not parse as an AttrValue).

``--version`` prints TensorFlow's version and exits.

This module imports only TensorFlow and google.protobuf (never ``refimpl.pb``,
whose modules define the same ``tensorflow.*`` names).
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable
from typing import BinaryIO

EQUAL = b"1"
DIFFERENT = b"0"
ERROR = b"E"


def load_wrapper() -> Callable[[bytes, bytes], str]:
    """Imports TensorFlow and returns ``EqualAttrValueWrapper``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.python.client import pywrap_tf_session as c_api

    wrapper: Callable[[bytes, bytes], str] = c_api.EqualAttrValueWrapper
    return wrapper


def tf_version() -> str:
    """TensorFlow's version string."""
    import tensorflow as tf

    version: str = tf.version.VERSION
    return version


def verdict(wrapper: Callable[[bytes, bytes], str], a: bytes, b: bytes) -> bytes:
    """TF's verdict on one pair of serialized AttrValues."""
    try:
        diff = wrapper(a, b)
    except UnicodeDecodeError:
        # TF's (non-empty) difference message quoted bytes that are not UTF-8;
        # an empty message, meaning equal, always decodes.
        return DIFFERENT
    except Exception:  # noqa: BLE001 - any rejection is reported as ERROR
        return ERROR
    if not isinstance(diff, str):
        return ERROR
    if diff == "":
        return EQUAL
    if "does not match" in diff:
        return DIFFERENT
    return ERROR


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks: list[bytes] = []
    remaining = n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("truncated request")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_message(stream: BinaryIO, *, eof_ok: bool) -> bytes | None:
    """One length-prefixed message; None at a clean EOF if ``eof_ok``."""
    first = stream.read(1)
    if not first:
        if eof_ok:
            return None
        raise EOFError("request with no second AttrValue")
    (size,) = struct.unpack("<I", first + _read_exact(stream, 3))
    return _read_exact(stream, size)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Answers every pair on ``stdin``; returns the number of pairs answered."""
    wrapper = load_wrapper()
    count = 0
    while True:
        a = _read_message(stdin, eof_ok=True)
        if a is None:
            return count
        b = _read_message(stdin, eof_ok=False)
        assert b is not None
        stdout.write(verdict(wrapper, a, b))
        stdout.flush()
        count += 1


def main(argv: list[str]) -> int:
    if argv == ["--version"]:
        print(tf_version())
        return 0
    if argv:
        print(f"usage: python -m {__spec__.name if __spec__ else __name__} [--version]")
        return 2
    # Keep the protocol stream private: anything else printed (by TF's import,
    # say) goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, replies)
    replies.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
