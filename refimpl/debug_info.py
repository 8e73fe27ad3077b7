"""GraphDebugInfo construction, as ``export_meta_graph(save_debug_info=True)`` does it.

TensorFlow builds the ``.debug`` file written next to the ``.meta`` file in
``error_interpolation.create_graph_debug_info_def``: for each exported node
(in ``graph_def.node`` order, function name ``""``) whose operation has a
traceback, it selects the "useful" frames of that traceback
(``_compute_useful_frames(tb, 10)``) and hands them to the C++
``GraphDebugInfoBuilder``. This module reproduces both steps without
TensorFlow. See docs/debug_info.md for the rules, verified against TF 2.21.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from refimpl import rules
from refimpl.pb.tensorflow.graph_debug_info_pb2 import GraphDebugInfo
from refimpl.py_set_order import set_iteration_order
from refimpl.snapshot import Frame, FrameClassifier

__all__ = [
    "DEFAULT_LIMIT",
    "DebugOp",
    "Frame",
    "FrameClassifier",
    "build_debug_info",
    "build_set_ordered_debug_info",
    "defining_frame_index",
    "trace_key",
    "useful_frames",
]

#: Number of frames TF keeps per traceback (``_compute_useful_frames(tb, 10)``).
DEFAULT_LIMIT = 10

#: Frames kept on the inner side of the defining frame.
_INNER_CONTEXT = 2

#: One operation handed to the builder: (function name, op name, traceback or None).
DebugOp = tuple[str, str, Sequence[Frame] | None]


def defining_frame_index(traceback: Sequence[Frame], classifier: FrameClassifier) -> int:
    """Rule 10.4.3: index of the innermost non-framework frame (rule 10.4.2); 0 if there is
    none (or no frame)."""
    rules.applied("10.4.2", "10.4.3")
    for index in range(len(traceback) - 1, -1, -1):
        if not classifier.is_framework(traceback[index].filename):
            return index
    return 0


def useful_frames(
    traceback: Sequence[Frame], classifier: FrameClassifier, limit: int = DEFAULT_LIMIT
) -> tuple[Frame, ...]:
    """The frames TF keeps for a traceback (outermost first).

    The window ends two frames inside the defining frame (or at the innermost
    frame) and extends outwards to at most ``limit`` frames (rule 10.4.4).
    """
    frames = tuple(traceback)
    defining = defining_frame_index(frames, classifier)
    rules.applied("10.4.4")
    end = min(defining + _INNER_CONTEXT + 1, len(frames))
    start = max(end - limit, 0)
    return frames[start:end]


def trace_key(func_name: str, op_name: str) -> str:
    """Rule 10.4.5: key of ``name_to_trace_id``: ``"<op name>@<function name>"``."""
    rules.applied("10.4.5")
    return f"{op_name}@{func_name}"


def build_debug_info(ops: Iterable[DebugOp], classifier: FrameClassifier) -> GraphDebugInfo:
    """Builds the GraphDebugInfo TF writes for these operations.

    ops: (func_name, op_name, traceback or None) in export order; tracebacks
    are outermost frame first. Operations without a traceback are skipped.
    Rules 10.4.2-10.4.10.
    """
    info = GraphDebugInfo()
    file_ids: dict[str, int] = {}
    frame_ids: dict[Frame, int] = {}
    trace_ids: dict[tuple[Frame, ...], int] = {}
    for func_name, op_name, traceback in ops:
        if traceback is None:
            continue
        frames = useful_frames(traceback, classifier)
        rules.applied("10.4.6")
        trace_id = trace_ids.get(frames)
        if trace_id is None:
            trace_id = len(trace_ids)
            trace_ids[frames] = trace_id
            trace = info.traces_by_id[trace_id]  # present even when it has no frame
            for frame in frames:
                rules.applied("10.4.7")
                frame_id = frame_ids.get(frame)
                if frame_id is None:
                    frame_id = len(frame_ids)
                    frame_ids[frame] = frame_id
                    rules.applied("10.4.8")
                    file_id = file_ids.get(frame.filename)
                    if file_id is None:
                        file_id = len(file_ids)
                        file_ids[frame.filename] = file_id
                        info.files.append(frame.filename)
                    rules.applied("10.4.9")
                    file_line_col = info.frames_by_id[frame_id]
                    file_line_col.file_index = file_id
                    file_line_col.line = frame.lineno
                    file_line_col.func = frame.name
                trace.frame_id.append(frame_id)
        info.name_to_trace_id[trace_key(func_name, op_name)] = trace_id
    if not info.name_to_trace_id:
        rules.applied("10.4.10")
    return info


def build_set_ordered_debug_info(
    ops: Iterable[DebugOp], classifier: FrameClassifier, filename_hashes: Mapping[str, int]
) -> GraphDebugInfo:
    """The GraphDebugInfo of TF 2.12 and 2.13, built in Python (rule 10.4.12).

    The same operations and kept frames as ``build_debug_info``; ``files`` lists every
    kept frame's file name in the iteration order of a Python set the names were added
    to (from ``filename_hashes``, the capturing process's ``hash()`` of each; in order of
    first appearance if a name has none), and the deprecated ``traces`` map holds each
    ``<op>@<function>`` key's frames innermost first, ``file_index`` and ``line`` only,
    each absent when 0 (the message was proto3 then).
    """
    rules.applied("10.4.12")
    traces: dict[str, tuple[Frame, ...]] = {}
    added: list[str] = []
    for func_name, op_name, traceback in ops:
        if traceback is not None:
            frames = useful_frames(traceback, classifier)
            traces[f"{op_name}@{func_name}"] = frames  # a repeated key keeps its place
            added.extend(frame.filename for frame in frames)
    if all(name in filename_hashes for name in added):
        files = set_iteration_order(added, filename_hashes)
    else:
        files = list(dict.fromkeys(added))
    info = GraphDebugInfo()
    info.files.extend(files)
    index = {name: i for i, name in enumerate(files)}
    for key, frames in traces.items():
        trace = info.traces[key]  # present even when it has no frame
        for frame in reversed(frames):
            file_line_col = trace.file_line_cols.add()
            # proto3 in these releases: a field equal to 0 is absent (implicit presence)
            if index[frame.filename]:
                file_line_col.file_index = index[frame.filename]
            if frame.lineno:
                file_line_col.line = frame.lineno
    return info
