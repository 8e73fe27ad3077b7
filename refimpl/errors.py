"""Exception types TF raises that Python has no counterpart for."""

from __future__ import annotations

import errno
import os


class OpError(Exception):
    """Counterpart of ``tf.errors.OpError``: an error with a canonical error code."""

    error_code = 2  # UNKNOWN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FailedPreconditionError(OpError):
    """Counterpart of ``tf.errors.FailedPreconditionError`` (code 9)."""

    error_code = 9


class CancelledError(OpError):
    """Counterpart of ``tf.errors.CancelledError`` (code 1)."""

    error_code = 1


class UnknownError(OpError):
    """Counterpart of ``tf.errors.UnknownError`` (code 2)."""

    error_code = 2


class InvalidArgumentError(OpError):
    """Counterpart of ``tf.errors.InvalidArgumentError`` (code 3)."""

    error_code = 3


class DeadlineExceededError(OpError):
    """Counterpart of ``tf.errors.DeadlineExceededError`` (code 4)."""

    error_code = 4


class NotFoundError(OpError):
    """Counterpart of ``tf.errors.NotFoundError`` (code 5)."""

    error_code = 5


class AlreadyExistsError(OpError):
    """Counterpart of ``tf.errors.AlreadyExistsError`` (code 6)."""

    error_code = 6


class PermissionDeniedError(OpError):
    """Counterpart of ``tf.errors.PermissionDeniedError`` (code 7)."""

    error_code = 7


class ResourceExhaustedError(OpError):
    """Counterpart of ``tf.errors.ResourceExhaustedError`` (code 8)."""

    error_code = 8


class AbortedError(OpError):
    """Counterpart of ``tf.errors.AbortedError`` (code 10)."""

    error_code = 10


class OutOfRangeError(OpError):
    """Counterpart of ``tf.errors.OutOfRangeError`` (code 11)."""

    error_code = 11


class UnimplementedError(OpError):
    """Counterpart of ``tf.errors.UnimplementedError`` (code 12)."""

    error_code = 12


class UnavailableError(OpError):
    """Counterpart of ``tf.errors.UnavailableError`` (code 14)."""

    error_code = 14


def _codes(names: str) -> frozenset[int]:
    return frozenset(getattr(errno, n) for n in names.split() if hasattr(errno, n))


#: TF's errno -> error class (``ErrnoToCode`` of TF's platform layer); any other errno
#: (``ELOOP``, ``EIO``, ...) is an ``UnknownError``.
_BY_ERRNO: tuple[tuple[frozenset[int], type[OpError]], ...] = (
    (
        _codes(
            "EINVAL ENAMETOOLONG E2BIG EDESTADDRREQ EDOM EFAULT EILSEQ ENOPROTOOPT ENOSTR "
            "ENOTSOCK ENOTTY EPROTOTYPE ESPIPE"
        ),
        InvalidArgumentError,
    ),
    (_codes("ETIMEDOUT ETIME"), DeadlineExceededError),
    (_codes("ENODEV ENOENT ENXIO ESRCH"), NotFoundError),
    (_codes("EEXIST EADDRNOTAVAIL EALREADY"), AlreadyExistsError),
    (_codes("EPERM EACCES EROFS"), PermissionDeniedError),
    (
        _codes(
            "ENOTEMPTY EISDIR ENOTDIR EADDRINUSE EBADF EBUSY ECHILD EISCONN ENOTBLK ENOTCONN "
            "EPIPE ESHUTDOWN ETXTBSY"
        ),
        FailedPreconditionError,
    ),
    (
        _codes("ENOSPC EDQUOT EMFILE EMLINK ENFILE ENOBUFS ENODATA ENOMEM ENOSR EUSERS"),
        ResourceExhaustedError,
    ),
    (_codes("EFBIG EOVERFLOW ERANGE"), OutOfRangeError),
    (
        _codes("ENOSYS ENOTSUP EAFNOSUPPORT EPFNOSUPPORT EPROTONOSUPPORT ESOCKTNOSUPPORT EXDEV"),
        UnimplementedError,
    ),
    (
        _codes(
            "EAGAIN ECONNREFUSED ECONNABORTED ECONNRESET EINTR EHOSTDOWN EHOSTUNREACH "
            "ENETDOWN ENETRESET ENETUNREACH ENOLCK ENOLINK ENONET"
        ),
        UnavailableError,
    ),
    (_codes("EDEADLK ESTALE"), AbortedError),
    (_codes("ECANCELED"), CancelledError),
)


def io_error(context: str, error: OSError) -> OpError:
    """The error TF raises for a failed system call on ``context`` (its ``IOError``):
    the class its errno maps to, message ``"<context>; <strerror>"``."""
    number = error.errno or 0
    cls: type[OpError] = UnknownError
    for numbers, candidate in _BY_ERRNO:
        if number in numbers:
            cls = candidate
            break
    return cls(f"{context}; {os.strerror(number)}")
