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

__all__ = ["elide_pair", "message_text", "pair_text", "unified_diff"]

#: Diff lines shown at most (the first hunk is always shown whole up to ``FIRST_HUNK_MAX``).
DIFF_LINES = 60
FIRST_HUNK_MAX = 200


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
    max_lines: int = DIFF_LINES,
) -> str:
    """A unified diff of two texts, whole hunks only: the first hunk always (up to
    ``FIRST_HUNK_MAX`` lines), then more while under ``max_lines``; a last line says how
    many hunks and lines were left out. Empty if the texts are equal."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), expected_name, actual_name,
            lineterm="", n=3,
        )
    )
    if not lines:
        return ""
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
