"""The warnings TensorFlow logs, collected: ``collect_warnings``.

TF logs its export's warnings on the ``tensorflow`` logger (spec.md 8.5); the TF worker
(``conformance.tf.worker``) and the TF testee (``conformance.tf.testee``) record them as
part of TF's outcome. (refimpl needs no such thing: ``refimpl.run_exports`` returns its
warnings as data.)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

__all__ = ["collect_warnings"]


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@contextlib.contextmanager
def collect_warnings(
    into: list[str] | None = None, logger: str = "tensorflow"
) -> Iterator[list[str]]:
    """Within the block, the messages logged at WARNING level or above on ``logger`` are
    appended, in order, to ``into`` (default: a new list), which it yields."""
    messages: list[str] = [] if into is None else into
    handler = _ListHandler(messages)
    log = logging.getLogger(logger)
    log.addHandler(handler)
    try:
        yield messages
    finally:
        log.removeHandler(handler)
