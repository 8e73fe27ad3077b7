"""``clear_extraneous_savers``: the nodes removed, and the saver for the collection (spec.md 7)."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence

from refimpl import rules
from refimpl.names import get_op_name, get_scope
from refimpl.pb import snapshot_pb2 as snap
from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.saver_checks import check_saveables
from refimpl.snapshot import CollectionItem, Snapshot

SAVE_AND_RESTORE_OPS = frozenset(
    {
        "SaveV2",
        "Save",
        "SaveSlice",
        "LegacySave",
        "LegacySaveSlice",
        "RestoreV2",
        "Restore",
        "RestoreSlice",
        "LegacyRestore",
        "LegacyRestoreSlice",
    }
)


def find_extraneous_saver_nodes(
    graph_def: GraphDef | None,
    saver_def: object,
    in_bulk: tuple[Sequence[str], Sequence[str], Sequence[str]] | None = None,
) -> frozenset[str]:
    """Names of the nodes inside the scopes of save/restore ops that ``saver_def`` does not use.

    ``saver_def`` is a SaverDef or None; anything else fails as it fails in TF.
    ``in_bulk``: the nodes' names, their ops and every input (in node order), read from
    the serialized GraphDef, in place of ``graph_def``.
    """
    rules.applied("7.1")
    nodes: dict[str, str] = {}
    if in_bulk is not None:
        names, ops, inputs = in_bulk
        if inputs:
            rules.applied("7.2")
        for x in inputs:
            get_op_name(x)  # validates each input name, as TF does
        nodes = dict(zip(names, ops, strict=True))
    else:
        assert graph_def is not None
        for node in graph_def.node:
            for x in node.input:
                rules.applied("7.2")
                get_op_name(x)  # validates each input name, as TF does
            nodes[node.name] = node.op
    retain: set[str] = set()
    if saver_def is not None:
        rules.applied("7.2")
        save_op = get_op_name(_attr(saver_def, "save_tensor_name"))
        restore_op = get_op_name(_attr(saver_def, "restore_op_name"))
        retain = {get_scope(restore_op) + "/", get_scope(save_op) + "/"}
    saver_nodes = {name for name, op in nodes.items() if op in SAVE_AND_RESTORE_OPS}
    if saver_nodes:
        rules.applied("7.2")
    scopes = {get_scope(x) for x in saver_nodes} - saver_nodes
    extraneous = {s + "/" for s in scopes} - retain
    return frozenset(name for name in nodes if any(name.startswith(scope) for scope in extraneous))


def _attr(obj: object, name: str) -> str:
    if not hasattr(obj, name):
        raise AttributeError(f"'{type(obj).__name__}' object has no attribute '{name}'")
    value = getattr(obj, name)
    assert isinstance(value, str)
    return value


def saver_item_from_proto(
    saver_def: object, graph: Snapshot, names_in_use: MutableMapping[str, int]
) -> CollectionItem:
    """``Saver.from_proto(saver_def)``: the saver that stands for the ``savers`` collection.

    With no SaverDef, TF builds a brand-new default Saver in the (default)
    graph; its SaverDef is reproduced here from the graph's names.
    """
    rules.applied("7.4")
    if saver_def is None:
        saver_def = new_default_saver_def(graph, names_in_use)
    elif not isinstance(saver_def, SaverDef):
        raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {saver_def}")
    elif not saver_def.save_tensor_name:
        raise ValueError(f"saver_def must specify the save_tensor_name: {saver_def}")
    elif not saver_def.restore_op_name:
        raise ValueError(f"saver_def must specify the restore_op_name: {saver_def}")
    item = CollectionItem(type_name="Saver", repr="<Saver>")
    item.saver.saver_def = saver_def.SerializeToString(deterministic=True)
    item.saver.name.CopyFrom(snap.NameAttr(missing=True))
    return item


def unique_name(names_in_use: MutableMapping[str, int], name: str) -> str:
    """``Graph.unique_name(name)`` at the root name scope; updates ``names_in_use``."""
    name_key = name.lower()
    i = names_in_use.get(name_key, 0)
    names_in_use[name_key] = i + 1
    if i > 0:
        base_name_key = name_key
        while name_key in names_in_use:
            name_key = f"{base_name_key}_{i}"
            i += 1
        names_in_use[name_key] = 1
        name = f"{name}_{i - 1}"
    return name


def new_default_saver_def(graph: Snapshot, names_in_use: MutableMapping[str, int]) -> SaverDef:
    """The SaverDef of ``tf.compat.v1.train.Saver()`` built in ``graph`` (spec.md 7.5).

    ``names_in_use`` is the graph's name counter as the export has left it so
    far; building the saver takes a name from it.
    """
    rules.applied("7.5")
    saveables = [
        item for key in ("variables", "saveable_objects") for item in graph.get_collection(key)
    ]
    if not saveables:
        raise ValueError("No variables to save")
    check_saveables(graph)
    if graph.finalized:
        raise RuntimeError("Graph is finalized and cannot be modified.")
    scope = unique_name(names_in_use, "save")
    return SaverDef(
        filename_tensor_name=f"{scope}/Const:0",
        save_tensor_name=f"{scope}/control_dependency:0",
        restore_op_name=f"{scope}/restore_all",
        max_to_keep=5,
        sharded=False,
        keep_checkpoint_every_n_hours=10000.0,
        version=SaverDef.V2,
    )
