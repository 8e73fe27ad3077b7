"""The private descriptor pool behind text-format Any expansion (spec.md 10.2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.tf.process import tensorflow_available
from refimpl.text_pool import expanded_any_types, tf_text_pool

ROOT = Path(__file__).resolve().parent.parent


def test_pool_knows_types_outside_the_meta_graph_closure() -> None:
    assert tf_text_pool().FindMessageTypeByName("tensorflow.ConfigProto").name == "ConfigProto"


def test_pool_knows_the_meta_graph_types() -> None:
    assert (
        tf_text_pool()
        .FindMessageTypeByName("tensorflow.SaverDef")
        .fields_by_name["max_to_keep"]
        .number
        == 4
    )


def test_pool_does_not_know_arbitrary_types() -> None:
    with pytest.raises(KeyError):
        tf_text_pool().FindMessageTypeByName("example.Unknown")


@pytest.mark.tf
@pytest.mark.skipif(not tensorflow_available(), reason="TensorFlow is not installed")
def test_bundled_pool_is_not_stale_against_installed_tensorflow() -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "dump_tf_descriptor_pool.py"), "--check"],
        check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
    )


def test_published_list_of_expanded_any_types_is_not_stale() -> None:
    listed = [
        line
        for line in (ROOT / "docs" / "text-any-types.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert listed == expanded_any_types()


def test_published_list_holds_types_only_tf_knows_and_nested_ones() -> None:
    names = set(expanded_any_types())
    assert {"tensorflow.ConfigProto", "tensorflow.MetaGraphDef.MetaInfoDef"} <= names
    assert "metagraph_ref.GraphSnapshot" not in names
