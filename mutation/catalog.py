"""Every mutant, the fast subset CI runs, and the MUST rules they must cover."""

from __future__ import annotations

from mutation import (
    mutants_arguments,
    mutants_collections,
    mutants_graph_def,
    mutants_ops_savers,
    mutants_output,
)
from mutation.model import OPTIONAL_RULES, Mutant

__all__ = ["FAST", "MUTANTS", "NOT_MUTATED", "by_id", "must_rules"]

MUTANTS: tuple[Mutant, ...] = (
    *mutants_arguments.MUTANTS,
    *mutants_graph_def.MUTANTS,
    *mutants_ops_savers.MUTANTS,
    *mutants_collections.MUTANTS,
    *mutants_output.MUTANTS,
)

#: Numbered rules of sections 2 to 10 that are not MUST rules an exporter can break:
#: rule -> why.
NOT_MUTATED: dict[str, str] = {
    "8.1": "a heading: its rules are 8.1.1-8.1.3",
    "9.1": "a heading: its rules are 9.1.1-9.1.3",
    "9.4": "a worked example of rules 9.1-9.3 (spec.md: not traced)",
    "10.2.8": "a statement about protobuf runtimes that rule 0.3.1 carries out",
    "10.3.6": "big-endian hosts are out of scope",
}

#: About fifteen mutants from different sections, each caught by the committed corpus
#: (the cases that guard the others are not needed): CI's run.
FAST: tuple[str, ...] = (
    "runtime-own-not-recorded",
    "kwargs-multiple-values-short",
    "rebuild-flag-no-ces",
    "default-nodes-by-name",
    "strip-scope-escaped",
    "op-list-case-insensitive",
    "strip-bodies-skipped",
    "saver-retain-without-slash",
    "keys-sorted",
    "failure-entry-kept",
    "git-version-not-stamped",
    "binary-map-order-ascending",
    "binary-unpacked",
    "text-float-as-double",
    "debug-name-full",
    "frames-one-inner",
)


def by_id() -> dict[str, Mutant]:
    """Every mutant by its id."""
    return {m.id: m for m in MUTANTS}


def must_rules(rules: list[str]) -> list[str]:
    """The MUST rules among spec.md's numbered ``rules``: those of sections 2 to 10 and the
    protobuf-runtime and canonicalization rules of section 0 (0.3.1, 0.4.1), less the rules
    of OPTIONAL behaviour and ``NOT_MUTATED``."""
    out = []
    for rule in rules:
        section = int(rule.split(".")[0])
        if not (2 <= section <= 10 or rule in ("0.3.1", "0.4.1")):
            continue
        if rule in OPTIONAL_RULES or rule in NOT_MUTATED:
            continue
        out.append(rule)
    return out
