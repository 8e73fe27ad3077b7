"""An installed TensorFlow as a conformance testee: ``python -m conformance.tf.testee``.

The implementation under test is TensorFlow itself, whatever release is installed (written
for 2.12 and later; run with 2.16, 2.19, 2.20 and 2.21, docs/tf-releases.md): for each
``ExportRequest`` this testee rebuilds the case's graph from ``request.program``
(``"builder:<name>"``, a builder of ``conformance.tf.graphs``, or ``"program:<json>"``, a
graph program run by ``conformance.tf.programs.run_program``) in a fresh ``tf.Graph()``,
then calls ``tf.compat.v1.train.export_meta_graph(graph=g, **kwargs)`` in a fresh
temporary working directory (holding the request's pre-state, protocol 2, if it has one:
``conformance.protocol.serving.in_prepared_directory``), and answers with what TF did: the
files, the returned ``MetaGraphDef``, the error (type name and message), the warnings
logged on the ``tensorflow`` logger during the exports, the graph's ``unbound_inputs``
collection afterwards (a str item as itself, any other by its ``repr``) and the caller's
stamped ``meta_info_def``. The ``then`` exports run on the same graph (file
``then<i>.meta`` unless they name one) and stop at the first error. The snapshot in the
request is not the graph exported: the graph is TF's own, rebuilt.

Run with the runner in the project's environment and the testee in another one::

    python -m conformance --testee "/tmp/tf220/bin/python -m conformance.tf.testee" -j 2

(the other environment needs this repository importable, e.g. ``pip install -e . --no-deps``,
and a ``protobuf`` that its TensorFlow accepts). docs/tf-releases.md has the results.

**Arguments.** ``PyValue`` arguments become Python values; a ``ProtoValue`` is parsed
with TensorFlow's own classes (``tf.compat.v1.MetaGraphDef.MetaInfoDef``,
``tf.compat.v1.GraphDef``, ``tf.compat.v1.train.SaverDef``). Arguments that referred to
TF objects when the corpus was recorded (the ``saver_def`` of the i-th saver, the
graph's ``as_graph_def()``) arrive as serialized messages already: the messages TF 2.21
produced then.

**Rebuilding like the recording process did.** The corpus was recorded by long-lived
worker processes (``conformance.tf.worker``) that built many graphs one after the
other, so some names in a graph depend on the process's history, not on the program.
This testee reproduces that state from the request's snapshot, and takes nothing else
from it (``--no-align`` turns this off):

- *the process-wide uid counter* (``ops.uid()``): it numbers tf.function names
  (``__inference_f_123``), control-flow v2 branch and body functions, tf.data functions.
  The testee replaces ``ops.uid`` by a counter of its own and starts it, for each build,
  where the recording process's counter must have been: the number in the first function
  name recorded in the snapshot, minus how many uids this TF release consumes before
  naming that function (learnt by building the program once with the counter at 0, then
  cached per program);
- *the py_func token counter*: ``tf.compat.v1.py_func`` registers its Python function
  under a process-wide token (``pyfunc_<n>``, node attribute ``token``); the counter
  starts at the smallest token recorded in the snapshot;
- *random UUIDs*: ``tf.lookup.StaticHashTable`` names its resource
  ``hash_table_<uuid4>``; the testee hands out the UUIDs recorded in the snapshot's nodes,
  in order;
- *memory addresses*: default ``repr``s of collection items (``<... object at 0x7f..>``)
  appear in TF's errors, warnings and ``unbound_inputs``; the corpus replaces each
  address by a stable one (``0x1``, ``0x2``, ... in order of first appearance in the
  graph's collections, ``scripts/generate_corpus.py``), and so does the testee;
- *hash order*: the recording workers ran with ``PYTHONHASHSEED=0`` (TF adds a variable
  to its collections by iterating a set); the testee re-executes itself with it.

What stays different, even with TensorFlow 2.21 itself: the debug files (``.debug``)
record the Python stack of each node's creation, which starts in this module instead of
``conformance/tf/worker.py`` (and, for another release, runs through its own TF sources
at other paths and lines).

**Imports.** TensorFlow, ``conformance.tf.graphs``, ``conformance.tf.programs``, the protocol
package ``conformance.protocol`` (framing, argument codec, the testee's loop) and the
schemas ``conformance.protocol.conformance_pb2`` and ``refimpl.pb.snapshot_pb2``, which
define no ``tensorflow.*`` message, so they live beside TF's own protos; never
``refimpl.pb.tensorflow``. When the protobuf runtime is older than those generated
modules (older TF releases pin an older protobuf), the message classes are built from
the descriptors embedded in them instead (``conformance.protocol.schema``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import sys
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO

from conformance.protocol import PROTOCOL_VERSION, file_states, serving
from conformance.protocol.schema import load_messages, protocol_messages
from conformance.protocol.values import decode_arguments, message_builder
from conformance.tf.logged_warnings import collect_warnings

__all__ = ["Rebuilder", "TFTestee", "main", "serve"]

_HASH_SEED = "0"
_NUMBERED = re.compile(r"^(.*)_(\d+)$")
_PYFUNC = re.compile(rb"pyfunc_(\d+)")
_UUID = re.compile(rb"hash_table_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
#: A uid-derived suffix is small when the counter starts at 0; a larger one is something
#: else (e.g. a legacy Defun's hash that happens to be all digits).
_MAX_UID_OFFSET = 10**6


# -- arguments ---------------------------------------------------------------------------
def proto_classes(tf: Any) -> dict[str, Any]:
    """TensorFlow's own classes of the ``ProtoValue`` types."""
    return {
        "tensorflow.MetaGraphDef.MetaInfoDef": tf.compat.v1.MetaGraphDef.MetaInfoDef,
        "tensorflow.GraphDef": tf.compat.v1.GraphDef,
        "tensorflow.SaverDef": tf.compat.v1.train.SaverDef,
    }


# -- rebuilding the graph ----------------------------------------------------------------
class SkipCase(Exception):
    """The case cannot be run here (no program, or the graph cannot be rebuilt)."""


_DUPLICATE = "Attempting to add a duplicate function"


class _Collision(Exception):
    """A build met a function of an earlier graph under the same name."""


class _Uids:
    """A replacement of ``ops.uid``: a counter the testee can set."""

    def __init__(self) -> None:
        self.next = 0

    def __call__(self) -> int:
        value = self.next
        self.next += 1
        return value


class _RecordedUuids:
    """A stand-in of the ``uuid`` module that hands out recorded UUIDs first."""

    def __init__(self, recorded: list[str]) -> None:
        self.recorded = list(recorded)
        self.UUID = uuid.UUID

    def uuid4(self) -> uuid.UUID:
        if self.recorded:
            return uuid.UUID(self.recorded.pop(0))
        return uuid.uuid4()


class Rebuilder:
    """Builds case graphs in this process, in the recording process's state (see above)."""

    def __init__(self, tf: Any, *, align: bool = True) -> None:
        from tensorflow.python.framework import ops
        from tensorflow.python.ops import lookup_ops, script_ops

        self.tf = tf
        self.align = align
        self.uids = _Uids()
        self._ops = ops
        self._lookup_ops = lookup_ops
        self._script_ops = script_ops
        if align:
            ops.uid = self.uids
        #: program -> [(name without its number, uid offset)] of its functions, counter at 0.
        self._offsets: dict[str, list[tuple[str, int]]] = {}
        self._snapshot_cls: Any = None

    def _snapshot(self, data: bytes) -> Any:
        if self._snapshot_cls is None:
            self._snapshot_cls = load_messages("refimpl.pb.snapshot_pb2").GraphSnapshot
        return self._snapshot_cls.FromString(data)

    def _build_once(self, program: str, uuids: list[str], pyfunc: int | None = None) -> Any:
        from conformance.tf import graphs, programs

        tf = self.tf
        registry: Any = getattr(self._script_ops, "_py_funcs", None)
        if pyfunc is not None and hasattr(registry, "_unique_id"):
            registry._unique_id = pyfunc
        g = tf.Graph()
        patch = contextlib.nullcontext() if not uuids else _patched(
            self._lookup_ops, "uuid", _RecordedUuids(uuids)
        )
        with patch, g.as_default():
            if program.startswith("builder:"):
                name = program.removeprefix("builder:")
                if name not in graphs.BUILDERS:
                    raise SkipCase(f"unknown graph builder {name!r}")
                try:
                    graphs.BUILDERS[name](tf)
                except Exception as e:  # noqa: BLE001 - this release cannot build it
                    if _DUPLICATE in str(e):
                        raise _Collision() from None
                    raise SkipCase(
                        f"graph not rebuilt by TensorFlow {tf.version.VERSION}: "
                        f"{type(e).__name__}: {_short(str(e))}"
                    ) from None
            elif program.startswith("program:"):
                trace = programs.run_program(tf, json.loads(program.removeprefix("program:")))
                if any(_DUPLICATE in line for line in trace):
                    raise _Collision()
            else:
                raise SkipCase(
                    "the request carries no program to rebuild the graph from"
                    if not program
                    else f"unknown program kind {program.split(':', 1)[0]!r}"
                )
        return g

    def _build(self, program: str, uuids: list[str], pyfunc: int | None = None) -> Any:
        start = self.uids.next
        try:
            return self._build_once(program, uuids, pyfunc)
        except _Collision:
            # A function of an earlier case's graph, not yet garbage-collected, is still
            # registered process-wide under a name this build reuses (the uid counter
            # went back): collect it, build again.
            gc.collect()
            self.uids.next = start
            return self._build_once(program, uuids, pyfunc)

    def build(self, program: str, snapshot: bytes) -> Any:
        """The graph of ``program``, rebuilt (a new ``tf.Graph``)."""
        if not self.align or not snapshot:
            return self._build(program, [])
        snap = self._snapshot(snapshot)
        nodes = [op.node_def for op in snap.operations]
        nodes += [f.definition for f in snap.functions]
        uuids = list(dict.fromkeys(m.decode() for n in nodes for m in _UUID.findall(n)))
        tokens = [int(m) for n in nodes for m in _PYFUNC.findall(n)]
        pyfunc = min(tokens) if tokens else None
        expected = [f.name for f in snap.functions]
        self.uids.next = 0
        if expected and program not in self._offsets:
            g = self._build(program, uuids, pyfunc)
            self._offsets[program] = _numbered(_function_names(g))
            if _function_names(g) == expected:
                return g
            del g
        self.uids.next = _counter_start(expected, self._offsets.get(program, []))
        return self._build(program, uuids, pyfunc)


def _function_names(g: Any) -> list[str]:
    """The graph's functions, in definition order (as the snapshot lists them)."""
    return [str(name) for name in getattr(g, "_functions", {})]


def _numbered(names: list[str]) -> list[tuple[str, int]]:
    out = []
    for name in names:
        m = _NUMBERED.match(name)
        if m and int(m.group(2)) < _MAX_UID_OFFSET:
            out.append((m.group(1), int(m.group(2))))
    return out


def _counter_start(expected: list[str], offsets: list[tuple[str, int]]) -> int:
    """Where to start the uid counter so that the functions get the recorded numbers."""
    recorded = [(m.group(1), int(m.group(2))) for n in expected if (m := _NUMBERED.match(n))]
    for prefix, offset in offsets:
        for name, number in recorded:
            if name == prefix:
                return number - offset
    return 0


@contextlib.contextmanager
def _patched(module: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- one request -------------------------------------------------------------------------
def address_map(g: Any) -> dict[str, str]:
    """Memory address in a collection ``repr`` -> the corpus's stable one (``0x1``, ...),
    in order of first appearance: each collection's key, then its items."""
    mapping: dict[str, str] = {}
    for key in list(g.collections):
        texts = [] if isinstance(key, (str, bytes)) else [repr(key)]
        texts += [repr(x) for x in g.get_collection(key)]
        for text in texts:
            for m in _ADDRESS.finditer(text):
                mapping.setdefault(m.group(0), f" at 0x{len(mapping) + 1:x}>")
    return mapping


class TFTestee:
    """Answers requests with the installed TensorFlow."""

    def __init__(self, *, align: bool = True) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf

        self.tf = tf
        self.pb = protocol_messages()
        self.build_message = message_builder(proto_classes(tf))
        self.rebuilder = Rebuilder(tf, align=align)
        self.align = align

    def handshake(self) -> Any:
        """Protocol 2, every feature, the installed TF as the version targeted."""
        version = self.tf.version.VERSION
        return self.pb.Handshake(
            protocol_version=PROTOCOL_VERSION,
            implementation=f"TensorFlow {version} (tf.compat.v1.train.export_meta_graph; "
            "graphs rebuilt from the case programs)",
            target_tensorflow_version=version,
            features=["*"],
        )

    def handle(self, request: Any) -> Any:
        """The response to one request."""
        response = self.pb.ExportResponse(case_name=request.case_name)
        try:
            exports = [
                decode_arguments(a, self.build_message) for a in (request.arguments, *request.then)
            ]
            for i, kwargs in enumerate(exports[1:]):
                kwargs.setdefault("filename", f"then{i}.meta")
            g = self.rebuilder.build(request.program, request.snapshot)
        except SkipCase as e:
            response.skipped = str(e)
            return response
        except ValueError as e:
            response.skipped = f"cannot read the request: {e}"
            return response
        if request.HasField("pre_state"):
            data, after = serving.in_prepared_directory(
                lambda: self.run_exports(g, exports).SerializeToString(),
                file_states.entries_of(request.pre_state),
                prefix="tf-testee-",
            )
            response.outcome.ParseFromString(data)
            file_states.fill_after_state(response.outcome, after)
            return response
        outcome, files = serving.in_fresh_directory(
            lambda: self.run_exports(g, exports), prefix="tf-testee-"
        )
        for path, content in files:
            outcome.files[path] = content
        response.outcome.CopyFrom(outcome)
        return response

    def run_exports(self, g: Any, exports: list[dict[str, Any]]) -> Any:
        """Runs the exports of ``g`` in the current directory; the outcome without files."""
        tf = self.tf
        out = self.pb.Outcome()
        addresses = address_map(g) if self.align else {}

        def stable(text: str) -> str:
            return _ADDRESS.sub(lambda m: addresses.get(m.group(0), m.group(0)), text)

        returned: Any = None
        error: Exception | None = None
        with g.as_default(), collect_warnings() as warnings:
            try:
                for i, kwargs in enumerate(exports):
                    result = tf.compat.v1.train.export_meta_graph(graph=g, **kwargs)
                    if i == 0:
                        returned = result
            except Exception as e:  # noqa: BLE001 - every exception is part of the outcome
                error = e
        if error is not None:
            out.error.type = type(error).__name__
            out.error.message = stable(str(error))
        else:
            if returned is not None:
                out.returned_meta_graph_def = returned.SerializeToString(deterministic=True)
            info: Any = exports[0].get("meta_info_def")
            if hasattr(info, "SerializeToString"):
                out.meta_info_def_after = info.SerializeToString(deterministic=True)
        out.warnings.extend(stable(w) for w in warnings)
        for item in g.get_collection("unbound_inputs"):
            out.unbound_inputs_after.append(item if isinstance(item, str) else stable(repr(item)))
        return out


def serve(testee: TFTestee, inp: BinaryIO, out: BinaryIO) -> None:
    """The protocol loop: Hello -> Handshake, then requests until end of input."""
    serving.serve(inp, out, testee.pb, testee.handshake, testee.handle)


def main(argv: list[str] | None = None) -> int:
    """Runs the testee on stdin/stdout; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m conformance.tf.testee",
        description="The installed TensorFlow as a conformance testee "
        "(docs/conformance-protocol.md): graphs rebuilt from the case programs, exported "
        "with tf.compat.v1.train.export_meta_graph.",
    )
    parser.add_argument(
        "--no-align", action="store_true",
        help="do not reproduce the recording process's uid counter, table UUIDs and "
        "addresses from the request's snapshot",
    )
    args = parser.parse_args(argv)
    if os.environ.get("PYTHONHASHSEED") != _HASH_SEED:
        # Collection order depends on set iteration: record it as the corpus workers did.
        env = dict(os.environ, PYTHONHASHSEED=_HASH_SEED)
        command = [sys.executable, "-m", "conformance.tf.testee", *(argv or sys.argv[1:])]
        os.execve(sys.executable, command, env)
    return serving.main(
        "conformance.tf.testee",
        lambda inp, out: serve(TFTestee(align=not args.no_align), inp, out),
    )


if __name__ == "__main__":
    sys.exit(main())
