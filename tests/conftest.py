"""Shared pytest configuration: hypothesis profiles for the random (live-TF) properties.

Profiles (select with the environment variable ``METAGRAPH_PROFILE``; default "default"):

- ``default``: 60 examples per random property (the normal test run);
- ``ci``: 500 examples (the default when the environment variable ``CI`` is set, as in
  ``.ci/run``, with the pinned seed 20261125 unless ``METAGRAPH_SEED`` is given);
- ``campaign``: 20000 examples, for long runs (``METAGRAPH_PROFILE=campaign pytest -n 8
  tests/test_random_vs_tf.py``).

``METAGRAPH_EXAMPLES=N`` overrides a profile's count (``scripts/release_campaign.py``).
All of them draw fresh random examples (``derandomize=False``) and have no deadline (TF
builds graphs at a very uneven pace). Their example database is the one
``METAGRAPH_HYPOTHESIS_DB`` names (``conformance.run.example_db``: ``.hypothesis/examples``
by default, ``redis://host:port/db`` to share failing examples between machines).
``METAGRAPH_SHARD=I/N`` runs machine I's share of a campaign over N machines
(``conformance.run.sharding``, tests/test_random_vs_tf.py). The seed of each run is
chosen once per pytest session, shown in the report header, shared with xdist workers
through the environment variable ``METAGRAPH_SEED``, and can be set by it to replay a run.
Tests that set ``max_examples`` themselves keep their own count.
"""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, settings

from conformance.run.example_db import database_spec, example_database
from conformance.run.sharding import shard_from_environment

DATABASE = example_database()
SHARD = shard_from_environment()
PROFILE_EXAMPLES = {"default": 60, "ci": 500, "campaign": 20000}

for _name, _examples in PROFILE_EXAMPLES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        derandomize=False,
        print_blob=True,
        database=DATABASE,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

# CI (the environment variable CI is set) runs the "ci" profile with a pinned seed, so that
# its 500 live-TF examples are the same on every run; set METAGRAPH_SEED to vary them.
IN_CI = bool(os.environ.get("CI"))
PROFILE = os.environ.get("METAGRAPH_PROFILE", "ci" if IN_CI else "default")
if PROFILE not in PROFILE_EXAMPLES:
    raise ValueError(f"METAGRAPH_PROFILE must be one of {sorted(PROFILE_EXAMPLES)}: {PROFILE!r}")
settings.load_profile(PROFILE)
if os.environ.get("METAGRAPH_EXAMPLES"):  # the profile's count, overridden
    settings.register_profile(
        f"{PROFILE}-examples",
        settings.get_profile(PROFILE),
        max_examples=int(os.environ["METAGRAPH_EXAMPLES"]),
    )
    settings.load_profile(f"{PROFILE}-examples")

# One seed per session; xdist workers inherit it through the environment.
if "METAGRAPH_SEED" not in os.environ:
    os.environ["METAGRAPH_SEED"] = (
        "20261125" if IN_CI else str(random.SystemRandom().randrange(2**32))
    )
SEED = int(os.environ["METAGRAPH_SEED"])


def pytest_report_header() -> str:
    return (
        f"hypothesis profile {PROFILE!r} ({settings().max_examples} examples); "
        f"METAGRAPH_SEED={SEED}; METAGRAPH_SHARD={SHARD}; "
        f"example database {database_spec()}"
    )
