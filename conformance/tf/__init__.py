"""The TensorFlow side of the suite: everything that runs in a TF process or drives one.

Modules here that run in TF's process import TensorFlow lazily (they get the module as an
argument or import it when called); the clients of the TF processes import no TensorFlow.
"""
