"""refimpl against the golden corpus: what TensorFlow 2.21 did, frozen (no TensorFlow needed).

``conformance/corpus/`` holds one case per hand-written argument set
(``conformance.gen.hand_cases``) and random graph programs, each with the snapshot of the
graph TF exported, the arguments, and TF's outcome (files, returned MetaGraphDef,
error, warnings, graph state). ``scripts/generate_corpus.py`` writes it; these tests
run refimpl on every case and check that the corpus is whole and not stale.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re

import pytest

from conformance.corpus import (
    DEFAULT_DIRECTORY,
    FEATURES,
    PB6_SUFFIX,
    case_differences,
    case_file_sha256,
    depends_on_protobuf_runtime,
    generator_fingerprint,
    load_corpus,
    load_manifest,
    run_case,
    snapshot_sha256,
    spec_rule_numbers,
)
from conformance.gen.hand_cases import hand_cases
from conformance.protocol.conformance_pb2 import CorpusCase
from refimpl.pb.snapshot_pb2 import CollectionItem, GraphSnapshot

REGENERATE = "regenerate it: python scripts/generate_corpus.py (needs TensorFlow 2.21)"

CASES: list[CorpusCase] = load_corpus() if (DEFAULT_DIRECTORY / "MANIFEST.json").exists() else []

#: Cases on which refimpl is known to differ from TF: name -> reason. They are expected
#: to fail (strictly: fixing refimpl makes them pass, and then they must leave this list).
KNOWN_DIFFERENCES: dict[str, str] = {}


def _param(case: CorpusCase) -> object:
    marks = []
    if case.name in KNOWN_DIFFERENCES:
        marks.append(pytest.mark.xfail(reason=KNOWN_DIFFERENCES[case.name], strict=True))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_refimpl_matches_tensorflow(case: CorpusCase) -> None:
    problems = case_differences(case, run_case(case))
    assert not problems, f"{case.name} ({case.program[:200]}):\n" + "\n".join(problems)


def test_corpus_has_enough_cases() -> None:
    assert len(CASES) >= 300, f"the corpus has {len(CASES)} cases; {REGENERATE}"


def test_manifest_hashes_match_case_files() -> None:
    manifest = load_manifest()
    files = {p.stem: p for p in (DEFAULT_DIRECTORY / "cases").glob("*.case")}
    assert set(files) == set(manifest["cases"]), "case files and MANIFEST.json disagree"
    assert manifest["case_count"] == len(files) == len(CASES)
    changed = [n for n, p in sorted(files.items()) if case_file_sha256(p) != manifest["cases"][n]]
    assert not changed, f"case files changed since generation: {changed[:10]}; {REGENERATE}"


def test_every_snapshot_resolves_and_is_used() -> None:
    used = set()
    for case in CASES:
        assert case.snapshot, f"{case.name}: no snapshot"
        assert case.snapshot_sha256 == snapshot_sha256(case.snapshot), case.name
        used.add(case.snapshot_sha256)
    stored = {p.stem for p in (DEFAULT_DIRECTORY / "snapshots").glob("*.snapshot")}
    assert stored == used, f"unreferenced snapshots: {sorted(stored - used)[:5]}"
    assert load_manifest()["snapshot_count"] == len(stored)


def test_case_metadata_is_well_formed() -> None:
    manifest = load_manifest()
    rules = set(spec_rule_numbers())
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert re.fullmatch(r"[a-z0-9_.-]+(@pb6)?", case.name), case.name
        assert case.program.startswith(("builder:", "program:")), case.name
        assert case.tensorflow_version == manifest["tensorflow_version"], case.name
        assert case.rules, case.name
        unknown = set(case.rules) - rules
        assert not unknown, f"{case.name}: rules not in spec.md: {sorted(unknown)}"
        assert set(case.features) <= set(FEATURES), case.name
        assert case.level in (CorpusCase.REQUIRED, CorpusCase.RECOMMENDED, CorpusCase.OPTIONAL)
        assert case.arguments.kwargs, f"{case.name}: no arguments (not even filename)"


def test_every_hand_case_is_in_the_corpus() -> None:
    skipped = set(load_manifest()["skipped"])
    present = {c.name for c in CASES}
    missing = [name for name, _ in hand_cases() if name not in present | skipped]
    assert not missing, f"hand cases missing from the corpus: {missing[:10]}; {REGENERATE}"


def test_corpus_is_not_stale_against_its_generator() -> None:
    manifest = load_manifest()
    current = generator_fingerprint(manifest["fingerprint_sources"])
    assert manifest["generator_fingerprint"] == current, (
        "the sources that define the corpus changed since it was generated "
        f"({', '.join(manifest['fingerprint_sources'])}); {REGENERATE}"
    )


@pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="TensorFlow is not installed"
)
def test_corpus_is_not_stale_against_installed_tensorflow() -> None:
    try:
        installed = importlib.metadata.version("tensorflow-cpu")
    except importlib.metadata.PackageNotFoundError:
        installed = importlib.metadata.version("tensorflow")
    recorded = load_manifest()["tensorflow_version"]
    assert installed == recorded, (
        f"the corpus was generated with TensorFlow {recorded}, {installed} is installed; "
        f"{REGENERATE}"
    )


# -- the protobuf runtime of TF's process (spec.md 0.3.1) ---------------------------------
def _recorded_protobuf(case: CorpusCase) -> str:
    return GraphSnapshot.FromString(case.snapshot).environment.protobuf_version


def test_cases_say_which_protobuf_runtime_they_were_recorded_under() -> None:
    manifest = load_manifest()
    for case in CASES:
        assert case.protobuf_version == _recorded_protobuf(case), case.name
        if not case.name.endswith(PB6_SUFFIX):
            assert case.protobuf_version == manifest["protobuf_version"], case.name


def test_pb6_cases_were_recorded_under_protobuf_6_from_a_case_of_the_corpus() -> None:
    names = {c.name for c in CASES}
    pb6 = [c for c in CASES if c.name.endswith(PB6_SUFFIX)]
    assert pb6, f"no {PB6_SUFFIX} cases; {REGENERATE} with --pb6-python"
    recorded = load_manifest()["protobuf_6"]["protobuf_version"]
    for case in pb6:
        assert case.protobuf_version.startswith("6."), case.name
        assert case.protobuf_version == recorded, case.name
        assert case.name.removesuffix(PB6_SUFFIX) in names, case.name


def test_every_runtime_dependent_case_was_recorded_again_under_protobuf_6() -> None:
    entry = load_manifest().get("protobuf_6")
    assert entry, f"MANIFEST.json has no protobuf_6 entry; {REGENERATE} with --pb6-python"
    accounted = {n.removesuffix(PB6_SUFFIX) for n in entry["recorded"]} | set(entry["same"])
    dependent = {
        c.name for c in CASES if not c.name.endswith(PB6_SUFFIX) and depends_on_protobuf_runtime(c)
    }
    missing = sorted(dependent - accounted)
    assert not missing, f"not recorded under protobuf 6: {missing[:10]}; {REGENERATE}"
    assert {c.name for c in CASES if c.name.endswith(PB6_SUFFIX)} == set(entry["recorded"])


def _case_with_collection(*items: CollectionItem) -> CorpusCase:
    snap = GraphSnapshot()
    snap.collections.add(items=items)
    return CorpusCase(snapshot=snap.SerializeToString())


def test_a_list_with_a_refused_item_before_another_depends_on_the_runtime() -> None:
    one, word = CollectionItem(int="1"), CollectionItem(str="a")
    assert depends_on_protobuf_runtime(_case_with_collection(one, word, one))
    assert not depends_on_protobuf_runtime(_case_with_collection(one, one, word))  # last


def test_an_int_out_of_int64_range_before_another_depends_on_the_runtime() -> None:
    one, big = CollectionItem(int="1"), CollectionItem(int=str(2**63))
    assert depends_on_protobuf_runtime(_case_with_collection(one, big, one))
    assert not depends_on_protobuf_runtime(_case_with_collection(one, one, one))
