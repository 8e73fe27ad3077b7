"""GraphDebugInfo construction vs. golden cases produced by TensorFlow.

The golden data (tests/data/debug_info_cases.json) is written by
scripts/gen_debug_info_cases.py in a TensorFlow process; this test never
imports TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import text_format

from refimpl.debug_info import (
    Frame,
    FrameClassifier,
    build_debug_info,
    defining_frame_index,
    trace_key,
    useful_frames,
)
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo

DATA = Path(__file__).parent / "data" / "debug_info_cases.json"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["cases"]
IDS = [str(c["id"]) for c in CASES]


def _classifier(case: dict[str, Any]) -> FrameClassifier:
    c = case["classifier"]
    return FrameClassifier(
        framework_path_prefixes=tuple(c["framework_path_prefixes"]),
        framework_filename_patterns=tuple(c["framework_filename_patterns"]),
        external_filename_patterns=tuple(c["external_filename_patterns"]),
    )


def _frames(raw: list[list[Any]]) -> tuple[Frame, ...]:
    return tuple(Frame(str(f), int(n), str(name)) for f, n, name in raw)


def _ops(case: dict[str, Any]) -> list[tuple[str, str, tuple[Frame, ...] | None]]:
    return [
        (op["func"], op["op"], None if op["traceback"] is None else _frames(op["traceback"]))
        for op in case["ops"]
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_build_debug_info_matches_tf(case: dict[str, Any]) -> None:
    info = build_debug_info(_ops(case), _classifier(case))
    assert text_format.MessageToString(info) == case["expected_text"]
    assert info.SerializeToString(deterministic=True).hex() == case["expected_hex"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_useful_frames_matches_tf(case: dict[str, Any]) -> None:
    classifier = _classifier(case)
    for op in case["ops"]:
        if op["traceback"] is None:
            continue
        tb = _frames(op["traceback"])
        assert defining_frame_index(tb, classifier) == op["defining_frame_index"], op["op"]
        for limit, expected in op["useful_frames"].items():
            assert useful_frames(tb, classifier, int(limit)) == _frames(expected), (
                op["op"],
                limit,
            )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_is_framework_matches_tf(case: dict[str, Any]) -> None:
    classifier = _classifier(case)
    for filename, expected in case["is_framework"]:
        assert classifier.is_framework(filename) is expected, filename


def test_golden_cases_cover_required_situations() -> None:
    required = {
        "same_line_three_ops",
        "deep_recursion_user",
        "all_framework",
        "test_file_under_framework_prefix",
        "embedded_files",
        "no_traceback_and_empty",
        "key_ordering",
        "non_ascii",
        "empty_input",
        "export_same_line",
        "export_recursion",
        "export_variables_imports",
        "export_empty_graph",
    }
    assert required <= set(IDS)


def test_file_line_col_presence_is_explicit() -> None:
    info = build_debug_info([("", "x", (Frame("f.py", 0, ""),))], FrameClassifier())
    flc = info.frames_by_id[0]
    assert flc.HasField("file_index") and flc.HasField("line") and flc.HasField("func")
    assert not flc.HasField("col") and not flc.HasField("code")
    assert len(info.traces) == 0 and len(info.traces_by_id[0].file_line_cols) == 0


def test_empty_traceback_gets_an_empty_trace() -> None:
    info = build_debug_info([("", "e", ()), ("f", "n", None)], FrameClassifier())
    assert dict(info.name_to_trace_id) == {"e@": 0}
    assert list(info.traces_by_id) == [0]
    assert info.traces_by_id[0] == GraphDebugInfo.StackTrace()


def test_trace_key() -> None:
    assert trace_key("", "a/b") == "a/b@"
    assert trace_key("fn", "a") == "a@fn"
