"""Queues, their enqueue, dequeue and close ops, and queue runners."""

from __future__ import annotations

from typing import Any

from conformance.tf.programs.interpreter import Ctx, as_op
from conformance.tf.programs.model import (
    Step,
    collection_key,
    step_kind,
)


@step_kind("fifo_queue", "queue")
def _fifo_queue(c: Ctx, s: Step) -> Any:
    v1 = c.v1
    cls = {
        "fifo": v1.FIFOQueue,
        "padding": v1.PaddingFIFOQueue,
        "random": v1.RandomShuffleQueue,
        "priority": v1.PriorityQueue,
    }[s.get("queue", "fifo")]
    dtypes = [c.dtype(s.get("dtype", "float32"))]
    if cls is v1.PaddingFIFOQueue:
        return cls(s.get("capacity", 10), dtypes, shapes=[[None]], name=s.get("name"))
    if cls is v1.RandomShuffleQueue:
        return cls(s.get("capacity", 10), 1, dtypes, seed=s.get("seed"), name=s.get("name"))
    if cls is v1.PriorityQueue:
        return cls(s.get("capacity", 10), dtypes, shapes=[[]], name=s.get("name"))
    return cls(s.get("capacity", 10), dtypes, name=s.get("name"))


@step_kind("enqueue", "op", {"q": "queue", "x": "tensor"})
def _enqueue(c: Ctx, s: Step) -> Any:
    q = c.ref("q")
    value = c.opt_ref("x", s)
    if value is None:
        value = c.tf.zeros([1] if s.get("vector") else [], dtype=q.dtypes[-1])
    else:
        value = c.tf.cast(value, q.dtypes[-1])
    if len(q.dtypes) == 2:  # priority queue
        return q.enqueue((c.tf.constant(1, c.tf.int64), value), name=s.get("name"))
    return q.enqueue([value], name=s.get("name"))


@step_kind("dequeue", "tensor", {"q": "queue"})
def _dequeue(c: Ctx, s: Step) -> Any:
    out = c.ref("q").dequeue(name=s.get("name"))
    return out[-1] if isinstance(out, (list, tuple)) else out


@step_kind("queue_close", "op", {"q": "queue"})
def _queue_close(c: Ctx, s: Step) -> Any:
    return c.ref("q").close(cancel_pending_enqueues=s.get("cancel", False), name=s.get("name"))


@step_kind("queue_runner", "qr", {"q": "queue"}, {"enqueues": "op"})
def _queue_runner(c: Ctx, s: Step) -> Any:
    v1 = c.v1
    enqueues = [as_op(x) for x in c.refs("enqueues")]
    if not enqueues:
        enqueues = [c.ref("q").enqueue([c.tf.zeros([], c.ref("q").dtypes[-1])])]
    exc = None
    if s.get("exceptions"):
        exc = (c.tf.errors.OutOfRangeError, c.tf.errors.CancelledError)
    qr = v1.train.QueueRunner(c.ref("q"), enqueues, queue_closed_exception_types=exc)
    key = s.get("collection", "queue_runners")
    if key is not None:
        v1.train.add_queue_runner(qr, collection=collection_key(key))
    return qr
