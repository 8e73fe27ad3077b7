"""Showing differences to people: long values elided only far from where they differ,
and unified diffs of two messages in text format.

A failure report must never hide the part that differs: ``elide_pair`` (in
``conformance.compare``, which uses it for values) keeps the differing middle of two
strings whole and shortens only their common prefix and suffix; ``unified_diff`` keeps
whole hunks and says how many lines it left out.
"""

from __future__ import annotations

import difflib

from google.protobuf import text_format
from google.protobuf.message import Message

from conformance.compare import elide_pair, pair_text

__all__ = ["elide_pair", "hex_diff", "message_text", "pair_text", "unified_diff"]

#: Diff lines shown at most (the first hunk is always shown whole up to ``FIRST_HUNK_MAX``).
DIFF_LINES = 60
FIRST_HUNK_MAX = 200
#: Bytes of a hex dump shown on each side of the first differing byte.
HEX_WINDOW = 128


def message_text(msg: Message) -> str:
    """A message in TF's text format (``Any`` expanded with TF's types)."""
    from refimpl.text_pool import tf_text_pool

    return str(text_format.MessageToString(msg, descriptor_pool=tf_text_pool()))


def _hunks(lines: list[str]) -> list[list[str]]:
    hunks: list[list[str]] = []
    for line in lines:
        if line.startswith("@@") or not hunks:
            hunks.append([])
        hunks[-1].append(line)
    return hunks


def unified_diff(
    expected: str,
    actual: str,
    expected_name: str = "expected (TF)",
    actual_name: str = "actual (testee)",
    max_lines: int | None = DIFF_LINES,
) -> str:
    """A unified diff of two texts, whole hunks only: the first hunk always (up to
    ``FIRST_HUNK_MAX`` lines), then more while under ``max_lines``; a last line says how
    many hunks and lines were left out. ``max_lines=None``: all of it. Empty if the texts
    are equal."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), expected_name, actual_name,
            lineterm="", n=3,
        )
    )
    if not lines:
        return ""
    if max_lines is None:
        return "\n".join(lines)
    head, hunks = lines[:2], _hunks(lines[2:])
    shown = list(head)
    for i, hunk in enumerate(hunks):
        if i == 0:
            shown.extend(hunk[:FIRST_HUNK_MAX])
            if len(hunk) > FIRST_HUNK_MAX:
                shown.append(f"... {len(hunk) - FIRST_HUNK_MAX} more lines of this hunk")
        elif len(shown) + len(hunk) <= max_lines:
            shown.extend(hunk)
        else:
            rest = hunks[i:]
            shown.append(
                f"... {len(rest)} more hunks ({sum(len(h) for h in rest)} lines) left out "
                "(--save-failures DIR writes the whole diff)"
            )
            break
    return "\n".join(shown)


def _hex_lines(data: bytes, start: int, end: int) -> list[str]:
    lines = []
    for offset in range(start, min(end, len(data)), 16):
        chunk = data[offset : offset + 16]
        shown = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {chunk.hex(' '):<47}  {shown}")
    return lines


def hex_diff(expected: bytes, actual: bytes, window: int = HEX_WINDOW) -> str:
    """A unified diff of hex dumps (16 bytes a line) of two byte strings, around their
    first differing byte (``window`` bytes either side; more of the tail if the lengths
    differ). Empty if they are equal."""
    if expected == actual:
        return ""
    limit = min(len(expected), len(actual))
    first = next((i for i in range(limit) if expected[i] != actual[i]), limit)
    start = max(0, first - window) // 16 * 16
    end = first + window
    return unified_diff(
        "\n".join(_hex_lines(expected, start, end)), "\n".join(_hex_lines(actual, start, end))
    )
