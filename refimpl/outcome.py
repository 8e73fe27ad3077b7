"""A sequence of exports of one graph, run as TF runs them: ``run_exports`` -> ``Outcome``.

This is what a conformance case asks of an exporter (docs/conformance-protocol.md, section
4.3): export the graph, then export it again for each ``then`` argument set, each time on
the graph state the previous export left (TF rewrites the graph's ``unbound_inputs``
collection, rule 3.3), stopping at the first error (TF raises it). ``Outcome`` holds what
the protocol's ``metagraph_ref.Outcome`` holds (``Outcome.to_proto``). It is the one way
the suite runs refimpl on a case: the testee (``refimpl.testee``), the corpus API
(``conformance.corpus.run_case``) and the live-TF comparison
(``conformance.tf.responses.refimpl_outcome``) all call it.

How TF behaves, as the TF worker (``conformance/tf/worker.py``) records it and the corpus
shows: an export that fails after writing its meta file (the debug step, rule 10.3.4)
raises like any other, so its files exist but it returns nothing, and no later export
runs; the returned MetaGraphDef and the caller's stamped ``meta_info_def`` count only
when no export raised.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from google.protobuf.message import Message

from conformance.protocol import conformance_pb2
from refimpl import rules
from refimpl.collection_items import item_text
from refimpl.export import ExportResult, plan_call
from refimpl.output import write_file
from refimpl.snapshot import Snapshot

__all__ = ["Outcome", "run_exports"]

#: The collection whose items ``Outcome.unbound_inputs_after`` reports (TF's default name).
UNBOUND_INPUTS = "unbound_inputs"


@dataclass(frozen=True)
class Outcome:
    """What a sequence of exports produced, as the conformance protocol compares it."""

    #: Every file the exports wrote: its path as given, normalized (``os.path.normpath``,
    #: ``/`` separators; relative to the working directory unless absolute) -> its final
    #: content (a later write of the same path replaces the earlier one), in order of
    #: first write.
    files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    #: The first export's MetaGraphDef, deterministically serialized; None if any export
    #: raised (TF's value is then not compared).
    returned: bytes | None = None
    #: The exception an export raised: (type name, ``str(exception)``); None if none did.
    error: tuple[str, str] | None = None
    #: Every warning the exports logged, in order (the logged message text).
    warnings: tuple[str, ...] = ()
    #: The graph's ``unbound_inputs`` collection after the last export that completed: a
    #: str item as itself, any other as its ``repr``. Empty if none completed.
    unbound_inputs_after: tuple[str, ...] = ()
    #: The caller's ``meta_info_def`` as the first export stamped it, serialized
    #: deterministically; None without one, or if any export raised.
    meta_info_def_after: bytes | None = None
    #: With ``trace=True``: the numbered rules of spec.md applied, in order of first use.
    rules: tuple[str, ...] = ()

    def to_proto(self) -> conformance_pb2.Outcome:
        """The protocol's ``metagraph_ref.Outcome`` (schema: the protocol package
        ``conformance.protocol``, which imports nothing but protobuf)."""
        out = conformance_pb2.Outcome()
        for path in sorted(self.files):
            out.files[path] = self.files[path]
        if self.returned is not None:
            out.returned_meta_graph_def = self.returned
        if self.error is not None:
            out.error.type, out.error.message = self.error
        out.warnings.extend(self.warnings)
        out.unbound_inputs_after.extend(self.unbound_inputs_after)
        if self.meta_info_def_after is not None:
            out.meta_info_def_after = self.meta_info_def_after
        return out


def run_exports(
    graph: Snapshot,
    exports: Sequence[Mapping[str, object]],
    *,
    write: bool = True,
    trace: bool = False,
) -> Outcome:
    """Runs ``exports`` (keyword arguments of ``export_meta_graph``, ``filename`` included)
    on ``graph``, in order, each on the graph state the previous one left, and stops at the
    first error.

    ``exports[i]`` for ``i >= 1`` (the protocol's ``then`` exports) write ``then<i-1>.meta``
    unless they name a ``filename`` (``None`` included). With ``write`` (the default) each
    export's files are written in the current working directory (relative paths), as TF
    writes them, before its error is raised; a failing write (rules 10.3.2, 10.3.3) is the
    error, and the files it did not write are not in ``Outcome.files``. Without ``write``
    nothing touches the disk (the files are planned only, so a write that would fail on the
    file system does not). Warnings are returned, not logged.
    """
    if not trace:
        return _run(graph, exports, write)
    with rules.tracing() as applied:
        outcome = _run(graph, exports, write)
    return dataclasses.replace(outcome, rules=applied.rules)


def _run(graph: Snapshot, exports: Sequence[Mapping[str, object]], write: bool) -> Outcome:
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    completed: list[ExportResult] = []
    error: Exception | None = None
    state = graph
    for i, arguments in enumerate(exports):
        kwargs = dict(arguments)
        if i > 0:
            kwargs.setdefault("filename", f"then{i - 1}.meta")
        try:
            result = plan_call(state, **kwargs)
        except TypeError as e:  # Python's binding of the keywords (e.g. a second `graph`)
            error = e
            break
        warnings.extend(w.text() for w in result.warnings)
        error = result.error
        for planned in result.files:
            if write:
                try:
                    write_file(planned)
                except Exception as e:  # noqa: BLE001 - TF raises what the file system does
                    error = e
                    break
            if not planned.directories_only:
                files[_file_key(planned.path)] = planned.content
        if error is not None:
            break
        completed.append(result)
        state = result.graph
    first = completed[0] if completed and error is None else None
    return Outcome(
        files=MappingProxyType(files),
        returned=None if first is None else _serialized(first.meta_graph_def),
        error=None if error is None else (type(error).__name__, str(error)),
        warnings=tuple(warnings),
        unbound_inputs_after=(
            tuple(item_text(x) for x in completed[-1].graph.get_collection(UNBOUND_INPUTS))
            if completed
            else ()
        ),
        meta_info_def_after=(
            None
            if first is None or first.meta_info_def is None
            else _serialized(first.meta_info_def)
        ),
    )


def _serialized(message: Message) -> bytes:
    return message.SerializeToString(deterministic=True)


def _file_key(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")
