"""Pre-states and after-states of the working directory (protocol 2):
``conformance.protocol.file_states``, shared by refimpl's testee and the TF worker."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conformance.protocol import conformance_pb2 as pb
from conformance.protocol import file_states, serving
from conformance.protocol.file_states import DIRECTORY, SYMLINK, Entry
from refimpl import testee

ENTRIES = (
    Entry("a.txt", content=b"old"),
    Entry("d", DIRECTORY),
    Entry("d/b.bin", content=b"\x00\x01"),
    Entry("link", SYMLINK, target="d"),
    Entry("dangling", SYMLINK, target="missing"),
)


def test_create_makes_the_entries(tmp_path: Path) -> None:
    file_states.create(ENTRIES, str(tmp_path))
    assert (tmp_path / "a.txt").read_bytes() == b"old"
    assert (tmp_path / "d").is_dir() and not (tmp_path / "d").is_symlink()
    assert (tmp_path / "d" / "b.bin").read_bytes() == b"\x00\x01"
    assert os.readlink(tmp_path / "link") == "d"
    assert os.readlink(tmp_path / "dangling") == "missing"


def test_listing_does_not_follow_links(tmp_path: Path) -> None:
    file_states.create(ENTRIES, str(tmp_path))
    after = file_states.listing(str(tmp_path))
    assert after.files == (("a.txt", b"old"), ("d/b.bin", b"\x00\x01"))
    assert after.symlinks == (("dangling", "missing"), ("link", "d"))
    assert after.directories == ("d",)


@pytest.mark.parametrize(
    "entries",
    [
        (Entry("d/x"),),  # parent not created before
        (Entry("../x"),),
        (Entry("/abs"),),
        (Entry("a//b"),),
        (Entry("x"), Entry("x")),
        (Entry("f"), Entry("f/x")),  # a file is no parent
        (Entry("up", SYMLINK, target="../x"),),  # links stay inside
        (Entry("d", DIRECTORY), Entry("d/up", SYMLINK, target="../../x")),
        (Entry("abs", SYMLINK, target="/etc"),),
    ],
)
def test_create_refuses_paths_outside_the_entries_order(
    tmp_path: Path, entries: tuple[Entry, ...]
) -> None:
    with pytest.raises(ValueError, match="pre-state entry"):
        file_states.create(entries, str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_read_only_entries_get_their_modes_after_their_contents(tmp_path: Path) -> None:
    entries = (Entry("ro", DIRECTORY, read_only=True), Entry("ro/f", read_only=True))
    file_states.create(entries, str(tmp_path))
    assert stat.S_IMODE((tmp_path / "ro").stat().st_mode) == 0o555
    assert stat.S_IMODE((tmp_path / "ro" / "f").stat().st_mode) == 0o444
    file_states.make_removable(str(tmp_path))


def test_entries_round_trip_through_the_message() -> None:
    state = pb.FileSystemState()
    file_states.fill_state(state, ENTRIES)
    assert file_states.entries_of(state) == ENTRIES


def _writes_into_read_only_directory() -> str:
    try:
        with open("ro/new", "wb"):
            return "written"
    except PermissionError:
        return "refused"


def test_read_only_directories_bind_the_export() -> None:
    result, after = serving.in_prepared_directory(
        _writes_into_read_only_directory, (Entry("ro", DIRECTORY, read_only=True),)
    )
    assert result == "refused"
    assert after.files == () and after.directories == ("ro",)


def test_prepared_directories_are_removed() -> None:
    workdir, _after = serving.in_prepared_directory(
        os.getcwd, (Entry("ro", DIRECTORY, read_only=True),)
    )
    assert os.path.isabs(workdir) and not os.path.exists(workdir)


def test_temp_names_are_normalized() -> None:
    message = "a/m.meta.tmp0123456789abcdef0123456789abcdef; Is a directory"
    assert file_states.normalize_temp_names(message) == (
        "a/m.meta.tmp00000000000000000000000000000000; Is a directory"
    )


# -- refimpl's testee ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def snapshot() -> bytes:
    path = Path(__file__).resolve().parent.parent / "examples" / "training.snapshot"
    return path.read_bytes()


def _request(snapshot: bytes, filename: str, entries: tuple[Entry, ...]) -> pb.ExportRequest:
    request = pb.ExportRequest(case_name="c", snapshot=snapshot)
    request.arguments.kwargs["filename"].str_value = filename
    request.pre_state.SetInParent()
    file_states.fill_state(request.pre_state, entries)
    return request


def test_testee_reports_the_after_state_with_the_pre_state(snapshot: bytes) -> None:
    outcome = testee.handle(_request(snapshot, "d/model.meta", ENTRIES)).outcome
    assert not outcome.HasField("error")
    assert set(outcome.files) == {"a.txt", "d/b.bin", "d/model.meta"}
    assert dict(outcome.symlinks) == {"dangling": "missing", "link": "d"}
    assert list(outcome.directories) == ["d"]


def test_testee_replaces_a_symlink_at_the_target(snapshot: bytes) -> None:
    entries = (Entry("real.meta", content=b"old"), Entry("model.meta", SYMLINK, target="real.meta"))
    outcome = testee.handle(_request(snapshot, "model.meta", entries)).outcome
    assert outcome.files["real.meta"] == b"old"
    assert outcome.files["model.meta"] != b"old" and not outcome.symlinks


def test_testee_raises_permission_denied_in_a_read_only_directory(snapshot: bytes) -> None:
    entries = (Entry("ro", DIRECTORY, read_only=True),)
    outcome = testee.handle(_request(snapshot, "ro/sub/model.meta", entries)).outcome
    assert (outcome.error.type, outcome.error.message) == (
        "PermissionDeniedError",
        "ro/sub; Permission denied",
    )


def test_plain_requests_have_no_after_state_lists(snapshot: bytes) -> None:
    request = pb.ExportRequest(case_name="c", snapshot=snapshot)
    request.arguments.kwargs["filename"].str_value = "d/model.meta"
    outcome = testee.handle(request).outcome
    assert set(outcome.files) == {"d/model.meta"}
    assert not outcome.symlinks and not outcome.directories
