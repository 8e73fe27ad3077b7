"""``export_meta_graph`` over snapshots (spec.md sections 2-10): pure planning, thin writer.

``plan_export`` computes everything TF's export computes (the MetaGraphDef,
the variable list, the graph's state after the export, the stamped
meta_info_def, the files' bytes, the warnings) without touching its inputs or
the disk. ``export_scoped_meta_graph`` and ``export_meta_graph`` write the
planned files in TF's order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from refimpl import collections_def as cols
from refimpl.debug_info import build_debug_info
from refimpl.default_attrs import strip_graph_default_attrs
from refimpl.graph_def import default_graph_def, rebuild_from_graph, rebuild_from_graph_def
from refimpl.names import prepend_name_scope, strip_name_scope
from refimpl.op_list import stripped_op_list
from refimpl.op_registry import load_bundled_op_registry
from refimpl.output import FileWrite, check_filename, debug_filename, serialize, write_file
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.protobuf_runtime import protobuf_runtime
from refimpl.savers import find_extraneous_saver_nodes, saver_item_from_proto
from refimpl.snapshot import Collection, CollectionItem, Snapshot

MetaInfoDef = MetaGraphDef.MetaInfoDef
SAVERS = "savers"
GLOBAL_VARIABLES = "variables"
_CREATE_META_GRAPH_DEF_PARAMS = frozenset(
    {
        "graph",
        "graph_def",
        "export_scope",
        "exclude_nodes",
        "clear_extraneous_savers",
        "saver_def",
        "strip_default_attrs",
    }
)


@dataclass(frozen=True)
class ExportResult:
    """Everything an export produces. Nothing here aliases the caller's arguments."""

    meta_graph_def: MetaGraphDef
    # Stripped variable name -> the variable's collection item (TF's var_list).
    var_list: Mapping[str, CollectionItem]
    # The graph as TF leaves it: the unbound-inputs collection rewritten.
    graph: Snapshot
    # The caller's meta_info_def as TF leaves it (version strings stamped), or None.
    meta_info_def: MetaGraphDef.MetaInfoDef | None
    # Files to write, in order; then the error TF raises after writing them, if any.
    files: tuple[FileWrite, ...]
    error_after_files: Exception | None
    warnings: tuple[cols.Warning_, ...]


def _op_lookup(graph: Snapshot) -> Any:
    bundled = load_bundled_op_registry()

    def lookup(name: str) -> OpDef | None:
        return graph.op_defs.get(name) or bundled.get(name)

    return lookup


def _require_graph(graph: object, attr: str) -> Snapshot:
    if isinstance(graph, Snapshot):
        return graph
    if not graph:
        raise TypeError("graph is required: refimpl has no default graph (pass a loaded Snapshot)")
    raise AttributeError(f"'{type(graph).__name__}' object has no attribute '{attr}'")


def _with_collection(graph: Snapshot, key: str, items: Iterable[str]) -> Snapshot:
    """``clear_collection(key)`` then ``add_to_collection(key, s)`` for each item."""
    kept = tuple(c for c in graph.collections if c.key != key)
    new_items = tuple(CollectionItem(str=s, type_name="str", repr=repr(s)) for s in items)
    if new_items:
        kept += (Collection(key=key, items=new_items),)
    return dataclasses.replace(graph, collections=kept)


def plan_export(
    graph: Snapshot,
    filename: object = None,
    graph_def: Any = None,
    export_scope: Any = None,
    as_text: bool = False,
    unbound_inputs_col_name: str | None = "unbound_inputs",
    clear_devices: bool = False,
    saver_def: Any = None,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    meta_info_def: Any = None,
    collection_list: Any = None,
    **kwargs: Any,
) -> ExportResult:
    """Computes TF's export of ``graph`` with these arguments, in TF's order, without I/O."""
    rebuild = bool(export_scope or clear_extraneous_savers or clear_devices)
    if not (rebuild and graph_def):
        # The graph is first used by the rebuild, or else by the variable list.
        graph = _require_graph(graph, "graph_def_versions" if rebuild else "get_collection")
    exclude: frozenset[str] | None = None
    if rebuild:
        if graph_def:
            if not hasattr(graph_def, "versions"):
                raise AttributeError(
                    f"'{type(graph_def).__name__}' object has no attribute 'versions'"
                )
            if clear_extraneous_savers:
                exclude = find_extraneous_saver_nodes(graph_def, saver_def)
            rebuilt = rebuild_from_graph_def(graph_def, export_scope, exclude, clear_devices)
            # Only now is the graph used: by the unbound-inputs update, or the variable list.
            first_use = "clear_collection" if unbound_inputs_col_name else "get_collection"
            graph = _require_graph(graph, first_use)
        else:
            if clear_extraneous_savers:
                exclude = find_extraneous_saver_nodes(_plain_graph_def(graph), saver_def)
            rebuilt = rebuild_from_graph(graph, export_scope, exclude, clear_devices)
        graph_def = rebuilt.graph_def
        if unbound_inputs_col_name:
            if graph.finalized:
                raise RuntimeError("Graph is finalized and cannot be modified.")
            graph = _with_collection(graph, unbound_inputs_col_name, rebuilt.unbound_inputs)
    var_list = _var_list(graph, export_scope, exclude)
    warnings: list[cols.Warning_] = []
    _check_kwargs(kwargs)
    stamped, mgd = _create_meta_graph_def(
        graph,
        meta_info_def,
        graph_def,
        saver_def,
        collection_list,
        export_scope,
        exclude,
        bool(clear_extraneous_savers),
        bool(strip_default_attrs),
        warnings,
    )
    files: list[FileWrite] = []
    error: Exception | None = None
    if filename:
        path = check_filename(filename)
        runtime = protobuf_runtime(graph.environment.protobuf_version)
        files.append(FileWrite(path, serialize(mgd, as_text, runtime)))
        if save_debug_info:
            try:
                debug = build_debug_info(
                    _debug_ops(graph, mgd, export_scope), graph.environment.frame_classifier
                )
                files.append(FileWrite(debug_filename(path), serialize(debug, as_text, runtime)))
            except (KeyError, ValueError) as e:
                error = e
    return ExportResult(
        meta_graph_def=mgd,
        var_list=var_list,
        graph=graph,
        meta_info_def=stamped,
        files=tuple(files),
        error_after_files=error,
        warnings=tuple(warnings),
    )


def _plain_graph_def(graph: Snapshot) -> GraphDef:
    """``graph.as_graph_def()``: the C++ serialization, without shapes."""
    return graph.cpp_graph_def


def _check_kwargs(kwargs: Mapping[str, Any]) -> None:
    """Python's binding of ``create_meta_graph_def(..., **kwargs)``: duplicates are found first."""
    for key in kwargs:
        if key in _CREATE_META_GRAPH_DEF_PARAMS:
            raise TypeError(
                "tensorflow.python.framework.meta_graph.create_meta_graph_def() got multiple "
                f"values for keyword argument '{key}'"
            )
    for key in kwargs:
        raise TypeError(f"create_meta_graph_def() got an unexpected keyword argument '{key}'")


def _var_list(
    graph: Snapshot, export_scope: str | None, exclude: frozenset[str] | None
) -> dict[str, CollectionItem]:
    out: dict[str, CollectionItem] = {}
    items = cols.get_collection_in_scope(graph.find_collection(GLOBAL_VARIABLES), export_scope)
    for v in items:
        if cols.include_item(v, export_scope, exclude):
            name = cols.item_name(v)
            if not isinstance(name, str):
                raise cols.item_attribute_error(v, "name")
            out[strip_name_scope(name, export_scope)] = v
    return out


def _type_error(what: str, cls_name: str, value: object) -> TypeError:
    return TypeError(f"{what} must be of type {cls_name}. Received type: {type(value)}.")


def _create_meta_graph_def(
    graph: Snapshot,
    meta_info_def: Any,
    graph_def: Any,
    saver_def: Any,
    collection_list: Any,
    export_scope: str | None,
    exclude: frozenset[str] | None,
    clear_extraneous_savers: bool,
    strip_default_attrs: bool,
    warnings: list[cols.Warning_],
) -> tuple[MetaGraphDef.MetaInfoDef | None, MetaGraphDef]:
    if meta_info_def and not isinstance(meta_info_def, MetaInfoDef):
        raise _type_error("meta_info_def", "MetaInfoDef", meta_info_def)
    if graph_def and not isinstance(graph_def, GraphDef):
        raise _type_error("graph_def", "GraphDef", graph_def)
    if saver_def and not isinstance(saver_def, SaverDef):
        raise _type_error("saver_def", "SaverDef", saver_def)
    mgd = MetaGraphDef()
    stamped: MetaGraphDef.MetaInfoDef | None = None
    info = MetaInfoDef()
    if meta_info_def:
        info.CopyFrom(meta_info_def)
        stamped = info
    info.tensorflow_version = graph.environment.tensorflow_version
    info.tensorflow_git_version = graph.environment.tensorflow_git_version
    mgd.meta_info_def.MergeFrom(info)
    if stamped is not None:
        stamped = MetaInfoDef()
        stamped.CopyFrom(info)
    if not graph_def:
        mgd.graph_def.MergeFrom(default_graph_def(graph))
    else:
        mgd.graph_def.MergeFrom(graph_def)
    lookup = _op_lookup(graph)
    if len(mgd.meta_info_def.stripped_op_list.op) == 0:
        mgd.meta_info_def.stripped_op_list.MergeFrom(stripped_op_list(mgd.graph_def, lookup))
    if strip_default_attrs:
        strip_graph_default_attrs(mgd.graph_def, lookup)
        mgd.meta_info_def.stripped_default_attrs = True
    if saver_def:
        mgd.saver_def.MergeFrom(saver_def)
    clist = collection_list if collection_list is not None else graph.str_collection_keys()
    names_in_use = dict(graph.names_in_use)
    for key in clist:
        override = None
        if clear_extraneous_savers and key == SAVERS:
            override = [saver_item_from_proto(saver_def or None, graph, names_in_use)]
        cols.add_collection_def(mgd, key, graph, export_scope, exclude, warnings, override)
    return stamped, mgd


def _debug_ops(
    graph: Snapshot, mgd: MetaGraphDef, export_scope: str | None
) -> list[tuple[str, str, Any]]:
    out = []
    for node in mgd.graph_def.node:
        name = prepend_name_scope(node.name, export_scope)
        if ":" in name:
            raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a Operation.")
        op = graph.operations_by_name.get(name)
        if op is None:
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
        out.append(("", op.name, op.traceback))
    return out


def export_scoped_meta_graph(
    graph: Snapshot, filename: object = None, **kwargs: Any
) -> ExportResult:
    """Like TF's ``export_scoped_meta_graph``: exports, writes the files, returns the full result.

    Unlike TF, nothing is mutated: the graph's state after the export and the
    stamped ``meta_info_def`` are returned in the result.
    """
    result = plan_export(graph, filename, **kwargs)
    for write in result.files:
        write_file(write)
    if result.error_after_files is not None:
        raise result.error_after_files
    return result


def export_meta_graph(
    graph: Snapshot,
    filename: object = None,
    meta_info_def: Any = None,
    graph_def: Any = None,
    saver_def: Any = None,
    collection_list: Any = None,
    as_text: bool = False,
    export_scope: Any = None,
    clear_devices: bool = False,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    **kwargs: Any,
) -> MetaGraphDef:
    """``tf.compat.v1.train.export_meta_graph`` over a loaded snapshot; returns the MetaGraphDef."""
    return export_scoped_meta_graph(
        graph,
        filename,
        meta_info_def=meta_info_def,
        graph_def=graph_def,
        saver_def=saver_def,
        collection_list=collection_list,
        as_text=as_text,
        export_scope=export_scope,
        clear_devices=clear_devices,
        clear_extraneous_savers=clear_extraneous_savers,
        strip_default_attrs=strip_default_attrs,
        save_debug_info=save_debug_info,
        **kwargs,
    ).meta_graph_def
