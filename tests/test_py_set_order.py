"""refimpl.py_set_order replays CPython's set iteration order from recorded hashes (spec.md
10.4.12): checked against this interpreter's own ``set``."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refimpl.py_set_order import set_iteration_order

pytestmark = pytest.mark.skipif(
    sys.implementation.name != "cpython"
    or sys.maxsize != 2**63 - 1
    or not (3, 7) <= sys.version_info[:2] <= (3, 11),
    reason="the order replayed is that of 64-bit CPython 3.7-3.11",
)


def _cpython_order(keys: list[str]) -> list[str]:
    s: set[str] = set()
    for k in keys:
        s.add(k)
    return list(s)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=120))
def test_order_equals_cpython_set_order(keys: list[str]) -> None:
    assert set_iteration_order(keys, {k: hash(k) for k in keys}) == _cpython_order(keys)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([f"/f{i}.py" for i in range(40)]), max_size=200))
def test_repeated_additions_keep_cpython_order(keys: list[str]) -> None:
    assert set_iteration_order(keys, {k: hash(k) for k in keys}) == _cpython_order(keys)


def test_order_over_the_large_table_growth() -> None:
    keys = [f"{i}/x.py" for i in range(60000)]  # past 50,000 members: growth by 2
    assert set_iteration_order(keys, {k: hash(k) for k in keys}) == _cpython_order(keys)


def test_colliding_hashes_probe_linearly() -> None:
    # every hash 0: slots 0, 1, 2 in order of addition
    assert set_iteration_order(["c", "a", "b"], {"a": 0, "b": 0, "c": 0}) == ["c", "a", "b"]


def test_negative_hashes_are_taken_modulo_2_to_the_64() -> None:
    # -1 & 7 == 7 and -8 & 7 == 0: the second lands before the first
    assert set_iteration_order(["m", "n"], {"m": -1, "n": -8}) == ["n", "m"]
