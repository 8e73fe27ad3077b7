"""``refimpl.run_exports`` over the golden corpus: what TF did, and what its callers do.

``run_exports`` is the one way the suite runs a case's exports (it replaced three copies
that had grown apart): ``refimpl.testee.handle``, ``conformance.corpus.run_case`` and
``conformance.tf.responses.refimpl_outcome`` call it. On every corpus case its outcome
must conform to TF's (``case_differences``), equal ``run_case``'s and the testee's exactly,
and name exactly the files it left on disk.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import refimpl
from conformance.corpus import (
    DEFAULT_DIRECTORY,
    case_differences,
    from_arguments,
    load_corpus,
    run_case,
)
from conformance.protocol import conformance_pb2
from conformance.protocol.conformance_pb2 import CorpusCase, ExportRequest
from refimpl import testee
from refimpl.outcome import Outcome, run_exports
from refimpl.snapshot import Snapshot

CASES: list[CorpusCase] = load_corpus() if (DEFAULT_DIRECTORY / "MANIFEST.json").exists() else []
EXAMPLE = Path(__file__).parent.parent / "examples"

_GRAPHS: dict[bytes, Snapshot] = {}


def _graph(case: CorpusCase) -> Snapshot:
    if case.snapshot not in _GRAPHS:
        _GRAPHS.clear()  # cases come sorted by name: mostly the same graph in a row
        _GRAPHS[case.snapshot] = refimpl.load_snapshot(case.snapshot)
    return _GRAPHS[case.snapshot]


def _exports(case: CorpusCase) -> list[dict[str, object]]:
    return [from_arguments(case.arguments), *(from_arguments(t) for t in case.then)]


def _files_under(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


#: Cases whose exports start in an empty directory (no file-system pre-state).
PLAIN = [c for c in CASES if not c.HasField("pre_state")]
#: Cases with a file-system pre-state (protocol 2): their files and errors depend on it.
PRE_STATE = [c for c in CASES if c.HasField("pre_state")]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in PLAIN])
def test_run_exports_conforms_and_can_replace_each_caller(
    case: CorpusCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run_exports(_graph(case), _exports(case))
    proto = outcome.to_proto()
    problems = case_differences(case, proto)
    assert not problems, "\n".join(problems)
    # The files it reports are those on disk, and planning alone gives the same outcome.
    assert _files_under(tmp_path) == dict(outcome.files)
    assert run_exports(_graph(case), _exports(case), write=False) == outcome
    # conformance.corpus.run_case (planning only).
    assert proto == run_case(case)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in PRE_STATE])
def test_run_case_conforms_in_the_file_system_pre_state(case: CorpusCase) -> None:
    # run_case runs these for real, as the testee does, in a directory holding the
    # pre-state; the outcome lists what the directory holds afterwards.
    problems = case_differences(case, run_case(case))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in PLAIN[::10]])
def test_run_exports_equals_the_testee(
    case: CorpusCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # refimpl.testee.handle: exports in a fresh temporary directory, files from disk.
    request = ExportRequest(case_name=case.name, snapshot=case.snapshot, arguments=case.arguments)
    request.then.extend(case.then)
    response = testee.handle(request)
    monkeypatch.chdir(tmp_path)
    assert response.outcome == run_exports(_graph(case), _exports(case)).to_proto()


@pytest.fixture(scope="module")
def training() -> Snapshot:
    return refimpl.load_snapshot((EXAMPLE / "training.snapshot").read_bytes())


def test_an_error_after_the_meta_file_stops_the_sequence(
    training: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rule 10.3.4: the meta file is written, then the debug step raises (scope "w" keeps
    # "w_1/tag" unstripped, which does not resolve as "w/w_1/tag", rule 10.4.1); TF
    # returns nothing, and no later export runs.
    monkeypatch.chdir(tmp_path)
    first = {"filename": "m.meta", "export_scope": "w", "save_debug_info": True}
    outcome = run_exports(training, [first, {}])
    assert outcome.error is not None and outcome.error[0] == "KeyError"
    assert list(outcome.files) == ["m.meta"]
    assert _files_under(tmp_path) == dict(outcome.files)
    assert outcome.returned is None
    assert outcome.unbound_inputs_after == ()
    proto = outcome.to_proto()
    assert not proto.HasField("returned_meta_graph_def") and proto.error.type == "KeyError"


def test_then_exports_see_the_state_the_previous_one_left(
    training: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    info = refimpl.MetaInfoDef(tensorflow_version="bogus")
    outcome = run_exports(
        training,
        [{"filename": "m.meta", "export_scope": "gradients", "meta_info_def": info}, {}, {}],
    )
    assert outcome.error is None
    assert sorted(outcome.files) == ["m.meta", "then0.meta", "then1.meta"]
    first = refimpl.plan(training, "m.meta", export_scope="gradients", meta_info_def=info)
    assert outcome.returned == first.meta_graph_def.SerializeToString(deterministic=True)
    assert first.meta_info_def is not None
    assert outcome.meta_info_def_after == first.meta_info_def.SerializeToString(deterministic=True)
    unbound = first.graph.get_collection("unbound_inputs")
    assert outcome.unbound_inputs_after == tuple(i.str for i in unbound) != ()
    # The default exports that follow export the stale collection (rule 3.3).
    then0 = refimpl.MetaGraphDef.FromString(outcome.files["then0.meta"])
    assert list(then0.collection_def["unbound_inputs"].bytes_list.value) == [
        i.str.encode() for i in unbound
    ]


def test_a_failing_write_is_the_error_and_its_file_is_not_reported(
    training: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_bytes(b"")
    outcome = run_exports(training, [{"filename": "ok.meta"}, {"filename": "afile/x.meta"}])
    assert outcome.error == ("FailedPreconditionError", "afile is not a directory")
    assert list(outcome.files) == ["ok.meta"]
    assert outcome.returned is None
    # Planning alone does not see the file system.
    planned = run_exports(
        training, [{"filename": "ok.meta"}, {"filename": "afile/x.meta"}], write=False
    )
    assert planned.error is None and sorted(planned.files) == ["afile/x.meta", "ok.meta"]


def test_file_paths_are_normalized_and_a_later_write_replaces_an_earlier(
    training: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run_exports(
        training, [{"filename": "./d//m.debug", "save_debug_info": True, "as_text": True}]
    )
    assert list(outcome.files) == ["d/m.debug"]
    assert outcome.files["d/m.debug"] == (tmp_path / "d" / "m.debug").read_bytes()
    assert outcome.files["d/m.debug"].startswith(b"files:")  # the debug file won
    assert os.listdir(tmp_path / "d") == ["m.debug"]


def test_warnings_are_returned_not_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    graph = refimpl.load_snapshot((EXAMPLE / "training.snapshot").read_bytes())
    with caplog.at_level(logging.WARNING):
        outcome = run_exports(graph, [{"filename": "m.meta", "collection_list": [5, "x", 6]}])
    assert (
        outcome.warnings
        == (
            "Only collections with string type keys will be serialized. This key has <class 'int'>",
        )
        * 2
    )
    assert not caplog.records


def test_the_outcome_is_frozen_and_empty_by_default() -> None:
    outcome = Outcome()
    assert outcome.to_proto() == conformance_pb2.Outcome()
    with pytest.raises(AttributeError):
        outcome.returned = b""  # type: ignore[misc]


def test_arguments_python_cannot_bind_are_the_error_not_a_crash(training: Snapshot) -> None:
    outcome = run_exports(training, [{"graph": training}], write=False)
    assert outcome.error is not None and outcome.error[0] == "TypeError"
    assert "multiple values for argument 'graph'" in outcome.error[1]
