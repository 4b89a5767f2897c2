"""The results store: one folder of Parquet files per study, that loses nothing.

Layout of a store (``results/<task_name>/`` by default)::

    jobs/<config_hash>-<seed>.yaml                 the job's resolved config
    jobs/<config_hash>-<seed>.timeseries.parquet   one row per replication, week, behavior
    jobs/<config_hash>-<seed>.runs.parquet         one row per replication (the summary)
    runs.parquet, timeseries.parquet               every job merged (see :func:`merge`)

Every file is written under a temporary name beside its target and renamed,
so that a reader (or a sweep killed half way) never sees half a file. A job
counts as finished once its ``runs`` file exists, which is written last; a
sweep started again skips finished jobs (:func:`finished`) and redoes the
others. Nothing finished is ever rewritten.

Each row carries the ``config_hash`` (of everything that affects results
except the seed), the ``seed``, the package ``version`` and the swept
parameters as columns, so that the merged tables answer queries without
joins: ``pandas.read_parquet("results/x/runs.parquet")`` or DuckDB's
``SELECT * FROM 'results/x/runs.parquet'``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["config_hash", "finished", "job_stem", "list_jobs", "merge", "stores", "write_job"]

#: Config keys that do not change results: left out of the hash.
NOT_HASHED = ("seed", "hydra", "paths", "threads", "progress", "task_name")


def config_hash(config: dict) -> str:
    """A stable hash of a resolved config (plain dict), without the keys in NOT_HASHED."""
    kept = {k: v for k, v in config.items() if k not in NOT_HASHED}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def job_stem(digest: str, seed: int) -> str:
    return f"{digest}-{seed}"


def _jobs(store) -> Path:
    return Path(store) / "jobs"


def finished(store, digest, seed) -> bool:
    """Whether the job (config hash, seed) has its results in ``store``."""
    return (_jobs(store) / f"{job_stem(digest, seed)}.runs.parquet").exists()


def _atomic(target: Path, write):
    """Call ``write(path)`` on a temporary file beside ``target``, then rename it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _with_keys(frame, keys):
    """``frame`` with the job's key columns in front."""
    front = pd.DataFrame({k: [v] * len(frame) for k, v in keys.items()}, index=frame.index)
    return pd.concat([front, frame], axis=1)


def write_job(store, digest, seed, runs, timeseries, config_yaml, keys):
    """Write one job's tables and config; the ``runs`` file last (it marks the job finished).

    ``keys`` (dict) become the leading columns of both tables: ``config_hash``,
    ``seed``, ``version`` and the swept parameters.
    """
    stem = job_stem(digest, seed)
    jobs = _jobs(store)
    # A run of this job killed while writing left its temporary files; only
    # this job writes under its name, so they are safe to remove.
    for stale in jobs.glob(f".{stem}.*.tmp"):
        stale.unlink(missing_ok=True)
    _atomic(jobs / f"{stem}.yaml", lambda p: Path(p).write_text(config_yaml))
    for name, frame in (("timeseries", timeseries), ("runs", runs)):
        table = pa.Table.from_pandas(_with_keys(frame, keys), preserve_index=False)
        _atomic(jobs / f"{stem}.{name}.parquet", lambda p, t=table: pq.write_table(t, p))


def list_jobs(store) -> pd.DataFrame:
    """The finished jobs of a store: ``config_hash``, ``seed``, ``runs`` (replications)."""
    rows = []
    for path in _jobs(store).glob("*.runs.parquet"):
        digest, seed = path.name.removesuffix(".runs.parquet").rsplit("-", 1)
        rows.append((digest, int(seed), pq.read_metadata(path).num_rows))
    rows.sort()
    return pd.DataFrame(rows, columns=["config_hash", "seed", "runs"])


def _merged(paths) -> pa.Table | None:
    tables = [pq.read_table(p) for p in paths]
    if not tables:
        return None
    # Jobs of different sweeps may have swept different parameters: missing
    # columns become nulls, numbers of different widths are promoted.
    return pa.concat_tables(tables, promote_options="permissive")


def merge(store) -> dict:
    """Merge the finished jobs of ``store`` into ``runs.parquet`` and ``timeseries.parquet``.

    Only jobs whose ``runs`` file exists are merged, ordered by config hash
    and then seed, so that merging the same jobs twice gives
    identical files. Returns the number of rows written per table.
    """
    store = Path(store)
    stems = [f"{d}-{s}" for d, s in list_jobs(store)[["config_hash", "seed"]].itertuples(False)]
    counts = {}
    for name in ("runs", "timeseries"):
        table = _merged([_jobs(store) / f"{stem}.{name}.parquet" for stem in stems])
        if table is None:
            counts[name] = 0
            continue
        _atomic(store / f"{name}.parquet", lambda p, t=table: pq.write_table(t, p))
        counts[name] = table.num_rows
    return counts


def stores(root) -> list[Path]:
    """``root`` if it is a store, else the stores directly under it."""
    root = Path(root)
    if (root / "jobs").is_dir():
        return [root]
    return sorted(p for p in root.iterdir() if (p / "jobs").is_dir()) if root.is_dir() else []
