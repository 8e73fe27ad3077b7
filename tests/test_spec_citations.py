"""Cited tests apply their rules: a corpus case that spec.md cites under a rule
(``VS[<graph>-<argument set>]``) records that rule, or one of its sub-rules, in its trace
(``CorpusCase.rules``) or its hand-tagged rules (``CorpusCase.tagged_rules``).

A citation with ``*`` is a pattern over case names: at least one case it matches must
record the rule (the others may fail before reaching it, e.g. ``bad_variables-*`` under
``*-text``). Rules that say *Coverage: not traced*, the notation rule 0.6 and the index
sections 12 and 13 are not checked.
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache

import pytest

from conformance.corpus import REPO_ROOT, case_rules, load_corpus
from conformance.corpus.spec_rules import rule_paragraphs

SPEC = (REPO_ROOT / "spec.md").read_text(encoding="utf-8")
CITATION = re.compile(r"VS\[([^\]]+)\]")
#: Rules whose citations are not claims that a case applies them.
UNCHECKED_RULES = frozenset({"0.6"})
UNCHECKED_SECTIONS = frozenset({"12", "13"})


def citations(text: str = SPEC) -> list[tuple[str, str]]:
    """(rule, cited case or pattern) for every ``VS[...]`` citation under a checked rule."""
    out: list[tuple[str, str]] = []
    for rule, paragraph in rule_paragraphs(text).items():
        if rule in UNCHECKED_RULES or rule.split(".")[0] in UNCHECKED_SECTIONS:
            continue
        if "Coverage: not traced" in paragraph:
            continue
        out.extend((rule, cited) for cited in CITATION.findall(paragraph))
    return out


@cache
def corpus_rules() -> dict[str, frozenset[str]]:
    """Each committed corpus case's rules (trace and hand-tagged)."""
    return {case.name: frozenset(case_rules(case)) for case in load_corpus()}


def applies(rules: frozenset[str], rule: str) -> bool:
    """Whether ``rules`` hold ``rule`` or one of its sub-rules."""
    return any(r == rule or r.startswith(rule + ".") for r in rules)


def test_citations_are_found_under_their_rules() -> None:
    text = "**4.2.1 Inclusion.** x (`VS[a-b]`, `VS[*-c]`)\n\n**4.2.2 Strip.** (`VS[d-e]`)\n"
    assert citations(text) == [("4.2.1", "a-b"), ("4.2.1", "*-c"), ("4.2.2", "d-e")]


def test_untraced_rules_are_not_checked() -> None:
    text = "**9.4 Empty graph.** (`VS[empty-default]`) *Coverage: not traced — an example.*\n"
    assert citations(text) == []


def test_a_sub_rule_counts_for_its_rule() -> None:
    assert applies(frozenset({"8.4.1"}), "8.4")
    assert not applies(frozenset({"8.41"}), "8.4")


CITATIONS = citations()


@pytest.mark.parametrize(("rule", "cited"), CITATIONS, ids=[f"{r}:{c}" for r, c in CITATIONS])
def test_cited_cases_apply_the_rule_they_are_cited_under(rule: str, cited: str) -> None:
    cases = corpus_rules()
    matched = [name for name in cases if fnmatch.fnmatchcase(name, cited)]
    assert matched, f"rule {rule} cites VS[{cited}], which names no corpus case"
    assert any(applies(cases[name], rule) for name in matched), (
        f"rule {rule} cites VS[{cited}], whose recorded rules do not include {rule}"
    )
