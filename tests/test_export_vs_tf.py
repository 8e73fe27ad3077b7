"""refimpl against live TensorFlow 2.21: real graphs x argument combinations, byte for byte.

Each case builds a real graph in a TF worker process, captures its snapshot,
exports it with TF, and compares TF's files, returned MetaGraphDef, error,
warnings and the graph's unbound-inputs collection after the export with
refimpl's. Golden bytes come from TF in the same run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.compare import differences, run_refimpl, tf_outcome
from conformance.graphs import BUILDERS
from conformance.tf_process import TFWorker, tensorflow_available

pytestmark = [
    pytest.mark.tf,
    pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed"),
]

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

# Per-graph extra argument sets (graphs that have savers, scopes etc.).
EXTRA: dict[str, dict[str, dict[str, Any]]] = {
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
        "call_without_f": {
            "graph_def": {
                "text": 'node { name: "p" op: "PartitionedCall" } node { name: "u" op: "NoSuchOp" }'
            },
        },
    },
}


def _cases() -> Iterator[Any]:
    for graph in BUILDERS:
        sets = dict(ARGUMENT_SETS)
        sets.update(EXTRA.get(graph, {}))
        for args_name, args in sets.items():
            yield pytest.param(graph, args, "model.meta", id=f"{graph}-{args_name}")
        for args_name, (filename, args) in FILENAMES.items():
            yield pytest.param(graph, args, filename, id=f"{graph}-{args_name}")


@pytest.fixture(scope="module")
def worker() -> Iterator[TFWorker]:
    w = TFWorker()
    yield w
    w.close()


@pytest.mark.parametrize(("graph", "args", "filename"), list(_cases()))
def test_refimpl_export_equals_tensorflow(
    worker: TFWorker, graph: str, args: dict[str, Any], filename: str
) -> None:
    request = {
        "graph": graph,
        "args": {k: v for k, v in args.items() if k != "then"},
        "filename": filename,
        "then": args.get("then", []),
    }
    response = worker.run(request)
    assert "worker_error" not in response, response["worker_error"]
    actual, _ = run_refimpl(request, response)
    problems = list(differences(tf_outcome(response), actual))
    assert not problems, "\n".join(problems)
