"""refimpl against the corpus of every TensorFlow release (no TensorFlow needed).

``conformance/corpus/releases/<release>/`` holds a representative corpus recorded from
that release's TF (``scripts/generate_corpus.py --tf-release``,
``conformance.corpus.release_selection``); refimpl must reproduce every case but those in
the release's ``failures.txt`` (which must still fail: fixing refimpl empties it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conformance.corpus import (
    case_differences,
    case_file_sha256,
    generator_fingerprint,
    load_corpus,
    load_manifest,
    run_case,
)
from conformance.corpus.release_selection import select_release_cases
from conformance.corpus.releases import (
    REFERENCE_RELEASE,
    RELEASES_DIRECTORY,
    corpus_directory,
    failure_list_path,
    release_corpora,
    resolve_release,
)
from conformance.protocol.conformance_pb2 import CorpusCase
from conformance.run.failure_list import FailureList
from refimpl.tf_release import REPRODUCED_RELEASES

RELEASES = [r for r in release_corpora() if r != REFERENCE_RELEASE]
REGENERATE = "regenerate it: python scripts/generate_corpus.py --tf-release {} --tf-python PATH"


def _failures(release: str) -> dict[str, str]:
    path = failure_list_path(release)
    return FailureList.load(path).entries if path is not None else {}


def _cases() -> list[object]:
    params: list[object] = []
    for release in RELEASES:
        failing = _failures(release)
        for case in load_corpus(corpus_directory(release)):
            marks = []
            if case.name in failing:
                marks.append(pytest.mark.xfail(reason=f"{release}: failures.txt", strict=True))
            params.append(pytest.param(case, id=f"{release}:{case.name}", marks=marks))
    return params


def test_there_is_a_corpus_for_every_release_from_2_12_to_2_21() -> None:
    assert release_corpora() == [
        "2.12.1", "2.13.1", "2.14.1", "2.15.1", "2.16.2",
        "2.17.1", "2.18.1", "2.19.1", "2.20.0", "2.21.0",
    ]


@pytest.mark.parametrize("case", _cases())
def test_refimpl_matches_the_release(case: CorpusCase) -> None:
    problems = case_differences(case, run_case(case))
    assert not problems, f"{case.tensorflow_version} {case.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("release", RELEASES)
def test_release_corpus_has_at_least_200_cases(release: str) -> None:
    assert load_manifest(corpus_directory(release))["case_count"] >= 200


@pytest.mark.parametrize("release", RELEASES)
def test_release_cases_were_recorded_by_that_release(release: str) -> None:
    versions = {c.tensorflow_version for c in load_corpus(corpus_directory(release))}
    assert versions == {release}


@pytest.mark.parametrize("release", RELEASES)
def test_release_manifest_hashes_match_case_files(release: str) -> None:
    directory = corpus_directory(release)
    hashes = load_manifest(directory)["cases"]
    on_disk = {p.stem: case_file_sha256(p) for p in (directory / "cases").glob("*.case")}
    assert on_disk == hashes


@pytest.mark.parametrize("release", RELEASES)
def test_release_corpus_is_not_stale_against_its_generator(release: str) -> None:
    manifest = load_manifest(corpus_directory(release))
    current = generator_fingerprint(manifest["fingerprint_sources"])
    assert manifest["generator_fingerprint"] == current, REGENERATE.format(release)


@pytest.mark.parametrize("release", RELEASES)
def test_release_corpus_holds_the_selected_cases(release: str) -> None:
    names = {c.name for c in load_corpus(corpus_directory(release))}
    skipped = set(load_manifest(corpus_directory(release))["skipped"])
    assert names | skipped == set(select_release_cases(load_corpus())), REGENERATE.format(release)


@pytest.mark.parametrize("release", RELEASES)
def test_a_release_refimpl_reproduces_has_no_failures(release: str) -> None:
    assert release not in REPRODUCED_RELEASES or not _failures(release)


def test_every_shared_snapshot_is_named_by_a_release_case() -> None:
    named = {
        CorpusCase.FromString(p.read_bytes()).snapshot_sha256
        for r in RELEASES
        for p in (corpus_directory(r) / "cases").glob("*.case")
    }
    stored = {p.stem for p in (RELEASES_DIRECTORY / "snapshots").glob("*.snapshot")}
    assert stored == named


def test_a_major_minor_release_resolves_to_its_corpus() -> None:
    assert resolve_release("2.16") == "2.16.2"


def test_the_reference_release_is_the_main_corpus() -> None:
    assert corpus_directory("2.21") == RELEASES_DIRECTORY.parent


def test_an_unknown_release_is_refused() -> None:
    with pytest.raises(ValueError, match="no corpus"):
        resolve_release("2.11")


def test_the_runner_lists_the_cases_of_the_release_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from conformance.run.runner import main

    assert main(["--list", "--tf-release", "2.16"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == [c.name for c in load_corpus(corpus_directory("2.16.2"))]


def test_the_matrix_prints_conformant_counts_per_release(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from conformance.run.runner import main

    assert main(["--matrix", "--tf-release", "2.12,2.14", "-j", "2"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[-1].endswith("| 210/210 | 210/210 |")


def test_the_matrix_counts_a_failing_case(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.run.runner import main

    flip = f"{sys.executable} {Path(__file__).parent / 'testees' / 'flip_byte.py'}"
    main(["--matrix", "--tf-release", "2.12", "--testee", flip, "-j", "2"])
    row = capsys.readouterr().out.splitlines()[-1]
    passed = int(row.split("|")[-2].strip().split("/")[0])
    assert passed < 210


def test_the_generator_check_covers_the_release_corpora() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import generate_corpus

    assert generate_corpus.corpus_problems(corpus_directory("2.16"), release=True) == []


def test_a_matrix_sample_is_evenly_spaced_by_name() -> None:
    from conformance.run.matrix import sample_cases

    cases = [CorpusCase(name=f"c{i:02d}") for i in reversed(range(10))]
    assert [c.name for c in sample_cases(cases, 3)] == ["c00", "c03", "c06"]
