"""Mutants of spec.md sections 5, 6 and 7: the op list, default attributes, savers."""

from __future__ import annotations

from mutation.model import Mutant

OPS = "refimpl/op_list.py"
DEFAULTS = "refimpl/default_attrs.py"
EQUALITY = "refimpl/attr_equality.py"
EXPORT = "refimpl/export.py"
SAVERS = "refimpl/savers.py"
NAMES = "refimpl/names.py"
COLLECTIONS = "refimpl/collections_def.py"
GD = "refimpl/graph_def.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "op-list-always-recomputed", "5.1",
        "the op list replaces a caller's non-empty stripped_op_list",
        EXPORT,
        "        if len(mgd.meta_info_def.stripped_op_list.op) == 0:\n"
        "            mgd.meta_info_def.stripped_op_list.MergeFrom(",
        "        if True:\n"
        "            mgd.meta_info_def.ClearField(\"stripped_op_list\")\n"
        "            mgd.meta_info_def.stripped_op_list.MergeFrom(",
    ),
    Mutant(
        "op-list-empty-not-present", "5.1",
        "an empty op list is not written (stripped_op_list { } missing)",
        EXPORT,
        "            mgd.meta_info_def.stripped_op_list.MergeFrom(\n"
        "                stripped_op_list(mgd.graph_def, lookup, node_ops, library[0] if library "
        "else None)\n            )",
        "            found = stripped_op_list(mgd.graph_def, lookup, node_ops, library[0] if "
        "library else None)\n"
        "            if found.op:\n"
        "                mgd.meta_info_def.stripped_op_list.MergeFrom(found)",
    ),
    Mutant(
        "op-list-bodies-not-walked", "5.2",
        "ops used only inside functions are missed (bodies never walked)",
        OPS,
        "    while pending:\n        i = pending.pop()",
        "    while pending[:0]:\n        i = pending.pop()",
    ),
    Mutant(
        "op-list-partitioned-call-only", "5.2",
        "only PartitionedCall (not StatefulPartitionedCall) followed into its function",
        OPS,
        'CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")',
        'CALL_OPS = ("PartitionedCall",)',
    ),
    Mutant(
        "op-list-functions-listed", "5.2",
        "function names listed as ops",
        OPS,
        "    return {op for op in used if op not in name_to_function}",
        "    return set(used)",
        equivalent="a function name is never an op of the registry or of the "
        "snapshot's op_defs (TF refuses such a function), so its lookup finds nothing and "
        "the list is the same",
    ),
    Mutant(
        "call-f-not-created", "5.3",
        "reading a missing attr f of a call op does not create it",
        OPS,
        '            mark(node.attr["f"].func.name)',
        '            mark(node.attr["f"].func.name if "f" in node.attr else "")',
    ),
    Mutant(
        "op-list-case-insensitive", "5.4",
        "stripped_op_list sorted case-insensitively",
        OPS,
        "    for name in sorted(used):",
        "    for name in sorted(used, key=str.lower):",
    ),
    Mutant(
        "op-registry-before-snapshot", "5.4",
        "op lookup prefers the bundled registry to the snapshot's op_defs",
        EXPORT,
        "        return graph.op_defs.get(name) or bundled.get(name)",
        "        return bundled.get(name) or graph.op_defs.get(name)",
        equivalent="the bundled registry is now the snapshot's release's (issue 10), and "
        "both it and the snapshot's op_defs are that release's TF_GetAllOpList with the "
        "documentation stripped: equal for every op both have. They differ only for a "
        "version without bundled data (a patch release standing in for another, or a "
        "release after 2.21), which no recorded case has. (It was caught by the 2.12.1 "
        "corpus while the bundled registry was 2.21's whatever the release.)",
    ),
    Mutant(
        "op-registry-of-2-21-only", "5.4",
        "ops the snapshot lacks looked up in TF 2.21's registry, whatever the release",
        EXPORT,
        "    bundled = load_bundled_op_registry(graph.environment.tensorflow_version)",
        "    bundled = load_bundled_op_registry()",
    ),
    Mutant(
        "op-list-from-snapshot", "5.5",
        "the op list read from the whole graph, not the exported GraphDef",
        EXPORT,
        "                stripped_op_list(mgd.graph_def, lookup, node_ops, library[0] if "
        "library else None)",
        "                stripped_op_list(default_graph_def(graph), lookup)",
    ),
    Mutant(
        "strip-bodies-skipped", "6.1",
        "function bodies not stripped",
        DEFAULTS,
        "        for node in function_def.node_def:\n"
        "            strip_node_default_attrs(node, function_names, lookup, cache)",
        "        for node in function_def.node_def:\n            pass",
    ),
    Mutant(
        "strip-function-calls-too", "6.2",
        "nodes calling a library function stripped too",
        DEFAULTS,
        "    if node_def.op in function_names:\n        return\n    if cache is None:",
        "    if cache is None:",
        equivalent="a node whose op is a library function finds no op in the "
        "registry (rule 6.2's second test), so it is skipped either way",
    ),
    Mutant(
        "strip-first-default-only", "6.2",
        "only the first default-valued attribute of a node deleted (deleting while iterating)",
        DEFAULTS,
        "    for name in defaults:\n        del attrs[name]",
        "    for name in defaults[:1]:\n        del attrs[name]",
    ),
    Mutant(
        "tensor-defaults-by-bytes", "6.3",
        "tensor-valued attr defaults compared by serialized bytes, not by value",
        EQUALITY,
        "        return _tensors_equal(a.tensor, b.tensor)",
        "        return _serialized(a.tensor) == _serialized(b.tensor)",
    ),
    Mutant(
        "attr-equal-by-message-equality", "6.3",
        "attr values compared with message equality (-0.0 == 0.0, NaN != NaN)",
        EQUALITY,
        "    return _serialized(a) == _serialized(b)\n\n\ndef _funcs_equal",
        "    return a == b\n\n\ndef _funcs_equal",
        equivalent="protobuf's message equality (upb, every runtime of rule 0.3.1) "
        "compares the serialized fields: -0.0 differs from 0.0 and NaN equals NaN there too",
    ),
    Mutant(
        "type-attrs-always-default", "6.3",
        "a type attr equal to any type default (the type compared by kind only)",
        EQUALITY,
        "    if a.type != b.type:\n        return False\n    if a.type != 0:",
        "    if (a.type != 0) != (b.type != 0):\n        return False\n    if a.type != 0:",
    ),
    Mutant(
        "strip-flag-not-set", "6.4",
        "stripped_default_attrs flag not set",
        EXPORT,
        "            mgd.meta_info_def.stripped_default_attrs = True",
        "            pass",
    ),
    Mutant(
        "saver-ops-v1-only", "7.1",
        "only the V1 save and restore ops known (SaveV2, RestoreV2 missed)",
        SAVERS,
        "    saver_nodes = {name for name, op in nodes.items() if op in SAVE_AND_RESTORE_OPS}",
        "    saver_nodes = {\n"
        "        name for name, op in nodes.items()\n"
        '        if op in SAVE_AND_RESTORE_OPS and op[-2:] != "V2"\n'
        "    }",
    ),
    Mutant(
        "saver-retain-without-slash", "7.1",
        "the saver's scopes retained without their '/'",
        SAVERS,
        'retain = {get_scope(restore_op) + "/", get_scope(save_op) + "/"}',
        "retain = {get_scope(restore_op), get_scope(save_op)}",
    ),
    Mutant(
        "get-scope-first-component", "7.2",
        "get_scope takes the first path component, not all but the last",
        NAMES,
        '        return node_name.rsplit("/", 1)[0]',
        '        return node_name.split("/", 1)[0]',
    ),
    Mutant(
        "get-op-name-many-colons", "7.2",
        "get_op_name accepts names with several ':'",
        NAMES,
        "        if len(parts) != 2:\n            raise ValueError",
        "        if len(parts) < 2:\n            raise ValueError",
    ),
    Mutant(
        "get-op-name-empty-message", "7.2",
        "empty tensor name message without the received value",
        NAMES,
        'raise ValueError(f"Tensor name cannot be empty or None. Received: {tensor_name}.")',
        'raise ValueError("Tensor name cannot be empty or None.")',
    ),
    Mutant(
        "excluded-items-kept", "7.3",
        "collection items of excluded nodes kept",
        COLLECTIONS,
        "        if isinstance(name, str) and name in exclude:\n            return False",
        "        if False:\n            return False",
    ),
    Mutant(
        "excluded-nodes-kept", "7.3",
        "excluded nodes kept in the rebuilt GraphDef",
        GD,
        "        if name in exclude:\n            return False\n    return scope.keeps(name)",
        "        pass\n    return scope.keeps(name)",
    ),
    Mutant(
        "saver-def-check-order", "7.4",
        "restore_op_name checked before save_tensor_name",
        SAVERS,
        "    elif not saver_def.save_tensor_name:\n"
        '        raise ValueError(f"saver_def must specify the save_tensor_name: {saver_def}")\n'
        "    elif not saver_def.restore_op_name:\n"
        '        raise ValueError(f"saver_def must specify the restore_op_name: {saver_def}")\n',
        "    elif not saver_def.restore_op_name:\n"
        '        raise ValueError(f"saver_def must specify the restore_op_name: {saver_def}")\n'
        "    elif not saver_def.save_tensor_name:\n"
        '        raise ValueError(f"saver_def must specify the save_tensor_name: {saver_def}")\n',
        equivalent="under clear_extraneous_savers rule 7.2 runs get_op_name on both "
        "names first and rejects an empty one, so these checks never see an empty name",
    ),
    Mutant(
        "savers-override-ignored", "7.4",
        "the savers collection keeps the graph's savers under clear_extraneous_savers",
        COLLECTIONS,
        "        if clear_extraneous_savers and key == SAVERS:",
        "        if False:",
    ),
    Mutant(
        "new-saver-max-to-keep", "7.5",
        "the new default Saver keeps 10 checkpoints",
        SAVERS,
        "        max_to_keep=5,",
        "        max_to_keep=10,",
    ),
    Mutant(
        "new-saver-v1", "7.5",
        "the new default Saver is a V1 saver",
        SAVERS,
        "        version=SaverDef.V2,",
        "        version=SaverDef.V1,",
    ),
    Mutant(
        "new-saver-name-case-sensitive", "7.5",
        "unique_name counts names case-sensitively",
        SAVERS,
        "    name_key = name.lower()",
        "    name_key = name",
        equivalent="the only name unique_name is given is 'save', already lower "
        "case",
    ),
    Mutant(
        "new-saver-names-counter-ignored", "7.5",
        "the new Saver is always named 'save'",
        SAVERS,
        '    scope = unique_name(names_in_use, "save")',
        '    scope = "save"',
    ),
    Mutant(
        "new-saver-no-variables-message", "7.5",
        "'No variables to save' worded differently",
        SAVERS,
        'raise ValueError("No variables to save")',
        'raise ValueError("No variables to save.")',
    ),
)
