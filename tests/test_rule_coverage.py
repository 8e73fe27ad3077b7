"""Every rule of spec.md sections 2 to 10 is applied by some corpus case (spec.md 13.1).

refimpl records the rules it applies (``refimpl.rules``); the union of the traces of every
corpus case's exports (TF 2.21's corpus, and the other releases' for the rules that hold
only there, such as 10.4.12) must cover each numbered rule of sections 2 to 10, unless spec.md
marks the rule *Coverage: not traced*, with the reason. A marked rule must really be
untraced (a stale mark fails too).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from conformance.corpus import case_trace, load_corpus, rule_paragraphs, sorted_rules
from conformance.corpus.releases import corpus_directory, release_corpora

SPEC = Path(__file__).resolve().parent.parent / "spec.md"
NORMATIVE_SECTIONS = range(2, 11)
_NOT_TRACED = "*Coverage: not traced"


def normative_rules() -> dict[str, str]:
    """The rules of sections 2 to 10 and their text."""
    rules = rule_paragraphs(SPEC.read_text(encoding="utf-8"))
    return {n: t for n, t in rules.items() if int(n.split(".")[0]) in NORMATIVE_SECTIONS}


@cache
def applied_by_the_corpus() -> frozenset[str]:
    """Every rule some corpus case's exports apply (files really written), over every
    release's corpus."""
    return frozenset(
        rule
        for release in release_corpora()  # 2.21's included
        for case in load_corpus(corpus_directory(release))
        for rule in case_trace(case)
    )


@pytest.fixture(scope="module")
def applied() -> frozenset[str]:
    return applied_by_the_corpus()


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


def test_each_corpus_case_names_the_rules_its_exports_apply() -> None:
    cases = load_corpus()[::10]
    differing = [c.name for c in cases if list(c.rules) != sorted_rules(case_trace(c))]
    assert not differing, f"cases whose rules are not their trace (regenerate): {differing[:5]}"
