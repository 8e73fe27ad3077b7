"""The hand-written conformance cases: real graphs x argument sets.

Each case pairs a graph builder of ``conformance.tf.graphs`` with a set of
``export_meta_graph`` arguments. ``tests/test_export_vs_tf.py`` runs them
against live TensorFlow; ``scripts/generate_corpus.py`` freezes TF's answers
into the golden corpus (``conformance/corpus/``). A case is named
``<graph>-<argument set>`` (spec.md writes ``VS[<graph>-<argument set>]``).

Argument values are JSON-like Python values. A proto-valued argument
(``meta_info_def``, ``graph_def``, ``saver_def``) may instead be a dict that the TF
worker resolves in its graph: ``{"text": <text format>}``, ``{"saver": i}`` (the
``saver_def`` of the i-th item of the graph's ``savers`` collection) or
``{"as_graph_def": add_shapes}`` (``graph.as_graph_def(add_shapes=...)``); any other
dict, such as ``{}``, is passed as it is. The key ``"then"`` of an argument set
lists further exports of the same graph (``then0.meta``, ...), made after the first.

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.gen.file_cases import file_cases
from conformance.gen.guard_cases import guard_cases
from conformance.gen.release_cases import release_cases
from conformance.gen.spec_cases import SPEC_GRAPHS, spec_cases
from conformance.tf.capture_conditions import CONDITIONS, DEFAULT
from conformance.tf.graphs import BUILDERS

ARGUMENT_SETS: dict[str, dict[str, Any]] = {
    "default": {},
    "text": {"as_text": True},
    "clear_devices": {"clear_devices": True},
    "strip_default_attrs": {"strip_default_attrs": True},
    "scope_s": {"export_scope": "s"},
    "scope_s_slash": {"export_scope": "s/"},
    "debug": {"save_debug_info": True},
    "debug_text_scope": {"save_debug_info": True, "as_text": True, "export_scope": "s"},
    "no_collections": {"collection_list": []},
    "clear_extraneous_savers": {"clear_extraneous_savers": True},
    "graph_def_given": {"graph_def": {"as_graph_def": True}},
    "graph_def_clear_devices": {"graph_def": {"as_graph_def": False}, "clear_devices": True},
    "meta_info_def": {
        "meta_info_def": {
            "text": 'meta_graph_version: "v1" tags: "serve" tags: "hé\\001" '
            'tensorflow_version: "bogus" stripped_default_attrs: true'
        }
    },
    "saver_def_empty": {"saver_def": {"text": ""}},
    "scope_clear_devices_strip": {
        "export_scope": "s",
        "clear_devices": True,
        "strip_default_attrs": True,
    },
    "scope_no_unbound_collection": {"export_scope": "s", "unbound_inputs_col_name": None},
    "collection_list_str": {"collection_list": "c"},
    "bad_meta_info_def": {"meta_info_def": "x"},
    "bad_graph_def_rebuild": {"graph_def": "x", "clear_devices": True},
    "bad_saver_def": {"saver_def": "x"},
    "bad_saver_def_ces": {"saver_def": "x", "clear_extraneous_savers": True},
    "empty_saver_def_ces": {"saver_def": {"text": ""}, "clear_extraneous_savers": True},
    "falsy_arguments": {"meta_info_def": {}, "graph_def": b"", "export_scope": ""},
    "int_scope": {"export_scope": 5},
    "unknown_kwarg": {"foo": 1},
    "exclude_nodes_kwarg": {"exclude_nodes": ["a"]},
}

# Argument sets that also choose the file name (as TF writes it, relative to the CWD).
FILENAMES: dict[str, tuple[str, dict[str, Any]]] = {
    "nested_dirs": ("deep/er/model.meta", {"save_debug_info": True}),
    "plain_name": ("plain", {"save_debug_info": True, "as_text": True}),
    "debug_overwrites_meta": ("model.debug", {"save_debug_info": True}),
    "double_extension": ("a.tar.gz", {"save_debug_info": True}),
}

# The default Saver that clear_extraneous_savers builds (spec.md 7.5): "savers" exported
# with no saver_def, with and without a scope that leaves the saveables out of rule 3.5.
SAVER_BUILDS: dict[str, dict[str, Any]] = {
    "scope_ces_savers": {
        "export_scope": "nothing_here",
        "clear_extraneous_savers": True,
        "collection_list": ["savers"],
    },
}

# Per-graph extra argument sets (graphs that have savers, scopes etc.).
EXTRA: dict[str, dict[str, dict[str, Any]]] = {
    "empty_variables_collection": {
        "scope_bad_regex": {"export_scope": "("},
        "scope_int_regex": {"export_scope": 5},
    },
    "v1_layers_adam_metrics": {
        "scope_model": {"export_scope": "model"},
        "scope_model_ces_light": {
            "export_scope": "model",
            "clear_extraneous_savers": True,
            "saver_def": {"saver": 1},
        },
    },
    "two_savers": {
        "ces_saver0": {"clear_extraneous_savers": True, "saver_def": {"saver": 0}},
        "ces_saver1": {"clear_extraneous_savers": True, "saver_def": {"saver": 1}},
        "saver_def": {"saver_def": {"saver": 1}},
    },
    "scopes": {
        "stale_unbound_in_next_export": {"export_scope": "s", "then": [{}]},
        "collections_subset": {"collection_list": ["strs", "ints", "missing", "strs"]},
        "scope_regex": {"export_scope": "s."},
    },
    "odd_collections": {
        "explicit_keys": {"collection_list": [b"bk", 5, "bools", "floats"]},
    },
    "ref_variables": {"scope_ces": {"export_scope": "s", "clear_extraneous_savers": True}},
    "root_saver": {
        "ces_save_b": {"clear_extraneous_savers": True, "saver_def": {"saver": 1}},
        "ces_savers_twice": {"clear_extraneous_savers": True, "collection_list": ["savers"] * 2},
    },
    "empty": {
        "any_info_text": {
            "as_text": True,
            "meta_info_def": {
                "text": 'any_info { type_url: "type.googleapis.com/tensorflow.SaverDef" '
                'value: "\\n\\001x" } function_aliases { key: "b" value: "y" } '
                'function_aliases { key: "a" value: "x" }'
            },
        },
        "any_info_type_only_tf_knows": {
            "as_text": True,
            "meta_info_def": {
                "text": 'any_info { type_url: "type.googleapis.com/tensorflow.ConfigProto" '
                'value: "\\020\\002" }'
            },
        },
        "stripped_op_list_given": {
            "meta_info_def": {"text": 'stripped_op_list { op { name: "Bogus" } }'}
        },
        "enter_frame_out_of_scope": {
            "export_scope": "s",
            "graph_def": {
                "text": 'node { name: "s/e" op: "Enter" '
                'attr { key: "frame_name" value { s: "other" } } }'
            },
        },
        "scope_is_a_regex": {
            "export_scope": "a+",
            "graph_def": {
                "text": 'node { name: "a+/x" op: "NoOp" } node { name: "aa/y" op: "NoOp" } '
                'node { name: "a+/z" op: "NoOp" input: "^a+/x" }'
            },
        },
        "call_without_f": {
            "graph_def": {
                "text": 'node { name: "p" op: "PartitionedCall" } node { name: "u" op: "NoSuchOp" }'
            },
        },
    },
}


# Capture conditions (spec.md 1.10): these graphs, captured under every condition but the
# default one, with these argument sets; named ``<graph>-<argument set>-capture_<condition>``.
CAPTURE_GRAPHS = (
    "scoped_input_and_defuns",
    "defun",
    "input_pipeline",
    "lookup_and_dataset",
    "training",
    "cond_v1",
    "functions",
)
CAPTURE_ARGUMENT_SETS = (
    "default",
    "scope_s",
    "clear_devices",
    "clear_extraneous_savers",
    "debug_text_scope",
)


# Graphs that exist for one rule: only these argument sets (not the common ones).
ONLY: dict[str, tuple[str, ...]] = {
    graph: ("default", "clear_extraneous_savers", "scope_ces_savers")
    for graph in BUILDERS
    if graph.startswith("saveables_")
}


def hand_cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every hand case, in a fixed order: ``(name, request)`` for ``TFWorker.run``.

    The request has the keys ``graph`` (a builder name), ``args`` (the export
    arguments, without ``then``), ``filename`` and ``then`` (a list of argument
    dicts for later exports of the same graph). For each graph: the common
    argument sets (``ARGUMENT_SETS``, then the graph's ``EXTRA`` sets, which may
    override a common one), then the file-name sets (``FILENAMES``). Then the capture
    cases: ``CAPTURE_GRAPHS`` x ``CAPTURE_ARGUMENT_SETS`` under each capture condition
    but the default one (the request's ``capture``; the others are captured in context).
    Then the file-system cases (``conformance.gen.file_cases``), whose requests may carry a
    ``pre_state``; the spec-gap cases (``conformance.gen.spec_cases``); last the cases that
    guard rules against the mutation harness's bugs (``conformance.gen.guard_cases``); then
    the cases of what a release's registry and pool change (``conformance.gen.release_cases``).
    """
    for graph in BUILDERS:
        if graph in SPEC_GRAPHS or graph.startswith(("guard_", "release_")):  # their own cases
            continue
        if graph in ONLY:
            for args_name in ONLY[graph]:
                args = {**ARGUMENT_SETS, **SAVER_BUILDS}[args_name]
                yield f"{graph}-{args_name}", _request(graph, args, "model.meta")
            continue
        sets = dict(ARGUMENT_SETS)
        sets.update(EXTRA.get(graph, {}))
        for args_name, args in sets.items():
            yield f"{graph}-{args_name}", _request(graph, args, "model.meta")
        for args_name, (filename, args) in FILENAMES.items():
            yield f"{graph}-{args_name}", _request(graph, args, filename)
    for condition in CONDITIONS:
        if condition == DEFAULT:
            continue
        for graph in CAPTURE_GRAPHS:
            for args_name in CAPTURE_ARGUMENT_SETS:
                request = _request(graph, ARGUMENT_SETS[args_name], "model.meta")
                request["capture"] = condition
                yield f"{graph}-{args_name}-capture_{condition}", request
    yield from file_cases()  # the file-system cases (pre-states, odd file names)
    yield from spec_cases()  # the spec gaps of issue 9
    yield from guard_cases()
    yield from release_cases()  # what the release's registry and pool change (issue 10)


def _request(graph: str, args: dict[str, Any], filename: str) -> dict[str, Any]:
    return {
        "graph": graph,
        "args": {k: v for k, v in args.items() if k != "then"},
        "filename": filename,
        "then": list(args.get("then", [])),
    }
