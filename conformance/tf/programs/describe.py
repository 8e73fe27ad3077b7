"""Programs rendered as readable Python-like code (``describe``), for failure reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.tf.programs.model import KINDS, PY_VALUES, Step, collection_key, resolve

_MODIFIERS = ("scope", "device", "colocate", "deps")


def describe(program: Sequence[Step], trace: Sequence[str] | None = None) -> str:
    """The program as readable Python-like code (``x<i>`` is the result of step ``i``).

    With the interpreter's ``trace``, skipped steps are marked.
    """
    lines: list[str] = []
    for i, (step, r) in enumerate(zip(program, resolve(program), strict=True)):
        indent = ""
        withs: list[str] = []
        for component in step.get("scope") or []:
            withs.append(f"name_scope({component!r})")
        if step.get("device") is not None:
            withs.append(f"device({step['device']!r})")
        if step.get("colocate") is not None:
            withs.append(f"colocate_with({_ref_name(r.refs.get('colocate'))})")
        if step.get("deps"):
            deps = ", ".join(_ref_name(j) for j in r.lists.get("deps", []))
            withs.append(f"control_dependencies([{deps}])")
        if withs:
            lines.append("with " + ", ".join(withs) + ":")
            indent = "    "
        args: list[str] = []
        for key, value in step.items():
            if key in ("op", *_MODIFIERS):
                continue
            if key in r.refs:
                args.append(f"{key}={_ref_name(r.refs[key])}")
            elif key in r.lists:
                args.append(f"{key}=[{', '.join(_ref_name(j) for j in r.lists[key])}]")
            else:
                args.append(f"{key}={_render_value(step, key, value)}")
        result = KINDS[step["op"]].result
        lhs = f"x{i} = " if result is not None else ""
        note = ""
        if trace is not None and i < len(trace) and trace[i] != "ok":
            note = f"  # {trace[i]}"
        lines.append(f"{indent}{lhs}{step['op']}({', '.join(args)}){note}")
    return "\n".join(lines) if lines else "# (empty program)"


def _ref_name(j: int | None) -> str:
    return "<none>" if j is None else f"x{j}"


def _render_value(step: Step, key: str, value: Any) -> str:
    if step["op"] == "py_const" and key == "value" and isinstance(value, int):
        return repr(PY_VALUES[value % len(PY_VALUES)])
    if key in ("key", "collection") and isinstance(value, str):
        return repr(collection_key(value))
    if key in ("keys", "collections") and isinstance(value, list):
        return repr([collection_key(k) if isinstance(k, str) else k for k in value])
    return repr(value)
