"""Canonical, JSON-ready descriptions of protobuf message and enum schemas.

Imports only google.protobuf, so the same code describes TensorFlow's own
descriptors (in a process that imported TensorFlow) and ours (in a process
that imported ``refimpl.pb``); the two outputs are then compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FileDescriptor

# The root messages whose transitive closure is described.
ROOT_MESSAGES: tuple[str, ...] = (
    "tensorflow.MetaGraphDef",
    "tensorflow.GraphDebugInfo",
    "tensorflow.SaverDef",
    "tensorflow.QueueRunnerDef",
    "tensorflow.CondContextDef",
    "tensorflow.WhileContextDef",
    "tensorflow.VariableDef",
    "tensorflow.OpList",
)

FDP = descriptor_pb2.FileDescriptorProto
FieldProto = descriptor_pb2.FieldDescriptorProto


def reachable(roots: Iterable[Descriptor]) -> tuple[list[Descriptor], list[EnumDescriptor]]:
    """Messages and enums reachable from ``roots`` via fields and nesting, sorted by name."""
    messages: dict[str, Descriptor] = {}
    enums: dict[str, EnumDescriptor] = {}
    stack = list(roots)
    while stack:
        msg = stack.pop()
        if msg.full_name in messages:
            continue
        messages[msg.full_name] = msg
        stack.extend(msg.nested_types)
        for enum in msg.enum_types:
            enums[enum.full_name] = enum
        for field in msg.fields:
            if field.message_type is not None:
                stack.append(field.message_type)
            if field.enum_type is not None:
                enums[field.enum_type.full_name] = field.enum_type
    return (
        [messages[k] for k in sorted(messages)],
        [enums[k] for k in sorted(enums)],
    )


def file_proto(fd: FileDescriptor) -> descriptor_pb2.FileDescriptorProto:
    """The FileDescriptorProto of a file descriptor."""
    proto = FDP()
    fd.CopyToProto(proto)
    return proto


def _syntax(proto: descriptor_pb2.FileDescriptorProto) -> str:
    return proto.syntax or "proto2"


def _scope_names(full_name: str, package: str) -> list[str]:
    rel = full_name[len(package) + 1 :] if package else full_name
    return rel.split(".")


def _message_proto(
    fproto: descriptor_pb2.FileDescriptorProto, full_name: str
) -> descriptor_pb2.DescriptorProto:
    names = _scope_names(full_name, fproto.package)
    candidates = fproto.message_type
    for i, name in enumerate(names):
        found = next(m for m in candidates if m.name == name)
        if i == len(names) - 1:
            return found
        candidates = found.nested_type
    raise KeyError(full_name)


def _enum_proto(
    fproto: descriptor_pb2.FileDescriptorProto, full_name: str
) -> descriptor_pb2.EnumDescriptorProto:
    names = _scope_names(full_name, fproto.package)
    if len(names) == 1:
        return next(e for e in fproto.enum_type if e.name == names[0])
    parent = _message_proto(fproto, ".".join([fproto.package, *names[:-1]]).lstrip("."))
    return next(e for e in parent.enum_type if e.name == names[-1])


def describe_message(msg: Descriptor, fproto: descriptor_pb2.FileDescriptorProto) -> dict[str, Any]:
    """Canonical description of one message (``fproto`` is its file's proto)."""
    mproto = _message_proto(fproto, msg.full_name)
    oneof_names = [o.name for o in mproto.oneof_decl]
    fields: dict[str, dict[str, Any]] = {}
    for fp in mproto.field:
        live = msg.fields_by_name[fp.name]
        type_name = ""
        if live.message_type is not None:
            type_name = live.message_type.full_name
        elif live.enum_type is not None:
            type_name = live.enum_type.full_name
        opts = fp.options
        fields[fp.name] = {
            "number": fp.number,
            "type": FieldProto.Type.Name(fp.type),
            "type_name": type_name,
            "label": FieldProto.Label.Name(fp.label),
            "packed": opts.packed if opts.HasField("packed") else None,
            "is_packed": live.is_packed,
            "default_value": fp.default_value if fp.HasField("default_value") else None,
            "oneof": oneof_names[fp.oneof_index] if fp.HasField("oneof_index") else None,
            "proto3_optional": fp.proto3_optional,
            "json_name": live.json_name,
            "deprecated": opts.deprecated,
            "has_presence": live.has_presence,
        }
    oneofs: dict[str, dict[str, Any]] = {}
    for index, oneof in enumerate(mproto.oneof_decl):
        members = [
            f.name for f in mproto.field if f.HasField("oneof_index") and f.oneof_index == index
        ]
        synthetic = len(members) == 1 and fields[members[0]]["proto3_optional"]
        oneofs[oneof.name] = {"fields": members, "synthetic": synthetic}
    return {
        "kind": "message",
        "full_name": msg.full_name,
        "package": fproto.package,
        "syntax": _syntax(fproto),
        "map_entry": mproto.options.map_entry,
        "deprecated": mproto.options.deprecated,
        "fields": fields,
        "field_order": [f.name for f in mproto.field],
        "oneofs": oneofs,
        "nested_types": sorted(n.name for n in mproto.nested_type),
        "nested_enums": sorted(e.name for e in mproto.enum_type),
        "reserved_ranges": [[r.start, r.end] for r in mproto.reserved_range],
        "reserved_names": list(mproto.reserved_name),
        "extension_ranges": [[r.start, r.end] for r in mproto.extension_range],
    }


def describe_enum(
    enum: EnumDescriptor, fproto: descriptor_pb2.FileDescriptorProto
) -> dict[str, Any]:
    """Canonical description of one enum (``fproto`` is its file's proto)."""
    eproto = _enum_proto(fproto, enum.full_name)
    return {
        "kind": "enum",
        "full_name": enum.full_name,
        "package": fproto.package,
        "syntax": _syntax(fproto),
        "values": {v.name: v.number for v in eproto.value},
        "value_order": [v.name for v in eproto.value],
        "deprecated_values": [v.name for v in eproto.value if v.options.deprecated],
        "allow_alias": eproto.options.allow_alias,
        "deprecated": eproto.options.deprecated,
        "reserved_ranges": [[r.start, r.end] for r in eproto.reserved_range],
        "reserved_names": list(eproto.reserved_name),
    }


def describe(roots: Iterable[Descriptor]) -> dict[str, dict[str, Any]]:
    """Descriptions of every message and enum reachable from ``roots``, by full name."""
    messages, enums = reachable(roots)
    protos: dict[str, descriptor_pb2.FileDescriptorProto] = {}

    def fproto_of(fd: FileDescriptor) -> descriptor_pb2.FileDescriptorProto:
        if fd.name not in protos:
            protos[fd.name] = file_proto(fd)
        return protos[fd.name]

    out: dict[str, dict[str, Any]] = {}
    for msg in messages:
        out[msg.full_name] = describe_message(msg, fproto_of(msg.file))
    for enum in enums:
        out[enum.full_name] = describe_enum(enum, fproto_of(enum.file))
    return out


def describe_pool_roots(
    pool: Any, names: Iterable[str] = ROOT_MESSAGES
) -> dict[str, dict[str, Any]]:
    """``describe`` for the named root messages looked up in ``pool``."""
    return describe(pool.FindMessageTypeByName(name) for name in names)


def diff(name: str, ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Human-readable differences between two descriptions of ``name``."""
    problems: list[str] = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        if a == b:
            continue
        if key == "fields" and isinstance(a, dict) and isinstance(b, dict):
            for fname in sorted(set(a) | set(b)):
                fa, fb = a.get(fname), b.get(fname)
                if fa is None or fb is None:
                    where = "ours" if fa is None else "TensorFlow's"
                    problems.append(f"{name}: field {fname!r} missing from {where}")
                    continue
                for attr in sorted(set(fa) | set(fb)):
                    if fa.get(attr) != fb.get(attr):
                        problems.append(
                            f"{name}: field {fname!r} attribute {attr!r}: "
                            f"ours={fa.get(attr)!r} TensorFlow={fb.get(attr)!r}"
                        )
        else:
            problems.append(f"{name}: {key!r}: ours={a!r} TensorFlow={b!r}")
    return problems
