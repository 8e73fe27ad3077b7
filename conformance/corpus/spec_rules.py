"""The numbered rules of spec.md, which corpus cases name (``CorpusCase.rules``: the
trace of the case's exports; ``CorpusCase.tagged_rules``: the rules given by hand)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from conformance.corpus.files import REPO_ROOT
from conformance.protocol.conformance_pb2 import CorpusCase

__all__ = ["case_rules", "rule_paragraphs", "sorted_rules", "spec_rule_numbers"]

_RULE_HEADING = re.compile(r"^(?:- )?\*\*(\d+(?:\.\d+)+)\b", re.MULTILINE)


def spec_rule_numbers(spec: Path = REPO_ROOT / "spec.md") -> list[str]:
    """The rule numbers spec.md defines (``**N.N[.N]`` starting a line or a bullet), in order."""
    return _RULE_HEADING.findall(spec.read_text(encoding="utf-8"))


def rule_paragraphs(text: str) -> dict[str, str]:
    """Each numbered rule of spec.md's ``text`` -> its text, up to the next rule or heading."""
    starts = [(m.start(), m.group(1)) for m in _RULE_HEADING.finditer(text)]
    headings = [m.start() for m in re.finditer(r"^#", text, re.MULTILINE)]
    out = {}
    for i, (start, number) in enumerate(starts):
        ends = [h for h in headings if h > start]
        if i + 1 < len(starts):
            ends.append(starts[i + 1][0])
        out[number] = text[start : min(ends, default=len(text))]
    return out


def case_rules(case: CorpusCase) -> list[str]:
    """Every rule a case exercises: its trace and its hand-tagged rules, in numeric order."""
    return sorted_rules([*case.rules, *case.tagged_rules])


def sorted_rules(rules: Sequence[str]) -> list[str]:
    """Rule numbers de-duplicated, in numeric order (``4.2.10`` after ``4.2.9``)."""
    return sorted(set(rules), key=lambda r: tuple(int(p) for p in r.split(".")))
