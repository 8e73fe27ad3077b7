"""refimpl against live TensorFlow on random graph programs and export arguments.

TensorFlow 2.21 by default; any release the interpreter ``METAGRAPH_TF_PYTHON`` has
(``scripts/make_release_envs.py`` makes one per release; ``scripts/release_campaign.py``
runs this property against each, docs/tf-releases.md has the results).

The property: for every drawn program (``conformance.strategies.programs``) and arguments
fitted to it (``export_args``), refimpl's outcome equals TF's: the same files byte for
byte, the same returned MetaGraphDef, the same error, the same warnings and the same
``unbound_inputs`` collection afterwards (``conformance.compare.differences``).

TF builds each program in a fresh graph in a worker process (one per xdist worker),
captures the snapshot, and exports it; refimpl exports the snapshot in this process.
The examples are split over ``SHARDS`` tests so that ``pytest -n N`` spreads them over
the cores; the total follows the hypothesis profile (tests/conftest.py:
``METAGRAPH_PROFILE=default|ci|campaign``), and each shard's seed is derived from
``METAGRAPH_SEED`` (printed in the report header). Over several machines,
``METAGRAPH_SHARD=I/N`` on machine I runs a 1/N share of the total with seeds no other
machine uses (``conformance.run.sharding.property_runs``); with the same
``METAGRAPH_SEED`` and a shared example database (``METAGRAPH_HYPOTHESIS_DB=redis://...``)
the N machines together run the campaign once, and a failure saved by one replays on all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import event, given, seed, settings

from conformance.compare import differences
from conformance.run.sharding import property_runs, shard_from_environment
from conformance.strategies import Case, cases
from conformance.tf.process import TFWorkers, tensorflow_available
from conformance.tf.programs import describe
from conformance.tf.responses import outcome_from_response, refimpl_outcome

pytestmark = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]

SHARDS = 4

Explains = Callable[[Case, dict[str, Any], list[str]], bool]

#: Known refimpl bugs: (name, predicate over (case, TF's response, differences)). A case
#: that a listed bug explains is not a failure (it is counted as a hypothesis event, see
#: ``--hypothesis-show-statistics``). Remove an entry when refimpl is fixed.
KNOWN_REFIMPL_BUGS: list[tuple[str, Explains]] = []

# Found by this property and since fixed in refimpl (minimal programs, args):
# - AttributeError texts of protobuf-message items (upb: the bare attribute name):
#   [py_const(1.0), add_to_collection("variables", Any)], {} (9aef4d3);
# - the default Saver() build on nameless saveables: [const(), add_to_collection(
#   "variables", "a")], collection_list=["savers"], clear_extraneous_savers=True,
#   export_scope="s" (9aef4d3);
# - TF's class name in MergeFrom(None) warnings of out-of-scope slices:
#   [partitioned_variable(name="a")], export_scope="a/" (f030730);
# - stand-in reprs in "Expected a message object, but got ..." warnings:
#   [py_const(1.0), add_to_collection("c", Any), add_to_collection("c", x0)], {} (f030730);
# - non-str unbound_inputs items compared by str() (harness, 4405c0a), capture of a Saver
#   whose saver_def is None (harness, 9aef4d3);
# - the default Saver() build's validation of its saveables (rule 7.5): tensors that are
#   not variables, operations, duplicates, flattened containers, objects TF cannot convert:
#   [const(), add_to_collection("variables", x0)], clear_extraneous_savers=True,
#   collection_list=["savers"] (capture records str(), flattened leaves, saveable kinds).




#: Known gaps of the TF side of the harness (capture, snapshot format), same form; the
#: predicate sees the response, whose "worker_error" says why the case could not be run.
#: (Empty now: capture of a Saver whose saver_def is None, the first one found, is fixed.)
KNOWN_HARNESS_GAPS: list[tuple[str, Explains]] = []


@pytest.fixture(scope="module")
def worker() -> Iterator[TFWorkers]:
    w = TFWorkers()
    yield w
    w.close()


def check_case(worker: TFWorkers, case: Case) -> None:
    """Runs one case with TF and refimpl; fails with the program, arguments and diffs.

    The graph is captured under the case's condition (spec.md 1.10), and TF's neutral
    exports before and after the capture must be equal (the capture left no trace).
    """
    request: dict[str, Any] = {
        "program": case["program"],
        "args": case["args"],
        "filename": case["filename"],
        "capture": case["capture"],
        "check_neutral": True,
    }
    response = worker.run(request)
    trace = response.get("program_trace")
    report = (
        f"program:\n{describe(case['program'], trace)}\n"
        f"args: {case['args']!r}\nfilename: {case['filename']!r}\ncapture: {case['capture']}"
    )
    if "worker_error" in response:
        for name, explains in KNOWN_HARNESS_GAPS:
            if explains(case, response, []):
                event(f"known harness gap: {name}")
                return
    assert "worker_error" not in response, f"{report}\nworker error:\n{response['worker_error']}"
    assert response["exports_before_capture"] == response["exports_after_capture"], (
        f"{report}\nTF's exports of the graph changed after the capture"
    )
    request["args"] = response["args"]  # saver references fitted to the graph
    try:
        actual = refimpl_outcome(request, response)
    except Exception as e:  # noqa: BLE001  (e.g. refimpl rejects TF's snapshot)
        raise AssertionError(f"{report}\nrefimpl raised outside the export: {e!r}") from e
    # Rule 0.4.1 for every file, whatever its name (with filename="model.debug" the meta
    # file's name ends in ".debug"): TF's own output, so its inner maps may be unordered.
    problems = list(differences(outcome_from_response(response), actual))
    if problems:
        for name, explains in KNOWN_REFIMPL_BUGS:
            if explains(case, response, problems):
                event(f"known refimpl bug: {name}")
                return
    assert not problems, f"{report}\nfitted args: {response['args']!r}\n" + "\n".join(problems)


def _shard_run(shard: int) -> tuple[int, int]:
    """(seed, examples) of this test shard on this machine (``METAGRAPH_SHARD``)."""
    seed_ = int(os.environ.get("METAGRAPH_SEED", "0"))
    total = settings().max_examples  # the loaded profile's
    return property_runs(seed_, total, SHARDS, shard_from_environment())[shard]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_refimpl_equals_tensorflow_on_random_programs(worker: TFWorkers, shard: int) -> None:
    shard_seed, examples = _shard_run(shard)
    print(f"shard {shard}: {examples} examples, seed {shard_seed}")

    @seed(shard_seed)
    @settings(max_examples=examples)
    @given(case=cases())
    def run(case: Case) -> None:
        check_case(worker, case)

    run()
