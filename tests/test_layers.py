"""The architecture of ``conformance/``, checked: who may import what.

- the protocol package imports neither refimpl nor TensorFlow (``tests/test_protocol.py``);
- the runner loads none of refimpl's exporter (generated schema modules are shared data):
  the exporter runs in the testee's own process, or generates hypothesis cases on demand;
- ``conformance.compare`` and ``conformance.corpus`` do not import each other in a cycle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNNER = "conformance.runner"


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


def test_compare_does_not_import_the_corpus() -> None:
    _run(
        "import sys, conformance.compare\n"
        "assert 'conformance.corpus' not in sys.modules\n"
        "assert 'refimpl.export' not in sys.modules\n"
    )
