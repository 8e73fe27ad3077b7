"""Cases whose export differs between TF releases only through the release's process (its
op registry and its loaded message types): the ``release_*`` graphs of
``conformance.tf.graphs_release`` with their argument sets.

Chained from ``conformance.gen.hand_cases.hand_cases``; named ``<graph>-<argument set>``
like every hand case. Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

from conformance.tf.graphs_release import RELEASE_REGISTRY_OPS

__all__ = ["RELEASE_CASES", "release_cases"]

#: A GraphDef with one node of each op of ``RELEASE_REGISTRY_OPS`` (no attributes: rule
#: 5.4 looks ops up by name only).
_REGISTRY_OPS_GRAPH_DEF = " ".join(
    f'node {{ name: "n{i}" op: "{op}" }}' for i, op in enumerate(RELEASE_REGISTRY_OPS)
)

#: Graph -> argument set name -> arguments (the file is always ``model.meta``).
RELEASE_CASES: dict[str, dict[str, dict[str, Any]]] = {
    # rule 10.2.7: which Any types expand is the release's process's pool
    "release_any_types": {"text": {"as_text": True}},
    # rule 5.4: ops of a given GraphDef that the graph lacks come from the release's registry
    "release_registry_ops": {
        "graph_def_ops": {"graph_def": {"text": _REGISTRY_OPS_GRAPH_DEF}},
    },
}


def release_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every case of ``RELEASE_CASES``, in order: ``(name, request)`` as ``hand_cases``
    yields."""
    return [
        (
            f"{graph}-{name}",
            {"graph": graph, "args": dict(args), "filename": "model.meta", "then": []},
        )
        for graph, sets in RELEASE_CASES.items()
        for name, args in sets.items()
    ]
