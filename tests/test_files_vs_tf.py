"""Writing the files: refimpl's errors and leftovers equal TF's in each scenario."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import refimpl
from conformance.gen.file_scenarios import SCENARIOS, list_files, normalize_message, prepare
from conformance.tf.process import TFWorker, tensorflow_available

pytestmark = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]


@pytest.fixture(scope="module")
def tf_results() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "conformance.tools.file_errors_oracle"],
        check=True,
        capture_output=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    ).stdout
    return dict(json.loads(out))


def _one_constant_graph() -> refimpl.Snapshot:
    """The snapshot of the graph the TF side exports: one constant named "c"."""
    w = TFWorker()
    try:
        data = w.run({"graph": "one_constant", "args": {}})["snapshot"]
    finally:
        w.close()
    return refimpl.load_snapshot(data)


@pytest.fixture(scope="module")
def graph() -> refimpl.Snapshot:
    return _one_constant_graph()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_file_writing_matches_tensorflow(
    name: str,
    tf_results: dict[str, Any],
    graph: refimpl.Snapshot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = SCENARIOS[name]
    monkeypatch.chdir(tmp_path)
    prepare(scenario)
    error = None
    try:
        refimpl.export_meta_graph(graph, scenario["filename"], **scenario.get("args", {}))
    except Exception as e:  # noqa: BLE001
        error = [type(e).__name__, normalize_message(str(e))]
    expected = tf_results[name]
    if expected["error"] is not None:
        expected["error"][1] = normalize_message(expected["error"][1])
    assert error == expected["error"]
    assert list_files(".") == expected["files"]
