"""The feature tags of corpus cases (``CorpusCase.features``; docs/conformance-protocol.md 6).

A testee declares the tags it supports (``metagraph_ref.Handshake.features``) and is not
sent the cases that need others. ``scripts/generate_corpus.py`` tags each case.
"""

from __future__ import annotations

__all__ = ["FEATURES"]

#: Feature tags of ``CorpusCase.features`` and what a case with the tag needs.
FEATURES: dict[str, str] = {
    "scope": "a truthy export_scope (scoped rebuild, name stripping, unbound inputs)",
    "text": "a truthy as_text (text-format output)",
    "debug": "save_debug_info with a file name (the GraphDebugInfo file)",
    "clear_devices": "a truthy clear_devices (rebuild without devices)",
    "clear_extraneous_savers": "a truthy clear_extraneous_savers",
    "strip_default_attrs": "a truthy strip_default_attrs",
    "graph_def": "a GraphDef argument (verbatim or rebuilt from it)",
    "meta_info_def": "a MetaInfoDef argument",
    "saver_def": "a SaverDef argument",
    "collection_list": "a collection_list other than None",
    "unbound_inputs_col_name": "the unbound_inputs_col_name keyword",
    "kwargs": "keywords export_meta_graph does not know",
    "bad_types": "arguments of the wrong type (TF's errors for them)",
    "falsy": "falsy arguments other than None ('' , b'', {}, ...)",
    "filename": "a file name other than model.meta (directories, extensions)",
    "then": "further exports of the same graph, which sees the state the first left",
    "error": "TF raised an exception",
    "warnings": "TF logged warnings",
    "functions": "the graph has a function library",
    "control_flow_v1": "the graph has cond_context / while_context collections",
    "variables": "the graph has variable collections",
    "savers": "the graph has a savers collection",
    "collections": "the graph has collections",
    "unordered_inner_maps": "TF's own output is not reproducible (spec.md 0.4.1)",
    "random": "a random graph program (conformance.tf.programs)",
    "pre_state": "the working directory holds entries before the export (protocol 2)",
}
