"""Cases that guard rules against the planted bugs of the mutation harness (``mutation/``):
each catches a mutant that the other cases let through. Chained from
``conformance.gen.hand_cases.hand_cases``; the graphs named ``guard_*`` are
``conformance.tf.graphs_guard``'s and get only these argument sets.

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["GUARD_CASES", "GUARD_FILE_CASES", "guard_cases"]

#: graph -> argument set name -> (file name, arguments); the rule guarded in a comment.
GUARD_CASES: dict[str, dict[str, tuple[object, dict[str, Any]]]] = {
    "empty": {
        # 2.4: the extra keyword fails before the type checks.
        "unknown_kwarg_and_bad_meta_info_def": ("model.meta", {"foo": 1, "meta_info_def": "x"}),
        # 2.6: graph_def is checked before saver_def.
        "bad_graph_def_and_saver_def": ("model.meta", {"graph_def": "x", "saver_def": "x"}),
        # 10.2.5: a single quote in a string field is escaped.
        "tag_with_quote_text": (
            "model.meta",
            {"as_text": True, "meta_info_def": {"text": "tags: \"it's\""}},
        ),
    },
    "scopes": {
        # 2.2: a falsy graph_def on a rebuild path rebuilds from the graph.
        "empty_bytes_graph_def_clear_devices": (
            "model.meta",
            {"graph_def": b"", "clear_devices": True},
        ),
    },
    "two_savers": {
        # 4.4.2: a given GraphDef loses the extraneous savers' nodes.
        "graph_def_ces_saver0": (
            "model.meta",
            {
                "graph_def": {"as_graph_def": False},
                "clear_extraneous_savers": True,
                "saver_def": {"saver": 0},
            },
        ),
    },
    "root_saver": {
        # 7.2: a tensor name with two ':' fails in get_op_name.
        "ces_two_colon_saver_def": (
            "model.meta",
            {
                "clear_extraneous_savers": True,
                "saver_def": {"text": 'save_tensor_name: "a:0:1" restore_op_name: "r"'},
            },
        ),
    },
    "guard_attr_values": {
        "default": ("model.meta", {}),
        "text": ("model.meta", {"as_text": True}),
        "strip_default_attrs": ("model.meta", {"strip_default_attrs": True}),
    },
    "guard_collections": {
        "default": ("model.meta", {}),
        "scope_s": ("model.meta", {"export_scope": "s"}),
        # 2.7: a str collection_list is iterated character by character.
        "collection_list_word": ("model.meta", {"collection_list": "variables"}),
        # 8.6: a bytes key is looked up by its UTF-8 text.
        "collection_list_bytes_keys": ("model.meta", {"collection_list": [b"variables", b"\xff"]}),
    },
    "guard_var_name_int": {
        "scope_s": ("model.meta", {"export_scope": "s"}),
    },
    "guard_scoped": {
        "default": ("model.meta", {}),
        "scope_s": ("model.meta", {"export_scope": "s"}),
        "ces_root_saver": (
            "model.meta",
            {"clear_extraneous_savers": True, "saver_def": {"saver": 2}},
        ),
        # 8.6.3: a saver is kept only if all three of its names are in the scope.
        "scope_save_const": ("model.meta", {"export_scope": "save/Const"}),
    },
    "guard_nested_contexts": {
        # 8.6.7: a cond context's nested contexts (a cond and a while loop) are serialized.
        "default": ("model.meta", {}),
        "scope_s": ("model.meta", {"export_scope": "s"}),
    },
    "guard_function_devices": {
        "clear_devices": ("model.meta", {"clear_devices": True}),
        "scope_clear_devices": ("model.meta", {"export_scope": "x", "clear_devices": True}),
    },
    "guard_tracebacks": {
        "debug": ("model.meta", {"save_debug_info": True}),
    },
}


#: Cases run in a working directory with an empty pre-state (protocol 2), so that the files
#: are really written (``conformance.corpus.run_case``): graph -> set name -> (file name,
#: arguments).
GUARD_FILE_CASES: dict[str, dict[str, tuple[object, dict[str, Any]]]] = {
    "empty": {
        # 10.3.2: no directory is made for a name starting with gs: (the write then fails).
        "gs_prefix_filename": ("gs:dir/model.meta", {}),
    },
}


def guard_cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every guard case, in a fixed order: ``(name, request)`` as ``hand_cases`` yields."""
    tables: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
        (GUARD_CASES, {}),
        (GUARD_FILE_CASES, {"pre_state": []}),
    )
    for table, extra in tables:
        for graph, sets in table.items():
            for args_name, (filename, args) in sets.items():
                request = {"graph": graph, "args": dict(args), "filename": filename, "then": []}
                yield f"{graph}-{args_name}", {**request, **extra}
