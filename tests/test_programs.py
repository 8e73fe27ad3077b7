"""Graph programs and their strategies, without TensorFlow: data shape, references, rendering."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.strategies import STEP_PARAMS, Case, cases, export_args, programs
from conformance.tf import programs as P


def test_vocabulary_has_at_least_60_step_kinds_each_with_a_strategy() -> None:
    assert len(P.KINDS) >= 60
    assert set(STEP_PARAMS) == set(P.KINDS)


def _check_references(program: P.Program) -> None:
    for i, (step, r) in enumerate(zip(program, P.resolve(program), strict=True)):
        refs, lists = P.step_refs(step)
        assert set(r.refs) == set(refs)
        assert set(r.lists) == set(lists)
        for fld, j in [*r.refs.items(), *((f, j) for f, js in r.lists.items() for j in js)]:
            if j is None:
                continue
            assert 0 <= j < i
            pool = refs.get(fld) or lists[fld]
            assert P.KINDS[program[j]["op"]].result in P.POOLS[pool]


@settings(max_examples=200, deadline=None)
@given(case=cases())
def test_cases_are_plain_data_with_valid_references(case: Case) -> None:
    json.dumps(case["program"])  # JSON-able (NaN aside, which json writes as NaN)
    assert all(step["op"] in P.KINDS for step in case["program"])
    _check_references(case["program"])
    text = P.describe(case["program"])
    assert text.count("\n") >= len(case["program"]) - 1


@settings(max_examples=100, deadline=None)
@given(program=programs(), data=st.data())
def test_deleting_any_step_leaves_a_valid_program(program: P.Program, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(program) - 1))
    _check_references(program[:i] + program[i + 1 :])


@settings(max_examples=100, deadline=None)
@given(program=programs(), data=st.data())
def test_export_args_are_fitted_to_the_program(program: P.Program, data: st.DataObject) -> None:
    args = data.draw(export_args(program))
    spec = args.get("saver_def")
    if isinstance(spec, dict):
        assert set(spec) <= {"saver", "text"}
    assert set(args) <= {
        "export_scope",
        "saver_def",
        "collection_list",
        "meta_info_def",
        "graph_def",
        "as_text",
        "clear_devices",
        "strip_default_attrs",
        "clear_extraneous_savers",
        "save_debug_info",
        "unbound_inputs_col_name",
    }


def test_describe_shows_modifiers_resolved_references_and_skips() -> None:
    program: P.Program = [
        {"op": "const", "dtype": "float32", "shape": [2], "name": "a"},
        {"op": "placeholder", "dtype": "int8", "shape": [None], "scope": ["s", "inner"]},
        {"op": "add", "x": 1, "y": 0, "deps": [0], "device": "/cpu:0"},
        {"op": "add_to_collection", "key": "b:bk", "item": "tensor", "ref": 0},
        {"op": "py_const", "value": 10},
    ]
    trace = ["ok", "ok", "skipped: TypeError: no", "ok", "ok"]
    assert P.describe(program, trace) == (
        "x0 = const(dtype='float32', shape=[2], name='a')\n"
        "with name_scope('s'), name_scope('inner'):\n"
        "    x1 = placeholder(dtype='int8', shape=[None])\n"
        "with device('/cpu:0'), control_dependencies([x1]):\n"
        "    x2 = add(x=x0, y=x1)  # skipped: TypeError: no\n"
        "add_to_collection(key=b'bk', item='tensor', ref=x2)\n"
        "x4 = py_const(value=b'\\xff\\x00b')"
    )
