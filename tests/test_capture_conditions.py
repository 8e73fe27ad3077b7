"""Capture holds whatever the caller's context (spec.md 1.10), against live TensorFlow.

Every graph of ``conformance.tf.graphs`` is captured under each condition of
``conformance.tf.capture_conditions``; TF exports it in its own context, as v1 code does.
- The same graph gives the same snapshot bytes under every condition that a process can
  reach (eager on: all but ``graph_mode``; eager off: ``graph_mode`` and ``in_context``).
- A capture leaves no trace in TF: TF's exports of the graph (default path and a rebuild
  path, binary and text) are the same before and after it.
- refimpl's export of a snapshot taken under a condition equals TF's in-context export
  (the hand cases of ``conformance.gen.hand_cases.CAPTURE_CASES`` do this for every condition
  and several argument sets; tests/test_export_vs_tf.py runs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.tf.capture_conditions import CONDITIONS, DEFAULT, EAGER_OFF, V2_OFF, worker_env
from conformance.tf.graphs import BUILDERS
from conformance.tf.process import TFWorkers, tensorflow_available

pytestmark = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]

EAGER_ON_CONDITIONS = [c for c in CONDITIONS if c not in EAGER_OFF]


@pytest.fixture(scope="module")
def workers() -> Iterator[TFWorkers]:
    w = TFWorkers()
    yield w
    w.close()


def _run(workers: TFWorkers, request: dict[str, Any]) -> dict[str, Any]:
    """TF's response; skips the graphs that TF 1 behaviour cannot build."""
    response = workers.run(request)
    if request.get("capture") in V2_OFF and "worker_error" in response:
        if "in capture_under" not in response["worker_error"]:
            pytest.skip("a TF 2 graph that TF 1 behaviour cannot build")
    assert "worker_error" not in response, response["worker_error"]
    return response


@pytest.mark.parametrize("graph", sorted(BUILDERS))
def test_capture_gives_the_same_snapshot_in_every_eager_context(
    workers: TFWorkers, graph: str
) -> None:
    response = _run(workers, {"graph": graph, "args": {}, "also_capture": EAGER_ON_CONDITIONS})
    snapshots = response["snapshots_by_condition"]
    assert set(snapshots) == set(EAGER_ON_CONDITIONS)
    differing = [c for c, data in snapshots.items() if data != response["snapshot"]]
    assert not differing, f"snapshots differ from the in-context capture under {differing}"


@pytest.mark.parametrize("condition", sorted(EAGER_OFF))
@pytest.mark.parametrize("graph", sorted(BUILDERS))
def test_capture_gives_the_same_snapshot_with_eager_execution_disabled(
    workers: TFWorkers, graph: str, condition: str
) -> None:
    response = _run(
        workers, {"graph": graph, "args": {}, "capture": condition, "also_capture": [condition]}
    )
    assert response["snapshots_by_condition"][condition] == response["snapshot"]


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
@pytest.mark.parametrize("graph", sorted(BUILDERS))
def test_capture_leaves_no_trace_in_tensorflows_exports(
    workers: TFWorkers, graph: str, condition: str
) -> None:
    response = _run(
        workers, {"graph": graph, "args": {}, "capture": condition, "check_neutral": True}
    )
    before, after = response["exports_before_capture"], response["exports_after_capture"]
    labels = ["default binary", "default text", "rebuild binary", "rebuild text"]
    changed = [label for label, b, a in zip(labels, before, after, strict=True) if b != a]
    assert not changed, f"TF's exports changed after a capture ({condition}): {changed}"


def test_every_condition_names_the_worker_environment_it_needs() -> None:
    assert worker_env(DEFAULT) == {"METAGRAPH_TF_EAGER": "1", "METAGRAPH_TF_V2": "1"}
    assert worker_env("graph_mode") == {"METAGRAPH_TF_EAGER": "0", "METAGRAPH_TF_V2": "1"}
    assert worker_env("v1_behavior") == {"METAGRAPH_TF_EAGER": "0", "METAGRAPH_TF_V2": "0"}
    with pytest.raises(ValueError, match="unknown capture condition 'nope'"):
        worker_env("nope")


def test_a_condition_the_worker_process_cannot_meet_is_a_worker_error(
    workers: TFWorkers,
) -> None:
    response = workers.run(
        {"graph": "one_constant", "args": {}, "also_capture": ["graph_mode"]}
    )
    assert "capture condition 'graph_mode' needs" in response["worker_error"]
