"""The results store: atomic files, chunks checked before they are believed, merging, locks."""

import os
import stat
import struct
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim import store
from sim.store import Chunk
from sim.store.chunks import keyed_table


def _frames(first=0, stop=2):
    reps = list(range(first, stop))
    runs = pd.DataFrame({"replication": reps, "final_fraction_x": [0.5] * len(reps)})
    curves = pd.DataFrame(
        {
            "replication": [r for r in reps for _ in range(3)],
            "step": [s for _ in reps for s in range(3)],
            "fraction": [0.1, 0.2, 0.3] * len(reps),
        }
    )
    return runs, curves


def _write(where, digest="a", seed=0, first=0, stop=2, **keys):
    runs, curves = _frames(first, stop)
    chunk = Chunk(digest, seed, first, stop)
    keys = {"config_hash": digest, "seed": seed, "version": "x", **keys}
    store.write_chunk(where, chunk, runs, curves, "k: 1\n", keys)
    return chunk


def test_hash_ignores_seed_replications_paths_and_threads_but_not_parameters():
    base = {"seed": 1, "replications": 10, "paths": {"store": "a"}, "threads": 1,
            "culture": {"trust": 0.5}}  # fmt: skip
    same = {"seed": 2, "replications": 20, "paths": {"store": "b"}, "threads": None,
            "culture": {"trust": 0.5}}  # fmt: skip
    other = {**base, "culture": {"trust": 0.6}}
    assert store.config_hash(base) == store.config_hash(same) != store.config_hash(other)


def test_chunks_are_done_and_merge_orders_by_hash_seed_replication(tmp_path):
    _write(tmp_path, "b", 2)
    _write(tmp_path, "a", 10)
    _write(tmp_path, "a", 2, 2, 4)  # replications 2..3 first, then 0..1
    _write(tmp_path, "a", 2, 0, 2)
    assert store.done(tmp_path, "a", 2) == {0, 1, 2, 3}
    assert store.done(tmp_path, "a", 3) == set()
    counts = store.merge(tmp_path)
    merged = pd.read_parquet(tmp_path / "runs.parquet")
    assert counts == {"runs": 8, "timeseries": 24}
    assert list(zip(merged.config_hash, merged.seed, merged.replication, strict=True)) == [
        ("a", 2, 0), ("a", 2, 1), ("a", 2, 2), ("a", 2, 3),
        ("a", 10, 0), ("a", 10, 1), ("b", 2, 0), ("b", 2, 1),
    ]  # fmt: skip
    assert list(merged.columns[:4]) == ["config_hash", "seed", "replication", "version"]
    assert store.list_jobs(tmp_path).runs.tolist() == [4, 2, 2]
    assert store.read_runs(tmp_path, "a", 2).replication.tolist() == [0, 1, 2, 3]


def test_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        chunk = _write(tmp_path)
        store.merge(tmp_path)
    finally:
        os.umask(old)
    locks = list((tmp_path / ".locks").iterdir())
    assert len(locks) == 1  # the merge's (write_chunk leaves locking to its caller)
    for path in (chunk.path(tmp_path, "runs"), chunk.path(tmp_path, "yaml"),
                 tmp_path / "runs.parquet", *locks):  # fmt: skip
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_write_that_dies_half_way_leaves_no_file(tmp_path, monkeypatch):
    def dying(table, path, **kwargs):
        Path(path).write_bytes(b"PAR1 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", dying)
    with pytest.raises(
        store.StoreError, match=r"cannot write .*a-0-r0-2.timeseries.parquet: disk full"
    ):
        _write(tmp_path)
    assert store.done(tmp_path, "a", 0) == set()
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == ["a-0-r0-2.yaml"]


def test_a_killed_write_is_cleaned_up_when_the_job_runs_again(tmp_path):
    (tmp_path / "jobs").mkdir()
    stale = tmp_path / "jobs" / ".a-0-r0-2.runs.parquet.x1y2.tmp"
    stale.write_bytes(b"PAR1 half")
    other = tmp_path / "jobs" / ".b-0-r0-2.runs.parquet.x1y2.tmp"  # another job's: left alone
    other.write_bytes(b"PAR1 half")
    _write(tmp_path)
    assert not stale.exists() and other.exists() and store.done(tmp_path, "a", 0) == {0, 1}


@pytest.mark.parametrize("table", ["runs", "timeseries"])
def test_a_truncated_file_is_named_set_aside_and_not_done(tmp_path, capsys, table):
    chunk = _write(tmp_path)
    path = chunk.path(tmp_path, table)
    path.write_bytes(path.read_bytes()[:-200])
    assert store.done(tmp_path, "a", 0) == set()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path} is corrupt" in err
    assert "set aside" in err and "running it again" in err
    assert not chunk.path(tmp_path, "runs").exists()
    assert (tmp_path / "jobs" / "corrupt" / path.name).exists()


@pytest.mark.parametrize("table", ["runs", "timeseries"])
def test_damage_inside_the_data_is_caught_though_the_footer_is_whole(tmp_path, capsys, table):
    chunk = _write(tmp_path)
    path = chunk.path(tmp_path, table)
    # One value changed in place (0.5 or 0.3 -> x + 0.25): the file still reads,
    # with a wrong number in it, unless the page checksum is verified.
    value = struct.pack("<d", 0.5 if table == "runs" else 0.3)
    data = path.read_bytes()
    at = data.index(value)
    path.write_bytes(data[:at] + struct.pack("<d", struct.unpack("<d", value)[0] + 0.25)
                     + data[at + 8 :])  # fmt: skip
    assert pq.read_table(path).num_rows > 0  # without verification, it reads
    assert store.done(tmp_path, "a", 0) == set()
    assert f"{path} is corrupt" in capsys.readouterr().err
    assert store.read_runs(tmp_path, "a", 0).empty  # set aside: nothing crashes on it later


def test_read_runs_names_a_file_that_cannot_be_read(tmp_path):
    chunk = _write(tmp_path)
    chunk.path(tmp_path, "runs").write_bytes(b"PAR1 not parquet PAR1")
    with pytest.raises(store.StoreError, match=r"cannot read .*a-0-r0-2.runs.parquet"):
        store.read_runs(tmp_path, "a", 0)


def test_a_failed_write_in_a_read_only_folder_names_the_cause(tmp_path, monkeypatch):
    calls = []

    def readonly(path, *args, **kwargs):
        calls.append(path)
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(store.os, "open", readonly)
    monkeypatch.setattr(store.Path, "unlink", lambda *a, **k: readonly(None))
    with pytest.raises(store.StoreError, match=r"cannot write .*a-0-r0-2.yaml: read-only file"):
        _write(tmp_path)
    assert calls


def test_a_chunk_with_too_few_rows_is_not_believed(tmp_path, capsys):
    chunk = _write(tmp_path)
    _, curves = _frames()
    keys = {"config_hash": "a", "seed": 0, "version": "x"}
    # A timeseries file swapped for a shorter one that reads back fine.
    pq.write_table(keyed_table(curves.iloc[:2], keys, None), chunk.path(tmp_path, "timeseries"))
    assert store.done(tmp_path, "a", 0) == set()
    assert "2 time-series rows instead of 6" in capsys.readouterr().err


def test_merge_sets_aside_a_corrupt_chunk_merges_the_rest_and_fails(tmp_path):
    good = _write(tmp_path, "a")
    bad = _write(tmp_path, "b")
    bad.path(tmp_path, "runs").write_bytes(b"PAR1 not parquet at all PAR1")
    with pytest.raises(store.StoreError, match=r"b-0-r0-2.runs.parquet is corrupt .*run the same"):
        store.merge(tmp_path)
    merged = pd.read_parquet(tmp_path / "runs.parquet")
    assert set(merged.config_hash) == {"a"} and good.path(tmp_path, "runs").exists()
    assert not bad.path(tmp_path, "runs").exists()
    assert store.merge(tmp_path) == {"runs": 2, "timeseries": 6}  # set aside: merges cleanly


def test_merge_into_a_full_disk_names_the_file(tmp_path, monkeypatch):
    _write(tmp_path)

    def full(table, path, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", full)
    with pytest.raises(store.StoreError, match=r"cannot write .*runs.parquet: disk full"):
        store.merge(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_merge_leaves_both_tables_of_the_last_merge(tmp_path, monkeypatch):
    _write(tmp_path, "a")
    store.merge(tmp_path)
    before = {t: (tmp_path / f"{t}.parquet").read_bytes() for t in ("runs", "timeseries")}
    _write(tmp_path, "b")

    class FullOnTimeseries(store.pq.ParquetWriter):  # the merge streams the time series
        def write_table(self, table, row_group_size=None):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.pq, "ParquetWriter", FullOnTimeseries)
    with pytest.raises(store.StoreError, match=r"cannot write .*timeseries.parquet: disk full"):
        store.merge(tmp_path)
    after = {t: (tmp_path / f"{t}.parquet").read_bytes() for t in ("runs", "timeseries")}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_merge_removes_what_a_killed_merge_left(tmp_path):
    _write(tmp_path)
    left = tmp_path / ".runs.parquet.abcd1234.tmp"
    left.write_bytes(b"")
    store.merge(tmp_path)
    assert not left.exists()


def test_stray_files_are_named_and_ignored(tmp_path, capsys):
    _write(tmp_path)
    (tmp_path / "jobs" / "notes.runs.parquet").write_bytes(b"hello")
    (tmp_path / "jobs" / "notes.txt").write_text("hello")
    assert store.merge(tmp_path) == {"runs": 2, "timeseries": 6}
    assert "notes.runs.parquet: not a job file" in capsys.readouterr().err


def test_a_store_in_a_file_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(store.StoreError, match=r"cannot create .*file/jobs: not a directory"):
        _write(tmp_path / "file")


def test_job_lock_lets_one_holder_at_a_time(tmp_path):
    inside, overlaps = [], []

    def job():
        with store.job_lock(tmp_path, "a", 0):
            inside.append(1)
            overlaps.append(len(inside))
            threading.Event().wait(0.05)
            inside.pop()

    threads = [threading.Thread(target=job) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [1, 1, 1, 1]


def test_key_columns_may_not_clash_with_result_columns(tmp_path):
    with pytest.raises(ValueError, match="clash"):
        _write(tmp_path, step=1)


def test_stores_finds_stores_below_a_folder(tmp_path):
    for task in ("one", "two"):
        _write(tmp_path / task)
    (tmp_path / "other").mkdir()
    assert [p.name for p in store.stores(tmp_path)] == ["one", "two"]
    assert store.stores(tmp_path / "one") == [tmp_path / "one"]
    assert store.stores(tmp_path / "missing") == []


def _write_with_groups(where, digest="g", first=0, stop=2):
    runs, curves = _frames(first, stop)
    reps = list(range(first, stop))
    groups = pd.DataFrame({"replication": [r for r in reps for _ in range(2)],
                           "step": [0, 1] * len(reps), "behavior": ["x"] * 2 * len(reps),
                           "by": ["unit"] * 2 * len(reps), "group": ["Sales"] * 2 * len(reps),
                           "people": [10] * 2 * len(reps),
                           "fraction": [0.1, 0.4] * len(reps)})  # fmt: skip
    chunk = Chunk(digest, 0, first, stop)
    keys = {"config_hash": digest, "seed": 0, "version": "x"}
    store.write_chunk(where, chunk, runs, curves, "k: 1\n", keys, groups=groups)
    return chunk


def test_groups_are_part_of_a_chunk_checked_and_loaded_not_merged(tmp_path):
    chunk = _write_with_groups(tmp_path)
    _write(tmp_path, "a")  # a chunk without groups (the classic rules, older stores) is whole
    assert store.done(tmp_path, "g", 0) == {0, 1} and store.done(tmp_path, "a", 0) == {0, 1}
    assert store.merge(tmp_path) == {"runs": 4, "timeseries": 12}
    assert not (tmp_path / "groups.parquet").exists()  # the groups stay in their chunks
    groups = pd.read_parquet(chunk.path(tmp_path, "groups"))
    assert list(groups.columns[:4]) == ["config_hash", "seed", "replication", "version"]
    # load() reads the merged tables while they are fresh, the chunks once one is newer.
    loaded = store.load(tmp_path, columns={"groups": ["config_hash", "fraction", "nope"]})
    assert len(loaded["runs"]) == 4 and list(loaded["groups"].columns) == ["config_hash",
                                                                          "fraction"]  # fmt: skip
    _write_with_groups(tmp_path, "h")
    later = store.load(tmp_path, tables=("groups",))
    assert set(later["groups"].config_hash) == {"g", "h"}
    assert not (tmp_path / "jobs" / "corrupt").exists()
    # A truncated groups file makes its chunk corrupt: load leaves it out, done sets it aside.
    path = chunk.path(tmp_path, "groups")
    path.write_bytes(path.read_bytes()[:-40])
    loaded = store.load(tmp_path, tables=("runs", "groups"))
    assert set(loaded["runs"].config_hash) == {"a", "h"}
    # The runs alone read no groups file: nothing to leave out.
    assert set(store.load(tmp_path, tables=("runs",))["runs"].config_hash) == {"a", "g", "h"}
    assert path.exists()  # load never moves or writes anything
    assert store.done(tmp_path, "g", 0) == set()
    assert not path.exists() and (tmp_path / "jobs" / "corrupt" / path.name).exists()


def test_a_merge_with_nothing_new_leaves_the_merged_tables_alone(tmp_path):
    _write_with_groups(tmp_path)
    first = store.merge(tmp_path)
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.parquet")}
    assert store.merge(tmp_path) == first == {"runs": 2, "timeseries": 6}
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.parquet")} == stamps
    (tmp_path / "timeseries.parquet").unlink()  # a merged table gone: merged again
    assert store.merge(tmp_path) == first and (tmp_path / "timeseries.parquet").is_file()
    _write_with_groups(tmp_path, "h")  # a new chunk: merged again
    assert store.merge(tmp_path)["runs"] == 4


def _flip(path, at=None):
    """Flip one bit in the middle of ``path`` (inside a data page, not the footer)."""
    data = bytearray(path.read_bytes())
    at = len(data) // 3 if at is None else at
    data[at] ^= 0x04
    path.write_bytes(bytes(data))


def _distinct_frames(where, digest="a"):
    runs, curves = _frames(0, 4)
    runs["final_fraction_x"] = [0.1, 0.2, 0.3, 0.4]
    keys = {"config_hash": digest, "seed": 0, "version": "x"}
    store.write_chunk(where, Chunk(digest, 0, 0, 4), runs, curves, "k: 1\n", keys)


@pytest.mark.parametrize("table", ["runs", "timeseries"])
@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_merged_table_is_read_from_the_jobs_and_rebuilt(tmp_path, capsys, table,
                                                                  damage):  # fmt: skip
    _distinct_frames(tmp_path)
    store.merge(tmp_path)
    path = tmp_path / f"{table}.parquet"
    good = path.read_bytes()
    expected = store.load(tmp_path, tables=("runs", "timeseries"))
    if damage == "flip":
        _flip(path)
    else:
        path.write_bytes(good[: len(good) // 2])
    capsys.readouterr()
    # Read: the jobs' numbers, not the damaged file's, and one line that says so.
    read = store.load(tmp_path, tables=("runs", "timeseries"))
    for name in ("runs", "timeseries"):
        pd.testing.assert_frame_equal(read[name], expected[name])
    said = capsys.readouterr().err.strip().splitlines()
    if (damage, table) == ("truncate", "runs"):
        assert said == []  # unreadable: not taken for the merge of these jobs at all
    else:
        assert len(said) == 1 and f"{path} is corrupt" in said[0] and "read from jobs/" in said[0]
    # Merged again (a rerun, orgsim-results): rebuilt, byte for byte, and said so.
    assert store.merge(tmp_path) == {"runs": 4, "timeseries": 12}
    assert path.read_bytes() == good
    assert "rebuilt from jobs/" in capsys.readouterr().err
    store.merge(tmp_path)
    assert capsys.readouterr().err == ""


def test_a_damaged_merged_table_without_its_jobs_is_named_and_kept(tmp_path, capsys):
    _distinct_frames(tmp_path)
    store.merge(tmp_path)
    for path in (tmp_path / "jobs").iterdir():
        path.unlink()
    runs = tmp_path / "runs.parquet"
    _flip(runs)
    damaged = runs.read_bytes()
    with pytest.raises(store.StoreError, match=r"runs.parquet is corrupt .* jobs/ holds 0 of its "
                       r"4 runs: it cannot be rebuilt"):  # fmt: skip
        store.merge(tmp_path)
    assert runs.read_bytes() == damaged  # finished results are not replaced by fewer


def test_merged_tables_merged_before_checksums_are_rebuilt_quietly(tmp_path, capsys):
    _distinct_frames(tmp_path)
    store.merge(tmp_path)
    (tmp_path / store.MERGED_RECORD).unlink()
    assert len(store.load(tmp_path, tables=("runs",))["runs"]) == 4
    store.merge(tmp_path)
    assert (tmp_path / store.MERGED_RECORD).is_file() and capsys.readouterr().err == ""


def test_the_merged_time_series_is_the_chunks_concatenated_across_row_groups(tmp_path, monkeypatch):
    # Streamed a row group at a time, chunks of different columns (two presets' keys)
    # unified as concat_tables would, with row groups that cut chunks in two.
    from sim.store import merged

    monkeypatch.setattr(merged, "ROW_GROUP", 4)
    written = [_write(tmp_path, "a", seed=s, **{"k.one": 1.5}) for s in range(3)]
    written += [_write(tmp_path, "b", seed=s, **{"k.two": "x"}) for s in range(2)]
    assert store.merge(tmp_path) == {"runs": 10, "timeseries": 30}
    tables = [pq.read_table(c.path(tmp_path, "timeseries")) for c in sorted(written)]
    expected = pa.concat_tables(tables, promote_options="permissive")
    merged_file = pq.ParquetFile(tmp_path / "timeseries.parquet")
    assert [merged_file.metadata.row_group(i).num_rows for i in range(8)] == [4] * 7 + [2]
    assert merged_file.read().equals(expected.replace_schema_metadata(None))


def test_groups_are_stored_without_fraction_and_loaded_with_it(tmp_path):
    runs, curves = _frames()
    people = np.array([10, 0, 7, 3])
    adopters = np.array([3, 0, 7, 1])
    groups = pd.DataFrame({"replication": [0, 0, 1, 1], "step": [0, 0, 0, 0],
                           "behavior": ["x"] * 4, "by": ["unit"] * 4,
                           "group": ["A", "B", "A", "B"], "people": people,
                           "adopters": adopters,
                           "fraction": adopters / np.maximum(people, 1)})  # fmt: skip
    chunk = Chunk("g", 0, 0, 2)
    store.write_chunk(tmp_path, chunk, runs, curves, "k: 1\n",
                      {"config_hash": "g", "seed": 0, "version": "x"}, groups=groups)  # fmt: skip
    assert "fraction" not in pq.read_schema(chunk.path(tmp_path, "groups")).names
    loaded = store.load(tmp_path)["groups"]
    assert loaded["fraction"].to_numpy().tobytes() == groups["fraction"].to_numpy().tobytes()
    only = store.load(tmp_path, columns={"groups": ["group", "fraction"]})["groups"]
    assert list(only.columns) == ["group", "fraction"]
    assert only["fraction"].tolist() == groups["fraction"].tolist()
