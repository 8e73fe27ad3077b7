"""The ``export_scope`` argument as one value (spec.md rule 2.8).

TF never gives the scope one meaning: it truth-tests it (rules 2.2, 3.1), tests names
against it as a raw string prefix, guarded by truthiness (rules 4.2.1, 4.2.3, 4.2.5,
4.2.6, 8.3, 8.4.1) or by ``is None`` (the ``to_proto`` functions of rule 8.6), compiles
it as a regular expression (rule 3.5), and strips it from names, or prepends it, through
an unescaped pattern (rules 4.2.2, 10.4.1). ``ExportScope`` is made once, from the
argument as given, by ``ExportScope.of`` (rule 2.8), and each test is one method.

The argument may be anything (TF takes any value): each method applies Python's own
operation to it, so a non-str scope fails where, and as, it fails in TF (for example
``startswith first arg must be str or a tuple of str, not int``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from refimpl import rules
from refimpl.names import UNBOUND_INPUT_PREFIX

__all__ = ["NO_SCOPE", "ExportScope"]


@dataclass(frozen=True)
class ExportScope:
    """The ``export_scope`` argument, as given (None, a str, or any other value)."""

    value: object = None
    # The same value, untyped: Python's own operations on it raise TF's errors for values
    # that are not str (the argument is an untyped boundary: TF accepts anything).
    _raw: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_raw", self.value)

    @classmethod
    def of(cls, export_scope: object) -> ExportScope:
        """The scope of an export (rule 2.8): the argument as given, never converted."""
        rules.applied("2.8")
        return cls(export_scope)

    @property
    def given(self) -> bool:
        """Whether the scope is truthy (rules 2.2, 3.1): ``""`` is not given."""
        return bool(self.value)

    @property
    def is_none(self) -> bool:
        """Whether the argument is ``None`` (``""`` is not: rules 3.5 and 8.6)."""
        return self.value is None

    def has_prefix(self, name: str) -> bool:
        """``name.startswith(export_scope)``: the raw prefix test, with no guard."""
        return name.startswith(self._raw)

    def includes(self, name: str) -> bool:
        """A falsy scope includes every name; else the raw prefix test (rules 4.2.1, 8.4.1)."""
        return not self.value or name.startswith(self._raw)

    def keeps(self, name: str) -> bool:
        """The inclusion test of nodes and collection items (rules 4.2.1, 8.3 step 4).

        A name that starts with ``$unbound_inputs_`` is always kept.
        """
        return name.startswith(UNBOUND_INPUT_PREFIX) or self.includes(name)

    def to_proto_includes(self, name: str) -> bool:
        """The test of the ``to_proto`` functions (rule 8.6): only ``None`` includes all."""
        return self.value is None or name.startswith(self._raw)

    def compiled(self) -> re.Pattern[str]:
        """The scope as a regular expression (rule 3.5); fails as ``re.compile`` fails."""
        return re.compile(self._raw)

    def strip_name(self, name: str) -> str:
        """``strip_name_scope(name, export_scope)`` (rule 4.2.2).

        The scope (one trailing '/' removed) is used as a regular expression,
        unescaped, exactly as TF does: the first match of
        ``(\\^|loc:@|^)<scope>/+(.*)`` is replaced by the prefix and the rest. Names
        that only share a string prefix with the scope are left unchanged.
        """
        rules.applied("4.2.2")
        export_scope = self._raw
        if not export_scope:
            return name
        if export_scope[-1] == "/":
            export_scope = export_scope[:-1]
        pattern = r"([\^]|loc:@|^)" + export_scope + r"[\/]+(.*)"
        return re.sub(pattern, r"\1\2", name, count=1)

    def prepend_name(self, name: str) -> str:
        """``prepend_name_scope(name, export_scope)`` (rule 10.4.1).

        Prepends the scope (one trailing '/' removed) and '/' to ``name``, after a
        leading '^' or 'loc:@'.
        """
        import_scope = self._raw
        if not import_scope:
            return name
        if import_scope[-1] == "/":
            import_scope = import_scope[:-1]
        return re.sub(r"([\^]|loc:@|^)(.*)", r"\1" + import_scope + r"/\2", name)


#: The scope of an export without one (and of nested control-flow contexts, rule 8.6.7).
NO_SCOPE = ExportScope(None)
