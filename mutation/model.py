"""A planted bug and what the corpus did to it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OPTIONAL_RULES", "STATUSES", "Mutant", "MutantResult", "rule_section"]

#: Rules of OPTIONAL behaviour (accidents of TF's implementation, ``conformance.corpus``
#: "Levels"): a case of any level guards them. Every other rule is a MUST rule, guarded only
#: by a REQUIRED or RECOMMENDED case.
OPTIONAL_RULES: frozenset[str] = frozenset(
    {"0.4.2", "4.1.7", "4.2.5", "4.2.6", "4.3.2", "5.3", "10.2.7"}
)

#: What can happen to a mutant, in report order.
STATUSES: tuple[str, ...] = (
    "caught",
    "escaped",
    "equivalent",
    "refuted",  # marked equivalent, yet a case fails (``--check-equivalent``)
    "awaiting",
    "stale",
)


@dataclass(frozen=True)
class Mutant:
    """One realistic porting bug: ``original`` replaced by ``replacement`` in ``file``.

    ``rule`` is the spec.md rule the bug breaks; ``equivalent`` (why no exporter's output
    can differ) marks a mutant no case can catch; ``awaiting`` names the area whose cases
    another piece of work adds (the mutant escapes the current corpus until they land).
    """

    id: str
    rule: str
    description: str
    file: str
    original: str
    replacement: str
    equivalent: str = ""
    awaiting: str = ""


@dataclass(frozen=True)
class MutantResult:
    """The verdict on one mutant: ``status`` is one of ``STATUSES``.

    ``case`` and ``level`` name the first failing case (for "caught", and for an escaped
    mutant caught only below its rule's level); ``detail`` says how it failed.
    """

    mutant: Mutant
    status: str
    case: str = ""
    level: str = ""
    detail: str = ""
    seconds: float = 0.0


def rule_section(rule: str) -> str:
    """The spec section a rule belongs to, for the report: its subsection in sections 4
    and 10 (which spec.md divides: ``4.2`` for ``4.2.3``), else its section (``8``)."""
    parts = rule.split(".")
    return ".".join(parts[:2]) if parts[0] in ("4", "10") else parts[0]
