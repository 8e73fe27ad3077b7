"""Running a testee against the corpus: the runner (``python -m conformance``), the client
of a testee process, verdicts, failure lists and the pytest plugin.

Nothing here loads refimpl's exporter at start-up: the exporter runs in the testee's own
process (``python -m refimpl.testee``), or generates hypothesis cases when asked
(``--hypothesis N``, ``conformance.gen.generated``).
"""
