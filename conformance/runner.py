"""Former path of the runner, kept for installed entry points (``metagraph-conformance`` of
an installation made before the move): ``conformance.runner:main_exit``.

The runner is ``conformance.run.runner`` (``python -m conformance``).
"""

from __future__ import annotations

from conformance.run.runner import main, main_exit

__all__ = ["main", "main_exit"]
