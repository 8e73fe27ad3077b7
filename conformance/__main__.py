"""``python -m conformance``: the conformance runner (see ``conformance.runner``)."""

from __future__ import annotations

from conformance.runner import main_exit

if __name__ == "__main__":
    main_exit()
