"""Generating cases: hypothesis strategies (graph programs, snapshots, and the one
export-argument strategy, ``export_arguments``, that all of them use), the hand-written
cases of the corpus and of the file-system scenarios, and the hypothesis-generated corpus
cases (refimpl as the oracle)."""
