"""The feature tags of corpus cases (``CorpusCase.features``; docs/conformance-protocol.md 6).

A testee declares the tags it supports (``metagraph_ref.Handshake.features``) and is not
sent the cases that need others. ``scripts/generate_corpus.py`` tags each case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ERROR_TEXTS", "FEATURES", "REGEX_ERROR_TYPE", "error_text_features"]

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
    "text_any": "text output that expands a google.protobuf.Any of a known type (spec.md 10.2.7)",
    "regex_error": "TF raised Python's re.error (type 'error'; its text is worded by Python's re "
    "module, spec.md 3.5)",
}

#: The exception type name of Python's ``re.error``, as the corpus records it.
REGEX_ERROR_TYPE = "error"

#: Error and warning texts worded by Python or by the protobuf runtime rather than by TF's
#: own code (an exporter in another language must imitate them): (rule, exception type,
#: pattern searched in the message). Exception type ``""`` matches the last line of a
#: warning of rule 8.5 (``str(e)`` of the caught exception). A case whose error or warning
#: matches gets the tag ``error_text:<rule>``, the first rule of this table that matches.
ERROR_TEXTS: tuple[tuple[str, str, str], ...] = (
    ("2.3", "AttributeError", r"'(get_collection|graph_def_versions|clear_collection)'$"),
    ("2.5", "TypeError", r"got an unexpected keyword argument|got multiple values for keyword"),
    ("2.6", "TypeError", r"must be of type \w+\. Received type: <class "),
    ("2.7", "TypeError", r"object is not iterable$"),
    ("2.8", "TypeError", r"^startswith first arg must be str|^first argument must be string"),
    ("2.9", "TypeError", r"^startswith first arg must be bytes|^expected str, bytes or os"),
    ("3.5", "AttributeError", r"object has no attribute 'name'$"),
    ("3.5", "TypeError", r"^expected string or bytes-like object"),
    ("4.2.2", "UnicodeDecodeError", r""),
    ("4.2.5", "IndexError", r""),
    ("4.2.6", "UnboundLocalError", r""),
    ("4.2.6", "TypeError", r"^expected bytes, list found$"),
    ("4.4.1", "AttributeError", r"object has no attribute 'versions'$"),
    ("7.1", "AttributeError", r"object has no attribute 'save_tensor_name'$"),
    ("7.2", "ValueError", r"^too many values to unpack"),
    ("7.5", "TypeError", r"not supported between instances of|^can't convert Operation|"
     r"^Failed to convert elements of"),
    ("8.3", "AttributeError", r"object has no attribute 'startswith'$"),
    ("8.4.1", "", r"object has no attribute 'name'$"),
    ("8.4.2", "", r"^Expected binary or unicode string, got "),
    ("8.4.3", "", r"cannot be interpreted as an integer$|^Value out of range: |"
     r"Expected an int, got a boolean\.$"),
    ("8.4.4", "", r"^must be real number, not "),
    ("8.4.5", "", r"^Expected a message object, but got |"
     r"expected <class 'google\.protobuf\.any_pb2\.Any'>"),
    ("8.6.2", "", r"object has no attribute 'to_proto'$|^Parameter to MergeFrom\(\) must be"),
    ("8.6.3", "", r"object has no attribute '(saver_def|filename_tensor_name)'$"),
    ("8.6.4", "", r"object has no attribute 'queue'$"),
    ("8.6.5", "", r"object has no attribute '_pred'$"),
    ("8.6.6", "", r"object has no attribute '_parallel_iterations'$"),
)

FEATURES.update(
    {
        f"error_text:{rule}": f"the exact text of a {kind or 'warning'} of rule {rule} that "
        "Python or the protobuf runtime words (ERROR_TEXTS)"
        for rule, kind, _ in ERROR_TEXTS
    }
)


def _matching_rule(kind: str, message: str) -> str | None:
    for rule, want, pattern in ERROR_TEXTS:
        if want == kind and re.search(pattern, message):
            return rule
    return None


def error_text_features(
    error_type: str | None, error_message: str, warnings: Iterable[str]
) -> set[str]:
    """The ``error_text:<rule>`` and ``regex_error`` tags of a case's outcome: TF's error
    (``error_type`` None when there was none) and its warnings."""
    tags: set[str] = set()
    if error_type == REGEX_ERROR_TYPE:
        tags.add("regex_error")
    elif error_type is not None:
        rule = _matching_rule(error_type, error_message)
        if rule is not None:
            tags.add(f"error_text:{rule}")
    for warning in warnings:
        rule = _matching_rule("", warning.rsplit("\n", 1)[-1])
        if rule is not None:
            tags.add(f"error_text:{rule}")
    return tags
