#!/usr/bin/env python3
"""A long-run fuzzer of snapshot loading and export, and of the testee protocol's frame readers.

Two kinds of inputs, drawn from a seed (input ``i`` of seed ``s`` is always the same):

- **snapshot mutants**: a snapshot of the golden corpus (``conformance/corpus/snapshots``,
  ``examples/*.snapshot``) mutated structurally (operations, functions, collection items,
  output shapes, frames deleted, renamed, duplicated or grafted from another snapshot;
  names renamed in some of their places; fields of the snapshot and of the TF messages
  it embeds changed, cleared, swapped or truncated) or byte by byte (flips, inserts,
  deletions, splices; of the whole snapshot or of one embedded message). Property:
  ``refimpl.load_snapshot`` raises ``SnapshotError``, or every export of the loaded
  snapshot (``plan_export``: the default path, a scope taken from a node name,
  ``clear_devices``, ``clear_extraneous_savers``, ``strip_default_attrs``, text output,
  the debug file) succeeds or raises an error of spec.md's catalogue (Appendix B) with
  TF's message, raised where refimpl reproduces it.
- **protocol streams**: random bytes, random frames, and mutated conversations of valid
  frames, read by the frame readers of the testee protocol (``conformance.protocol``, the
  runner's reader thread in ``conformance.run.testee_process``, ``refimpl.testee``). Property:
  they return payloads or raise only their documented errors (``FrameError``,
  ``DecodeError`` for payloads, ``ProtocolError``).

Usage::

    python scripts/fuzz_snapshots.py --count 100000 --seed 1 --jobs 2 --save fuzz-findings

It prints the counts (inputs tried; snapshots rejected, by fault kind; exported fine;
documented errors, by rule; UNDOCUMENTED exceptions) and saves a reproducer of each
undocumented exception under ``--save`` (the input's bytes and a text file with the
traceback and the command that replays it: ``--replay INDEX``). Exit status 1 if any
input raised an undocumented exception.

``tests/test_snapshot_fuzz.py`` and ``tests/test_protocol_fuzz.py`` drive the same
mutators with hypothesis (a ``Chooser`` made of hypothesis draws).
"""

from __future__ import annotations

import argparse
import builtins
import dis
import functools
import hashlib
import io
import logging
import math
import multiprocessing
import queue
import random
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from google.protobuf.descriptor import FieldDescriptor  # noqa: E402
from google.protobuf.message import DecodeError, Message  # noqa: E402

import refimpl  # noqa: E402
from conformance import protocol  # noqa: E402
from conformance.protocol.conformance_pb2 import (  # noqa: E402
    ExportArguments,
    ExportRequest,
    ExportResponse,
    Handshake,
    Hello,
    PyValue,
)
from conformance.run.testee_process import _Eof, _Reader  # noqa: E402
from refimpl import testee  # noqa: E402
from refimpl.errors import FailedPreconditionError  # noqa: E402
from refimpl.export import ExportResult, plan_export  # noqa: E402
from refimpl.pb import snapshot_pb2 as snap  # noqa: E402
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue  # noqa: E402
from refimpl.pb.tensorflow.function_pb2 import FunctionDef  # noqa: E402
from refimpl.pb.tensorflow.graph_pb2 import GraphDef  # noqa: E402
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef  # noqa: E402
from refimpl.pb.tensorflow.op_def_pb2 import OpDef  # noqa: E402
from refimpl.pb.tensorflow.saver_pb2 import SaverDef  # noqa: E402
from refimpl.pb.tensorflow.tensor_shape_pb2 import TensorShapeProto  # noqa: E402
from refimpl.pb.tensorflow.versions_pb2 import VersionDef  # noqa: E402
from refimpl.snapshot import Snapshot, SnapshotError, load_snapshot  # noqa: E402

T = TypeVar("T")
REFIMPL_DIR = Path(refimpl.__file__).resolve().parent


# =======================================================================================
# Choices: random.Random for this script, hypothesis draws for the tests
# =======================================================================================


class Chooser(Protocol):
    """Where a mutator gets its choices from."""

    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]`` (both included)."""
        ...

    def blob(self, max_size: int) -> bytes:
        """Random bytes, at most ``max_size`` of them."""
        ...


class RandomChooser:
    """Choices from a ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""
        return self.rng.randint(lo, hi)

    def blob(self, max_size: int) -> bytes:
        """Up to ``max_size`` random bytes."""
        return self.rng.randbytes(self.rng.randint(0, max_size))


def pick(ch: Chooser, options: Sequence[T]) -> T:
    """One of ``options`` (not empty)."""
    return options[ch.integer(0, len(options) - 1)]


def chance(ch: Chooser, one_in: int) -> bool:
    """True with probability ``1 / one_in``."""
    return ch.integer(1, one_in) == 1


# =======================================================================================
# The corpus
# =======================================================================================


def corpus_files() -> list[Path]:
    """Every snapshot of the golden corpus and of ``examples/``."""
    return sorted((REPO / "conformance" / "corpus" / "snapshots").glob("*.snapshot")) + sorted(
        (REPO / "examples").glob("*.snapshot")
    )


@functools.cache
def corpus() -> tuple[bytes, ...]:
    """The bytes of every corpus snapshot (the seeds of the mutants)."""
    return tuple(path.read_bytes() for path in corpus_files())


# =======================================================================================
# A snapshot as a tree: the GraphSnapshot and the TF messages embedded in it as bytes
# =======================================================================================

#: (message type, bytes field) -> the TF message type the field holds.
EMBEDDED: dict[tuple[str, str], type[Message]] = {
    ("metagraph_ref.GraphSnapshot", "cpp_graph_def"): GraphDef,
    ("metagraph_ref.GraphSnapshot", "graph_def_versions"): VersionDef,
    ("metagraph_ref.GraphSnapshot", "op_defs"): OpDef,
    ("metagraph_ref.Operation", "node_def"): NodeDef,
    ("metagraph_ref.Operation", "output_shapes"): TensorShapeProto,
    ("metagraph_ref.Function", "definition"): FunctionDef,
    ("metagraph_ref.FunctionTensor", "shape"): TensorShapeProto,
    ("metagraph_ref.FunctionTensor", "handle_shape"): TensorShapeProto,
    ("metagraph_ref.FunctionBodyOp", "output_shapes"): TensorShapeProto,
    ("metagraph_ref.SaverItem", "saver_def"): SaverDef,
}


def is_map(fd: FieldDescriptor) -> bool:
    """Whether ``fd`` is a map field."""
    return fd.message_type is not None and fd.message_type.GetOptions().map_entry


def map_entry(fd: FieldDescriptor, which: str) -> FieldDescriptor:
    """The ``"key"`` or ``"value"`` field of the entries of the map field ``fd``."""
    assert fd.message_type is not None
    return fd.message_type.fields_by_name[which]


def messages(msg: Message) -> Iterator[Message]:
    """``msg`` and every message nested in it (map values included), depth first."""
    yield msg
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        if is_map(fd):
            if map_entry(fd, "value").message_type is not None:
                for v in value.values():
                    yield from messages(v)
        elif fd.is_repeated:
            for v in value:
                yield from messages(v)
        else:
            yield from messages(value)


@dataclass(frozen=True)
class Site:
    """A bytes field (or one element of a repeated one) holding an embedded TF message."""

    owner: Message
    field: str
    index: int | None
    cls: type[Message]

    def read(self) -> bytes:
        """The field's bytes."""
        value = getattr(self.owner, self.field)
        return bytes(value if self.index is None else value[self.index])

    def write(self, data: bytes) -> None:
        """Replaces the field's bytes."""
        if self.index is None:
            setattr(self.owner, self.field, data)
        else:
            getattr(self.owner, self.field)[self.index] = data


def embedded_sites(raw: Message) -> list[Site]:
    """Every embedded-message field of the snapshot, in walk order."""
    out: list[Site] = []
    for msg in messages(raw):
        for fd, value in msg.ListFields():
            cls = EMBEDDED.get((msg.DESCRIPTOR.full_name, fd.name))
            if cls is None:
                continue
            if fd.is_repeated:
                out.extend(Site(msg, fd.name, i, cls) for i in range(len(value)))
            else:
                out.append(Site(msg, fd.name, None, cls))
    return out


class Tree:
    """A parsed snapshot whose embedded messages are parsed on demand and written back."""

    def __init__(self, raw: snap.GraphSnapshot) -> None:
        self.raw = raw
        self.sites = embedded_sites(raw)
        self._parsed: dict[int, Message] = {}

    @staticmethod
    def parse(data: bytes) -> Tree | None:
        """The tree of ``data``, or None if it is not a GraphSnapshot."""
        raw = snap.GraphSnapshot()
        try:
            raw.ParseFromString(data)
        except DecodeError:
            return None
        return Tree(raw)

    def open(self, i: int) -> Message | None:
        """Site ``i`` parsed (changes to it are written back by ``close``), or None."""
        if i not in self._parsed:
            site = self.sites[i]
            msg = site.cls()
            try:
                msg.ParseFromString(site.read())
            except DecodeError:
                return None
            self._parsed[i] = msg
        return self._parsed[i]

    def open_all(self) -> list[Message]:
        """Every site that parses."""
        return [m for i in range(len(self.sites)) if (m := self.open(i)) is not None]

    def sites_of(self, field_name: str) -> list[int]:
        """Indices of the sites of one field name (e.g. ``"node_def"``)."""
        return [i for i, s in enumerate(self.sites) if s.field == field_name]

    def close(self) -> bytes:
        """Writes the opened sites back and serializes the snapshot."""
        for i, msg in self._parsed.items():
            self.sites[i].write(msg.SerializeToString(deterministic=True))
        return bytes(self.raw.SerializeToString(deterministic=True))


# =======================================================================================
# Values
# =======================================================================================

_INT_RANGES: dict[int, tuple[int, int]] = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_ENUM: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
_SPECIAL_STRINGS = (
    "",
    "^",
    ":",
    "x:y:z",
    "loc:@",
    "a(b",
    "x@y",
    "é",
    "$unbound_inputs_x",
    "/",
    "type.googleapis.com/tensorflow.VersionDef",
    "type.googleapis.com/tensorflow.GraphDef",
    "type.googleapis.com/",
    "tensorflow.SaverDef",
    "tensorflow.NoSuchMessage",
    "variables",
    "savers",
)


def names_of(raw: snap.GraphSnapshot) -> list[str]:
    """Names worth renaming or reusing: operations, functions, named collection items."""
    out = [op.name for op in raw.operations] + [f.name for f in raw.functions]
    for c in raw.collections:
        for item in c.items:
            kind = item.WhichOneof("kind")
            if kind in ("str", "operation", "tensor"):
                out.append(getattr(item, kind))
            elif kind == "variable":
                out.append(item.variable.name)
    return [n for n in out if n] or ["x"]


def string_value(ch: Chooser, old: str, names: Sequence[str]) -> str:
    """A new value for a string field: another name, a tensor or control name, an edit."""
    name = pick(ch, names)
    choices = (
        name,
        f"{name}:{ch.integer(0, 3)}",
        f"^{name}",
        old + pick(ch, ("x", ":1", "/y", "_1")),
        old[:-1],
        pick(ch, _SPECIAL_STRINGS),
        f"{name}:output:{ch.integer(0, 2)}",
    )
    return pick(ch, choices)


def bytes_value(ch: Chooser, old: bytes, names: Sequence[str]) -> bytes:
    """A new value for a bytes field."""
    choices = (
        old[: ch.integer(0, len(old))],
        b"loc:@" + pick(ch, names).encode(),
        pick(ch, names).encode(),
        ch.blob(8),
        old + ch.blob(4),
        b"\xff\xfe",
    )
    return pick(ch, choices)


def scalar_value(fd: FieldDescriptor, ch: Chooser, old: Any, names: Sequence[str]) -> Any:
    """A new value for a scalar field of type ``fd.type``."""
    t = fd.type
    if t == FieldDescriptor.TYPE_STRING:
        return string_value(ch, str(old or ""), names)
    if t == FieldDescriptor.TYPE_BYTES:
        return bytes_value(ch, bytes(old or b""), names)
    if t == FieldDescriptor.TYPE_BOOL:
        return not old
    if t in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return pick(ch, (0.0, -0.0, math.nan, math.inf, -1.5, 1e30))
    lo, hi = _INT_RANGES[t]
    if fd.enum_type is not None and chance(ch, 2):
        return pick(ch, [v.number for v in fd.enum_type.values])
    old_int = int(old or 0)
    candidates = [0, 1, -1, old_int + 1, old_int - 1, lo, hi, ch.integer(lo, hi), 2**31, 100]
    return pick(ch, [c for c in candidates if lo <= c <= hi])


# =======================================================================================
# Structural mutations
# =======================================================================================


def _message_copy(msg: Message) -> Message:
    out = type(msg)()
    out.CopyFrom(msg)
    return out


def _mutate_repeated(container: Any, fd: FieldDescriptor, ch: Chooser, names: Sequence[str]) -> str:
    n = len(container)
    i = ch.integer(0, n - 1)
    op = pick(ch, ("delete", "duplicate", "swap", "clear", "truncate", "replace"))
    if op == "delete":
        del container[i]
    elif op == "duplicate":
        if fd.message_type is not None:
            container.add().CopyFrom(container[i])
        else:
            container.insert(ch.integer(0, n), container[i])
    elif op == "swap" and n >= 2:
        j = ch.integer(0, n - 1)
        if fd.message_type is not None:
            a, b = _message_copy(container[i]), _message_copy(container[j])
            container[i].CopyFrom(b)
            container[j].CopyFrom(a)
        else:
            container[i], container[j] = container[j], container[i]
    elif op == "clear":
        del container[:]
    elif op == "truncate":
        del container[ch.integer(0, n - 1) :]
    elif op == "replace" and fd.message_type is None:
        container[i] = scalar_value(fd, ch, container[i], names)
    else:
        del container[i]
        op = "delete"
    return f"{op} {fd.name}[{i}]"


def _mutate_map(container: Any, fd: FieldDescriptor, ch: Chooser, names: Sequence[str]) -> str:
    keys = list(container.keys())
    key_fd, value_fd = map_entry(fd, "key"), map_entry(fd, "value")
    if not keys:
        return f"{fd.name}: empty"
    key = pick(ch, keys)
    op = pick(ch, ("delete", "clear", "copy", "set"))
    if op == "delete":
        del container[key]
    elif op == "clear":
        container.clear()
    elif op == "copy":
        new_key = scalar_value(key_fd, ch, key, names)
        if value_fd.message_type is not None:
            value = _message_copy(container[key])
            container[new_key].CopyFrom(value)
        else:
            container[new_key] = container[key]
    elif value_fd.message_type is None:
        container[key] = scalar_value(value_fd, ch, container[key], names)
    else:
        container[key].Clear()
    return f"{op} {fd.name}[{key!r}]"


def mutate_field(msg: Message, ch: Chooser, names: Sequence[str]) -> str:
    """Changes one field of ``msg``: a value, an element of a list or map, or clears it."""
    present = [fd for fd, _ in msg.ListFields()]
    fields = cast(list[FieldDescriptor], list(msg.DESCRIPTOR.fields))  # upb's own type
    absent = [fd for fd in fields if fd not in present]
    if not present or (absent and chance(ch, 4)):
        if not absent:
            return f"{msg.DESCRIPTOR.name}: nothing to change"
        fd = pick(ch, absent)
        if is_map(fd):
            return f"{fd.name}: left empty"
        if fd.is_repeated:
            if fd.message_type is not None:
                getattr(msg, fd.name).add()
            else:
                getattr(msg, fd.name).append(scalar_value(fd, ch, None, names))
        elif fd.message_type is not None:
            getattr(msg, fd.name).SetInParent()
        else:
            setattr(msg, fd.name, scalar_value(fd, ch, None, names))
        return f"set {msg.DESCRIPTOR.name}.{fd.name}"
    fd = pick(ch, present)
    container = getattr(msg, fd.name)
    if is_map(fd):
        return f"{msg.DESCRIPTOR.name}: " + _mutate_map(container, fd, ch, names)
    if fd.is_repeated:
        return f"{msg.DESCRIPTOR.name}: " + _mutate_repeated(container, fd, ch, names)
    if fd.message_type is not None:
        msg.ClearField(fd.name)
        return f"clear {msg.DESCRIPTOR.name}.{fd.name}"
    setattr(msg, fd.name, scalar_value(fd, ch, container, names))
    return f"change {msg.DESCRIPTOR.name}.{fd.name}"


def m_field(tree: Tree, ch: Chooser) -> str:
    """A field changed (``mutate_field``) somewhere: a part of the snapshot or an embedded message.

    The part is drawn first (each top-level field of the snapshot, each kind of embedded
    message), then a message inside it, so that small parts are not drowned by the nodes.
    """
    names = names_of(tree.raw)
    parts: list[tuple[str, list[Message]]] = [("snapshot", [tree.raw])]
    for fd, value in tree.raw.ListFields():
        if fd.message_type is not None and not is_map(fd):
            roots = list(value) if fd.is_repeated else [value]
            parts.append((fd.name, [m for r in roots for m in messages(r)]))
    for kind in sorted({s.field for s in tree.sites}):
        parts.append((kind, []))
    label, found = pick(ch, parts)
    if not found:
        i = pick(ch, tree.sites_of(label))
        root = tree.open(i)
        if root is None:
            return f"{label}: unparsable"
        found = list(messages(root))
    return f"{label}: " + mutate_field(pick(ch, found), ch, names)


@dataclass
class _Place:
    """Where a string occurs: a message field, or an element of a list or map."""

    container: Any
    key: Any
    in_message: bool

    def get(self) -> Any:
        return getattr(self.container, self.key) if self.in_message else self.container[self.key]

    def set(self, value: Any) -> None:
        if self.in_message:
            setattr(self.container, self.key, value)
        else:
            self.container[self.key] = value


def _string_places(msg: Message, skip: set[tuple[str, str]]) -> Iterator[_Place]:
    for m in messages(msg):
        for fd, value in m.ListFields():
            if (m.DESCRIPTOR.full_name, fd.name) in skip:
                continue
            if is_map(fd):
                value_fd = map_entry(fd, "value")
                if value_fd.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
                    yield from (_Place(value, k, False) for k in list(value.keys()))
            elif fd.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
                if fd.is_repeated:
                    yield from (_Place(value, i, False) for i in range(len(value)))
                else:
                    yield _Place(m, fd.name, True)


def _renamed(value: str | bytes, old: str, new: str) -> str | bytes | None:
    """``value`` with the name ``old`` replaced by ``new``, or None if it does not refer to it."""
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return None
        out = _renamed(text, old, new)
        return None if out is None else str(out).encode("utf-8")
    for prefix in ("", "^", "loc:@"):
        if value == prefix + old:
            return prefix + new
        for sep in (":", "/"):
            if value.startswith(prefix + old + sep):
                return prefix + new + value[len(prefix + old) :]
    return None


def m_rename(tree: Tree, ch: Chooser) -> str:
    """A name renamed in all, some, one or all but one of the places that refer to it."""
    names = names_of(tree.raw)
    old = pick(ch, names)
    new = pick(ch, (old + "_fz", old[:-1], pick(ch, names), old + ":0", old.upper()))
    tree.open_all()
    skip = set(EMBEDDED)
    places: list[tuple[_Place, str | bytes]] = []
    for root in [tree.raw, *tree._parsed.values()]:
        for place in _string_places(root, skip):
            renamed = _renamed(place.get(), old, new)
            if renamed is not None:
                places.append((place, renamed))
    mode = pick(ch, ("all", "some", "one", "all but one"))
    chosen: Sequence[tuple[_Place, str | bytes]] = places
    if places and mode == "one":
        chosen = [pick(ch, places)]
    elif places and mode == "all but one":
        k = ch.integer(0, len(places) - 1)
        chosen = places[:k] + places[k + 1 :]
    elif mode == "some":
        chosen = [p for p in places if chance(ch, 2)]
    for place, value in chosen:
        place.set(value)
    return f"rename {old!r} -> {new!r} in {len(chosen)} of {len(places)} places ({mode})"


def _cpp(tree: Tree) -> GraphDef | None:
    sites = tree.sites_of("cpp_graph_def")
    msg = tree.open(sites[0]) if sites else None
    return msg if isinstance(msg, GraphDef) else None


def m_drop_operation(tree: Tree, ch: Chooser) -> str:
    """An operation deleted, with its cpp node (mostly), or only one of the two."""
    ops = tree.raw.operations
    cpp = _cpp(tree)
    if not ops or cpp is None:
        return "no operation"
    i = ch.integer(0, len(ops) - 1)
    name = ops[i].name
    mode = pick(ch, ("both", "both", "both", "operation", "cpp node"))
    if mode in ("both", "cpp node"):
        kept = [n for n in cpp.node if n.name != name]
        del cpp.node[:]
        cpp.node.extend(kept)
    if mode in ("both", "operation"):
        tree.close()  # the cpp graph is written back before the sites move
        del tree.raw.operations[i]
        tree._parsed.clear()
    return f"drop operation {name!r} ({mode})"


def m_drop_function(tree: Tree, ch: Chooser) -> str:
    """A function deleted from the records and/or the cpp library, or a gradient entry."""
    cpp = _cpp(tree)
    names = [f.name for f in tree.raw.functions]
    if cpp is not None:
        names += [f.signature.name for f in cpp.library.function]
    if not names:
        return "no function"
    name = pick(ch, names)
    mode = pick(ch, ("both", "both", "record", "library", "gradient"))
    if cpp is not None and mode in ("both", "library", "gradient"):
        lib = cpp.library
        if mode == "gradient":
            kept_g = [g for g in lib.gradient if name not in (g.function_name, g.gradient_func)]
            del lib.gradient[:]
            lib.gradient.extend(kept_g)
        else:
            kept = [f for f in lib.function if f.signature.name != name]
            del lib.function[:]
            lib.function.extend(kept)
    if mode in ("both", "record"):
        tree.close()
        kept_r = [_message_copy(f) for f in tree.raw.functions if f.name != name]
        del tree.raw.functions[:]
        tree.raw.functions.extend(kept_r)  # type: ignore[arg-type]
        tree._parsed.clear()
    return f"drop function {name!r} ({mode})"


def m_collections(tree: Tree, ch: Chooser) -> str:
    """A collection item deleted, duplicated, moved, or changed to another kind."""
    cols = tree.raw.collections
    if not cols:
        return "no collection"
    c = pick(ch, list(cols))
    if not c.items or chance(ch, 6):
        del cols[list(cols).index(c)]
        return "drop collection"
    j = ch.integer(0, len(c.items) - 1)
    item = c.items[j]
    op = pick(ch, ("delete", "duplicate", "move", "kind", "context", "any", "nest"))
    if op == "delete":
        del c.items[j]
    elif op == "duplicate":
        c.items.add().CopyFrom(item)
    elif op == "move":
        pick(ch, list(cols)).items.add().CopyFrom(item)
        del c.items[j]
    elif op == "kind":
        kind = item.WhichOneof("kind")
        text = str(getattr(item, kind)) if kind in ("str", "operation", "tensor") else item.repr
        setattr(item, pick(ch, ("str", "operation", "tensor", "int")), text)
    elif op == "any":
        c.items.add().CopyFrom(any_item(ch))
    elif op == "nest":
        leaves = [pick(ch, list(c.items)) for _ in range(ch.integer(0, 3))]
        item.nested = True
        del item.flattened[:]
        item.flattened.extend(leaves)
    else:
        ctx = item.context if item.WhichOneof("kind") == "context" else None
        if ctx is None:
            return "no context item"
        inner = ctx.cond if ctx.WhichOneof("kind") == "cond" else getattr(ctx, "while")
        if inner.nested_contexts and chance(ch, 2):
            inner.nested_contexts[0].Clear()
        else:
            ctx.Clear()
    return f"{op} item {j} of a collection"


_ANY_TYPES = (
    "tensorflow.VersionDef",
    "tensorflow.GraphDef",
    "tensorflow.SaverDef",
    "tensorflow.MetaGraphDef",
    "tensorflow.TensorProto",
    "google.protobuf.Any",
    "tensorflow.NoSuchMessage",
    "",
)


def any_item(ch: Chooser) -> snap.CollectionItem:
    """An ``Any`` item of a known or unknown type, with a valid, truncated or random payload."""
    type_name = pick(ch, _ANY_TYPES)
    payload = pick(
        ch,
        (
            VersionDef(producer=ch.integer(0, 3000)).SerializeToString(),
            SaverDef(filename_tensor_name="save/Const:0").SerializeToString()[:-1],
            ch.blob(12),
            b"",
        ),
    )
    prefix = pick(ch, ("type.googleapis.com/", "", "x/y/"))
    item = snap.CollectionItem(type_name="Any", repr="<Any>")
    item.any.type_url = prefix + type_name
    item.any.value = payload
    return item


def m_default_attr(tree: Tree, ch: Chooser) -> str:
    """An attr that has an OpDef default set to a variation of that default.

    ``strip_default_attrs`` compares such attrs with the default (``attr_equality``);
    the node of the cpp graph, the operation's node_def, or both get the new value.
    """
    parsed = [tree.open(k) for k in tree.sites_of("op_defs")]
    op_defs = {d.name: d for d in parsed if isinstance(d, OpDef)}
    cpp = _cpp(tree)
    candidates = [
        (i, op, a)
        for i, op in enumerate(tree.raw.operations)
        if op.type in op_defs
        for a in op_defs[op.type].attr
        if a.HasField("default_value")
    ]
    if cpp is None or not candidates:
        return "no attr with a default"
    i, op, attr_def = pick(ch, candidates)
    value = AttrValue()
    value.CopyFrom(attr_def.default_value)
    for _ in range(ch.integer(0, 2)):
        mutate_field(pick(ch, list(messages(value))), ch, names_of(tree.raw))
    where = pick(ch, ("both", "cpp", "node_def"))
    if where in ("both", "cpp"):
        for node in cpp.node:
            if node.name == op.name:
                node.attr[attr_def.name].CopyFrom(value)
    if where in ("both", "node_def"):
        site = [k for k in tree.sites_of("node_def") if tree.sites[k].owner is op]
        node_def = tree.open(site[0]) if site else None
        if isinstance(node_def, NodeDef):
            node_def.attr[attr_def.name].CopyFrom(value)
    return f"default-valued attr {attr_def.name!r} of {op.name!r} varied ({where})"


def m_shapes(tree: Tree, ch: Chooser) -> str:
    """The output shapes of an operation or of a function body op: one dropped, added, or all."""
    owners: list[Any] = list(tree.raw.operations)
    for f in tree.raw.functions:
        owners.extend(f.body_ops)
    if not owners:
        return "no owner of shapes"
    owner = pick(ch, owners)
    shapes = owner.output_shapes
    op = pick(ch, ("drop", "add", "clear"))
    if op == "drop" and shapes:
        del shapes[ch.integer(0, len(shapes) - 1)]
    elif op == "add":
        shapes.append(shapes[0] if shapes else b"")
    else:
        del shapes[:]
    return f"{op} output shapes of {owner.name!r}"


def m_frames(tree: Tree, ch: Chooser) -> str:
    """A frame deleted (later indices shift), or a traceback index changed."""
    raw = tree.raw
    if raw.frames and chance(ch, 2):
        del raw.frames[ch.integer(0, len(raw.frames) - 1)]
        return "drop a frame"
    with_tb = [op for op in raw.operations if op.traceback]
    if not with_tb:
        return "no traceback"
    op = pick(ch, with_tb)
    op.traceback[ch.integer(0, len(op.traceback) - 1)] = ch.integer(0, len(raw.frames) + 1)
    return f"traceback index of {op.name!r}"


def m_truncate_embedded(tree: Tree, ch: Chooser) -> str:
    """An embedded message cut short."""
    if not tree.sites:
        return "no embedded message"
    site = pick(ch, tree.sites)
    data = site.read()
    site.write(data[: ch.integer(0, max(0, len(data) - 1))])
    return f"truncate {site.field}"


def m_swap(tree: Tree, ch: Chooser) -> str:
    """Two embedded messages of the same field swapped (e.g. two node_defs)."""
    if not tree.sites:
        return "no embedded message"
    kind = pick(ch, sorted({s.field for s in tree.sites}))
    sites = [tree.sites[i] for i in tree.sites_of(kind)]
    a, b = pick(ch, sites), pick(ch, sites)
    da, db = a.read(), b.read()
    a.write(db)
    b.write(da)
    return f"swap two {kind}"


def m_graft(tree: Tree, ch: Chooser) -> str:
    """An operation, function, collection or op_def copied in from another corpus snapshot."""
    donor = snap.GraphSnapshot.FromString(pick(ch, corpus()))
    part = pick(ch, ("operation", "function", "collection", "op_def"))
    if part == "operation" and donor.operations:
        op = pick(ch, list(donor.operations))
        node = NodeDef.FromString(op.node_def)
        cpp = _cpp(tree)
        if cpp is not None:
            cpp.node.append(node)
        tree.close()
        tree.raw.operations.add().CopyFrom(op)
        return f"graft operation {op.name!r}"
    if part == "function" and donor.functions:
        fn = pick(ch, list(donor.functions))
        cpp = _cpp(tree)
        if cpp is not None and not chance(ch, 4):
            cpp.library.function.append(FunctionDef.FromString(fn.definition))
        tree.close()
        tree.raw.functions.add().CopyFrom(fn)
        return f"graft function {fn.name!r}"
    if part == "collection" and donor.collections:
        tree.raw.collections.add().CopyFrom(pick(ch, list(donor.collections)))
        return "graft collection"
    if donor.op_defs:
        tree.raw.op_defs.append(pick(ch, list(donor.op_defs)))
        return "graft op_def"
    return "nothing to graft"


TreeMutator = Callable[[Tree, Chooser], str]
STRUCTURAL: dict[str, TreeMutator] = {
    "field": m_field,
    "rename": m_rename,
    "drop_operation": m_drop_operation,
    "drop_function": m_drop_function,
    "collections": m_collections,
    "shapes": m_shapes,
    "frames": m_frames,
    "truncate_embedded": m_truncate_embedded,
    "swap": m_swap,
    "graft": m_graft,
    "default_attr": m_default_attr,
}


# =======================================================================================
# Byte-level mutations
# =======================================================================================


def b_flip(data: bytes, ch: Chooser) -> bytes:
    """One to eight bits flipped."""
    out = bytearray(data)
    for _ in range(ch.integer(1, 8)):
        if out:
            out[ch.integer(0, len(out) - 1)] ^= 1 << ch.integer(0, 7)
    return bytes(out)


def b_insert(data: bytes, ch: Chooser) -> bytes:
    """Random bytes inserted."""
    at = ch.integer(0, len(data))
    return data[:at] + ch.blob(16) + data[at:]


def b_delete(data: bytes, ch: Chooser) -> bytes:
    """A range deleted."""
    at = ch.integer(0, len(data))
    return data[:at] + data[at + ch.integer(1, 32) :]


def b_duplicate(data: bytes, ch: Chooser) -> bytes:
    """A range repeated in place."""
    i = ch.integer(0, len(data))
    j = min(len(data), i + ch.integer(1, 64))
    return data[:j] + data[i:j] + data[j:]


def b_splice(data: bytes, ch: Chooser) -> bytes:
    """The start of this snapshot and the end of another corpus snapshot."""
    other = pick(ch, corpus())
    return data[: ch.integer(0, len(data))] + other[ch.integer(0, len(other)) :]


BytesMutator = Callable[[bytes, Chooser], bytes]
BYTE_LEVEL: dict[str, BytesMutator] = {
    "flip": b_flip,
    "insert": b_insert,
    "delete": b_delete,
    "duplicate": b_duplicate,
    "splice": b_splice,
}


def m_embedded_bytes(tree: Tree, ch: Chooser) -> str:
    """A byte-level mutation inside one embedded message (the snapshot still parses)."""
    if not tree.sites:
        return "no embedded message"
    site = pick(ch, tree.sites)
    name = pick(ch, [n for n in BYTE_LEVEL if n != "splice"])
    site.write(BYTE_LEVEL[name](site.read(), ch))
    return f"{name} inside {site.field}"


STRUCTURAL["embedded_bytes"] = m_embedded_bytes


@dataclass(frozen=True)
class Mutant:
    """A mutated snapshot and how it was made."""

    data: bytes
    steps: tuple[str, ...]


def mutate(seed: bytes, ch: Chooser, structural: bool = True, byte_level: bool = True) -> Mutant:
    """One to three mutations of ``seed`` (structural ones need it to parse)."""
    data, steps = seed, []
    kinds = [*STRUCTURAL] if structural else [*BYTE_LEVEL]
    for _ in range(ch.integer(1, 3)):
        if structural and byte_level and chance(ch, 4):
            kinds = [*BYTE_LEVEL]  # a quarter of the steps: bytes (most no longer parse)
        kind = pick(ch, kinds)
        if kind in BYTE_LEVEL:
            data = BYTE_LEVEL[kind](data, ch)
            steps.append(kind)
            continue
        tree = Tree.parse(data)
        if tree is None:
            steps.append(f"{kind}: unparsable")
            continue
        what = STRUCTURAL[kind](tree, ch)
        data = tree.close()
        steps.append(f"{kind}: {what}")
    return Mutant(data, tuple(steps))


# =======================================================================================
# Documented errors (spec.md Appendix B) and the property
# =======================================================================================


@dataclass(frozen=True)
class Documented:
    """An error of spec.md's catalogue: its exception type, message pattern and rule.

    ``raised_in``: refimpl functions in which a call into Python itself raises the error
    (decoding bytes as UTF-8); otherwise a built-in exception type must come from a
    ``raise`` statement of refimpl (so that a ``KeyError`` of a dict lookup or an
    ``AttributeError`` of a bug is never taken for TF's error of the same type), and a
    library's type (``re.error``, protobuf's ``DecodeError``) from that library.
    """

    type: type[BaseException]
    message: re.Pattern[str]
    rule: str
    raised_in: frozenset[str] = frozenset()

    def matches(self, e: BaseException) -> bool:
        """Whether ``e`` is this error, raised where refimpl reproduces it."""
        if type(e) is not self.type or not self.message.fullmatch(str(e)):
            return False
        site = raise_site(e)
        if site is None:
            return False
        in_refimpl, function, is_raise = site
        if self.raised_in:
            return in_refimpl and function in self.raised_in
        if self.type.__module__ == "builtins":
            return in_refimpl and is_raise
        return True


def raise_site(e: BaseException) -> tuple[bool, str, bool] | None:
    """Where ``e`` was raised: (in refimpl's code, function name, by a ``raise`` statement)."""
    tb = e.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    in_refimpl = Path(code.co_filename).resolve().is_relative_to(REFIMPL_DIR)
    ops = [i.opname for i in dis.get_instructions(code) if i.offset == tb.tb_lasti]
    return in_refimpl, code.co_name, ops == ["RAISE_VARARGS"]


SPEC = REPO / "spec.md"
_EXCEPTION_TYPES: dict[str, type[BaseException]] = {
    "re.error": re.error,
    "DecodeError": DecodeError,
    "FailedPreconditionError": FailedPreconditionError,
}
#: An error named in a cell of the catalogue: `Type`: `message`, or `Type` (empty message).
_CELL_ERROR = re.compile(
    r"`(?P<type>[A-Za-z_][\w.]*)`(?:: `(?P<message>[^`]*)`|(?P<empty> \(empty message\)))?"
)
_PLACEHOLDER = re.compile(r"<[\w. ()]+>")


def _message_pattern(message: str) -> re.Pattern[str]:
    """The spec's message with each ``<...>`` placeholder matching any text."""
    parts = _PLACEHOLDER.split(message)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def appendix_b(spec_text: str) -> list[Documented]:
    """The errors of spec.md's catalogue (Appendix B): type, message, rule.

    A type named without a message matches any message only if it is not a Python
    built-in (``re.error``, ``DecodeError``): Appendix B names those without their text.
    """
    start = spec_text.index("## Appendix B")
    table = spec_text[start : spec_text.index("Warnings (logged", start)]
    out = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if not line.startswith("| ") or len(cells) < 3 or cells[0] in ("trigger", "---"):
            continue
        for m in _CELL_ERROR.finditer(cells[1]):
            cls = _EXCEPTION_TYPES.get(m["type"]) or getattr(builtins, m["type"], None)
            if not (isinstance(cls, type) and issubclass(cls, BaseException)):
                continue
            if m["message"] is not None:
                pattern = _message_pattern(m["message"].replace('\\"', '"'))
            elif m["empty"]:
                pattern = re.compile("")
            elif cls.__module__ != "builtins":
                pattern = re.compile(".*", re.DOTALL)
            else:
                continue
            out.append(Documented(cls, pattern, cells[-1]))
    if len(out) < 20:
        raise ValueError(f"{SPEC}: Appendix B gives only {len(out)} errors; a new format?")
    return out


#: Errors that TF raises and refimpl reproduces, which Appendix B does not list (yet).
EXTRA_DOCUMENTED: tuple[Documented, ...] = (
    # Rule 4.2.2: colocation entries and frame names are decoded as UTF-8 (compat.as_str):
    # bytes that are not UTF-8 fail, in TF with the same message.
    Documented(
        UnicodeDecodeError,
        re.compile(r"'utf-8' codec can't decode .*", re.DOTALL),
        "4.2.2",
        frozenset({"_as_str"}),
    ),
)


@functools.cache
def catalogue() -> tuple[Documented, ...]:
    """The documented errors: Appendix B of spec.md, then ``EXTRA_DOCUMENTED``."""
    return (*appendix_b(SPEC.read_text(encoding="utf-8")), *EXTRA_DOCUMENTED)


def documented_rule(e: BaseException) -> str | None:
    """The rule of the catalogue error ``e`` is, or None for an undocumented exception."""
    for entry in catalogue():
        if entry.matches(e):
            return entry.rule
    return None


def scopes_of(graph: Snapshot) -> list[str]:
    """Export scopes taken from node names: each name's scopes, and the names themselves."""
    out: list[str] = []
    for op in graph.operations[:200]:
        parts = op.name.split("/")
        out.extend("/".join(parts[:k]) for k in range(1, len(parts)))
        out.append(op.name)
    return out or ["s"]


def argument_sets(graph: Snapshot, ch: Chooser) -> list[tuple[str, dict[str, Any]]]:
    """The exports tried on a loaded mutant: the default path and each rebuild path."""
    scope = pick(ch, scopes_of(graph))
    file = {"filename": "model.meta"}
    return [
        ("default", dict(file)),
        ("text+debug", {**file, "as_text": True, "save_debug_info": True}),
        ("scope", {**file, "export_scope": scope, "save_debug_info": True}),
        ("clear_devices", {**file, "clear_devices": True}),
        ("clear_extraneous_savers", {**file, "clear_extraneous_savers": True}),
        ("strip_default_attrs", {**file, "strip_default_attrs": True}),
        (
            "all",
            {
                **file,
                "export_scope": scope,
                "clear_devices": True,
                "clear_extraneous_savers": True,
                "strip_default_attrs": True,
                "as_text": True,
                "save_debug_info": True,
            },
        ),
    ]


@dataclass(frozen=True)
class Failure:
    """An undocumented exception: where it happened and its traceback."""

    where: str
    error: str
    trace: str


@dataclass
class Verdict:
    """What became of one input."""

    #: "rejected", "exported", "documented" or "undocumented" (snapshots); "protocol" (streams).
    outcome: str
    #: Counter keys: fault kinds of rejections, rules of documented errors, ...
    details: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def fault_kind(message: str) -> str:
    """A SnapshotError message with its names and numbers blanked: the kind of fault."""
    head = message.split(": ", 1)[0] if " is not a valid " in message else message
    head = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "'…'", head)
    return re.sub(r"\d+", "N", head)


def _failure(where: str, e: BaseException) -> Failure:
    return Failure(
        where, f"{type(e).__name__}: {e}", "".join(traceback.format_exception(e)).rstrip()
    )


def export_verdicts(graph: Snapshot, ch: Chooser, verdict: Verdict) -> None:
    """Runs every argument set of ``argument_sets`` and records the outcomes in ``verdict``."""
    for label, kwargs in argument_sets(graph, ch):
        error: BaseException | None = None
        try:
            result: ExportResult = plan_export(graph, **kwargs)
            error = result.error
        except Exception as e:  # noqa: BLE001 - every exception is judged
            error = e
        if error is None:
            continue
        rule = documented_rule(error)
        if rule is None:
            verdict.failures.append(_failure(f"plan_export[{label}] {kwargs}", error))
        else:
            verdict.details.append(f"{type(error).__name__} (rule {rule})")


def check_snapshot_input(data: bytes, ch: Chooser) -> Verdict:
    """The property for one mutant: rejected, or every export ends in a documented way."""
    try:
        graph = load_snapshot(data)
    except SnapshotError as e:
        return Verdict("rejected", [fault_kind(str(e))])
    except Exception as e:  # noqa: BLE001
        return Verdict("undocumented", failures=[_failure("load_snapshot", e)])
    verdict = Verdict("exported")
    export_verdicts(graph, ch, verdict)
    if verdict.failures:
        verdict.outcome = "undocumented"
    elif verdict.details:
        verdict.outcome = "documented"
    return verdict


# =======================================================================================
# Protocol streams
# =======================================================================================

#: BufferedReader.read(n) allocates n bytes before reading: over a pipe, a reader asking
#: for a huge announced length at once needs that memory (MemoryError under a limit).
ALLOCATION_LIMIT = 64 << 20


class PipeLikeStream(io.BytesIO):
    """A byte stream that behaves like a pipe read through a ``BufferedReader``.

    ``read(n)`` returns at most ``chunk`` bytes (pipes deliver short reads) and fails with
    ``MemoryError`` when ``n`` exceeds ``ALLOCATION_LIMIT`` (the buffer of ``n`` bytes a
    ``BufferedReader`` allocates up front, on a machine with a memory limit).
    """

    def __init__(self, data: bytes, chunk: int = 1 << 30) -> None:
        super().__init__(data)
        self.chunk = max(1, chunk)

    def read(self, n: int | None = -1, /) -> bytes:
        """At most ``min(n, chunk)`` bytes."""
        if n is not None and n > ALLOCATION_LIMIT:
            raise MemoryError(f"cannot allocate a buffer of {n} bytes")
        if n is None or n < 0:
            n = self.chunk
        return super().read(min(n, self.chunk))


def frame(payload: bytes) -> bytes:
    """``payload`` framed: its length (4 bytes, little-endian) and itself."""
    return protocol.HEADER.pack(len(payload)) + payload


def small_snapshot(ch: Chooser) -> bytes:
    """A small corpus snapshot (the protocol streams carry real requests)."""
    small = [d for d in corpus() if len(d) < 20000] or list(corpus())
    return pick(ch, small)


def py_value(ch: Chooser, depth: int = 0) -> PyValue:
    """A random ``PyValue`` (the arguments of a request)."""
    kind = ch.integer(0, 8 if depth < 2 else 6)
    if kind == 0:
        return PyValue(none=True)
    if kind == 1:
        return PyValue(bool_value=bool(ch.integer(0, 1)))
    if kind == 2:
        return PyValue(int_value=pick(ch, ("0", "1", "-7", "12345678901234567890", "x", "")))
    if kind == 3:
        return PyValue(float_value=pick(ch, (0.0, 1.5, math.nan)))
    if kind == 4:
        return PyValue(str_value=pick(ch, ("model.meta", "s", "", "a/b.pbtxt", "(")))
    if kind == 5:
        return PyValue(bytes_value=ch.blob(4))
    if kind == 6:
        return PyValue(empty_dict=True)
    if kind == 7:
        value = PyValue()
        value.list_value.items.extend(py_value(ch, depth + 1) for _ in range(ch.integer(0, 2)))
        return value
    value = PyValue()
    value.proto_value.type = pick(
        ch,
        ("tensorflow.SaverDef", "tensorflow.GraphDef", "tensorflow.MetaGraphDef.MetaInfoDef", "x"),
    )
    value.proto_value.value = ch.blob(6)
    return value


_KWARGS = (
    "filename",
    "as_text",
    "export_scope",
    "clear_devices",
    "clear_extraneous_savers",
    "strip_default_attrs",
    "save_debug_info",
    "collection_list",
    "saver_def",
    "graph_def",
    "meta_info_def",
    "unknown_kw",
)


def export_arguments(ch: Chooser) -> ExportArguments:
    """Random export arguments (names of TF's parameters, values of any kind)."""
    args = ExportArguments()
    for _ in range(ch.integer(0, 3)):
        args.kwargs[pick(ch, _KWARGS)].CopyFrom(py_value(ch))
    return args


def conversation(ch: Chooser) -> bytes:
    """Valid frames of a conversation: Hello, requests; or Handshake, responses."""
    if chance(ch, 2):
        frames = [Hello(protocol_version=1).SerializeToString()]
        for i in range(ch.integer(0, 2)):
            request = ExportRequest(case_name=f"case{i}", arguments=export_arguments(ch))
            request.snapshot = ch.blob(16) if chance(ch, 4) else small_snapshot(ch)
            frames.append(request.SerializeToString())
    else:
        frames = [Handshake(protocol_version=1, implementation="x").SerializeToString()]
        for i in range(ch.integer(0, 2)):
            response = ExportResponse(case_name=f"case{i}")
            response.outcome.warnings.append("w")
            frames.append(response.SerializeToString())
    return b"".join(frame(f) for f in frames)


def protocol_stream(ch: Chooser) -> bytes:
    """A byte stream for the frame readers: random, framed, or a mutated conversation."""
    mode = ch.integer(0, 4)
    if mode == 0:
        return ch.blob(64)
    if mode == 1:
        return b"".join(frame(ch.blob(24)) for _ in range(ch.integer(0, 4)))
    if mode == 2:
        size = pick(ch, (ch.integer(0, 2**32 - 1), 2**31, 2**32 - 1, ALLOCATION_LIMIT + 1))
        return protocol.HEADER.pack(size) + ch.blob(16)
    data = conversation(ch)
    if mode == 3:
        return data[: ch.integer(0, len(data))]
    for _ in range(ch.integer(1, 3)):
        data = pick(ch, [b_flip, b_insert, b_delete, b_duplicate])(data, ch)
    return data


def _read_all(read: Callable[[], bytes | None]) -> list[bytes]:
    frames = []
    while (payload := read()) is not None:
        frames.append(payload)
    return frames


def read_with_conformance_protocol(stream: bytes, chunk: int, max_bytes: int) -> None:
    """``conformance.protocol.read_frame`` until the end, each payload decoded as a response.

    Documented: ``FrameError`` from reading, ``DecodeError`` from decoding.
    """
    source = PipeLikeStream(stream, chunk)
    try:
        payloads = _read_all(lambda: protocol.read_frame(source, max_bytes))
    except protocol.FrameError:
        return
    for payload in payloads:
        for cls in (Handshake, ExportResponse, ExportRequest, Hello):
            try:
                cls.FromString(payload)
            except DecodeError:
                pass


def read_with_runner_thread(stream: bytes, chunk: int, max_bytes: int) -> None:
    """The runner's reader thread (run in this thread): it must end with EOF or an error item."""
    reader = _Reader(PipeLikeStream(stream, chunk), max_bytes)
    reader.run()
    items = []
    while True:
        try:
            items.append(reader.frames.get_nowait())
        except queue.Empty:
            break
    if not items or not isinstance(items[-1], (_Eof, protocol.FrameError, OSError)):
        raise AssertionError(f"the reader thread ended without a final item: {items[-1:]}")


def read_with_testee(stream: bytes, chunk: int) -> None:
    """``refimpl.testee.read_frame`` until the end. Documented: ``ProtocolError``."""
    source = PipeLikeStream(stream, chunk)
    try:
        _read_all(lambda: testee.read_frame(source))
    except testee.ProtocolError:
        pass


def serve_testee(stream: bytes, chunk: int) -> None:
    """``refimpl.testee.serve`` over the stream; what it writes must be valid frames.

    Documented: ``ProtocolError``.
    """
    out = io.BytesIO()
    try:
        testee.serve(PipeLikeStream(stream, chunk), out)
    except testee.ProtocolError:
        pass
    written = PipeLikeStream(out.getvalue())
    frames = _read_all(lambda: protocol.read_frame(written))
    if frames:
        Handshake.FromString(frames[0])
        for payload in frames[1:]:
            if ExportResponse.FromString(payload).WhichOneof("result") is None:
                raise AssertionError("a response with neither outcome nor skipped")


PROTOCOL_TARGETS: dict[str, Callable[[bytes, int, int], None]] = {
    "conformance.protocol.read_frame": read_with_conformance_protocol,
    "testee_process._Reader": read_with_runner_thread,
    "refimpl.testee.read_frame": lambda s, c, m: read_with_testee(s, c),
    "refimpl.testee.serve": lambda s, c, m: serve_testee(s, c),
}


def check_protocol_input(stream: bytes, ch: Chooser) -> Verdict:
    """The property for one stream: every reader ends normally or with its documented error."""
    chunk = pick(ch, (1, 3, 4096, 1 << 30))
    max_bytes = pick(ch, (protocol.DEFAULT_MAX_FRAME_BYTES, 64, 0))
    verdict = Verdict("protocol")
    for name, target in PROTOCOL_TARGETS.items():
        try:
            target(stream, chunk, max_bytes)
        except Exception as e:  # noqa: BLE001
            verdict.failures.append(_failure(f"{name} (chunk {chunk}, max {max_bytes})", e))
    if verdict.failures:
        verdict.outcome = "undocumented"
    return verdict


# =======================================================================================
# The run
# =======================================================================================


@dataclass
class Tally:
    """Counts of a run (or of part of it) and the undocumented exceptions found."""

    counts: Counter[str] = field(default_factory=Counter)
    findings: list[tuple[int, str, bytes, list[str], list[Failure]]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Adds the counts and findings of ``other``."""
        self.counts.update(other.counts)
        self.findings.extend(other.findings)


def run_input(seed: int, index: int) -> tuple[str, bytes, list[str], Verdict]:
    """Input ``index`` of ``seed``: its kind, bytes, how it was made, and its verdict."""
    rng = random.Random(f"{seed}/{index}")
    ch = RandomChooser(rng)
    if rng.random() < PROTOCOL_FRACTION:
        stream = protocol_stream(ch)
        return "protocol", stream, ["protocol stream"], check_protocol_input(stream, ch)
    mutant = mutate(pick(ch, corpus()), ch)
    return "snapshot", mutant.data, list(mutant.steps), check_snapshot_input(mutant.data, ch)


PROTOCOL_FRACTION = 0.2
_MAX_FINDINGS_PER_CLASS = 5


def run_chunk(args: tuple[int, int, int]) -> Tally:
    """Inputs ``start`` to ``stop - 1`` of ``seed``."""
    seed, start, stop = args
    _quiet_logging()
    tally = Tally()
    per_class: Counter[str] = Counter()
    for index in range(start, stop):
        kind, data, steps, verdict = run_input(seed, index)
        tally.counts[f"{kind} inputs"] += 1
        tally.counts[f"{kind}: {verdict.outcome}"] += 1
        for detail in verdict.details:
            prefix = "rejected" if verdict.outcome == "rejected" else "documented"
            tally.counts[f"{kind} {prefix}: {detail}"] += 1
        for failure in verdict.failures:
            cls = f"{failure.where.split(' ')[0]} {failure.error.split(':')[0]}"
            tally.counts[f"{kind} UNDOCUMENTED: {cls}"] += 1
            per_class[cls] += 1
            if per_class[cls] <= _MAX_FINDINGS_PER_CLASS:
                tally.findings.append((index, kind, data, steps, [failure]))
    return tally


def _quiet_logging() -> None:
    """The export's collection warnings go nowhere (the testee still sees them)."""
    logger = logging.getLogger("refimpl")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def save_findings(tally: Tally, directory: Path, seed: int) -> None:
    """One reproducer per finding: the input's bytes and a text file saying what happened."""
    directory.mkdir(parents=True, exist_ok=True)
    for index, kind, data, steps, failures in tally.findings:
        digest = hashlib.sha256(data).hexdigest()[:12]
        stem = directory / f"{kind}-{seed}-{index}-{digest}"
        suffix = ".snapshot" if kind == "snapshot" else ".stream"
        stem.with_suffix(suffix).write_bytes(data)
        lines = [
            f"replay: python scripts/fuzz_snapshots.py --seed {seed} --replay {index}",
            "made by: " + "; ".join(steps),
        ]
        for failure in failures:
            lines += [f"in {failure.where}: {failure.error}", failure.trace]
        stem.with_suffix(".txt").write_text("\n".join(lines) + "\n")


def report(tally: Tally, seconds: float) -> str:
    """The counts, grouped, largest first within each group."""
    c = tally.counts
    lines = [
        f"inputs tried: {c['snapshot inputs'] + c['protocol inputs']} "
        f"({c['snapshot inputs']} snapshot mutants, {c['protocol inputs']} protocol streams) "
        f"in {seconds:.0f} s",
        f"snapshot mutants rejected by SnapshotError: {c['snapshot: rejected']}",
    ]
    rejected = [(k, v) for k, v in c.items() if k.startswith("snapshot rejected: ")]
    for key, value in sorted(rejected, key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {value:8d}  {key.removeprefix('snapshot rejected: ')}")
    lines += [
        f"snapshot mutants loaded, every export fine: {c['snapshot: exported']}",
        f"snapshot mutants loaded, some export raised a documented error: "
        f"{c['snapshot: documented']}",
    ]
    documented = [(k, v) for k, v in c.items() if k.startswith("snapshot documented: ")]
    for key, value in sorted(documented, key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {value:8d}  exports: {key.removeprefix('snapshot documented: ')}")
    lines.append(f"protocol streams, every reader fine: {c['protocol: protocol']}")
    undocumented = c["snapshot: undocumented"] + c["protocol: undocumented"]
    lines.append(f"UNDOCUMENTED exceptions: {undocumented} inputs")
    for key, value in sorted(c.items()):
        if "UNDOCUMENTED: " in key:
            lines.append(f"  {value:8d}  {key}")
    return "\n".join(lines)


def undocumented_count(tally: Tally) -> int:
    """How many inputs raised an undocumented exception."""
    return tally.counts["snapshot: undocumented"] + tally.counts["protocol: undocumented"]


def replay(seed: int, index: int) -> int:
    """Runs one input and prints everything about it."""
    kind, data, steps, verdict = run_input(seed, index)
    print(f"input {index} of seed {seed}: {kind}, {len(data)} bytes")
    print("made by: " + "; ".join(steps))
    print(f"outcome: {verdict.outcome} {verdict.details}")
    for failure in verdict.failures:
        print(f"in {failure.where}:\n{failure.trace}")
    return 1 if verdict.failures else 0


def main(argv: list[str] | None = None) -> int:
    """The command line: see the module docstring."""
    global PROTOCOL_FRACTION
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="inputs to try")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--save", type=Path, default=Path("fuzz-findings"),
                        help="directory for reproducers of undocumented exceptions")
    parser.add_argument("--protocol-fraction", type=float, default=PROTOCOL_FRACTION,
                        help="share of protocol streams among the inputs (default 0.2)")
    parser.add_argument("--replay", type=int, metavar="INDEX", help="run input INDEX only")
    args = parser.parse_args(argv)
    PROTOCOL_FRACTION = args.protocol_fraction
    _quiet_logging()
    if args.replay is not None:
        return replay(args.seed, args.replay)
    chunk = 250
    work = [(args.seed, i, min(i + chunk, args.count)) for i in range(0, args.count, chunk)]
    tally = Tally()
    started = time.monotonic()
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(args.jobs, initializer=_init_worker, initargs=(PROTOCOL_FRACTION,)) as pool:
        for done, part in enumerate(pool.imap_unordered(run_chunk, work), 1):
            tally.add(part)
            if done % 20 == 0 or done == len(work):
                print(
                    f"[{time.monotonic() - started:6.0f} s] {done} of {len(work)} chunks, "
                    f"undocumented so far: {undocumented_count(tally)}",
                    file=sys.stderr,
                    flush=True,
                )
    if tally.findings:
        save_findings(tally, args.save, args.seed)
    print(f"python scripts/fuzz_snapshots.py --count {args.count} --seed {args.seed} "
          f"--jobs {args.jobs} --protocol-fraction {PROTOCOL_FRACTION}")
    print(report(tally, time.monotonic() - started))
    if tally.findings:
        print(f"reproducers saved under {args.save}/")
    return 1 if undocumented_count(tally) else 0


def _init_worker(fraction: float) -> None:
    global PROTOCOL_FRACTION
    PROTOCOL_FRACTION = fraction
    corpus()


if __name__ == "__main__":
    sys.exit(main())
