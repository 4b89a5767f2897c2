"""The merged tables of a store, the record that vouches for them, and reading a store.

:func:`merge` gathers the finished chunks into ``runs.parquet`` and ``timeseries.parquet``
and records their sizes and SHA-256 in ``.merged.json``; they are believed only while
those match (a damaged one is read from ``jobs/`` instead and rebuilt by the next merge,
or, when ``jobs/`` no longer holds its runs, named in one line). :func:`load` reads a
store, merged or not, without writing anything.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.store.chunks import (
    TABLES,
    Corrupt,
    chunks,
    job_lock,
    records_groups,
    set_aside,
    verified,
    write_parquet,
)
from sim.store.files import (
    StoreError,
    cause,
    discard,
    lock,
    rename,
    say,
    temporary,
    write_atomic,
)

__all__ = ["MERGED_RECORD", "load", "merge", "stores"]

#: Beside the merged tables: each one's size, SHA-256 and rows, as :func:`merge` wrote it.
MERGED_RECORD = ".merged.json"
_MERGED = ("runs", "timeseries")


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
    with lock(store, "merge"):
        # What a merge killed half way left.
        for stale in [*store.glob(".*.parquet.*.tmp"), *store.glob(f".{MERGED_RECORD}.*.tmp")]:
            discard(stale)
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
            say(f"{path} is corrupt ({problem}): rebuilt from jobs/")
        tables, corrupt = {name: [] for name in TABLES}, []
        for chunk in found:
            try:
                # The groups stay in their chunks (checked when their job runs and when
                # read): merged, they cost a sweep more than its simulation.
                read = verified(store, chunk, names=("timeseries",))
            except Corrupt as bad:
                with job_lock(store, chunk.digest, chunk.seed):
                    if chunk.path(store, "runs").exists():
                        corrupt.append(set_aside(store, bad))
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
                tmp = temporary(target, lambda p, t=table: write_parquet(t, p))
                written.append((tmp, target))
                counts[name] = table.num_rows
            merged = {}
            for tmp, target in written:
                size, digest = _digest(tmp)
                merged[target.name] = {"bytes": size, "sha256": digest,
                                       "rows": counts[target.name.split(".")[0]],
                                       "runs": counts["runs"]}  # fmt: skip
            for tmp, target in written:
                rename(tmp, target)
            if merged:
                text = json.dumps(merged, indent=1)
                write_atomic(store / MERGED_RECORD, lambda p: Path(p).write_text(text))
        finally:
            for tmp, _ in written:
                discard(tmp)
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
                    elif records_groups(store, chunk):
                        say(f"{path} is missing: the unit and level figures leave out job "
                             f"{chunk.stem}")  # fmt: skip
            elif path.is_file():
                parts[name].append(_read_columns(path, columns.get(name)))
    else:
        checked = tuple(name for name in tables if name != "runs")
        for chunk in found:
            try:
                read = verified(store, chunk, names=checked)
            except Corrupt as bad:
                say(f"{bad.path} {'is missing' if bad.problem == 'missing' else 'is corrupt'}"
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
        say(f"{path} is corrupt ({problem}): read from jobs/ instead (orgsim-results "
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
        return cause(error)
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
        raise StoreError(f"cannot read {path}: {cause(error)}") from None


def stores(root) -> list[Path]:
    """``root`` if it is a store, else the stores directly under it."""
    root = Path(root)
    if (root / "jobs").is_dir():
        return [root]
    return sorted(p for p in root.iterdir() if (p / "jobs").is_dir()) if root.is_dir() else []
