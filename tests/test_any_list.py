"""Rules 8.4.3-8.4.5: refimpl refuses the items of a list as the recorded protobuf runtime
does: the first refused item (protobuf 7; 6 for scalar lists), or the last one with the
error pending through the rest (older upb: ``ProtobufRuntime.*_extend_keeps_going``)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from refimpl.collections_def import _extend_checked
from refimpl.pb.snapshot_pb2 import AnyItem, CollectionItem, PyObject
from refimpl.pb.tensorflow.meta_graph_pb2 import CollectionDef
from refimpl.protobuf_runtime import protobuf_runtime

SAVER_DEF = CollectionItem(
    opaque=PyObject(
        type_name="SaverDef", type_repr="<class 'tensorflow.core.protobuf.saver_pb2.SaverDef'>"
    ),
    type_name="SaverDef",
    repr='filename_tensor_name: "f"\n',
    bare_attribute_errors=True,
)
STR = CollectionItem(str="a", type_name="str", repr="'a'")
ANY = CollectionItem(any=AnyItem(type_url="x/y.Z"), type_name="Any", repr="")
ONE = CollectionItem(int="1", type_name="int", repr="1")
TWO = CollectionItem(int="2", type_name="int", repr="2")
NONE = CollectionItem(
    opaque=PyObject(type_name="NoneType", repr="None"), type_name="NoneType", repr="None"
)
HALF = CollectionItem(float=0.5, type_name="float", repr="0.5")


def _error(kind: str, items: Sequence[CollectionItem], version: str) -> str:
    values = getattr(CollectionDef(), kind).value
    with pytest.raises(Exception) as info:
        _extend_checked(values, items, kind, protobuf_runtime(version))
    return f"{type(info.value).__name__}: {info.value}"


def test_a_message_of_another_type_is_refused_naming_tf_class() -> None:
    assert _error("any_list", [ANY, SAVER_DEF], "7.36.2") == (
        "TypeError: Parameter to MergeFrom() must be instance of same class: expected "
        "<class 'google.protobuf.any_pb2.Any'> got "
        "<class 'tensorflow.core.protobuf.saver_pb2.SaverDef'>."
    )


def test_protobuf_7_reports_the_first_refused_message_item() -> None:
    assert _error("any_list", [ANY, STR, SAVER_DEF], "7.36.2") == (
        "TypeError: Expected a message object, but got 'a'."
    )


@pytest.mark.parametrize("version", ["4.25.9", "5.29.6", "6.31.1", "6.33.6"])
def test_older_runtimes_report_the_last_refused_message_item(version: str) -> None:
    assert _error("any_list", [ANY, SAVER_DEF, STR, ANY], version) == (
        "TypeError: Expected a message object, but got 'a'."
    )


@pytest.mark.parametrize("version", ["6.31.1", "7.36.2"])
def test_protobuf_6_and_7_report_the_first_refused_scalar(version: str) -> None:
    assert _error("int64_list", [ONE, STR, NONE], version) == (
        "TypeError: 'str' object cannot be interpreted as an integer"
    )


@pytest.mark.parametrize("version", ["4.25.9", "5.29.6"])
def test_older_runtimes_report_the_last_refused_scalar(version: str) -> None:
    assert _error("int64_list", [ONE, STR, NONE], version) == (
        "TypeError: 'NoneType' object cannot be interpreted as an integer"
    )


@pytest.mark.parametrize("version", ["4.25.9", "5.29.6"])
def test_a_good_integer_after_a_refused_one_reads_as_out_of_range(version: str) -> None:
    assert _error("int64_list", [ONE, STR, TWO], version) == "ValueError: Value out of range: 2"


@pytest.mark.parametrize("version", ["4.25.9", "5.29.6"])
def test_a_good_float_after_a_refused_one_keeps_the_error(version: str) -> None:
    assert _error("float_list", [HALF, STR, HALF], version) == (
        "TypeError: must be real number, not str"
    )
