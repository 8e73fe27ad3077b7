"""Mutants of spec.md section 4: the GraphDef on each path."""

from __future__ import annotations

from mutation.model import Mutant

GD = "refimpl/graph_def.py"
SCOPE = "refimpl/scope.py"
EXPORT = "refimpl/export.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "default-nodes-by-name", "4.1.1",
        "default path: nodes sorted by their serialization (name order), not creation order",
        GD,
        "    return wire.join_rows(lengths, nodes, attrs), others, canonical",
        "    rows = sorted(zip(lengths, nodes, attrs, strict=True), key=lambda r: r[1])\n"
        "    return b\"\".join(map(b\"\".join, rows)), others, canonical",
    ),
    Mutant(
        "default-python-node-defs", "4.1.2",
        "default path: each op's stored NodeDef (inputs as stored) instead of the C++ one",
        GD,
        "    index = graph.wire_index()\n"
        "    if index is not None and not index.cpp_has_output_shapes:",
        "    index = graph.wire_index()\n"
        "    if True:\n"
        "        gd = GraphDef()\n"
        "        gd.CopyFrom(graph.cpp_graph_def)\n"
        "        del gd.node[:]\n"
        "        gd.node.extend(op.node_def for op in graph.operations)\n"
        "        for node in gd.node:\n"
        "            shapes = graph.operations_by_name[node.name].output_shapes\n"
        "            if shapes:\n"
        "                node.attr[\"_output_shapes\"].list.shape.extend(shapes)\n"
        "        _annotate_library(gd, graph)\n"
        "        if into is None:\n"
        "            return gd\n"
        "        into.MergeFrom(gd)\n"
        "        return into\n"
        "    if index is not None and not index.cpp_has_output_shapes:",
    ),
    Mutant(
        "default-devices-dropped", "4.1.3",
        "default path: node devices not copied",
        GD,
        "        target.MergeFromString(nodes + others)\n",
        "        target.MergeFromString(nodes + others)\n"
        "        for node in target.node:\n"
        '            node.device = ""\n',
    ),
    Mutant(
        "default-library-sorted", "4.1.4",
        "default path: library functions sorted by name, not in the C++ map's order",
        GD,
        "        rest.ParseFromString(others)\n",
        "        rest.ParseFromString(others)\n"
        "        rest.library.function.sort(key=lambda f: f.signature.name)\n",
    ),
    Mutant(
        "default-library-empty-kept", "4.1.4",
        "default path: an empty library { } written for a graph without functions",
        GD,
        "    if not gd.library.function:\n        gd.ClearField(\"library\")",
        "    if not gd.library.function:\n        gd.library.SetInParent()",
    ),
    Mutant(
        "default-min-consumer-dropped", "4.1.5",
        "default path: versions carry the producer only",
        GD,
        "        rest.ParseFromString(others)\n",
        "        rest.ParseFromString(others)\n"
        '        rest.versions.ClearField("min_consumer")\n',
    ),
    Mutant(
        "shapes-not-on-single-output", "4.1.6",
        "_output_shapes only on nodes with several outputs",
        GD,
        "        if not shapes:\n            return b\"\"",
        "        if len(shapes) < 2:\n            return b\"\"",
    ),
    Mutant(
        "shapes-reversed", "4.1.6",
        "_output_shapes listed last output first",
        GD,
        'shape_list = b"".join(b"\\x3a" + wire.varint(len(s)) + s for s in shapes)',
        'shape_list = b"".join(b"\\x3a" + wire.varint(len(s)) + s for s in reversed(shapes))',
    ),
    Mutant(
        "function-call-shapes-untruncated", "4.1.7",
        "StatefulPartitionedCall body shapes not cut to the length of Tout",
        GD,
        '            shapes = shapes[: len(node.attr["Tout"].list.type)]',
        "            shapes = shapes",
        equivalent="found, not proven: in every graph we built (nested tf.function calls, "
        "stateful or not, gradients taken inside a tf.function) a body call op has exactly "
        "len(Tout) outputs, so the cut never shortens (rule 4.1.7 is OPTIONAL behaviour)",
    ),
    Mutant(
        "function-input-shapes-skipped", "4.1.7",
        "_input_shapes not added to functions",
        GD,
        "    if not input_shapes.list.shape:\n        for tensor, arg_def",
        "    if False:\n        for tensor, arg_def",
    ),
    Mutant(
        "body-devices-cleared", "4.1.8",
        "rebuild-from-graph: function body devices cleared",
        GD,
        "        gd.library.MergeFromString(wire.frame(merged))  # FunctionDefLibrary"
        ".function = 1\n",
        "        gd.library.MergeFromString(wire.frame(merged))  # FunctionDefLibrary"
        ".function = 1\n"
        "    for function_def in gd.library.function:\n"
        "        for body_node in function_def.node_def:\n"
        '            body_node.device = ""\n',
    ),
    Mutant(
        "default-size-check", "4.1.9",
        "default path checks the 2 GB limit itself, with rebuild's ValueError",
        GD,
        "    index = graph.wire_index()\n"
        "    if index is not None and not index.cpp_has_output_shapes:",
        "    index = graph.wire_index()\n"
        "    if graph.cpp_graph_def.ByteSize() >= TWO_GB:\n"
        '        raise ValueError("GraphDef cannot be larger than 2GB.")\n'
        "    if index is not None and not index.cpp_has_output_shapes:",
        equivalent="differs only for a graph over 2 GB, which no corpus case can hold",
    ),
    Mutant(
        "unbound-prefix-not-kept", "4.2.1",
        "nodes named $unbound_inputs_... dropped outside the scope",
        SCOPE,
        "        return name.startswith(UNBOUND_INPUT_PREFIX) or self.includes(name)",
        "        return self.includes(name)",
    ),
    Mutant(
        "inclusion-scope-slash", "4.2.1",
        "inclusion tests the scope followed by '/', not the raw prefix",
        SCOPE,
        "        return not self.value or name.startswith(self._raw)\n",
        "        return not self.value or name.startswith(self._raw.rstrip(\"/\") + \"/\")\n",
    ),
    Mutant(
        "strip-scope-escaped", "4.2.2",
        "the scope escaped in strip_name's pattern (a literal, not a regex)",
        SCOPE,
        'pattern = r"([\\^]|loc:@|^)" + export_scope + r"[\\/]+(.*)"',
        'pattern = r"([\\^]|loc:@|^)" + re.escape(export_scope) + r"[\\/]+(.*)"',
    ),
    Mutant(
        "strip-every-trailing-slash", "4.2.2",
        "every trailing '/' removed from the scope, not one",
        SCOPE,
        "        if export_scope[-1] == \"/\":\n            export_scope = export_scope[:-1]\n"
        "        pattern",
        "        export_scope = export_scope.rstrip(\"/\")\n        pattern",
        equivalent="under scope 's//' every name that reaches strip_name starts with "
        "'s//' (the inclusion tests are raw prefixes) and both patterns strip the same "
        "slashes from it; the one unchecked use, a context's values, needs a context named "
        "'s//...', which TF cannot build",
    ),
    Mutant(
        "strip-all-matches", "4.2.2",
        "strip_name replaces every match, not the first",
        SCOPE,
        'return re.sub(pattern, r"\\1\\2", name, count=1)',
        'return re.sub(pattern, r"\\1\\2", name)',
        equivalent="the pattern ends in (.*), which takes the rest of the name: it can "
        "match once only",
    ),
    Mutant(
        "unbound-caret-lost", "4.2.3",
        "unbound control inputs lose their '^'",
        GD,
        'renamed = re.sub(r"([\\^]|^)(.*)", r"\\1" + UNBOUND_INPUT_PREFIX + r"\\2", v)',
        'renamed = UNBOUND_INPUT_PREFIX + v.lstrip("^")',
    ),
    Mutant(
        "control-inputs-tested-with-caret", "4.2.3",
        "a control input tested against the scope with its '^'",
        GD,
        "        if not scope.includes(v.lstrip(\"^\")):",
        "        if not scope.includes(v):",
    ),
    Mutant(
        "unbound-inputs-deduplicated", "4.2.3",
        "each unbound input recorded once",
        GD,
        "            unbound_inputs.append(renamed)",
        "            if renamed not in unbound_inputs:\n"
        "                unbound_inputs.append(renamed)",
    ),
    Mutant(
        "name-plain-prefix-strip", "4.2.4",
        "node names stripped by removing the scope string, not by strip_name",
        GD,
        "    node_def.name = scope.strip_name(from_node_def.name)",
        "    node_def.name = (\n"
        "        from_node_def.name[len(str(scope.value)):].lstrip(\"/\")\n"
        "        if scope.given and from_node_def.name.startswith(str(scope.value))\n"
        "        else from_node_def.name\n    )",
    ),
    Mutant(
        "class-entries-unfiltered", "4.2.5",
        "_class entries outside the scope kept",
        GD,
        "        if not scope.given or scope.has_prefix(_class_location(s))\n",
        "",
    ),
    Mutant(
        "frame-name-error-type", "4.2.6",
        "a frame_name outside the scope raises ValueError",
        GD,
        "        raise UnboundLocalError(\n",
        "        raise ValueError(\n",
    ),
    Mutant(
        "internal-attrs-dropped", "4.2.7",
        "rebuilt nodes lose their other internal '_' attributes",
        GD,
        '    rules.applied("4.2.7")  # the other attributes stay as copied\n',
        '    rules.applied("4.2.7")\n'
        '    for k in [k for k in node_def.attr if k.startswith("_") and k != "_class"]:\n'
        "        del node_def.attr[k]\n",
    ),
    Mutant(
        "clear-devices-clearfield", "4.2.8",
        "device cleared with ClearField instead of set to ''",
        GD,
        '        node_def.device = ""\n    return node_def',
        '        node_def.ClearField("device")\n    return node_def',
        equivalent="proto3: an empty string and a cleared field are the same message",
    ),
    Mutant(
        "clear-devices-only-with-scope", "4.2.8",
        "clear_devices honoured only with an export scope",
        GD,
        "    if clear_devices:\n        rules.applied(\"4.2.8\")",
        "    if clear_devices and scope.given:\n        rules.applied(\"4.2.8\")",
    ),
    Mutant(
        "rebuild-versions-producer-only", "4.3.1",
        "rebuild-from-graph copies the producer only",
        GD,
        "    gd.versions.CopyFrom(graph.versions)\n    unbound: list[str] = []\n    bulk = None",
        "    gd.versions.producer = graph.versions.producer\n"
        "    unbound: list[str] = []\n    bulk = None",
    ),
    Mutant(
        "rebuild-no-output-shapes", "4.3.2",
        "rebuild-from-graph: no _output_shapes",
        GD,
        "    attrs = list(compress(_shape_attrs(index), keep))",
        "    attrs = [b\"\" for _ in node_defs]",
    ),
    Mutant(
        "rebuild-size-check-off-by-one", "4.3.3",
        "the 2 GB size check uses '>' instead of '>='",
        GD,
        "        if bytesize >= TWO_GB:\n            raise ValueError(f\"GraphDef",
        "        if bytesize > TWO_GB:\n            raise ValueError(f\"GraphDef",
        equivalent="differs only for a graph of exactly 2 GB, which no corpus case can hold",
    ),
    Mutant(
        "rebuild-library-sorted", "4.3.4",
        "rebuild-from-graph: functions sorted by name, not in Python definition order",
        GD,
        "    for fn in functions:\n        rules.applied(\"4.3.4\")",
        "    for fn in sorted(functions, key=lambda f: f.name):\n        rules.applied(\"4.3.4\")",
    ),
    Mutant(
        "rebuild-gradients-dropped", "4.3.4",
        "rebuild-from-graph: gradient definitions not copied",
        GD,
        "        if fn.grad_func_name:\n",
        "        if False:\n",
    ),
    Mutant(
        "given-library-only-if-set", "4.4.1",
        "rebuild-from-graph_def: an empty library not copied (library { } missing)",
        GD,
        "    gd.library.CopyFrom(given.library)",
        "    if given.library.ByteSize():\n        gd.library.CopyFrom(given.library)",
    ),
    Mutant(
        "given-versions-message", "4.4.1",
        "a graph_def without versions fails with a TypeError",
        GD,
        "        raise AttributeError(f\"'{type(graph_def).__name__}' object has no attribute "
        "'versions'\")",
        "        raise TypeError(f\"'{type(graph_def).__name__}' object has no attribute "
        "'versions'\")",
    ),
    Mutant(
        "given-savers-not-excluded", "4.4.2",
        "rebuild-from-graph_def: the nodes of extraneous savers kept",
        GD,
        "        if _included(n.name, scope, exclude)\n",
        "        if _included(n.name, scope, None)\n",
    ),
    Mutant(
        "verbatim-library-dropped", "4.5.1",
        "verbatim path: the given GraphDef's library dropped",
        EXPORT,
        "            mgd.graph_def.MergeFrom(cast(GraphDef, graph_def))\n",
        "            mgd.graph_def.MergeFrom(cast(GraphDef, graph_def))\n"
        '            mgd.graph_def.ClearField("library")\n',
    ),
    Mutant(
        "verbatim-devices-cleared", "4.5.1",
        "verbatim path: node devices cleared (transformations applied to a given GraphDef)",
        EXPORT,
        "            mgd.graph_def.MergeFrom(cast(GraphDef, graph_def))\n",
        "            mgd.graph_def.MergeFrom(cast(GraphDef, graph_def))\n"
        "            for node in mgd.graph_def.node:\n"
        '                node.device = ""\n',
    ),
)
