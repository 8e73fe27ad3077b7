"""Graphs whose export differs between TF releases only through the release's process:
its op registry (rule 5.4, for ops the graph does not have) and the message types it has
loaded (rule 10.2.7, ``Any`` expansion in text). ``conformance.gen.release_cases`` pairs
them with argument sets; refimpl follows the snapshot's release
(``refimpl/data/releases/``, docs/tf-releases.md).

Registered in ``conformance.tf.graphs.BUILDERS`` under names starting with ``release_``;
the common argument sets skip them. Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any

from conformance.tf.graphs import builder

#: ``Any`` type names whose expansion in text changes between 2.12.1 and 2.21.0, with a
#: value of each: ``tensorboard.SummaryMetadata`` is loaded by 2.12 to 2.15 only (their
#: ``import tensorflow`` imports TensorBoard's protos), the others from the release named.
RELEASE_ANY_TYPES: tuple[tuple[str, bytes], ...] = (
    ("tensorboard.SummaryMetadata", b"\n\t\n\x07scalars"),  # plugin_data.plugin_name
    ("tensorflow.tpu.LionParameters", b""),  # from 2.14
    ("tensorflow.quantization.QuantizationOptions", b""),  # from 2.15
    ("tensorflow.data.ServiceOptions", b""),  # from 2.18
    ("tensorflow.BatchingOptions", b""),  # from 2.19
)

#: Ops whose OpDef, or whether the registry has it, changes between 2.12.1 and 2.21.0, at
#: least one per release that changes one: the first release with 2.21's, in a comment.
RELEASE_REGISTRY_OPS = (
    "StochasticCastToInt",  # 2.13: registered
    "Conv",  # 2.14: registered
    "VarHandleOp",  # 2.15: debug_name
    "MatMul",  # 2.16: grad_a, grad_b
    "GlobalIterId",  # 2.16: registered
    "_MklAdd",  # 2.17: no longer registered
    "CheckPinned",  # 2.18: registered
    "MapDataset",  # 2.18: force_synchronous
    "TfLiteSubgraphExecute",  # 2.19: no longer registered
    "DecodeWebP",  # 2.20: registered
    "Range",  # 2.20: Tidx allows uint64
    "DecodeJxl",  # 2.21: registered
    "TensorListGetItem",  # 2.21: Tshape
)


@builder
def g_release_any_types(tf: Any) -> None:
    """A collection of ``Any`` messages of types only some releases have loaded."""
    from google.protobuf import any_pb2

    tf.constant(1.0, name="c")
    for type_name, value in RELEASE_ANY_TYPES:
        any_msg = any_pb2.Any(type_url=f"type.googleapis.com/{type_name}", value=value)
        tf.compat.v1.add_to_collection("anys", any_msg)


@builder
def g_release_registry_ops(tf: Any) -> None:
    """One constant: the cases give a GraphDef of ``RELEASE_REGISTRY_OPS`` nodes, whose
    OpDefs only the release's registry has (rule 5.4)."""
    tf.constant(1.0, name="c")
