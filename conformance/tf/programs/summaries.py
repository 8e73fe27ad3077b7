"""v1 summaries and their merges."""

from __future__ import annotations

from typing import Any

from conformance.tf.programs.conversions import adapt
from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    Step,
    collection_key,
    step_kind,
)


def _summary_collections(s: Step) -> Any:
    keys = s.get("collections")
    return None if keys is None else [collection_key(k) for k in keys]


@step_kind("summary_scalar", "summary", {"x": "tensor"})
def _summary_scalar(c: Ctx, s: Step) -> Any:
    x = c.tf.reshape(c.tf.cast(adapt(c.tf, c.ref("x"), "real"), c.tf.float32), [-1])[0]
    return c.v1.summary.scalar(
        s.get("tag", "loss"), x, collections=_summary_collections(s), family=s.get("family")
    )


@step_kind("summary_histogram", "summary", {"x": "tensor"})
def _summary_histogram(c: Ctx, s: Step) -> Any:
    return c.v1.summary.histogram(
        s.get("tag", "h"), adapt(c.tf, c.ref("x"), "real"), collections=_summary_collections(s)
    )


@step_kind("summary_text", "summary", {"x": "tensor"})
def _summary_text(c: Ctx, s: Step) -> Any:
    x = adapt(c.tf, c.ref("x"), "string")
    return c.v1.summary.text(s.get("tag", "t"), x, collections=_summary_collections(s))


@step_kind("summary_image", "summary")
def _summary_image(c: Ctx, s: Step) -> Any:
    img = c.tf.zeros([1, 2, 2, s.get("channels", 3)])
    return c.v1.summary.image(
        s.get("tag", "img"),
        img,
        max_outputs=s.get("max_outputs", 3),
        collections=_summary_collections(s),
    )


@step_kind("merge_all", "summary")
def _merge_all(c: Ctx, s: Step) -> Any:
    key = s.get("key")
    if key is None:
        return c.v1.summary.merge_all(name=s.get("name"))
    return c.v1.summary.merge_all(key=collection_key(key), name=s.get("name"))


@step_kind("summary_merge", "summary", ref_lists={"xs": "summary"})
def _summary_merge(c: Ctx, s: Step) -> Any:
    return c.v1.summary.merge(c.refs("xs"), name=s.get("name"))
