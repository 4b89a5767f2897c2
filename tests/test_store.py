"""The results store: atomic files, finished jobs, merging, hashing."""

from pathlib import Path

import pandas as pd
import pytest

from sim import store


def _frames(k=2):
    runs = pd.DataFrame({"replication": range(k), "final_fraction_x": [0.5] * k})
    curves = pd.DataFrame({"replication": [0] * 3, "step": range(3), "fraction": [0.1, 0.2, 0.3]})
    return runs, curves


def test_hash_ignores_seed_paths_and_threads_but_not_parameters():
    base = {"seed": 1, "paths": {"store": "a"}, "threads": 1, "culture": {"trust": 0.5}}
    same = {"seed": 2, "paths": {"store": "b"}, "threads": None, "culture": {"trust": 0.5}}
    other = {**base, "culture": {"trust": 0.6}}
    assert store.config_hash(base) == store.config_hash(same) != store.config_hash(other)


def test_write_marks_finished_and_merge_orders_by_hash_then_seed(tmp_path):
    runs, curves = _frames()
    for digest, seed in (("b", 2), ("a", 10), ("a", 2)):
        keys = {"config_hash": digest, "seed": seed, "version": "x"}
        store.write_job(tmp_path, digest, seed, runs, curves, "k: 1\n", keys)
        assert store.finished(tmp_path, digest, seed)
    assert not store.finished(tmp_path, "a", 3)
    counts = store.merge(tmp_path)
    merged = pd.read_parquet(tmp_path / "runs.parquet")
    assert counts == {"runs": 6, "timeseries": 9}
    assert list(zip(merged.config_hash, merged.seed, strict=True))[::2] == [
        ("a", 2), ("a", 10), ("b", 2)
    ]  # fmt: skip
    assert list(merged.columns[:3]) == ["config_hash", "seed", "version"]
    assert store.list_jobs(tmp_path).runs.tolist() == [2, 2, 2]


def test_jobs_with_different_swept_columns_merge(tmp_path):
    runs, curves = _frames()
    store.write_job(
        tmp_path, "a", 0, runs, curves, "", {"config_hash": "a", "seed": 0, "rule": "x"}
    )
    store.write_job(tmp_path, "b", 0, runs, curves, "", {"config_hash": "b", "seed": 0, "q": 0.3})
    merged = pd.read_parquet(tmp_path / "runs.parquet") if store.merge(tmp_path) else None
    assert merged.rule.tolist()[:2] == ["x", "x"] and merged.q.isna().tolist()[:2] == [True, True]


def test_a_write_that_dies_half_way_leaves_no_file(tmp_path, monkeypatch):
    runs, curves = _frames()

    def dying(table, path):
        Path(path).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(store.pq, "write_table", dying)
    with pytest.raises(OSError, match="disk full"):
        store.write_job(tmp_path, "a", 0, runs, curves, "k: 1\n", {"config_hash": "a", "seed": 0})
    assert not store.finished(tmp_path, "a", 0)
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == ["a-0.yaml"]


def test_a_killed_write_is_cleaned_up_when_the_job_runs_again(tmp_path):
    runs, curves = _frames()
    (tmp_path / "jobs").mkdir()
    stale = tmp_path / "jobs" / ".a-0.runs.parquet.x1y2.tmp"
    stale.write_bytes(b"PAR1 half")
    other = tmp_path / "jobs" / ".b-0.runs.parquet.x1y2.tmp"  # another job's: left alone
    other.write_bytes(b"PAR1 half")
    store.write_job(tmp_path, "a", 0, runs, curves, "", {"config_hash": "a", "seed": 0})
    assert not stale.exists() and other.exists() and store.finished(tmp_path, "a", 0)


def test_stores_finds_stores_below_a_folder(tmp_path):
    runs, curves = _frames()
    for task in ("one", "two"):
        store.write_job(tmp_path / task, "a", 0, runs, curves, "", {"config_hash": "a", "seed": 0})
    (tmp_path / "other").mkdir()
    assert [p.name for p in store.stores(tmp_path)] == ["one", "two"]
    assert store.stores(tmp_path / "one") == [tmp_path / "one"]
    assert store.stores(tmp_path / "missing") == []
