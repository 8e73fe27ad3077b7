"""Which numbered rules of spec.md an export applied, in order: rule tracing.

Where refimpl applies a numbered rule of spec.md it calls ``applied("4.2.5")`` (the
number exactly as spec.md writes it). Recording is a no-op unless a trace is active in
the current context (a ``contextvars.ContextVar``, so threads and asyncio tasks each
have their own); ``tracing()`` activates one:

    with rules.tracing() as trace:
        refimpl.plan(graph, "m.meta", export_scope="s")
    trace.rules  # ("2.1", "2.4", "2.8", "3.1", ...)

``refimpl.plan`` / ``refimpl.plan_export`` with ``trace=True`` do this themselves and
return the rules in ``ExportResult.rules``.

**What a trace holds.** Each rule once, in the order of its first application: a rule
applied in a loop (once per node, per item, per name) is recorded the first time only,
so a trace is short whatever the graph's size. A rule whose check fails is recorded
before the error is raised, so the last rules of a failed export's trace name the
failing step. Rules are recorded where the code applies them, and only then: a rule of
a branch that was not taken (or of a loop over nothing) is absent.

**Nesting.** Traces nest: an inner ``tracing()`` holds only what was applied inside it;
every enclosing trace holds that too (it was applied during the enclosing one as well).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Trace", "applied", "tracing"]


class Trace:
    """The rules applied while a ``tracing()`` block was active, in order of first use."""

    __slots__ = ("_parent", "_seen")

    def __init__(self, parent: Trace | None = None) -> None:
        self._seen: dict[str, None] = {}
        self._parent = parent

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule numbers, each once, in the order they were first applied."""
        return tuple(self._seen)

    def _record(self, rule: str) -> None:
        trace: Trace | None = self
        # An enclosing trace holds everything an inner one holds: stop at the first
        # trace that already has the rule.
        while trace is not None and rule not in trace._seen:
            trace._seen[rule] = None
            trace = trace._parent


_ACTIVE: ContextVar[Trace | None] = ContextVar("refimpl_rules_trace", default=None)


def applied(rule: str, *more: str) -> None:
    """Records that spec.md's rule ``rule`` (and ``more``, in order) was applied.

    A no-op unless a trace is active in the current context.
    """
    trace = _ACTIVE.get()
    if trace is None:
        return
    trace._record(rule)
    for other in more:
        trace._record(other)


@contextmanager
def tracing() -> Iterator[Trace]:
    """Collects the rules applied in this context until the block ends."""
    trace = Trace(_ACTIVE.get())
    token = _ACTIVE.set(trace)
    try:
        yield trace
    finally:
        _ACTIVE.reset(token)
