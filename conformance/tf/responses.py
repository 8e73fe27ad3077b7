"""What a TF worker answered, as the rest of the suite reads it (no TensorFlow here).

A TF worker (``conformance.tf.worker``) builds a case's graph, captures its snapshot and
exports it with TF; its response is a pickled dict. This module turns a request and its
response into:

- ``outcome_from_response``: TF's outcome, the protocol's ``metagraph_ref.Outcome``;
- ``to_arguments``: the arguments of an export as ``ExportArguments``, as the corpus
  records them (the messages TF actually received, never a worker spec);
- ``refimpl_exports`` / ``refimpl_outcome``: the same exports for refimpl, and refimpl's
  outcome on the captured snapshot (``refimpl.run_exports``; the exporter is loaded then).

An item of the graph's ``unbound_inputs`` collection is recorded as itself if it is a
str, else as its ``repr()``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from conformance.corpus.arguments import PROTO_TYPES, to_py_value
from conformance.protocol.conformance_pb2 import ExportArguments, ExportRequest, Outcome
from conformance.protocol.file_states import fill_state, normalize_temp_names
from conformance.protocol.values import PROTO_ARGUMENTS

__all__ = [
    "NAMED_PARAMETERS",
    "outcome_from_response",
    "refimpl_exports",
    "refimpl_outcome",
    "to_arguments",
]

#: Keyword parameters that export_meta_graph binds by name. The relative order of any
#: other keywords is observable (spec.md rule 2.5); ``ExportArguments.kwargs`` is a map,
#: so its arguments are read back in sorted order and ``to_arguments`` refuses
#: arguments whose extra keywords are in another order.
NAMED_PARAMETERS: frozenset[str] = frozenset(
    {
        "filename",
        "meta_info_def",
        "graph_def",
        "saver_def",
        "collection_list",
        "as_text",
        "graph",
        "export_scope",
        "clear_devices",
        "clear_extraneous_savers",
        "strip_default_attrs",
        "save_debug_info",
        "unbound_inputs_col_name",
    }
)


def _message(name: str, response: Mapping[str, Any]) -> Any:
    """The message TF received for proto-valued argument ``name``, as refimpl's class; or
    None if the response carries none. Its type is the parameter's unless the response
    names another (``<name>_type``: a message of the wrong type, spec.md 2.6)."""
    type_name = PROTO_ARGUMENTS.get(name)
    data = response.get(name)
    if type_name is None or not isinstance(data, bytes):
        return None
    return PROTO_TYPES[response.get(f"{name}_type", type_name)].FromString(data)


def to_arguments(args: Mapping[str, Any], response: Mapping[str, Any]) -> ExportArguments:
    """The arguments of one export as ``ExportArguments``.

    ``args`` are the arguments as the TF worker request gave them (JSON-like values,
    proto-valued ones possibly as worker specs such as ``{"text": ...}``); ``response``
    is the worker's response, whose ``meta_info_def`` / ``graph_def`` / ``saver_def``
    bytes are the messages TF actually received: those become ``ProtoValue``s (parsed
    with refimpl's class and re-serialized deterministically, since TF's serializer
    orders map entries arbitrarily; the message is the same), so a spec never reaches
    the corpus. Pass ``{}`` as ``response`` for arguments without
    resolved messages (e.g. the ``then`` exports). Include ``filename`` in ``args``:
    an absent argument means TF's default (``filename=None`` writes nothing).

    Raises ``ValueError`` for a spec TF did not resolve, for ``graph`` (the graph is
    the case's snapshot), and for extra keywords that are not in sorted order (their
    order is observable, rule 2.5, and ``ExportArguments.kwargs`` is a map).
    """
    out = ExportArguments()
    extra = [k for k in args if k not in NAMED_PARAMETERS]
    if extra != sorted(extra):
        raise ValueError(f"extra keywords {extra} are not in sorted order")
    if "graph" in args:
        raise ValueError("the graph argument cannot be represented: it is the snapshot")
    for name, value in args.items():
        message = _message(name, response)
        if message is not None:
            value = message
        elif name in PROTO_ARGUMENTS and isinstance(value, dict) and value:
            raise ValueError(f"argument {name}={value!r} was not resolved by TF")
        out.kwargs[name].CopyFrom(to_py_value(value))
    return out


def refimpl_exports(
    request: Mapping[str, Any], response: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The request's exports as ``refimpl.run_exports`` takes them: the first with the
    request's ``filename`` (default ``model.meta``, as the worker) and the messages TF
    received (refimpl's classes), then the ``then`` argument sets as given."""
    first = {"filename": request.get("filename", "model.meta"), **request.get("args", {})}
    for name in PROTO_ARGUMENTS:
        message = _message(name, response)
        if message is not None:
            first[name] = message
    return [first, *(dict(more) for more in request.get("then", []))]


def refimpl_outcome(request: Mapping[str, Any], response: Mapping[str, Any]) -> Outcome:
    """refimpl's outcome on the snapshot TF's worker captured, with the request's exports
    (planned only: nothing is written); with a ``pre_state`` (protocol 2), run for real by
    refimpl's testee in a directory holding it, the after-state listed."""
    import refimpl

    if "pre_state" in request:
        from refimpl import testee

        export = ExportRequest(case_name="live", snapshot=response["snapshot"])
        first = {"filename": request.get("filename", "model.meta"), **request.get("args", {})}
        export.arguments.CopyFrom(to_arguments(first, response))
        export.then.extend(to_arguments(more, {}) for more in request.get("then", []))
        export.pre_state.SetInParent()
        fill_state(export.pre_state, request["pre_state"])
        return testee.handle(export).outcome

    graph = refimpl.load_snapshot(response["snapshot"])
    return refimpl.run_exports(graph, refimpl_exports(request, response), write=False).to_proto()


def outcome_from_response(response: Mapping[str, Any]) -> Outcome:
    """TF's outcome, from a TF worker response (``conformance.tf.worker``).

    The returned MetaGraphDef and the caller's stamped ``meta_info_def`` are recorded
    only when TF raised no error (as ``Outcome`` documents); the files, warnings and
    the graph's ``unbound_inputs`` collection always, and with a pre-state (protocol 2)
    the symbolic links and directories left. The error message's random temporary-file
    suffix is made stable (``file_states.normalize_temp_names``).
    """
    out = Outcome()
    for path in sorted(response.get("files", {})):
        out.files[path] = response["files"][path]
    for path in sorted(response.get("symlinks", {})):
        out.symlinks[path] = response["symlinks"][path]
    out.directories.extend(response.get("directories", []))
    error = response.get("error")
    if error is not None:
        out.error.type, out.error.message = error[0], normalize_temp_names(error[1])
    else:
        if response.get("returned") is not None:
            out.returned_meta_graph_def = response["returned"]
        if response.get("meta_info_def_after") is not None:
            out.meta_info_def_after = response["meta_info_def_after"]
    out.warnings.extend(response.get("warnings", []))
    reprs = response.get("unbound_after_repr")
    if reprs is not None:
        out.unbound_inputs_after.extend(_str_or_repr(r) for r in reprs)
    else:
        out.unbound_inputs_after.extend(response.get("unbound_after", []))
    return out


def _str_or_repr(text: str) -> str:
    """The str whose repr is ``text``, or ``text`` itself if it is not a str's repr."""
    if text[:1] in ("'", '"'):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(value, str):
            return value
    return text
