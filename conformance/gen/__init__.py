"""Generating cases: hypothesis strategies (graph programs, snapshots, export arguments),
the hand-written cases of the corpus and of the file-system scenarios, and the
hypothesis-generated corpus cases (refimpl as the oracle)."""
