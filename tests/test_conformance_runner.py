"""The conformance runner, refimpl's testee and the pytest plugin (no TensorFlow).

The fake testees in ``tests/testees/`` are refimpl's testee with one fault each: a
flipped byte in every file, a crash on the 3rd request, a hang on every 2nd, garbage or
truncated frames, an absurd frame length, a wrong protocol version, a protobuf runtime
writing other bytes, nodes in another order, unsupported features.
"""

from __future__ import annotations

import io
import re
import shlex
import shutil
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import corpus
from conformance.corpus.requests import request_for
from conformance.protocol import FrameError, encode_frame, read_frame
from conformance.protocol.conformance_pb2 import CorpusCase, ExportRequest
from conformance.run import example_db, runner, testee_process
from conformance.run.failure_list import (
    FailureListError,
    expectation,
    format_failure_list,
    parse_failure_list,
)

TESTEES = Path(__file__).parent / "testees"
REPO = Path(__file__).resolve().parent.parent
# The cases of the small runs: the graph "scopes" (a scoped export and its unbound inputs),
# argument sets starting with "d" (debug files, default arguments); all write files.
PATTERN = "scopes-d*"


@pytest.fixture(autouse=True)
def _private_example_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """--hypothesis runs keep their failing cases in this test's own directory."""
    monkeypatch.setenv(example_db.ENVIRONMENT_VARIABLE, str(tmp_path / "examples"))


def fake(name: str, *args: str) -> str:
    """The command line of a fake testee."""
    return shlex.join([sys.executable, str(TESTEES / f"{name}.py"), *args])


@pytest.fixture(scope="module")
def cases() -> list[CorpusCase]:
    return corpus.load_corpus()


@pytest.fixture(scope="module")
def five(cases: list[CorpusCase]) -> list[str]:
    """Five corpus cases (sorted) that write files, as --case arguments select them."""
    names = [c.name for c in runner.select_cases(cases, patterns=[PATTERN]) if c.expected.files]
    assert len(names) >= 5
    return names[:5]


def as_cases(names: list[str]) -> list[str]:
    return [a for n in names for a in ("--case", n)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Runs the runner in this process: (exit status, report)."""
    status = runner.main(["--progress", "never", *argv])
    return status, capsys.readouterr().out


def junit(path: Path) -> dict[str, ET.Element]:
    """The testcases of a JUnit XML file by name (the file must be well-formed)."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    return {tc.attrib["name"]: tc for tc in root.iter("testcase")}


def outcome_of(tc: ET.Element) -> tuple[str, str]:
    """(status, reason) of a JUnit testcase."""
    for tag in ("failure", "error", "skipped"):
        el = tc.find(tag)
        if el is not None:
            return tag, el.attrib.get("type", "") or el.attrib.get("message", "")
    return "passed", ""


# -- refimpl passes ----------------------------------------------------------------------
def test_refimpl_passes_a_sample_of_the_corpus(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cases: list[CorpusCase]
) -> None:
    sample = [c.name for c in cases[::9]]
    sample += [c.name for c in cases if c.then or c.unordered_inner_maps][:5]
    sample += [c.name for c in cases if c.level == CorpusCase.OPTIONAL][:3]
    sample = sorted(set(sample))
    xml = tmp_path / "junit.xml"
    full = tmp_path / "report.txt"
    argv = [a for n in sample for a in ("--case", n)]
    status, out = run(capsys, *argv, "--junit-xml", str(xml), "--require-tier", "bytes",
                      "--report", str(full))
    assert status == 0, out
    assert f"PASS: {len(sample)} cases" in out
    assert f"{len(sample)} passed ({len(sample)} identical bytes)" in out
    # The full report (--report, -v) stamps the versions and summarises by tier, level,
    # feature and rule; the default one is the verdict and the summary line.
    assert out.splitlines()[-1].startswith("PASS: ") and len(out.splitlines()) == 3, out
    for text in ("TensorFlow 2.21.0", "protobuf", "Summary by tier", "By spec rule",
                 "By requirement level", "refimpl 0.1.0"):
        assert text in full.read_text(encoding="utf-8")
        assert text not in out
    tcs = junit(xml)
    assert sorted(tcs) == sample
    assert all(outcome_of(tc) == ("passed", "") for tc in tcs.values())


def test_hypothesis_cases_pass_and_replay(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(capsys, "--hypothesis", "25", "--seed", "5")
    assert status == 0, out
    assert "PASS: 25 cases" in out
    status, out = run(capsys, "--hypothesis", "25", "--seed", "5", "--list")
    names = out.split()
    assert names == [f"hypothesis-5-{i:04d}" for i in range(25)]
    status, out = run(capsys, "--hypothesis", "25", "--seed", "5", "--case", names[7])
    assert status == 0 and "PASS: 1 cases" in out


# -- broken testees ----------------------------------------------------------------------
DIFF_LINE = re.compile(r'^    files\["\S+"\]: .+ vs .+$', re.MULTILINE)


def test_flipped_byte_is_caught(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cases: list[CorpusCase]
) -> None:
    xml = tmp_path / "j.xml"
    status, out = run(
        capsys, "--testee", fake("flip_byte"), "-k", "scopes-*", "--junit-xml", str(xml)
    )
    assert status == 1
    results = {name: outcome_of(tc) for name, tc in junit(xml).items()}
    by_name = {c.name: c for c in cases}
    assert any(by_name[n].expected.files for n in results)
    for name, (status_, reason) in results.items():
        if by_name[name].expected.files:
            assert status_ == "failure" and "files" in reason.split("+"), (name, reason)
        else:
            assert status_ == "passed", name
    # Each failure: the first differing field path with both values, and a replay line.
    assert DIFF_LINE.search(out), out
    replay = shlex.join([sys.executable, "-m", "conformance", "--testee", fake("flip_byte")])
    assert f"replay: {replay} --case " in out


def test_replay_commands_name_the_interpreter_and_testee(
    capsys: pytest.CaptureFixture[str], cases: list[CorpusCase], five: list[str]
) -> None:
    # The interpreter (sys.executable) and the testee command actually used, shell-quoted;
    # with no --testee, refimpl's testee under this interpreter.
    case = next(c for c in cases if c.name == five[0])
    args = runner.build_parser().parse_args([])
    refimpl_testee = shlex.join([sys.executable, "-m", "refimpl.testee"])
    assert runner.replay_command(args, case) == shlex.join(
        [sys.executable, "-m", "conformance", "--testee", refimpl_testee, "--case", case.name]
    )
    args = runner.build_parser().parse_args(
        ["--testee", fake("flip_byte"), "--timeout", "7", "--require-tier", "semantic"]
    )
    command = runner.replay_command(args, case)
    assert shlex.split(command) == [
        sys.executable, "-m", "conformance", "--testee", fake("flip_byte"), "--timeout", "7",
        "--require-tier", "semantic", "--case", case.name,
    ]
    # Run as printed, it replays just that case's failure.
    status, out = run(capsys, "--testee", fake("flip_byte"), *as_cases(five[:1]))
    line = next(ln for ln in out.splitlines() if ln.startswith("    replay: "))
    proc = subprocess.run(
        [*shlex.split(line.removeprefix("    replay: ")), "--progress", "never"],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"FAIL {five[0]}  [" in proc.stdout and "FAIL: 1 cases" in proc.stdout


def test_parallel_testees_give_the_same_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    reports = []
    for jobs in ("1", "3"):
        xml = tmp_path / f"j{jobs}.xml"
        status, _ = run(capsys, "--testee", fake("crash_third"), "-k", "scopes-*", "-j", jobs,
                        "--junit-xml", str(xml))
        assert status == 1
        reports.append([(name, outcome_of(tc)[0]) for name, tc in junit(xml).items()])
    # Same cases in the same order; crashes fall on other cases, but every case is reported.
    assert [n for n, _ in reports[0]] == [n for n, _ in reports[1]]
    assert all(s in ("passed", "error") for _, s in reports[1])


def test_crashing_testee_is_restarted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str]
) -> None:
    xml = tmp_path / "j.xml"
    status, out = run(
        capsys, "--testee", fake("crash_third"), *as_cases(five), "--junit-xml", str(xml)
    )
    assert status == 1
    results = [outcome_of(junit(xml)[n]) for n in five]
    assert results == [("passed", "")] * 2 + [("error", "crash")] + [("passed", "")] * 2
    assert "testee exited with status 3 without answering" in out
    assert f"crash_third: giving up on {five[2]}" in out  # its stderr


def test_hanging_testee_times_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str]
) -> None:
    xml = tmp_path / "j.xml"
    started = time.monotonic()
    status, out = run(
        capsys, "--testee", fake("hang"), *as_cases(five[:4]), "--timeout", "1",
        "--junit-xml", str(xml),
    )
    assert time.monotonic() - started < 20
    assert status == 1
    results = [outcome_of(junit(xml)[n]) for n in five[:4]]
    assert results == [("passed", ""), ("error", "timeout")] * 2
    assert "no response within 1 s; testee killed" in out


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("garbage", ("--mode", "frame"), "the frame's bytes: b'$\\x00\\x00\\x00\\xff\\xfe this is "
         "not a protobuf message \\x00\\x01'"),
        ("garbage", ("--mode", "truncated"), "truncated frame: 10 of 100 bytes, then end of "
         "stream; its bytes: b'd\\x00\\x00\\x000123456789'"),
        ("oversized", (), "oversized frame: header f0ffffff announces 4294967280 bytes"),
    ],
)
def test_bad_frames_are_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str], name: str,
    args: tuple[str, ...], message: str,
) -> None:
    xml = tmp_path / "j.xml"
    started = time.monotonic()
    status, out = run(
        capsys, "--testee", fake(name, *args), *as_cases(five), "--timeout", "20",
        "--junit-xml", str(xml),
    )
    assert time.monotonic() - started < 15  # never waits for the announced bytes
    assert status == 1
    # The testee is restarted after the fault; it fails its 2nd request again.
    results = [outcome_of(junit(xml)[n]) for n in five]
    assert results == [("passed", ""), ("error", "protocol")] * 2 + [("passed", "")]
    assert message in out


def test_text_on_stdout_is_named_in_the_timeout_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str]
) -> None:
    # "Traceback ..." printed to stdout: its first four bytes announce 1667330644 bytes,
    # under the protocol's limit (2 GiB - 1), which never come.
    xml = tmp_path / "j.xml"
    status, out = run(
        capsys, "--testee", fake("garbage", "--mode", "raw"), *as_cases(five[:3]),
        "--timeout", "2", "--junit-xml", str(xml),
    )
    assert status == 1
    results = [outcome_of(junit(xml)[n]) for n in five[:3]]
    assert results == [("passed", ""), ("error", "timeout"), ("passed", "")]
    assert "a frame of 1667330644 bytes had arrived up to byte" in out
    assert "its header 54726163 reads as the text 'Trac': does the testee print to stdout?" in out
    # ... and the bytes themselves, as a Python bytes literal.
    assert "its bytes: b'Traceback (most recent call last): oops, printed to stdout\\n" in out


@pytest.mark.parametrize("when", ["handshake", "response"])
def test_stray_bytes_are_shown_as_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str], when: str
) -> None:
    # "oops\n" printed before the handshake or before the 1st response: "oops" reads as a
    # header announcing 1936748399 bytes; the report shows the bytes as they are.
    xml = tmp_path / "j.xml"
    status, out = run(
        capsys, "--testee", fake("stray_print", "--when", when), *as_cases(five[:2]),
        "--timeout", "2", "--startup-timeout", "2", "--junit-xml", str(xml),
    )
    assert status == 1
    results = [outcome_of(junit(xml)[n]) for n in five[:2]]
    kind = "startup" if when == "handshake" else "timeout"
    assert results[0] == ("error", kind), out
    assert "a frame of 1936748399 bytes had arrived up to byte" in out
    assert "its header 6f6f7073 reads as the text 'oops': does the testee print to stdout?" in out
    assert re.search(r"its bytes: b'oops\\n[^']*'", out), out


def test_echoed_case_names_are_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str]
) -> None:
    xml = tmp_path / "j.xml"
    status, out = run(
        capsys, "--testee", fake("wrong_case_name"), *as_cases(five), "--junit-xml", str(xml)
    )
    assert status == 1
    results = [outcome_of(junit(xml)[n]) for n in five]
    assert results == [("passed", ""), ("error", "protocol")] * 2 + [("passed", "")]
    assert f"echoes case name '{five[1]}-other', not '{five[1]}'" in out
    # An empty echo is accepted (testees written before the field existed).
    status, out = run(capsys, "--testee", fake("wrong_case_name", "--empty"), *as_cases(five))
    assert status == 0, out


def test_requests_carry_the_program(cases: list[CorpusCase]) -> None:
    for case in cases[:50]:
        request = request_for(case)
        assert request.program == case.program and request.program.startswith(
            ("builder:", "program:")
        )


def test_unsolicited_frames_never_stop_the_run(
    capsys: pytest.CaptureFixture[str], five: list[str]
) -> None:
    status, out = run(capsys, "--testee", fake("garbage", "--mode", "unsolicited"), *as_cases(five))
    assert status == 1
    assert "FAIL: 5 cases" in out


def test_unusable_testees_fail_every_case(
    capsys: pytest.CaptureFixture[str], five: list[str]
) -> None:
    status, out = run(capsys, "--testee", fake("wrong_version"), *as_cases(five))
    assert status == 1
    assert len(re.findall(r"^FAIL \S+  \[\w+; startup\]$", out, re.MULTILINE)) == 5
    assert "the testee speaks protocol version 99, the runner 1 or 2" in out
    status, out = run(capsys, "--testee", "/nonexistent/testee --flag", *as_cases(five))
    assert status == 1
    assert "FAIL: 5 cases" in out and "gave up after 3 failed starts in a row" in out


def _count(out: str, title: str) -> int:
    match = re.search(rf"^  {re.escape(title)} +(\d+)(?:  .*)?$", out, re.MULTILINE)
    assert match, out
    return int(match.group(1))


def test_tiers(capsys: pytest.CaptureFixture[str]) -> None:
    # Byte identity is the default bar (spec.md 0.2); --require-tier lowers it.
    status, out = run(capsys, "-v", "--testee", fake("reencode"), "-k", "scopes-*",
                      "--require-tier", "reserialized")
    assert status == 0, out
    assert _count(out, "identical after parse + deterministic re-serialize") > 0
    assert _count(out, "semantically equal") == 0
    assert "equivalent after re-serialization: NOT conformant" in out
    assert "(lowered: only 'bytes' is conformant)" in out
    status, out = run(capsys, "-v", "--testee", fake("reencode"), "-k", "scopes-*")
    assert status == 1 and "; tier-reserialized]" in out
    assert "identical only after parse + deterministic re-serialize (bytes differ" in out
    status, out = run(capsys, "-v", "--testee", fake("reverse_nodes"), "-k", "scopes-*",
                      "--require-tier", "semantic")
    assert status == 0, out
    assert _count(out, "semantically equal") > 0
    assert "semantically equal: NOT conformant" in out
    status, out = run(capsys, "-v", "--testee", fake("reverse_nodes"), "-k", "scopes-*",
                      "--require-tier", "reserialized")
    assert status == 1 and "; tier-semantic]" in out
    assert re.search(r"semantically equal only; as written: graph_def\.node\[0\]\.name: ", out)
    status, out = run(capsys, "-v", "--testee", fake("reverse_nodes"), "-k", "scopes-*")
    assert status == 1 and "; tier-semantic]" in out


def test_serialization_differences_fail_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    # Files differing from TF's only in serialization (map entries in another order):
    # not conformant at the default settings, accepted when the bar is lowered.
    testee = fake("reorder_maps")
    status, out = run(capsys, "-v", "--testee", testee, "-k", "scopes-*")
    assert status == 1, out
    assert "; tier-reserialized]" in out
    assert "    verdict: equivalent after re-serialization: NOT conformant\n" in out
    assert "--require-tier" not in out.split("replay: ", 1)[1].splitlines()[0]
    failed = _count(out, "failed")
    assert failed > 0 and _count(out, "identical bytes") + failed > failed
    for tier in ("reserialized", "semantic"):
        status, out = run(capsys, "-v", "--testee", testee, "-k", "scopes-*",
                          "--require-tier", tier)
        assert status == 0, out
        assert _count(out, "identical after parse + deterministic re-serialize") == failed
        assert re.search(r"^verdict: \d+ conformant: identical bytes; "
                         rf"{failed} equivalent after re-serialization: NOT conformant$",
                         out, re.MULTILINE), out


def test_unsupported_features_are_skipped(
    capsys: pytest.CaptureFixture[str], cases: list[CorpusCase]
) -> None:
    # skip_text declares neither "text" nor "debug", and skips cases with an export_scope.
    chosen = runner.select_cases(cases, patterns=["scopes-*"])
    status, out = run(capsys, "-v", "--testee", fake("skip_text"), "-k", "scopes-*")
    assert status == 0, out
    undeclared = [c for c in chosen if {"text", "debug"} & set(c.features)]
    assert undeclared and "the testee does not support debug" in out
    assert f", {len(chosen) - _count(out, 'identical bytes')} skipped" in out


# -- protocol versions -------------------------------------------------------------------
def _with_pre_state(case: CorpusCase) -> CorpusCase:
    """A copy of ``case`` whose working directory holds one file before the export."""
    out = CorpusCase()
    out.CopyFrom(case)
    out.name = case.name + "-pre_state"
    out.pre_state.entries.add(path="old.txt", content=b"old")
    return out


def _skip_reasons(cases: list[CorpusCase], testee: str) -> list[str]:
    result = runner.run_cases(cases, testee_process.TesteeProcess(testee))
    assert [r.verdict.status for r in result.runs] == ["skip"] * len(cases)
    return [r.verdict.reason for r in result.runs]


def test_protocol_1_testees_are_not_sent_pre_state_cases(cases: list[CorpusCase]) -> None:
    plain = cases[0]
    reasons = _skip_reasons(
        [_with_pre_state(plain), plain], fake("report_pre_state", "--version", "1")
    )
    assert reasons == [
        "the case has a file-system pre-state, which needs protocol 2; "
        "the testee speaks protocol 1",
        "got no pre-state",
    ]


def test_protocol_2_testees_are_sent_the_pre_state(cases: list[CorpusCase]) -> None:
    plain = cases[0]
    reasons = _skip_reasons(
        [_with_pre_state(plain), plain], fake("report_pre_state", "--version", "2")
    )
    assert reasons == ["got a pre-state of 1 entries", "got no pre-state"]


# -- what failures show ------------------------------------------------------------------
def test_byte_tier_failures_name_the_encoding_difference(
    capsys: pytest.CaptureFixture[str]
) -> None:
    # The same message, encoded with its collection_def map entries in another order.
    status, out = run(capsys, "--testee", fake("reorder_maps"), "--case", "scopes-default")
    assert status == 1, out
    assert re.search(
        r'^      the same message, encoded differently: collection_def: byte \d+: map entry '
        r'order: TF writes key "\w+" as entry 0, the testee "\w+"$', out, re.MULTILINE
    ), out
    assert '    diff files["model.meta"]:\n      (their text forms are identical: only the ' \
        "encoding differs)" in out


def test_failures_show_a_unified_diff_in_text_format(
    capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(capsys, "--testee", fake("flip_byte"), "--case", "scopes-text")
    assert status == 1, out
    block = out.split('    diff files["model.meta"]:\n', 1)[1]
    lines = block.splitlines()
    assert lines[:2] == ["      --- expected (TF)", "      +++ actual (testee)"]
    assert lines[2].startswith("      @@ -")
    minus = [ln for ln in lines if ln.startswith("      -") and not ln.startswith("      ---")]
    plus = [ln for ln in lines if ln.startswith("      +") and not ln.startswith("      +++")]
    assert len(minus) == len(plus) == 1 and minus != plus, block


def test_the_default_report_shows_the_first_failures_in_full(
    capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(capsys, "--testee", fake("flip_byte"), "-k", "scopes-*")
    failed = int(re.findall(r"^FAILURES \((\d+)\)", out, re.MULTILINE)[0])
    assert status == 1 and failed > runner.FAILURES_IN_FULL
    assert out.count("    replay: ") == runner.FAILURES_IN_FULL
    assert f"... and {failed - runner.FAILURES_IN_FULL} more failures" in out
    assert "By feature" not in out and out.splitlines()[-1].startswith("FAIL: ")
    status, out = run(capsys, "-v", "--testee", fake("flip_byte"), "-k", "scopes-*")
    assert out.count("    replay: ") == failed and "By feature" in out


def test_save_failures_writes_both_outcomes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cases: list[CorpusCase]
) -> None:
    case = next(c for c in cases if c.name == "scopes-debug")
    status, out = run(capsys, "--testee", fake("flip_byte"), "--case", case.name,
                      "--save-failures", str(tmp_path / "failed"))
    assert status == 1
    saved = tmp_path / "failed" / case.name
    for name, data in case.expected.files.items():
        assert (saved / "expected" / "files" / name).read_bytes() == data
        actual = (saved / "actual" / "files" / name).read_bytes()
        assert len(actual) == len(data) and actual != data
        assert (saved / "expected" / "files" / f"{name}.pbtxt").is_file()
    assert (saved / "expected" / "returned_meta_graph_def.pbtxt").is_file()
    # The whole diffs, which the report shortens.
    diff = (saved / "diffs" / "files" / "model.meta.diff").read_text()
    assert diff.startswith("--- expected (TF)\n+++ actual (testee)\n@@ ")
    assert not (saved / "diffs" / "returned_meta_graph_def.diff").exists()  # the same
    assert ExportRequest.FromString((saved / "request.pb").read_bytes()).case_name == case.name
    assert (saved / "report.txt").read_text().startswith(f"FAIL {case.name}  [")
    assert sorted(p.name for p in (tmp_path / "failed").iterdir()) == [case.name]


# -- shards ------------------------------------------------------------------------------
def test_shards_partition_the_selection(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "--list", "-k", "scopes-*")
    everything = out.split()
    shards = []
    for i in range(3):
        _, out = run(capsys, "--list", "-k", "scopes-*", "--shard", f"{i}/3")
        shards.append(out.split())
    assert sorted(sum(shards, [])) == sorted(everything)
    assert all(shards) and len(set(sum(shards, []))) == len(everything)


def test_bad_shards_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        runner.main(["--list", "--shard", "3/3"])
    assert exit_.value.code == 2
    assert "I/N" in capsys.readouterr().err


# -- hypothesis-generated cases: example database, plain installs -------------------------
def _generated_round_trip(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    """Failing generated cases are recorded in ``database``, replayed first by later
    runs (with other seeds, on other machines), and forgotten once they pass."""
    db = ["--hypothesis-db", database]
    status, out = run(capsys, "--testee", fake("flip_byte"), "--hypothesis", "6", "--seed",
                      "3", *db)
    failed = int(re.findall(r", (\d+) failed", out)[-1])
    assert status == 1 and failed > 0, out
    _, out = run(capsys, "--list", "--hypothesis", "1", "--seed", "11", *db)
    names = out.split()
    replayed = [n for n in names if n.startswith("hypothesis-db-")]
    assert len(replayed) == failed and names[-1] == "hypothesis-11-0000"
    status, out = run(capsys, "--testee", fake("flip_byte"), "--hypothesis", "1", "--seed",
                      "11", *db, "--case", replayed[0])
    assert status == 1 and f"FAIL {replayed[0]}  [" in out
    assert f"--hypothesis-db {database} --case {replayed[0]}" in out  # the replay command
    status, out = run(capsys, "--hypothesis", "1", "--seed", "11", *db)
    assert status == 0, out
    _, out = run(capsys, "--list", "--hypothesis", "1", "--seed", "11", *db)
    assert out.split() == ["hypothesis-11-0000"]


def test_generated_failures_replay_from_a_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _generated_round_trip(capsys, str(tmp_path / "shared-examples"))


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A private redis-server on a free port (skips without redis-server or redis)."""
    pytest.importorskip("redis", reason="the redis package is not installed")
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.skip("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_generated_failures_replay_from_redis(
    capsys: pytest.CaptureFixture[str], redis_url: str
) -> None:
    _generated_round_trip(capsys, redis_url)


def test_hypothesis_without_hypothesis_says_what_to_install() -> None:
    # A plain install (pip install .) has no hypothesis: the runner says what to install.
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None\n"
        "from conformance.run import runner\n"
        "sys.exit(runner.main(['--list', '--hypothesis', '2']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert "error: --hypothesis needs the hypothesis package" in proc.stderr
    assert "pip install 'tf-metagraph-ref[hypothesis]'" in proc.stderr


# -- failure lists -----------------------------------------------------------------------
def test_failure_list_semantics(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str]
) -> None:
    flist = tmp_path / "failures.txt"
    testee = fake("flip_byte")
    chosen = as_cases(five)
    # Written by --update-failure-list: then the same run passes.
    status, out = run(capsys, "-v", "--testee", testee, *chosen, "--failure-list", str(flist),
                      "--update-failure-list")
    assert status == 0 and "5 entries (5 added" in out
    entries = parse_failure_list(flist.read_text())
    assert sorted(entries) == five and "files" in entries[five[3]].split("+")
    status, out = run(capsys, "-v", "--testee", testee, *chosen, "--failure-list", str(flist))
    assert status == 0, out
    assert "5 failed as expected" in out
    # An unlisted failure fails the run.
    reduced = dict(entries)
    del reduced[five[3]]
    flist.write_text(format_failure_list(reduced))
    status, out = run(capsys, "-v", "--testee", testee, *chosen, "--failure-list", str(flist))
    assert status == 1 and f"FAIL {five[3]}  [" in out
    # A listed failure that passes fails the run.
    status, out = run(capsys, "-v", *chosen, "--failure-list", str(flist))
    assert status == 1 and f"XPASS {five[0]}  [" in out
    assert "but passed: remove it from the failure list" in out
    # A listed failure failing for another reason fails the run; '*' accepts any reason.
    flist.write_text(format_failure_list({**entries, five[3]: "error-message"}))
    status, out = run(capsys, "-v", "--testee", testee, *chosen, "--failure-list", str(flist))
    assert status == 1 and f"WRONG REASON {five[3]}  [" in out
    assert f"listed as failing with error-message, but failed with {entries[five[3]]}" in out
    flist.write_text(format_failure_list({**entries, five[3]: "*"}))
    status, out = run(capsys, "-v", "--testee", testee, *chosen, "--failure-list", str(flist))
    assert status == 0, out
    # An entry naming no case fails the run (the list cannot rot).
    flist.write_text(format_failure_list({**entries, "no-such-case": "files"}))
    status, out = run(capsys, "-v", "--testee", testee, *chosen, "--failure-list", str(flist))
    assert status == 1 and "STALE failure-list entry: no-such-case" in out
    # A malformed list is a usage error.
    flist.write_text(f"{five[0]}\n")
    assert runner.main([*chosen, "--failure-list", str(flist)]) == 2


def test_listed_cases_that_pass_are_xpass_not_failed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, five: list[str]
) -> None:
    # Two cases listed as failing pass (refimpl's testee): XPASS in the tier summary,
    # the tables and the final line, not "failed"; the run still fails (remove them).
    flist = tmp_path / "failures.txt"
    flist.write_text(format_failure_list({five[0]: "files", five[1]: "*"}))
    status, out = run(capsys, "-v", *as_cases(five), "--failure-list", str(flist))
    assert status == 1, out
    assert _count(out, "failed") == 0
    assert _count(out, "XPASS (listed as failing, passed: remove the entry)") == 2
    assert _count(out, "identical bytes") == 3
    assert "FAILURES (2, of which 2 XPASS)" in out
    assert f"XPASS {five[0]}  [" in out and f"XPASS {five[1]}  [" in out
    assert re.search(r"^  XPASS +2$", out, re.MULTILINE)  # failure reasons
    head = next(ln for ln in out.splitlines() if ln.startswith("  level "))
    assert head.split()[-2:] == ["XPASS", "skipped"]
    row = next(ln for ln in out.splitlines() if ln.startswith("  required "))
    columns = dict(zip(head.split()[1:], row.split()[1:], strict=True))
    assert columns["failed"] == "0" and int(columns["XPASS"]) > 0
    assert "FAIL: 5 cases" in out and ", 0 failed, 2 XPASS (listed as failing)," in out


def test_failure_list_format() -> None:
    text = "# comment\n\nb-case files+returned  # trailing\na-case *\n"
    assert parse_failure_list(text) == {"b-case": "files+returned", "a-case": "*"}
    assert parse_failure_list(format_failure_list({"x": "timeout"})) == {"x": "timeout"}
    for bad in ("a b c\n", "a\n", "a files\na timeout\n", "a b!d\n"):
        with pytest.raises(FailureListError):
            parse_failure_list(bad)
    assert expectation("fail", "files", None) == ("fail", "")
    assert expectation("fail", "files", "files")[0] == "xfail"
    assert expectation("fail", "files", "*")[0] == "xfail"
    assert expectation("pass", "", "files")[0] == "xpass"
    assert expectation("fail", "crash", "files")[0] == "wrong-reason"
    assert expectation("skip", "no text", "files")[0] == "skip"


# -- selection, --list -------------------------------------------------------------------
def test_list_and_selection(
    capsys: pytest.CaptureFixture[str], cases: list[CorpusCase], five: list[str]
) -> None:
    # --list runs nothing: not even an unstartable testee.
    status, out = run(capsys, "--list", "--testee", "/nonexistent")
    assert status == 0
    assert out.splitlines() == [c.name for c in cases]
    status, out = run(capsys, "--list", "-k", PATTERN)
    assert out.splitlines() == [
        c.name for c in cases if c.name.startswith("scopes-d")
    ]
    status, out = run(capsys, "--list", "-k", "default", "--level", "recommended")
    names = out.splitlines()
    by_name = {c.name: c for c in cases}
    assert names and all(
        "default" in n and by_name[n].level == CorpusCase.RECOMMENDED for n in names
    )
    status, out = run(capsys, "--list", "--rule", "10.4", "--feature", "text")
    names = out.splitlines()
    assert names and all(
        any(r.startswith("10.4.") for r in by_name[n].rules) and "text" in by_name[n].features
        for n in names
    )
    status, out = run(capsys, "--list", *as_cases(five[::-1]))
    assert out.splitlines() == five


def test_console_script_and_module(five: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--list", "-k", PATTERN],
        capture_output=True, text=True, check=False, cwd=REPO,
    )
    assert proc.returncode == 0 and len(proc.stdout.split()) >= 5
    script = Path(sys.executable).parent / "metagraph-conformance"
    if script.exists():
        proc = subprocess.run(
            [str(script), "--case", five[0]], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "PASS: 1 cases" in proc.stdout


# -- framing, refimpl's testee -----------------------------------------------------------
def test_framing() -> None:
    assert read_frame(io.BytesIO(b"")) is None
    assert read_frame(io.BytesIO(encode_frame(b"abc") + encode_frame(b""))) == b"abc"
    with pytest.raises(FrameError, match="truncated frame header"):
        read_frame(io.BytesIO(b"\x01\x00"))
    with pytest.raises(FrameError, match="truncated frame: 2 of 5"):
        read_frame(io.BytesIO(struct.pack("<I", 5) + b"ab"))
    with pytest.raises(FrameError, match="oversized"):
        read_frame(io.BytesIO(struct.pack("<I", 1000) + b"x" * 1000), max_bytes=999)
    with pytest.raises(ValueError):
        encode_frame(b"x" * 10, max_bytes=9)


def test_refimpl_testee_writes_only_frames(cases: list[CorpusCase]) -> None:
    from conformance.protocol.conformance_pb2 import ExportResponse, Handshake, Hello

    warned = next(c for c in cases if c.expected.warnings)
    stream = encode_frame(Hello(protocol_version=2).SerializeToString())
    stream += encode_frame(request_for(warned).SerializeToString())
    proc = subprocess.run(
        [sys.executable, "-m", "refimpl.testee"], input=stream, capture_output=True, check=True
    )
    out = io.BytesIO(proc.stdout)
    handshake = Handshake.FromString(read_frame(out) or b"")
    assert handshake.protocol_version == 2 and handshake.target_tensorflow_version == "2.21.0"
    response = ExportResponse.FromString(read_frame(out) or b"")
    assert read_frame(out) is None
    assert response.case_name == warned.name
    assert not corpus.case_differences(warned, response.outcome)
    assert list(response.outcome.warnings) == list(warned.expected.warnings)


# -- the JavaScript testee skeleton ------------------------------------------------------
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_testee_skeleton_skips_every_case(tmp_path: Path, cases: list[CorpusCase]) -> None:
    # examples/js-testee: the protocol by hand in Node.js, every case answered "skipped";
    # skips do not fail a run, so an all-skipped run exits 0 (protocol doc sections 7, 10).
    patterns = ["scopes-d", "saveables_dict-*"]
    chosen = runner.select_cases(cases, patterns=patterns)
    assert len(chosen) >= 5
    xml = tmp_path / "j.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--testee", "node examples/js-testee/testee.js",
         *[a for p in patterns for a in ("-k", p)], "--progress", "never", "-v",
         "--junit-xml", str(xml)],
        capture_output=True, text=True, check=False, cwd=REPO, timeout=300,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    n = len(chosen)
    assert "js-testee skeleton 0.1; targets TensorFlow 2.21.0; protocol 1; features: *" in out
    assert re.search(rf"^ +{n}  not implemented$", out, re.MULTILINE), out
    assert f"PASS: {n} cases" in out and f": 0 passed, 0 failed, {n} skipped" in out
    results = {name: outcome_of(tc) for name, tc in junit(xml).items()}
    assert results == {c.name: ("skipped", "not implemented") for c in chosen}


# -- the pytest plugin -------------------------------------------------------------------
def pytest_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )


def test_plugin_adds_nothing_without_its_option(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = pytest_run(tmp_path, "--collect-only", "-q")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines()[0] == "test_x.py::test_x"
    assert "1 test collected" in proc.stdout
    proc = pytest_run(tmp_path, "--help")
    assert "--metagraph-testee" in proc.stdout


def test_plugin_collects_and_runs_cases(tmp_path: Path, cases: list[CorpusCase]) -> None:
    proc = pytest_run(tmp_path, "--metagraph-testee", "refimpl", "--collect-only", "-q")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("metagraph-conformance::")]
    assert lines == [f"metagraph-conformance::{c.name}" for c in cases] + [
        "metagraph-conformance::hypothesis-refimpl-oracle"
    ]
    matching = [c for c in cases if "scopes-d" in c.name.lower()]
    proc = pytest_run(
        tmp_path, "--metagraph-testee", "refimpl", "-k", "scopes-d or hypothesis",
        "--metagraph-hypothesis", "5", "-v", "--strict-markers",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(matching) + 1} passed" in proc.stdout
    text = next(c for c in cases if "text" in c.features and c.level == CorpusCase.RECOMMENDED
                and any(r.startswith("10.4.") for r in c.rules))
    proc = pytest_run(
        tmp_path, "--metagraph-testee", "refimpl", "--collect-only", "-q",
        "-m", "metagraph_rule_10_4 and metagraph_level_recommended and metagraph_feature_text",
    )
    assert proc.returncode == 0, proc.stdout
    assert f"metagraph-conformance::{text.name}" in proc.stdout


def test_plugin_shards_split_the_cases(tmp_path: Path, cases: list[CorpusCase]) -> None:
    collected = []
    for i in range(2):
        proc = pytest_run(tmp_path, "--metagraph-testee", "refimpl", "--collect-only", "-q",
                          "--metagraph-shard", f"{i}/2", "--metagraph-hypothesis", "0")
        collected.append([ln.split("::", 1)[1] for ln in proc.stdout.splitlines()
                          if ln.startswith("metagraph-conformance::")])
    assert all(collected)
    assert sorted(collected[0] + collected[1]) == sorted(c.name for c in cases)


def test_plugin_reports_failures_and_honours_the_failure_list(
    tmp_path: Path, cases: list[CorpusCase]
) -> None:
    matching = [c.name for c in cases if "scopes-d" in c.name.lower()]
    with_files = [c.name for c in cases if c.name in matching and c.expected.files]
    assert len(with_files) >= 2
    xfail, wrong = with_files[0], with_files[1]
    flist = tmp_path / "failures.txt"
    flist.write_text(f"{xfail} files\n{wrong} error-message\n")
    proc = pytest_run(
        tmp_path, "--metagraph-testee", fake("flip_byte"), "-k", "scopes-d", "-n", "2",
        "--metagraph-failure-list", str(flist), "--metagraph-hypothesis", "0", "-rA",
    )
    assert proc.returncode == 1, proc.stdout
    assert f"XFAIL metagraph-conformance::{xfail}" in proc.stdout
    assert "listed as failing with error-message, but failed with files" in proc.stdout
    assert f"FAILED metagraph-conformance::{wrong}" in proc.stdout
    assert re.search(r'^files\["\S+"\]: .+ vs .+$', proc.stdout, re.MULTILINE)
    assert f"{len(with_files) - 1} failed" in proc.stdout and "1 xfailed" in proc.stdout
    replay = shlex.join([sys.executable, "-m", "conformance", "--testee", fake("flip_byte")])
    assert f"replay: {replay} --case {wrong}" in proc.stdout
