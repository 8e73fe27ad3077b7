"""Hypothesis strategies that draw graph snapshots directly, without TensorFlow.

Public API, for users who have no TensorFlow (and for other implementations' tests):

- ``snapshots(max_nodes=20, release="2.21.0")`` draws serialized
  ``metagraph_ref.GraphSnapshot`` messages (spec.md section 1) that load with
  ``refimpl.snapshot.load_snapshot``, as captured under TF ``release`` (the bundled
  release that stands for it, ``refimpl.tf_release.TFRelease.data_release``). Every node
  uses an op of that release's bundled op registry (``refimpl.op_registry``), from a
  curated list of simple ops (``OPS``, those of them the release registers), and carries
  every attr its OpDef declares: attrs with a default get the default (sometimes another
  legal value), the others are drawn (type attrs from their allowed values). Data inputs
  refer to outputs of earlier nodes (of the input's dtype when one exists), control
  inputs to earlier nodes. Names live in
  nested scopes, including sibling scopes that are string prefixes of each other
  (``s``, ``sx``, ``s_``). The ``cpp_graph_def`` form has canonical inputs and sorted,
  de-duplicated control inputs; the ``Operation.node_def`` form keeps control inputs in
  insertion order and may spell output 0 as ``x:0``. Nodes get devices, ``_class``
  colocation attrs, output shapes (unknown rank, partial, scalar, full), tracebacks from
  a small frame pool; the graph gets collections holding items of many kinds (str,
  bytes, int, bool, float, NumPy scalars, ``Any`` messages, operations, tensors,
  variables that refer to drawn variable nodes, savers whose ``SaverDef`` refers to
  drawn save/restore ops, opaque objects), the release's environment (version strings,
  a protobuf version it runs on, the 11 ``to_proto`` keys), ``graph_def_versions`` (the
  release's producer: 2474 for 2.21), the name counter, and the OpDef of every op used
  (the release's).

  Functions are not drawn: every snapshot has an empty function library.

- ``export_arguments(snapshot)`` draws keyword arguments for
  ``refimpl.export.plan_export`` fitted to a snapshot (serialized or loaded), with a
  ``filename``: the suite's one export-argument strategy
  (``conformance.gen.export_arguments``) given what the snapshot says of its graph (an
  ``export_scope`` among its names and scopes and their variants, a subset of its str
  collection keys and unknown ones, the flags).

The snapshots are not meant to be graphs TF could have built exactly (shapes are not
inferred, dtypes of inputs match only when a matching output exists), but they are
valid snapshots: ``load_snapshot`` accepts them, and every field refers to things that
exist in the snapshot.

This module imports only hypothesis, protobuf and refimpl.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from conformance.compare import PROTO_FUNCTION_KEYS
from conformance.gen.export_arguments import FILENAMES, GraphFacts
from conformance.gen.export_arguments import export_arguments as _export_arguments
from refimpl.op_registry import load_bundled_op_registry
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.pb.tensorflow.tensor_pb2 import TensorProto
from refimpl.pb.tensorflow.tensor_shape_pb2 import TensorShapeProto
from refimpl.pb.tensorflow.types_pb2 import DataType
from refimpl.pb.tensorflow.versions_pb2 import VersionDef
from refimpl.release_data import release_delta
from refimpl.snapshot import Snapshot
from refimpl.tf_release import tf_release

__all__ = [
    "OPS",
    "PROTO_FUNCTION_KEYS",
    "TF_VERSION",
    "TF_GIT_VERSION",
    "PRODUCER",
    "SnapshotRelease",
    "snapshot_release",
    "snapshots",
    "export_arguments",
]

#: The curated ops drawn nodes use (all in the bundled registry, none with a func attr).
OPS: tuple[str, ...] = (
    "Const",
    "Placeholder",
    "PlaceholderWithDefault",
    "Identity",
    "IdentityN",
    "AddV2",
    "Sub",
    "Mul",
    "RealDiv",
    "MatMul",
    "Neg",
    "Abs",
    "Square",
    "Sqrt",
    "Relu",
    "Sigmoid",
    "Tanh",
    "Cast",
    "Shape",
    "Reshape",
    "ExpandDims",
    "Fill",
    "ZerosLike",
    "OnesLike",
    "Sum",
    "Mean",
    "Max",
    "ConcatV2",
    "Pack",
    "NoOp",
    "VariableV2",
    "Assign",
    "AssignAdd",
    "IsVariableInitialized",
    "VarHandleOp",
    "ReadVariableOp",
    "AssignVariableOp",
    "VarIsInitializedOp",
    "SaveV2",
    "RestoreV2",
    "Enter",
    "RefEnter",
    "Exit",
    "Switch",
    "Merge",
    "NextIteration",
    "LoopCond",
    "StopGradient",
    "Less",
    "Greater",
    "Equal",
    "LogicalNot",
    "Select",
    "StringJoin",
)

TF_VERSION = "2.21.0"
TF_GIT_VERSION = "v2.21.0-rc1-5-ga481b10260d"
PRODUCER = 2474
MIN_CONSUMER = 12

_VARIABLE_KEYS = tuple(k for k, v in PROTO_FUNCTION_KEYS.items() if v == "tensorflow.VariableDef")

# tensorflow.DataType numbers.
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_STRING, DT_INT64, DT_BOOL, DT_RESOURCE = 1, 2, 3, 7, 9, 10, 20
_REF_OFFSET = 100
_COMMON_TYPES = (DT_FLOAT, DT_INT32, DT_DOUBLE, DT_INT64, DT_BOOL, DT_STRING)

#: Scope segments: "s", "sx" and "s_" are string prefixes of each other's siblings.
_SCOPE_SEGMENTS = ("s", "sx", "s_", "a", "save", "loop")
_BASE_NAMES = ("x", "c", "v", "s", "read", "op")
_DEVICES = ("", "", "/device:CPU:0", "/job:worker/replica:0/task:1/device:CPU:0", "/device:GPU:0")

_FRAME_POOL: tuple[tuple[str, int, str], ...] = (
    ("/home/user/model.py", 12, "<module>"),
    ("/home/user/model.py", 40, "build"),
    ("/usr/lib/python3.11/site-packages/tensorflow/python/framework/ops.py", 2100, "_create_op"),
    ("/usr/lib/python3.11/site-packages/tensorflow/python/ops/math_ops.py", 377, "add"),
    ("/home/user/layers_test.py", 7, "test_layer"),
    ("<embedded stdlib>/runpy.py", 88, "_run_code"),
)


@dataclass
class _Node:
    """A drawn node while the graph is being built."""

    name: str
    op: str
    # dtype of each output (ref dtypes have 100 added).
    outputs: list[int] = field(default_factory=list)
    node_def: NodeDef = field(default_factory=NodeDef)
    cpp_node_def: NodeDef = field(default_factory=NodeDef)


@dataclass(frozen=True)
class SnapshotRelease:
    """What drawn snapshots of one TF release stamp and use."""

    #: ``environment.tensorflow_version`` and ``tensorflow_git_version``.
    version: str
    git_version: str
    #: ``graph_def_versions.producer`` (``tf.version.GRAPH_DEF_VERSION``).
    producer: int
    #: The protobuf versions ``environment.protobuf_version`` is drawn from.
    protobuf_versions: tuple[str, ...]
    #: The curated ops (``OPS``) the release registers, in ``OPS`` order.
    ops: tuple[str, ...]

    def op_def(self, name: str) -> OpDef:
        """The release's OpDef of op ``name``."""
        return load_bundled_op_registry(self.version)[name]


def snapshot_release(release: str = TF_VERSION) -> SnapshotRelease:
    """The versions, producer, protobuf versions and ops of drawn snapshots of ``release``:
    those of the bundled release that stands for it (2.21's when refimpl has none closer:
    ``refimpl.tf_release.TFRelease.data_release``). 2.21's protobuf versions are two of the
    range it accepts; another release's is the one its bundled data was dumped under."""
    data = tf_release(release).data_release
    registry = load_bundled_op_registry(data)
    ops = tuple(op for op in OPS if op in registry)
    if data == TF_VERSION:
        return SnapshotRelease(TF_VERSION, TF_GIT_VERSION, PRODUCER, ("6.33.4", "5.29.3"), ops)
    versions = release_delta(data).versions
    return SnapshotRelease(
        version=versions.tensorflow_version,
        git_version=versions.tensorflow_git_version,
        producer=versions.graph_def_version,
        protobuf_versions=(versions.protobuf_version,),
        ops=ops,
    )


# ---------------------------------------------------------------------------------------
# Attr values
# ---------------------------------------------------------------------------------------


@st.composite
def _shape(draw: st.DrawFn) -> TensorShapeProto:
    """A TensorShapeProto: unknown rank, a scalar, or a partial / full shape."""
    kind = draw(st.sampled_from(("unknown", "scalar", "dims")))
    shape = TensorShapeProto()
    if kind == "unknown":
        shape.unknown_rank = True
    elif kind == "dims":
        for size in draw(st.lists(st.sampled_from((-1, 0, 1, 2, 3, 7)), min_size=1, max_size=3)):
            shape.dim.add(size=size)
    return shape


def _tensor(dtype: int, value: int) -> TensorProto:
    t = TensorProto(dtype=DataType.ValueType(dtype))
    t.tensor_shape.SetInParent()
    if dtype == DT_FLOAT:
        t.float_val.append(float(value))
    elif dtype == DT_DOUBLE:
        t.double_val.append(float(value))
    elif dtype == DT_INT64:
        t.int64_val.append(value)
    elif dtype == DT_BOOL:
        t.bool_val.append(bool(value))
    elif dtype == DT_STRING:
        t.string_val.append(str(value).encode())
    else:
        t.int_val.append(value)
    return t


def _allowed_types(attr: OpDef.AttrDef) -> list[int]:
    allowed = [int(t) for t in attr.allowed_values.list.type]
    if not allowed:
        return list(_COMMON_TYPES)
    common = [t for t in allowed if t in _COMMON_TYPES]
    return common or allowed


def _attr_value(draw: st.DrawFn, attr: OpDef.AttrDef, node_types: dict[str, int]) -> AttrValue:
    """A value for ``attr``: its default (mostly) or a drawn legal value."""
    v = AttrValue()
    if attr.HasField("default_value") and draw(st.integers(0, 3)) > 0:
        v.CopyFrom(attr.default_value)
        return v
    kind = attr.type
    if kind == "type":
        v.type = DataType.ValueType(
            node_types.get(attr.name) or draw(st.sampled_from(_allowed_types(attr)))
        )
    elif kind == "bool":
        v.b = draw(st.booleans())
    elif kind == "int":
        low = attr.minimum if attr.has_minimum else 0
        v.i = draw(st.integers(low, low + 3))
    elif kind == "float":
        v.f = draw(st.sampled_from((0.0, 0.5, 1.0)))
    elif kind == "string":
        allowed_s = list(attr.allowed_values.list.s)
        v.s = draw(st.sampled_from(allowed_s)) if allowed_s else draw(st.sampled_from((b"", b"n")))
    elif kind == "shape":
        v.shape.CopyFrom(draw(_shape()))
    elif kind == "tensor":
        dtype = node_types.get("dtype", DT_FLOAT)
        v.tensor.CopyFrom(_tensor(dtype, draw(st.integers(0, 9))))
    elif kind == "list(type)":
        listed = draw(st.lists(st.sampled_from(_allowed_types(attr)), min_size=1, max_size=2))
        v.list.type.extend(DataType.ValueType(t) for t in listed)
    elif kind == "list(shape)":
        v.list.shape.extend(draw(st.lists(_shape(), max_size=2)))
    elif kind == "list(int)":
        v.list.i.extend(draw(st.lists(st.integers(0, 3), max_size=2)))
    elif kind == "list(string)":
        v.list.SetInParent()
    elif attr.HasField("default_value"):
        v.CopyFrom(attr.default_value)
    else:  # pragma: no cover - the curated ops have no other required attr kinds
        v.list.SetInParent()
    return v


# ---------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------


def _tensor_name(node: _Node, k: int, explicit_zero: bool) -> str:
    return f"{node.name}:{k}" if k or explicit_zero else node.name


def _canonical(inp: str) -> str:
    return inp[:-2] if inp.endswith(":0") else inp


@st.composite
def _node(
    draw: st.DrawFn, earlier: Sequence[_Node], used_names: set[str], release: SnapshotRelease
) -> _Node:
    op = draw(st.sampled_from(release.ops))
    op_def = release.op_def(op)
    # Name: nested scopes, a base name, uniquified like TF ("x", "x_1", ...).
    scopes = draw(st.lists(st.sampled_from(_SCOPE_SEGMENTS), max_size=2))
    base = draw(st.sampled_from(_BASE_NAMES + (op,)))
    stem = "/".join([*scopes, base])
    name, i = stem, 0
    while name in used_names or name.lower() in {u.lower() for u in used_names}:
        i += 1
        name = f"{stem}_{i}"
    used_names.add(name)
    node = _Node(name=name, op=op)

    # Type attrs first, so that input counts and dtypes can follow them.
    attrs: dict[str, AttrValue] = {}
    for attr in op_def.attr:
        if attr.type in ("type", "list(type)", "int") or attr.name == "N":
            attrs[attr.name] = _attr_value(draw, attr, {})
    types = {k: int(v.type) for k, v in attrs.items() if v.type}
    for attr in op_def.attr:
        if attr.name not in attrs:
            attrs[attr.name] = _attr_value(draw, attr, types)
    for attr in op_def.attr:
        if attr.type == "int" and attr.has_minimum:
            attrs[attr.name].i = max(attrs[attr.name].i, attr.minimum)
        # Input counts are small.
        if attr.type == "int" and any(a.number_attr == attr.name for a in op_def.input_arg):
            attrs[attr.name].i = min(max(attrs[attr.name].i, attr.minimum, 1), 3)

    def arg_types(arg: OpDef.ArgDef) -> list[int]:
        if arg.type_list_attr:
            return list(attrs[arg.type_list_attr].list.type)
        dtype = attrs[arg.type_attr].type if arg.type_attr else arg.type
        count = attrs[arg.number_attr].i if arg.number_attr else 1
        return [dtype + (_REF_OFFSET if arg.is_ref else 0)] * count

    for arg in op_def.output_arg:
        node.outputs.extend(arg_types(arg))

    # Data inputs: outputs of earlier nodes, of the wanted dtype when there is one.
    data_inputs: list[str] = []
    outputs = [(n, k, t) for n in earlier for k, t in enumerate(n.outputs)]
    for arg in op_def.input_arg:
        for want in arg_types(arg):
            if not outputs:
                break
            fitting = [o for o in outputs if o[2] % _REF_OFFSET == want % _REF_OFFSET] or outputs
            src, k, _ = draw(st.sampled_from(fitting))
            data_inputs.append(_tensor_name(src, k, draw(st.booleans())))
    controls: list[str] = []
    if earlier:
        controls = draw(st.lists(st.sampled_from([n.name for n in earlier]), max_size=2))

    nd = node.node_def
    nd.name, nd.op = name, op
    nd.device = draw(st.sampled_from(_DEVICES))
    nd.input.extend(data_inputs)
    nd.input.extend(f"^{c}" for c in controls)
    for key in sorted(attrs):
        nd.attr[key].CopyFrom(attrs[key])
    if op == "Enter" or op == "RefEnter":
        frame = draw(st.sampled_from([*(n.name for n in earlier), "loop/while", "other"]))
        nd.attr["frame_name"].s = frame.encode()
    if earlier and draw(st.integers(0, 4)) == 0:
        targets = draw(st.lists(st.sampled_from([n.name for n in earlier]), min_size=1, max_size=2))
        nd.attr["_class"].list.s.extend(f"loc:@{t}".encode() for t in sorted(set(targets)))

    cpp = node.cpp_node_def
    cpp.CopyFrom(nd)
    del cpp.input[:]
    cpp.input.extend(_canonical(i) for i in data_inputs)
    cpp.input.extend(f"^{c}" for c in sorted(set(controls)))
    return node


# ---------------------------------------------------------------------------------------
# Collections
# ---------------------------------------------------------------------------------------


def _py_object(type_name: str, repr_: str, name: snap.NameAttr | None = None) -> snap.PyObject:
    obj = snap.PyObject(type_name=type_name, type_repr=f"<class '{type_name}'>", repr=repr_)
    obj.name.CopyFrom(name or snap.NameAttr(missing=True))
    return obj


def _variable_item(draw: st.DrawFn, var: _Node, nodes: Sequence[_Node]) -> snap.CollectionItem:
    resource = var.op == "VarHandleOp"
    item = snap.CollectionItem(
        type_name="ResourceVariable" if resource else "RefVariable",
        repr=f"<tf.Variable '{var.name}:0'>",
    )
    v = item.variable
    v.name = f"{var.name}:0"
    v.is_resource = resource
    v.variable_name = f"{var.name}:0"
    consts = [n for n in nodes if n.op == "Const"]
    if draw(st.booleans()) and consts:
        v.has_initial_value = True
        v.initial_value_name = f"{draw(st.sampled_from(consts)).name}:0"
    inits = [
        n
        for n in nodes
        if n.op in ("Assign", "AssignVariableOp")
        and any(i.split(":")[0] == var.name for i in n.node_def.input)
    ]
    v.initializer_name = draw(st.sampled_from(inits)).name if inits else f"{var.name}/Assign"
    reads = [n for n in nodes if n.op in ("Identity", "ReadVariableOp") and n.outputs]
    v.snapshot_name = f"{draw(st.sampled_from(reads)).name}:0" if reads else f"{var.name}/read:0"
    v.trainable = draw(st.booleans())
    v.synchronization = draw(st.sampled_from((0, 1)))
    v.aggregation = draw(st.sampled_from((0, 1)))
    if draw(st.integers(0, 3)) == 0:
        v.has_save_slice_info = True
        v.slice_full_name = var.name
        v.slice_full_shape.extend([4, 2])
        v.slice_var_offset.extend([0, 0])
        v.slice_var_shape.extend([2, 2])
    return item


def _saver_item(draw: st.DrawFn, nodes: Sequence[_Node]) -> snap.CollectionItem:
    saves = [n for n in nodes if n.op == "SaveV2"]
    restores = [n for n in nodes if n.op == "RestoreV2"]
    strings = [n for n in nodes if n.outputs and n.outputs[0] % _REF_OFFSET == DT_STRING]
    filename = draw(st.sampled_from(strings)).name if strings else "save/Const"
    save = draw(st.sampled_from(saves)).name if saves else "save/SaveV2"
    restore = draw(st.sampled_from(restores)).name if restores else "save/restore_all"
    sd = SaverDef(
        filename_tensor_name=f"{filename}:0",
        save_tensor_name=f"{save}:0",
        restore_op_name=restore,
        max_to_keep=5,
        sharded=draw(st.booleans()),
        keep_checkpoint_every_n_hours=10000.0,
        version=SaverDef.V2,
    )
    item = snap.CollectionItem(type_name="Saver", repr="<Saver object>")
    item.saver.saver_def = sd.SerializeToString(deterministic=True)
    item.saver.name.CopyFrom(
        draw(st.sampled_from((snap.NameAttr(missing=True), snap.NameAttr(str="save"))))
    )
    return item


def _item(draw: st.DrawFn, kind: str, nodes: Sequence[_Node]) -> snap.CollectionItem:
    """An item of ``kind`` (falls back to a str item when the graph has nothing to refer to)."""
    variables = [n for n in nodes if n.op in ("VariableV2", "VarHandleOp")]
    with_outputs = [n for n in nodes if n.outputs]
    if kind == "variable" and variables:
        return _variable_item(draw, draw(st.sampled_from(variables)), nodes)
    if kind == "saver":
        return _saver_item(draw, nodes)
    if kind == "operation" and nodes:
        n = draw(st.sampled_from(nodes))
        return snap.CollectionItem(
            operation=n.name, type_name="Operation", repr=f"<tf.Operation '{n.name}'>"
        )
    if kind == "tensor" and with_outputs:
        n = draw(st.sampled_from(with_outputs))
        t = f"{n.name}:{draw(st.integers(0, len(n.outputs) - 1))}"
        return snap.CollectionItem(tensor=t, type_name="SymbolicTensor", repr=f"<tf.Tensor '{t}'>")
    if kind == "bytes":
        b = draw(st.binary(max_size=4))
        return snap.CollectionItem(bytes=b, type_name="bytes", repr=repr(b))
    if kind == "int":
        i = draw(st.integers(-(2**64), 2**64))
        return snap.CollectionItem(int=str(i), type_name="int", repr=str(i))
    if kind == "bool":
        b2 = draw(st.booleans())
        return snap.CollectionItem(bool=b2, type_name="bool", repr=repr(b2))
    if kind == "float":
        f = draw(st.floats(allow_nan=False, width=64))
        return snap.CollectionItem(float=f, type_name="float", repr=repr(f))
    if kind == "numpy":
        item = snap.CollectionItem(type_name="numpy.int64", repr="np.int64(3)")
        item.numpy.dtype = "int64"
        item.numpy.int = "3"
        return item
    if kind == "any":
        payload = VersionDef(producer=draw(st.integers(0, PRODUCER)))
        item = snap.CollectionItem(type_name="Any", repr="<Any>")
        item.any.type_url = "type.googleapis.com/tensorflow.VersionDef"
        item.any.value = payload.SerializeToString(deterministic=True)
        return item
    if kind == "opaque":
        obj = draw(
            st.sampled_from(
                (
                    _py_object("NoneType", "None"),
                    _py_object("dict", "{}"),
                    _py_object("Thing", "<Thing>", snap.NameAttr(str="thing")),
                )
            )
        )
        return snap.CollectionItem(opaque=obj, type_name=obj.type_name, repr=obj.repr)
    s = draw(st.sampled_from(("", "s/x", "sx/z", "text", *(n.name for n in nodes))))
    return snap.CollectionItem(str=s, type_name="str", repr=repr(s))


_ITEM_KINDS = (
    "str",
    "bytes",
    "int",
    "bool",
    "float",
    "numpy",
    "any",
    "operation",
    "tensor",
    "opaque",
)


@st.composite
def _collection(draw: st.DrawFn, key: str | bytes, nodes: Sequence[_Node]) -> snap.Collection:
    col = snap.Collection()
    if isinstance(key, bytes):
        col.key.bytes = key
    else:
        col.key.str = key
    if key in _VARIABLE_KEYS:
        kinds: Sequence[str] = ("variable",)
    elif key == "savers":
        kinds = ("saver",)
    else:
        kinds = _ITEM_KINDS
    n_items = draw(st.integers(1, 3))
    # Mixed kinds in a collection make TF warn and skip it; mostly keep one kind.
    mixed = draw(st.integers(0, 4)) == 0
    kind = draw(st.sampled_from(kinds))
    for _ in range(n_items):
        col.items.append(_item(draw, draw(st.sampled_from(kinds)) if mixed else kind, nodes))
    return col


# ---------------------------------------------------------------------------------------
# Snapshots
# ---------------------------------------------------------------------------------------


def _environment(draw: st.DrawFn, release: SnapshotRelease) -> snap.Environment:
    env = snap.Environment(
        tensorflow_version=release.version,
        tensorflow_git_version=release.git_version,
        protobuf_version=draw(st.sampled_from(release.protobuf_versions)),
        protobuf_backend="upb",
        python_version="3.11.9",
        platform="linux-x86_64",
    )
    env.framework_path_prefixes.append("/usr/lib/python3.11/site-packages/tensorflow/")
    env.framework_filename_patterns.append("<embedded")
    env.external_filename_patterns.append(r"_test\.py$")
    for key, type_name in PROTO_FUNCTION_KEYS.items():
        env.proto_function_keys[key] = type_name
    return env


@st.composite
def _snapshot(draw: st.DrawFn, max_nodes: int, release: SnapshotRelease) -> bytes:
    out = snap.GraphSnapshot(format_version=1)
    out.environment.CopyFrom(_environment(draw, release))
    versions = VersionDef(producer=release.producer, min_consumer=MIN_CONSUMER)
    out.graph_def_versions = versions.SerializeToString(deterministic=True)

    nodes: list[_Node] = []
    used: set[str] = set()
    for _ in range(draw(st.integers(0, max_nodes))):
        nodes.append(draw(_node(nodes, used, release)))

    cpp = GraphDef()
    cpp.versions.CopyFrom(versions)
    frames: dict[tuple[str, int, str], int] = {}
    for node in nodes:
        cpp.node.append(node.cpp_node_def)
        rec = out.operations.add(name=node.name, type=node.op)
        rec.node_def = node.node_def.SerializeToString(deterministic=True)
        rec.output_shapes.extend(draw(_shape()).SerializeToString() for _ in node.outputs)
        if draw(st.integers(0, 5)) > 0:
            rec.has_traceback = True
            for frame in draw(st.lists(st.sampled_from(_FRAME_POOL), min_size=1, max_size=3)):
                rec.traceback.append(frames.setdefault(frame, len(frames)))
    out.cpp_graph_def = cpp.SerializeToString(deterministic=True)
    for (filename, lineno, fname), _ in sorted(frames.items(), key=lambda kv: kv[1]):
        out.frames.add(filename=filename, lineno=lineno, name=fname)

    # Collections: registered keys, plain keys, a bytes key.
    has_vars = any(n.op in ("VariableV2", "VarHandleOp") for n in nodes)
    key_pool: list[str | bytes] = ["savers", "my_strs", "c", "cx", "queue", b"raw_key"]
    if has_vars:
        key_pool += list(_VARIABLE_KEYS)
    keys = draw(st.lists(st.sampled_from(key_pool), unique=True, max_size=4))
    for key in keys:
        out.collections.append(draw(_collection(key, nodes)))

    for name in sorted({n.op for n in nodes}):
        out.op_defs.append(release.op_def(name).SerializeToString(deterministic=True))

    # The name counter: every name and every scope prefix, lower-cased.
    for node in nodes:
        parts = node.name.lower().split("/")
        for i in range(1, len(parts) + 1):
            key_name = "/".join(parts[:i])
            out.names_in_use[key_name] = out.names_in_use[key_name] + 1 if i == len(parts) else 1
    out.finalized = draw(st.integers(0, 29)) == 0
    return out.SerializeToString(deterministic=True)


def snapshots(max_nodes: int = 20, release: str = TF_VERSION) -> st.SearchStrategy[bytes]:
    """Serialized ``metagraph_ref.GraphSnapshot`` messages of at most ``max_nodes`` nodes,
    as captured under TF ``release`` (default 2.21.0; ``snapshot_release``).

    No TensorFlow is needed: ops, attrs and OpDefs come from the release's bundled op
    registry. The snapshots have no functions. See the module docstring.
    """
    return _snapshot(max_nodes, snapshot_release(release))


def export_arguments(snapshot: bytes | Snapshot) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments of ``export_meta_graph`` fitted to ``snapshot`` (serialized or
    loaded), with a ``filename`` (a relative path, or None): the suite's export-argument
    strategy (``conformance.gen.export_arguments``) given what the snapshot says of its
    graph. Besides the flags, only ``export_scope`` and ``collection_list`` are drawn."""
    return _export_arguments(
        GraphFacts.of_snapshot(snapshot),
        filenames=(*FILENAMES, None),
        drawn=("export_scope", "collection_list"),
    )
