"""The results store: one folder of Parquet files per study, that loses nothing.

Layout of a store (``results/<task_name>/`` by default)::

    jobs/<hash>-<seed>-r<first>-<stop>.yaml                the job's resolved config
    jobs/<hash>-<seed>-r<first>-<stop>.timeseries.parquet  a row per replication, week, behavior
    jobs/<hash>-<seed>-r<first>-<stop>.groups.parquet      the same per unit and per level
    jobs/<hash>-<seed>-r<first>-<stop>.runs.parquet        a row per replication (the summary)
    jobs/corrupt/                                         files set aside, never read
    runs.parquet, timeseries.parquet                      every job merged (:func:`merge`)
    .merged.json                                          their sizes and SHA-256, checked on read
    .locks/                                               one lock file per job, one for merging

A *job* is a scenario (``config_hash``, of everything that changes results)
and a ``seed``; its replications ``first .. stop - 1`` land in one *chunk* of
four files, so raising ``replications`` later runs only the new ones into a
new chunk, and a replication (scenario, seed, replication) is stored once.

What the store guarantees:

- Every file is written under a temporary name beside its target (with the
  user's umask) and renamed, the ``runs`` file last: a reader, or a sweep
  killed half way, never sees half a file.
- A chunk counts as finished only when its files read back whole (Parquet
  footers, row counts against what the writer recorded); a corrupt one is set
  aside in ``jobs/corrupt/``, named in one line, and run again.
- The merged tables are believed only while their size and SHA-256 match
  what :func:`merge` recorded beside them (``.merged.json``): a damaged one is
  read from ``jobs/`` instead and rebuilt by the next merge, or, when
  ``jobs/`` no longer holds its runs, named in one line.
- A job is run under its lock (``filelock``), so two sweeps writing into one
  store at once compute each job once; merging runs under the store's lock.
- Any failure to write raises :class:`StoreError`, one line naming the file
  and the cause. Nothing finished is ever rewritten.
- Every row of ``runs`` and ``timeseries`` carries the whole scenario
  (:mod:`sim.columns`) beside ``config_hash``, ``seed``, ``replication`` and
  ``version``, so they answer queries without joins; ``groups`` rows (per
  unit and level, fifty times as many) carry the keys and the presets'
  names, and join the runs on ``config_hash``, ``seed``, ``replication``.

The module stays whole (past the house's 400 lines) because these guarantees
hold only together: writing, checking, setting aside, merging and reading
share the chunk layout, the recorded row counts and the locks.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

__all__ = [
    "Chunk",
    "StoreError",
    "chunks",
    "config_hash",
    "done",
    "job_lock",
    "list_jobs",
    "load",
    "merge",
    "read_runs",
    "stores",
    "write_atomic",
    "write_chunk",
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
_TABLES = ("timeseries", "groups", "runs")  # the runs file last: it marks the chunk finished

_CAUSES = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "not a directory",
    errno.EISDIR: "is a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


class StoreError(RuntimeError):
    """A store that cannot be written or read; the message names the file and the cause."""


def _cause(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno in _CAUSES:
        return _CAUSES[error.errno]
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _umask() -> int:
    # Reading the umask means setting it; done once, before any thread writes.
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK


_UMASK = None


def _say(message):
    print(f"orgsim: {message}", file=sys.stderr, flush=True)


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


def _mkdir(path: Path):
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create {path}: {_cause(error)}") from None
    if not path.is_dir():
        raise StoreError(f"cannot create {path}: not a directory")


def _temporary(target: Path, write) -> Path:
    """Call ``write(path)`` on a new temporary file beside ``target``; return its path."""
    _mkdir(target.parent)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        # os.open applies the umask (mkstemp would make the file 0600).
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        write(tmp)
    except BaseException as error:
        _discard(tmp)
        if isinstance(error, OSError):
            raise StoreError(f"cannot write {target}: {_cause(error)}") from None
        raise
    return tmp


def _discard(tmp: Path):
    try:
        tmp.unlink(missing_ok=True)
    except OSError:  # a read-only or vanished folder: the error being raised says why
        pass


def _rename(tmp: Path, target: Path):
    try:
        os.replace(tmp, target)
    except OSError as error:
        _discard(tmp)
        raise StoreError(f"cannot write {target}: {_cause(error)}") from None


def write_atomic(target: Path, write):
    """Call ``write(path)`` on a temporary file beside ``target``, then rename it.

    The file follows the user's umask; a reader never sees half of it; a
    failure raises :class:`StoreError` naming ``target`` and the cause.
    """
    _rename(_temporary(target, write), target)


@contextmanager
def _lock(store, name):
    where = Path(store) / ".locks"
    _mkdir(where)
    try:
        # Colleagues sharing a store take the same locks: the umask decides, as for results.
        lock = FileLock(where / f"{name}.lock", mode=0o666 & ~_umask())
        lock.acquire()
    except OSError as error:
        raise StoreError(f"cannot lock {where / name}.lock: {_cause(error)}") from None
    try:
        yield
    finally:
        lock.release()


def job_lock(store, digest, seed):
    """Held while a job's chunks are checked, computed and written (one process at a time)."""
    return _lock(store, f"{digest}-{seed}")


def chunks(store) -> list[Chunk]:
    """The chunks whose ``runs`` file exists, by hash, seed and first replication.

    Files in ``jobs/`` that are no chunk of this orgsim are named once and ignored.
    """
    jobs = Path(store) / "jobs"
    found = []
    for path in sorted(jobs.glob("*.runs.parquet")) if jobs.is_dir() else []:
        chunk = Chunk.parse(path.name)
        if chunk is None:
            _say(f"{path}: not a job file of this orgsim version: ignored")
        else:
            found.append(chunk)
    return sorted(found)


def _job_chunks(store, digest, seed) -> list[Chunk]:
    """The chunks of one job (its files alone are matched: a sweep's store holds thousands)."""
    jobs = Path(store) / "jobs"
    found = (Chunk.parse(p.name) for p in jobs.glob(f"{digest}-{seed}-r*.runs.parquet"))
    return sorted(c for c in found if c is not None and (c.digest, c.seed) == (digest, seed))


class _Corrupt(Exception):
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
        return pq.read_table(path, page_checksum_verification=True, use_threads=False)
    except (OSError, pa.ArrowException) as error:
        raise _Corrupt(chunk, path, _cause(error)) from None


def _verified(store, chunk, names=("timeseries", "groups")) -> dict[str, pa.Table]:
    """The chunk's runs and ``names`` tables, read whole; raises :class:`_Corrupt` naming
    the file at fault."""
    config = chunk.path(store, "yaml")
    if not config.is_file():
        raise _Corrupt(chunk, config, "missing")
    runs_path = chunk.path(store, "runs")
    runs = _read_table(chunk, runs_path)
    if runs.num_rows != chunk.stop - chunk.first:
        wanted = chunk.stop - chunk.first
        raise _Corrupt(chunk, runs_path, f"{runs.num_rows} runs instead of {wanted}")
    recorded = runs.schema.metadata or {}
    if _ROWS["timeseries"] not in recorded:
        raise _Corrupt(chunk, runs_path, "no row count recorded")
    read = {}
    for name, what in (("timeseries", "time-series"), ("groups", "unit and level")):
        if name not in names:
            continue
        expected = recorded.get(_ROWS[name])
        if expected is None:
            continue
        path = chunk.path(store, name)
        if not path.is_file():
            raise _Corrupt(chunk, path, "missing")
        read[name] = _read_table(chunk, path)
        if read[name].num_rows != int(expected):
            rows = read[name].num_rows
            raise _Corrupt(chunk, path, f"{rows} {what} rows instead of {int(expected)}")
    read["runs"] = runs
    return read


def _set_aside(store, bad: _Corrupt) -> str:
    """Move the chunk's files to ``jobs/corrupt/``; the line that says so."""
    chunk = bad.chunk
    aside = Path(store) / "jobs" / "corrupt"
    _mkdir(aside)
    for table in ("runs", "timeseries", "groups", "yaml"):
        path = chunk.path(store, table)
        if path.exists():
            target = aside / path.name
            if target.exists():
                target = aside / f"{path.name}.{secrets.token_hex(4)}"
            try:
                os.replace(path, target)
            except OSError as error:
                raise StoreError(f"cannot set aside {path}: {_cause(error)}") from None
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
            _verified(store, chunk)
        except _Corrupt as bad:
            _say(_set_aside(store, bad) + "; running it again")
            continue
        held.update(range(chunk.first, chunk.stop))
    return held


def _table(frame, keys, schema):
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
    tables = {"timeseries": _table(timeseries, keys, schema)}
    if groups is not None:
        # Fifty times the rows of the time series: its rows carry the keys and the
        # presets' names (the columns without a dot), not every value; join the runs on
        # (config_hash, seed, replication) for those. Whole rows cost a sweep twice its time.
        named = {k: v for k, v in keys.items() if k in KEY_COLUMNS or "." not in k}
        tables["groups"] = _table(groups, named, schema)
    summary = _table(runs, keys, schema)
    recorded = dict(summary.schema.metadata or {})
    recorded.update({_ROWS[name]: str(t.num_rows).encode() for name, t in tables.items()})
    tables["runs"] = summary.replace_schema_metadata(recorded)
    for name, table in tables.items():
        write_atomic(chunk.path(store, name), lambda p, t=table: _write_table(t, p))


def _write_table(table, path):
    pq.write_table(table, path, write_page_checksum=True)


def read_runs(store, digest, seed) -> pd.DataFrame:
    """The ``runs`` rows the store holds for one job, by replication."""
    frames = []
    for chunk in _job_chunks(store, digest, seed):
        try:
            frames.append(_read_table(chunk, chunk.path(store, "runs")).to_pandas())
        except _Corrupt as bad:
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


def merge(store) -> dict:
    """Merge the finished chunks of ``store`` into ``runs.parquet`` and ``timeseries.parquet``
    (the groups stay in their chunks: :func:`load` reads them).

    Ordered by config hash, seed and replication, so that the same
    replications give identical files however they were chunked. Runs under
    the store's lock. A corrupt chunk is set aside and the others merged;
    then :class:`StoreError` says which (the same command runs it again).
    Returns the number of rows written per table.
    """
    store = Path(store)
    with _lock(store, "merge"):
        # What a merge killed half way left.
        for stale in [*store.glob(".*.parquet.*.tmp"), *store.glob(f".{MERGED_RECORD}.*.tmp")]:
            _discard(stale)
        found = chunks(store)
        record = _merged_record(store)
        damaged = _damaged(store, record)
        if _merged_fresh(store, found) and not damaged:
            # Nothing finished since the last merge (a rerun of finished jobs, whose
            # chunks their jobs have just checked): the merged tables stand.
            return {name: record[f"{name}.parquet"]["rows"] for name in _MERGED}
        held = sum(c.stop - c.first for c in found)
        for path, problem in damaged.items():
            if problem in ("missing", "no checksum recorded"):
                continue  # never merged, or merged by an orgsim that recorded no checksum
            recorded = record.get(path.name, {}).get("runs", 0)
            if held < recorded:
                # Rebuilt from fewer runs it would lose finished results: keep it, say so.
                raise StoreError(f"{path} is corrupt ({problem}) and jobs/ holds {held} of its "
                                 f"{recorded} runs: it cannot be rebuilt; restore it or the "
                                 "jobs from a copy")  # fmt: skip
            _say(f"{path} is corrupt ({problem}): rebuilt from jobs/")
        tables, corrupt = {name: [] for name in _TABLES}, []
        for chunk in found:
            try:
                # The groups stay in their chunks (checked when their job runs and when
                # read): merged, they cost a sweep more than its simulation.
                read = _verified(store, chunk, names=("timeseries",))
            except _Corrupt as bad:
                with job_lock(store, chunk.digest, chunk.seed):
                    if chunk.path(store, "runs").exists():
                        corrupt.append(_set_aside(store, bad))
                continue
            for name, table in read.items():
                tables[name].append(table)
        counts, written = {}, []
        try:
            for name in ("runs", "timeseries"):
                # Ladders name the metric columns of runs: a mix of ladders fills the
                # others with nulls.
                if not tables[name]:
                    counts[name] = 0
                    continue
                table = pa.concat_tables(tables[name], promote_options="permissive")
                table = table.replace_schema_metadata(None)
                # The tables reach temporary files first, then all are renamed:
                # a failure leaves the merged tables of the same, earlier merge.
                target = store / f"{name}.parquet"
                tmp = _temporary(target, lambda p, t=table: _write_table(t, p))
                written.append((tmp, target))
                counts[name] = table.num_rows
            merged = {}
            for tmp, target in written:
                size, digest = _digest(tmp)
                merged[target.name] = {"bytes": size, "sha256": digest,
                                       "rows": counts[target.name.split(".")[0]],
                                       "runs": counts["runs"]}  # fmt: skip
            for tmp, target in written:
                _rename(tmp, target)
            if merged:
                text = json.dumps(merged, indent=1)
                write_atomic(store / MERGED_RECORD, lambda p: Path(p).write_text(text))
        finally:
            for tmp, _ in written:
                _discard(tmp)
    if corrupt:
        raise StoreError(f"{corrupt[0]}; run the same command again to redo it")
    return counts


def load(store, tables=("runs", "timeseries", "groups"), columns=None) -> dict:
    """The finished runs of ``store`` as DataFrames, without writing anything.

    Reads the merged tables when no chunk is newer than them, else every
    finished chunk (a sweep still running: the runs finished so far). A
    store that cannot be written (a colleague's, read-only) reads the same.
    A corrupt chunk is left out and named in one line on stderr.

    Parameters
    ----------
    store : path
    tables : sequence of str
        Among ``runs``, ``timeseries``, ``groups``.
    columns : dict of str to list of str, optional
        Columns to read per table (all when a table is not named); names a
        table lacks are skipped.

    Returns
    -------
    dict of str to DataFrame
        One entry per table asked for; an empty DataFrame when no chunk has it.
    """
    store = Path(store)
    columns = columns or {}
    found = chunks(store)
    fresh = _merged_fresh(store, found)
    if fresh:
        fresh = _believed(store, found, [n for n in tables if n != "groups"])
    parts = {name: [] for name in tables}
    if fresh:
        for name in tables:
            path = store / f"{name}.parquet"
            if name == "groups":  # never merged: read from the chunks
                for chunk in found:
                    path = chunk.path(store, "groups")
                    if path.is_file():
                        parts[name].append(_read_columns(path, columns.get(name)))
                    elif _records_groups(store, chunk):
                        _say(f"{path} is missing: the unit and level figures leave out job "
                             f"{chunk.stem}")  # fmt: skip
            elif path.is_file():
                parts[name].append(_read_columns(path, columns.get(name)))
    else:
        checked = tuple(name for name in tables if name != "runs")
        for chunk in found:
            try:
                read = _verified(store, chunk, names=checked)
            except _Corrupt as bad:
                _say(f"{bad.path} {'is missing' if bad.problem == 'missing' else 'is corrupt'}"
                     f" ({bad.problem}): job {chunk.stem} left out")  # fmt: skip
                continue
            for name in tables:
                if name in read:
                    parts[name].append(_select(read[name], columns.get(name)))
    loaded = {}
    for name, found_tables in parts.items():
        if not found_tables:
            loaded[name] = pd.DataFrame()
            continue
        table = pa.concat_tables(found_tables, promote_options="permissive")
        loaded[name] = table.replace_schema_metadata(None).to_pandas()
    return loaded


def _records_groups(store, chunk) -> bool:
    """Whether the chunk's writer recorded unit and level rows (older chunks have none)."""
    try:
        recorded = pq.read_schema(chunk.path(store, "runs")).metadata or {}
    except (OSError, pa.ArrowException):
        return False
    return int(recorded.get(_ROWS["groups"], 0)) > 0


def _believed(store, found, names) -> bool:
    """Whether the merged tables ``names`` can be read as they are; else the chunks are read.

    A damaged one is named in one line (the chunks it was merged from are read instead);
    one merged before checksums were recorded is quietly passed over.
    """
    damaged = _damaged(store, _merged_record(store), names)
    if damaged:  # a merge may have renamed the tables and not yet recorded them: look again
        damaged = _damaged(store, _merged_record(store), names)
    for path, problem in damaged.items():
        if problem == "no checksum recorded":
            continue
        _say(f"{path} is corrupt ({problem}): read from jobs/ instead (orgsim-results "
             "rebuilds it)")  # fmt: skip
    return not damaged


def _merged_fresh(store, found) -> bool:
    """Whether the merged tables hold exactly the finished chunks ``found``.

    True when no chunk is newer than the merged runs and the runs add up (a
    chunk copied in with an old date, or one set aside since, changes the sum).
    """
    merged = store / "runs.parquet"
    try:
        return (
            merged.is_file()
            and all(c.path(store, "runs").stat().st_mtime <= merged.stat().st_mtime for c in found)
            and pq.read_metadata(merged).num_rows == sum(c.stop - c.first for c in found)
        )
    except (OSError, pa.ArrowException):  # unreadable: merge again, which says why
        return False


#: Beside the merged tables: each one's size, SHA-256 and rows, as :func:`merge` wrote it.
MERGED_RECORD = ".merged.json"
_MERGED = ("runs", "timeseries")


def _digest(path) -> tuple[int, str]:
    """The size and SHA-256 of the file at ``path``."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        return size, hashlib.file_digest(file, "sha256").hexdigest()


def _merged_record(store) -> dict:
    """What the last merge recorded of the merged tables (empty when nothing, or unreadable)."""
    try:
        record = json.loads((Path(store) / MERGED_RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _problem(store, name, record) -> str | None:
    """Why the merged table ``name`` cannot be believed; None when it is what was merged."""
    path = Path(store) / f"{name}.parquet"
    if not path.is_file():
        return "missing"
    entry = record.get(path.name)
    if not isinstance(entry, dict) or not {"bytes", "sha256", "rows"} <= set(entry):
        return "no checksum recorded"
    try:
        size, digest = _digest(path)
    except OSError as error:
        return _cause(error)
    if size != entry["bytes"]:
        return f"{size} bytes instead of {entry['bytes']}, truncated"
    if digest != entry["sha256"]:
        return "its SHA-256 differs from the one recorded when it was merged"
    return None


def _damaged(store, record, names=_MERGED) -> dict:
    """``{path: problem}`` of the merged tables among ``names`` that cannot be believed."""
    found = {}
    for name in names:
        problem = _problem(store, name, record)
        if problem is not None:
            found[Path(store) / f"{name}.parquet"] = problem
    return found


def _select(table, names):
    return table if names is None else table.select([n for n in names if n in table.column_names])


def _read_columns(path, names):
    try:
        if names is not None:
            present = set(pq.read_schema(path).names)
            names = [n for n in names if n in present]
        return pq.read_table(path, columns=names, page_checksum_verification=True)
    except (OSError, pa.ArrowException) as error:
        raise StoreError(f"cannot read {path}: {_cause(error)}") from None


def stores(root) -> list[Path]:
    """``root`` if it is a store, else the stores directly under it."""
    root = Path(root)
    if (root / "jobs").is_dir():
        return [root]
    return sorted(p for p in root.iterdir() if (p / "jobs").is_dir()) if root.is_dir() else []
