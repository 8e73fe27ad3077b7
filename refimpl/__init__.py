"""refimpl: a reference exporter of TensorFlow 2.21's ``export_meta_graph``, over graph snapshots.

Attributes are loaded lazily, so that ``refimpl.pb.snapshot_pb2`` can be imported
beside TensorFlow (whose generated ``tensorflow.*`` protos clash with ours)
without pulling in our ``tensorflow.*`` schemas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from refimpl.export import (
        ExportResult,
        export_meta_graph,
        export_scoped_meta_graph,
        plan,
        plan_export,
    )
    from refimpl.outcome import Outcome, run_exports
    from refimpl.pb.tensorflow.graph_pb2 import GraphDef
    from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
    from refimpl.pb.tensorflow.saver_pb2 import SaverDef
    from refimpl.snapshot import Snapshot, SnapshotError, load_snapshot

    MetaInfoDef = MetaGraphDef.MetaInfoDef

__all__ = [
    "ExportResult",
    "GraphDef",
    "MetaGraphDef",
    "MetaInfoDef",
    "Outcome",
    "SaverDef",
    "Snapshot",
    "SnapshotError",
    "export_meta_graph",
    "export_scoped_meta_graph",
    "load_snapshot",
    "plan",
    "plan_export",
    "run_exports",
]

_LAZY = {
    "ExportResult": ("refimpl.export", "ExportResult"),
    "export_meta_graph": ("refimpl.export", "export_meta_graph"),
    "export_scoped_meta_graph": ("refimpl.export", "export_scoped_meta_graph"),
    "plan": ("refimpl.export", "plan"),
    "plan_export": ("refimpl.export", "plan_export"),
    "Outcome": ("refimpl.outcome", "Outcome"),
    "run_exports": ("refimpl.outcome", "run_exports"),
    "GraphDef": ("refimpl.pb.tensorflow.graph_pb2", "GraphDef"),
    "MetaGraphDef": ("refimpl.pb.tensorflow.meta_graph_pb2", "MetaGraphDef"),
    "SaverDef": ("refimpl.pb.tensorflow.saver_pb2", "SaverDef"),
    "Snapshot": ("refimpl.snapshot", "Snapshot"),
    "SnapshotError": ("refimpl.snapshot", "SnapshotError"),
    "load_snapshot": ("refimpl.snapshot", "load_snapshot"),
}


def __getattr__(name: str) -> Any:
    if name == "MetaInfoDef":
        from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef

        return MetaGraphDef.MetaInfoDef
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'refimpl' has no attribute {name!r}")
