"""Public path of the hypothesis strategies of random export cases: ``programs()``,
``export_args()``, ``cases()``, ...

The implementation is ``conformance.gen.strategies`` (the generators of the suite).
"""

from __future__ import annotations

from conformance.gen.strategies import (
    STEP_PARAMS,
    Case,
    Program,
    Step,
    cases,
    chunks,
    export_args,
    programs,
    source_steps,
    steps,
)

__all__ = [
    "STEP_PARAMS",
    "Case",
    "Program",
    "Step",
    "cases",
    "chunks",
    "export_args",
    "programs",
    "source_steps",
    "steps",
]
