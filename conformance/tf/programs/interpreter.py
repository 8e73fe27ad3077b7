"""The interpreter of graph programs: ``run_program`` builds a program into the default
graph, step by step, each in a ``try`` (a step TF refuses is skipped and traced), with
its modifiers (name scope, device, colocation, control dependencies) around it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.tf.programs.model import KINDS, Resolved, Skip, Step, resolve


@dataclass
class Ctx:
    tf: Any
    np: Any
    results: list[Any]
    resolved: Resolved
    step_index: int
    finalize: bool = False

    @property
    def v1(self) -> Any:
        return self.tf.compat.v1

    def ref(self, fld: str) -> Any:
        j = self.resolved.refs.get(fld)
        if j is None:
            raise Skip(f"no candidate for {fld}")
        value = self.results[j]
        if value is None:
            raise Skip(f"{fld} refers to skipped step {j}")
        return value

    def opt_ref(self, fld: str, step: Step) -> Any:
        return None if step.get(fld) is None else self.ref(fld)

    def refs(self, fld: str) -> list[Any]:
        values = []
        for j in self.resolved.lists.get(fld, []):
            if j is None:
                raise Skip(f"no candidate for {fld}")
            if self.results[j] is None:
                raise Skip(f"{fld} refers to skipped step {j}")
            values.append(self.results[j])
        return values

    def optional_refs(self, fld: str) -> list[Any]:
        """The values a single or list reference resolves to, without the skipped ones."""
        js = self.resolved.lists.get(fld, [self.resolved.refs.get(fld)])
        values = [self.results[j] for j in js if j is not None]
        return [v for v in values if v is not None]

    def dtype(self, name: str) -> Any:
        return getattr(self.tf, name)

    def tensor(self, fld: str) -> Any:
        return self.tf.convert_to_tensor(self.ref(fld))


def as_op(x: Any) -> Any:
    """The operation of a tensor, variable or op."""
    op = getattr(x, "op", None)
    return x if op is None else op


def run_program(tf: Any, program: Sequence[Step]) -> list[str]:
    """Builds ``program`` into the current default graph; returns the trace.

    The trace has one line per step: ``"ok"``, or ``"skipped: <reason>"``.
    """
    import numpy as np

    resolved = resolve(program)
    results: list[Any] = []
    trace: list[str] = []
    finalize = False
    for i, step in enumerate(program):
        ctx = Ctx(tf, np, results, resolved[i], i)
        try:
            kind = KINDS[step["op"]]
            with _modifiers(ctx, step):
                value = kind.build(ctx, step)
            if value is None and kind.result is not None:
                raise Skip("built nothing")
            if hasattr(value, "mark_used"):  # tf_should_use: no "never used" log at GC
                value.mark_used()
            results.append(value if kind.result is not None else None)
            trace.append("ok")
            finalize = finalize or ctx.finalize
        except Skip as e:
            results.append(None)
            trace.append(f"skipped: {e}")
        except Exception as e:  # noqa: BLE001  (TF refused: skip the step)
            results.append(None)
            trace.append(f"skipped: {type(e).__name__}: {_short(str(e))}")
    if finalize:
        tf.compat.v1.get_default_graph().finalize()
    return trace


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@contextlib.contextmanager
def _modifiers(ctx: Ctx, step: Step) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for component in step.get("scope") or []:
            stack.enter_context(ctx.v1.name_scope(component))
        if step.get("device") is not None:
            stack.enter_context(ctx.tf.device(step["device"]))
        if step.get("colocate") is not None:
            target = ctx.optional_refs("colocate")
            if target:
                stack.enter_context(ctx.v1.colocate_with(as_op(target[0])))
        if step.get("deps"):
            deps = ctx.optional_refs("deps")
            if deps:
                stack.enter_context(ctx.tf.control_dependencies([as_op(x) for x in deps]))
        yield
