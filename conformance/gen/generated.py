"""Hypothesis-generated conformance cases, with refimpl as the oracle (no TensorFlow).

``conformance.gen.strategies`` draws graph *programs*, which only TensorFlow can build; so
the generated cases here reuse the corpus's graph snapshots and draw new export
arguments for them with the suite's export-argument strategy
(``conformance.gen.export_arguments``, given what the snapshot says of its graph: a file
name, an export_scope among the graph's names and scopes and their variants, a
collection_list among its keys and unknown ones, a meta_info_def, the flags,
unbound_inputs_col_name). The expected outcome is refimpl's, computed in this
process (``conformance.corpus.run_case``). Such a case checks that a testee agrees with
refimpl on argument combinations TF was never run on; the corpus remains the
authority on what TF does.

Generation is deterministic for a given seed, case count, corpus and hypothesis
version: case ``i`` is named ``hypothesis-<seed>-<i>``, and
``python -m conformance --hypothesis N --seed S --case hypothesis-S-i`` replays it.

This module needs hypothesis (a test dependency); the runner imports it only for
``--hypothesis N``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from conformance import corpus as corpus_mod
from conformance.corpus.features import error_text_features
from conformance.gen.export_arguments import FILENAMES, GraphFacts, export_arguments
from conformance.protocol.conformance_pb2 import CorpusCase
from conformance.protocol.values import encode_arguments

__all__ = [
    "build_case",
    "case_strategy",
    "generate_cases",
    "replayed_case",
    "sources",
    "stored_form",
]

#: Graph-property feature tags a generated case inherits from its source case.
GRAPH_FEATURES = frozenset({"functions", "control_flow_v1", "variables", "savers", "collections"})


def sources(cases: Sequence[CorpusCase]) -> list[CorpusCase]:
    """One case per distinct snapshot (the first by name), ordered by snapshot hash."""
    by_sha: dict[str, CorpusCase] = {}
    for case in sorted(cases, key=lambda c: c.name):
        sha = case.snapshot_sha256 or corpus_mod.snapshot_sha256(case.snapshot)
        by_sha.setdefault(sha, case)
    return [by_sha[sha] for sha in sorted(by_sha)]


@functools.lru_cache(maxsize=64)
def _facts(sha: str, data: bytes) -> GraphFacts:
    return GraphFacts.of_snapshot(data)


def _facts_of(case: CorpusCase) -> GraphFacts:
    return _facts(corpus_mod.snapshot_sha256(case.snapshot), case.snapshot)


#: The arguments drawn besides the flags and the file name.
DRAWN = ("export_scope", "collection_list", "meta_info_def", "unbound_inputs_col_name")
#: A drawn case: (name of the source case, export keyword arguments).
Drawn = tuple[str, dict[str, Any]]


def case_strategy(source_cases: Sequence[CorpusCase]) -> st.SearchStrategy[Drawn]:
    """Draws (source case name, export keyword arguments) for one of ``source_cases``: the
    suite's export-argument strategy (``conformance.gen.export_arguments``) given what the
    source case's snapshot says of its graph, with a file name (or none)."""
    by_name = {c.name: c for c in source_cases}
    names = list(by_name)

    @st.composite
    def draw_case(draw: st.DrawFn) -> Drawn:
        source = draw(st.sampled_from(names))
        facts = _facts_of(by_name[source])
        args = export_arguments(facts, filenames=(*FILENAMES, None), drawn=DRAWN)
        return source, draw(args)

    return draw_case()


def features_of(args: dict[str, Any], source: CorpusCase, case: CorpusCase) -> list[str]:
    """The feature tags of a generated case (``conformance.corpus.FEATURES``)."""
    tags = {f for f in source.features if f in GRAPH_FEATURES}
    flags = {
        "scope": bool(args.get("export_scope")),
        "text": bool(args.get("as_text")),
        "debug": bool(args.get("save_debug_info") and args.get("filename")),
        "clear_devices": bool(args.get("clear_devices")),
        "clear_extraneous_savers": bool(args.get("clear_extraneous_savers")),
        "strip_default_attrs": bool(args.get("strip_default_attrs")),
        "meta_info_def": "meta_info_def" in args,
        "saver_def": "saver_def" in args,
        "graph_def": "graph_def" in args,
        "bad_types": not isinstance(args.get("export_scope", ""), (str, type(None))),
        "collection_list": args.get("collection_list") is not None,
        "unbound_inputs_col_name": "unbound_inputs_col_name" in args,
        "filename": args.get("filename") not in ("model.meta", None),
        "error": case.expected.HasField("error"),
        "warnings": len(case.expected.warnings) > 0,
    }
    tags.update(tag for tag, on in flags.items() if on)
    error = case.expected.error if case.expected.HasField("error") else None
    tags |= error_text_features(
        error.type if error else None, error.message if error else "", case.expected.warnings
    )
    return sorted(tags)


def build_case(name: str, source: CorpusCase, args: dict[str, Any]) -> CorpusCase:
    """A corpus case from drawn arguments, its expected outcome computed by refimpl."""
    case = CorpusCase(
        name=name,
        snapshot=source.snapshot,
        snapshot_sha256=source.snapshot_sha256,
        arguments=encode_arguments(args),
        program=f"derived:{source.name}",
        tensorflow_version="refimpl",
    )
    case.expected.CopyFrom(corpus_mod.run_case(case))
    case.level = CorpusCase.RECOMMENDED if case.expected.HasField("error") else CorpusCase.REQUIRED
    case.features.extend(features_of(args, source, case))
    return case


def stored_form(case: CorpusCase) -> bytes:
    """A generated case as kept in an example database (``conformance.run.example_db``):
    its arguments, source, level and features, without the snapshot and the expected
    outcome (both made again on replay)."""
    kept = CorpusCase(
        arguments=case.arguments,
        program=case.program,
        level=case.level,
        features=case.features,
        tensorflow_version=case.tensorflow_version,
    )
    return kept.SerializeToString(deterministic=True)


def replayed_case(value: bytes, corpus_cases: Sequence[CorpusCase]) -> CorpusCase | None:
    """The case ``stored_form`` kept, named ``hypothesis-db-<hash>``, its expected outcome
    computed again; None if its source case is not in ``corpus_cases``."""
    case = CorpusCase.FromString(value)
    source_name = case.program.removeprefix("derived:")
    source = next((c for c in corpus_cases if c.name == source_name), None)
    if source is None:
        return None
    case.name = "hypothesis-db-" + hashlib.sha256(value).hexdigest()[:12]
    case.snapshot = source.snapshot
    case.snapshot_sha256 = source.snapshot_sha256
    case.expected.CopyFrom(corpus_mod.run_case(case))
    return case


def generate_cases(
    corpus_cases: Sequence[CorpusCase],
    count: int,
    seed: int,
    keep: Callable[[str], bool] | None = None,
) -> list[CorpusCase]:
    """``count`` generated cases (fewer only if hypothesis exhausts its search space);
    with ``keep``, only those whose name it accepts are built (``--shard``)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    drawn: list[Drawn] = []
    if count <= 0:
        return []
    origins = sources(corpus_cases)
    by_name = {c.name: c for c in origins}

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case_strategy(origins))
    def collect(example: Drawn) -> None:
        drawn.append(example)

    collect()
    names = [f"hypothesis-{seed}-{i:04d}" for i in range(len(drawn[:count]))]
    return [
        build_case(name, by_name[source], args)
        for name, (source, args) in zip(names, drawn, strict=False)
        if keep is None or keep(name)
    ]
