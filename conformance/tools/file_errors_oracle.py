"""TF's behaviour when writing the files fails or the file name is odd (run in a TF process).

    python -m conformance.tools.file_errors_oracle

Prints a JSON object: scenario name -> {"error": [type, message] or null,
"files": sorted list of files left in the scenario's directory (relative)}.
The scenarios are defined in ``conformance.gen.file_scenarios`` and shared with the
refimpl side of the test.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile


def main() -> None:
    """Runs every scenario with TensorFlow's export."""
    import tensorflow as tf

    from conformance.gen.file_scenarios import SCENARIOS, list_files, prepare

    out = {}
    for name, scenario in SCENARIOS.items():
        g = tf.Graph()
        with g.as_default(), tempfile.TemporaryDirectory() as tmp:
            tf.constant(1.0, name="c")
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                prepare(scenario)
                error = None
                try:
                    tf.compat.v1.train.export_meta_graph(
                        filename=scenario["filename"], graph=g, **scenario.get("args", {})
                    )
                except Exception as e:  # noqa: BLE001
                    error = [type(e).__name__, str(e)]
                out[name] = {"error": error, "files": list_files(".")}
            finally:
                os.chdir(cwd)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
