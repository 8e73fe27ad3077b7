"""The conformance suite of ``export_meta_graph``, in layers:

- ``protocol``: the testee protocol (framing, argument codec, schema, a testee's loop),
  spoken by every process; imports only protobuf;
- ``corpus``: the golden corpus and its API; ``compare``: two outcomes compared;
- ``run``: the runner (``python -m conformance``), testee processes, verdicts, failure lists,
  the pytest plugin; loads no exporter;
- ``gen``: case generators (hypothesis strategies, hand-written cases, generated cases);
- ``tf``: everything that runs in or drives a TensorFlow process (capture, graphs, graph
  programs, the worker, the TF testee).

``conformance.oracle``, ``conformance.strategies`` and ``conformance.tf_testee`` are the
public paths of ``tf.oracle``, ``gen.strategies`` and ``tf.testee``.
"""
