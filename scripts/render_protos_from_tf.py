"""Render our own .proto schemas from TensorFlow's descriptors.

Run in a process that may import TensorFlow (2.21). Walks TF's default
descriptor pool from ``descriptor_summary.ROOT_MESSAGES``, takes every TF
.proto file that defines a reachable message or enum plus everything those
files import (google/protobuf/* excepted: those stay imports of protobuf's
own well-known types), and writes one schema-only .proto per file to
``protos/refimpl/pb/tensorflow/<basename>.proto``: no comments, no file
options, TF's package, names, numbers, types, labels, oneofs, maps, options
(packed, deprecated, default, json_name, allow_alias) and reserved ranges.

Basename clashes: when several TF files share a basename, the single one
under ``tensorflow/`` (if exactly one is) keeps the plain basename; every
other one is named by its whole TF path with ``/`` replaced by ``_`` (so
``xla/tsl/protobuf/error_codes.proto`` becomes
``xla_tsl_protobuf_error_codes.proto``).

After rendering, the sources are compiled with grpc_tools' protoc (when
installed) and the resulting FileDescriptorProtos are compared with TF's,
modulo file names and file options, so a rendering bug cannot go unnoticed.

``--check`` renders to memory only and exits 1 with a diff when the
committed files differ.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from google.protobuf import descriptor_pb2  # noqa: E402
from google.protobuf.descriptor import FileDescriptor  # noqa: E402

from conformance.tools.descriptor_summary import ROOT_MESSAGES, reachable  # noqa: E402
from conformance.tools.dump_tf_descriptors import TF_MODULES  # noqa: E402

OUT_DIR = REPO / "protos" / "refimpl" / "pb" / "tensorflow"
OUR_PREFIX = "refimpl/pb/tensorflow/"
WKT_PREFIX = "google/protobuf/"
TF_VERSION = "2.21.0"

FDP = descriptor_pb2.FileDescriptorProto
DP = descriptor_pb2.DescriptorProto
FP = descriptor_pb2.FieldDescriptorProto
EP = descriptor_pb2.EnumDescriptorProto

MESSAGE_MAX = 536870912  # exclusive end of message number ranges ("max")
ENUM_MAX = 2147483647  # inclusive end of enum reserved ranges ("max")

SCALARS: dict[int, str] = {
    FP.TYPE_DOUBLE: "double",
    FP.TYPE_FLOAT: "float",
    FP.TYPE_INT64: "int64",
    FP.TYPE_UINT64: "uint64",
    FP.TYPE_INT32: "int32",
    FP.TYPE_FIXED64: "fixed64",
    FP.TYPE_FIXED32: "fixed32",
    FP.TYPE_BOOL: "bool",
    FP.TYPE_STRING: "string",
    FP.TYPE_BYTES: "bytes",
    FP.TYPE_UINT32: "uint32",
    FP.TYPE_SFIXED32: "sfixed32",
    FP.TYPE_SFIXED64: "sfixed64",
    FP.TYPE_SINT32: "sint32",
    FP.TYPE_SINT64: "sint64",
}


class RenderError(Exception):
    """The descriptor uses something this renderer cannot reproduce."""


# ---------------------------------------------------------------- file set


def tf_files(roots: Iterable[object]) -> list[FileDescriptor]:
    """Files defining types reachable from ``roots`` plus all their imports, sorted.

    The result includes google/protobuf/* files (needed for name resolution only).
    """
    messages, enums = reachable(roots)  # type: ignore[arg-type]
    todo: list[FileDescriptor] = [d.file for d in messages] + [e.file for e in enums]
    seen: dict[str, FileDescriptor] = {}
    while todo:
        fd = todo.pop()
        if fd.name in seen:
            continue
        seen[fd.name] = fd
        todo.extend(fd.dependencies)
    return [seen[k] for k in sorted(seen)]


def our_names(tf_paths: Iterable[str]) -> dict[str, str]:
    """Map each TF file path to our proto path (see module docstring for clashes)."""
    by_base: dict[str, list[str]] = {}
    for path in sorted(set(tf_paths)):
        by_base.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    out: dict[str, str] = {}
    for base, paths in by_base.items():
        under_tf = [p for p in paths if p.startswith("tensorflow/")]
        for path in paths:
            keep = len(paths) == 1 or (len(under_tf) == 1 and path == under_tf[0])
            out[path] = OUR_PREFIX + (base if keep else path.replace("/", "_"))
    if len(set(out.values())) != len(out):
        raise RenderError(f"file name clash after disambiguation: {sorted(out.values())}")
    return out


# ---------------------------------------------------------------- rendering


def default_json_name(name: str) -> str:
    """protoc's default json_name for a field name."""
    out: list[str] = []
    upper = False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def quote(text: bytes) -> str:
    """A proto string literal holding exactly ``text``."""
    out = []
    for b in text:
        ch = chr(b)
        if ch in "\\\"'":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 0x20 <= b < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def _check_options(opts: object, allowed: set[str], what: str) -> None:
    for fd, _ in opts.ListFields():  # type: ignore[attr-defined]
        if fd.name not in allowed:
            raise RenderError(f"{what}: unsupported option {fd.name!r}")


def _ranges(ranges: Iterable[tuple[int, int]], max_value: int) -> str:
    parts = []
    for start, last in ranges:
        if last == max_value:
            parts.append(f"{start} to max")
        elif last == start:
            parts.append(str(start))
        else:
            parts.append(f"{start} to {last}")
    return ", ".join(parts)


def _type(fp: descriptor_pb2.FieldDescriptorProto, scope: str, symbols: set[str]) -> str:
    if fp.type in SCALARS:
        return SCALARS[fp.type]
    if fp.type in (FP.TYPE_MESSAGE, FP.TYPE_ENUM):
        if not fp.type_name.startswith("."):
            raise RenderError(f"field {fp.name}: unresolved type name {fp.type_name!r}")
        return shortest_name(fp.type_name[1:], scope, symbols)
    raise RenderError(f"field {fp.name}: unsupported type {FP.Type.Name(fp.type)}")


def _resolve(name: str, scope: str, symbols: set[str]) -> str | None:
    """What protoc resolves type reference ``name`` to from ``scope`` (types/packages only)."""
    first, _, rest = name.partition(".")
    while True:
        candidate = f"{scope}.{first}" if scope else first
        if candidate in symbols:
            full = f"{candidate}.{rest}" if rest else candidate
            return full if full in symbols else None
        if not scope:
            return None
        scope = scope.rpartition(".")[0]


def shortest_name(full_name: str, scope: str, symbols: set[str]) -> str:
    """The shortest reference to ``full_name`` that protoc resolves correctly from ``scope``."""
    parts = full_name.split(".")
    for i in range(len(parts) - 1, -1, -1):
        name = ".".join(parts[i:])
        if _resolve(name, scope, symbols) == full_name:
            return name
    return "." + full_name


def symbol_table(fdps: Iterable[descriptor_pb2.FileDescriptorProto]) -> set[str]:
    """Full names of every package (and prefix), message and enum in ``fdps``."""
    out: set[str] = set()

    def visit(
        scope: str, msgs: Iterable[descriptor_pb2.DescriptorProto], enums: Iterable[EP]
    ) -> None:
        for e in enums:
            out.add(f"{scope}.{e.name}" if scope else e.name)
        for m in msgs:
            full = f"{scope}.{m.name}" if scope else m.name
            out.add(full)
            visit(full, m.nested_type, m.enum_type)

    for fdp in fdps:
        parts = fdp.package.split(".") if fdp.package else []
        out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
        visit(fdp.package, fdp.message_type, fdp.enum_type)
    return out


def _default(fp: descriptor_pb2.FieldDescriptorProto) -> str:
    value = fp.default_value
    if fp.type == FP.TYPE_STRING:
        return quote(value.encode("utf-8"))
    if fp.type == FP.TYPE_BYTES:
        return '"' + value + '"'  # already C-escaped in descriptors
    return value  # numbers, inf/-inf/nan, true/false, enum value names


class Renderer:
    """Renders one FileDescriptorProto as .proto source."""

    def __init__(
        self, fdp: descriptor_pb2.FileDescriptorProto, imports: dict[str, str], symbols: set[str]
    ):
        self.fdp = fdp
        self.imports = imports
        self.symbols = symbols
        self.syntax = fdp.syntax or "proto2"
        if self.syntax not in ("proto2", "proto3"):
            raise RenderError(f"{fdp.name}: unsupported syntax {self.syntax!r}")
        self.lines: list[str] = []

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def render(self) -> str:
        fdp = self.fdp
        if fdp.service or fdp.extension:
            raise RenderError(f"{fdp.name}: services/extensions are not supported")
        self.emit(0, f'syntax = "{self.syntax}";')
        self.lines.append("")
        if fdp.package:
            self.emit(0, f"package {fdp.package};")
            self.lines.append("")
        if fdp.dependency:
            for i, dep in enumerate(fdp.dependency):
                kind = "public " if i in fdp.public_dependency else ""
                kind = "weak " if i in fdp.weak_dependency else kind
                self.emit(0, f'import {kind}"{self.imports.get(dep, dep)}";')
            self.lines.append("")
        for msg in fdp.message_type:
            self.message(0, msg, fdp.package)
            self.lines.append("")
        for enum in fdp.enum_type:
            self.enum(0, enum)
            self.lines.append("")
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def field(
        self, depth: int, fp: descriptor_pb2.FieldDescriptorProto, scope: str, label: bool
    ) -> None:
        _check_options(fp.options, {"packed", "deprecated"}, fp.name)
        prefix = ""
        if label:
            if fp.label == FP.LABEL_REPEATED:
                prefix = "repeated "
            elif fp.label == FP.LABEL_REQUIRED:
                prefix = "required "
            elif self.syntax == "proto2" or fp.proto3_optional:
                prefix = "optional "
        opts = []
        if fp.HasField("default_value"):
            opts.append(f"default = {_default(fp)}")
        if fp.HasField("json_name") and fp.json_name != default_json_name(fp.name):
            opts.append(f"json_name = {quote(fp.json_name.encode('utf-8'))}")
        if fp.options.HasField("packed"):
            opts.append(f"packed = {str(fp.options.packed).lower()}")
        if fp.options.HasField("deprecated"):
            opts.append(f"deprecated = {str(fp.options.deprecated).lower()}")
        suffix = f" [{', '.join(opts)}]" if opts else ""
        self.emit(
            depth, f"{prefix}{_type(fp, scope, self.symbols)} {fp.name} = {fp.number}{suffix};"
        )

    def map_field(
        self,
        depth: int,
        fp: descriptor_pb2.FieldDescriptorProto,
        entry: descriptor_pb2.DescriptorProto,
        scope: str,
    ) -> None:
        _check_options(fp.options, {"deprecated"}, fp.name)
        key, value = entry.field[0], entry.field[1]
        suffix = ""
        if fp.options.HasField("deprecated"):
            suffix = f" [deprecated = {str(fp.options.deprecated).lower()}]"
        if fp.HasField("json_name") and fp.json_name != default_json_name(fp.name):
            raise RenderError(f"{fp.name}: json_name on a map field is not supported")
        entry_scope = f"{scope}.{entry.name}"
        types = (
            f"{_type(key, entry_scope, self.symbols)}, {_type(value, entry_scope, self.symbols)}"
        )
        self.emit(depth, f"map<{types}> {fp.name} = {fp.number}{suffix};")

    def message(self, depth: int, msg: descriptor_pb2.DescriptorProto, parent: str) -> None:
        _check_options(msg.options, {"deprecated"}, msg.name)
        if msg.extension or msg.options.map_entry:
            raise RenderError(f"{msg.name}: extensions / stray map entry not supported")
        self.emit(depth, f"message {msg.name} {{")
        inner = depth + 1
        scope = f"{parent}.{msg.name}" if parent else msg.name
        if msg.options.HasField("deprecated"):
            self.emit(inner, f"option deprecated = {str(msg.options.deprecated).lower()};")
        entries = {n.name: i for i, n in enumerate(msg.nested_type) if n.options.map_entry}
        pending = [i for i, n in enumerate(msg.nested_type) if not n.options.map_entry]

        def flush(before: int) -> None:
            # Nested messages declared before a map field keep nested_type order.
            while pending and pending[0] < before:
                self.message(inner, msg.nested_type[pending.pop(0)], scope)

        synthetic = {f.oneof_index for f in msg.field if f.proto3_optional}
        open_oneof: int | None = None
        for fp in msg.field:
            in_oneof = fp.HasField("oneof_index") and fp.oneof_index not in synthetic
            index = fp.oneof_index if in_oneof else None
            if open_oneof is not None and index != open_oneof:
                self.emit(inner, "}")
                open_oneof = None
            entry_index = self._map_entry_index(fp, scope, entries)
            if entry_index is not None:
                flush(entry_index)
                self.map_field(inner, fp, msg.nested_type[entry_index], scope)
                continue
            if index is not None and open_oneof is None:
                oneof = msg.oneof_decl[index]
                _check_options(oneof.options, set(), oneof.name)
                self.emit(inner, f"oneof {oneof.name} {{")
                open_oneof = index
            self.field(inner + (open_oneof is not None), fp, scope, label=open_oneof is None)
        if open_oneof is not None:
            self.emit(inner, "}")
        flush(len(msg.nested_type))
        for enum in msg.enum_type:
            self.enum(inner, enum)
        if msg.extension_range:
            ranges = [(r.start, r.end - 1) for r in msg.extension_range]
            self.emit(inner, f"extensions {_ranges(ranges, MESSAGE_MAX - 1)};")
        if msg.reserved_range:
            ranges = [(r.start, r.end - 1) for r in msg.reserved_range]
            self.emit(inner, f"reserved {_ranges(ranges, MESSAGE_MAX - 1)};")
        if msg.reserved_name:
            self.emit(
                inner, "reserved " + ", ".join(quote(n.encode()) for n in msg.reserved_name) + ";"
            )
        self.emit(depth, "}")

    @staticmethod
    def _map_entry_index(
        fp: descriptor_pb2.FieldDescriptorProto, scope: str, entries: dict[str, int]
    ) -> int | None:
        """Index of ``fp``'s map entry among the nested types (of message ``scope``), if any."""
        if fp.type != FP.TYPE_MESSAGE or fp.label != FP.LABEL_REPEATED:
            return None
        parent, _, name = fp.type_name.rpartition(".")
        return entries.get(name) if parent == f".{scope}" else None

    def enum(self, depth: int, enum: descriptor_pb2.EnumDescriptorProto) -> None:
        _check_options(enum.options, {"allow_alias", "deprecated"}, enum.name)
        self.emit(depth, f"enum {enum.name} {{")
        inner = depth + 1
        for opt in ("allow_alias", "deprecated"):
            if enum.options.HasField(opt):
                self.emit(inner, f"option {opt} = {str(getattr(enum.options, opt)).lower()};")
        for value in enum.value:
            _check_options(value.options, {"deprecated"}, value.name)
            suffix = ""
            if value.options.HasField("deprecated"):
                suffix = f" [deprecated = {str(value.options.deprecated).lower()}]"
            self.emit(inner, f"{value.name} = {value.number}{suffix};")
        if enum.reserved_range:
            ranges = [(r.start, r.end) for r in enum.reserved_range]
            self.emit(inner, f"reserved {_ranges(ranges, ENUM_MAX)};")
        if enum.reserved_name:
            self.emit(
                inner, "reserved " + ", ".join(quote(n.encode()) for n in enum.reserved_name) + ";"
            )
        self.emit(depth, "}")


def render_file(
    fdp: descriptor_pb2.FileDescriptorProto, imports: dict[str, str], symbols: set[str]
) -> str:
    """.proto source for ``fdp``.

    ``imports`` maps TF import paths to ours; ``symbols`` (see ``symbol_table``) holds every
    type and package visible to protoc, used to pick the shortest unambiguous type references.
    """
    return Renderer(fdp, imports, symbols).render()


# ---------------------------------------------------------------- TF side


def _with_custom_json_names(fd: FileDescriptor) -> descriptor_pb2.FileDescriptorProto:
    """``fd`` as a proto, json_name set only where it is not protoc's default."""
    fdp = FDP()
    fd.CopyToProto(fdp)

    def visit(msgs: Iterable[descriptor_pb2.DescriptorProto], scope: str) -> None:
        for m in msgs:
            full = f"{scope}.{m.name}" if scope else m.name
            live = fd.pool.FindMessageTypeByName(full)
            for fp in m.field:
                fp.ClearField("json_name")
                json_name = live.fields_by_name[fp.name].json_name
                if json_name != default_json_name(fp.name):
                    fp.json_name = json_name
            visit(m.nested_type, full)

    visit(fdp.message_type, fdp.package)
    return fdp


def load_tf() -> list[descriptor_pb2.FileDescriptorProto]:
    """Import TensorFlow; return the FileDescriptorProtos of the file closure (with WKTs)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = importlib.import_module("tensorflow")
    if tf.__version__ != TF_VERSION:
        print(f"warning: TensorFlow {tf.__version__}, expected {TF_VERSION}", file=sys.stderr)
    from google.protobuf import descriptor_pool

    for name in TF_MODULES:
        importlib.import_module(name)
    pool = descriptor_pool.Default()
    roots = [pool.FindMessageTypeByName(n) for n in ROOT_MESSAGES]
    return [_with_custom_json_names(fd) for fd in tf_files(roots)]


def is_wkt(fdp: descriptor_pb2.FileDescriptorProto) -> bool:
    """Whether ``fdp`` is one of protobuf's own well-known-type files."""
    return fdp.name.startswith(WKT_PREFIX)


def render_all(fdps: list[descriptor_pb2.FileDescriptorProto]) -> dict[str, str]:
    """Our proto path -> source, for every non-WKT file proto in ``fdps``."""
    symbols = symbol_table(fdps)
    tf = [f for f in fdps if not is_wkt(f)]
    names = our_names(f.name for f in tf)
    return {names[f.name]: render_file(f, names, symbols) for f in tf}


# ---------------------------------------------------------------- verification


def normalized(
    fdp: descriptor_pb2.FileDescriptorProto, rename: Callable[[str], str]
) -> descriptor_pb2.FileDescriptorProto:
    """A comparable copy: renamed paths, no file options or source info, every json_name set."""
    out = FDP()
    out.CopyFrom(fdp)
    out.ClearField("options")
    out.ClearField("source_code_info")
    out.name = rename(out.name)
    deps = [rename(d) for d in out.dependency]
    del out.dependency[:]
    out.dependency.extend(deps)
    if out.syntax == "proto2":
        out.ClearField("syntax")

    def visit(msgs: Iterable[descriptor_pb2.DescriptorProto]) -> None:
        for m in msgs:
            for fp in m.field:
                if not fp.HasField("json_name"):
                    fp.json_name = default_json_name(fp.name)
            visit(m.nested_type)

    visit(out.message_type)
    return out


def compile_sources(sources: dict[str, str]) -> dict[str, descriptor_pb2.FileDescriptorProto]:
    """Compile ``sources`` (path -> text) with grpc_tools' protoc; file protos by path."""
    spec = importlib.util.find_spec("grpc_tools")
    assert spec is not None and spec.submodule_search_locations
    wkt = str(Path(list(spec.submodule_search_locations)[0]) / "_proto")
    with tempfile.TemporaryDirectory() as tmp:
        for path, text in sources.items():
            (Path(tmp) / path).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / path).write_text(text, encoding="utf-8")
        out = Path(tmp) / "set.pb"
        cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{tmp}", f"-I{wkt}"]
        cmd += [f"--descriptor_set_out={out}", *sorted(sources)]
        subprocess.run(cmd, check=True)
        fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return {f.name: f for f in fds.file}


def verify(fdps: list[descriptor_pb2.FileDescriptorProto], sources: dict[str, str]) -> list[str]:
    """Compile our sources and compare each with TF's file proto; list problems."""
    tf = [f for f in fdps if not is_wkt(f)]
    names = our_names(f.name for f in tf)
    compiled = compile_sources(sources)
    problems = []
    for tf_fdp in tf:
        theirs = normalized(tf_fdp, lambda p: names.get(p, p))
        ours = normalized(compiled[names[tf_fdp.name]], lambda p: p)
        if ours != theirs:
            diff = difflib.unified_diff(
                str(theirs).splitlines(), str(ours).splitlines(), "tensorflow", "ours", lineterm=""
            )
            problems.append(f"{tf_fdp.name} differs after compiling:\n" + "\n".join(diff))
    return problems


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if committed files are stale")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)

    fdps = load_tf()
    sources = render_all(fdps)
    if importlib.util.find_spec("grpc_tools") is not None:
        problems = verify(fdps, sources)
        if problems:
            print("\n\n".join(problems), file=sys.stderr)
            return 1
    else:
        print("warning: grpc_tools not installed, round-trip not verified", file=sys.stderr)

    rendered = {Path(p).name: text for p, text in sources.items()}
    existing = {p.name: p.read_text(encoding="utf-8") for p in args.out_dir.glob("*.proto")}
    if args.check:
        stale = []
        for name in sorted(set(rendered) | set(existing)):
            old, new = existing.get(name, ""), rendered.get(name, "")
            if old != new:
                stale.append(name)
                sys.stdout.writelines(
                    difflib.unified_diff(
                        old.splitlines(True),
                        new.splitlines(True),
                        f"committed/{name}",
                        f"rendered/{name}",
                    )
                )
        if stale:
            print(f"stale protos in {args.out_dir}: {', '.join(stale)}", file=sys.stderr)
            return 1
        print(f"{len(rendered)} protos up to date")
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(existing) - set(rendered)):
        (args.out_dir / name).unlink()
        print(f"removed {name}")
    for name, text in sorted(rendered.items()):
        if existing.get(name) != text:
            (args.out_dir / name).write_text(text, encoding="utf-8")
            print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
