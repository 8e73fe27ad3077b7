"""``refimpl.text_output.message_to_string`` is ``text_format.MessageToString``, exactly:
over the corpus's exports, TF's whole op registry, and random messages of the kinds the
export prints. Correctness only; nothing here is timed.
"""

from __future__ import annotations

import math
import struct
import sys
from pathlib import Path

import pytest
from google.protobuf import any_pb2, text_format
from google.protobuf.message import DecodeError, Message
from hypothesis import given, settings
from hypothesis import strategies as st

import refimpl
from refimpl.debug_info import build_debug_info
from refimpl.op_registry import load_bundled_op_registry
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue, NameAttrList
from refimpl.pb.tensorflow.function_pb2 import FunctionDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpList
from refimpl.pb.tensorflow.tensor_pb2 import TensorProto
from refimpl.pb.tensorflow.variable_pb2 import VariableDef
from refimpl.text_output import message_to_string
from refimpl.text_pool import tf_text_pool

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))

import fuzz_snapshots as fz  # noqa: E402

SNAPSHOTS = fz.corpus_files()


def _same(message: Message) -> None:
    pool = tf_text_pool()
    try:
        expected = text_format.MessageToString(message, descriptor_pool=pool)
    except DecodeError as e:
        with pytest.raises(DecodeError) as raised:
            message_to_string(message, pool)
        assert str(raised.value) == str(e)
        return
    assert message_to_string(message, pool) == expected


@pytest.mark.parametrize("path", SNAPSHOTS, ids=[p.stem[:12] for p in SNAPSHOTS])
def test_each_corpus_graph_prints_the_same(path: Path) -> None:
    graph = refimpl.load_snapshot(path.read_bytes())
    for args in ({}, {"clear_devices": True, "strip_default_attrs": True}):
        result = refimpl.plan(graph, **args)
        if result.error is None:
            _same(result.meta_graph_def)
    ops = [("", op.name, op.traceback) for op in graph.operations]
    _same(build_debug_info(ops, graph.environment.frame_classifier))


def test_the_whole_op_registry_prints_the_same() -> None:
    ops = OpList(op=sorted(load_bundled_op_registry().values(), key=lambda o: o.name))
    _same(ops)


_FLOATS = st.one_of(
    st.floats(width=32, allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-45, 3.4028234663852886e38, 0.1, 1 / 3]),
    st.integers(0, 2**32 - 1).map(lambda b: struct.unpack("<f", struct.pack("<I", b))[0]),
)
_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


@st.composite
def _tensors(draw: st.DrawFn) -> TensorProto:
    t = TensorProto()
    t.dtype = draw(st.integers(0, 130))  # type: ignore[assignment]  # (unknown values too)
    t.tensor_shape.dim.add(size=draw(st.integers(-1, 5)), name=draw(_TEXT))
    t.float_val.extend(draw(st.lists(_FLOATS, max_size=3)))
    t.double_val.extend(draw(st.lists(st.floats(), max_size=2)))
    t.string_val.extend(draw(st.lists(st.binary(max_size=8), max_size=2)))
    t.tensor_content = draw(st.binary(max_size=16))
    t.int64_val.extend(draw(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=2)))
    t.bool_val.extend(draw(st.lists(st.booleans(), max_size=2)))
    return t


@st.composite
def _attrs(draw: st.DrawFn, depth: int = 0) -> AttrValue:
    kind = draw(st.sampled_from(["s", "i", "f", "b", "type", "shape", "tensor", "list", "func"]))
    a = AttrValue()
    if kind == "s":
        a.s = draw(st.binary(max_size=20))
    elif kind == "i":
        a.i = draw(st.integers(-(2**63), 2**63 - 1))
    elif kind == "f":
        a.f = draw(_FLOATS)
    elif kind == "b":
        a.b = draw(st.booleans())
    elif kind == "type":
        a.type = draw(st.integers(0, 200))  # type: ignore[assignment]
    elif kind == "shape":
        a.shape.unknown_rank = draw(st.booleans())
        a.shape.dim.add(size=draw(st.integers(-1, 9)))
    elif kind == "tensor":
        a.tensor.CopyFrom(draw(_tensors()))
    elif kind == "list":
        a.list.s.extend(draw(st.lists(st.binary(max_size=5), max_size=3)))
        a.list.f.extend(draw(st.lists(_FLOATS, max_size=3)))
        a.list.type.extend(draw(st.lists(st.integers(0, 30), max_size=3)))  # type: ignore[arg-type]
        a.list.b.extend(draw(st.lists(st.booleans(), max_size=2)))
    elif depth < 2:
        a.func.name = draw(_TEXT)
        for key in draw(st.lists(_TEXT, max_size=3)):
            a.func.attr[key].CopyFrom(draw(_attrs(depth + 1)))
    else:
        a.placeholder = draw(_TEXT)
    return a


@st.composite
def _nodes(draw: st.DrawFn) -> NodeDef:
    node = NodeDef(name=draw(_TEXT), op=draw(_TEXT), device=draw(_TEXT))
    node.input.extend(draw(st.lists(_TEXT, max_size=3)))
    for key in draw(st.lists(_TEXT, max_size=4)):
        node.attr[key].CopyFrom(draw(_attrs()))
    return node


@st.composite
def _functions(draw: st.DrawFn) -> FunctionDef:
    f = FunctionDef()
    f.signature.name = draw(_TEXT)
    f.node_def.extend(draw(st.lists(_nodes(), max_size=2)))
    for key in draw(st.lists(_TEXT, max_size=3)):
        f.ret[key] = draw(_TEXT)  # (empty values too)
    for number in draw(st.lists(st.integers(0, 3), max_size=3)):
        f.resource_arg_unique_id[number] = draw(st.integers(0, 3))
        f.arg_attr[number].attr["a"].CopyFrom(draw(_attrs()))
    return f


@st.composite
def _collections(draw: st.DrawFn) -> MetaGraphDef:
    mgd = MetaGraphDef()
    mgd.meta_info_def.tags.extend(draw(st.lists(_TEXT, max_size=2)))
    col = mgd.collection_def[draw(_TEXT)]
    kind = draw(st.sampled_from(["any", "bytes", "float", "int"]))
    if kind == "any":
        choice = draw(st.sampled_from(["variable", "unknown", "garbage", "no_slash"]))
        value = VariableDef(variable_name=draw(_TEXT)).SerializeToString()
        url = "type.googleapis.com/tensorflow.VariableDef"
        if choice == "unknown":
            url = "type.googleapis.com/no.Such"
        elif choice == "garbage":
            value = b"\xff\xff"
        elif choice == "no_slash":
            url = "tensorflow.VariableDef"
        col.any_list.value.append(any_pb2.Any(type_url=url, value=value))
    elif kind == "bytes":
        col.bytes_list.value.extend(draw(st.lists(st.binary(max_size=8), max_size=3)))
    elif kind == "float":
        col.float_list.value.extend(draw(st.lists(_FLOATS, max_size=3)))
    else:
        col.int64_list.value.extend(draw(st.lists(st.integers(-5, 5), max_size=3)))
    mgd.graph_def.library.function.append(draw(_functions()))
    mgd.graph_def.node.append(draw(_nodes()))
    return mgd


@settings(max_examples=200, deadline=None)
@given(_collections())
def test_random_messages_print_the_same(mgd: MetaGraphDef) -> None:
    _same(mgd)


def test_nan_and_negative_zero_floats_print_the_same() -> None:
    a = AttrValue()
    a.list.f.extend([math.nan, -0.0, math.inf, -math.inf])
    _same(a)
    _same(NameAttrList(name="f", attr={"x": a}))
