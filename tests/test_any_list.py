"""Rule 8.4.5: refimpl refuses the items of an any_list as protobuf does, in order."""

from __future__ import annotations

import pytest

from refimpl.collections_def import _extend_any_list
from refimpl.pb.snapshot_pb2 import AnyItem, CollectionItem, PyObject
from refimpl.pb.tensorflow.meta_graph_pb2 import CollectionDef

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


def test_a_message_of_another_type_is_refused_naming_tf_class() -> None:
    out = CollectionDef().any_list.value
    with pytest.raises(TypeError) as info:
        _extend_any_list(out, [ANY, SAVER_DEF])
    assert str(info.value) == (
        "Parameter to MergeFrom() must be instance of same class: expected "
        "<class 'google.protobuf.any_pb2.Any'> got "
        "<class 'tensorflow.core.protobuf.saver_pb2.SaverDef'>."
    )


def test_the_first_refused_item_decides_the_error() -> None:
    out = CollectionDef().any_list.value
    with pytest.raises(TypeError, match=r"^Expected a message object, but got 'a'\.$"):
        _extend_any_list(out, [ANY, STR, SAVER_DEF])
