"""GraphDebugInfo construction vs. golden cases produced by TensorFlow.

The golden data (tests/data/debug_info_cases.json, and debug_info_cases-2.12.1.json for
the Python-built debug file of TF 2.12 and 2.13, rule 10.4.12) is written by
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
    build_set_ordered_debug_info,
    defining_frame_index,
    trace_key,
    useful_frames,
)
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo

DATA = Path(__file__).parent / "data" / "debug_info_cases.json"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["cases"]
IDS = [str(c["id"]) for c in CASES]
#: The same cases recorded by TF 2.12.1 (a random string hash seed; each case keeps the
#: hashes of its file names).
SET_ORDERED_DATA = json.loads(
    (DATA.parent / "debug_info_cases-2.12.1.json").read_text(encoding="utf-8")
)
SET_ORDERED_CASES: list[dict[str, Any]] = SET_ORDERED_DATA["cases"]


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


@pytest.mark.parametrize("case", SET_ORDERED_CASES, ids=[c["id"] for c in SET_ORDERED_CASES])
def test_set_ordered_debug_info_matches_tf_2_12(case: dict[str, Any]) -> None:
    info = build_set_ordered_debug_info(_ops(case), _classifier(case), case["filename_hashes"])
    # recorded under protobuf 4.25, whose text format escapes non-ASCII (rule 10.2.5)
    assert text_format.MessageToString(info, as_utf8=False) == case["expected_text"]
    assert info.SerializeToString(deterministic=True).hex() == case["expected_hex"]


def test_set_ordered_golden_data_is_from_a_set_ordered_release() -> None:
    assert SET_ORDERED_DATA["tensorflow_version"] == "2.12.1"
    files_in_several_orders = [c["id"] for c in SET_ORDERED_CASES if len(c["filename_hashes"]) >= 3]
    assert len(files_in_several_orders) >= 8


def test_set_order_keeps_a_repeated_key_in_its_first_place() -> None:
    a, b = (Frame("a.py", 1, "f"),), (Frame("b.py", 2, "g"),)
    info = build_set_ordered_debug_info(
        [("", "x", a), ("", "y", a), ("", "x", b)], FrameClassifier(), {"a.py": 0, "b.py": 1}
    )
    assert list(info.files) == ["a.py", "b.py"]  # hashes 0 and 1: slots 0 and 1
    assert info.traces["x@"].file_line_cols[0].line == 2  # the later frames
    assert info.traces["x@"].file_line_cols[0].file_index == 1


def test_set_order_leaves_zero_fields_absent() -> None:
    info = build_set_ordered_debug_info(
        [("", "x", (Frame("f.py", 0, "fn"),))], FrameClassifier(), {"f.py": 5}
    )
    flc = info.traces["x@"].file_line_cols[0]
    assert flc.ByteSize() == 0  # file_index 0 and line 0, proto3 then: nothing written
    assert not info.frames_by_id and not info.traces_by_id and not info.name_to_trace_id


def test_set_order_follows_the_hashes() -> None:
    ops = [("", "x", (Frame("p.py", 1, ""), Frame("q.py", 2, "")))]
    first = build_set_ordered_debug_info(ops, FrameClassifier(), {"p.py": 3, "q.py": 2})
    assert list(first.files) == ["q.py", "p.py"]
    assert [c.file_index for c in first.traces["x@"].file_line_cols] == [0, 1]  # innermost first
    assert [c.line for c in first.traces["x@"].file_line_cols] == [2, 1]


def test_set_order_without_hashes_is_first_appearance() -> None:
    ops = [("", "x", (Frame("p.py", 1, ""), Frame("q.py", 2, "")))]
    info = build_set_ordered_debug_info(ops, FrameClassifier(), {"p.py": 3})
    assert list(info.files) == ["p.py", "q.py"]
