"""The testee protocol (docs/conformance-protocol.md): one package for every process.

- ``framing``: frames (a 4-byte little-endian length, then the payload), the one size
  limit ``DEFAULT_MAX_FRAME_BYTES`` and the one error ``ProtocolError``; re-exported here;
- ``values``: the argument codec, Python values <-> ``metagraph_ref.PyValue``, with a hook
  saying which classes ``ProtoValue`` messages become (refimpl's, TF's);
- ``schema``: the message classes under any protobuf runtime (``load_messages``);
- ``serving``: the testee's side of the conversation (the loop, fresh working directories);
- ``conformance_pb2``: the schema, generated from ``protos/conformance/protocol/
  conformance.proto`` (package ``metagraph_ref``: ``Hello``, ``Handshake``,
  ``ExportRequest``, ``ExportResponse``, and the corpus's ``CorpusCase``).

Every process speaks through it: the runner, refimpl's testee, the TF testee, the TF
worker (framing only). It imports neither refimpl nor TensorFlow (protobuf only); importing
the package loads the framing only, so that it works under any protobuf runtime.
"""

from __future__ import annotations

from conformance.protocol import framing
from conformance.protocol.framing import *  # noqa: F403 - the framing is the package's API

__all__ = list(framing.__all__)
