"""refimpl names message classes as TF's process does (refimpl/tf_type_names.py, spec.md 2.6)."""

from __future__ import annotations

from pathlib import Path

import pytest

import refimpl
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.tf_type_names import tf_type_repr

TRAINING = Path(__file__).parent.parent / "examples" / "training.snapshot"


def test_a_message_is_named_by_tf_module_of_its_proto_file() -> None:
    assert tf_type_repr(SaverDef()) == "<class 'tensorflow.core.protobuf.saver_pb2.SaverDef'>"


def test_a_nested_message_keeps_its_containing_type() -> None:
    expected = "<class 'tensorflow.core.protobuf.meta_graph_pb2.MetaGraphDef.MetaInfoDef'>"
    assert tf_type_repr(MetaGraphDef.MetaInfoDef()) == expected


def test_a_value_that_is_no_message_is_named_by_python() -> None:
    assert tf_type_repr("x") == "<class 'str'>"


def test_a_wrong_message_type_fails_naming_tf_class() -> None:
    graph = refimpl.load_snapshot(TRAINING.read_bytes())
    with pytest.raises(TypeError) as info:
        refimpl.export_meta_graph(graph, meta_info_def=SaverDef(filename_tensor_name="f"))
    assert str(info.value) == (
        "meta_info_def must be of type MetaInfoDef. Received type: "
        "<class 'tensorflow.core.protobuf.saver_pb2.SaverDef'>."
    )


def test_a_graph_def_as_saver_def_fails_naming_tf_class() -> None:
    graph = refimpl.load_snapshot(TRAINING.read_bytes())
    with pytest.raises(TypeError, match=r"graph_pb2\.GraphDef'>\.$"):
        refimpl.export_meta_graph(graph, saver_def=GraphDef(version=1))
