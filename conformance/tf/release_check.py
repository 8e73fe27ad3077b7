"""One case under one TensorFlow release: built, captured, loaded, exported by both sides.

A TF worker of the release's interpreter (``conformance.tf.process``) builds the case's
graph, captures it and exports it with the release's own ``export_meta_graph``; refimpl
loads the captured snapshot and exports it with the same arguments. ``check_response``
says what came of it (no TensorFlow here): the graph could not be built or captured
under this release (``not built``: the worker's error), refimpl refused the snapshot
(``not loaded``), or both exported and their outcomes are ``identical`` or ``different``
(every difference listed, as ``conformance.compare.differences`` words them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.compare import differences
from conformance.tf.responses import outcome_from_response, refimpl_outcome

__all__ = ["CaseCheck", "check_response"]


@dataclass(frozen=True)
class CaseCheck:
    """What one case gave under one release."""

    name: str
    #: The release the worker ran (``tf.version.VERSION``), "" if it did not say.
    release: str
    #: "identical", "different", "not built" or "not loaded".
    verdict: str
    #: The worker's or the loader's error, or every difference of refimpl from TF.
    problems: tuple[str, ...] = ()


def check_response(
    name: str, request: Mapping[str, Any], response: Mapping[str, Any]
) -> CaseCheck:
    """The check of one case, from the TF worker's response to ``request``."""
    import refimpl

    release = str(response.get("tf_version", ""))
    if "worker_error" in response:
        error = str(response["worker_error"]).strip().splitlines()
        return CaseCheck(name, release, "not built", (error[-1] if error else "",))
    try:
        refimpl.load_snapshot(response["snapshot"])
    except Exception as e:  # noqa: BLE001 - reported, whatever it is
        return CaseCheck(name, release, "not loaded", (f"{type(e).__name__}: {e}",))
    expected = outcome_from_response(response)
    problems = tuple(differences(expected, refimpl_outcome(request, response)))
    return CaseCheck(name, release, "different" if problems else "identical", problems)
