"""The conditions under which the suite captures a graph (spec.md 1.10).

``conformance.tf.oracle.capture(graph)`` must record the graph as ``export_meta_graph``
sees it in the graph's own context, whatever the caller's context. The suite therefore
captures under each of the conditions below: the TF worker (``conformance.tf.worker``)
takes one per request (``"capture"``), the live-TF random property draws one, hand cases
cover each, and every corpus case records the one it used. TF itself always exports in
the graph's context (inside ``with graph.as_default()``), as v1 code does.

Importing this module does not import TensorFlow; ``capture_under`` runs in the TF
process.
"""

from __future__ import annotations

import threading
from typing import Any

#: Condition name -> what the caller's context is when ``capture`` is called.
CONDITIONS: dict[str, str] = {
    "in_context": "inside `with graph.as_default()`, eager execution on (TF 2's default)",
    "eager_outside": "eager execution on, outside any graph's context",
    "other_graph": "inside another graph's `as_default()`",
    "thread": "from a new thread (eager execution on there, no graph context)",
    "twice": "twice in a row, outside the graph's context (the snapshots must be equal)",
    "after_export": "outside the graph's context, after a TF export of the graph (default "
    "arguments, in its context)",
    "graph_mode": "eager execution disabled process-wide "
    "(`tf.compat.v1.disable_eager_execution()`), outside the graph's context",
    "v1_behavior": "TF 1 behaviour process-wide (`tf.compat.v1.disable_v2_behavior()`: graph "
    "mode, ref variables, v1 control flow and shapes), outside the graph's context",
}

DEFAULT = "in_context"

#: The conditions that need a TF process with eager execution disabled at start-up
#: (``conformance.tf.worker`` reads ``METAGRAPH_TF_EAGER=0``), and those that need TF 1
#: behaviour (``METAGRAPH_TF_V2=0``).
EAGER_OFF = frozenset({"graph_mode", "v1_behavior"})
V2_OFF = frozenset({"v1_behavior"})


def worker_env(condition: str) -> dict[str, str]:
    """The environment a TF worker needs for ``condition``."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown capture condition {condition!r}: one of {sorted(CONDITIONS)}")
    return {
        "METAGRAPH_TF_EAGER": "0" if condition in EAGER_OFF else "1",
        "METAGRAPH_TF_V2": "0" if condition in V2_OFF else "1",
    }


def process_fits(tf: Any, condition: str) -> bool:
    """Whether this TF process's start-up mode is the one ``condition`` needs (called
    outside any graph's context)."""
    from tensorflow.python import tf2

    eager_fits = (condition not in EAGER_OFF) == tf.executing_eagerly()
    return bool(eager_fits and (condition not in V2_OFF) == tf2.enabled())


def capture_under(tf: Any, graph: Any, condition: str) -> bytes:
    """Captures ``graph`` under ``condition`` (in the TF process); returns the snapshot.

    Raises RuntimeError when the process's eager mode does not fit the condition, or when
    two captures of ``"twice"`` disagree.
    """
    from conformance.tf.oracle import capture

    if not process_fits(tf, condition):
        raise RuntimeError(f"capture condition {condition!r} needs {worker_env(condition)}")
    if condition == "in_context":
        with graph.as_default():
            return capture(graph)
    if condition == "other_graph":
        with tf.Graph().as_default():
            return capture(graph)
    if condition == "thread":
        out: list[bytes] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                out.append(capture(graph))
            except BaseException as e:  # noqa: BLE001  (re-raised in the caller's thread)
                errors.append(e)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
        return out[0]
    if condition == "twice":
        first, second = capture(graph), capture(graph)
        if first != second:
            raise RuntimeError("two captures of the same graph differ")
        return second
    if condition == "after_export":
        with graph.as_default():
            try:
                tf.compat.v1.train.export_meta_graph(graph=graph)
            except Exception:  # noqa: BLE001, S110  (an export that failed still ran)
                pass
    return capture(graph)  # eager_outside, after_export, graph_mode, v1_behavior
