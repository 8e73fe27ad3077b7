"""``--save-failures DIR``: what each failing case expected and got, as files.

For each failing case the runner writes ``DIR/<case>/``:

- ``expected/`` (TF's outcome) and ``actual/`` (the testee's, when it answered):
  ``files/<name>`` (every file written, byte for byte), ``returned_meta_graph_def.pb``
  and ``.pbtxt``, ``meta_info_def_after.pb`` and ``.pbtxt``, ``error.txt`` (type, a
  line, then the message), ``warnings.txt`` (one warning after another, each ending
  with a line ``----``), ``unbound_inputs_after.txt`` (an item a line);
  for each file that parses as a MetaGraphDef or GraphDebugInfo, ``files/<name>.pbtxt``
  (binary files) in text format;
- ``diffs/``: for each file (``files/<name>.diff``) and message
  (``returned_meta_graph_def.diff``, ``meta_info_def_after.diff``) that differs, the
  whole unified diff in text format (the report shows its first hunks);
- ``report.txt``: the verdict, the differences, the unified diffs and the replay command;
- ``request.pb``: the ``ExportRequest`` sent (feed it to a testee by hand).

File names from an outcome are kept as relative paths when they are plain ones, and
quoted (``%2F``...) otherwise, so nothing is written outside ``DIR``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from google.protobuf.message import Message

from conformance.protocol.conformance_pb2 import ExportRequest, Outcome
from conformance.run.diffs import message_text
from conformance.run.verdicts import blob_diff, detect_format, parse_message

__all__ = ["safe_name", "write_case", "write_diffs", "write_outcome"]


def safe_name(name: str) -> str:
    """``name`` as one path component: quoted unless it is made of safe characters."""
    quoted = urllib.parse.quote(name, safe="-_.@+=,")
    return quoted if quoted not in ("", ".", "..") else quoted.replace(".", "%2E") or "%00"


def _relative(name: str) -> Path:
    parts = name.split("/")
    if all(p not in ("", ".", "..") and safe_name(p) == p for p in parts):
        return Path(*parts)
    return Path(safe_name(name))


def _as_text(data: bytes, name: str) -> str | None:
    kind = detect_format(name, data)
    if kind is None or kind[1] == "text":
        return None
    return message_text(parse_message(data, *kind))


def _write_message(directory: Path, stem: str, data: bytes, cls: type[Message]) -> None:
    (directory / f"{stem}.pb").write_bytes(data)
    msg = cls()
    try:
        msg.ParseFromString(data)
    except Exception:  # noqa: BLE001 - keep the bytes only
        return
    (directory / f"{stem}.pbtxt").write_text(message_text(msg), encoding="utf-8")


def write_outcome(directory: Path, outcome: Outcome) -> None:
    """Writes one outcome's files, messages, error, warnings and unbound inputs."""
    from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef

    directory.mkdir(parents=True, exist_ok=True)
    for name, data in outcome.files.items():
        path = directory / "files" / _relative(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        text = _as_text(data, name)
        if text is not None:
            path.with_name(path.name + ".pbtxt").write_text(text, encoding="utf-8")
    if outcome.HasField("returned_meta_graph_def"):
        _write_message(
            directory, "returned_meta_graph_def", outcome.returned_meta_graph_def, MetaGraphDef
        )
    if outcome.HasField("meta_info_def_after"):
        _write_message(
            directory, "meta_info_def_after", outcome.meta_info_def_after,
            MetaGraphDef.MetaInfoDef,
        )
    if outcome.HasField("error"):
        (directory / "error.txt").write_text(
            f"{outcome.error.type}\n{outcome.error.message}\n", encoding="utf-8"
        )
    if outcome.warnings:
        (directory / "warnings.txt").write_text(
            "".join(f"{w}\n----\n" for w in outcome.warnings), encoding="utf-8"
        )
    if outcome.unbound_inputs_after:
        (directory / "unbound_inputs_after.txt").write_text(
            "".join(f"{i}\n" for i in outcome.unbound_inputs_after), encoding="utf-8"
        )


def write_diffs(directory: Path, expected: Outcome, actual: Outcome) -> None:
    """Writes the whole unified diff of each file and message that differs."""
    from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef

    pairs: list[tuple[Path, bytes, bytes, tuple[type[Message], str] | None]] = []
    for name in sorted(set(expected.files) & set(actual.files)):
        e, a = expected.files[name], actual.files[name]
        pairs.append((Path("files") / _relative(name), e, a, detect_format(name, e)))
    if expected.HasField("returned_meta_graph_def") and actual.HasField(
        "returned_meta_graph_def"
    ):
        e, a = expected.returned_meta_graph_def, actual.returned_meta_graph_def
        pairs.append((Path("returned_meta_graph_def"), e, a, (MetaGraphDef, "binary")))
    if expected.HasField("meta_info_def_after") and actual.HasField("meta_info_def_after"):
        e, a = expected.meta_info_def_after, actual.meta_info_def_after
        pairs.append((Path("meta_info_def_after"), e, a, (MetaGraphDef.MetaInfoDef, "binary")))
    for path, e, a, kind in pairs:
        if e == a:
            continue
        diff = blob_diff(e, a, kind, max_lines=None)
        target = directory / "diffs" / path.with_name(path.name + ".diff")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((diff or "(identical text forms: only the encoding differs)") + "\n",
                          encoding="utf-8")


def write_case(
    root: Path,
    case_name: str,
    request: ExportRequest,
    expected: Outcome,
    actual: Outcome | None,
    report_lines: Sequence[str],
) -> Path:
    """Writes ``root/<case>/`` (see the module docstring); returns that directory."""
    directory = root / safe_name(case_name)
    directory.mkdir(parents=True, exist_ok=True)
    write_outcome(directory / "expected", expected)
    if actual is not None:
        write_outcome(directory / "actual", actual)
        write_diffs(directory, expected, actual)
    (directory / "request.pb").write_bytes(request.SerializeToString())
    (directory / "report.txt").write_text("\n".join(report_lines) + "\n", encoding="utf-8")
    return directory
