"""Public path of the capture: ``from conformance.oracle import capture``.

The implementation is ``conformance.tf.oracle`` (the TF side of the suite).
"""

from __future__ import annotations

from conformance.tf.oracle import capture

__all__ = ["capture"]
