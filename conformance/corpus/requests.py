"""The protocol request that asks a testee for a corpus case's outcome."""

from __future__ import annotations

from conformance.protocol.conformance_pb2 import CorpusCase, ExportRequest

__all__ = ["request_for"]


def request_for(case: CorpusCase) -> ExportRequest:
    """The ``ExportRequest`` of a case: its snapshot, arguments, later exports, program
    (how TF built the graph, for testees that rebuild it, such as ``conformance.tf.testee``)
    and file-system pre-state, if it has one."""
    return ExportRequest(
        case_name=case.name,
        snapshot=case.snapshot,
        arguments=case.arguments,
        then=case.then,
        program=case.program,
        pre_state=case.pre_state if case.HasField("pre_state") else None,
    )
