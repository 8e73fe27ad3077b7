"""The fine-grained feature tags of corpus cases (conformance/corpus/features.py)."""

from __future__ import annotations

from conformance.corpus import FEATURES, spec_rule_numbers
from conformance.corpus.features import ERROR_TEXTS, error_text_features
from conformance.protocol.conformance_pb2 import CorpusCase, Handshake
from conformance.run.runner import unsupported_features

WARNING_HEAD = "Issue encountered when serializing k.\nType is unsupported, ...\n"


def test_every_error_text_rule_is_a_rule_of_the_spec() -> None:
    assert {rule for rule, _, _ in ERROR_TEXTS} <= set(spec_rule_numbers())


def test_every_error_text_tag_is_a_declared_feature() -> None:
    assert {f"error_text:{rule}" for rule, _, _ in ERROR_TEXTS} <= set(FEATURES)


def test_a_regex_error_is_tagged_regex_error_only() -> None:
    tags = error_text_features("error", "missing ), unterminated subpattern at position 0", [])
    assert tags == {"regex_error"}


def test_an_error_worded_by_python_is_tagged_with_its_rule() -> None:
    message = "create_meta_graph_def() got an unexpected keyword argument 'foo'"
    assert error_text_features("TypeError", message, []) == {"error_text:2.5"}


def test_an_error_worded_by_tensorflow_gets_no_tag() -> None:
    message = "Graph is finalized and cannot be modified."
    assert error_text_features("RuntimeError", message, []) == set()


def test_a_warning_is_tagged_by_the_rule_of_its_last_line() -> None:
    warning = WARNING_HEAD + "Expected a message object, but got None."
    assert error_text_features(None, "", [warning]) == {"error_text:8.4.5"}


def test_a_warning_worded_by_tensorflow_gets_no_tag() -> None:
    warning = WARNING_HEAD + "No variables to save"
    assert error_text_features(None, "", [warning]) == set()


def test_declaring_everything_but_one_tag_skips_exactly_the_cases_with_that_tag() -> None:
    cases = [
        CorpusCase(name="a", features=["text", "text_any"]),
        CorpusCase(name="b", features=["text"]),
        CorpusCase(name="c", features=["error", "error_text:3.5"]),
        CorpusCase(name="d", features=[]),
    ]
    for left_out in ("text_any", "error_text:3.5", "text"):
        handshake = Handshake(features=sorted(set(FEATURES) - {left_out}))
        skipped = {c.name for c in cases if unsupported_features(c, handshake)}
        assert skipped == {c.name for c in cases if left_out in c.features}, left_out
