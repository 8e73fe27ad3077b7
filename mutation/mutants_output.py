"""Mutants of spec.md sections 9 and 10: assembly, binary and text output, files, debug info."""

from __future__ import annotations

from mutation.model import Mutant

EXPORT = "refimpl/export.py"
OUT = "refimpl/output.py"
TEXT = "refimpl/text_output.py"
DEBUG = "refimpl/debug_info.py"
SNAPSHOT = "refimpl/snapshot.py"
_SERIALIZE = "    return message.SerializeToString(deterministic=True)\n\n\ndef debug_filename"
_BUG = '    return __import__("mutation.wire_bugs").wire_bugs.{}(message)\n\n\ndef debug_filename'

MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "git-version-not-stamped",
        "9.1.1",
        "tensorflow_git_version not stamped",
        EXPORT,
        "        info.tensorflow_git_version = graph.environment.tensorflow_git_version\n",
        "",
    ),
    Mutant(
        "caller-sees-unstamped",
        "9.1.2",
        "the caller's meta_info_def is left as it was (not stamped)",
        EXPORT,
        "            self.stamped.CopyFrom(info)",
        "            self.stamped.CopyFrom(cast(MetaInfoDef, meta_info_def))",
    ),
    Mutant(
        "caller-flag-recomputed",
        "9.1.3",
        "the caller's stripped_default_attrs flag dropped (recomputed from the argument)",
        EXPORT,
        "            info.CopyFrom(cast(MetaInfoDef, meta_info_def))\n",
        "            info.CopyFrom(cast(MetaInfoDef, meta_info_def))\n"
        '            info.ClearField("stripped_default_attrs")\n',
    ),
    Mutant(
        "caller-tags-sorted",
        "9.1.3",
        "the caller's tags sorted",
        EXPORT,
        '        rules.applied("9.1.3")\n        self.mgd.meta_info_def.MergeFrom(info)',
        '        rules.applied("9.1.3")\n        tags = sorted(info.tags)\n'
        "        del info.tags[:]\n        info.tags.extend(tags)\n"
        "        self.mgd.meta_info_def.MergeFrom(info)",
    ),
    Mutant(
        "empty-saver-def-dropped",
        "9.2",
        "an empty SaverDef is not merged (saver_def { } missing)",
        EXPORT,
        "        if saver_def:\n            mgd.saver_def.MergeFrom",
        "        if saver_def and cast(SaverDef, saver_def).ByteSize():\n"
        "            mgd.saver_def.MergeFrom",
    ),
    Mutant(
        "op-list-after-stripping",
        "9.3",
        "default attributes stripped before the op list is computed",
        EXPORT,
        '        lookup = _op_lookup(graph)\n        rules.applied("5.1")\n',
        "        lookup = _op_lookup(graph)\n"
        "        if strip_default_attrs:\n"
        "            strip_graph_default_attrs(mgd.graph_def, lookup)\n"
        '        rules.applied("5.1")\n',
        equivalent="stripping removes attributes with their registered default only; the op "
        "list reads node ops and the attr f of call ops, which has no default, so the two "
        "steps commute",
    ),
    Mutant(
        "binary-map-order-ascending",
        "10.1.3",
        "map entries in plain ascending key order (not upb's deterministic order)",
        OUT,
        _SERIALIZE,
        _BUG.format("ascending_maps"),
    ),
    Mutant(
        "binary-map-nondeterministic",
        "10.1.3",
        "the binary file written with the non-deterministic serializer",
        OUT,
        _SERIALIZE,
        "    return message.SerializeToString()\n\n\ndef debug_filename",
    ),
    Mutant(
        "binary-map-entries-bare",
        "10.1.3",
        "map entries without their default-valued key or value",
        OUT,
        _SERIALIZE,
        _BUG.format("bare_map_entries"),
    ),
    Mutant(
        "binary-unpacked",
        "10.1.2",
        "repeated scalar fields written unpacked",
        OUT,
        _SERIALIZE,
        _BUG.format("unpacked"),
    ),
    Mutant(
        "binary-empty-submessages-dropped",
        "10.1.2",
        "present but empty sub-messages not written",
        OUT,
        _SERIALIZE,
        "    from google.protobuf import message as _m\n"
        "    copy = type(message)()\n"
        "    copy.CopyFrom(message)\n"
        "    if hasattr(copy, 'meta_info_def') and not copy.meta_info_def.stripped_op_list.op:\n"
        "        copy.meta_info_def.ClearField('stripped_op_list')\n"
        "    if hasattr(copy, 'graph_def') and not copy.graph_def.library.ByteSize():\n"
        "        copy.graph_def.ClearField('library')\n"
        "    return copy.SerializeToString(deterministic=True)\n\n\ndef debug_filename",
    ),
    Mutant(
        "binary-float-bits",
        "10.1.1",
        "a port writes NaN payloads canonicalized (float attrs through Python floats)",
        OUT,
        _SERIALIZE,
        "    data = message.SerializeToString(deterministic=True)\n"
        "    return data.replace(b'\\x00\\x00\\xc0\\xff', b'\\x00\\x00\\xc0\\x7f')"
        "\n\n\ndef debug_filename",
    ),
    Mutant(
        "text-indent-four",
        "10.2.1",
        "text nesting indented by four spaces",
        TEXT,
        '            _print_message(value, indent + "  ", out, pool, style)\n'
        "            out.append(indent "
        '+ "}\\n")',
        '            _print_message(value, indent + "    ", out, pool, style)\n'
        '            out.append(indent + "}\\n")',
    ),
    Mutant(
        "text-map-insertion-order",
        "10.2.1",
        "text map entries (message values) in insertion order, not sorted by key",
        TEXT,
        '            inner = indent + "  "\n            for key in sorted(mapping):\n'
        "                out.append(indent + opening)\n                if key_always or key:\n"
        '                    out.append(f"{inner}key: {key_text(key)}\\n")\n'
        '                out.append(inner + "value {\\n")',
        '            inner = indent + "  "\n            for key in mapping:\n'
        "                out.append(indent + opening)\n                if key_always or key:\n"
        '                    out.append(f"{inner}key: {key_text(key)}\\n")\n'
        '                out.append(inner + "value {\\n")',
    ),
    Mutant(
        "text-enum-numbers",
        "10.2.2",
        "enums printed as numbers",
        TEXT,
        "            return names.get(value) or str(value)",
        "            return str(value)",
    ),
    Mutant(
        "text-bool-python",
        "10.2.2",
        "bools printed as True/False",
        TEXT,
        '    return "true" if value else "false"',
        "    return str(value)",
    ),
    Mutant(
        "text-float-as-double",
        "10.2.3",
        "float fields printed as doubles (0.10000000149011612)",
        TEXT,
        "    return str(type_checkers.ToShortestFloat(value))",
        "    return repr(value)",
    ),
    Mutant(
        "text-float-g-format",
        "10.2.3",
        "float fields printed with %g (six digits)",
        TEXT,
        "    return str(type_checkers.ToShortestFloat(value))",
        '    return "%g" % value',
    ),
    Mutant(
        "text-double-as-float",
        "10.2.4",
        "double fields printed with %g (six significant digits)",
        TEXT,
        "    return str\n\n\ndef _bytes_text",
        "    if cpp_type == _F.CPPTYPE_DOUBLE:\n"
        '        return lambda value: "%g" % value\n'
        "    return str\n\n\ndef _bytes_text",
    ),
    Mutant(
        "text-non-ascii-escaped",
        "10.2.5",
        "non-ASCII characters of string fields escaped as octal bytes",
        TEXT,
        "    return '\"' + value.translate(_STR_ESCAPES) + '\"'",
        '    return _bytes_text(value.encode("utf-8"))',
    ),
    Mutant(
        "text-single-quote-raw",
        "10.2.5",
        "a single quote in a string field not escaped",
        TEXT,
        "    return '\"' + value.translate(_STR_ESCAPES) + '\"'",
        "    return '\"' + value.translate({**_STR_ESCAPES, 39: \"'\"}) + '\"'",
    ),
    Mutant(
        "text-bytes-utf8-raw",
        "10.2.6",
        "bytes fields print valid UTF-8 raw, not as octal escapes",
        TEXT,
        "    return '\"' + value.decode(\"latin-1\").translate(_BYTE_ESCAPES) + '\"'",
        '    try:\n        return _str_text(value.decode("utf-8"))\n'
        "    except UnicodeDecodeError:\n"
        "        return '\"' + value.decode(\"latin-1\").translate(_BYTE_ESCAPES) + '\"'",
    ),
    Mutant(
        "text-bytes-hex-escapes",
        "10.2.6",
        "bytes >= 0x80 escaped as \\xNN instead of octal",
        TEXT,
        "_BYTE_ESCAPES: dict[int, str] = {i: _ESCAPES._byte_escapes[i] for i in range(256)}",
        "_BYTE_ESCAPES: dict[int, str] = {\n"
        '    i: _ESCAPES._byte_escapes[i] if i < 128 else f"\\\\x{i:02x}" for i in range(256)\n}',
    ),
    Mutant(
        "text-any-not-expanded",
        "10.2.7",
        "Any values printed unexpanded (no descriptor pool)",
        TEXT,
        "    writer = text_format.TextWriter(True)\n"
        "    printer = text_format._Printer(writer, indent=len(indent), descriptor_pool=pool)"
        "  # noqa: SLF001\n    printer.PrintMessage(message)",
        "    writer = text_format.TextWriter(True)\n"
        "    printer = text_format._Printer(writer, indent=len(indent), descriptor_pool=None)\n"
        "    printer.PrintMessage(message)",
    ),
    Mutant(
        "text-any-types-of-2-21-only",
        "10.2.7",
        "Any values expanded by TF 2.21's loaded types, whatever the release",
        OUT,
        "            text = message_to_string(message, tf_text_pool(pool_release), style)",
        "            text = message_to_string(message, tf_text_pool(), style)",
    ),
    Mutant(
        "filename-str-coerced",
        "10.3.1",
        "the file name taken with str(), so bytes names are written",
        OUT,
        "    path = os.fspath(filename)  # type: ignore[call-overload]",
        "    path = os.fsdecode(filename)  # type: ignore[call-overload]",
    ),
    Mutant(
        "dirs-gs-not-special",
        "10.3.2",
        "directories created even for gs: paths",
        OUT,
        '    if logdir and not logdir.startswith("gs:"):',
        "    if logdir:",
    ),
    Mutant(
        "dirs-blocker-message",
        "10.3.2",
        "the not-a-directory error names the whole directory, not the blocking file",
        OUT,
        'raise FailedPreconditionError(f"{remaining} is not a directory")',
        'raise FailedPreconditionError(f"{logdir} is not a directory")',
    ),
    Mutant(
        "mkdir-oserror",
        "10.3.2",
        "a failing mkdir raises Python's OSError, not TF's error for its errno",
        OUT,
        "            raise io_error(built, e) from None",
        "            raise",
    ),
    Mutant(
        "dangling-link-not-directory",
        "10.3.2",
        "a dangling link as a parent is 'not a directory' (it does not exist for TF)",
        OUT,
        "        except FileExistsError:\n            continue",
        "        except FileExistsError:\n"
        '            raise FailedPreconditionError(f"{built} is not a directory") from None',
    ),
    Mutant(
        "dirs-error-type",
        "10.3.2",
        "a file in the way raises NotADirectoryError, not FailedPreconditionError",
        OUT,
        'raise FailedPreconditionError(f"{remaining} is not a directory")',
        'raise NotADirectoryError(f"{remaining} is not a directory")',
    ),
    Mutant(
        "write-target-directory-message",
        "10.3.3",
        "a failing rename reported with the target, not the temp file",
        OUT,
        "        os.unlink(tmp)\n        raise io_error(tmp, e) from None",
        "        os.unlink(tmp)\n        raise io_error(path, e) from None",
    ),
    Mutant(
        "write-in-place-untruncated",
        "10.3.3",
        "the file written in place, without truncation",
        OUT,
        '        with open(tmp, "wb") as f:\n            f.write(write.content)',
        "        fd = os.open(path, os.O_WRONLY | os.O_CREAT)\n"
        "        os.write(fd, write.content)\n        os.close(fd)\n        return",
    ),
    Mutant(
        "write-through-symlink",
        "10.3.3",
        "written through a symlink at the target instead of replacing it",
        OUT,
        '        with open(tmp, "wb") as f:\n            f.write(write.content)',
        '        with open(path, "wb") as f:\n            f.write(write.content)\n        return',
    ),
    Mutant(
        "write-existing-file-kept",
        "10.3.3",
        "an existing file is not replaced (written only if absent)",
        OUT,
        "    try:\n        os.replace(tmp, path)",
        "    try:\n        if os.path.exists(path):\n            os.unlink(tmp)\n"
        "            return\n"
        "        os.replace(tmp, path)",
    ),
    Mutant(
        "debug-before-meta",
        "10.3.4",
        "the debug file built before the meta file is written",
        EXPORT,
        "        self.files.append(FileWrite(path, serialize(self.mgd, as_text, runtime, "
        "release)))\n"
        "        if save_debug_info:\n",
        "        meta = FileWrite(path, serialize(self.mgd, as_text, runtime, release))\n"
        "        if save_debug_info:\n"
        "            _debug_ops(graph, self.mgd, scope)\n"
        "        self.files.append(meta)\n"
        "        if save_debug_info:\n",
    ),
    Mutant(
        "debug-name-full",
        "10.3.5",
        "debug file named after the full file name",
        OUT,
        'return os.path.splitext(filename)[0] + ".debug"',
        'return filename + ".debug"',
    ),
    Mutant(
        "debug-name-first-dot",
        "10.3.5",
        "debug file name cut at the first dot",
        OUT,
        'return os.path.splitext(filename)[0] + ".debug"',
        'return filename.split(".")[0] + ".debug" if "." in os.path.basename(filename) '
        'else filename + ".debug"',
    ),
    Mutant(
        "debug-ops-sorted",
        "10.4.1",
        "debug ops taken in name order, not node order",
        EXPORT,
        "    for node in mgd.graph_def.node:\n        name = scope.prepend_name(node.name)",
        "    for node in sorted(mgd.graph_def.node, key=lambda n: n.name):\n"
        "        name = scope.prepend_name(node.name)",
    ),
    Mutant(
        "debug-ops-missing-message",
        "10.4.1",
        "a node missing from the graph reported with another message",
        EXPORT,
        'raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")',
        "raise KeyError(name)",
    ),
    Mutant(
        "framework-external-ignored",
        "10.4.2",
        "external_filename_patterns not consulted",
        SNAPSHOT,
        "        if any(p.search(filename) for p in self._external_res):\n"
        "            return False\n",
        "",
    ),
    Mutant(
        "framework-match-not-search",
        "10.4.2",
        "framework patterns anchored at the start (re.match, not re.search)",
        SNAPSHOT,
        "        if any(p.search(filename) for p in self._framework_res):",
        "        if any(p.match(filename) for p in self._framework_res):",
    ),
    Mutant(
        "defining-frame-outermost",
        "10.4.3",
        "the defining frame searched from the outermost frame",
        DEBUG,
        "    for index in range(len(traceback) - 1, -1, -1):",
        "    for index in range(len(traceback)):",
    ),
    Mutant(
        "defining-frame-fallback-last",
        "10.4.3",
        "with every frame framework, the innermost frame defines",
        DEBUG,
        "            return index\n    return 0",
        "            return index\n    return max(len(traceback) - 1, 0)",
    ),
    Mutant(
        "frames-one-inner",
        "10.4.4",
        "one frame kept inside the defining frame, not two",
        DEBUG,
        "_INNER_CONTEXT = 2",
        "_INNER_CONTEXT = 1",
    ),
    Mutant(
        "frames-limit-off-by-one",
        "10.4.4",
        "eleven frames kept",
        DEBUG,
        "    start = max(end - limit, 0)",
        "    start = max(end - limit - 1, 0)",
    ),
    Mutant(
        "trace-key-stripped-name",
        "10.4.5",
        "trace keys use the exported (stripped) name",
        EXPORT,
        '        out.append(("", name, traceback))',
        '        out.append(("", node.name, traceback))',
    ),
    Mutant(
        "trace-key-no-at",
        "10.4.5",
        "trace keys without the '@'",
        DEBUG,
        '    return f"{op_name}@{func_name}"',
        '    return f"{op_name}{func_name}"',
    ),
    Mutant(
        "traces-not-shared",
        "10.4.6",
        "each op gets its own trace, even with the same frames",
        DEBUG,
        "        trace_id = trace_ids.get(frames)\n",
        "        trace_id = None\n",
    ),
    Mutant(
        "frames-by-location",
        "10.4.7",
        "frames identified by file and line only",
        DEBUG,
        "                frame_id = frame_ids.get(frame)\n",
        "                frame_id = next((i for f, i in frame_ids.items() if (f.filename, f.lineno)"
        " == (frame.filename, frame.lineno)), None)\n",
    ),
    Mutant(
        "files-not-deduplicated",
        "10.4.8",
        "a file name appended for every new frame",
        DEBUG,
        "                    file_id = file_ids.get(frame.filename)\n",
        "                    file_id = None\n",
    ),
    Mutant(
        "empty-func-not-set",
        "10.4.9",
        "an empty function name not set (absent instead of present)",
        DEBUG,
        "                    file_line_col.func = frame.name",
        "                    if frame.name:\n"
        "                        file_line_col.func = frame.name",
    ),
    Mutant(
        "zero-line-not-set",
        "10.4.9",
        "line 0 not set",
        DEBUG,
        "                    file_line_col.line = frame.lineno",
        "                    if frame.lineno:\n"
        "                        file_line_col.line = frame.lineno",
    ),
    Mutant(
        "ops-without-traceback-listed",
        "10.4.10",
        "ops without a traceback get an empty trace",
        DEBUG,
        "        if traceback is None:\n            continue",
        "        if traceback is None:\n            traceback = ()",
    ),
    Mutant(
        "set-ordered-files-first-appearance",
        "10.4.12",
        "TF 2.12/2.13 debug files listed in order of first appearance, not the set's order",
        DEBUG,
        "        files = set_iteration_order(added, filename_hashes)",
        "        files = list(dict.fromkeys(added))",
    ),
    Mutant(
        "set-ordered-frames-outermost-first",
        "10.4.12",
        "TF 2.12/2.13 trace frames outermost first",
        DEBUG,
        "        for frame in reversed(frames):",
        "        for frame in frames:",
    ),
    Mutant(
        "set-ordered-zero-fields-present",
        "10.4.12",
        "TF 2.12/2.13 FileLineCol zeros written (proto2 presence, as 2.14 on)",
        DEBUG,
        "            if index[frame.filename]:\n"
        "                file_line_col.file_index = index[frame.filename]",
        "            file_line_col.file_index = index[frame.filename]",
    ),
    Mutant(
        "debug-always-binary",
        "10.4.11",
        "the debug file always binary, even with as_text",
        EXPORT,
        "debug_bytes = serialize(debug, as_text, runtime, release)",
        "debug_bytes = serialize(debug, False, runtime, release)",
    ),
)
