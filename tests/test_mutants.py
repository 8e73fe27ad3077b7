"""The mutation harness (``mutation/``, ``scripts/plant_bugs.py``): its catalog is complete
and fresh, planting never edits the tree, and a fixed subset of mutants is caught by the
golden corpus (no TensorFlow). The full run is the script's:
``python scripts/plant_bugs.py`` (README, "Mutation check").
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conformance.corpus import spec_rule_numbers
from mutation.catalog import FAST, MUTANTS, NOT_MUTATED, by_id, must_rules
from mutation.harness import report_table, run_mutant
from mutation.model import OPTIONAL_RULES, MutantResult
from mutation.planting import REPO_ROOT, occurrences, plant
from mutation.wire_bugs import ascending_maps, bare_map_entries, unpacked
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef


def test_every_mutants_original_text_occurs_once_in_refimpl() -> None:
    stale = [m.id for m in MUTANTS if occurrences(m) != 1]
    assert not stale, f"mutants whose original text refimpl no longer has once: {stale}"


def test_mutant_ids_are_unique() -> None:
    assert len(by_id()) == len(MUTANTS)


def test_every_must_rule_has_a_mutant() -> None:
    mutated = {m.rule for m in MUTANTS}
    missing = [r for r in must_rules(spec_rule_numbers()) if r not in mutated]
    assert not missing, f"MUST rules without a mutant: {missing}"


def test_every_mutant_names_a_rule_of_the_spec() -> None:
    known = set(spec_rule_numbers())
    assert sorted({m.rule for m in MUTANTS} - known) == []


def test_rules_left_unmutated_are_rules_of_the_spec() -> None:
    assert sorted(set(NOT_MUTATED) - set(spec_rule_numbers())) == []


def test_must_rules_leave_out_optional_behaviour() -> None:
    assert not set(must_rules(spec_rule_numbers())) & OPTIONAL_RULES


def test_a_mutant_is_either_equivalent_or_awaiting_or_neither() -> None:
    both = [m.id for m in MUTANTS if m.equivalent and m.awaiting]
    assert both == []


def test_planting_edits_the_copy_and_not_the_tree(tmp_path: Path) -> None:
    mutant = by_id()["op-list-case-insensitive"]
    before = (REPO_ROOT / mutant.file).read_text(encoding="utf-8")
    copy = plant(mutant, tmp_path)
    assert mutant.replacement in (copy / mutant.file).read_text(encoding="utf-8")
    assert (REPO_ROOT / mutant.file).read_text(encoding="utf-8") == before


def _meta_graph() -> MetaGraphDef:
    mgd = MetaGraphDef()
    node = mgd.graph_def.node.add(name="a")
    node.attr["seed"].i = 1
    node.attr["seed2"].i = 2
    node.attr["x"].list.i.extend([1, 2, 3])
    return mgd


@pytest.mark.parametrize("bug", [unpacked, ascending_maps])
def test_wire_bugs_change_the_bytes_not_the_message(bug: object) -> None:
    mgd = _meta_graph()
    data = bug(mgd)  # type: ignore[operator]
    assert data != mgd.SerializeToString(deterministic=True)
    assert MetaGraphDef.FromString(data) == mgd


def test_bare_map_entries_drop_an_empty_value() -> None:
    info = GraphDebugInfo()
    info.traces_by_id[0]  # an entry whose value is empty  # noqa: B018
    assert bare_map_entries(info) != info.SerializeToString(deterministic=True)


def test_report_table_counts_each_status_per_section() -> None:
    mutant = by_id()["op-list-case-insensitive"]
    table = report_table([MutantResult(mutant, "caught"), MutantResult(mutant, "escaped")])
    assert "5              2          1          1" in table


@pytest.mark.parametrize("mutant_id", FAST)
def test_fast_mutant_is_caught_by_the_corpus(mutant_id: str) -> None:
    result = run_mutant(by_id()[mutant_id])
    assert result.status == "caught", result
    assert result.level in ("required", "recommended"), result


def test_a_mutant_wrongly_marked_equivalent_is_refuted_when_checked() -> None:
    caught = dataclasses.replace(by_id()["op-list-case-insensitive"], equivalent="(wrongly)")
    assert run_mutant(caught).status == "equivalent"  # not run by default
    assert run_mutant(caught, check_equivalent=True).status == "refuted"
