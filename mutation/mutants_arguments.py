"""Mutants of spec.md sections 0, 2 and 3: arguments, paths, the unbound_inputs collection."""

from __future__ import annotations

from mutation.model import Mutant

EXPORT = "refimpl/export.py"
SCOPE = "refimpl/scope.py"
COLLECTIONS = "refimpl/collections_def.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "runtime-own-not-recorded", "0.3.1",
        "int64_list bools follow refimpl's own protobuf runtime, not the recorded one",
        COLLECTIONS,
        "runtime = protobuf_runtime(graph.environment.protobuf_version)",
        'runtime = protobuf_runtime("7.36.2")',
    ),
    Mutant(
        "runtime-message-extend-stops", "0.3.1",
        "an any_list's first refused item decides the error under protobuf 6 too",
        "refimpl/protobuf_runtime.py",
        "message_extend_keeps_going=key < (7, 0, 0),",
        "message_extend_keeps_going=key < (6, 0, 0),",
    ),
    Mutant(
        "runtime-scalar-extend-stops", "0.3.1",
        "int64/float lists stop at the first refused item under protobuf 4.25 and 5.29 too",
        "refimpl/protobuf_runtime.py",
        "scalar_extend_keeps_going=key < (6, 0, 0),",
        "scalar_extend_keeps_going=key < (4, 0, 0),",
    ),
    Mutant(
        "runtime-pending-int-not-replaced", "0.3.1",
        "a good integer after a refused one leaves the pending error (older upb replaces it)",
        COLLECTIONS,
        "        if pending is not None and kind == \"int64_list\":",
        "        if False:",
    ),
    Mutant(
        "runtime-bools-threshold", "0.3.1",
        "bools in integer fields accepted up to 7.x (the 7.34 change missed)",
        "refimpl/protobuf_runtime.py",
        "int_fields_accept_bools=key < (7, 0, 0),",
        "int_fields_accept_bools=key < (8, 0, 0),",
    ),
    Mutant(
        "contexts-nondeterministic", "0.4.1",
        "control-flow context items serialized with the non-deterministic serializer",
        COLLECTIONS,
        "col_def.bytes_list.value.append(proto.SerializeToString(deterministic=True))",
        "col_def.bytes_list.value.append(proto.SerializeToString())",
        equivalent="the items without maps serialize alike either way, and a context with "
        "two or more external_values is compared after canonical re-serialization (rule "
        "0.4.1: TF's own order is not reproducible), so no case can tell",
    ),
    Mutant(
        "signature-unbound-default", "2.1",
        "the unbound_inputs_col_name parameter defaults to None, not 'unbound_inputs'",
        EXPORT,
        'unbound_inputs_col_name: object = "unbound_inputs",',
        "unbound_inputs_col_name: object = None,",
    ),
    Mutant(
        "signature-as-text-default", "2.1",
        "as_text defaults to True (text is the port's own default)",
        EXPORT,
        "    as_text: object = False,\n    unbound_inputs_col_name",
        "    as_text: object = True,\n    unbound_inputs_col_name",
    ),
    Mutant(
        "truthiness-meta-info-def-none-test", "2.2",
        "meta_info_def tested with 'is not None' instead of truthiness",
        EXPORT,
        "        if meta_info_def:\n            info.CopyFrom(",
        "        if meta_info_def is not None:\n            info.CopyFrom(",
    ),
    Mutant(
        "truthiness-graph-def-none-test", "2.2",
        "graph_def tested with 'is not None' on the rebuild path",
        EXPORT,
        "        if rebuild:\n            if graph_def:",
        "        if rebuild:\n            if graph_def is not None:",
    ),
    Mutant(
        "graph-falsy-error", "2.3",
        "a falsy graph fails with ValueError instead of TypeError",
        EXPORT,
        'raise TypeError("graph is required',
        'raise ValueError("graph is required',
        equivalent="the protocol always passes a loaded snapshot as the graph: no case "
        "can give a falsy or non-graph value (rule 2.3 is refimpl's API, not the corpus's)",
    ),
    Mutant(
        "order-types-before-kwargs", "2.4",
        "the type checks run before the extra keyword arguments are bound",
        EXPORT,
        "        _check_kwargs(kwargs)\n"
        "        _check_types(meta_info_def, graph_def, saver_def, graph)",
        "        _check_types(meta_info_def, graph_def, saver_def, graph)\n"
        "        _check_kwargs(kwargs)",
    ),
    Mutant(
        "order-var-list-after-checks", "2.4",
        "var_list computed after the argument checks of create_meta_graph_def",
        EXPORT,
        "        self.var_list = MappingProxyType(_var_list(graph, scope, exclude))\n"
        "        # Steps 4-11: create_meta_graph_def.\n"
        "        _check_kwargs(kwargs)\n"
        "        _check_types(meta_info_def, graph_def, saver_def, graph)\n",
        "        # Steps 4-11: create_meta_graph_def.\n"
        "        _check_kwargs(kwargs)\n"
        "        _check_types(meta_info_def, graph_def, saver_def, graph)\n"
        "        self.var_list = MappingProxyType(_var_list(graph, scope, exclude))\n",
    ),
    Mutant(
        "kwargs-multiple-values-short", "2.5",
        "'got multiple values' message without the qualified function name",
        EXPORT,
        '"tensorflow.python.framework.meta_graph.create_meta_graph_def() got multiple "',
        '"create_meta_graph_def() got multiple "',
    ),
    Mutant(
        "kwargs-exclude-nodes-unknown", "2.5",
        "exclude_nodes not known as a parameter of create_meta_graph_def",
        EXPORT,
        '        "exclude_nodes",\n',
        "",
    ),
    Mutant(
        "types-message-class-name", "2.6",
        "a wrong type named by the exporter's own class, not as TF's process names it",
        EXPORT,
        "Received type: {tf_type_repr(value, release)}.",
        "Received type: {type(value)}.",
    ),
    Mutant(
        "types-saver-first", "2.6",
        "saver_def's type checked before graph_def's",
        EXPORT,
        "    if graph_def and not isinstance(graph_def, GraphDef):\n"
        '        raise _type_error("graph_def", "GraphDef", graph_def, release)\n'
        "    if saver_def and not isinstance(saver_def, SaverDef):\n"
        '        raise _type_error("saver_def", "SaverDef", saver_def, release)\n',
        "    if saver_def and not isinstance(saver_def, SaverDef):\n"
        '        raise _type_error("saver_def", "SaverDef", saver_def, release)\n'
        "    if graph_def and not isinstance(graph_def, GraphDef):\n"
        '        raise _type_error("graph_def", "GraphDef", graph_def, release)\n',
    ),
    Mutant(
        "collection-list-str-one-key", "2.7",
        "a str collection_list taken as one key, not iterated character by character",
        COLLECTIONS,
        "    return iter(cast(Iterable[object], collection_list))",
        "    if isinstance(collection_list, str):\n"
        "        return iter([collection_list])\n"
        "    return iter(cast(Iterable[object], collection_list))",
    ),
    Mutant(
        "collection-list-empty-means-all", "2.7",
        "an empty collection_list exports every collection (truth test, not None test)",
        COLLECTIONS,
        "    if collection_list is None:\n        rules.applied(\"8.1.1\")",
        "    if not collection_list:\n        rules.applied(\"8.1.1\")",
    ),
    Mutant(
        "scope-coerced-to-str", "2.8",
        "a non-str export_scope converted with str() instead of failing where TF fails",
        SCOPE,
        "        return cls(export_scope)",
        "        return cls(str(export_scope) if export_scope else export_scope)",
    ),
    Mutant(
        "filename-none-test", "2.9",
        "files written whenever filename is not None (an empty name too)",
        EXPORT,
        "        if filename:\n",
        "        if filename is not None:\n",
    ),
    Mutant(
        "debug-without-filename", "2.9",
        "save_debug_info honoured only with as_text (a misread condition)",
        EXPORT,
        "        if save_debug_info:\n            rules.applied(\"10.3.4\")",
        "        if save_debug_info and as_text:\n            rules.applied(\"10.3.4\")",
    ),
    Mutant(
        "rebuild-flag-no-ces", "3.1",
        "clear_extraneous_savers does not select a rebuild",
        EXPORT,
        "rebuild = bool(scope.given or clear_extraneous_savers or clear_devices)",
        "rebuild = bool(scope.given or clear_devices)",
    ),
    Mutant(
        "rebuild-flag-strip", "3.1",
        "strip_default_attrs selects a rebuild too",
        EXPORT,
        "rebuild = bool(scope.given or clear_extraneous_savers or clear_devices)",
        "rebuild = bool(scope.given or clear_extraneous_savers or clear_devices "
        "or strip_default_attrs)",
    ),
    Mutant(
        "path-given-graph-def-verbatim", "3.2",
        "a given graph_def is used verbatim even on a rebuild",
        EXPORT,
        "        if rebuild:\n            if graph_def:",
        "        if rebuild and not graph_def:\n            if graph_def:",
    ),
    Mutant(
        "unbound-finalized-message", "3.3",
        "finalized-graph error worded differently",
        EXPORT,
        '    if graph.finalized:\n'
        '        raise RuntimeError("Graph is finalized and cannot be modified.")\n'
        '    rules.applied("3.4")',
        '    if graph.finalized:\n        raise RuntimeError("Graph is finalized.")\n'
        '    rules.applied("3.4")',
    ),
    Mutant(
        "unbound-collection-first", "3.3",
        "the re-created unbound_inputs collection goes first, not last",
        EXPORT,
        "        kept += (Collection(key=col_key, items=new_items),)",
        "        kept = (Collection(key=col_key, items=new_items), *kept)",
        equivalent="collection_def is a map, written in key order; the order in which "
        "the keys are processed shows only in the order of conversion warnings, and the "
        "unbound_inputs items (strs) never fail",
    ),
    Mutant(
        "unbound-not-cleared", "3.3",
        "the unbound_inputs collection is appended to, not cleared first",
        EXPORT,
        "    kept = tuple(c for c in graph.collections if c.key != col_key)\n"
        "    new_items = tuple(",
        "    old = [i for c in graph.collections if c.key == col_key for i in c.items]\n"
        "    kept = tuple(c for c in graph.collections if c.key != col_key)\n"
        "    new_items = (*old,) + tuple(",
    ),
    Mutant(
        "state-not-returned", "3.4",
        "the graph state after the export is not the rewritten one",
        EXPORT,
        "    return graph.with_collections(kept)",
        "    return graph",
    ),
    Mutant(
        "var-list-scope-literal", "3.5",
        "var_list matches the scope as a literal, not a regular expression",
        SCOPE,
        "        return re.compile(self._raw)",
        "        return re.compile(re.escape(self._raw))",
    ),
    Mutant(
        "var-list-non-str-message", "3.5",
        "re.match's TypeError worded as in an older Python",
        COLLECTIONS,
        "raise TypeError(f\"expected string or bytes-like object, got '{name.type_name}'\")",
        'raise TypeError("expected string or bytes-like object")',
    ),
)
