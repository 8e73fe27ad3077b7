"""Savers (``tf.compat.v1.train.Saver``) and the collections they go into."""

from __future__ import annotations

from typing import Any

from conformance.tf.programs.interpreter import Ctx
from conformance.tf.programs.model import (
    Step,
    collection_key,
    step_kind,
)


@step_kind("saver", "saver", ref_lists={"vars": "anyvar"}, doc="tf.compat.v1.train.Saver")
def _saver(c: Ctx, s: Step) -> Any:
    var_list: Any = None
    if s.get("vars") is not None:
        var_list = c.refs("vars")
        if s.get("as_dict"):
            var_list = {f"k{i}_{getattr(v, 'op', v).name}": v for i, v in enumerate(var_list)}
    saver = c.v1.train.Saver(
        var_list,
        sharded=s.get("sharded", False),
        name=s.get("saver_name"),
        max_to_keep=s.get("max_to_keep", 5),
        keep_checkpoint_every_n_hours=s.get("keep_hours", 10000.0),
        save_relative_paths=s.get("relative", False),
        write_version=s.get("write_version", 2),
        allow_empty=s.get("allow_empty", False),
        pad_step_number=s.get("pad_step_number", False),
    )
    key = s.get("collection", "savers")
    if key is not None:
        c.v1.add_to_collection(collection_key(key), saver)
    return saver
