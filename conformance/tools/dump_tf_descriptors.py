"""Dump TensorFlow's own schema descriptions as JSON (run in a TF process).

``python -m conformance.tools.dump_tf_descriptors [--out FILE]`` prints, for
every message and enum reachable from ``descriptor_summary.ROOT_MESSAGES`` in
TensorFlow's descriptor pool, the canonical description. It never imports
``refimpl.pb``: those modules define the same ``tensorflow.*`` names.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from conformance.tools.descriptor_summary import describe_pool_roots

# TF's generated modules that define the root messages.
TF_MODULES: tuple[str, ...] = (
    "tensorflow.core.protobuf.meta_graph_pb2",
    "tensorflow.core.framework.graph_debug_info_pb2",
    "tensorflow.core.protobuf.saver_pb2",
    "tensorflow.core.protobuf.queue_runner_pb2",
    "tensorflow.core.protobuf.control_flow_pb2",
    "tensorflow.core.framework.variable_pb2",
    "tensorflow.core.framework.op_def_pb2",
)


def load_tf_pool() -> object:
    """Import TensorFlow and its root proto modules; return the default pool."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    importlib.import_module("tensorflow")
    for name in TF_MODULES:
        importlib.import_module(name)
    from google.protobuf import descriptor_pool

    return descriptor_pool.Default()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", help="write JSON here instead of stdout")
    args = parser.parse_args(argv)
    assert not any(m.startswith("refimpl.pb") for m in sys.modules)
    text = json.dumps(describe_pool_roots(load_tf_pool()), indent=1, sort_keys=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
