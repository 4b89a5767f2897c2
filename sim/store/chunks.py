"""The chunks of a store: a job's replications in four files, written, checked, set aside.

A *job* is a scenario (:func:`config_hash`, of everything that changes results) and a
``seed``; its replications ``first .. stop - 1`` land in one *chunk*
(``jobs/<hash>-<seed>-r<first>-<stop>.*``: the config, the time series, the groups and
the runs, the runs file last). A chunk counts as finished only when its files read back
whole (Parquet footers and page checksums, row counts against what the writer recorded in
the runs file); a corrupt one is set aside in ``jobs/corrupt/`` and run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.store.files import StoreError, cause, lock, mkdir, say, write_atomic

__all__ = [
    "KEY_COLUMNS",
    "NOT_HASHED",
    "TABLES",
    "Chunk",
    "Corrupt",
    "chunks",
    "config_hash",
    "done",
    "job_lock",
    "keyed_table",
    "list_jobs",
    "read_runs",
    "records_groups",
    "set_aside",
    "verified",
    "write_chunk",
    "write_parquet",
]

#: Config keys that do not change results: left out of the hash.
NOT_HASHED = (
    "seed",
    "replications",
    "hydra",
    "paths",
    "threads",
    "progress",
    "task_name",
    "report",
)

#: Leading key columns of every row; the scenario's columns follow them.
KEY_COLUMNS = ("config_hash", "seed", "replication", "version")

# What the writer recorded, in the runs file's schema. Chunks written before the groups
# table existed record no groups rows: they are whole without it.
_ROWS = {"timeseries": b"orgsim.timeseries_rows", "groups": b"orgsim.groups_rows"}
_STEM = re.compile(r"^(?P<digest>[0-9a-z]+)-(?P<seed>\d+)-r(?P<first>\d+)-(?P<stop>\d+)$")
TABLES = ("timeseries", "groups", "runs")  # the runs file last: it marks the chunk finished


def config_hash(config: dict) -> str:
    """A stable hash of a resolved config (plain dict), without the keys in NOT_HASHED."""
    kept = {k: v for k, v in config.items() if k not in NOT_HASHED}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Chunk(NamedTuple):
    """Replications ``first .. stop - 1`` of the job (``digest``, ``seed``)."""

    digest: str
    seed: int
    first: int
    stop: int

    @property
    def stem(self) -> str:
        return f"{self.digest}-{self.seed}-r{self.first}-{self.stop}"

    def path(self, store, table) -> Path:
        suffix = "yaml" if table == "yaml" else f"{table}.parquet"
        return Path(store) / "jobs" / f"{self.stem}.{suffix}"

    @classmethod
    def parse(cls, name) -> Chunk | None:
        found = _STEM.match(name.removesuffix(".runs.parquet"))
        if not found or not name.endswith(".runs.parquet"):
            return None
        d = found.groupdict()
        return cls(d["digest"], int(d["seed"]), int(d["first"]), int(d["stop"]))


def job_lock(store, digest, seed):
    """Held while a job's chunks are checked, computed and written (one process at a time)."""
    return lock(store, f"{digest}-{seed}")


def chunks(store) -> list[Chunk]:
    """The chunks whose ``runs`` file exists, by hash, seed and first replication.

    Files in ``jobs/`` that are no chunk of this orgsim are named once and ignored.
    """
    jobs = Path(store) / "jobs"
    found = []
    for path in sorted(jobs.glob("*.runs.parquet")) if jobs.is_dir() else []:
        chunk = Chunk.parse(path.name)
        if chunk is None:
            say(f"{path}: not a job file of this orgsim version: ignored")
        else:
            found.append(chunk)
    return sorted(found)


def _job_chunks(store, digest, seed) -> list[Chunk]:
    """The chunks of one job (its files alone are matched: a sweep's store holds thousands)."""
    jobs = Path(store) / "jobs"
    found = (Chunk.parse(p.name) for p in jobs.glob(f"{digest}-{seed}-r*.runs.parquet"))
    return sorted(c for c in found if c is not None and (c.digest, c.seed) == (digest, seed))


class Corrupt(Exception):
    """A chunk that cannot be believed: ``path`` is the file at fault."""

    def __init__(self, chunk, path, problem):
        super().__init__(problem)
        self.chunk, self.path, self.problem = chunk, path, problem


def _read_table(chunk, path) -> pa.Table:
    try:
        # Page checksums (written by write_chunk) catch damage inside the data
        # that the footer and the row counts cannot see.
        # One thread: chunks are small, and on a busy 2-core machine Arrow's threads
        # cost more than they save (0.8 s against 1.6 s for a 2x2 study's chunks).
        # ParquetFile, not read_table: no dataset to set up, a third of a small file's read.
        with pq.ParquetFile(path, page_checksum_verification=True) as file:
            return file.read(use_threads=False)
    except (OSError, pa.ArrowException) as error:
        raise Corrupt(chunk, path, cause(error)) from None


def verified(store, chunk, names=("timeseries", "groups")) -> dict[str, pa.Table]:
    """The chunk's runs and ``names`` tables, read whole; raises :class:`Corrupt` naming
    the file at fault."""
    config = chunk.path(store, "yaml")
    if not config.is_file():
        raise Corrupt(chunk, config, "missing")
    runs_path = chunk.path(store, "runs")
    runs = _read_table(chunk, runs_path)
    if runs.num_rows != chunk.stop - chunk.first:
        wanted = chunk.stop - chunk.first
        raise Corrupt(chunk, runs_path, f"{runs.num_rows} runs instead of {wanted}")
    recorded = runs.schema.metadata or {}
    if _ROWS["timeseries"] not in recorded:
        raise Corrupt(chunk, runs_path, "no row count recorded")
    read = {}
    for name, what in (("timeseries", "time-series"), ("groups", "unit and level")):
        if name not in names:
            continue
        expected = recorded.get(_ROWS[name])
        if expected is None:
            continue
        path = chunk.path(store, name)
        if not path.is_file():
            raise Corrupt(chunk, path, "missing")
        read[name] = _read_table(chunk, path)
        if read[name].num_rows != int(expected):
            rows = read[name].num_rows
            raise Corrupt(chunk, path, f"{rows} {what} rows instead of {int(expected)}")
    read["runs"] = runs
    return read


def set_aside(store, bad: Corrupt) -> str:
    """Move the chunk's files to ``jobs/corrupt/``; the line that says so."""
    chunk = bad.chunk
    aside = Path(store) / "jobs" / "corrupt"
    mkdir(aside)
    for table in ("runs", "timeseries", "groups", "yaml"):
        path = chunk.path(store, table)
        if path.exists():
            target = aside / path.name
            if target.exists():
                target = aside / f"{path.name}.{secrets.token_hex(4)}"
            try:
                os.replace(path, target)
            except OSError as error:
                raise StoreError(f"cannot set aside {path}: {cause(error)}") from None
    what = "is missing" if bad.problem == "missing" else f"is corrupt ({bad.problem})"
    return f"{bad.path} {what}: job {chunk.stem} set aside in {aside}"


def done(store, digest, seed) -> set[int]:
    """The replications of a job that the store holds whole; call under :func:`job_lock`.

    A corrupt chunk is set aside (named in one line on stderr), so that its
    replications are run again.
    """
    held = set()
    for chunk in _job_chunks(store, digest, seed):
        try:
            verified(store, chunk)
        except Corrupt as bad:
            say(set_aside(store, bad) + "; running it again")
            continue
        held.update(range(chunk.first, chunk.stop))
    return held


def keyed_table(frame, keys, schema):
    """``frame`` with the key and scenario columns in front, typed by ``schema``."""
    clash = set(keys) & set(frame.columns)
    if clash:
        raise ValueError(f"result columns clash with scenario columns: {sorted(clash)}")
    n = len(frame)
    body = pa.Table.from_pandas(frame, preserve_index=False)
    front, names = [], []
    for key in ("config_hash", "seed", "replication", "version"):
        if key == "replication":
            front.append(body.column("replication"))
        else:
            front.append(pa.repeat(pa.scalar(keys[key]), n))
        names.append(key)
    types = {f.name: f.type for f in schema} if schema is not None else {}
    for key, value in keys.items():
        if key in KEY_COLUMNS:
            continue
        # One value repeated: built in Arrow, not as a Python list of n values.
        front.append(pa.repeat(pa.scalar(value, type=types.get(key)), n))
        names.append(key)
    rest = [c for c in body.column_names if c != "replication"]
    return pa.Table.from_arrays(front + [body.column(c) for c in rest], names=names + rest)


def write_chunk(store, chunk, runs, timeseries, config_yaml, keys, schema=None, groups=None):
    """Write one chunk's config and tables; the ``runs`` file last (it marks it finished).

    Call under :func:`job_lock`. ``keys`` (dict: ``config_hash``, ``seed``,
    ``version`` and the scenario's columns) lead every row of every table,
    typed by ``schema`` (:func:`sim.columns.scenario_schema`) where it names them.
    Raises :class:`StoreError` naming the file when it cannot be written.
    """
    jobs = Path(store) / "jobs"
    # Temporary files of a run of this job killed while writing: only the
    # holder of the job's lock writes under its name, so they are safe to remove.
    for stale in jobs.glob(f".{chunk.digest}-{chunk.seed}-r*.tmp") if jobs.is_dir() else []:
        stale.unlink(missing_ok=True)
    write_atomic(chunk.path(store, "yaml"), lambda p: Path(p).write_text(config_yaml))
    tables = {"timeseries": keyed_table(timeseries, keys, schema)}
    if groups is not None:
        # Fifty times the rows of the time series: its rows carry the keys and the
        # presets' names (the columns without a dot), not every value; join the runs on
        # (config_hash, seed, replication) for those. Whole rows cost a sweep twice its time.
        named = {k: v for k, v in keys.items() if k in KEY_COLUMNS or "." not in k}
        # Nor ``fraction``: distinct floats cost Parquet half the table's writing, and
        # reading adds it back (adopters / people, :func:`with_fraction`).
        if {"adopters", "people"} <= set(groups.columns):
            groups = groups.drop(columns=["fraction"], errors="ignore")
        tables["groups"] = keyed_table(groups, named, schema)
    summary = keyed_table(runs, keys, schema)
    recorded = dict(summary.schema.metadata or {})
    recorded.update({_ROWS[name]: str(t.num_rows).encode() for name, t in tables.items()})
    tables["runs"] = summary.replace_schema_metadata(recorded)
    for name, table in tables.items():
        # No column statistics: a chunk is always read whole (they cost a quarter of
        # its writing); the merged tables, which DuckDB filters, have them.
        write_atomic(chunk.path(store, name),
                     lambda p, t=table: write_parquet(t, p, statistics=False))  # fmt: skip


def write_parquet(table, path, *, statistics=True):
    pq.write_table(table, path, write_page_checksum=True, write_statistics=statistics)


def read_runs(store, digest, seed) -> pd.DataFrame:
    """The ``runs`` rows the store holds for one job, by replication."""
    frames = []
    for chunk in _job_chunks(store, digest, seed):
        try:
            frames.append(_read_table(chunk, chunk.path(store, "runs")).to_pandas())
        except Corrupt as bad:
            raise StoreError(f"cannot read {bad.path}: {bad.problem}") from None
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values("replication", ignore_index=True)


def list_jobs(store) -> pd.DataFrame:
    """The jobs of a store: ``config_hash``, ``seed``, ``runs`` (replications held)."""
    held = {}
    for chunk in chunks(store):
        key = (chunk.digest, chunk.seed)
        held[key] = held.get(key, 0) + chunk.stop - chunk.first
    rows = [(d, s, n) for (d, s), n in sorted(held.items())]
    return pd.DataFrame(rows, columns=["config_hash", "seed", "runs"])


def records_groups(store, chunk) -> bool:
    """Whether the chunk's writer recorded unit and level rows (older chunks have none)."""
    try:
        recorded = pq.read_schema(chunk.path(store, "runs")).metadata or {}
    except (OSError, pa.ArrowException):
        return False
    return int(recorded.get(_ROWS["groups"], 0)) > 0
