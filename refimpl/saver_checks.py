"""What ``tf.compat.v1.train.Saver()`` checks of its saveables before it builds (spec.md 7.5).

The default Saver that ``clear_extraneous_savers`` builds takes the ``variables`` and
``saveable_objects`` collections, flattens them (``nest.flatten``), sorts the leaves by
their ``name``, and turns each into a name to save it under; TF's errors on the way are
reproduced here with the same types and messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from refimpl.collection_items import NonStrName, item_attribute_error, item_name
from refimpl.names import get_op_name
from refimpl.pb import snapshot_pb2 as snap
from refimpl.snapshot import CollectionItem, Snapshot

#: Op types whose outputs TF accepts as variables to save (``_VARIABLE_OPS``).
VARIABLE_OPS = frozenset(
    {"Variable", "VariableV2", "AutoReloadVariable", "VarHandleOp", "ReadVariableOp"}
)
_NUMERIC_TYPES = frozenset({"int", "float", "bool"})
_NOT_CONVERTIBLE = (
    "Failed to convert elements of {} to Tensor. Consider casting elements to a supported "
    "type. See https://www.tensorflow.org/api_docs/python/tf/dtypes for supported TF dtypes."
)


def flattened(items: Sequence[CollectionItem]) -> Iterator[CollectionItem]:
    """``nest.flatten(list(items))``: structures give their captured leaves, in order."""
    for item in items:
        if item.nested:
            yield from item.flattened
        else:
            yield item


class _SortKey:
    """An item's ``name`` as Python's ``sorted`` compares it (mixed types fail)."""

    def __init__(self, name: str | NonStrName) -> None:
        self.name = name

    def type_name(self) -> str:
        return "str" if isinstance(self.name, str) else self.name.type_name

    def __lt__(self, other: _SortKey) -> bool:
        a, b = self.name, other.name
        if isinstance(a, str) and isinstance(b, str):
            return a < b
        both = {self.type_name(), other.type_name()}
        if both <= _NUMERIC_TYPES:
            return False  # numbers compare, but the snapshot has no value: kept in order
        raise TypeError(
            f"'<' not supported between instances of '{self.type_name()}' and '{other.type_name()}'"
        )


def check_saveables(graph: Snapshot) -> None:
    """Raises what TF's ``Saver()`` raises on the saveables of ``graph`` (rule 7.5 step 2)."""
    leaves = list(
        flattened(
            [i for key in ("variables", "saveable_objects") for i in graph.get_collection(key)]
        )
    )
    keys = []
    for leaf in leaves:
        name = item_name(leaf)
        if name is None:
            raise item_attribute_error(leaf, "name")
        keys.append(_SortKey(name))
    saved: dict[str, bool] = {}  # name -> holds slices
    for i in sorted(range(len(leaves)), key=lambda j: keys[j]):
        _add(saved, leaves[i], keys[i].name, graph)


def _add(
    saved: dict[str, bool], leaf: CollectionItem, name: str | NonStrName, graph: Snapshot
) -> None:
    """One step of TF's ``op_list_to_dict``."""
    kind = leaf.WhichOneof("kind")
    saveable = leaf.saveable_kind if kind == "opaque" else snap.PLAIN
    if saveable == snap.TRACKABLE:
        return  # TF saves what the object lists; the snapshot does not record it
    if saveable in (snap.SAVEABLE_OBJECT, snap.PARTITIONED_VARIABLE) and isinstance(name, str):
        if saveable == snap.PARTITIONED_VARIABLE and name in saved:
            raise ValueError(f"At least two variables have the same name: {name}")
        saved[name] = False
        return
    if kind == "variable" and leaf.variable.has_save_slice_info:
        full_name = leaf.variable.slice_full_name
        if full_name in saved and not saved[full_name]:
            raise ValueError(f"Mixing slices and non-slices with the same name: {full_name}")
        saved[full_name] = True
        return
    key = _saved_name(leaf, graph)
    if key in saved:
        raise ValueError(f"At least two variables have the same name: {key}")
    saved[key] = False


def _saved_name(leaf: CollectionItem, graph: Snapshot) -> str:
    """The name a variable-like item is saved under; TF's TypeError for anything else."""
    kind = leaf.WhichOneof("kind")
    if kind == "variable":
        return get_op_name(leaf.variable.variable_name)
    if kind == "operation":
        raise TypeError(f"can't convert Operation '{leaf.operation}' to Tensor")
    if kind != "tensor":
        raise TypeError(_NOT_CONVERTIBLE.format(leaf.repr))
    op_name = get_op_name(leaf.tensor)
    op = graph.operations_by_name.get(op_name)
    if op is None or op.type not in VARIABLE_OPS:
        raise TypeError(f"Variable to save is not a Variable: {leaf.text or leaf.repr}")
    if op.type == "ReadVariableOp" and op.node_def.input:
        return get_op_name(op.node_def.input[0])
    return op_name
