"""Captures example snapshots from TensorFlow into examples/ (run with TF installed).

    python scripts/capture_examples.py [NAME ...]

Each NAME is a builder of conformance.tf.graphs; the snapshot is written to
examples/NAME.snapshot, and TF's own binary export of it to examples/NAME.tf.meta
(so a user can compare refimpl's file with TF's without installing TF).
"""

from __future__ import annotations

import os
import sys
import tempfile


def main(names: list[str]) -> None:
    """Captures and exports each named graph."""
    import tensorflow as tf

    from conformance.oracle import capture
    from conformance.tf import graphs

    out_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
    for name in names or ["training"]:
        g = tf.Graph()
        with g.as_default():
            graphs.BUILDERS[name](tf)
            data = capture(g)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "m.meta")
                tf.compat.v1.train.export_meta_graph(filename=path, graph=g)
                with open(path, "rb") as f:
                    meta = f.read()
        with open(os.path.join(out_dir, f"{name}.snapshot"), "wb") as f:
            f.write(data)
        with open(os.path.join(out_dir, f"{name}.tf.meta"), "wb") as f:
            f.write(meta)
        print(f"{name}: snapshot {len(data)} bytes, TF meta {len(meta)} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
