"""``export_meta_graph`` over snapshots (spec.md sections 2-10): pure planning, thin writer.

``plan`` computes everything TF's export computes (the MetaGraphDef, the variable list,
the graph's state after the export, the stamped meta_info_def, the files' bytes, the
warnings) without touching its inputs or the disk, and never raises: an export that
fails returns the error TF raises (``ExportResult.error``), with what TF had done by then
(the files it writes before failing, the warnings it logged, the graph state it left).
It logs nothing: warnings are data.

``export_scoped_meta_graph`` and ``export_meta_graph`` are the I/O edge: they log the
warnings on the ``refimpl`` logger (as TF logs them on ``tensorflow``), write the
planned files in TF's order, then raise the error, if any.

``plan_export`` is ``plan`` for callers written before ``plan`` existed: it logs the
warnings and raises an error that comes before any file (an error after the files is in
``ExportResult.error`` / ``error_after_files``). Once they all use ``plan`` or
``refimpl.run_exports``, it becomes ``plan`` itself.

``trace=True`` (``plan``, ``plan_export``) returns the numbered rules of spec.md the
export applied, in order (``ExportResult.rules``; ``refimpl.rules``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import cast

from refimpl import collections_def as cols
from refimpl import rules
from refimpl.collection_items import item_attribute_error, item_name
from refimpl.debug_info import DebugOp, build_debug_info, build_set_ordered_debug_info
from refimpl.default_attrs import strip_graph_default_attrs
from refimpl.graph_def import default_graph_def, rebuild_from_graph, rebuild_from_graph_def
from refimpl.op_list import stripped_op_list
from refimpl.op_registry import OpLookup, load_bundled_op_registry
from refimpl.output import (
    FileWrite,
    check_filename,
    debug_filename,
    serialize,
    text_call_fails,
    write_file,
)
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.op_def_pb2 import OpDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.protobuf_runtime import protobuf_runtime
from refimpl.scope import ExportScope
from refimpl.snapshot import (
    Collection,
    CollectionItem,
    CollectionKey,
    OperationsByName,
    Snapshot,
)
from refimpl.tf_release import tf_release
from refimpl.tf_type_names import tf_type_repr

__all__ = [
    "LOGGER",
    "ExportResult",
    "export_meta_graph",
    "export_scoped_meta_graph",
    "log_warnings",
    "plan",
    "plan_call",
    "plan_export",
]

#: Where the I/O edge logs the export's warnings (TF: the ``tensorflow`` logger).
LOGGER = logging.getLogger("refimpl")
MetaInfoDef = MetaGraphDef.MetaInfoDef
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
    """Everything an export produces. Nothing here aliases the caller's arguments.

    When ``error`` is set, TF raised it and returned nothing; the other fields hold what
    TF had done by then: the files it wrote before failing (rule 10.3.4), the warnings
    it logged, the graph as it left it (rule 3.3), the caller's ``meta_info_def`` as it
    stamped it (rule 9.1.2, once step 6 ran), and the MetaGraphDef as far as it was built.
    """

    # The returned MetaGraphDef (with an error: as far as it was built, possibly empty).
    meta_graph_def: MetaGraphDef
    # Stripped variable name -> the variable's collection item (TF's var_list; empty
    # unless rule 3.5 completed).
    var_list: Mapping[str, CollectionItem]
    # The graph as TF leaves it: the unbound-inputs collection rewritten (rule 3.3).
    graph: Snapshot
    # The caller's meta_info_def as TF leaves it (version strings stamped), or None.
    meta_info_def: MetaGraphDef.MetaInfoDef | None
    # Files TF writes, in order (with an error: those written before it).
    files: tuple[FileWrite, ...]
    # The exception TF raises, or None.
    error: Exception | None = None
    warnings: tuple[cols.Warning_, ...] = ()
    # The numbered rules of spec.md applied, in order of first application (trace=True).
    rules: tuple[str, ...] = ()

    @property
    def error_after_files(self) -> Exception | None:
        """The error, if TF raises it after writing files (the debug step, rule 10.3.4)."""
        return self.error if any(not f.directories_only for f in self.files) else None


def plan(
    graph: Snapshot, filename: object = None, *, trace: bool = False, **arguments: object
) -> ExportResult:
    """TF's export of ``graph`` with these arguments, in TF's order, without I/O; never raises.

    ``arguments`` are TF's keyword arguments (``export_scoped_meta_graph``'s): ``graph_def``,
    ``export_scope``, ``as_text``, ``unbound_inputs_col_name``, ``clear_devices``,
    ``saver_def``, ``clear_extraneous_savers``, ``strip_default_attrs``,
    ``save_debug_info``, ``meta_info_def``, ``collection_list``; any other keyword fails as
    in TF (rule 2.5), in ``ExportResult.error``. With ``trace``, ``ExportResult.rules``
    lists the rules of spec.md applied.
    """
    if not trace:
        return plan_call(graph, filename, **arguments)
    with rules.tracing() as applied:
        result = plan_call(graph, filename, **arguments)
    return dataclasses.replace(result, rules=applied.rules)


def plan_export(
    graph: Snapshot, filename: object = None, *, trace: bool = False, **arguments: object
) -> ExportResult:
    """Everything TF's export of ``graph`` does, without I/O: ``plan`` under its public name.

    Total: it never raises and never logs. The error TF raises (before or after writing
    files) is ``ExportResult.error``, returned with the warnings logged up to it, the files
    written before it and the graph state TF leaves (spec.md 3.4). ``export_meta_graph``
    and ``export_scoped_meta_graph`` log the warnings, write the files and raise the error.
    """
    return plan(graph, filename, trace=trace, **arguments)


def log_warnings(warnings: Iterable[cols.Warning_]) -> None:
    """Logs the export's warnings on ``LOGGER`` at WARNING level, as TF logs them (rule 8.5)."""
    for w in warnings:
        LOGGER.warning(w.fmt, *w.args)


def plan_call(
    graph: object,
    filename: object = None,
    graph_def: object = None,
    export_scope: object = None,
    as_text: object = False,
    unbound_inputs_col_name: object = "unbound_inputs",
    clear_devices: object = False,
    saver_def: object = None,
    clear_extraneous_savers: object = False,
    strip_default_attrs: object = False,
    save_debug_info: object = False,
    meta_info_def: object = None,
    collection_list: object = None,
    **kwargs: object,
) -> ExportResult:
    """``plan`` as TF's call ``export_scoped_meta_graph(graph, filename, **kwargs)``: every
    keyword is TF's (rule 2.1; ``trace`` too, which fails as unknown, rule 2.5)."""
    rules.applied("2.1", "2.4")
    export = _Export(graph)
    try:
        export.run(
            filename,
            graph_def,
            ExportScope.of(export_scope),
            as_text,
            unbound_inputs_col_name,
            clear_devices,
            saver_def,
            clear_extraneous_savers,
            strip_default_attrs,
            save_debug_info,
            meta_info_def,
            collection_list,
            kwargs,
        )
    except Exception as e:  # noqa: BLE001 - every exception TF raises is part of the result
        export.error = e
    return export.result()


class _Export:
    """One export in progress: TF's steps in order (rule 2.4), and what they left so far."""

    def __init__(self, graph: object) -> None:
        self.graph = graph
        self.var_list: Mapping[str, CollectionItem] = MappingProxyType({})
        self.stamped: MetaGraphDef.MetaInfoDef | None = None
        self.mgd = MetaGraphDef()
        self.files: list[FileWrite] = []
        self.warnings: list[cols.Warning_] = []
        self.error: Exception | None = None

    def result(self) -> ExportResult:
        return ExportResult(
            meta_graph_def=self.mgd,
            var_list=self.var_list,
            # The argument as given if it was never used (or not a graph: rule 2.3).
            graph=cast(Snapshot, self.graph),
            meta_info_def=self.stamped,
            files=tuple(self.files),
            error=self.error,
            warnings=tuple(self.warnings),
        )

    def run(
        self,
        filename: object,
        graph_def: object,
        scope: ExportScope,
        as_text: object,
        unbound_inputs_col_name: object,
        clear_devices: object,
        saver_def: object,
        clear_extraneous_savers: object,
        strip_default_attrs: object,
        save_debug_info: object,
        meta_info_def: object,
        collection_list: object,
        kwargs: Mapping[str, object],
    ) -> None:
        rules.applied("2.2", "3.1")
        rebuild = bool(scope.given or clear_extraneous_savers or clear_devices)
        rules.applied("3.2")
        if not (rebuild and graph_def):
            # The graph is first used by the rebuild, or else by the variable list.
            self.graph = _require_graph(
                self.graph, "graph_def_versions" if rebuild else "get_collection"
            )
        # Step 1: the GraphDef of a rebuild path (section 4, rule 7.1).
        exclude: frozenset[str] | None = None
        if rebuild:
            if graph_def:
                rebuilt = rebuild_from_graph_def(
                    graph_def, scope, clear_devices, clear_extraneous_savers, saver_def
                )
                # Only now is the graph used: by the unbound-inputs update, or the var list.
                first_use = "clear_collection" if unbound_inputs_col_name else "get_collection"
                self.graph = _require_graph(self.graph, first_use)
            else:
                rebuilt = rebuild_from_graph(
                    _snapshot(self.graph), scope, clear_devices, clear_extraneous_savers, saver_def
                )
            graph_def, exclude = rebuilt.graph_def, rebuilt.exclude
            # Step 2: the unbound_inputs collection (rule 3.3: only with a truthy name).
            rules.applied("3.3")
            if unbound_inputs_col_name:
                self.graph = _rewrite_unbound_inputs(
                    _snapshot(self.graph), unbound_inputs_col_name, rebuilt.unbound_inputs
                )
        graph = _snapshot(self.graph)
        # Step 3: var_list.
        self.var_list = MappingProxyType(_var_list(graph, scope, exclude))
        # Steps 4-11: create_meta_graph_def.
        _check_kwargs(kwargs)
        _check_types(meta_info_def, graph_def, saver_def, graph)
        self._create_meta_graph_def(
            graph,
            meta_info_def,
            graph_def,
            not rebuild,
            saver_def,
            collection_list,
            scope,
            exclude,
            bool(clear_extraneous_savers),
            strip_default_attrs,
        )
        # Step 12: the files.
        rules.applied("2.9")
        if filename:
            self._plan_files(filename, graph, scope, as_text, save_debug_info)

    def _create_meta_graph_def(
        self,
        graph: Snapshot,
        meta_info_def: object,
        graph_def: object,
        verbatim: bool,
        saver_def: object,
        collection_list: object,
        scope: ExportScope,
        exclude: frozenset[str] | None,
        clear_extraneous_savers: bool,
        strip_default_attrs: object,
    ) -> None:
        """Steps 6-11 (rule 9.3), built in ``self.mgd`` (so a failure leaves it partial)."""
        rules.applied("9.3")
        mgd = self.mgd
        self._stamp_meta_info_def(graph, meta_info_def)
        node_ops: Sequence[str] | None = None  # graph_def.node[i].op, when known
        library: list[bytes] = []  # its other fields, canonically serialized, when known
        if not graph_def:
            default_graph_def(graph, mgd.graph_def, library)
            index = graph.wire_index()
            if index is not None:
                node_ops = index.types
        else:
            if verbatim:
                rules.applied("4.5.1")
            mgd.graph_def.MergeFrom(cast(GraphDef, graph_def))
        lookup = _op_lookup(graph)
        rules.applied("5.1")
        if len(mgd.meta_info_def.stripped_op_list.op) == 0:
            mgd.meta_info_def.stripped_op_list.MergeFrom(
                stripped_op_list(mgd.graph_def, lookup, node_ops, library[0] if library else None)
            )
        if strip_default_attrs:
            strip_graph_default_attrs(mgd.graph_def, lookup)
            rules.applied("6.4")
            mgd.meta_info_def.stripped_default_attrs = True
        rules.applied("9.2")
        if saver_def:
            mgd.saver_def.MergeFrom(cast(SaverDef, saver_def))
        cols.add_collection_defs(
            mgd,
            graph,
            collection_list,
            scope,
            exclude,
            clear_extraneous_savers,
            saver_def,
            self.warnings,
        )

    def _stamp_meta_info_def(self, graph: Snapshot, meta_info_def: object) -> None:
        """Rule 9.1: the version strings stamped into the caller's meta_info_def (a copy
        here, returned: rules 9.1.2, 3.4) or a new one, then merged into the result."""
        rules.applied("9.1", "9.1.1")
        info = MetaInfoDef()
        if meta_info_def:
            info.CopyFrom(cast(MetaInfoDef, meta_info_def))
        info.tensorflow_version = graph.environment.tensorflow_version
        info.tensorflow_git_version = graph.environment.tensorflow_git_version
        if meta_info_def:
            rules.applied("9.1.2", "3.4")
            self.stamped = MetaInfoDef()
            self.stamped.CopyFrom(info)
        rules.applied("9.1.3")
        self.mgd.meta_info_def.MergeFrom(info)

    def _plan_files(
        self,
        filename: object,
        graph: Snapshot,
        scope: ExportScope,
        as_text: object,
        save_debug_info: object,
    ) -> None:
        """Step 12 (section 10): the meta file, then the debug file (rule 10.3.4)."""
        path = check_filename(filename)
        runtime = protobuf_runtime(graph.environment.protobuf_version)
        release = tf_release(graph.environment.tensorflow_version)
        if text_call_fails(as_text, runtime, release):  # the directory first, then the error
            self.files.append(FileWrite(path, b"", directories_only=True))
        self.files.append(FileWrite(path, serialize(self.mgd, as_text, runtime, release)))
        if save_debug_info:
            rules.applied("10.3.4")
            ops = _debug_ops(graph, self.mgd, scope)
            env = graph.environment
            if release.debug_files_in_set_order:
                debug = build_set_ordered_debug_info(ops, env.frame_classifier, env.filename_hashes)
            else:
                debug = build_debug_info(ops, env.frame_classifier)
            rules.applied("10.4.11")
            debug_bytes = serialize(debug, as_text, runtime, release)
            self.files.append(FileWrite(debug_filename(path), debug_bytes))


def _snapshot(graph: object) -> Snapshot:
    """The graph, once ``_require_graph`` has accepted it."""
    return cast(Snapshot, graph)


def _op_lookup(graph: Snapshot) -> OpLookup:
    """Rule 5.4: the snapshot's ``op_defs`` first, then the bundled registry of the
    snapshot's release (``TFRelease.data_release``)."""
    bundled = load_bundled_op_registry(graph.environment.tensorflow_version)

    def lookup(name: str) -> OpDef | None:
        return graph.op_defs.get(name) or bundled.get(name)

    return lookup


def _require_graph(graph: object, attr: str) -> Snapshot:
    """Rule 2.3: a loaded snapshot; else the error of the first use of ``attr``."""
    rules.applied("2.3")
    if isinstance(graph, Snapshot):
        return graph
    if not graph:
        raise TypeError("graph is required: refimpl has no default graph (pass a loaded Snapshot)")
    raise AttributeError(f"'{type(graph).__name__}' object has no attribute '{attr}'")


def _rewrite_unbound_inputs(graph: Snapshot, key: object, items: Iterable[str]) -> Snapshot:
    """Rule 3.3: ``clear_collection(key)`` then ``add_to_collection(key, s)`` for each item;
    refimpl returns the new state instead of mutating the graph (rule 3.4)."""
    rules.applied("3.3")
    if graph.finalized:
        raise RuntimeError("Graph is finalized and cannot be modified.")
    rules.applied("3.4")
    # TF takes any hashable key; the snapshot model names str, bytes and other objects.
    col_key = cast(CollectionKey, key)
    kept = tuple(c for c in graph.collections if c.key != col_key)
    new_items = tuple(CollectionItem(str=s, type_name="str", repr=repr(s)) for s in items)
    if new_items:
        kept += (Collection(key=col_key, items=new_items),)
    return graph.with_collections(kept)


def _check_kwargs(kwargs: Mapping[str, object]) -> None:
    """Rule 2.5, Python's binding of ``create_meta_graph_def(..., **kwargs)``: duplicates
    are found first."""
    rules.applied("2.5")
    for key in kwargs:
        if key in _CREATE_META_GRAPH_DEF_PARAMS:
            raise TypeError(
                "tensorflow.python.framework.meta_graph.create_meta_graph_def() got multiple "
                f"values for keyword argument '{key}'"
            )
    for key in kwargs:
        raise TypeError(f"create_meta_graph_def() got an unexpected keyword argument '{key}'")


def _var_list(
    graph: Snapshot, scope: ExportScope, exclude: frozenset[str] | None
) -> dict[str, CollectionItem]:
    """Rule 3.5: TF's ``var_list`` (the public function drops it; its failures show)."""
    rules.applied("3.5")
    out: dict[str, CollectionItem] = {}
    items = cols.get_collection_in_scope(graph.find_collection(GLOBAL_VARIABLES), scope)
    for v in items:
        if cols.include_item(v, scope, exclude):
            name = item_name(v)
            if not isinstance(name, str):
                raise item_attribute_error(v, "name")
            out[scope.strip_name(name)] = v
    return out


def _type_error(what: str, cls_name: str, value: object, release: str) -> TypeError:
    return TypeError(
        f"{what} must be of type {cls_name}. Received type: {tf_type_repr(value, release)}."
    )


def _check_types(
    meta_info_def: object, graph_def: object, saver_def: object, graph: Snapshot
) -> None:
    """Rule 2.6: each truthy message argument must be of its message type (the error names
    a message's class as the process of the snapshot's TF release does)."""
    rules.applied("2.6")
    release = graph.environment.tensorflow_version
    if meta_info_def and not isinstance(meta_info_def, MetaInfoDef):
        raise _type_error("meta_info_def", "MetaInfoDef", meta_info_def, release)
    if graph_def and not isinstance(graph_def, GraphDef):
        raise _type_error("graph_def", "GraphDef", graph_def, release)
    if saver_def and not isinstance(saver_def, SaverDef):
        raise _type_error("saver_def", "SaverDef", saver_def, release)


def _debug_ops(graph: Snapshot, mgd: MetaGraphDef, scope: ExportScope) -> list[DebugOp]:
    """Rule 10.4.1: the (function name, op name, traceback) of each exported node, in order."""
    rules.applied("10.4.1")
    out: list[DebugOp] = []
    by_name = graph.operations_by_name
    # The traceback alone, when the mapping can give it without making the Operation.
    traceback_of = by_name.traceback if isinstance(by_name, OperationsByName) else None
    for node in mgd.graph_def.node:
        name = scope.prepend_name(node.name)
        if ":" in name:
            raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a Operation.")
        if name not in by_name:
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
        traceback = traceback_of(name) if traceback_of else by_name[name].traceback
        out.append(("", name, traceback))
    return out


def export_scoped_meta_graph(
    graph: Snapshot, filename: object = None, **kwargs: object
) -> ExportResult:
    """Like TF's ``export_scoped_meta_graph``: exports, logs the warnings, writes the files,
    then raises TF's error or returns the full result.

    Unlike TF, nothing is mutated: the graph's state after the export and the
    stamped ``meta_info_def`` are returned in the result.
    """
    result = plan_call(graph, filename, **kwargs)
    log_warnings(result.warnings)
    for write in result.files:
        write_file(write)
    if result.error is not None:
        raise result.error
    return result


def export_meta_graph(
    graph: Snapshot,
    filename: object = None,
    meta_info_def: object = None,
    graph_def: object = None,
    saver_def: object = None,
    collection_list: object = None,
    as_text: object = False,
    export_scope: object = None,
    clear_devices: object = False,
    clear_extraneous_savers: object = False,
    strip_default_attrs: object = False,
    save_debug_info: object = False,
    **kwargs: object,
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
