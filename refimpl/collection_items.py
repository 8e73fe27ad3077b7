"""Collection items as TF's Python code sees them: their ``name``, and the errors of a
missing attribute (spec.md rule 1.5 and the item rules of sections 7 and 8).

A snapshot records each item of a graph collection (``CollectionItem``); what TF does
with it depends on the Python attributes the item has. The helpers here answer that for
every module that reads items (``collections_def``, ``savers``, ``saver_checks``,
``export``); they read the model only and apply no rule of the export themselves.
"""

from __future__ import annotations

from refimpl.pb import snapshot_pb2 as snap
from refimpl.snapshot import CollectionItem

__all__ = [
    "ItemName",
    "NonStrName",
    "attribute_error",
    "item_attribute_error",
    "item_name",
    "item_text",
]


class NonStrName:
    """A ``name`` attribute that is not a str (TF then fails on ``.startswith``)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


#: An item's ``name`` attribute: a str, a non-str value (its type), or None when the
#: item has no ``name`` attribute at all.
ItemName = str | None | NonStrName


def attribute_error(type_name: str, attr: str, bare: bool = False) -> AttributeError:
    """Python's AttributeError for a missing attribute (protobuf messages give just its name)."""
    if bare:
        return AttributeError(attr)
    return AttributeError(f"'{type_name}' object has no attribute '{attr}'")


def item_attribute_error(item: CollectionItem, attr: str) -> AttributeError:
    """The AttributeError TF meets reading ``attr`` of a collection item that lacks it."""
    return attribute_error(item.type_name, attr, item.bare_attribute_errors)


def _name_attr(n: snap.NameAttr) -> ItemName:
    kind = n.WhichOneof("kind")
    if kind == "str":
        return n.str
    if kind == "other_type":
        return NonStrName(n.other_type)
    return None


def item_name(item: CollectionItem) -> ItemName:
    """The item's ``name`` attribute as TF would read it."""
    kind = item.WhichOneof("kind")
    if kind == "operation":
        return item.operation
    if kind == "tensor":
        return item.tensor
    if kind == "variable":
        return item.variable.name
    if kind == "queue_runner":
        return item.queue_runner.queue_name
    if kind == "context":
        ctx = item.context
        return ctx.cond.name if ctx.WhichOneof("kind") == "cond" else getattr(ctx, "while").name
    if kind == "saver":
        return _name_attr(item.saver.name)
    if kind == "opaque":
        return _name_attr(item.opaque.name)
    return None


def item_text(item: CollectionItem) -> str:
    """The item as the conformance outcome records it: a str as itself, else its ``repr``."""
    return item.str if item.WhichOneof("kind") == "str" else item.repr
