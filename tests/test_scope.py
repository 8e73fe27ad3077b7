"""``ExportScope``: the ``export_scope`` argument as one value, each of TF's tests a method."""

from __future__ import annotations

import re

import pytest

from refimpl import rules
from refimpl.scope import NO_SCOPE, ExportScope


def test_made_once_by_rule_2_8_from_the_argument_as_given() -> None:
    with rules.tracing() as trace:
        scope = ExportScope.of(5)
    assert trace.rules == ("2.8",)
    assert scope.value == 5 and scope == ExportScope(5)
    assert NO_SCOPE == ExportScope(None) == ExportScope.of(None)


def test_truthiness_and_none_are_different_tests() -> None:
    empty = ExportScope("")
    assert not empty.given and not empty.is_none
    assert not NO_SCOPE.given and NO_SCOPE.is_none
    # Rules 4.2.1 / 8.4.1 guard by truthiness, the to_proto functions (8.6) by None.
    assert empty.includes("x") and NO_SCOPE.includes("x")
    assert empty.to_proto_includes("x") and NO_SCOPE.to_proto_includes("x")
    assert not ExportScope("s").includes("x") and ExportScope("s").includes("sx/z")


def test_keeps_names_of_unbound_inputs_under_any_scope() -> None:
    assert ExportScope("s").keeps("$unbound_inputs_x")
    assert not ExportScope("s").keeps("^$unbound_inputs_x")  # rule 8.3: control entries go


def test_a_falsy_non_none_scope_fails_only_where_tf_does_not_guard() -> None:
    zero = ExportScope(0)
    assert zero.includes("x") and zero.keeps("x") and zero.strip_name("x") == "x"
    with pytest.raises(TypeError, match="startswith first arg must be str or a tuple of str"):
        zero.to_proto_includes("x")
    with pytest.raises(TypeError, match="first argument must be string or compiled pattern"):
        zero.compiled()


def test_a_non_str_scope_fails_as_python_does() -> None:
    five = ExportScope(5)
    assert five.given
    with pytest.raises(
        TypeError, match="^startswith first arg must be str or a tuple of str, not int$"
    ):
        five.includes("x")
    with pytest.raises(TypeError, match="^'int' object is not subscriptable$"):
        five.strip_name("x")


def test_the_scope_is_a_live_regular_expression_when_stripped_and_compiled() -> None:
    dotted = ExportScope("s.")
    assert dotted.strip_name("sx/read:0") == "read:0"
    assert not dotted.has_prefix("sx/read:0")
    assert dotted.compiled().match("sx/a")
    with pytest.raises(re.error):
        ExportScope("(").strip_name("a")


def test_strip_and_prepend_keep_control_and_colocation_prefixes() -> None:
    scope = ExportScope("s/")
    assert scope.strip_name("^s//a") == "^a"
    assert scope.strip_name("loc:@s/a") == "loc:@a"
    assert scope.prepend_name("^a") == "^s/a"
    assert scope.prepend_name("loc:@a") == "loc:@s/a"
    assert ExportScope("").prepend_name("a") == "a"
