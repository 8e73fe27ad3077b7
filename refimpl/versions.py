"""Version strings as comparable keys (TF releases, protobuf runtimes)."""

from __future__ import annotations

import re

__all__ = ["VersionKey", "version_key"]

#: ``(major, minor, patch)``.
VersionKey = tuple[int, int, int]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def version_key(version: str, default: str | None = None) -> VersionKey | None:
    """``(major, minor, patch)`` of ``version`` (suffixes such as ``rc1`` ignored); if it
    does not parse, that of ``default``, else None."""
    m = _VERSION.match(version) or (_VERSION.match(default) if default else None)
    if m is None:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)))
