"""Cases for the spec gaps an outside implementer found (issue 9): ``spec_*`` graphs
(``conformance.tf.graphs_spec``) and argument sets on existing graphs.

Chained from ``conformance.gen.hand_cases.hand_cases``; named ``<graph>-<argument set>``
like every hand case. Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

#: A SaverDef given for another message parameter: the TF worker parses ``text`` as the
#: message type of the parameter named by ``as`` (spec.md 2.6).
SAVER_DEF = {"text": 'filename_tensor_name: "f"', "as": "saver_def"}

#: Graph -> argument set name -> arguments (the file is always ``model.meta``).
SPEC_CASES: dict[str, dict[str, dict[str, Any]]] = {
    # rule 10.2.3: ties in float attrs, tensor values and float_list values
    "spec_float_ties": {"text": {"as_text": True}, "default": {}},
    # rules 10.2.5, 10.2.6: non-ASCII and control characters in text output
    "spec_non_ascii": {
        "text": {"as_text": True},
        "text_graph_def": {
            "as_text": True,
            "graph_def": {
                "text": 'node { name: "n\\303\\251\\344\\270\\255\\360\\237\\230\\200\\001" '
                'op: "NoOp" device: "/d\\303\\251\\t" '
                'attr { key: "k\\303\\251" value { s: "v\\303\\251\\344\\270\\255\\001\\377" } } }'
            },
            "meta_info_def": {
                "text": 'tags: "\\303\\251\\344\\270\\255\\360\\237\\230\\200\\001\\037"'
            },
        },
    },
    # rule 8.6.2: the MergeFrom(None) failure under a scope
    "spec_slice_out_of_scope": {"scope_s": {"export_scope": "s"}, "default": {}},
    # rules 8.4.3, 8.4.5: protobuf's messages for refused items
    "spec_bad_list_items": {"default": {}},
    "spec_bad_list_items_many": {"default": {}},
    # rules 7.x, 8.6.3: savers of each SaverDef format version
    "spec_savers_v1_v2": {
        "default": {},
        "text": {"as_text": True},
        "ces_v1": {"clear_extraneous_savers": True, "saver_def": {"saver": 0}},
        "ces_v2": {"clear_extraneous_savers": True, "saver_def": {"saver": 1}},
        "ces_none": {"clear_extraneous_savers": True},
    },
    # rules 3.5, 4.2.2: scopes full of regular-expression metacharacters
    "spec_regex_scopes": {
        "scope_dot": {"export_scope": "a.b"},
        "scope_dot_slash": {"export_scope": "a.b/"},
        "scope_plus": {"export_scope": "a+"},
        "scope_alternation": {"export_scope": "a|b"},
        "scope_class": {"export_scope": "a[.x]b"},
        "scope_paren": {"export_scope": "("},
        "scope_bracket": {"export_scope": "["},
        "scope_backslash": {"export_scope": "\\"},
        "scope_bad_repeat": {"export_scope": "*a"},
        "scope_anchors": {"export_scope": "^a.b$"},
    },
    # section 6: defaults equal by value, not by bytes
    "spec_equal_defaults": {"strip_default_attrs": {"strip_default_attrs": True}},
    # rule 4.1.8: function bodies keep their devices
    "spec_function_devices": {
        "default": {},
        "clear_devices": {"clear_devices": True},
        "graph_def_clear_devices": {"graph_def": {"as_graph_def": False}, "clear_devices": True},
    },
    # rule 2.6: a message of another type (TF names its class)
    "empty": {
        "saver_def_as_meta_info_def": {"meta_info_def": SAVER_DEF},
        "saver_def_as_graph_def": {"graph_def": SAVER_DEF},
        "graph_def_as_saver_def": {
            "saver_def": {"text": "versions { producer: 1 }", "as": "graph_def"}
        },
    },
    # docs/conformance-protocol.md 4.4: unbound_inputs_after is the literal key
    "scopes": {
        "scope_custom_unbound_collection": {
            "export_scope": "s",
            "unbound_inputs_col_name": "custom_unbound",
        },
    },
    "odd_collections": {
        "clear_devices_custom_unbound_collection": {
            "clear_devices": True,
            "unbound_inputs_col_name": "custom_unbound",
        },
    },
}

#: Graphs that exist only for these cases (the common argument sets skip them).
SPEC_GRAPHS = frozenset(g for g in SPEC_CASES if g.startswith("spec_"))


def spec_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every case of ``SPEC_CASES``, in order: ``(name, request)`` as ``hand_cases`` yields."""
    return [
        (
            f"{graph}-{name}",
            {"graph": graph, "args": dict(args), "filename": "model.meta", "then": []},
        )
        for graph, sets in SPEC_CASES.items()
        for name, args in sets.items()
    ]
