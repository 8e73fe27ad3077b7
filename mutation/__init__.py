"""The mutation harness: realistic bugs planted in a copy of refimpl, checked against the
golden corpus without TensorFlow (``python scripts/plant_bugs.py``).

One module a job:

- ``model``: ``Mutant`` (one planted bug, tagged with the spec.md rule it breaks) and
  ``MutantResult`` (what the corpus did to it);
- ``catalog``: every mutant (``MUTANTS``, gathered from the ``mutants_*`` modules, one per
  group of spec sections), the ``FAST`` subset, and the MUST rules they must cover;
- ``planting``: a copy of refimpl with one mutant applied, in a temporary directory;
- ``check``: the subprocess that runs the corpus on a mutated copy, as the conformance
  runner does at its default settings, and stops at the first failing case;
- ``harness``: runs mutants in parallel and reports them (a table per spec section, JSON).

A mutant is *guarded* when a corpus case at its rule's own level catches it: a MUST rule
needs a REQUIRED or RECOMMENDED case; the rules of OPTIONAL behaviour (TF's accidents)
count any case.
"""
