"""``python -m conformance``: the conformance runner (see ``conformance.run.runner``)."""

from __future__ import annotations

from conformance.run.runner import main_exit

if __name__ == "__main__":
    main_exit()
