"""Name-scope rules of the export: stripping, prepending, inclusion (spec.md 4.2 and 10.4.1)."""

from __future__ import annotations

import re
from collections.abc import Collection

UNBOUND_INPUT_PREFIX = "$unbound_inputs_"


def strip_name_scope(name: str, export_scope: str | None) -> str:
    """Removes ``export_scope`` (followed by one or more '/') from ``name``.

    The scope is used as a regular expression, unescaped, exactly as TF does:
    the first match of ``(\\^|loc:@|^)<scope>/+(.*)`` is replaced by the
    prefix and the rest. Names that only share a string prefix with the scope
    are left unchanged.
    """
    if not export_scope:
        return name
    if export_scope[-1] == "/":
        export_scope = export_scope[:-1]
    pattern = r"([\^]|loc:@|^)" + export_scope + r"[\/]+(.*)"
    return re.sub(pattern, r"\1\2", name, count=1)


def prepend_name_scope(name: str, import_scope: str | None) -> str:
    """Prepends ``import_scope`` + '/' to ``name`` (after a leading '^' or 'loc:@')."""
    if not import_scope:
        return name
    if import_scope[-1] == "/":
        import_scope = import_scope[:-1]
    return re.sub(r"([\^]|loc:@|^)(.*)", r"\1" + import_scope + r"/\2", name)


def include_name(name: str, export_scope: str | None, exclude: Collection[str] | None) -> bool:
    """Whether a node (or str collection item) called ``name`` survives the export."""
    if exclude and name in exclude:
        return False
    return (
        name.startswith(UNBOUND_INPUT_PREFIX) or not export_scope or name.startswith(export_scope)
    )


def get_op_name(tensor_name: str) -> str:
    """The op name of a tensor or control-input name ('^a' -> 'a', 'a:1' -> 'a').

    Raises ValueError for an empty name, and for a name with more than one ':'
    (TF unpacks ``split(":")`` into two values).
    """
    if not tensor_name:
        raise ValueError(f"Tensor name cannot be empty or None. Received: {tensor_name}.")
    if tensor_name.startswith("^"):
        tensor_name = tensor_name[1:]
    if ":" in tensor_name:
        parts = tensor_name.split(":")
        if len(parts) != 2:
            raise ValueError("too many values to unpack (expected 2)")
        return parts[0]
    return tensor_name


def get_scope(node_name: str) -> str:
    """Everything before the last '/' of a node name ('' at the root), ignoring a leading '^'."""
    if not node_name:
        raise ValueError(f"Node name cannot be empty or None. Received: {node_name}.")
    if node_name.startswith("^"):
        node_name = node_name[1:]
    if "/" in node_name:
        return node_name.rsplit("/", 1)[0]
    return ""
