"""Every rule of spec.md sections 2 to 10 is applied by some corpus case (spec.md 13.1).

refimpl records the rules it applies (``refimpl.rules``); the union of the traces of every
corpus case's exports must cover each numbered rule of sections 2 to 10, unless spec.md
marks the rule *Coverage: not traced*, with the reason. A marked rule must really be
untraced (a stale mark fails too).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import refimpl
from conformance.corpus import from_arguments, load_corpus

SPEC = Path(__file__).resolve().parent.parent / "spec.md"
NORMATIVE_SECTIONS = range(2, 11)
_RULE = re.compile(r"^(?:- )?\*\*(\d+(?:\.\d+)+)\b", re.MULTILINE)
_NOT_TRACED = "*Coverage: not traced"


def rule_paragraphs(text: str) -> dict[str, str]:
    """Each numbered rule of ``text`` -> its text, up to the next rule or heading."""
    starts = [(m.start(), m.group(1)) for m in _RULE.finditer(text)]
    ends = [m.start() for m in re.finditer(r"^#", text, re.MULTILINE)]
    out = {}
    for i, (start, number) in enumerate(starts):
        following = [e for e in ends if e > start]
        if i + 1 < len(starts):
            following.append(starts[i + 1][0])
        out[number] = text[start : min(following, default=len(text))]
    return out


def normative_rules() -> dict[str, str]:
    """The rules of sections 2 to 10 and their text."""
    rules = rule_paragraphs(SPEC.read_text(encoding="utf-8"))
    return {n: t for n, t in rules.items() if int(n.split(".")[0]) in NORMATIVE_SECTIONS}


def _traces(directory: Path) -> Iterator[tuple[str, ...]]:
    for case in load_corpus():
        graph = refimpl.load_snapshot(case.snapshot)
        exports = [from_arguments(case.arguments)] + [from_arguments(t) for t in case.then]
        workdir = directory / case.name
        workdir.mkdir()
        os.chdir(workdir)
        yield refimpl.run_exports(graph, exports, trace=True).rules


@cache
def applied_by_the_corpus(directory: Path) -> frozenset[str]:
    """Every rule some corpus case's exports apply (files really written, under directory)."""
    previous = os.getcwd()
    try:
        return frozenset(rule for trace in _traces(directory) for rule in trace)
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    return applied_by_the_corpus(tmp_path_factory.mktemp("exports"))


def test_every_rule_of_sections_2_to_10_is_applied_by_a_corpus_case(
    applied: frozenset[str],
) -> None:
    missing = [
        n for n, text in normative_rules().items() if n not in applied and _NOT_TRACED not in text
    ]
    assert not missing, f"rules no corpus case applies (add cases, or mark them): {missing}"


def test_rules_marked_not_traced_are_not_traced(applied: frozenset[str]) -> None:
    stale = [n for n, text in normative_rules().items() if _NOT_TRACED in text and n in applied]
    assert not stale, f"rules marked 'not traced' that refimpl traces: {stale}"


def test_every_traced_rule_is_a_rule_of_the_spec(applied: frozenset[str]) -> None:
    known = rule_paragraphs(SPEC.read_text(encoding="utf-8"))
    assert sorted(applied - set(known)) == []


def test_rule_paragraphs_end_at_the_next_rule_or_heading() -> None:
    text = "**1.1 A.** one\n- **1.2** two\n## 2. B\n**2.1 C.** three\n"
    assert rule_paragraphs(text) == {
        "1.1": "**1.1 A.** one\n",
        "1.2": "- **1.2** two\n",
        "2.1": "**2.1 C.** three\n",
    }
