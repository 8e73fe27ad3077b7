"""The Hypothesis example database of a campaign: a directory, or Redis shared by machines.

``METAGRAPH_HYPOTHESIS_DB`` (or the runner's ``--hypothesis-db``) names it:

- unset: the directory ``.hypothesis/examples`` (Hypothesis's own default), relative to
  the working directory;
- ``redis://host:port/db`` (also ``rediss://``, ``unix://``): Hypothesis's
  ``RedisExampleDatabase`` on that server (needs the ``redis`` package:
  ``pip install 'tf-metagraph-ref[redis]'``), so that a failure found on one machine
  replays on every other;
- ``none``: no database;
- anything else: a directory path.

The live-TF property tests (tests/conftest.py's profiles) and the pytest plugin's
hypothesis property use it as Hypothesis's ``database``: Hypothesis saves each failing
example there and replays it first on the next run. The runner's ``--hypothesis`` mode
generates its cases before running them, outside a Hypothesis test, so it keeps its own
entries under ``RUNNER_KEY`` (``record``/``recorded``/``forget``): each failing
generated case is saved, replayed at the start of every later run (as
``hypothesis-db-<hash>``) and forgotten once it passes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

__all__ = [
    "DEFAULT_DIRECTORY",
    "ENVIRONMENT_VARIABLE",
    "RUNNER_KEY",
    "database_spec",
    "example_database",
    "forget",
    "record",
    "recorded",
]

ENVIRONMENT_VARIABLE = "METAGRAPH_HYPOTHESIS_DB"
DEFAULT_DIRECTORY = os.path.join(".hypothesis", "examples")
#: Redis key prefix of this project's entries (beside other projects' on one server).
REDIS_KEY_PREFIX = b"metagraph-ref:"
#: The key of the runner's failing generated cases.
RUNNER_KEY = b"metagraph-conformance.hypothesis.failures"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
INSTALL_REDIS = "pip install 'tf-metagraph-ref[redis]' (or: pip install redis)"


def database_spec(spec: str | None = None) -> str:
    """``spec``, else ``METAGRAPH_HYPOTHESIS_DB``, else the default directory."""
    return spec or os.environ.get(ENVIRONMENT_VARIABLE, "").strip() or DEFAULT_DIRECTORY


def is_redis(spec: str) -> bool:
    """Whether ``spec`` names a Redis server."""
    return spec.startswith(_REDIS_SCHEMES)


def example_database(spec: str | None = None) -> ExampleDatabase | None:
    """The database ``spec`` (or the environment) names; see the module docstring.

    Raises ImportError naming what to install when Redis is asked for without the
    ``redis`` package. Connecting is lazy: an unreachable server fails at first use.
    """
    from hypothesis.database import DirectoryBasedExampleDatabase

    spec = database_spec(spec)
    if spec.lower() == "none":
        return None
    if is_redis(spec):
        try:
            import redis
            from hypothesis.extra.redis import RedisExampleDatabase
        except ImportError as e:
            raise ImportError(
                f"{ENVIRONMENT_VARIABLE}={spec} needs the redis package: {INSTALL_REDIS}"
            ) from e
        client = redis.Redis.from_url(spec)
        return RedisExampleDatabase(client, key_prefix=REDIS_KEY_PREFIX)
    return DirectoryBasedExampleDatabase(spec)


def recorded(db: ExampleDatabase | None) -> list[bytes]:
    """The runner's recorded failing cases, in a stable order."""
    return [] if db is None else sorted(db.fetch(RUNNER_KEY))


def record(db: ExampleDatabase | None, value: bytes) -> None:
    """Records a failing generated case (its ``stored_form``)."""
    if db is not None:
        db.save(RUNNER_KEY, value)


def forget(db: ExampleDatabase | None, value: bytes) -> None:
    """Forgets a recorded case (it passed)."""
    if db is not None:
        db.delete(RUNNER_KEY, value)
