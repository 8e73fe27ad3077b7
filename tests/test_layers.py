"""The architecture of ``conformance/``, checked: who may import what.

The layers: ``protocol`` (the wire: framing, codec, schema), ``corpus`` (the golden cases
and their API) and ``compare`` (outcomes compared), ``run`` (the runner and its testee
processes), ``gen`` (case generators), ``tf`` (everything that runs in or drives a TF
process).

- the protocol package imports neither refimpl nor TensorFlow (``tests/test_protocol.py``);
- the runner loads none of refimpl's exporter (generated schema modules are shared data):
  the exporter runs in the testee's own process, or generates hypothesis cases on demand;
  nor the generators or the TF side;
- ``conformance.compare`` and ``conformance.corpus`` do not import each other in a cycle;
- the clients of TF processes import no TensorFlow.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNNER = "conformance.run.runner"


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_the_runner_loads_no_exporter_at_start_up() -> None:
    _run(
        "import sys\n"
        f"import {RUNNER} as runner\n"
        "assert 'refimpl.export' not in sys.modules\n"
        "args = runner.build_parser().parse_args(['--testee', 'x', '--timeout', '5'])\n"
        "assert runner.main(['--list', '-k', 'scopes-default']) == 0\n"
        "bad = [m for m in sys.modules if m in ('refimpl.export', 'refimpl.outcome')]\n"
        "assert not bad, bad\n"
    )


def test_the_runner_loads_the_exporter_for_hypothesis_cases_only() -> None:
    _run(
        "import sys\n"
        f"import {RUNNER} as runner\n"
        "assert runner.main(['--list', '--hypothesis', '2', '--seed', '1']) == 0\n"
        "assert 'refimpl.export' in sys.modules\n"
    )


def test_the_runner_loads_neither_the_generators_nor_the_tf_side() -> None:
    _run(
        "import sys\n"
        f"import {RUNNER}, conformance.run.pytest_plugin\n"
        "bad = [m for m in sys.modules if m.startswith(('conformance.gen', 'conformance.tf'))]\n"
        "assert not bad, bad\n"
    )


def test_the_clients_of_tf_processes_import_no_tensorflow() -> None:
    _run(
        "import sys\n"
        "import conformance.tf.process, conformance.tf.responses, conformance.tf.testee\n"
        "import conformance.tf.graphs, conformance.tf.programs, conformance.tf.oracle\n"
        "assert not [m for m in sys.modules if m.startswith('tensorflow')]\n"
    )


def test_compare_does_not_import_the_corpus() -> None:
    _run(
        "import sys, conformance.compare\n"
        "assert 'conformance.corpus' not in sys.modules\n"
        "assert 'refimpl.export' not in sys.modules\n"
    )
