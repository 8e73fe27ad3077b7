"""refimpl against live TensorFlow 2.21: real graphs x argument combinations, byte for byte.

Each case builds a real graph in a TF worker process, captures its snapshot,
exports it with TF, and compares TF's files, returned MetaGraphDef, error,
warnings and the graph's unbound-inputs collection after the export with
refimpl's. Golden bytes come from TF in the same run. The cases are
``conformance.gen.hand_cases`` (frozen into the golden corpus by
``scripts/generate_corpus.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.compare import differences
from conformance.gen.hand_cases import hand_cases
from conformance.tf.process import TFWorkers, tensorflow_available
from conformance.tf.responses import outcome_from_response, refimpl_outcome

pytestmark = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]


@pytest.fixture(scope="module")
def worker() -> Iterator[TFWorkers]:
    w = TFWorkers()
    yield w
    w.close()


@pytest.mark.parametrize(
    "request_", [pytest.param(request, id=name) for name, request in hand_cases()]
)
def test_refimpl_export_equals_tensorflow(worker: TFWorkers, request_: dict[str, Any]) -> None:
    response = worker.run(request_)
    assert "worker_error" not in response, response["worker_error"]
    actual = refimpl_outcome(request_, response)
    problems = list(differences(outcome_from_response(response), actual))
    assert not problems, "\n".join(problems)
