"""refimpl against live TensorFlow 2.21 on random graph programs and export arguments.

The property: for every drawn program (``conformance.strategies.programs``) and arguments
fitted to it (``export_args``), refimpl's outcome equals TF's: the same files byte for
byte, the same returned MetaGraphDef, the same error, the same warnings and the same
``unbound_inputs`` collection afterwards (``conformance.compare.differences``).

TF builds each program in a fresh graph in a worker process (one per xdist worker),
captures the snapshot, and exports it; refimpl exports the snapshot in this process.
The examples are split over ``SHARDS`` tests so that ``pytest -n N`` spreads them over
the cores; the total follows the hypothesis profile (tests/conftest.py:
``METAGRAPH_PROFILE=default|ci|campaign``), and each shard's seed is derived from
``METAGRAPH_SEED`` (printed in the report header).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import event, given, seed, settings

from conformance.compare import (
    Outcome,
    canonical_meta_file,
    differences,
    run_refimpl,
    tf_outcome,
)
from conformance.programs import describe
from conformance.strategies import Case, cases
from conformance.tf_process import TFWorker, tensorflow_available
from refimpl.export import ExportResult

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


def _upb_attribute_error(case: Case, response: dict[str, Any], problems: list[str]) -> bool:
    has_any = any(step.get("item") in ("any", "any_unknown") for step in case["program"])
    return has_any and all("'Any' object has no attribute" in p for p in problems)


KNOWN_REFIMPL_BUGS.append(
    # A google.protobuf Any item (upb backend) raises AttributeError("name"), message just
    # the attribute name; refimpl writes "'Any' object has no attribute 'name'" (rule 3.5
    # var_list over "variables"; also the to_proto/name warnings of section 8).
    # Minimal: [py_const(1.0), add_to_collection("variables", Any)], args {}.
    ("AttributeError text of upb messages (Any items)", _upb_attribute_error)
)


def _default_saver_build_errors(case: Case, response: dict[str, Any], problems: list[str]) -> bool:
    def explained(p: str) -> bool:
        if p.startswith("error: TF ('AttributeError'") and p.endswith("vs refimpl None"):
            return "object has no attribute 'name'" in p
        return p.startswith("file ") and p.endswith("written only by refimpl")

    return bool(case["args"].get("clear_extraneous_savers")) and all(map(explained, problems))


KNOWN_REFIMPL_BUGS.append(
    # clear_extraneous_savers without saver_def builds tf.compat.v1.train.Saver() (rule
    # 7.5); TF's build sorts "variables" + "saveable_objects" by .name (saveable_object_util
    # .op_list_to_dict), so an item without a name fails with AttributeError; refimpl's
    # new_default_saver_def only checks that the list is not empty. Minimal:
    # [const(), add_to_collection("variables", "a")], args collection_list=["savers"],
    # clear_extraneous_savers=True, export_scope="s" (the scope keeps var_list, rule 3.5,
    # from failing first).
    ("default Saver() build over non-variables (rule 7.5)", _default_saver_build_errors)
)


def _empty_saver_in_collection(case: Case, response: dict[str, Any], problems: list[str]) -> bool:
    return "'NoneType' object has no attribute 'SerializeToString'" in response.get(
        "worker_error", ""
    ) and any(step["op"] == "saver" and step.get("allow_empty") for step in case["program"])


#: Known gaps of the TF side of the harness (capture, snapshot format), same form. The
#: predicate sees the response, whose "worker_error" says why the case could not be run.
KNOWN_HARNESS_GAPS: list[tuple[str, Explains]] = [
    # A Saver(allow_empty=True) without variables has saver_def None; capture (oracle.py)
    # calls saver_def.SerializeToString(), and SaverItem cannot tell None from an empty
    # SaverDef anyway. (TF's export logs a to_proto warning for such an item.)
    ("capture of a Saver whose saver_def is None", _empty_saver_in_collection),
]


@pytest.fixture(scope="module")
def worker() -> Iterator[TFWorker]:
    w = TFWorker()
    yield w
    w.close()


def check_case(worker: TFWorker, case: Case) -> None:
    """Runs one case with TF and refimpl; fails with the program, arguments and diffs."""
    request: dict[str, Any] = {
        "program": case["program"],
        "args": case["args"],
        "filename": case["filename"],
    }
    response = worker.run(request)
    trace = response.get("program_trace")
    report = (
        f"program:\n{describe(case['program'], trace)}\n"
        f"args: {case['args']!r}\nfilename: {case['filename']!r}"
    )
    if "worker_error" in response:
        for name, explains in KNOWN_HARNESS_GAPS:
            if explains(case, response, []):
                event(f"known harness gap: {name}")
                return
    assert "worker_error" not in response, f"{report}\nworker error:\n{response['worker_error']}"
    request["args"] = response["args"]  # saver references fitted to the graph
    try:
        actual, result = run_refimpl(request, response)
    except Exception as e:  # noqa: BLE001  (e.g. refimpl rejects TF's snapshot)
        raise AssertionError(f"{report}\nrefimpl raised outside the export: {e!r}") from e
    expected = tf_outcome(response)
    _accept_unordered_context_maps(expected, actual)
    problems = list(differences(expected, actual))
    problems = _exact_unbound_comparison(problems, response, result)
    if problems:
        for name, explains in KNOWN_REFIMPL_BUGS:
            if explains(case, response, problems):
                event(f"known refimpl bug: {name}")
                return
    assert not problems, f"{report}\nfitted args: {response['args']!r}\n" + "\n".join(problems)


def _accept_unordered_context_maps(expected: Outcome, actual: Outcome) -> None:
    """Rule 0.4.1 for every file, whatever its name.

    ``differences`` never canonicalizes a file whose name ends in ".debug"; but with
    ``filename="model.debug"`` that is the *meta* file (and with ``save_debug_info`` the
    debug file overwrites it). A refimpl file equal to TF's after canonicalization is
    replaced by TF's bytes here, so that only real differences remain.
    """
    for name, tf_bytes in expected.files.items():
        ours = actual.files.get(name)
        if ours is None or ours == tf_bytes:
            continue
        try:
            e, a = canonical_meta_file(tf_bytes), canonical_meta_file(ours)
        except Exception:  # noqa: BLE001  (not a MetaGraphDef)
            continue
        if e is not None and e == a:
            actual.files[name] = tf_bytes


def _exact_unbound_comparison(
    problems: list[str], response: dict[str, Any], result: ExportResult | None
) -> list[str]:
    """Replaces the ``unbound_inputs`` comparison of ``differences`` by an exact one.

    ``differences`` compares TF's ``str(item)`` with refimpl's ``item.str``, which is ""
    for an item that is not a str (a program can put a variable or an int into
    "unbound_inputs", and the default path leaves it there). Here both sides are
    compared as ``repr(item)``: TF's from the worker, refimpl's from the snapshot item
    (its recorded ``repr``, or the repr of its str).
    """
    expected = response.get("unbound_after_repr")
    if expected is None or result is None or response.get("error") is not None:
        return problems
    actual = [
        repr(item.str) if item.WhichOneof("kind") == "str" else item.repr
        for item in result.graph.get_collection("unbound_inputs")
    ]
    kept = [p for p in problems if not p.startswith("unbound_inputs after export:")]
    if expected != actual:
        kept.append(f"unbound_inputs after export (repr): TF {expected} vs refimpl {actual}")
    return kept


def _shard_seed(shard: int) -> int:
    return (int(os.environ.get("METAGRAPH_SEED", "0")) * 1_000_003 + shard) % 2**64


@pytest.mark.parametrize("shard", range(SHARDS))
def test_refimpl_equals_tensorflow_on_random_programs(worker: TFWorker, shard: int) -> None:
    total = settings().max_examples  # the loaded profile's
    examples = math.ceil(total / SHARDS)
    print(f"shard {shard}: {examples} examples, seed {_shard_seed(shard)}")

    @seed(_shard_seed(shard))
    @settings(max_examples=examples)
    @given(case=cases())
    def run(case: Case) -> None:
        check_case(worker, case)

    run()
