"""Mutants of spec.md section 8: collections."""

from __future__ import annotations

from mutation.model import Mutant

COL = "refimpl/collections_def.py"
SNAPSHOT = "refimpl/snapshot.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "keys-sorted", "8.1.1",
        "the graph's collection keys exported in sorted order",
        SNAPSHOT,
        "        return tuple(c.key for c in self.collections if isinstance(c.key, str))",
        "        return tuple(sorted(c.key for c in self.collections if isinstance(c.key, str)))",
    ),
    Mutant(
        "keys-bytes-included", "8.1.1",
        "bytes keys exported by default too",
        SNAPSHOT,
        "        return tuple(c.key for c in self.collections if isinstance(c.key, str))",
        "        return tuple(c.key for c in self.collections if isinstance(c.key, (str, bytes)))",
    ),
    Mutant(
        "non-str-key-warning-value", "8.1.2",
        "the non-string-key warning names the key, not its type",
        COL,
        "        warnings.append(Warning_(NON_STRING_KEY_WARNING, (repr(type(key)),)))",
        "        warnings.append(Warning_(NON_STRING_KEY_WARNING, (repr(key),)))",
    ),
    Mutant(
        "bytes-keys-skipped", "8.1.2",
        "bytes keys in collection_list skipped with the warning",
        COL,
        "    if not isinstance(key, (str, bytes)):  # only in a collection_list (rule 8.1.2)",
        "    if not isinstance(key, str):",
    ),
    Mutant(
        "duplicate-keys-once", "8.1.3",
        "a key listed twice processed once",
        COL,
        "            if key in done:\n                rules.applied(\"8.1.3\")",
        "            if key in done:\n                continue",
    ),
    Mutant(
        "duplicate-keys-replace", "8.1.3",
        "a key processed twice replaces its entry instead of appending",
        COL,
        "    col_def = mgd.collection_def[key]  # type: ignore[index]",
        "    mgd.collection_def[key].Clear()  # type: ignore[index]\n"
        "    col_def = mgd.collection_def[key]  # type: ignore[index]",
    ),
    Mutant(
        "items-reversed", "8.2",
        "collection items in reverse insertion order",
        COL,
        "    items = list(override) if override else list(graph.get_collection(key))",
        "    items = list(override) if override else list(graph.get_collection(key))[::-1]",
    ),
    Mutant(
        "unnamed-items-dropped", "8.3",
        "items without a name filtered out",
        COL,
        "        if name is None:\n            return True\n    if exclude:",
        "        if name is None:\n            return False\n    if exclude:",
    ),
    Mutant(
        "filter-unbound-prefix", "8.3",
        "the filter does not keep $unbound_inputs_ names outside the scope",
        COL,
        "    assert name is not None\n    return scope.keeps(name)",
        "    assert name is not None\n    return scope.includes(name)",
    ),
    Mutant(
        "filter-non-str-name-error", "8.3",
        "a non-str item name fails with TypeError",
        COL,
        '        raise attribute_error(name.type_name, "startswith")',
        '        raise TypeError(f"{name.type_name} has no startswith")',
    ),
    Mutant(
        "kind-from-last-item", "8.4",
        "the list kind decided by the last item",
        COL,
        "    kind = _kind_name(items[0])",
        "    kind = _kind_name(items[-1])",
    ),
    Mutant(
        "bools-to-node-list", "8.4",
        "bool items go to node_list",
        COL,
        'if kind in ("int", "bool"):\n        return "int64_list"',
        'if kind == "int":\n        return "int64_list"',
    ),
    Mutant(
        "node-list-unfiltered", "8.4.1",
        "node_list keeps names outside the scope",
        COL,
        "            if scope.includes(name):\n                col_def.node_list",
        "            if True:\n                col_def.node_list",
    ),
    Mutant(
        "node-list-not-stripped", "8.4.1",
        "node_list names not stripped of the scope",
        COL,
        "col_def.node_list.value.append(scope.strip_name(name))",
        "col_def.node_list.value.append(name)",
    ),
    Mutant(
        "bytes-list-error-type-name", "8.4.2",
        "bytes_list error names the type, not the repr of the item",
        COL,
        'raise TypeError(f"Expected binary or unicode string, got {item.repr}")',
        'raise TypeError(f"Expected binary or unicode string, got {item.type_name}")',
    ),
    Mutant(
        "bytes-list-latin1", "8.4.2",
        "str items encoded as Latin-1",
        COL,
        '        return item.str.encode("utf-8")',
        '        return item.str.encode("latin-1", "replace")',
    ),
    Mutant(
        "int64-wraps", "8.4.3",
        "ints outside int64 wrap around instead of failing",
        COL,
        '    if kind == "int":\n        return int(item.int)',
        '    if kind == "int":\n        return (int(item.int) + (1 << 63)) % (1 << 64) - (1 << 63)',
    ),
    Mutant(
        "int64-numpy-opaque", "8.4.3",
        "NumPy integers rejected by int64_list",
        COL,
        '        if which == "int":\n            return int(item.numpy.int)',
        '        if which == "int" and target != "int64_list":\n'
        "            return int(item.numpy.int)",
    ),
    Mutant(
        "float-numpy-rejected", "8.4.4",
        "NumPy floats rejected by float_list",
        COL,
        '        if which == "float" and target == "float_list":',
        '        if which == "float" and target == "float":',
    ),
    Mutant(
        "float-bools-rejected", "8.4.4",
        "bools in a float_list fail (bool taken as not a number)",
        COL,
        '    if kind == "bool":\n        return item.bool',
        '    if kind == "bool":\n'
        '        return item.bool if target != "float_list" else '
        "_opaque_value(item.type_name, item.repr)",
    ),
    Mutant(
        "any-value-dropped", "8.4.5",
        "any_list items lose their value",
        COL,
        "        return any_pb2.Any(type_url=item.any.type_url, value=item.any.value)",
        "        return any_pb2.Any(type_url=item.any.type_url)",
    ),
    Mutant(
        "failure-entry-kept", "8.5",
        "a failed collection's partial entry kept",
        COL,
        "        if key in mgd.collection_def:\n            del mgd.collection_def[key]",
        "        if False:\n            del mgd.collection_def[key]",
    ),
    Mutant(
        "failure-warning-text", "8.5",
        "the conversion warning worded differently",
        COL,
        '    "CollectionDef. Note this is a warning and probably safe to ignore.\\n%s"',
        '    "CollectionDef. Note this is a warning and probably safe to ignore. %s"',
    ),
    Mutant(
        "protobuf-message-type-not-repr", "8.5.1",
        "protobuf's error quotes the item's type name where it quotes its repr",
        COL,
        "    def _repr(self: object) -> str:\n        return repr_text",
        "    def _repr(self: object) -> str:\n        return type_name",
    ),
    Mutant(
        "to-proto-str-keys-only", "8.6",
        "a bytes key never has a registered to_proto (TF looks it up by its text)",
        COL,
        '    registry_name = key if isinstance(key, str) else key.decode("utf-8")\n'
        "    proto_type = graph.environment.proto_function_keys.get(registry_name)",
        "    proto_type = graph.environment.proto_function_keys.get(key) if isinstance(key, str) "
        "else None",
    ),
    Mutant(
        "to-proto-none-appended", "8.6",
        "an item out of scope appended as an empty entry",
        COL,
        "            if proto is not None:\n                if expected is None",
        "            if proto is None:\n                col_def.bytes_list.value.append(b\"\")\n"
        "            else:\n                if expected is None",
    ),
    Mutant(
        "inner-serialization-text", "8.6.1",
        "items serialized without the deterministic flag, with unknown fields dropped",
        COL,
        "                if isinstance(proto, (CondContextDef, WhileContextDef)):\n"
        '                    rules.applied("0.4.1")',
        "                proto.DiscardUnknownFields()\n"
        "                if isinstance(proto, (CondContextDef, WhileContextDef)):\n"
        '                    rules.applied("0.4.1")',
        equivalent="the items are built by refimpl from the snapshot's fields: they have no "
        "unknown fields to drop",
    ),
    Mutant(
        "inner-serialization-packed", "8.6.1",
        "items' repeated numeric fields written unpacked",
        COL,
        "col_def.bytes_list.value.append(proto.SerializeToString(deterministic=True))",
        "col_def.bytes_list.value.append(__import__(\"mutation.wire_bugs\").wire_bugs"
        ".unpacked(proto))",
    ),
    Mutant(
        "variable-snapshot-not-stripped", "8.6.2",
        "VariableDef.snapshot_name not stripped of the scope",
        COL,
        "    d.snapshot_name = scope.strip_name(v.snapshot_name)",
        "    d.snapshot_name = v.snapshot_name",
    ),
    Mutant(
        "variable-trainable-default", "8.6.2",
        "VariableDef.trainable always true",
        COL,
        "    d.trainable = v.trainable",
        "    d.trainable = True",
    ),
    Mutant(
        "variable-initial-value-always", "8.6.2",
        "initial_value_name set even when the variable has none",
        COL,
        "    if v.has_initial_value:\n        d.initial_value_name",
        "    if True:\n        d.initial_value_name",
        equivalent="a variable without an initial value has an empty "
        "initial_value_name, and proto3 does not serialize an empty string",
    ),
    Mutant(
        "saver-any-name-in-scope", "8.6.3",
        "a saver kept if any of its three names is in scope",
        COL,
        "    if not all(scope.has_prefix(n) for n in names):",
        "    if not any(scope.has_prefix(n) for n in names):",
    ),
    Mutant(
        "saver-restore-not-stripped", "8.6.3",
        "restore_op_name not stripped",
        COL,
        "    saver_def.restore_op_name = scope.strip_name(saver_def.restore_op_name)",
        "    pass",
    ),
    Mutant(
        "queue-exceptions-dropped", "8.6.4",
        "queue_closed_exception_types dropped",
        COL,
        "        queue_closed_exception_types=list(q.queue_closed_exception_types),"
        "  # type: ignore[arg-type]",
        "",
    ),
    Mutant(
        "queue-enqueue-not-stripped", "8.6.4",
        "enqueue_op_name not stripped",
        COL,
        "        enqueue_op_name=[scope.strip_name(n) for n in q.enqueue_op_names],",
        "        enqueue_op_name=list(q.enqueue_op_names),",
    ),
    Mutant(
        "cond-pred-not-stripped", "8.6.5",
        "CondContextDef.pred_name not stripped",
        COL,
        "        pred_name=scope.strip_name(c.pred_name),",
        "        pred_name=c.pred_name,",
    ),
    Mutant(
        "context-kind-before-name", "8.6.5",
        "a context item's kind tested before its name",
        COL,
        "    name = item_name(item)\n    if name is None:\n"
        "        raise item_attribute_error(item, "
        '"name")\n    if isinstance(name, str) and not scope.to_proto_includes(name):\n'
        "        return None\n"
        "    if item.WhichOneof(\"kind\") != \"context\" or item.context.WhichOneof(\"kind\") != "
        "want:\n        raise item_attribute_error(item, want_attr)\n",
        "    if item.WhichOneof(\"kind\") != \"context\" or item.context.WhichOneof(\"kind\") != "
        "want:\n        raise item_attribute_error(item, want_attr)\n"
        "    name = item_name(item)\n    if name is None:\n"
        "        raise item_attribute_error(item, "
        '"name")\n    if isinstance(name, str) and not scope.to_proto_includes(name):\n'
        "        return None\n",
    ),
    Mutant(
        "while-parallel-default", "8.6.6",
        "WhileContextDef.parallel_iterations always 10",
        COL,
        "        parallel_iterations=w.parallel_iterations,",
        "        parallel_iterations=10,",
    ),
    Mutant(
        "while-exits-not-stripped", "8.6.6",
        "loop_exit_names not stripped",
        COL,
        "        loop_exit_names=[scope.strip_name(n) for n in w.loop_exit_names],",
        "        loop_exit_names=list(w.loop_exit_names),",
    ),
    Mutant(
        "external-keys-not-stripped", "8.6.7",
        "external_values keys not stripped",
        COL,
        "        d.external_values[scope.strip_name(pair.key)] = scope.strip_name(pair.value)",
        "        d.external_values[pair.key] = scope.strip_name(pair.value)",
    ),
    Mutant(
        "nested-contexts-dropped", "8.6.7",
        "nested contexts of a cond context not serialized",
        COL,
        "    d.values_def.MergeFrom(_values_def(c.values, scope))\n"
        "    for nested in c.nested_contexts:",
        "    d.values_def.MergeFrom(_values_def(c.values, scope))\n"
        "    for nested in c.nested_contexts[:0]:",
    ),
)
