"""Rules of refimpl that live TF cannot show cheaply (2 GB limits) or that read best alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import refimpl
from refimpl import graph_def as graph_def_module
from refimpl.export import ExportResult, plan_export
from refimpl.names import get_op_name
from refimpl.scope import ExportScope

EXAMPLE = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="module")
def training() -> refimpl.Snapshot:
    return refimpl.load_snapshot((EXAMPLE / "training.snapshot").read_bytes())


@pytest.fixture(scope="module")
def functions() -> refimpl.Snapshot:
    return refimpl.load_snapshot((EXAMPLE / "functions.snapshot").read_bytes())


def _fails(result: ExportResult, error_type: type[Exception], pattern: str) -> None:
    """The planned export ends in ``error_type`` with a message matching ``pattern``."""
    assert isinstance(result.error, error_type), repr(result.error)
    assert re.search(pattern, str(result.error)), str(result.error)


def test_rebuild_fails_when_node_sizes_reach_the_limit_naming_the_size(
    training: refimpl.Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph_def_module, "TWO_GB", 100)
    _fails(
        plan_export(training, clear_devices=True),
        ValueError,
        r"^GraphDef cannot be larger than 2GB\. Received size: \d+\.$",
    )


def test_rebuild_fails_when_functions_push_the_total_over_without_a_size(
    functions: refimpl.Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    node_total = sum(op.node_def.ByteSize() for op in functions.operations)
    monkeypatch.setattr(graph_def_module, "TWO_GB", node_total + 1)
    _fails(
        plan_export(functions, clear_devices=True),
        ValueError,
        r"^GraphDef cannot be larger than 2GB\.$",
    )


def test_default_path_has_no_size_check(
    training: refimpl.Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph_def_module, "TWO_GB", 1)
    assert plan_export(training).meta_graph_def.graph_def.node


def test_export_does_not_mutate_the_snapshot_or_the_arguments(training: refimpl.Snapshot) -> None:
    before = refimpl.snapshot.dump_snapshot(training)
    info = refimpl.MetaInfoDef(tensorflow_version="bogus")
    plan_export(
        training,
        "m.meta",
        export_scope="gradients",
        meta_info_def=info,
        strip_default_attrs=True,
        clear_devices=True,
    )
    assert refimpl.snapshot.dump_snapshot(training) == before
    assert info.tensorflow_version == "bogus"


def test_scoped_export_returns_the_stamped_meta_info_def_and_new_unbound_state(
    training: refimpl.Snapshot,
) -> None:
    result = plan_export(training, export_scope="gradients", meta_info_def=refimpl.MetaInfoDef())
    assert result.meta_info_def is not None
    assert result.meta_info_def.tensorflow_version == "2.21.0"
    unbound = result.graph.get_collection("unbound_inputs")
    assert unbound and all(i.str.startswith("$unbound_inputs_") for i in unbound)
    assert training.get_collection("unbound_inputs") == ()


def test_strip_name_scope_removes_only_scope_followed_by_slashes() -> None:
    assert ExportScope("s").strip_name("s/a") == "a"
    assert ExportScope("s/").strip_name("s///a") == "a"
    assert ExportScope("s").strip_name("sx/a") == "sx/a"
    assert ExportScope("s").strip_name("^s/a") == "^a"
    assert ExportScope("s").strip_name("loc:@s/a") == "loc:@a"
    assert ExportScope("aXb").strip_name("a.b/x") == "a.b/x"
    assert ExportScope("a.b").strip_name("aXb/x") == "x"  # the scope is a regular expression


def test_prepend_name_scope_keeps_control_and_colocation_prefixes() -> None:
    assert ExportScope("s/").prepend_name("a") == "s/a"
    assert ExportScope("s").prepend_name("^a") == "^s/a"
    assert ExportScope("s").prepend_name("loc:@a") == "loc:@s/a"
    assert ExportScope(None).prepend_name("a") == "a"


def test_get_op_name_errors_like_tf() -> None:
    assert get_op_name("^a:1") == "a"
    with pytest.raises(ValueError, match="Tensor name cannot be empty or None. Received: ."):
        get_op_name("")
    with pytest.raises(ValueError, match=r"too many values to unpack \(expected 2\)"):
        get_op_name("a:1:2")


def test_a_bad_graph_def_is_reported_before_a_bad_graph_on_the_rebuild_path() -> None:
    # TF (rule 2.3) only touches `graph` after rebuilding from the given GraphDef.
    _fails(
        plan_export("x", graph_def="y", clear_devices=True),  # type: ignore[arg-type]
        AttributeError,
        "'str' object has no attribute 'versions'",
    )


def test_a_bad_graph_fails_where_tf_first_uses_it() -> None:
    graph_def = refimpl.GraphDef()
    _fails(
        plan_export("x", graph_def=graph_def, clear_devices=True),  # type: ignore[arg-type]
        AttributeError,
        "has no attribute 'clear_collection'",
    )
    _fails(plan_export("x"), AttributeError, "has no attribute 'get_collection'")  # type: ignore[arg-type]
    _fails(
        plan_export("x", export_scope="s"),  # type: ignore[arg-type]
        AttributeError,
        "has no attribute 'graph_def_versions'",
    )


def test_the_model_imports_no_processing_module() -> None:
    # The snapshot model and the collection-item helpers stand alone: importing them loads
    # no module of the export (graph_def, collections_def, debug_info, export, ...).
    code = (
        "import sys, refimpl.snapshot, refimpl.collection_items, refimpl.scope; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('refimpl.') "
        "and not m.startswith('refimpl.pb'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [
        "refimpl.collection_items",
        "refimpl.names",
        "refimpl.rules",
        "refimpl.scope",
        "refimpl.snapshot",
    ]


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("ENOENT", "NotFoundError"),
        ("EACCES", "PermissionDeniedError"),
        ("EROFS", "PermissionDeniedError"),
        ("EISDIR", "FailedPreconditionError"),
        ("ENOTDIR", "FailedPreconditionError"),
        ("ENOSPC", "ResourceExhaustedError"),
        ("ENAMETOOLONG", "InvalidArgumentError"),
        ("ELOOP", "UnknownError"),
    ],
)
def test_io_errors_take_tf_error_class_of_their_errno(number: str, kind: str) -> None:
    import errno
    import os

    from refimpl.errors import io_error

    code = getattr(errno, number)
    error = io_error("a/m.meta.tmp0", OSError(code, os.strerror(code)))
    assert (type(error).__name__, str(error)) == (kind, f"a/m.meta.tmp0; {os.strerror(code)}")


def test_dangling_link_as_parent_fails_at_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refimpl.output import FileWrite, write_file

    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to("missing")
    with pytest.raises(Exception, match=r"^link/m\.meta\.tmp[0-9a-f]{32}; No such file") as e:
        write_file(FileWrite("link/m.meta", b"x"))
    assert type(e.value).__name__ == "NotFoundError"
