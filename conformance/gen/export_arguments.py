"""Hypothesis strategies of ``export_meta_graph``'s arguments, fitted to a graph.

One strategy, ``export_arguments(facts)``, for every generator of the suite, parameterised
by what it knows about the graph (``GraphFacts``):

- of a graph *program* (``GraphFacts.of_program``), which only TensorFlow builds: the names
  and name scopes its steps are given, the collection keys it may fill; proto-valued
  arguments are the TF worker's specs, which TF resolves on the graph it built
  (``meta_info_def={"text": ...}``, ``saver_def={"saver": i}`` (the i-th saver of the
  "savers" collection, modulo their number) or ``{"text": ...}``,
  ``graph_def={"as_graph_def": add_shapes}``): ``conformance.gen.strategies.export_args``;
- of a graph *snapshot* (``GraphFacts.of_snapshot``), exported by refimpl without TF: its
  operation names and their scopes, its str collection keys, its savers' ``SaverDef``s and
  its GraphDef; the same draws, with the specs resolved to refimpl's messages as TF would
  resolve them: ``conformance.gen.snapshot_strategies.export_arguments`` and the
  hypothesis-generated corpus cases (``conformance.gen.generated``).

Export scopes come from one list of candidates, ``scope_candidates``: the graph's names
and scopes, their prefixes and variants (``x/``, ``x_1``, ``x[:-1]``, the first letter),
misses, and strings that are regular expressions. Each argument is present or not (absent
means TF's default); the boolean ``FLAGS`` are present only when True, in about half of
the cases each.

Imports hypothesis, protobuf and refimpl's generated schemas; never TensorFlow.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import text_format
from hypothesis import strategies as st

from refimpl.pb.tensorflow.graph_pb2 import GraphDef
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.saver_pb2 import SaverDef
from refimpl.snapshot import Snapshot, load_snapshot

__all__ = [
    "AUTOMATIC_KEYS",
    "FILENAMES",
    "FLAGS",
    "META_INFO_TEXTS",
    "OPTIONAL",
    "SAVER_DEF_TEXTS",
    "GraphFacts",
    "export_arguments",
    "scope_candidates",
]

#: Collection keys TF itself fills while building (savers, variables, contexts, ...).
AUTOMATIC_KEYS: tuple[str, ...] = (
    "variables",
    "trainable_variables",
    "local_variables",
    "savers",
    "queue_runners",
    "cond_context",
    "while_context",
    "summaries",
    "train_op",
    "global_step",
    "table_initializer",
    "update_ops",
)

META_INFO_TEXTS: tuple[str, ...] = (
    "",
    'meta_graph_version: "v1" tags: "serve" tags: "h\\303\\251\\001"',
    'tensorflow_version: "bogus" tensorflow_git_version: "g" stripped_default_attrs: true',
    'any_info { type_url: "type.googleapis.com/tensorflow.SaverDef" value: "\\n\\001x" }',
    'function_aliases { key: "b" value: "y" } function_aliases { key: "a" value: "x" }',
    'stripped_op_list { op { name: "Bogus" } }',
)
SAVER_DEF_TEXTS: tuple[str, ...] = (
    "",
    'filename_tensor_name: "save/Const:0" save_tensor_name: "x" version: V1',
    "max_to_keep: 7 sharded: true",
)
FLAGS: tuple[str, ...] = (
    "as_text",
    "clear_devices",
    "strip_default_attrs",
    "clear_extraneous_savers",
    "save_debug_info",
)
FILENAMES: tuple[str, ...] = (
    "model.meta",
    "deep/er/model.meta",
    "plain",
    "a.tar.gz",
    "model.debug",
)
#: The arguments drawn besides the ``FLAGS`` (each present or not).
OPTIONAL: tuple[str, ...] = (
    "export_scope",
    "saver_def",
    "collection_list",
    "meta_info_def",
    "graph_def",
    "unbound_inputs_col_name",
)
#: Scope candidates that miss every graph, and strings that are regular expressions.
MISSES: tuple[str, ...] = ("s", "zz")
PATTERNS: tuple[str, ...] = ("s.", "s|x", "[s]x")


@dataclass(frozen=True)
class GraphFacts:
    """What an argument strategy knows about the graph the arguments are for."""

    #: Names in the graph: the names and name scopes a program's steps are given (before
    #: TF's uniquification), or a snapshot's operation names and their scopes.
    names: tuple[str, ...]
    #: Collection keys the graph has, or may have (TF's keys need not be str).
    collection_keys: tuple[Any, ...]
    #: Whether proto-valued arguments stay the TF worker's specs (a program: TF resolves
    #: them) or become refimpl's messages (a snapshot: resolved from what follows).
    worker_specs: bool = True
    #: The serialized ``SaverDef`` of each saver of the "savers" collection that has one.
    saver_defs: tuple[bytes, ...] = ()
    #: The graph's serialized GraphDef (what ``{"as_graph_def": ...}`` resolves to).
    graph_def: bytes = b""

    @classmethod
    def of_program(cls, program: Sequence[Mapping[str, Any]]) -> GraphFacts:
        """The facts of a graph program (``conformance.tf.programs``)."""
        return cls(names=tuple(existing_scopes(program)), collection_keys=program_keys(program))

    @classmethod
    def of_snapshot(cls, snapshot: bytes | Snapshot) -> GraphFacts:
        """The facts of a snapshot (serialized or loaded)."""
        graph = load_snapshot(snapshot) if isinstance(snapshot, bytes) else snapshot
        found: set[str] = set()
        for name in graph.operations_by_name:
            parts = name.split("/")
            found.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
        savers = [
            item.saver.saver_def
            for item in graph.get_collection("savers")
            if item.WhichOneof("kind") == "saver" and item.saver.saver_def
        ]
        return cls(
            names=tuple(sorted(found)),
            collection_keys=tuple(dict.fromkeys(graph.str_collection_keys())),
            worker_specs=False,
            saver_defs=tuple(savers),
            graph_def=graph.cpp_graph_def.SerializeToString(deterministic=True),
        )


def existing_scopes(program: Sequence[Mapping[str, Any]]) -> list[str]:
    """Name scopes and names the program's steps are built under or given (first uses,
    before TF's uniquification), e.g. ``"s"``, ``"s/inner"``, ``"s/a"``."""
    found: set[str] = set()
    for step in program:
        path: list[str] = []
        for component in step.get("scope") or []:
            if component == "":
                path = []
            elif component.endswith("/"):
                path = component.rstrip("/").split("/")
            else:
                path = [*path, component]
            found.add("/".join(path))
        for key in ("name", "vscope", "saver_name", "prefix"):
            value = step.get(key)
            if isinstance(value, str):
                found.add(value)
                if path:
                    found.add("/".join([*path, value]))
    found.discard("")
    return sorted(found)


def program_keys(program: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
    """Collection keys the program may fill (its own keys and TF's automatic ones)."""
    from conformance.tf.programs import collection_key

    keys: dict[Any, None] = {k: None for k in AUTOMATIC_KEYS}
    for step in program:
        for fld in ("key", "collection"):
            if isinstance(step.get(fld), str):
                keys[collection_key(step[fld])] = None
        for fld in ("keys", "collections"):
            for k in step.get(fld) or []:
                keys[collection_key(k)] = None
    return tuple(keys)


def scope_candidates(names: Iterable[str]) -> list[str]:
    """Export scopes for a graph with these names: each name (and each of ``MISSES``), its
    first letter, ``x/``, ``x_1`` and ``x[:-1]``, and ``PATTERNS``; sorted."""
    out: set[str] = set()
    for name in [*names, *MISSES]:
        out.update((name, name[:1], name + "/", name + "_1", name[:-1] or name))
    out.update(PATTERNS)
    return sorted(out)


def _specs(
    facts: GraphFacts, drawn: Collection[str] | None
) -> st.SearchStrategy[dict[str, Any]]:
    """The arguments, proto-valued ones as the TF worker's specs."""
    existing = list(facts.names) or ["s"]
    collection_list = st.lists(
        st.sampled_from([*facts.collection_keys, "unknown", b"unknown_bytes"]), max_size=4
    ) | st.sampled_from(([], "c"))
    optional: dict[str, st.SearchStrategy[Any]] = {
        "export_scope": st.one_of(
            st.sampled_from(existing),
            st.sampled_from(existing),
            st.sampled_from(scope_candidates(facts.names)),
            st.sampled_from(("", 5)),
        ),
        "saver_def": st.builds(lambda i: {"saver": i}, st.integers(0, 2))
        | st.builds(lambda t: {"text": t}, st.sampled_from(SAVER_DEF_TEXTS)),
        "collection_list": collection_list,
        "meta_info_def": st.builds(lambda t: {"text": t}, st.sampled_from(META_INFO_TEXTS)),
        "graph_def": st.builds(lambda b: {"as_graph_def": b}, st.booleans()),
        "unbound_inputs_col_name": st.sampled_from((None, "ub", "unbound_inputs")),
    }
    if drawn is not None:
        optional = {k: v for k, v in optional.items() if k in drawn}
    others = st.fixed_dictionaries({}, optional=optional)
    # Each flag is True in about half of the cases (an absent flag is TF's default, False).
    flags = st.fixed_dictionaries({flag: st.booleans() for flag in FLAGS}).map(
        lambda d: {k: True for k, v in d.items() if v}
    )
    return st.tuples(others, flags).map(lambda t: {**t[0], **t[1]})


def resolve_specs(args: Mapping[str, Any], facts: GraphFacts) -> dict[str, Any]:
    """The arguments with the worker's specs replaced by refimpl's messages, as TF resolves
    them (``conformance.tf.worker``): a text is parsed, the i-th saver's ``SaverDef`` is
    taken modulo the savers that have one (the argument is dropped when there is none),
    ``as_graph_def`` is the graph's GraphDef."""
    out = dict(args)
    for name, cls in (("meta_info_def", MetaGraphDef.MetaInfoDef), ("saver_def", SaverDef)):
        spec = out.get(name)
        if isinstance(spec, dict) and "text" in spec:
            out[name] = text_format.Parse(spec["text"], cls())
    spec = out.get("saver_def")
    if isinstance(spec, dict) and "saver" in spec:
        if facts.saver_defs:
            out["saver_def"] = SaverDef.FromString(
                facts.saver_defs[spec["saver"] % len(facts.saver_defs)]
            )
        else:
            del out["saver_def"]
    if isinstance(out.get("graph_def"), dict):
        out["graph_def"] = GraphDef.FromString(facts.graph_def)
    return out


def export_arguments(
    facts: GraphFacts,
    *,
    filenames: Sequence[str | None] = (),
    drawn: Collection[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments of ``export_meta_graph`` fitted to the graph ``facts`` describe
    (see the module docstring); with ``filenames``, a ``filename`` drawn from them too.

    ``drawn`` limits the non-flag arguments that may be drawn (``OPTIONAL``; default all):
    a generator that checks properties of some arguments leaves the others out.
    """
    args = _specs(facts, drawn)
    if not facts.worker_specs:
        args = args.map(lambda a: resolve_specs(a, facts))
    if filenames:
        return st.tuples(args, st.sampled_from(list(filenames))).map(
            lambda t: {"filename": t[1], **t[0]}
        )
    return args
