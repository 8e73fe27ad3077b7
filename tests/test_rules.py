"""Rule tracing (refimpl/rules.py): which numbered rules of spec.md an export applied.

Also the links of spec.md's rule headings to the functions that record them, and the
total planner (``refimpl.plan`` returns TF's error instead of raising it).
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import logging
import re
import threading
from pathlib import Path

import pytest

import refimpl
from conformance.corpus import spec_rule_numbers
from refimpl import rules
from refimpl.export import ExportResult, plan
from refimpl.snapshot import Snapshot

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples"
SPEC_RULES = spec_rule_numbers()


@pytest.fixture(scope="module")
def training() -> Snapshot:
    return refimpl.load_snapshot((EXAMPLE / "training.snapshot").read_bytes())


@pytest.fixture(scope="module")
def functions() -> Snapshot:
    return refimpl.load_snapshot((EXAMPLE / "functions.snapshot").read_bytes())


def _in_order(trace: tuple[str, ...], *expected: str) -> None:
    """Each expected rule is in the trace, in this order (others may come between)."""
    positions = [trace.index(r) for r in expected]
    assert positions == sorted(positions), [trace[p] for p in sorted(positions)]


# -- the mechanism ---------------------------------------------------------------------------
def test_recording_is_a_no_op_without_a_trace(training: Snapshot) -> None:
    rules.applied("4.2.5")  # nothing active: nothing happens, nothing fails
    assert plan(training, "m.meta").rules == ()
    with rules.tracing() as trace:
        pass
    assert trace.rules == ()


def test_a_trace_holds_each_rule_once_in_order_of_first_application() -> None:
    with rules.tracing() as trace:
        rules.applied("3.1")
        rules.applied("4.2.2", "3.1", "4.2.2")
        rules.applied("2.5")
    assert trace.rules == ("3.1", "4.2.2", "2.5")


def test_nested_traces_inner_holds_its_own_outer_holds_everything() -> None:
    with rules.tracing() as outer:
        rules.applied("2.1")
        with rules.tracing() as inner:
            rules.applied("3.1")
            rules.applied("2.1")
        rules.applied("9.2")
    assert inner.rules == ("3.1", "2.1")
    assert outer.rules == ("2.1", "3.1", "9.2")
    rules.applied("5.1")  # after the block: recorded nowhere
    assert outer.rules == ("2.1", "3.1", "9.2")


def test_traces_of_two_threads_are_isolated(training: Snapshot, functions: Snapshot) -> None:
    barrier = threading.Barrier(2)
    got: dict[str, tuple[str, ...]] = {}

    def run(name: str, graph: Snapshot, **kwargs: object) -> None:
        with rules.tracing() as trace:
            barrier.wait()  # both traces are active at once
            plan(graph, "m.meta", trace=False, **kwargs)
            barrier.wait()
        got[name] = trace.rules

    threads = [
        threading.Thread(target=run, args=("scoped", training), kwargs={"export_scope": "w"}),
        threading.Thread(target=run, args=("default", functions)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got["scoped"] == plan(training, "m.meta", export_scope="w", trace=True).rules
    assert got["default"] == plan(functions, "m.meta", trace=True).rules
    assert "4.2.1" in got["scoped"] and "4.2.1" not in got["default"]


def test_traces_of_two_asyncio_tasks_are_isolated() -> None:
    async def task(rule: str, other_ready: asyncio.Event, ready: asyncio.Event) -> tuple[str, ...]:
        with rules.tracing() as trace:
            rules.applied(rule)
            ready.set()
            await other_ready.wait()  # the other task records while this trace is active
            rules.applied(rule + ".1")
        return trace.rules

    async def main() -> list[tuple[str, ...]]:
        a, b = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(task("3", b, a), task("4", a, b)))

    assert asyncio.run(main()) == [("3", "3.1"), ("4", "4.1")]


# -- what exports record ---------------------------------------------------------------------
def test_trace_true_returns_the_rules_in_the_order_of_the_steps(training: Snapshot) -> None:
    result = plan(training, "m.meta", trace=True)
    assert result.error is None
    trace = result.rules
    assert trace[:2] == ("2.1", "2.4")
    # Rule 2.4: path selection, var_list, kwargs, types, meta_info_def, GraphDef, op list,
    # saver_def, collections, file.
    _in_order(trace, "3.1", "3.2", "3.5", "2.5", "2.6", "9.1.1", "4.1.1", "5.1", "5.4")
    _in_order(trace, "5.4", "9.2", "8.1", "8.1.1", "8.2", "8.4", "2.9", "10.1.1")
    _in_order(trace, "3.5", "8.3", "2.5")  # var_list filters items as rule 8.3 does
    assert len(trace) == len(set(trace))
    # The default path: no rebuild, no scope, no stripping, binary, no debug file.
    for absent in ("4.2.1", "4.3.1", "4.4.1", "3.3", "6.1", "7.1", "10.2.1", "10.4.1"):
        assert absent not in trace, absent


def test_plan_export_with_trace_returns_the_rules(training: Snapshot) -> None:
    assert refimpl.plan_export(training, trace=True).rules == plan(training, trace=True).rules


def test_scope_path(training: Snapshot) -> None:
    trace = plan(training, "m.meta", export_scope="gradients", trace=True).rules
    _in_order(trace, "2.8", "3.1", "3.2", "4.3.1", "4.2.1", "4.3.2", "4.2.4", "4.2.2", "4.2.7")
    _in_order(trace, "4.2.7", "4.3.3", "3.3", "3.4", "3.5", "2.5")
    _in_order(trace, "4.3.2", "4.2.3", "4.2.5", "3.3")  # nodes with inputs, with _class
    for absent in ("4.1.1", "4.2.8", "4.4.1", "4.5.1", "4.3.4"):  # training has no function
        assert absent not in trace, absent


def test_graph_def_paths(functions: Snapshot) -> None:
    given = functions.cpp_graph_def
    rebuilt = plan(functions, graph_def=given, clear_devices=True, trace=True).rules
    _in_order(rebuilt, "3.2", "4.4.1", "4.4.2", "4.2.1", "4.2.8", "2.3", "3.3", "9.3")
    verbatim = plan(functions, graph_def=given, trace=True).rules
    _in_order(verbatim, "3.2", "2.3", "3.5", "9.3", "4.5.1", "5.1")
    assert "4.4.1" not in verbatim and "4.5.1" not in rebuilt
    scoped = plan(functions, export_scope="f", trace=True).rules
    _in_order(scoped, "4.3.1", "4.3.3", "4.3.4", "3.3")


def test_scope_path_exports_named_variables_by_rule_8_6_2(training: Snapshot) -> None:
    trace = plan(training, export_scope="w", trace=True).rules
    _in_order(trace, "8.6", "8.6.2", "8.6.1")


def test_clear_devices(training: Snapshot) -> None:
    trace = plan(training, clear_devices=True, trace=True).rules
    _in_order(trace, "4.3.1", "4.2.1", "4.2.7", "4.2.8", "3.3")
    assert "2.8" in trace  # the scope is still the argument's value (None)


def test_clear_devices_traces_rule_4_1_8_only_with_a_function_library(
    training: Snapshot, functions: Snapshot
) -> None:
    assert "4.1.8" in plan(functions, clear_devices=True, trace=True).rules
    assert "4.1.8" not in plan(training, clear_devices=True, trace=True).rules


def test_a_falsy_unbound_inputs_col_name_still_traces_rule_3_3(training: Snapshot) -> None:
    trace = plan(training, clear_devices=True, unbound_inputs_col_name=None, trace=True).rules
    assert "3.3" in trace


def test_strip_default_attrs(functions: Snapshot) -> None:
    trace = plan(functions, strip_default_attrs=True, trace=True).rules
    _in_order(trace, "5.1", "5.2", "5.4", "6.1", "6.2", "6.3", "6.4", "9.2")


def test_as_text_and_save_debug_info(training: Snapshot) -> None:
    result = plan(training, "m.meta", as_text=True, save_debug_info=True, trace=True)
    assert result.error is None and [f.path for f in result.files] == ["m.meta", "m.debug"]
    _in_order(result.rules, "2.9", "10.3.1", "10.2.1", "10.2.7", "10.3.4", "10.4.1")
    _in_order(result.rules, "10.4.1", "10.4.2", "10.4.3", "10.4.4", "10.4.6", "10.4.7")
    _in_order(result.rules, "10.4.7", "10.4.8", "10.4.9", "10.4.5", "10.4.11", "10.3.5")
    assert "10.1.1" not in result.rules


def test_clear_extraneous_savers(training: Snapshot) -> None:
    trace = plan(training, clear_extraneous_savers=True, trace=True).rules
    _in_order(trace, "7.1", "7.2", "4.3.1", "4.2.1", "7.3", "3.3", "7.4", "7.5", "8.6.3")


def test_loading_is_traced() -> None:
    with rules.tracing() as trace:
        refimpl.load_snapshot((EXAMPLE / "training.snapshot").read_bytes())
    assert trace.rules == ("1.9", "1.9.1")


@pytest.mark.parametrize(
    ("kwargs", "error", "last_rule"),
    [
        ({"foo": 1}, TypeError, "2.5"),
        ({"meta_info_def": "x"}, TypeError, "2.6"),
        ({"clear_extraneous_savers": True, "saver_def": refimpl.SaverDef()}, ValueError, "7.2"),
        ({"export_scope": 5}, TypeError, "4.2.1"),
        ({"export_scope": "("}, re.error, "3.5"),  # no node starts with "(": compiled first
        ({"collection_list": 5}, TypeError, "8.1.2"),
        ({"filename": b"m.meta"}, TypeError, "10.3.1"),
    ],
    ids=["kwargs", "types", "saver_def", "int_scope", "bad_regex", "collection_list", "bytes"],
)
def test_a_failing_rule_is_recorded_before_its_error(
    training: Snapshot, kwargs: dict[str, object], error: type[Exception], last_rule: str
) -> None:
    result = plan(training, trace=True, **kwargs)
    assert isinstance(result.error, error)
    assert result.rules[-1] == last_rule
    assert result.files == ()


def test_the_debug_step_fails_after_the_meta_file(training: Snapshot) -> None:
    result = plan(training, "m.meta", export_scope="w", save_debug_info=True, trace=True)
    assert isinstance(result.error, KeyError)
    assert result.error_after_files is result.error
    assert [f.path for f in result.files] == ["m.meta"]
    assert result.rules[-1] == "10.4.1"


# -- every traced rule is a rule of spec.md, and its heading links to its functions ----------
def _recording_sites() -> dict[str, set[str]]:
    """Rule -> the functions of refimpl that record it (``refimpl/x.py::Class.function``)."""
    sites: dict[str, set[str]] = {}

    def visit(node: ast.AST, path: Path, stack: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # A nested function counts as its outermost enclosing function.
                inside_function = any(not s.endswith(":class") for s in stack)
                name = child.name + (":class" if isinstance(child, ast.ClassDef) else "")
                visit(child, path, stack if inside_function else [*stack, name])
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "applied"
                and isinstance(child.func.value, ast.Name)
                and child.func.value.id == "rules"
            ):
                where = f"refimpl/{path.name}::" + ".".join(s.split(":")[0] for s in stack)
                for arg in child.args:
                    assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                        f"{path.name}:{child.lineno}: rules.applied takes rule numbers as literals"
                    )
                    sites.setdefault(arg.value, set()).add(where)
            visit(child, path, stack)

    for path in sorted((ROOT / "refimpl").glob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8")), path, [])
    return sites


SITES = _recording_sites()
_HEADING = re.compile(r"^(?:- )?\*\*(\d+(?:\.\d+)+)\b.*?\*\*(?: \(refimpl: ([^)]*)\))?", re.M)


def _heading_links() -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for m in _HEADING.finditer((ROOT / "spec.md").read_text(encoding="utf-8")):
        if m.group(2) and m.group(1) not in links:
            links[m.group(1)] = set(re.findall(r"`(refimpl/[^`]+)`", m.group(2)))
    return links


def test_every_recorded_rule_is_a_numbered_rule_of_the_spec() -> None:
    assert SITES, "no rules.applied(...) call found"
    unknown = sorted(set(SITES) - set(SPEC_RULES))
    assert not unknown, f"rules.applied names rules spec.md does not have: {unknown}"


def test_traced_rules_of_real_exports_are_rules_of_the_spec(
    training: Snapshot, functions: Snapshot
) -> None:
    traced: set[str] = set()
    for graph in (training, functions):
        for kwargs in (
            {},
            {"export_scope": "w", "save_debug_info": True},
            {"clear_extraneous_savers": True, "as_text": True, "strip_default_attrs": True},
        ):
            traced.update(plan(graph, "m.meta", trace=True, **kwargs).rules)
    assert traced <= set(SPEC_RULES)
    assert traced <= set(SITES)


def test_each_traced_rule_heading_links_to_the_functions_that_record_it() -> None:
    links = _heading_links()
    wrong = {
        rule: (sorted(links.get(rule, set())), sorted(where))
        for rule, where in SITES.items()
        if links.get(rule) != where
    }
    assert not wrong, "spec.md heading links (linked, recorded): " + repr(wrong)
    stale = sorted(set(links) - set(SITES))
    assert not stale, f"spec.md links rules refimpl does not record: {stale}"


def test_linked_functions_exist() -> None:
    for where in set().union(*SITES.values()):
        path, name = where.split("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"(def|class) {re.escape(name.split('.')[-1])}\b", source), where


def test_sections_1_to_10_rules_that_are_not_traced_are_the_documented_ones() -> None:
    # Not behaviour of the export, or not refimpl's: the snapshot format (1.1-1.7), capture
    # (1.8, 1.10), a worked consequence (9.4), a statement about runtimes (10.2.8), a
    # platform out of scope (10.3.6). Section 0 is traced where refimpl applies it.
    untraced = [r for r in SPEC_RULES if 1 <= int(r.split(".")[0]) <= 10 and r not in SITES]
    assert untraced == [
        "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.10", "9.4", "10.2.8", "10.3.6"
    ]  # fmt: skip


# -- plan is total, and logs nothing ---------------------------------------------------------
def test_plan_returns_what_tf_left_after_an_error(training: Snapshot) -> None:
    # The scoped rebuild rewrote the unbound_inputs collection (rule 3.3) before the
    # unknown keyword failed (rule 2.5): TF's graph keeps the new collection.
    result = plan(training, export_scope="gradients", foo=1)
    assert isinstance(result.error, TypeError)
    assert result.graph.get_collection("unbound_inputs")
    assert result.meta_info_def is None and not result.files
    # Stamped at step 6, failing at step 11 (rule 7.5): the caller's object is stamped.
    no_variables = dataclasses.replace(
        training, collections=tuple(c for c in training.collections if c.key != "variables")
    )
    info = refimpl.MetaInfoDef()
    failed = plan(no_variables, meta_info_def=info, clear_extraneous_savers=True)
    assert str(failed.error) == "No variables to save"
    assert failed.meta_info_def is not None and failed.meta_info_def.tensorflow_version
    assert failed.meta_graph_def.graph_def.node  # built up to the failure
    assert not info.tensorflow_version  # the argument itself is never touched


def test_plan_logs_nothing_and_the_io_edge_logs_the_warnings(
    training: Snapshot,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, logger="refimpl"):
        result: ExportResult = plan(training, collection_list=[5])
        assert [w.text() for w in result.warnings] == [
            "Only collections with string type keys will be serialized. This key has <class 'int'>"
        ]
        assert not caplog.records
        refimpl.export_meta_graph(training, "m.meta", collection_list=[5])
    assert [r.getMessage() for r in caplog.records] == [w.text() for w in result.warnings]


def test_the_io_edge_writes_then_raises(
    training: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyError):
        refimpl.export_meta_graph(training, "m.meta", export_scope="w", save_debug_info=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.meta"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'trace'"):
        refimpl.export_meta_graph(training, "n.meta", trace=True)  # TF's keywords only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.meta"]
