"""The numbered rules of spec.md, which corpus cases name (``CorpusCase.rules``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from conformance.corpus.files import REPO_ROOT

__all__ = ["sorted_rules", "spec_rule_numbers"]

_RULE_HEADING = re.compile(r"^(?:- )?\*\*(\d+(?:\.\d+)+)\b", re.MULTILINE)


def spec_rule_numbers(spec: Path = REPO_ROOT / "spec.md") -> list[str]:
    """The rule numbers spec.md defines (``**N.N[.N]`` starting a line or a bullet), in order."""
    return _RULE_HEADING.findall(spec.read_text(encoding="utf-8"))


def sorted_rules(rules: Sequence[str]) -> list[str]:
    """Rule numbers de-duplicated, in numeric order (``4.2.10`` after ``4.2.9``)."""
    return sorted(set(rules), key=lambda r: tuple(int(p) for p in r.split(".")))
