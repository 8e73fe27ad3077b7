"""Hypothesis-generated conformance cases, with refimpl as the oracle (no TensorFlow).

``conformance.gen.strategies`` draws graph *programs*, which only TensorFlow can build; so
the generated cases here reuse the corpus's graph snapshots and draw new export
arguments for them (a file name, as_text, an export_scope among the graph's name
prefixes, a collection_list among its keys and unknown ones, a meta_info_def, the
flags, unbound_inputs_col_name). The expected outcome is refimpl's, computed in this
process (``conformance.corpus.run_case``). Such a case checks that a testee agrees with
refimpl on argument combinations TF was never run on; the corpus remains the
authority on what TF does.

Generation is deterministic for a given seed, case count, corpus and hypothesis
version: case ``i`` is named ``hypothesis-<seed>-<i>``, and
``python -m conformance --hypothesis N --seed S --case hypothesis-S-i`` replays it.

Hypothesis is imported only when cases are generated (it is a test dependency).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from conformance import corpus as corpus_mod
from conformance.protocol.conformance_pb2 import CorpusCase, ExportArguments
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.snapshot import Snapshot

if TYPE_CHECKING:
    from hypothesis import strategies as st

__all__ = ["build_case", "case_strategy", "generate_cases", "sources"]

FILENAMES: tuple[str | None, ...] = (
    "model.meta",
    "model.meta",
    "deep/er/model.meta",
    "plain",
    "model.debug",
    "a.tar.gz",
    None,
)
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
def _graph(sha: str, data: bytes) -> Snapshot:
    import refimpl

    return refimpl.load_snapshot(data)


def _graph_of(case: CorpusCase) -> Snapshot:
    return _graph(corpus_mod.snapshot_sha256(case.snapshot), case.snapshot)


def scope_candidates(graph: Snapshot) -> list[str]:
    """Name-scope prefixes of the graph's operations (with and without '/'), sorted."""
    out: set[str] = set()
    for op in graph.operations:
        parts = op.name.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            out.update((prefix, prefix + "/"))
    out.add("no_such_scope")
    return sorted(out)


#: A drawn case: (name of the source case, export keyword arguments).
Drawn = tuple[str, dict[str, Any]]


def case_strategy(source_cases: Sequence[CorpusCase]) -> st.SearchStrategy[Drawn]:
    """Draws (source case name, export keyword arguments) for one of ``source_cases``."""
    from hypothesis import strategies as st

    by_name = {c.name: c for c in source_cases}
    names = list(by_name)

    @st.composite
    def draw_case(draw: st.DrawFn) -> Drawn:
        source = draw(st.sampled_from(names))
        graph = _graph_of(by_name[source])
        args: dict[str, Any] = {"filename": draw(st.sampled_from(FILENAMES))}

        def maybe(name: str, strategy: st.SearchStrategy[Any]) -> None:
            if draw(st.booleans()):
                args[name] = draw(strategy)

        maybe("as_text", st.booleans())
        scopes = scope_candidates(graph)
        maybe("export_scope", st.sampled_from(scopes) | st.sampled_from(["", None]))
        maybe("clear_devices", st.booleans())
        maybe("clear_extraneous_savers", st.booleans())
        maybe("strip_default_attrs", st.booleans())
        maybe("save_debug_info", st.booleans())
        keys = sorted(set(graph.str_collection_keys())) + ["no_such_collection"]
        maybe("collection_list", st.lists(st.sampled_from(keys), unique=True, max_size=4))
        maybe(
            "meta_info_def",
            st.builds(
                lambda v, t: MetaGraphDef.MetaInfoDef(meta_graph_version=v, tags=t),
                st.sampled_from(["", "v1", "x.y"]),
                st.lists(st.sampled_from(["serve", "train"]), max_size=2),
            ),
        )
        maybe("unbound_inputs_col_name", st.sampled_from([None, "unbound_inputs", "mine"]))
        return source, args

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
        "collection_list": args.get("collection_list") is not None,
        "unbound_inputs_col_name": "unbound_inputs_col_name" in args,
        "filename": args.get("filename") not in ("model.meta", None),
        "error": case.expected.HasField("error"),
        "warnings": len(case.expected.warnings) > 0,
    }
    tags.update(tag for tag, on in flags.items() if on)
    return sorted(tags)


def build_case(name: str, source: CorpusCase, args: dict[str, Any]) -> CorpusCase:
    """A corpus case from drawn arguments, its expected outcome computed by refimpl."""
    arguments = ExportArguments()
    for key, value in args.items():
        arguments.kwargs[key].CopyFrom(corpus_mod.to_py_value(value))
    case = CorpusCase(
        name=name,
        snapshot=source.snapshot,
        snapshot_sha256=source.snapshot_sha256,
        arguments=arguments,
        program=f"derived:{source.name}",
        tensorflow_version="refimpl",
    )
    case.expected.CopyFrom(corpus_mod.run_case(case))
    case.level = CorpusCase.RECOMMENDED if case.expected.HasField("error") else CorpusCase.REQUIRED
    case.features.extend(features_of(args, source, case))
    return case


def generate_cases(corpus_cases: Sequence[CorpusCase], count: int, seed: int) -> list[CorpusCase]:
    """``count`` generated cases (fewer only if hypothesis exhausts its search space)."""
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
    return [
        build_case(f"hypothesis-{seed}-{i:04d}", by_name[source], args)
        for i, (source, args) in enumerate(drawn[:count])
    ]
