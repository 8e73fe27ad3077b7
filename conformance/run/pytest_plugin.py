"""pytest plugin: the conformance corpus as test items (``pytest --metagraph-testee CMD``).

Registered with the package (``[project.entry-points.pytest11]``). Without
``--metagraph-testee`` it only declares its options: no items, no markers, no imports
beyond pytest. With it, every corpus case becomes a test item named after the case
(``metagraph-conformance::<case name>``, selectable with ``-k``), marked
``metagraph``, ``metagraph_level_<level>``, ``metagraph_feature_<tag>`` and
``metagraph_rule_<n>_<n>...`` (for the case's spec rules and their parents, so
``-m metagraph_rule_4_2`` selects 4.2.x); plus ``hypothesis-refimpl-oracle``, a
hypothesis property (``--metagraph-hypothesis N`` examples, refimpl's outcome as the
expected one) when hypothesis is installed, its examples in the database
``METAGRAPH_HYPOTHESIS_DB`` names (``conformance.run.example_db``).
``--metagraph-shard I/N`` (or ``METAGRAPH_SHARD``) collects one shard of the cases, as
the runner's ``--shard``. ``--metagraph-failure-list FILE`` marks
the listed failures as xfail, and fails a listed case that passes or fails for another
reason; a ``failure-list`` item fails on entries naming no case.

Each pytest process (each xdist worker) runs one testee process, started on first use.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conformance.protocol.conformance_pb2 import CorpusCase
    from conformance.run.runner import CaseRun
    from conformance.run.testee_process import TesteeProcess

_TIERS = ("bytes", "reserialized", "semantic")
_STATE: pytest.StashKey[_State] = pytest.StashKey()
COLLECTOR_NAME = "metagraph-conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "metagraph-conformance", "conformance of a MetaGraphDef exporter (tf-metagraph-ref)"
    )
    group.addoption(
        "--metagraph-testee",
        metavar="CMD",
        default=None,
        help="collect the conformance corpus as tests, run against this testee command "
        "(docs/conformance-protocol.md); 'refimpl' means python -m refimpl.testee",
    )
    group.addoption(
        "--metagraph-failure-list",
        metavar="FILE",
        default=None,
        help="known failures of the testee: '<case name> <reason>' a line",
    )
    group.addoption(
        "--metagraph-timeout", type=float, default=30.0, help="per-case timeout (seconds)"
    )
    group.addoption(
        "--metagraph-corpus", metavar="DIR", default=None, help="the corpus directory"
    )
    group.addoption(
        "--metagraph-require-tier",
        choices=_TIERS,
        default="bytes",
        help="the weakest verdict tier that passes (default: bytes, the only conformant "
        "one; reserialized or semantic lower the bar)",
    )
    group.addoption(
        "--metagraph-shard",
        metavar="I/N",
        default=None,
        help="collect only shard I (0-based) of N of the corpus cases, as the runner's "
        "--shard (default: $METAGRAPH_SHARD, else all)",
    )
    group.addoption(
        "--metagraph-hypothesis",
        type=int,
        default=20,
        metavar="N",
        help="examples of the hypothesis property against the testee (0: no property item)",
    )


class _State:
    """Per-process plugin state: the options, the failure list, the testee process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        command = config.getoption("metagraph_testee")
        self.command: str | None = None if command == "refimpl" else command
        self.timeout: float = config.getoption("metagraph_timeout")
        self.require: str = config.getoption("metagraph_require_tier")
        corpus = config.getoption("metagraph_corpus")
        self.corpus = Path(corpus) if corpus else None
        from conformance.run.sharding import Shard, shard_from_environment

        shard = config.getoption("metagraph_shard")
        try:
            self.shard = Shard.parse(shard) if shard else shard_from_environment()
        except ValueError as e:
            raise pytest.UsageError(f"--metagraph-shard: {e}") from None
        self.failure_list_path: Path | None = None
        self.failures: dict[str, str] = {}
        path = config.getoption("metagraph_failure_list")
        if path:
            from conformance.run.failure_list import FailureList

            self.failure_list_path = Path(path)
            self.failures = FailureList.load(self.failure_list_path).entries
        self._testee: TesteeProcess | None = None

    def testee(self) -> TesteeProcess:
        if self._testee is None:
            from conformance.run.testee_process import TesteeProcess

            self._testee = TesteeProcess(self.command, timeout=self.timeout)
        return self._testee

    def close(self) -> None:
        if self._testee is not None:
            self._testee.close()
            self._testee = None


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("metagraph_testee", None):
        return
    config.stash[_STATE] = _State(config)
    config.addinivalue_line("markers", "metagraph: a conformance case of the MetaGraphDef corpus")
    for level in ("required", "recommended", "optional"):
        config.addinivalue_line(
            "markers", f"metagraph_level_{level}: a conformance case of level {level}"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.close()


def _marker_part(text: str) -> str:
    return re.sub(r"\W", "_", text)


def case_markers(case: CorpusCase) -> list[str]:
    """The marker names of a case."""
    from conformance.corpus.spec_rules import case_rules
    from conformance.protocol.conformance_pb2 import CorpusCase as _Case

    names = ["metagraph", f"metagraph_level_{_Case.Level.Name(case.level).lower()}"]
    names += [f"metagraph_feature_{_marker_part(f)}" for f in case.features]
    rules: set[str] = set()
    for rule in case_rules(case):
        parts = rule.split(".")
        rules.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    names += [f"metagraph_rule_{_marker_part(r)}" for r in sorted(rules)]
    return names


class CorpusCollector(pytest.Collector):
    """The parent node of the conformance items: one item per case, plus the extras."""

    def __init__(
        self, *, cases: list[CorpusCase], examples: int, stale: list[str] | None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.cases = cases
        self.examples = examples
        self.stale = stale

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        shard = self.config.stash[_STATE].shard
        out: list[pytest.Item | pytest.Collector] = [
            CaseItem.from_parent(self, name=case.name, case=case)
            for case in self.cases
            if shard.holds(case.name)
        ]
        if self.examples > 0:
            try:
                import hypothesis  # noqa: F401
            except ImportError:
                pass
            else:
                out.append(
                    PropertyItem.from_parent(
                        self,
                        name="hypothesis-refimpl-oracle",
                        cases=self.cases,
                        examples=self.examples,
                    )
                )
        if self.stale is not None:
            out.append(FailureListItem.from_parent(self, name="failure-list", stale=self.stale))
        return out


class CaseFailure(Exception):
    """A conformance case failed; the message is the report."""


class CaseItem(pytest.Item):
    """One corpus case run against the testee."""

    def __init__(self, *, case: CorpusCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        for name in case_markers(case):
            self.add_marker(name)

    def runtest(self) -> None:
        from conformance.corpus.requests import request_for
        from conformance.run.failure_list import expectation
        from conformance.run.runner import (
            CaseRun,
            protocol_skip,
            unsupported_features,
            verdict_for,
        )
        from conformance.run.testee_process import StartupError
        from conformance.run.verdicts import Verdict

        state: _State = self.config.stash[_STATE]
        testee = state.testee()
        try:
            handshake = testee.ensure_started()
        except StartupError as e:
            handshake = None
            verdict = Verdict("fail", reason="startup", details=[str(e)])
        else:
            missing = unsupported_features(self.case, handshake)
            if missing:
                pytest.skip("the testee does not support " + ", ".join(missing))
            too_old = protocol_skip(self.case, handshake)
            if too_old is not None:
                pytest.skip(too_old)
            verdict = verdict_for(self.case, testee.run(request_for(self.case)), state.require)
        if verdict.tier:
            self.user_properties.append(("tier", verdict.tier))
        if verdict.reason:
            self.user_properties.append(("reason", verdict.reason))
        status, note = expectation(
            verdict.status, verdict.reason, state.failures.get(self.case.name)
        )
        if status == "skip":
            pytest.skip(verdict.reason if verdict.status == "skip" else note)
        if status == "xfail":
            pytest.xfail(note)
        if status == "pass":
            return
        raise CaseFailure(_failure_text(CaseRun(self.case, verdict, status, note), state))

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"metagraph conformance case {self.case.name}"


def _failure_text(run: CaseRun, state: _State) -> str:
    import shlex

    v = run.verdict
    head = {"fail": "FAIL", "xpass": "XPASS", "wrong-reason": "WRONG REASON"}.get(run.status, "")
    lines = [f"{head} {run.case.name} [{v.reason or run.status}]"]
    if run.note:
        lines.append(run.note)
    if v.tier:
        from conformance.run.verdicts import TIER_VERDICTS

        lines.append(f"verdict: {TIER_VERDICTS[v.tier]}")
    lines += v.details
    lines += v.diffs
    lines.append("values are shown as expected (TF) vs actual (testee)")
    from conformance.run.runner import testee_command

    parts = [sys.executable, "-m", "conformance", "--testee", testee_command(state.command)]
    if state.corpus:
        parts += ["--corpus", str(state.corpus)]
    if state.timeout != 30.0:
        parts += ["--timeout", f"{state.timeout:g}"]
    if state.require != "bytes":
        parts += ["--require-tier", state.require]
    parts += ["--case", run.case.name]
    lines.append("replay: " + shlex.join(parts))
    return "\n".join(lines)


class PropertyItem(pytest.Item):
    """A hypothesis property: the testee agrees with refimpl on generated cases."""

    def __init__(self, *, cases: list[CorpusCase], examples: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cases = cases
        self.examples = examples
        self.add_marker("metagraph")

    def runtest(self) -> None:
        from hypothesis import HealthCheck, given, settings

        from conformance.corpus.requests import request_for
        from conformance.gen.generated import Drawn, build_case, case_strategy, sources
        from conformance.run.example_db import example_database
        from conformance.run.runner import CaseRun, unsupported_features, verdict_for

        state: _State = self.config.stash[_STATE]
        origins = sources(self.cases)
        by_name = {c.name: c for c in origins}

        @settings(
            max_examples=self.examples,
            deadline=None,
            database=example_database(),
            suppress_health_check=list(HealthCheck),
        )
        @given(case_strategy(origins))
        def prop(drawn: Drawn) -> None:
            source, args = drawn
            case = build_case("hypothesis-example", by_name[source], args)
            testee = state.testee()
            handshake = testee.ensure_started()
            if unsupported_features(case, handshake):
                return
            verdict = verdict_for(case, testee.run(request_for(case)), state.require)
            if verdict.status == "fail":
                run = CaseRun(case, verdict, "fail")
                raise CaseFailure(_failure_text(run, state).split("\nreplay:")[0])

        prop()

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str:
        if isinstance(excinfo.value, CaseFailure):
            notes = getattr(excinfo.value, "__notes__", [])
            return "\n".join([str(excinfo.value), *notes])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, "metagraph conformance: hypothesis property (refimpl as oracle)"


class FailureListItem(pytest.Item):
    """Fails when the failure list names cases the corpus does not have."""

    def __init__(self, *, stale: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stale = stale
        self.add_marker("metagraph")

    def runtest(self) -> None:
        if self.stale:
            raise CaseFailure(
                "failure-list entries naming no corpus case: " + ", ".join(self.stale)
            )

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, "metagraph conformance: failure list"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    from conformance import corpus as corpus_mod

    directory = state.corpus or corpus_mod.DEFAULT_DIRECTORY
    cases = corpus_mod.load_corpus(directory)
    markers = {m for case in cases for m in case_markers(case)}
    for name in sorted(markers):
        config.addinivalue_line("markers", f"{name}: metagraph conformance cases")
    stale = None
    if state.failure_list_path is not None:
        known = {c.name for c in cases}
        stale = sorted(n for n in state.failures if n not in known)
    collector = CorpusCollector.from_parent(
        session,
        name=COLLECTOR_NAME,
        nodeid=COLLECTOR_NAME,
        path=directory,
        cases=cases,
        examples=config.getoption("metagraph_hypothesis"),
        stale=stale,
    )
    # Collected like any node, so that reports and counts include the items.
    items.extend(session.genitems(collector))
