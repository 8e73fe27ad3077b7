"""A long-lived TensorFlow worker: builds a graph, captures it, exports it with TF.

Run as ``python -m conformance.tf.worker``. It reads requests from stdin and
writes responses to stdout, each a frame of the testee protocol
(``conformance.protocol.framing``: a 4-byte little-endian length) carrying a
pickled dict (both ends are this package). A request names a graph builder
from ``conformance.tf.graphs`` (``"graph"``) or carries a graph program
(``"program"``, see ``conformance.tf.programs``), and the export arguments (JSON-like; proto-valued
arguments are given in text format or by reference, see ``_resolve_args``).
The response carries the snapshot (captured *before* the export, since TF's
export mutates the graph), TF's files, TF's returned MetaGraphDef, the
exception TF raised (type and message) and TF's logged warnings.

This process imports TensorFlow and our snapshot schema only; never our
``tensorflow.*`` schemas.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from typing import Any

from conformance.protocol.framing import ProtocolError, read_frame, write_frame
from conformance.tf.logged_warnings import collect_warnings


def _resolve_args(tf: Any, graph: Any, args: dict[str, Any]) -> dict[str, Any]:
    from google.protobuf import text_format

    out = dict(args)
    classes = {
        "meta_info_def": tf.compat.v1.MetaGraphDef.MetaInfoDef,
        "saver_def": tf.compat.v1.train.SaverDef,
        "graph_def": tf.compat.v1.GraphDef,
    }
    for name in classes:
        spec = args.get(name)
        if isinstance(spec, dict):
            if "text" in spec:  # {"as": other parameter}: a message of that one's type
                out[name] = text_format.Parse(spec["text"], classes[spec.get("as", name)]())
            elif "saver" in spec:  # the saver_def of the i-th saver in the "savers" collection
                out[name] = graph.get_collection("savers")[spec["saver"]].saver_def
            elif "as_graph_def" in spec:
                out[name] = graph.as_graph_def(add_shapes=bool(spec["as_graph_def"]))
    return out


# -- graph programs (conformance.tf.programs), an alternative to named builders ---------------
def _build_program(
    tf: Any, graph: Any, request: dict[str, Any], response: dict[str, Any]
) -> dict[str, Any]:
    """Builds ``request["program"]``; returns the request's arguments, fitted to the graph.

    The interpreter's trace goes to ``response["program_trace"]``. A saver reference
    ``{"saver": i}`` is taken modulo the number of savers that have a SaverDef in the
    "savers" collection (it is dropped when there is none); the fitted arguments go to
    ``response["args"]``, and the client must give refimpl those.
    """
    from conformance.tf import programs

    response["program_trace"] = programs.run_program(tf, request["program"])
    args = dict(request.get("args", {}))
    spec = args.get("saver_def")
    if isinstance(spec, dict) and "saver" in spec:
        items = graph.get_collection("savers")
        savers = [i for i, x in enumerate(items) if getattr(x, "saver_def", None) is not None]
        if savers:
            args["saver_def"] = {"saver": savers[spec["saver"] % len(savers)]}
        else:
            del args["saver_def"]
    response["args"] = args
    return args


def neutral_exports(tf: Any, graph: Any) -> list[bytes]:
    """TF's exports of ``graph`` that change nothing in it: default path and a rebuild path.

    Compared before and after a capture, they show whether the capture left a trace that
    TF's own export would see.
    """
    from google.protobuf import text_format

    out = []
    with graph.as_default():
        for kwargs in ({}, {"clear_devices": True, "unbound_inputs_col_name": None}):
            try:
                mgd = tf.compat.v1.train.export_meta_graph(graph=graph, **kwargs)
            except Exception as e:  # noqa: BLE001  (some graphs cannot be exported)
                out += [repr(e).encode()] * 2  # in place of both forms
                continue
            out.append(mgd.SerializeToString(deterministic=True))
            out.append(text_format.MessageToString(mgd).encode())
    return out


def _export(tf: Any, g: Any, args: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """TF's exports of ``g`` in the current directory: the response's ``returned``,
    ``error``, ``meta_info_def_after``, ``unbound_after``, ``unbound_after_repr`` and
    ``export_warnings`` (picklable: with a read-only pre-state this runs in a child process,
    ``conformance.protocol.file_states.run_unprivileged``)."""
    out: dict[str, Any] = {}
    warnings: list[str] = []
    with g.as_default():
        filename = request.get("filename", "model.meta")
        try:
            with collect_warnings(warnings):
                ret = tf.compat.v1.train.export_meta_graph(filename=filename, graph=g, **args)
                out["returned"] = ret.SerializeToString(deterministic=True)
                # Later exports of the same graph ("then"), e.g. to see state leak.
                for i, more in enumerate(request.get("then", [])):
                    tf.compat.v1.train.export_meta_graph(
                        filename=f"then{i}.meta", graph=g, **_resolve_args(tf, g, more)
                    )
        except Exception as e:  # noqa: BLE001
            out["error"] = (type(e).__name__, str(e))
        if hasattr(args.get("meta_info_def"), "SerializeToString"):
            # TF stamps the caller's object: report it as TF left it.
            out["meta_info_def_after"] = args["meta_info_def"].SerializeToString(deterministic=True)
        unbound = g.get_collection("unbound_inputs")
        out["unbound_after"] = [str(x) for x in unbound]
        # Exact for items of any type (str() is lossy).
        out["unbound_after_repr"] = [repr(x) for x in unbound]
    out["export_warnings"] = warnings
    return out


def _files_here() -> dict[str, bytes]:
    """Every file under the current directory: normalized relative path -> bytes."""
    files = {}
    for root, _, names in os.walk("."):
        for n in names:
            p = os.path.normpath(os.path.join(root, n))
            with open(p, "rb") as f:
                files[p] = f.read()
    return files


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Builds, captures and exports one case; never raises.

    The request may name the capture condition (``"capture"``, one of
    ``conformance.tf.capture_conditions.CONDITIONS``; the graph is built and exported in its
    own context whatever the condition), and ask (``"check_neutral"``) for TF's neutral
    exports of the graph before and after the capture (``neutral_exports``), and for
    more captures of the same graph under other conditions (``"also_capture"``, a list;
    the response maps each to its snapshot). With ``"pre_state"`` (a list of
    ``conformance.protocol.file_states.Entry``, protocol 2) the export runs in a directory
    holding it, as refimpl's testee runs it, and the response's ``files``, ``symlinks`` and
    ``directories`` list everything there afterwards.
    """
    import tensorflow as tf

    from conformance.tf import graphs
    from conformance.tf.capture_conditions import DEFAULT, capture_under

    response: dict[str, Any] = {"tf_version": tf.version.VERSION}
    warnings: list[str] = []
    try:
        g = tf.Graph()
        with g.as_default():
            if "program" in request:
                request_args = _build_program(tf, g, request, response)
            else:
                graphs.BUILDERS[request["graph"]](tf)
                request_args = request.get("args", {})
            args = _resolve_args(tf, g, request_args)
            for name in ("meta_info_def", "saver_def", "graph_def"):
                if hasattr(args.get(name), "SerializeToString"):
                    response[name] = args[name].SerializeToString()
                    response[f"{name}_type"] = args[name].DESCRIPTOR.full_name
        condition = request.get("capture", DEFAULT)
        response["capture"] = condition
        if request.get("check_neutral"):
            response["exports_before_capture"] = neutral_exports(tf, g)
        response["snapshot"] = capture_under(tf, g, condition)
        if request.get("check_neutral"):
            response["exports_after_capture"] = neutral_exports(tf, g)
        if "also_capture" in request:
            response["snapshots_by_condition"] = {
                c: capture_under(tf, g, c) for c in request["also_capture"]
            }
        pre_state = request.get("pre_state")
        if pre_state is None:
            with tempfile.TemporaryDirectory() as tmp:
                cwd = os.getcwd()
                os.chdir(tmp)
                try:
                    response.update(_export(tf, g, args, request))
                    response["files"] = _files_here()
                finally:
                    os.chdir(cwd)
        else:  # protocol 2: the same as refimpl's testee does it (one copy)
            from conformance.protocol.serving import in_prepared_directory

            result, after = in_prepared_directory(
                lambda: _export(tf, g, args, request), pre_state, prefix="tf-worker-"
            )
            response.update(result)
            response["files"] = dict(after.files)
            response["symlinks"] = dict(after.symlinks)
            response["directories"] = list(after.directories)
        warnings = response.pop("export_warnings")
    except Exception as e:  # noqa: BLE001
        import traceback

        response["worker_error"] = traceback.format_exc() + repr(e)
    response["warnings"] = warnings
    return response


def main() -> None:
    """Serves requests until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # keep stray prints out of the protocol
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # conformance.tf.capture_conditions.worker_env: the process-wide mode of a condition.
    if os.environ.get("METAGRAPH_TF_V2") == "0":
        import tensorflow as tf

        tf.compat.v1.disable_v2_behavior()
    if os.environ.get("METAGRAPH_TF_EAGER") == "0":
        import tensorflow as tf

        tf.compat.v1.disable_eager_execution()
    while True:
        try:
            frame = read_frame(stdin)
        except ProtocolError:  # the client went away in the middle of a request
            return
        if frame is None:
            return
        write_frame(stdout, pickle.dumps(handle(pickle.loads(frame))))


if __name__ == "__main__":
    main()
