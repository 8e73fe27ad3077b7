"""The TensorFlow side of the suite: capture a live ``tf.Graph`` as a snapshot.

``capture`` runs in a process that has imported TensorFlow. It reads the
graph's state through TF's graph APIs and never calls TF's export machinery
(``export_meta_graph``, ``create_meta_graph_def``, ``add_collection_def``,
``as_graph_def(add_shapes=True)``, ``to_proto`` of collection items, the
stripped op list, default-attribute stripping, debug-info construction, file
writing): the exporter under test must do all of that itself.

This module imports only our snapshot schema (``refimpl.pb.snapshot_pb2``),
which defines no ``tensorflow.*`` message, so it can share a process with
TensorFlow's own generated protos. Under a protobuf runtime that refuses the generated
module (older TF releases pin protobuf 4.25 or 5.x), its message classes are built from
the descriptor embedded in it (``conformance.protocol.schema.load_messages``).
"""

from __future__ import annotations

import platform
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from conformance.protocol.schema import load_messages

if TYPE_CHECKING:
    from refimpl.pb import snapshot_pb2 as snap
else:
    snap = load_messages("refimpl.pb.snapshot_pb2")

SNAPSHOT_FORMAT_VERSION = 1
_PROBE_ATTR = "\x00metagraph_ref_probe"
_TYPE_NAME_RE = re.compile(r"^'(.*)' object has no attribute ")


def capture(graph: Any) -> bytes:
    """Returns the serialized snapshot (``metagraph_ref.GraphSnapshot``) of ``graph``.

    The graph is read as ``export_meta_graph`` reads it in the graph's own context
    (spec.md 1.10): capture enters ``graph.as_default()`` itself, so the caller's
    context (eager or not, another graph's, another thread) changes nothing, and no
    read leaves a trace that a later export of the graph would see.
    """
    with graph.as_default():
        return _Capture(graph).build().SerializeToString(deterministic=True)


def _type_name(x: object) -> str:
    """Python's internal name of ``type(x)``, as AttributeError messages print it."""
    try:
        getattr(x, _PROBE_ATTR)
    except AttributeError as e:
        m = _TYPE_NAME_RE.match(str(e))
        if m:
            return m.group(1)
    return type(x).__name__


def _bare_attribute_errors(x: object) -> bool:
    """Whether ``x``'s AttributeError messages are just the attribute name (upb messages)."""
    try:
        getattr(x, _PROBE_ATTR)
    except AttributeError as e:
        return str(e) == _PROBE_ATTR
    return False


def _name_attr(x: object) -> snap.NameAttr:
    try:
        value = x.name  # type: ignore[attr-defined]
    except AttributeError:
        return snap.NameAttr(missing=True)
    if isinstance(value, str):
        return snap.NameAttr(str=value)
    return snap.NameAttr(other_type=_type_name(value))


def _debug_files_in_set_order() -> bool:
    """Whether this TF lists the debug file's file names in a Python set's order: TF 2.12
    and 2.13 build ``GraphDebugInfo`` in Python (``error_interpolation``); 2.14 brought the
    C++ ``tf_stack.GraphDebugInfoBuilder`` (spec.md 10.4.12)."""
    from tensorflow.python.util import tf_stack

    return not hasattr(tf_stack, "GraphDebugInfoBuilder")


class _Capture:
    def __init__(self, graph: Any) -> None:
        import tensorflow as tf  # noqa: F401  (the caller already imported it)

        self.graph = graph
        self.frames: dict[tuple[str, int, str], int] = {}
        self.out = snap.GraphSnapshot(format_version=SNAPSHOT_FORMAT_VERSION)

    # -- top level -----------------------------------------------------------------
    def build(self) -> snap.GraphSnapshot:
        from tensorflow.core.framework import graph_pb2

        g = self.graph
        self._environment()
        cpp_gd = g.as_graph_def()  # C++ ToGraphDef, no shape annotation
        self.out.cpp_graph_def = cpp_gd.SerializeToString(deterministic=True)
        self.out.graph_def_versions = g.graph_def_versions.SerializeToString(deterministic=True)
        self.out.finalized = bool(g.finalized)
        for name, count in g._names_in_use.items():
            self.out.names_in_use[name] = int(count)
        for key in sorted(g._nodes_by_id):  # noqa: SLF001  (creation order)
            self._operation(g._nodes_by_id[key])
        cpp_functions = {f.signature.name: f for f in cpp_gd.library.function}
        for name, fn in g._functions.items():
            self._function(name, fn, cpp_functions.get(name))
        for key in list(g.collections):
            self._collection(key, g.get_collection(key))
        self._op_defs(cpp_gd, graph_pb2)
        for (filename, lineno, fname), _ in sorted(self.frames.items(), key=lambda kv: kv[1]):
            self.out.frames.add(filename=filename, lineno=lineno, name=fname)
        if _debug_files_in_set_order():
            for filename, _, _ in self.frames:
                self.out.environment.filename_hashes[filename] = hash(filename)
        return self.out

    def _environment(self) -> None:
        import google.protobuf
        import tensorflow as tf
        from google.protobuf.internal import api_implementation
        from tensorflow.python.framework import error_interpolation as ei
        from tensorflow.python.framework import ops

        env = self.out.environment
        env.tensorflow_version = tf.version.VERSION
        env.tensorflow_git_version = tf.version.GIT_VERSION
        env.protobuf_version = google.protobuf.__version__
        env.protobuf_backend = api_implementation.Type()
        env.framework_path_prefixes.extend(ei._FRAMEWORK_PATH_PREFIXES)
        env.framework_filename_patterns.extend(p.pattern for p in ei._FRAMEWORK_FILENAME_PATTERNS)
        env.external_filename_patterns.extend(p.pattern for p in ei._EXTERNAL_FILENAME_PATTERNS)
        registry = ops._proto_function_registry
        for key in registry.list():
            proto_type = registry.lookup(key)[0]
            env.proto_function_keys[key] = proto_type.DESCRIPTOR.full_name
        env.python_version = platform.python_version()
        env.platform = f"{sys.platform}-{platform.machine()}"

    # -- operations ----------------------------------------------------------------
    def _frame_index(self, filename: str, lineno: int, name: str) -> int:
        key = (filename, lineno, name)
        idx = self.frames.get(key)
        if idx is None:
            idx = self.frames[key] = len(self.frames)
        return idx

    def _operation(self, op: Any) -> None:
        rec = self.out.operations.add(name=op.name, type=op.type)
        rec.node_def = op.node_def.SerializeToString(deterministic=True)
        rec.output_shapes.extend(_shape_bytes(t) for t in op.outputs)
        tb = op.traceback
        if tb is not None:
            rec.has_traceback = True
            rec.traceback.extend(self._frame_index(f.filename, f.lineno, f.name) for f in tb)

    # -- functions -----------------------------------------------------------------
    def _function(self, name: str, fn: Any, cpp_def: Any) -> None:
        rec = self.out.functions.add(name=name)
        definition = _definition(fn)
        rec.definition = definition.SerializeToString(deterministic=True)
        rec.grad_func_name = getattr(fn, "grad_func_name", None) or ""
        try:
            func_graph = fn.graph
        except AttributeError:
            return
        rec.has_graph = True
        try:
            inputs = func_graph.inputs
        except AttributeError:
            return
        rec.has_graph_inputs = True
        rec.inputs.extend(_function_tensor(t) for t in inputs)
        rec.outputs.extend(_function_tensor(t) for t in func_graph.outputs)
        names: dict[str, None] = {}
        for d in (cpp_def, definition):
            if d is not None:
                names.update((n.name, None) for n in d.node_def)
        for op in func_graph.get_operations():
            if op.name in names:
                body = rec.body_ops.add(name=op.name, type=op.type)
                body.output_shapes.extend(_shape_bytes(t) for t in op.outputs)

    # -- op registry ---------------------------------------------------------------
    def _op_defs(self, cpp_gd: Any, graph_pb2: Any) -> None:
        from tensorflow.core.framework import function_pb2
        from tensorflow.python.framework import op_def_registry

        names: set[str] = set()
        for n in cpp_gd.node:
            names.add(n.op)
        defs: list[Any] = list(cpp_gd.library.function)
        for op_rec in self.out.operations:
            names.add(op_rec.type)
        for f in self.out.functions:
            fd = function_pb2.FunctionDef()
            fd.ParseFromString(f.definition)
            defs.append(fd)
        for fd in defs:
            for n in fd.node_def:
                names.add(n.op)
        for name in sorted(names):
            op_def = op_def_registry.get(name)
            if op_def is not None:
                self.out.op_defs.append(op_def.SerializeToString(deterministic=True))

    # -- collections ---------------------------------------------------------------
    def _collection(self, key: object, items: Iterable[object]) -> None:
        col = self.out.collections.add()
        if isinstance(key, str):
            col.key.str = key
        elif isinstance(key, bytes):
            col.key.bytes = key
        else:
            col.key.other.CopyFrom(_py_object(key))
        for x in items:
            col.items.append(self._item(x))

    def _item(self, x: object) -> snap.CollectionItem:
        import numpy as np
        from google.protobuf import any_pb2
        from tensorflow.python.framework import ops
        from tensorflow.python.ops import control_flow_ops, resource_variable_ops, variables
        from tensorflow.python.training import queue_runner_impl, saver
        from tensorflow.python.util import nest

        item = snap.CollectionItem(
            type_name=_type_name(x), repr=repr(x), bare_attribute_errors=_bare_attribute_errors(x)
        )
        if isinstance(x, bool):
            item.bool = x
        elif isinstance(x, str):
            item.str = x
        elif isinstance(x, bytes):
            item.bytes = x
        elif isinstance(x, int):
            item.int = str(int(x))
        elif isinstance(x, float):
            item.float = float(x)
        elif isinstance(x, np.generic) and isinstance(x, (np.integer, np.floating, np.bool_)):
            item.numpy.dtype = x.dtype.name
            if isinstance(x, np.bool_):
                item.numpy.bool = bool(x)
            elif isinstance(x, np.integer):
                item.numpy.int = str(int(x))
            else:
                item.numpy.float = float(x)
        elif isinstance(x, any_pb2.Any):
            item.any.type_url = x.type_url
            item.any.value = x.value
        elif isinstance(x, ops.Operation):
            item.operation = x.name
        elif isinstance(x, _tensor_class()) and hasattr(x, "op"):
            item.tensor = x.name
        elif isinstance(x, variables.Variable) and (
            isinstance(x, resource_variable_ops.BaseResourceVariable) or hasattr(x, "_variable")
        ):
            item.variable.CopyFrom(_variable(x, resource_variable_ops))
        elif isinstance(x, saver.Saver):
            if x.saver_def is None:
                item.saver.saver_def_is_none = True
            else:
                item.saver.saver_def = x.saver_def.SerializeToString(deterministic=True)
            item.saver.name.CopyFrom(_name_attr(x))
        elif isinstance(x, queue_runner_impl.QueueRunner):
            item.queue_runner.CopyFrom(_queue_runner(x))
        elif isinstance(x, (control_flow_ops.CondContext, control_flow_ops.WhileContext)):
            item.context.CopyFrom(_context(x, control_flow_ops))
        else:
            item.opaque.CopyFrom(_py_object(x))
            item.saveable_kind = _saveable_kind(x)
        text = str(x)
        if text != item.repr:
            item.text = text
        if nest.is_nested(x):
            item.nested = True
            item.flattened.extend(self._item(leaf) for leaf in nest.flatten(x))
        return item


def _definition(fn: Any) -> Any:
    """The Python-side ``FunctionDef`` of a graph function, as the export reads it:
    ``cached_definition`` in newer releases, else ``definition`` (2.12 has no other)."""
    cached = getattr(fn, "cached_definition", None)
    return cached if cached is not None else fn.definition


def _tensor_class() -> Any:
    """``tf.Tensor``'s class: ``framework.tensor.Tensor`` in newer releases, else
    ``framework.ops.Tensor`` (2.12 has no ``framework.tensor``, 2.13 has one without it)."""
    from tensorflow.python.framework import ops

    try:
        from tensorflow.python.framework import tensor as tensor_lib
    except ImportError:
        return ops.Tensor
    return getattr(tensor_lib, "Tensor", None) or ops.Tensor


def _saveable_kind(x: object) -> snap.SaveableKind.ValueType:
    """What ``tf.compat.v1.train.Saver`` makes of an opaque item (spec.md 7.5)."""
    from tensorflow.python.ops import variables
    from tensorflow.python.trackable import base as trackable
    from tensorflow.python.training.saving import saveable_object

    if isinstance(x, saveable_object.SaveableObject):
        return snap.SAVEABLE_OBJECT
    if isinstance(x, variables.PartitionedVariable):
        return snap.PARTITIONED_VARIABLE
    if isinstance(x, trackable.Trackable):
        return snap.TRACKABLE
    return snap.PLAIN


def _py_object(x: object) -> snap.PyObject:
    return snap.PyObject(
        type_name=_type_name(x), type_repr=repr(type(x)), repr=repr(x), name=_name_attr(x)
    )


def _shape_bytes(t: Any) -> bytes:
    return bytes(t.get_shape().as_proto().SerializeToString(deterministic=True))


def _function_tensor(t: Any) -> snap.FunctionTensor:
    from tensorflow.python.framework import dtypes
    from tensorflow.python.ops import handle_data_util

    rec = snap.FunctionTensor(dtype=t.dtype.as_datatype_enum, shape=_shape_bytes(t))
    if t.dtype == dtypes.resource:
        hd = handle_data_util.get_resource_handle_data(t)
        if hd.shape_and_type:
            first = hd.shape_and_type[0]
            rec.has_handle_data = True
            rec.handle_dtype = first.dtype
            rec.handle_shape = first.shape.SerializeToString(deterministic=True)
    return rec


def _variable(v: Any, resource_variable_ops: Any) -> snap.VariableItem:
    is_resource = isinstance(v, resource_variable_ops.BaseResourceVariable)
    rec = snap.VariableItem(name=v.name, is_resource=is_resource)
    if is_resource:
        rec.variable_name = v.handle.name
        snapshot = v._cached_value if v._cached_value is not None else v._graph_element
        rec.snapshot_name = snapshot.name
    else:
        rec.variable_name = v._variable.name
        rec.snapshot_name = v._snapshot.name
    if v._initial_value is not None:
        rec.has_initial_value = True
        rec.initial_value_name = v._initial_value.name
    rec.initializer_name = v.initializer.name
    rec.trainable = bool(v.trainable)
    rec.synchronization = int(v.synchronization.value)
    rec.aggregation = int(v.aggregation.value)
    info = v._save_slice_info
    if info:
        rec.has_save_slice_info = True
        rec.slice_full_name = info.full_name
        rec.slice_full_shape.extend(info.full_shape)
        rec.slice_var_offset.extend(info.var_offset)
        rec.slice_var_shape.extend(info.var_shape)
    return rec


def _queue_runner(qr: Any) -> snap.QueueRunnerItem:
    from tensorflow.python.framework import errors

    return snap.QueueRunnerItem(
        queue_name=qr.queue.name,
        enqueue_op_names=[op.name for op in qr.enqueue_ops],
        close_op_name=qr.close_op.name,
        cancel_op_name=qr.cancel_op.name,
        queue_closed_exception_types=[
            errors.error_code_from_exception_type(c) for c in qr._queue_closed_exception_types
        ],
    )


def _values(ctx: Any) -> snap.ValuesItem:
    return snap.ValuesItem(
        values=sorted(ctx._values),
        external_values=[
            snap.StringPair(key=k, value=v.name) for k, v in ctx._external_values.items()
        ],
    )


def _context(ctx: Any, cf: Any) -> snap.ContextItem:
    out = snap.ContextItem()
    if isinstance(ctx, cf.CondContext):
        c = out.cond
        c.name = ctx.name
        c.pred_name = ctx._pred.name
        c.pivot_name = ctx._pivot.name
        c.branch = int(ctx._branch)
        c.values.CopyFrom(_values(ctx))
        c.nested_contexts.extend(_context(n, cf) for n in ctx._nested_contexts)
    else:
        w = out.__getattribute__("while")
        w.name = ctx.name
        w.parallel_iterations = int(ctx._parallel_iterations)
        if ctx._maximum_iterations is not None:
            w.has_maximum_iterations = True
            w.maximum_iterations_name = ctx._maximum_iterations.name
        w.back_prop = bool(ctx._back_prop)
        w.swap_memory = bool(ctx._swap_memory)
        w.pivot_for_pred_name = ctx._pivot_for_pred.name
        w.pivot_for_body_name = ctx._pivot_for_body.name
        w.pivot_name = ctx._pivot.name
        w.loop_exit_names.extend(t.name for t in ctx._loop_exits)
        w.loop_enter_names.extend(t.name for t in ctx._loop_enters)
        w.values.CopyFrom(_values(ctx))
        w.nested_contexts.extend(_context(n, cf) for n in ctx._nested_contexts)
    return out
