"""Names: the unbound-input prefix (spec.md 4.2.3), op names and name scopes (7.2).

Tests and rewrites of names against the export scope are ``refimpl.scope.ExportScope``'s.
"""

from __future__ import annotations

UNBOUND_INPUT_PREFIX = "$unbound_inputs_"


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
