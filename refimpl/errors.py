"""Exception types TF raises that Python has no counterpart for."""

from __future__ import annotations


class OpError(Exception):
    """Counterpart of ``tf.errors.OpError``: an error with a canonical error code."""

    error_code = 2  # UNKNOWN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FailedPreconditionError(OpError):
    """Counterpart of ``tf.errors.FailedPreconditionError`` (code 9)."""

    error_code = 9
