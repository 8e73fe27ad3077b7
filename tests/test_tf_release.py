"""refimpl's behaviours by TensorFlow release (``refimpl.tf_release``, spec.md 0.3.2).

Live checks against each release's own export are in ``tests/test_tf_releases.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import refimpl
from refimpl.pb.snapshot_pb2 import GraphSnapshot
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue
from refimpl.protobuf_runtime import protobuf_runtime
from refimpl.text_output import TextStyle, message_to_string
from refimpl.tf_release import REFERENCE_RELEASE, tf_release

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "training.snapshot"


def _text_export(release: str, protobuf: str = "4.25.9") -> str:
    """The text export of the example snapshot, recorded as captured under ``release`` on
    protobuf ``protobuf``."""
    snap = GraphSnapshot.FromString(EXAMPLE.read_bytes())
    snap.environment.tensorflow_version = release
    snap.environment.protobuf_version = protobuf
    graph = refimpl.load_snapshot(snap.SerializeToString())
    result = refimpl.plan_export(graph, "m.meta", as_text=True)
    return result.files[0].content.decode("utf-8")


def test_releases_before_2_21_print_text_floats_as_str() -> None:
    assert [tf_release(v).text_str_floats for v in ("2.12.1", "2.16.2", "2.20.0")] == [True] * 3


def test_reference_release_prints_shortest_text_floats() -> None:
    assert not tf_release(REFERENCE_RELEASE).text_str_floats


def test_unparsable_release_means_the_reference_release() -> None:
    assert not tf_release("").text_str_floats


def test_str_floats_print_a_float_field_widened_to_double() -> None:
    assert message_to_string(AttrValue(f=0.6546536684036255), None, TextStyle(str_floats=True)) == (
        "f: 0.6546536684036255\n"
    )


def test_default_text_prints_the_shortest_float() -> None:
    assert message_to_string(AttrValue(f=0.6546536684036255)) == "f: 0.65465367\n"


def test_str_floats_leave_double_fields_alone() -> None:
    msg = AttrValue()
    msg.tensor.double_val.append(0.1)
    assert message_to_string(msg, None, TextStyle(str_floats=True)) == message_to_string(msg)


def test_export_of_a_2_16_snapshot_prints_widened_floats() -> None:
    floats = re.findall(r"float_val: (\S+)", _text_export("2.16.2"))
    assert "1.2247449159622192" in floats and "1.2247449" not in floats


def test_export_of_a_2_21_snapshot_prints_shortest_floats() -> None:
    floats = re.findall(r"float_val: (\S+)", _text_export("2.21.0", "7.36.2"))
    assert "1.2247449" in floats


def test_protobuf_7_has_no_float_format() -> None:
    assert not protobuf_runtime("7.34.0").text_float_format


def test_protobuf_4_to_6_take_float_format() -> None:
    assert [protobuf_runtime(v).text_float_format for v in ("4.25.9", "5.29.6", "6.33.6")] == [
        True
    ] * 3


def test_text_export_of_a_2_20_snapshot_on_protobuf_7_fails_as_tf() -> None:
    snap = GraphSnapshot.FromString(EXAMPLE.read_bytes())
    snap.environment.tensorflow_version = "2.20.0"
    snap.environment.protobuf_version = "7.36.2"
    result = refimpl.plan_export(
        refimpl.load_snapshot(snap.SerializeToString()), "m.meta", as_text=True
    )
    assert result.error is not None and (type(result.error), str(result.error)) == (
        TypeError,
        "MessageToString() got an unexpected keyword argument 'float_format'",
    )


def test_every_measured_release_is_reproduced() -> None:
    for version in ("2.12.1", "2.13.1", "2.14.1", "2.19.1", "2.20.0", "2.21.0"):
        assert tf_release(version).reproduced, version


def test_an_unmeasured_release_is_not_claimed() -> None:
    assert not tf_release("2.11.0").reproduced and not tf_release("2.22.0").reproduced


def test_releases_before_2_14_build_the_debug_file_in_python() -> None:
    assert tf_release("2.12.1").debug_files_in_set_order
    assert tf_release("2.13.1").debug_files_in_set_order
    assert not tf_release("2.14.1").debug_files_in_set_order


def test_protobuf_4_escapes_non_ascii_in_text_strings() -> None:
    assert not protobuf_runtime("4.25.9").text_utf8_strings


def test_protobuf_5_prints_text_strings_as_utf8() -> None:
    assert protobuf_runtime("5.29.6").text_utf8_strings


def test_ascii_strings_escape_utf8_bytes_of_a_string_field() -> None:
    msg = AttrValue()
    msg.func.name = "clé"
    assert message_to_string(msg, None, TextStyle(ascii_strings=True)) == (
        'func {\n  name: "cl\\303\\251"\n}\n'
    )


def _snapshot_2_20_on_protobuf_7() -> refimpl.Snapshot:
    snap = GraphSnapshot.FromString(EXAMPLE.read_bytes())
    snap.environment.tensorflow_version = "2.20.0"
    snap.environment.protobuf_version = "7.36.2"
    return refimpl.load_snapshot(snap.SerializeToString())


def test_a_failing_text_call_makes_the_directory_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = refimpl.run_exports(
        _snapshot_2_20_on_protobuf_7(), [{"filename": "a/b/m.meta", "as_text": True}]
    )
    assert outcome.error is not None and outcome.error[0] == "TypeError"
    assert (tmp_path / "a" / "b").is_dir() and not outcome.files


def test_a_directory_that_cannot_be_made_fails_before_the_text_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").write_bytes(b"")
    outcome = refimpl.run_exports(
        _snapshot_2_20_on_protobuf_7(), [{"filename": "a/b/m.meta", "as_text": True}]
    )
    assert outcome.error == ("FailedPreconditionError", "a is not a directory")
