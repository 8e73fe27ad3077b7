"""Capture and export under other TensorFlow releases (2.12.1 to 2.21.0), live.

Runs only when interpreters of other releases are given:
``METAGRAPH_TF_RELEASE_PYTHONS="../tfrel/2.12.1/bin/python ../tfrel/2.16.2/bin/python"``
(``scripts/make_release_envs.py`` makes them). For each interpreter, a TF worker of it
builds every graph builder of ``conformance.tf.graphs``, captures it
(``conformance.oracle.capture``) and exports it with that release's own
``export_meta_graph`` (default path: the binary ``model.meta``). Asserted: every builder
builds and captures, and refimpl loads every snapshot. refimpl's export (the default one,
a text one, ``as_text=True``, and one with the debug file, ``save_debug_info=True``, whose
file order under 2.12 and 2.13 follows the worker's random string hashes: rule 10.4.12) is
compared with the release's byte for byte; a
difference fails for a release refimpl claims (``refimpl.tf_release.REPRODUCED_RELEASES``),
and is reported as an expected failure (``pytest -rx``) for the others.
``METAGRAPH_TF_RELEASE_BUILDERS="training functions"`` restricts the builders.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.tf.graphs import BUILDERS
from conformance.tf.process import TFWorkers
from conformance.tf.release_check import CaseCheck, check_response
from refimpl.tf_release import REPRODUCED_RELEASES, tf_release

PYTHONS = os.environ.get("METAGRAPH_TF_RELEASE_PYTHONS", "").split()
GRAPHS = os.environ.get("METAGRAPH_TF_RELEASE_BUILDERS", "").split() or list(BUILDERS)

pytestmark = [
    pytest.mark.tf_releases,
    pytest.mark.skipif(not PYTHONS, reason="METAGRAPH_TF_RELEASE_PYTHONS is not set"),
]


def _label(python: str) -> str:
    """``2.12.1`` for ``.../2.12.1/bin/python``; the path itself otherwise."""
    return Path(python).parent.parent.name or python


class Releases:
    """One set of TF workers per interpreter; each builder's check asked for once."""

    def __init__(self) -> None:
        self.workers: dict[str, TFWorkers] = {}
        self.checks: dict[tuple[str, str, bool, bool], CaseCheck] = {}

    def check(
        self, python: str, graph: str, as_text: bool = False, debug: bool = False
    ) -> CaseCheck:
        """The check of builder ``graph`` under ``python``'s release (default export,
        ``as_text=True``, or ``save_debug_info=True``)."""
        key = (python, graph, as_text, debug)
        if key not in self.checks:
            workers = self.workers.setdefault(python, TFWorkers(python))
            args: dict[str, bool] = {}
            if as_text:
                args["as_text"] = True
            if debug:
                args["save_debug_info"] = True
            request: dict[str, Any] = {"graph": graph, "args": args, "filename": "model.meta"}
            self.checks[key] = check_response(graph, request, workers.run(request))
        return self.checks[key]

    def close(self) -> None:
        """Stops every worker."""
        for workers in self.workers.values():
            workers.close()


@pytest.fixture(scope="module")
def releases() -> Iterator[Releases]:
    r = Releases()
    yield r
    r.close()


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("python", [pytest.param(p, id=_label(p)) for p in PYTHONS])
def test_builder_is_captured_and_loaded(releases: Releases, python: str, graph: str) -> None:
    check = releases.check(python, graph)
    assert check.verdict in ("identical", "different"), f"{check.verdict}: {check.problems}"


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("python", [pytest.param(p, id=_label(p)) for p in PYTHONS])
def test_refimpl_export_equals_release_export(releases: Releases, python: str, graph: str) -> None:
    _expect_identical(releases.check(python, graph))


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("python", [pytest.param(p, id=_label(p)) for p in PYTHONS])
def test_refimpl_text_export_equals_release_export(
    releases: Releases, python: str, graph: str
) -> None:
    _expect_identical(releases.check(python, graph, as_text=True))


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("python", [pytest.param(p, id=_label(p)) for p in PYTHONS])
def test_refimpl_debug_file_equals_release_debug_file(
    releases: Releases, python: str, graph: str
) -> None:
    _expect_identical(releases.check(python, graph, debug=True))


def _expect_identical(check: CaseCheck) -> None:
    """Passes if refimpl's export was TF's; a difference is an expected failure for a
    release refimpl does not claim; skips what could not be built or loaded (the capture
    test fails on those)."""
    if check.verdict in ("not built", "not loaded"):
        pytest.skip(f"{check.verdict}: {check.problems}")
    if check.verdict == "different" and not tf_release(check.release).reproduced:
        pytest.xfail(
            f"TF {check.release} (refimpl reproduces {sorted(REPRODUCED_RELEASES)}): "
            + "; ".join(check.problems)[:500]
        )
    assert check.verdict == "identical", "\n".join(check.problems)
