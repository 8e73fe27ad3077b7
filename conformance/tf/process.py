"""The client side of the TensorFlow worker: a restartable subprocess (no TF import here)."""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from typing import Any, BinaryIO, cast

from conformance.protocol.framing import ProtocolError, read_frame, write_frame
from conformance.tf.capture_conditions import DEFAULT, worker_env


@cache
def tensorflow_available() -> bool:
    """Whether the TF workers will find TensorFlow (checked without importing it): in the
    interpreter ``METAGRAPH_TF_PYTHON`` names if set (a release of its own, maybe), else in
    this one."""
    python = os.environ.get("METAGRAPH_TF_PYTHON")
    if not python:
        return importlib.util.find_spec("tensorflow") is not None
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('tensorflow') is None)"
    try:
        return subprocess.run([python, "-c", probe], check=False, timeout=120).returncode == 0
    except OSError:
        return False


class TFWorker:
    """A long-lived ``python -m conformance.tf.worker`` process, restarted if it dies.

    ``python`` is the interpreter that has TensorFlow (default: the environment variable
    ``METAGRAPH_TF_PYTHON``, else this one); ``env`` adds environment variables (for
    instance ``METAGRAPH_TF_EAGER=0``, see ``conformance.tf.worker``).
    """

    def __init__(self, python: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self.python = python or os.environ.get("METAGRAPH_TF_PYTHON") or sys.executable
        self._env = dict(env or {})

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=_repo_path(), **self._env)
        return subprocess.Popen(
            [self.python, "-m", "conformance.tf.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sends one request; returns TF's response (restarting the worker once if it died)."""
        for attempt in range(2):
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
            try:
                write_frame(cast(BinaryIO, self._proc.stdin), pickle.dumps(request))
                frame = read_frame(cast(BinaryIO, self._proc.stdout))
            except (OSError, ProtocolError):
                frame = None
            if frame is not None:
                return cast(dict[str, Any], pickle.loads(frame))
            self.close()
            if attempt == 1:
                raise RuntimeError(f"the TensorFlow worker died on {request!r}")
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stops the worker."""
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None


def _repo_path() -> str:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    existing = os.environ.get("PYTHONPATH")
    return here if not existing else here + os.pathsep + existing


class TFWorkers:
    """TF workers for every capture condition: one per eager mode, started on demand.

    ``run`` sends a request to the worker whose process fits the request's capture
    condition (``conformance.tf.capture_conditions``; eager execution disabled at start-up
    for ``graph_mode``).
    """

    def __init__(self, python: str | None = None) -> None:
        self.python = python
        self._workers: dict[tuple[tuple[str, str], ...], TFWorker] = {}

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sends one request to the fitting worker; returns TF's response."""
        env = worker_env(request.get("capture", DEFAULT))
        key = tuple(sorted(env.items()))
        worker = self._workers.get(key)
        if worker is None:
            worker = self._workers[key] = TFWorker(self.python, env)
        return worker.run(request)

    def close(self) -> None:
        """Stops every worker."""
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
