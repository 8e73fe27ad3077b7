"""Cases whose bytes depend on the protobuf runtime of TF's process (spec.md 0.3.1).

TF's output depends on its protobuf runtime in three places. The corpus is recorded under
protobuf 7 (MANIFEST.json ``protobuf_version``); every case that
``depends_on_protobuf_runtime`` is recorded again under protobuf 6 (TF 2.21 accepts
``protobuf>=6.31.1,<8``) and, when TF's outcome ``differs_beyond_debug_files`` (debug files
name the paths of TF's installation), kept as ``<name>@pb6`` (``PB6_SUFFIX``), its
``protobuf_version`` and snapshot saying so. MANIFEST.json ``protobuf_6`` lists the cases
recorded again and those that came out the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.protocol.conformance_pb2 import CorpusCase, Outcome
from refimpl.pb.snapshot_pb2 import CollectionItem, GraphSnapshot

__all__ = ["PB6_SUFFIX", "depends_on_protobuf_runtime", "differs_beyond_debug_files"]

#: Name suffix of the cases recorded again under protobuf 6 (spec.md 0.3.1).
PB6_SUFFIX = "@pb6"


#: The list a collection's first item decides (rule 8.4), by the items' snapshot kinds.
_LIST_OF = {"int": "int64", "bool": "int64", "float": "float", "any": "any"}


def depends_on_protobuf_runtime(case: CorpusCase) -> bool:
    """Whether TF's outcome for ``case`` (snapshot resolved) may depend on the protobuf
    runtime of TF's process (spec.md 0.3.1): the graph has a bool collection item (rule
    8.4.3) or a list whose refused item is followed by another (which item's error stands,
    rules 8.4.3-8.4.5), or TF raised a ``DecodeError`` (rule 10.2.7)."""
    if case.expected.HasField("error") and case.expected.error.type == "DecodeError":
        return True
    snap = GraphSnapshot.FromString(case.snapshot)
    return any(
        any(item.WhichOneof("kind") == "bool" for item in c.items)
        or _refused_item_before_another(c.items)
        for c in snap.collections
    )


def _refused_item_before_another(items: Sequence[CollectionItem]) -> bool:
    """Whether an item the list of the first item may refuse (another kind, or an int out
    of int64's range) comes before the last item (an over-approximation)."""
    if not items or _LIST_OF.get(items[0].WhichOneof("kind") or "") is None:
        return False
    first = _LIST_OF[items[0].WhichOneof("kind") or ""]
    for item in items[1:-1]:
        kind = item.WhichOneof("kind") or ""
        if _LIST_OF.get(kind) != first:
            return True
        if kind == "int" and not -(2**63) <= int(item.int) < 2**63:
            return True
    return False


def differs_beyond_debug_files(a: Outcome, b: Outcome) -> bool:
    """Whether two outcomes differ in anything but the content of ``.debug`` files."""

    def key(outcome: Outcome) -> bytes:
        copy = Outcome()
        copy.CopyFrom(outcome)
        for name in copy.files:
            if name.endswith(".debug"):
                copy.files[name] = b""
        return copy.SerializeToString(deterministic=True)

    return key(a) != key(b)
