"""Generate golden GraphDebugInfo cases from TensorFlow (run in a TF process).

Writes tests/data/debug_info_cases.json. Every expected value in that file is
computed by TensorFlow itself (``error_interpolation.create_graph_debug_info_def``,
its C++ ``GraphDebugInfoBuilder`` and ``export_meta_graph(save_debug_info=True)``),
never by refimpl. This script must never import ``refimpl.pb.tensorflow``: TF's
generated protos and ours define the same ``tensorflow.*`` message names.

Two kinds of cases:

* ``synthetic``: fake operations (objects with ``name`` and ``traceback``) whose
  tracebacks are real ``tf_stack.StackTrace`` objects captured below Python
  functions compiled with chosen file names, line numbers and function names,
  fed to ``create_graph_debug_info_def`` with a chosen frame classifier
  (``error_interpolation``'s prefix/pattern lists are temporarily replaced).
* ``export``: real graphs exported with
  ``tf.compat.v1.train.export_meta_graph(..., save_debug_info=True)``; the
  expected bytes/text are the ``.debug`` files TF wrote (binary and text).

Under TF 2.12 or 2.13 (whose builder is written in Python and lists ``files`` in the
order of a ``set``, spec.md 10.4.12) each case also records ``filename_hashes``, the
process's ``hash()`` of each file name; run it there with
``--out tests/data/debug_info_cases-2.12.1.json``.

Usage: python scripts/gen_debug_info_cases.py [--out tests/data/debug_info_cases.json]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import json
import os
import re
import sys
import tempfile
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import tensorflow as tf
from google.protobuf import text_format
from tensorflow.python.framework import error_interpolation as ei
from tensorflow.python.util import tf_stack

FrameT = tuple[str, int, str]
#: TF 2.12 and 2.13 build GraphDebugInfo in Python, its files in a set's order (spec.md
#: 10.4.12): each case then records the process's hash() of its file names.
SET_ORDERED = not hasattr(tf_stack, "GraphDebugInfoBuilder")
LIMITS = (0, 1, 3, 10, 25)
SYNTH_MARKER = "__synth_marker__"
# TF's StackTrace objects resolve code objects lazily and do not keep them
# alive: the synthetic functions must outlive every trace captured below them.
_KEEP_ALIVE: list[Any] = []


# --------------------------------------------------------------------------
# Synthetic stack traces: real tf_stack.StackTrace objects with chosen frames.


def _make_fn(filename: str, lineno: int, name: str) -> Callable[..., Any]:
    """A function defined in `filename` whose call to the next one is on `lineno`."""
    tree = ast.parse("def f(*k):\n    return k[0](*k[1:])\n")
    ast.increment_lineno(tree.body[0].body[0], lineno - 2)  # type: ignore[attr-defined]
    code = compile(tree, filename, "exec")
    fcode = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    fcode = fcode.replace(co_name=name, co_qualname=name)
    return types.FunctionType(fcode, {})


def _call_through(frames: Sequence[FrameT], innermost: Callable[[], Any]) -> Any:
    """Calls `innermost()` below Python frames exactly equal to `frames`.

    Only frames of this file (outer) and the C-implemented `innermost` callable
    surround them.
    """
    fns = [_make_fn(*f) for f in frames]
    _KEEP_ALIVE.append(fns)

    def __synth_marker__() -> Any:  # noqa: N807
        if not fns:
            return innermost()
        return fns[0](*fns[1:], innermost)

    return __synth_marker__()


#: ``tf_stack.extract_stack(stacklevel)`` (2.14 on) or ``extract_stack()`` (2.12, 2.13).
_EXTRACT_STACK: Callable[[], Any] = (
    tf_stack.extract_stack
    if tf_stack.extract_stack.__code__.co_argcount == 0
    else functools.partial(tf_stack.extract_stack, 1)
)


def make_trace(frames: Sequence[FrameT]) -> Any:
    """Returns a tf_stack.StackTrace whose frames are exactly `frames` (outermost first)."""
    tb = _call_through(frames, _EXTRACT_STACK)
    idx = [i for i, fr in enumerate(tb) if fr.name == SYNTH_MARKER]
    assert len(idx) == 1, idx
    out = tb[idx[0] + 1 :]
    got = [(f.filename, f.lineno, f.name) for f in out]
    assert got == [tuple(f) for f in frames], (got, frames)
    return out


def frames_of(tb: Any) -> list[list[Any]]:
    return [[f.filename, f.lineno, f.name] for f in tb]


# --------------------------------------------------------------------------
# Classifier handling.


@contextlib.contextmanager
def patched_classifier(
    prefixes: Sequence[str], framework_patterns: Sequence[str], external_patterns: Sequence[str]
) -> Iterator[None]:
    saved = (
        list(ei._FRAMEWORK_PATH_PREFIXES),
        list(ei._FRAMEWORK_FILENAME_PATTERNS),
        list(ei._EXTERNAL_FILENAME_PATTERNS),
    )
    ei._FRAMEWORK_PATH_PREFIXES[:] = list(prefixes)
    ei._FRAMEWORK_FILENAME_PATTERNS[:] = [re.compile(p) for p in framework_patterns]
    ei._EXTERNAL_FILENAME_PATTERNS[:] = [re.compile(p) for p in external_patterns]
    try:
        yield
    finally:
        ei._FRAMEWORK_PATH_PREFIXES[:] = saved[0]
        ei._FRAMEWORK_FILENAME_PATTERNS[:] = saved[1]
        ei._EXTERNAL_FILENAME_PATTERNS[:] = saved[2]


def current_classifier() -> dict[str, list[str]]:
    return {
        "framework_path_prefixes": list(ei._FRAMEWORK_PATH_PREFIXES),
        "framework_filename_patterns": [p.pattern for p in ei._FRAMEWORK_FILENAME_PATTERNS],
        "external_filename_patterns": [p.pattern for p in ei._EXTERNAL_FILENAME_PATTERNS],
    }


# --------------------------------------------------------------------------
# Recording.


def _text(msg: Any) -> str:
    return str(text_format.MessageToString(msg))


def record(
    case_id: str,
    description: str,
    kind: str,
    func_named_ops: Sequence[tuple[str, Any]],
    expected_bytes: bytes | None = None,
    expected_text: str | None = None,
) -> dict[str, Any]:
    """Runs TF's builder on (func_name, op) pairs (classifier as currently set)."""
    msg = ei.create_graph_debug_info_def(func_named_ops)
    ser = msg.SerializeToString(deterministic=True)
    txt = _text(msg)
    if expected_bytes is not None:
        assert expected_bytes == ser, case_id
    if expected_text is not None:
        assert expected_text == txt, case_id
    ops_json: list[dict[str, Any]] = []
    filenames: list[str] = []
    for func_name, op in func_named_ops:
        tb = op.traceback
        entry: dict[str, Any] = {"func": func_name, "op": op.name}
        if tb is None:
            entry["traceback"] = None
            entry["useful_frames"] = None
        else:
            entry["traceback"] = frames_of(tb)
            entry["useful_frames"] = {
                str(n): frames_of(ei._compute_useful_frames(tb, n)) for n in LIMITS
            }
            entry["defining_frame_index"] = ei._find_index_of_defining_frame(tb)
            for f in tb:
                if f.filename not in filenames:
                    filenames.append(f.filename)
        ops_json.append(entry)
    extra = ["", "/", "<embedded>", "x_test.py", "keras/x.py"]
    for p in ei._FRAMEWORK_PATH_PREFIXES:
        extra += [p, p + "a.py", p + "a_test.py", p.rstrip("/"), p + "<embedded>"]
    for fn in extra:
        if fn not in filenames:
            filenames.append(fn)
    hashes: dict[str, int] = {}
    if SET_ORDERED:  # this release lists files in a set's order: keep what decides it
        for entry in ops_json:
            for f, _, _ in entry["traceback"] or ():
                hashes[f] = hash(f)
    return {
        "id": case_id,
        "description": description,
        "kind": kind,
        **({"filename_hashes": hashes} if SET_ORDERED else {}),
        "classifier": current_classifier(),
        "ops": ops_json,
        "is_framework": [[fn, bool(ei._is_framework_filename(fn))] for fn in filenames],
        "expected_hex": ser.hex(),
        "expected_text": txt,
    }


def fake_op(name: str, frames: Sequence[FrameT] | None) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        name=name, traceback=None if frames is None else make_trace(frames)
    )


# --------------------------------------------------------------------------
# Synthetic cases.

FW = "/opt/tf/python/"
USER = "/home/user/model.py"


def U(n: int, f: str = USER) -> FrameT:  # noqa: N802
    return (f, n, f"user{n}")


def F(n: int, f: str = FW + "ops/math_ops.py") -> FrameT:  # noqa: N802
    return (f, n, f"fw{n}")


DEFAULT_SYNTH = ([FW], [r"<embedded"], [r"_test\.py$"])


def synthetic_cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(
        case_id: str,
        desc: str,
        ops: Sequence[tuple[str, types.SimpleNamespace]],
        classifier: tuple[Sequence[str], Sequence[str], Sequence[str]] = DEFAULT_SYNTH,
    ) -> None:
        with patched_classifier(*classifier):
            out.append(record(case_id, desc, "synthetic", ops))

    base = [U(1), U(2), F(10), F(11), F(12), F(13)]
    add(
        "same_line_three_ops",
        "three ops with identical tracebacks share one trace; a fourth differs",
        [
            ("", fake_op("a", base)),
            ("", fake_op("b", base)),
            ("", fake_op("c", base)),
            ("", fake_op("d", [U(1), U(3), F(10), F(11), F(12), F(13)])),
        ],
    )
    add(
        "deep_recursion_user",
        "25 user frames: only the innermost 10 are kept",
        [("", fake_op("deep", [U(i) for i in range(1, 26)]))],
    )
    add(
        "deep_recursion_then_framework",
        "20 user frames then 6 framework frames: defining frame + 2 inner, 10 in all",
        [("", fake_op("deep", [U(i) for i in range(1, 21)] + [F(i) for i in range(100, 106)]))],
    )
    add(
        "defining_frame_middle",
        "user frame at index 2 of 9: keep outer frames, the defining one and 2 inner",
        [("", fake_op("m", [U(1), U(2), U(3), F(4), F(5), F(6), F(7), F(8), F(9)]))],
    )
    add(
        "user_innermost_short",
        "user frame is innermost; fewer than 10 frames: all kept",
        [("", fake_op("s", [F(1), U(2), F(3), U(4)]))],
    )
    add(
        "all_framework",
        "every frame is framework: defining frame is the outermost, 3 outermost kept",
        [
            ("", fake_op("fw7", [F(i) for i in range(1, 8)])),
            ("", fake_op("fw2", [F(i) for i in range(1, 3)])),
            ("", fake_op("fw1", [F(1)])),
        ],
    )
    add(
        "test_file_under_framework_prefix",
        "*_test.py under a framework prefix is not framework (external wins)",
        [
            (
                "",
                fake_op(
                    "t",
                    [U(1), F(2, FW + "ops/math_ops_test.py"), F(3), F(4), F(5), F(6)],
                ),
            ),
            ("", fake_op("t2", [U(1), F(2, FW + "x_test.pyc"), F(3), F(4), F(5), F(6)])),
        ],
    )
    add(
        "embedded_files",
        "'<embedded' files are framework; '<embedded ..._test.py' is external",
        [
            ("", fake_op("e1", [U(1), ("<embedded stdlib>/x.py", 2, "e"), F(3), F(4), F(5)])),
            ("", fake_op("e2", [U(1), ("<embedded_test.py", 2, "e"), F(3), F(4), F(5)])),
            ("", fake_op("e3", [U(1), ("/a/<embedded>", 2, "e"), F(3), F(4), F(5)])),
        ],
    )
    add(
        "no_traceback_and_empty",
        "ops without traceback are skipped; empty tracebacks share one empty trace",
        [
            ("", fake_op("none1", None)),
            ("", fake_op("empty1", [])),
            ("", fake_op("x", [U(1)])),
            ("", fake_op("none2", None)),
            ("", fake_op("empty2", [])),
        ],
    )
    add(
        "only_no_traceback",
        "all ops lack a traceback: empty message",
        [("", fake_op("n1", None)), ("", fake_op("n2", None))],
    )
    add("empty_input", "no ops at all: empty message", [])
    add(
        "key_ordering",
        "keys op@func with '/', '@', '_' and prefixes of each other",
        [
            ("", fake_op("a", [U(1)])),
            ("", fake_op("a/b", [U(2)])),
            ("", fake_op("a_b", [U(3)])),
            ("", fake_op("a/b/c", [U(4)])),
            ("fn", fake_op("a", [U(5)])),
            ("f/n", fake_op("a/b", [U(6)])),
            ("", fake_op("A", [U(7)])),
            ("", fake_op("a-b", [U(8)])),
            ("", fake_op("a.b", [U(9)])),
            ("", fake_op("", [U(10)])),
        ],
    )
    add(
        "key_collision",
        "'a@b' in '' and 'a' in 'b@' both map to key 'a@b@': the last one wins",
        [
            ("", fake_op("a@b", [U(1)])),
            ("b@", fake_op("a", [U(2)])),
            ("", fake_op("z", [U(3)])),
        ],
    )
    add(
        "duplicate_op_names",
        "same op name twice: the last trace wins, the first trace stays unreferenced",
        [
            ("", fake_op("d", [U(1)])),
            ("", fake_op("d", [U(2)])),
            ("", fake_op("e", [U(1)])),
            ("", fake_op("d", [U(1)])),
        ],
    )
    add(
        "frame_and_file_dedup",
        "frames dedup'd by (file, line, func); files and ids by first appearance",
        [
            ("", fake_op("p", [U(5), U(6)])),
            ("", fake_op("q", [U(7), U(6), U(5)])),
            ("", fake_op("r", [(USER, 5, "other"), ("/home/user/b.py", 5, "user5")])),
            ("", fake_op("s", [U(6), U(5)])),
            ("", fake_op("t", [U(5), U(6), U(7)])),
            ("", fake_op("u", [U(5)])),
            ("", fake_op("v", [U(5), U(5), U(6), U(5)])),
        ],
    )
    add(
        "same_useful_frames_different_traceback",
        "tracebacks differing only outside the kept window share one trace",
        [
            ("", fake_op("w1", [U(100)] + [U(i) for i in range(1, 11)])),
            ("", fake_op("w2", [U(200), U(201)] + [U(i) for i in range(1, 11)])),
            ("", fake_op("w3", [U(1), U(2), F(3), F(4), F(5)])),
            ("", fake_op("w4", [U(1), U(2), F(3), F(4), F(6), F(7)])),
        ],
    )
    add(
        "non_ascii",
        "non-ASCII file, function and op names",
        [
            ("", fake_op("ops/ünï", [("/tmp/модель/ñame.py", 3, "fünc"), F(4)])),
            ("fünctïon", fake_op("日本", [("/tmp/日本語.py", 7, "関数"), ("/tmp/é.py", 1, "é")])),
            ("", fake_op("emoji", [("/tmp/\U0001f600.py", 9, "x"), F(1, FW + "ü.py")])),
        ],
    )
    add(
        "odd_frames",
        "line 0, line 2**31-1, empty function name, empty file name",
        [
            ("", fake_op("z0", [(USER, 0, "")])),
            ("", fake_op("zmax", [("", 2**31 - 1, "f"), (USER, 1, "<lambda>")])),
            ("", fake_op("zfile", [("", 0, "")])),
        ],
    )
    add(
        "func_names",
        "nonempty function names in keys; same op in several functions",
        [
            ("f1", fake_op("a", [U(1)])),
            ("f2", fake_op("a", [U(1)])),
            ("", fake_op("a", [U(2)])),
        ],
    )
    add(
        "custom_classifier",
        "several prefixes, framework and external regexes; external checked first",
        [
            (
                "",
                fake_op(
                    "c1",
                    [
                        ("/app/main.py", 1, "main"),
                        ("/usr/lib/python3.11/runpy.py", 2, "run"),
                        ("/fwx/lib.py", 3, "x"),
                        ("/opt/keras/layers.py", 4, "call"),
                        ("/opt/keras/vendor/thing.py", 5, "v"),
                        ("/fw/contrib/c.py", 6, "c"),
                        ("/fw/core.py", 7, "core"),
                        ("/fw/core.py", 8, "core"),
                    ],
                ),
            ),
            (
                "",
                fake_op(
                    "c2",
                    [
                        ("/app/main.py", 1, "main"),
                        ("/fw/core.py", 7, "core"),
                        ("/opt/keras/layers.py", 4, "call"),
                        ("/usr/lib/python3.11/runpy.py", 2, "run"),
                    ],
                ),
            ),
        ],
        classifier=(["/fw", "/usr/lib/"], [r"keras", r"^/opt/"], [r"vendor", r"^/fw/contrib/"]),
    )
    add(
        "no_classifier",
        "empty classifier: nothing is framework, the innermost frame defines",
        [("", fake_op("n", [F(i) for i in range(1, 15)]))],
        classifier=([], [], []),
    )
    return out


# --------------------------------------------------------------------------
# Real exports through export_meta_graph(save_debug_info=True).


def _export(case_id: str, desc: str, graph: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        with graph.as_default():
            mg = tf.compat.v1.train.export_meta_graph(
                os.path.join(d, "bin.meta"), graph=graph, save_debug_info=True
            )
            tf.compat.v1.train.export_meta_graph(
                os.path.join(d, "txt.meta"), graph=graph, save_debug_info=True, as_text=True
            )
        raw = Path(d, "bin.debug").read_bytes()
        txt = Path(d, "txt.debug").read_text(encoding="utf-8")
    ops = [("", graph.get_operation_by_name(n.name)) for n in mg.graph_def.node]
    return record(case_id, desc, "export", ops, expected_bytes=raw, expected_text=txt)


def _recurse(depth: int, make: Callable[[], Any]) -> Any:
    if depth == 0:
        return make()
    return _recurse(depth - 1, make)


def export_cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    fw_prefix = ei._FRAMEWORK_PATH_PREFIXES[0]

    g = tf.Graph()
    with g.as_default():
        a, b, c = tf.constant(1.0, name="a"), tf.constant(2.0, name="b"), tf.constant(3.0, name="c")
        tf.add(a, b, name="sum")
        tf.add(b, c, name="sum2")
    out.append(_export("export_same_line", "three constants on one line share a trace", g))

    g = tf.Graph()
    with g.as_default():
        _recurse(20, lambda: tf.constant(1.0, name="deep"))
        _recurse(3, lambda: tf.constant(2.0, name="shallow"))
    out.append(_export("export_recursion", "op made 20 calls deep: cut to 10 frames", g))

    g = tf.Graph()
    with g.as_default():
        v = tf.compat.v1.Variable(1.0, name="v")
        inner = tf.Graph()
        with inner.as_default():
            tf.constant(5.0, name="k")
            tf.constant(6.0, name="k2")
        tf.compat.v1.import_graph_def(inner.as_graph_def(), name="imp")
        with tf.name_scope("scope"):
            tf.identity(v, name="id")

        def _double(x: Any) -> Any:
            return x * 2

        tf.function(_double)(tf.constant(3.0, name="arg"))
        tf.compat.v1.train.Saver()
    out.append(
        _export("export_variables_imports", "variables, saver, imported ops (no traceback)", g)
    )

    g = tf.Graph()
    with g.as_default():
        _call_through(
            [("/home/user/app.py", 10, "main"), (fw_prefix + "ops/fake_test.py", 20, "test")],
            functools.partial(tf.constant, 1.0, name="from_test_file"),
        )
        _call_through(
            [("/home/user/app.py", 11, "main"), (fw_prefix + "ops/fake.py", 30, "helper")],
            functools.partial(tf.constant, 2.0, name="from_fw_file"),
        )
        _call_through(
            [("<embedded module>", 5, "emb")],
            functools.partial(tf.constant, 3.0, name="from_embedded"),
        )
        _call_through(
            [("/tmp/ünïcödé/модель.py", 7, "функция")],
            functools.partial(tf.constant, 4.0, name="from_unicode"),
        )
    out.append(
        _export(
            "export_synthetic_files",
            "real ops below *_test.py, framework, <embedded and non-ASCII files",
            g,
        )
    )

    out.append(_export("export_empty_graph", "an empty graph: empty .debug", tf.Graph()))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent.parent / "tests/data/debug_info_cases.json"),
    )
    args = parser.parse_args(argv)
    cases = synthetic_cases() + export_cases()
    ids = [c["id"] for c in cases]
    assert len(set(ids)) == len(ids), ids
    doc = {
        "generator": "scripts/gen_debug_info_cases.py",
        "tensorflow_version": tf.__version__,
        "python_version": sys.version.split()[0],
        "cases": cases,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
