"""The conformance runner: ``python -m conformance`` / ``metagraph-conformance``.

Runs the golden corpus (or hypothesis-generated cases, refimpl as the oracle) against a
testee speaking the protocol of docs/conformance-protocol.md; with no ``--testee`` it
checks refimpl's own (``python -m refimpl.testee``). Prints a short report on stdout
(each failure with its first differing field path, a unified diff in text format and a
one-line replay command; the verdict; one summary line); ``-v`` adds the versions
involved and the summaries by tier, level, feature and spec rule, which ``--report FILE``
writes in any case. A progress bar goes to stderr when stderr is a terminal.
``--save-failures DIR`` writes each failing case's expected and actual outcomes as files;
``--shard I/N`` runs one of N disjoint shares of the selection (``sharding``).
Exit status: 0 when every selected case passes (or fails exactly as
the failure list says), 1 otherwise, 2 for bad usage (unreadable corpus or failure list).

Command-line contract (other tools depend on it): ``--testee CMD``, ``--timeout SECONDS``,
``--list``; the exit status above. ``--tf-release R`` checks release R's corpus
(``conformance.corpus.releases``; default 2.21); ``--matrix`` runs each ``--testee``
(repeatable; default refimpl) on every release's corpus and prints a table of conformant
cases (``conformance.run.matrix``).
"""

from __future__ import annotations

import argparse
import fnmatch
import platform
import shlex
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from conformance.corpus.requests import request_for
from conformance.corpus.spec_rules import case_rules
from conformance.protocol import DEFAULT_MAX_FRAME_BYTES, PRE_STATE_PROTOCOL, PROTOCOL_VERSION
from conformance.protocol.conformance_pb2 import CorpusCase, Handshake, Outcome
from conformance.run import failure_list as fl
from conformance.run.sharding import Shard
from conformance.run.testee_process import (
    CaseResult,
    StartupError,
    TesteeProcess,
    default_testee_command,
)
from conformance.run.verdicts import (
    DEFAULT_TIER,
    TIER_TITLES,
    TIER_VERDICTS,
    TIERS,
    Verdict,
    judge_response,
)

__all__ = ["CaseRun", "RunResult", "main", "run_cases", "select_cases"]

LEVELS = ("required", "recommended", "optional")
FAILING = frozenset({"fail", "xpass", "wrong-reason"})
_MAX_DETAILS_SHOWN = 6
#: Failures shown with their diffs in the default report (all of them with -v).
FAILURES_IN_FULL = 10


def level_name(case: CorpusCase) -> str:
    """"required", "recommended" or "optional"."""
    return CorpusCase.Level.Name(case.level).lower()


# -- selection ---------------------------------------------------------------------------
def _matches(name: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


def _has_rule(case: CorpusCase, rule: str) -> bool:
    return any(r == rule or r.startswith(rule + ".") for r in case_rules(case))


def select_cases(
    cases: Sequence[CorpusCase],
    *,
    names: Sequence[str] = (),
    patterns: Sequence[str] = (),
    rules: Sequence[str] = (),
    features: Sequence[str] = (),
    levels: Sequence[str] = (),
) -> list[CorpusCase]:
    """The cases matching every kind of criterion given (any value within a kind).

    ``names``: exact case names; ``patterns``: substrings, or globs if they contain
    ``*?[``; ``rules``: spec rule numbers (a rule selects its sub-rules); ``features``:
    feature tags; ``levels``: requirement levels.
    """
    out = []
    for case in cases:
        if names and case.name not in names:
            continue
        if patterns and not any(_matches(case.name, p) for p in patterns):
            continue
        if rules and not any(_has_rule(case, r) for r in rules):
            continue
        if features and not set(features) & set(case.features):
            continue
        if levels and level_name(case) not in levels:
            continue
        out.append(case)
    return out


# -- running -----------------------------------------------------------------------------
@dataclass
class CaseRun:
    """One case's verdict and its final status once the failure list is applied."""

    case: CorpusCase
    verdict: Verdict
    #: "pass", "fail", "skip", "xfail", "xpass" or "wrong-reason".
    status: str = ""
    note: str = ""
    #: The testee's outcome, kept when the case did not pass at identical bytes.
    outcome: Outcome | None = None


@dataclass
class RunResult:
    """Everything a run found."""

    runs: list[CaseRun]
    seconds: float
    handshake: Handshake | None
    startup_error: str = ""
    notes: list[str] = field(default_factory=list)
    stale_entries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the run passes (exit status 0)."""
        return not self.stale_entries and not any(r.status in FAILING for r in self.runs)


def unsupported_features(case: CorpusCase, handshake: Handshake | None) -> list[str]:
    """The case's feature tags the testee did not declare ("*" declares all)."""
    if handshake is None or "*" in handshake.features:
        return []
    return sorted(set(case.features) - set(handshake.features))


def protocol_skip(case: CorpusCase, handshake: Handshake | None) -> str | None:
    """Why the case is not sent to a testee whose protocol version is too old for it
    (a file-system pre-state needs protocol 2), or None."""
    if handshake is None or not case.HasField("pre_state"):
        return None
    if handshake.protocol_version >= PRE_STATE_PROTOCOL:
        return None
    return (
        f"the case has a file-system pre-state, which needs protocol {PRE_STATE_PROTOCOL}; "
        f"the testee speaks protocol {handshake.protocol_version}"
    )


def verdict_for(case: CorpusCase, result: CaseResult, require: str) -> Verdict:
    """The verdict on what the testee did with a case."""
    if result.response is None:
        kind = result.failure_kind or "protocol"
        return Verdict("fail", reason=kind, details=[result.failure], seconds=result.seconds)
    try:
        verdict = judge_response(case, result.response, require)
    except Exception as e:  # noqa: BLE001 - a response the judge cannot even read
        verdict = Verdict(
            "fail", reason="protocol", details=[f"unusable outcome: {type(e).__name__}: {e}"]
        )
    verdict.seconds = result.seconds
    return verdict


def run_cases(
    cases: Sequence[CorpusCase],
    testee: TesteeProcess | Sequence[TesteeProcess],
    *,
    require: str = DEFAULT_TIER,
    progress: Callable[[int, int, CaseRun], None] | None = None,
) -> RunResult:
    """Runs every case against the testee (its process is started as needed).

    Given several ``TesteeProcess`` objects (``--jobs``), each runs in its own thread and
    takes the next case as it becomes free; the results keep the order of ``cases``.
    """
    testees = [testee] if isinstance(testee, TesteeProcess) else list(testee)
    started = time.monotonic()
    startup_error = ""
    handshake: Handshake | None = None
    try:
        handshake = testees[0].ensure_started()
    except StartupError as e:
        startup_error = str(e)
    runs: list[CaseRun | None] = [None] * len(cases)
    lock = threading.Lock()
    done = 0
    next_index = iter(range(len(cases)))

    def work(process: TesteeProcess) -> None:
        nonlocal done, handshake
        while True:
            with lock:
                i = next(next_index, None)
                known = process.handshake or handshake
            if i is None:
                return
            case = cases[i]
            missing = unsupported_features(case, known)
            too_old = protocol_skip(case, known)
            if missing:
                reason = "the testee does not support " + ", ".join(missing)
                verdict = Verdict("skip", reason=reason)
                outcome = None
            elif too_old is not None:
                verdict = Verdict("skip", reason=too_old)
                outcome = None
            else:
                answer = process.run(request_for(case))
                verdict = verdict_for(case, answer, require)
                outcome = None
                if answer.response is not None and verdict.tier != "bytes":
                    outcome = answer.response.outcome
            run = CaseRun(case, verdict, status=verdict.status, outcome=outcome)
            with lock:
                runs[i] = run
                done += 1
                handshake = process.handshake or handshake
                if progress is not None:
                    progress(done, len(cases), run)

    if len(testees) == 1:
        work(testees[0])
    else:
        threads = [
            threading.Thread(target=work, args=(t,), name=f"testee-{n}", daemon=True)
            for n, t in enumerate(testees)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for t in testees:
        handshake = t.handshake or handshake
        t.close()
    finished = [r for r in runs if r is not None]
    assert len(finished) == len(cases)
    return RunResult(
        runs=finished,
        seconds=time.monotonic() - started,
        handshake=handshake,
        startup_error=startup_error,
        notes=[note for t in testees for note in t.notes],
    )


def apply_failure_list(
    result: RunResult, entries: dict[str, str], known: Iterable[str] | None
) -> None:
    """Sets each run's final status from the failure list; records stale entries."""
    for run in result.runs:
        run.status, run.note = fl.expectation(
            run.verdict.status, run.verdict.reason, entries.get(run.case.name)
        )
    if known is not None:
        known_set = set(known)
        result.stale_entries = sorted(n for n in entries if n not in known_set)


# -- reporting ---------------------------------------------------------------------------
class Progress:
    """A one-line progress bar on a terminal stream."""

    def __init__(self, stream: IO[str], total: int) -> None:
        self.stream = stream
        self.total = total
        self.start = time.monotonic()
        self.last = 0.0
        self.failed = 0

    def __call__(self, done: int, total: int, run: CaseRun) -> None:
        if run.status == "fail":
            self.failed += 1
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        elapsed = now - self.start
        eta = elapsed / done * (total - done) if done else 0.0
        name = run.case.name[:40]
        line = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"{self.failed} failed  {elapsed:4.0f}s  eta {eta:4.0f}s  {name:<40}"
        )
        self.stream.write(line)
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r" + " " * 130 + "\r")
        self.stream.flush()


def testee_command(testee: str | None) -> str:
    """The testee command line actually run: ``testee``, or refimpl's own testee under
    this interpreter (``<sys.executable> -m refimpl.testee``), shell-quoted."""
    return testee if testee else shlex.join(default_testee_command())


def replay_command(args: argparse.Namespace, case: CorpusCase) -> str:
    """A command running just this case, with the settings that matter: this interpreter
    (``sys.executable``) and the testee command actually used, shell-quoted."""
    parts = [sys.executable, "-m", "conformance", "--testee", testee_command(args.testee)]
    if getattr(args, "tf_release", None):
        parts += ["--tf-release", args.tf_release]
    elif args.corpus:
        parts += ["--corpus", str(args.corpus)]
    if args.hypothesis:
        parts += ["--hypothesis", str(args.hypothesis), "--seed", str(args.seed)]
        if args.hypothesis_db:
            parts += ["--hypothesis-db", args.hypothesis_db]
    if args.timeout != DEFAULT_TIMEOUT:
        parts += ["--timeout", f"{args.timeout:g}"]
    if args.require_tier != DEFAULT_TIER:
        parts += ["--require-tier", args.require_tier]
    parts += ["--case", case.name]
    return shlex.join(parts)


def tier_verdict(tier: str) -> str:
    """What reaching ``tier`` means: "conformant: identical bytes", or for a weaker tier
    "equivalent after re-serialization: NOT conformant" / "semantically equal: NOT
    conformant" (spec.md 0.2: conformance is byte identity)."""
    return TIER_VERDICTS[tier]


def _rule_key(rule: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in rule.split("."))
    except ValueError:
        return (1 << 30,)


def _bucket(run: CaseRun) -> str:
    """The summary column of a run: a tier, "failed", "expected", "XPASS" (listed in the
    failure list, but passed: the run fails until the entry is removed) or "skipped"."""
    if run.status == "pass":
        return run.verdict.tier or "bytes"
    if run.status == "xfail":
        return "expected"
    if run.status == "xpass":
        return "XPASS"
    if run.status == "skip":
        return "skipped"
    return "failed"


_COLUMNS = ("bytes", "reserialized", "semantic", "failed", "expected", "XPASS", "skipped")


def _table(title: str, groups: dict[str, list[CaseRun]], order: Sequence[str]) -> list[str]:
    width = max([len(title)] + [len(g) for g in order])
    head = f"  {title:<{width}}  {'cases':>6}" + "".join(f"  {c:>{len(c)}}" for c in _COLUMNS)
    lines = [head]
    for key in order:
        counts = Counter(_bucket(r) for r in groups[key])
        row = f"  {key:<{width}}  {len(groups[key]):>6}"
        row += "".join(f"  {counts.get(c, 0):>{len(c)}}" for c in _COLUMNS)
        lines.append(row)
    return lines


def versions_lines(
    args: argparse.Namespace, result: RunResult, manifest: dict[str, Any]
) -> list[str]:
    """The report header: testee, corpus, runner versions, settings."""
    import google.protobuf

    hs = result.handshake
    testee = args.testee or "python -m refimpl.testee (refimpl's own testee)"
    if hs is not None:
        features = ", ".join(hs.features) or "(none declared)"
        about = (
            f"{hs.implementation or '(unnamed)'}; targets TensorFlow "
            f"{hs.target_tensorflow_version or '?'}; protocol {hs.protocol_version}; "
            f"features: {features}"
        )
    else:
        about = f"no handshake: {result.startup_error or 'not started'}"
    corpus_tf = manifest.get("tensorflow_version", "?")
    corpus_pb = manifest.get("protobuf_version", "?")
    source = (
        f"{args.hypothesis} hypothesis-generated cases (seed {args.seed}), refimpl as the oracle, "
        f"on the snapshots of the corpus recorded with TensorFlow {corpus_tf}"
        if args.hypothesis
        else f"{args.corpus or 'conformance/corpus'}: {manifest.get('case_count', '?')} cases "
        f"recorded with TensorFlow {corpus_tf} (protobuf {corpus_pb})"
    )
    lines = [
        f"metagraph-conformance, protocol version {PROTOCOL_VERSION}",
        f"testee:    {testee}",
        f"           {about}",
        f"corpus:    {source}",
        f"runner:    protobuf {google.protobuf.__version__}, Python {platform.python_version()}, "
        f"{platform.platform()}",
        f"settings:  pass at tier '{args.require_tier}' or stronger"
        + ("" if args.require_tier == "bytes" else " (lowered: only 'bytes' is conformant)")
        + f"; timeout {args.timeout:g} s "
        f"per case"
        + (f"; failure list {args.failure_list}" if args.failure_list else ""),
    ]
    target = hs.target_tensorflow_version if hs is not None else ""
    if target and target != corpus_tf:
        lines.append(
            f"note:      the testee targets TensorFlow {target}, "
            f"the corpus is TensorFlow {corpus_tf}'s"
        )
    return lines


def failure_lines(args: argparse.Namespace, run: CaseRun) -> list[str]:
    """One failing case as the report shows it: the label, the differences (each
    starting at the first differing field path), the unified diffs and the replay command."""
    case, v = run.case, run.verdict
    label = {"fail": "FAIL", "xpass": "XPASS", "wrong-reason": "WRONG REASON"}[run.status]
    reason = v.reason or (f"passed ({v.tier})" if v.status == "pass" else "")
    lines = [f"{label} {case.name}  [{level_name(case)}; {reason}]"]
    if run.note:
        lines.append(f"    {run.note}")
    if v.tier:
        lines.append(f"    verdict: {tier_verdict(v.tier)}")
    for detail in v.details[:_MAX_DETAILS_SHOWN]:
        lines.append("    " + detail.replace("\n", "\n    "))
    if len(v.details) > _MAX_DETAILS_SHOWN:
        lines.append(f"    ... and {len(v.details) - _MAX_DETAILS_SHOWN} more differences")
    for diff in v.diffs:
        lines.append("    diff " + diff.replace("\n", "\n      "))
    lines.append(f"    replay: {replay_command(args, case)}")
    return lines


def _failure_summary(run: CaseRun) -> str:
    v = run.verdict
    first = v.details[0].split("\n", 1)[0] if v.details else ""
    label = {"fail": "FAIL", "xpass": "XPASS", "wrong-reason": "WRONG REASON"}[run.status]
    return f"{label} {run.case.name}  [{level_name(run.case)}; {v.reason}] {first}".rstrip()


def summary_line(result: RunResult) -> str:
    """The last line of the report: PASS or FAIL, the counts and the rate."""
    counts = Counter(_bucket(r) for r in result.runs)
    n = len(result.runs)
    rate = n / result.seconds if result.seconds > 0 else 0.0
    passed = sum(1 for r in result.runs if r.status == "pass")
    failed = sum(1 for r in result.runs if r.status in ("fail", "wrong-reason"))
    xfails = counts.get("expected", 0)
    tiers = ", ".join(f"{counts.get(t, 0)} {TIER_TITLES[t]}" for t in TIERS if counts.get(t))
    stale = result.stale_entries
    return (
        f"{'PASS' if result.ok else 'FAIL'}: {n} cases in {result.seconds:.1f} s "
        f"({rate:.0f} cases/s): {passed} passed"
        + (f" ({tiers})" if tiers else "")
        + f", {failed} failed"
        + (f", {xfails} failed as expected" if xfails else "")
        + (f", {counts['XPASS']} XPASS (listed as failing)" if counts.get("XPASS") else "")
        + f", {counts.get('skipped', 0)} skipped"
        + (f", {len(stale)} stale failure-list entries" if stale else "")
    )


def _summary_tables(result: RunResult) -> list[str]:
    lines = ["", "Summary by tier (strongest tier passed)"]
    counts = Counter(_bucket(r) for r in result.runs)
    for tier in TIERS:
        lines.append(
            f"  {TIER_TITLES[tier]:<52} {counts.get(tier, 0):>6}  {TIER_VERDICTS[tier]}"
        )
    lines.append(f"  {'failed':<52} {counts.get('failed', 0):>6}")
    if counts.get("expected"):
        lines.append(f"  {'failed as the failure list expects':<52} {counts['expected']:>6}")
    if counts.get("XPASS"):
        lines.append(
            f"  {'XPASS (listed as failing, passed: remove the entry)':<52} "
            f"{counts['XPASS']:>6}"
        )
    lines.append(f"  {'skipped':<52} {counts.get('skipped', 0):>6}")
    reasons = Counter(
        "XPASS" if r.status == "xpass" else r.verdict.reason
        for r in result.runs
        if r.status in FAILING | {"xfail"}
    )
    if reasons:
        lines += ["", "Failure reasons"]
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {reason or '(passed)':<52} {n:>6}")
    by_level: dict[str, list[CaseRun]] = defaultdict(list)
    by_feature: dict[str, list[CaseRun]] = defaultdict(list)
    by_rule: dict[str, list[CaseRun]] = defaultdict(list)
    for run in result.runs:
        by_level[level_name(run.case)].append(run)
        for f in run.case.features:
            by_feature[f].append(run)
        for r in case_rules(run.case) or ["(none)"]:
            by_rule[r].append(run)
    lines += ["", "By requirement level"]
    lines += _table("level", by_level, [lv for lv in LEVELS if lv in by_level])
    lines += ["", "By feature"]
    lines += _table("feature", by_feature, sorted(by_feature))
    lines += ["", "By spec rule (spec.md)"]
    lines += _table("rule", by_rule, sorted(by_rule, key=_rule_key))
    return lines


def report_lines(
    args: argparse.Namespace,
    result: RunResult,
    manifest: dict[str, Any],
    *,
    verbose: bool = False,
) -> list[str]:
    """The human-readable report. Short by default: the failures (the first
    ``FAILURES_IN_FULL`` with their diffs, the others a line each), expected failures,
    skips and notes, the verdict and one summary line. ``verbose`` (``-v``, and the
    ``--report`` file): the versions first, every failure in full, and the summary tables
    by tier, failure reason, level, feature and spec rule."""
    lines: list[str] = []
    if verbose:
        lines += [*versions_lines(args, result, manifest), ""]
    start = len(lines)
    bad = [r for r in result.runs if r.status in FAILING]
    if bad:
        xpassed = sum(1 for r in bad if r.status == "xpass")
        lines.append(
            f"FAILURES ({len(bad)}"
            + (f", of which {xpassed} XPASS" if xpassed else "")
            + "); values are shown as expected (TF) vs actual (testee)"
        )
        in_full = bad if verbose else bad[:FAILURES_IN_FULL]
        for run in in_full:
            lines += ["", *failure_lines(args, run)]
        if len(in_full) < len(bad):
            lines += ["", f"... and {len(bad) - len(in_full)} more failures (-v or "
                      "--report FILE shows each in full):"]
            lines += [_failure_summary(run) for run in bad[len(in_full):]]
        lines.append("")
    start = len(lines)
    xfails = [r for r in result.runs if r.status == "xfail"]
    if xfails:
        lines.append(f"Expected failures (failure list): {len(xfails)}")
    for name in result.stale_entries:
        lines.append(f"STALE failure-list entry: {name} is not a case of this corpus")
    skipped = Counter(r.verdict.reason for r in result.runs if r.status == "skip")
    if skipped:
        lines.append("Skipped:")
        for reason, n in skipped.most_common():
            lines.append(f"  {n:>5}  {reason}")
    lines += [f"note: {note}" for note in result.notes]
    if verbose:
        lines += _summary_tables(result)
    reached = Counter(r.verdict.tier for r in result.runs if r.verdict.tier)
    if reached:
        lines += [
            *([""] if len(lines) > start else []),
            "verdict: "
            + "; ".join(f"{reached[t]} {TIER_VERDICTS[t]}" for t in TIERS if reached.get(t)),
        ]
    lines += [*([""] if len(lines) > start else []), summary_line(result)]
    return [ln for i, ln in enumerate(lines) if ln or i == 0 or lines[i - 1]]


def report(
    args: argparse.Namespace,
    result: RunResult,
    manifest: dict[str, Any],
    out: IO[str],
    *,
    verbose: bool = False,
) -> None:
    """Writes the human-readable report (``report_lines``)."""
    for line in report_lines(args, result, manifest, verbose=verbose):
        out.write(line + "\n")


def write_junit(
    path: Path,
    args: argparse.Namespace,
    result: RunResult,
    manifest: dict[str, Any],
) -> None:
    """Writes the run as JUnit XML (one testcase per case)."""
    import google.protobuf

    failures = sum(
        1 for r in result.runs if r.status in FAILING and r.verdict.reason not in _FAULTS
    )
    errors = sum(1 for r in result.runs if r.status in FAILING and r.verdict.reason in _FAULTS)
    skipped = sum(1 for r in result.runs if r.status in ("skip", "xfail"))
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="metagraph-conformance",
        tests=str(len(result.runs)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{result.seconds:.3f}",
        timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"),
        hostname=platform.node(),
    )
    props = ET.SubElement(suite, "properties")
    hs = result.handshake
    values = {
        "testee": args.testee or "python -m refimpl.testee",
        "implementation": hs.implementation if hs else "",
        "target_tensorflow_version": hs.target_tensorflow_version if hs else "",
        "corpus_tensorflow_version": str(manifest.get("tensorflow_version", "")),
        "corpus_protobuf_version": str(manifest.get("protobuf_version", "")),
        "protobuf_version": google.protobuf.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "protocol_version": str(PROTOCOL_VERSION),
        "require_tier": args.require_tier,
    }
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=value)
    for run in result.runs:
        case, v = run.case, run.verdict
        tc = ET.SubElement(
            suite,
            "testcase",
            classname=f"metagraph_conformance.{level_name(case)}",
            name=case.name,
            time=f"{v.seconds:.3f}",
        )
        if run.status in FAILING:
            tag = "error" if v.reason in _FAULTS else "failure"
            message = run.note or v.reason
            body = "\n".join([*v.details, *v.diffs, f"replay: {replay_command(args, case)}"])
            el = ET.SubElement(tc, tag, message=message, type=v.reason or run.status)
            el.text = body
        elif run.status == "skip":
            ET.SubElement(tc, "skipped", message=v.reason)
        elif run.status == "xfail":
            ET.SubElement(tc, "skipped", message=f"expected failure: {v.reason}", type="xfail")
        if v.tier:
            ET.SubElement(tc, "properties").append(
                ET.Element("property", name="tier", value=v.tier)
            )
    ET.indent(suites)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


_FAULTS = frozenset({"crash", "timeout", "protocol", "startup"})


# -- command line ------------------------------------------------------------------------
DEFAULT_TIMEOUT = 30.0


class _TesteeAction(argparse.Action):
    """``--testee``: the last one in ``testee``, all of them (for ``--matrix``) in
    ``testees``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        namespace.testee = values
        namespace.testees = [*getattr(namespace, "testees", []), values]


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Check an implementation of TensorFlow 2.21's export_meta_graph against "
        "the golden corpus (docs/conformance-protocol.md). With no --testee, checks refimpl.",
    )
    p.add_argument("--testee", metavar="CMD", action=_TesteeAction, default=None,
                   help="the testee command line (split like a shell would); default: "
                   "refimpl's own testee, python -m refimpl.testee (repeatable with --matrix)")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT,
                   help=f"per-case timeout (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("-j", "--jobs", metavar="N", type=int, default=1,
                   help="run N testee processes in parallel (default 1)")
    p.add_argument("--startup-timeout", metavar="SECONDS", type=float, default=60.0,
                   help="time allowed for the testee to start and answer the Hello (default 60)")
    p.add_argument("--list", action="store_true",
                   help="print the selected case names, one per line, and run nothing")
    sel = p.add_argument_group("selection (kinds combine with AND, values within a kind with OR)")
    sel.add_argument("-k", "--select", metavar="PATTERN", action="append", default=[],
                     help="case names containing PATTERN, or matching it as a glob (*?[])")
    sel.add_argument("--case", metavar="NAME", action="append", default=[],
                     help="exactly this case (repeatable)")
    sel.add_argument("--rule", metavar="N.N", action="append", default=[],
                     help="cases exercising this spec.md rule or one of its sub-rules")
    sel.add_argument("--feature", metavar="TAG", action="append", default=[],
                     help="cases with this feature tag")
    sel.add_argument("--level", metavar="LEVEL", action="append", default=[],
                     help="required, recommended or optional (comma-separated or repeated)")
    p.add_argument("--corpus", metavar="DIR", type=Path, default=None,
                   help="the corpus directory (default: conformance/corpus)")
    p.add_argument("--tf-release", metavar="RELEASE", default=None,
                   help="the corpus of this TensorFlow release (2.16 or 2.16.2; default 2.21)")
    p.add_argument("--matrix", action="store_true",
                   help="run every --testee on every release's corpus and print a table of "
                   "conformant cases (bytes tier)")
    p.add_argument("--sample", metavar="N", type=int, default=None,
                   help="with --matrix: N cases of each corpus, evenly spaced by name")
    p.add_argument("--hypothesis", metavar="N", type=int, default=0,
                   help="run N hypothesis-generated cases (refimpl as the oracle) instead of "
                   "the corpus")
    p.add_argument("--seed", type=int, default=0, help="seed of --hypothesis (default 0)")
    p.add_argument("--hypothesis-db", metavar="SPEC", default=None,
                   help="where --hypothesis keeps its failing cases, replayed first on every "
                   "run: a directory, redis://host:port/db (shared by machines) or none "
                   "(default: $METAGRAPH_HYPOTHESIS_DB, else .hypothesis/examples)")
    p.add_argument("--shard", metavar="I/N", type=Shard.parse, default=Shard(),
                   help="run only shard I (0-based) of N: the cases whose name hashes to I "
                   "mod N (the N shards together run the selection, each case once)")
    p.add_argument("--require-tier", choices=TIERS, default=DEFAULT_TIER,
                   help="the weakest verdict tier that passes (default: bytes, the only "
                   "conformant one; reserialized or semantic lower the bar)")
    p.add_argument("--failure-list", metavar="FILE", type=Path, default=None,
                   help="known failures: '<case name> <reason>' a line")
    p.add_argument("--update-failure-list", action="store_true",
                   help="rewrite --failure-list with the failures of this run")
    p.add_argument("--junit-xml", metavar="FILE", type=Path, default=None,
                   help="also write the results as JUnit XML")
    p.add_argument("--max-frame-bytes", type=int, default=DEFAULT_MAX_FRAME_BYTES,
                   help="largest frame accepted from the testee")
    p.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                   help="the progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--testee-stderr", action="store_true",
                   help="pass the testee's stderr through (default: keep it for crash reports)")
    out = p.add_argument_group("output")
    out.add_argument("-v", "--verbose", action="store_true",
                     help="the full report: versions, every failure in full, the summaries "
                     "by tier, failure reason, level, feature and spec rule")
    out.add_argument("--report", metavar="FILE", type=Path, default=None,
                     help="also write the full (-v) report to FILE")
    out.add_argument("--save-failures", metavar="DIR", type=Path, default=None,
                     help="write each failing case's expected and actual files, messages, "
                     "error and warnings, its report and request into DIR/<case>/")
    return p


def _levels(values: Sequence[str]) -> list[str]:
    out = []
    for v in values:
        for part in v.split(","):
            part = part.strip().lower()
            if part:
                if part not in LEVELS:
                    raise ValueError(f"unknown level {part!r} (required, recommended, optional)")
                out.append(part)
    return out


def load_cases(args: argparse.Namespace) -> tuple[list[CorpusCase], dict[str, Any]]:
    """The corpus's cases (or the generated ones) and its manifest."""
    from conformance import corpus as corpus_mod

    directory = args.corpus or corpus_mod.DEFAULT_DIRECTORY
    cases = corpus_mod.load_corpus(directory)
    try:
        manifest = corpus_mod.load_manifest(directory)
    except (OSError, ValueError):
        manifest = {}
    if args.hypothesis:
        from conformance.gen.generated import generate_cases, replayed_case
        from conformance.run import example_db

        db = example_db.example_database(args.hypothesis_db)
        shard: Shard = args.shard
        replays = [replayed_case(value, cases) for value in example_db.recorded(db)]
        generated = generate_cases(cases, args.hypothesis, args.seed, keep=shard.holds)
        cases = [c for c in replays if c is not None] + generated
    return cases, manifest


def record_generated_failures(args: argparse.Namespace, result: RunResult) -> None:
    """``--hypothesis``: saves each failing generated case in the example database and
    forgets the replayed ones that passed (``conformance.run.example_db``)."""
    from conformance.gen.generated import stored_form
    from conformance.run import example_db

    db = example_db.example_database(args.hypothesis_db)
    for run in result.runs:
        value = stored_form(run.case)
        if run.verdict.status == "fail":
            example_db.record(db, value)
        elif run.verdict.status == "pass" and run.case.name.startswith("hypothesis-db-"):
            example_db.forget(db, value)


def save_failures(args: argparse.Namespace, result: RunResult) -> None:
    """``--save-failures DIR``: each failing case's outcomes and report as files."""
    from conformance.run.saved_failures import write_case

    for run in result.runs:
        if run.status in FAILING:
            write_case(
                args.save_failures, run.case.name, request_for(run.case), run.case.expected,
                run.outcome, failure_lines(args, run),
            )


INSTALL_HYPOTHESIS = (
    "pip install 'tf-metagraph-ref[hypothesis]' (or: pip install 'hypothesis>=6.100')"
)


def _missing(error: ImportError) -> str:
    """What to install for ``--hypothesis``, from the import that failed."""
    if "redis" in str(error):
        return str(error)
    return f"the hypothesis package, which is not installed ({error}): {INSTALL_HYPOTHESIS}"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    err = sys.stderr
    if args.matrix:
        return matrix_main(args)
    if len(getattr(args, "testees", [])) > 1:
        parser.error("--testee is given once (several only with --matrix)")
    if args.tf_release is not None:
        if args.corpus is not None:
            parser.error("--tf-release and --corpus exclude each other")
        from conformance.corpus.releases import corpus_directory

        try:
            args.corpus = corpus_directory(args.tf_release)
        except ValueError as e:
            parser.error(str(e))
    if args.update_failure_list and args.failure_list is None:
        parser.error("--update-failure-list needs --failure-list FILE")
    try:
        levels = _levels(args.level)
    except ValueError as e:
        parser.error(str(e))
    try:
        all_cases, manifest = load_cases(args)
    except ImportError as e:
        print(f"error: --hypothesis needs {_missing(e)}", file=err)
        return 2
    except (OSError, ValueError) as e:
        print(f"error: cannot load the corpus: {e}", file=err)
        return 2
    cases = select_cases(
        all_cases,
        names=args.case,
        patterns=args.select,
        rules=args.rule,
        features=args.feature,
        levels=levels,
    )
    cases = [c for c in cases if args.shard.holds(c.name)]
    if args.list:
        for case in cases:
            print(case.name)
        return 0
    entries: dict[str, str] = {}
    if args.failure_list is not None:
        try:
            entries = fl.FailureList.load(args.failure_list).entries
        except (OSError, fl.FailureListError) as e:
            print(f"error: {e}", file=err)
            return 2
    show = args.progress == "always" or (args.progress == "auto" and err.isatty())
    bar = Progress(err, len(cases)) if show and cases else None
    echo = sys.stderr.buffer if args.testee_stderr else None
    testees = [
        TesteeProcess(
            args.testee,
            timeout=args.timeout,
            startup_timeout=args.startup_timeout,
            max_frame_bytes=args.max_frame_bytes,
            echo_stderr=echo,
        )
        for _ in range(max(1, args.jobs))
    ]
    try:
        result = run_cases(cases, testees, require=args.require_tier, progress=bar)
    finally:
        for testee in testees:
            testee.close()
        if bar is not None:
            bar.clear()
    known = None if args.hypothesis else [c.name for c in all_cases]
    apply_failure_list(result, entries, known)
    report(args, result, manifest, sys.stdout, verbose=args.verbose)
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        with args.report.open("w", encoding="utf-8") as f:
            report(args, result, manifest, f, verbose=True)
    if args.save_failures is not None:
        save_failures(args, result)
    if args.hypothesis:
        record_generated_failures(args, result)
    if args.junit_xml is not None:
        write_junit(args.junit_xml, args, result, manifest)
    if args.update_failure_list:
        failures = {
            r.case.name: r.verdict.reason for r in result.runs if r.verdict.status == "fail"
        }
        new = fl.updated_entries(
            entries, known or list(entries) + [c.name for c in all_cases],
            [c.name for c in cases], failures,
        )
        args.failure_list.write_text(fl.format_failure_list(new), encoding="utf-8")
        added = sorted(set(new) - set(entries))
        removed = sorted(set(entries) - set(new))
        changed = sorted(n for n in set(new) & set(entries) if new[n] != entries[n])
        print(
            f"updated {args.failure_list}: {len(new)} entries "
            f"({len(added)} added, {len(removed)} removed, {len(changed)} changed)"
        )
        return 0
    sys.stdout.flush()
    return 0 if result.ok else 1


def matrix_main(args: argparse.Namespace) -> int:
    """``--matrix``: prints the table of ``conformance.run.matrix``; exit status 0."""
    from conformance.run import matrix

    def processes(command: str | None) -> list[TesteeProcess]:
        return [
            TesteeProcess(
                command,
                timeout=args.timeout,
                startup_timeout=args.startup_timeout,
                max_frame_bytes=args.max_frame_bytes,
            )
            for _ in range(max(1, args.jobs))
        ]

    releases = None
    if args.tf_release is not None:
        from conformance.corpus.releases import resolve_release

        releases = [resolve_release(r) for r in args.tf_release.split(",")]
    testees: list[str | None] = list(getattr(args, "testees", [])) or [None]
    chosen, rows = matrix.run_matrix(
        testees,
        processes,
        releases,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
        sample=args.sample,
    )
    sys.stdout.write(matrix.format_matrix(chosen, rows))
    return 0


def main_exit() -> None:
    """Console-script entry point (``metagraph-conformance``): exits with ``main()``'s status."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as command-line tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
