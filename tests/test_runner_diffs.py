"""How the runner shows differences (conformance/run/encoding.py, diffs.py, verdicts.py),
how it splits a campaign (sharding.py) and which example database it uses
(example_db.py): unit tests, no testee process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance import corpus
from conformance.compare import elide_pair
from conformance.protocol.conformance_pb2 import CorpusCase, Outcome
from conformance.run import example_db
from conformance.run.diffs import hex_diff, unified_diff
from conformance.run.encoding import message_encoding_difference, wire_records
from conformance.run.sharding import Shard, property_runs
from conformance.run.verdicts import judge
from refimpl.pb.tensorflow.attr_value_pb2 import AttrValue
from refimpl.pb.tensorflow.meta_graph_pb2 import MetaGraphDef
from refimpl.pb.tensorflow.node_def_pb2 import NodeDef
from refimpl.pb.tensorflow.types_pb2 import DT_FLOAT, DT_INT32


def _swap_records(data: bytes, i: int, j: int) -> bytes:
    records = wire_records(data)
    assert records is not None
    raws = [r.raw for r in records]
    raws[i], raws[j] = raws[j], raws[i]
    return b"".join(raws)


def _meta_graph() -> MetaGraphDef:
    mgd = MetaGraphDef()
    mgd.meta_info_def.tags.append("serve")
    for name in ("a", "b"):
        node = mgd.graph_def.node.add(name=name, op="Identity")
        node.attr["T"].type = DT_FLOAT
    mgd.collection_def["x"].node_list.value.append("a")
    mgd.collection_def["y"].node_list.value.append("b")
    return mgd


# -- encoding differences ----------------------------------------------------------------
def test_map_entry_order_is_named() -> None:
    data = _meta_graph().SerializeToString(deterministic=True)
    records = wire_records(data)
    assert records is not None and [r.number for r in records] == [1, 2, 4, 4]
    swapped = _swap_records(data, 2, 3)
    assert MetaGraphDef.FromString(swapped) == MetaGraphDef.FromString(data)
    diff = message_encoding_difference(data, swapped, MetaGraphDef)
    assert diff == (
        f'collection_def: byte {records[2].start}: map entry order: TF writes key "x" as '
        'entry 0, the testee "y"'
    )


def test_field_order_is_named() -> None:
    data = _meta_graph().SerializeToString(deterministic=True)
    swapped = _swap_records(data, 0, 1)
    diff = message_encoding_difference(data, swapped, MetaGraphDef)
    assert diff == (
        "meta_info_def: byte 0: field order: TF writes meta_info_def (field 1) here, the "
        "testee graph_def (field 2)"
    )


def test_packed_and_unpacked_repeated_scalars_are_told_apart() -> None:
    packed = AttrValue.ListValue(i=[1, 2]).SerializeToString()
    unpacked = b"\x18\x01\x18\x02"  # field 3 (i), varint, twice
    assert AttrValue.ListValue.FromString(unpacked) == AttrValue.ListValue.FromString(packed)
    diff = message_encoding_difference(packed, unpacked, AttrValue.ListValue)
    assert diff == "i: byte 0: packed vs unpacked encoding (TF's packed, the testee's unpacked)"


def test_a_value_written_on_one_side_only_is_named() -> None:
    data = NodeDef(name="n", op="Const").SerializeToString()
    explicit = data + b"\x22\x00"  # device = "" written explicitly (field 4)
    assert NodeDef.FromString(explicit) == NodeDef.FromString(data)
    diff = message_encoding_difference(data, explicit, NodeDef)
    assert diff is not None
    assert diff.startswith(f"device: byte {len(data)}: written by the testee after TF's last")
    assert "a value written explicitly on one side only" in diff


def test_non_minimal_varints_are_named() -> None:
    minimal = AttrValue(i=1).SerializeToString()
    assert minimal == b"\x18\x01"
    diff = message_encoding_difference(minimal, b"\x18\x81\x00", AttrValue)
    assert diff == "i: byte 0: the same value 1 encoded in 1 vs 2 bytes (non-minimal varint)"


def test_differing_values_are_located_down_to_the_map_value_field() -> None:
    mgd = _meta_graph()
    expected = mgd.SerializeToString(deterministic=True)
    mgd.graph_def.node[1].attr["T"].type = DT_INT32
    actual = mgd.SerializeToString(deterministic=True)
    diff = message_encoding_difference(expected, actual, MetaGraphDef)
    assert diff is not None
    assert diff.startswith('graph_def.node[1].attr["T"].type: byte ')
    assert diff.endswith(f": {DT_FLOAT} vs {DT_INT32} (as encoded)")


def test_unparseable_bytes_are_located_by_offset() -> None:
    data = NodeDef(name="n", op="Const").SerializeToString()
    broken = data[:-1] + b"\xff"  # the last byte of "Const" no longer ends anything
    diff = message_encoding_difference(data, data[:3] + b"\x07" + data[4:], NodeDef)
    assert diff is not None and "byte 3: 0x" in diff
    assert message_encoding_difference(data, broken, NodeDef) is not None


# -- elision and diffs -------------------------------------------------------------------
def test_elision_keeps_the_differing_part_of_long_strings() -> None:
    common = "w" * 5000
    e, a = elide_pair(common + "EXPECTED" + common, common + "ACTUAL" + common)
    assert "EXPECTED" in e and "ACTUAL" in a
    assert len(e) < 200 and e.startswith("...") and e.endswith("...")


def test_long_warnings_differing_at_the_end_are_shown_there() -> None:
    case = next(c for c in corpus.load_corpus() if c.expected.warnings and c.expected.files)
    long_warning = "W" * 3000 + " the end: expected"
    expected = CorpusCase()
    expected.CopyFrom(case)
    del expected.expected.warnings[:]
    expected.expected.warnings.append(long_warning)
    actual = Outcome()
    actual.CopyFrom(expected.expected)
    actual.warnings[0] = long_warning.replace("expected", "ACTUAL")
    verdict = judge(expected, actual)
    assert verdict.reason == "warnings"
    assert "the end: expected" in verdict.details[0] and "the end: ACTUAL" in verdict.details[0]
    assert len(verdict.details[0]) < 400
    assert "-" + long_warning in verdict.diffs[0]


def test_unified_diffs_keep_whole_hunks_and_count_the_rest() -> None:
    expected = "\n".join(f"line {i}" for i in range(1000))
    actual = expected.replace("line 10\n", "line ten\n").replace("line 500\n", "line 5OO\n")
    actual = actual.replace("line 900\n", "line 9OO\n")
    diff = unified_diff(expected, actual, max_lines=12)
    assert "-line 10\n+line ten" in diff
    assert "-line 500" not in diff
    assert diff.endswith("... 2 more hunks (18 lines) left out (--save-failures DIR writes "
                         "the whole diff)")
    assert unified_diff(expected, expected) == ""


# -- shards ------------------------------------------------------------------------------
def test_shards_partition_any_selection() -> None:
    names = [f"case-{i}" for i in range(500)]
    shards = [[n for n in names if Shard(i, 3).holds(n)] for i in range(3)]
    assert sorted(sum(shards, [])) == sorted(names)
    assert all(100 < len(s) < 230 for s in shards)
    # A case's shard depends on its name only, not on what else is selected.
    assert [n for n in names[:50] if Shard(1, 3).holds(n)] == [
        n for n in shards[1] if n in names[:50]
    ]


@pytest.mark.parametrize("text", ["3/3", "1", "-1/2", "a/b", "0/0", ""])
def test_bad_shards_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="I/N"):
        Shard.parse(text)


def test_property_shards_draw_distinct_seeds_and_split_the_total() -> None:
    runs = [property_runs(7, 1000, 4, Shard(i, 5)) for i in range(5)]
    seeds = [s for shard in runs for s, _ in shard]
    assert len(set(seeds)) == 20
    assert all(n == 50 for shard in runs for _, n in shard)


def test_an_unsharded_property_run_keeps_its_seeds() -> None:
    # tests/test_random_vs_tf.py's seeds before sharding existed: METAGRAPH_SEED replays.
    assert property_runs(7, 60, 4, Shard()) == [(7 * 1_000_003 + p, 15) for p in range(4)]


# -- example databases -------------------------------------------------------------------
def test_the_default_example_database_is_a_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hypothesis.database import DirectoryBasedExampleDatabase

    monkeypatch.delenv(example_db.ENVIRONMENT_VARIABLE, raising=False)
    assert example_db.database_spec() == str(Path(".hypothesis", "examples"))
    monkeypatch.setenv(example_db.ENVIRONMENT_VARIABLE, str(tmp_path / "db"))
    db = example_db.example_database()
    assert isinstance(db, DirectoryBasedExampleDatabase)
    example_db.record(db, b"case")
    assert example_db.recorded(example_db.example_database()) == [b"case"]
    assert example_db.example_database("none") is None


def test_redis_urls_give_a_redis_database() -> None:
    pytest.importorskip("redis")
    from hypothesis.extra.redis import RedisExampleDatabase

    db = example_db.example_database("redis://127.0.0.1:1/0")
    assert isinstance(db, RedisExampleDatabase)


@pytest.mark.parametrize(
    ("spec", "kind"),
    [("redis://127.0.0.1:1/0", "RedisExampleDatabase"),
     ("some/dir", "DirectoryBasedExampleDatabase")],
)
def test_the_live_tf_properties_use_the_configured_database(spec: str, kind: str) -> None:
    # tests/conftest.py's hypothesis profiles (the live-TF property tests).
    if kind.startswith("Redis"):
        pytest.importorskip("redis")
    code = (
        "import os, sys\n"
        f"os.environ['METAGRAPH_HYPOTHESIS_DB'] = {spec!r}\n"
        "sys.path.insert(0, 'tests')\n"
        "import conftest\n"
        "from hypothesis import settings\n"
        "print(type(settings().database).__name__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1])
    assert proc.stdout.split() == [kind]


def test_hex_diffs_show_the_first_differing_bytes() -> None:
    expected = bytes(range(256)) * 40
    actual = bytearray(expected)
    actual[5000] ^= 0xFF
    diff = hex_diff(expected, bytes(actual))
    minus = [ln for ln in diff.splitlines() if ln.startswith("-0")]
    plus = [ln for ln in diff.splitlines() if ln.startswith("+0")]
    assert [ln[1:9] for ln in minus] == [ln[1:9] for ln in plus] == [f"{5000 // 16 * 16:08x}"]
    assert " 88 " in minus[0] and " 77 " in plus[0]  # byte 5000 is 0x88, flipped 0x77
    assert len(diff.splitlines()) < 20
