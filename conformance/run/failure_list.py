"""Failure lists: the known failures of a testee, in a form that cannot rot.

Format (docs/conformance-protocol.md, "Failure lists"), UTF-8 text, one entry a line::

    # comments start with '#', anywhere on a line; blank lines are ignored
    <case name> <reason>

``<reason>`` is the reason the runner reports for the case (``error-message``,
``files+returned``, ``timeout``, ...; see ``conformance.run.verdicts``), or ``*`` for any
reason. Given a failure list, a run fails if a listed case passes, if an unlisted case
fails, if a listed case fails for another reason, or if the list names a case that
does not exist. A listed case that is skipped is only noted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ANY_REASON",
    "FailureList",
    "FailureListError",
    "expectation",
    "format_failure_list",
    "parse_failure_list",
    "updated_entries",
]

ANY_REASON = "*"
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")
_REASON = re.compile(r"^[A-Za-z0-9_.+\-]+$|^\*$")
HEADER = (
    "# metagraph-conformance failure list, format 1 (docs/conformance-protocol.md).\n"
    "# One known failure a line: <case name> <reason>; '*' accepts any reason.\n"
)


class FailureListError(ValueError):
    """A failure list that cannot be read."""


@dataclass
class FailureList:
    """Case name -> expected failure reason (or ``ANY_REASON``)."""

    entries: dict[str, str]
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> FailureList:
        """Reads ``path``; a missing file is an empty list (so ``--update`` can create it)."""
        if not path.exists():
            return cls({}, path)
        return cls(parse_failure_list(path.read_text(encoding="utf-8"), str(path)), path)


def parse_failure_list(text: str, where: str = "failure list") -> dict[str, str]:
    """The entries of a failure list; ``FailureListError`` on a malformed line."""
    entries: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise FailureListError(
                f"{where}:{number}: expected '<case name> <reason>', got {raw.strip()!r}"
            )
        name, reason = parts
        if not _NAME.match(name):
            raise FailureListError(f"{where}:{number}: not a case name: {name!r}")
        if not _REASON.match(reason):
            raise FailureListError(f"{where}:{number}: not a reason: {reason!r}")
        if name in entries:
            raise FailureListError(f"{where}:{number}: {name} is listed twice")
        entries[name] = reason
    return entries


def format_failure_list(entries: Mapping[str, str]) -> str:
    """The text of a failure list with these entries, sorted by case name."""
    width = max((len(n) for n in entries), default=0)
    body = "".join(f"{name:<{width}} {entries[name]}\n" for name in sorted(entries))
    return HEADER + body


def expectation(status: str, reason: str, listed: str | None) -> tuple[str, str]:
    """The final status of a case given its verdict and its failure-list entry.

    ``status`` is the verdict's ("pass", "fail" or "skip"), ``reason`` its reason,
    ``listed`` the listed reason (None if unlisted). Returns (final status, note):
    "pass", "fail", "skip", "xfail" (failed as listed: fine), "xpass" (listed, passed:
    the run fails) or "wrong-reason" (listed, failed otherwise: the run fails).
    """
    if listed is None:
        return status, ""
    if status == "pass":
        return "xpass", f"listed as failing ({listed}) but passed: remove it from the failure list"
    if status == "skip":
        return "skip", f"listed as failing ({listed}) but skipped, so not checked"
    if listed == ANY_REASON or listed == reason:
        return "xfail", f"expected failure ({listed})"
    return "wrong-reason", f"listed as failing with {listed}, but failed with {reason}"


def updated_entries(
    old: Mapping[str, str],
    known: Iterable[str],
    selected: Iterable[str],
    failures: Mapping[str, str],
) -> dict[str, str]:
    """The rewritten list: unselected known cases keep their entries; selected ones get
    their current failure (an entry with ``*`` that still fails keeps ``*``)."""
    known_set, selected_set = set(known), set(selected)
    out = {n: r for n, r in old.items() if n in known_set and n not in selected_set}
    for name, reason in failures.items():
        out[name] = ANY_REASON if old.get(name) == ANY_REASON else reason
    return out
