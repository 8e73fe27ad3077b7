"""Cases whose bytes depend on the protobuf runtime of TF's process (spec.md 0.3.1).

TF's output depends on its protobuf runtime in two places. The corpus is recorded under
protobuf 7 (MANIFEST.json ``protobuf_version``); every case that
``depends_on_protobuf_runtime`` is recorded again under protobuf 6 (TF 2.21 accepts
``protobuf>=6.31.1,<8``) and, when TF's outcome ``differs_beyond_debug_files`` (debug files
name the paths of TF's installation), kept as ``<name>@pb6`` (``PB6_SUFFIX``), its
``protobuf_version`` and snapshot saying so. MANIFEST.json ``protobuf_6`` lists the cases
recorded again and those that came out the same.
"""

from __future__ import annotations

from conformance.protocol.conformance_pb2 import CorpusCase, Outcome
from refimpl.pb.snapshot_pb2 import GraphSnapshot

__all__ = ["PB6_SUFFIX", "depends_on_protobuf_runtime", "differs_beyond_debug_files"]

#: Name suffix of the cases recorded again under protobuf 6 (spec.md 0.3.1).
PB6_SUFFIX = "@pb6"


def depends_on_protobuf_runtime(case: CorpusCase) -> bool:
    """Whether TF's outcome for ``case`` (snapshot resolved) may depend on the protobuf
    runtime of TF's process (spec.md 0.3.1): the graph has a bool collection item (rule
    8.4.3), or TF raised a ``DecodeError`` (rule 10.2.7)."""
    if case.expected.HasField("error") and case.expected.error.type == "DecodeError":
        return True
    snap = GraphSnapshot.FromString(case.snapshot)
    return any(item.WhichOneof("kind") == "bool" for c in snap.collections for item in c.items)


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
