"""Public path of the TF testee: ``python -m conformance.tf_testee``.

The implementation is ``conformance.tf.testee`` (the TF side of the suite).
"""

from __future__ import annotations

import sys

from conformance.tf.testee import Rebuilder, TFTestee, main, serve

__all__ = ["Rebuilder", "TFTestee", "main", "serve"]

if __name__ == "__main__":
    sys.exit(main())
