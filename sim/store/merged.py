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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.store.chunks import (
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
        runs, corrupt, counts, written = [], [], {"runs": 0, "timeseries": 0}, []
        series = None
        try:
            series = _SeriesWriter(store / "timeseries.parquet", _series_schema(store, found))
            if series.path is not None:
                written.append((series.path, store / "timeseries.parquet"))
            # The groups stay in their chunks (checked when their job runs and when
            # read): merged, they cost a sweep more than its simulation.
            for chunk, read in _read_ahead(store, found, names=("timeseries",)):
                if isinstance(read, Corrupt):
                    with job_lock(store, chunk.digest, chunk.seed):
                        if chunk.path(store, "runs").exists():
                            corrupt.append(set_aside(store, read))
                    continue
                runs.append(read["runs"])
                series.add(read["timeseries"])
            counts["timeseries"] = series.close()
            if runs:
                # Ladders name the metric columns of runs: a mix of ladders fills the
                # others with nulls.
                table = pa.concat_tables(runs, promote_options="permissive")
                table = table.replace_schema_metadata(None)
                # The tables reach temporary files first, then all are renamed:
                # a failure leaves the merged tables of the same, earlier merge.
                target = store / "runs.parquet"
                written.insert(0, (temporary(target, lambda p: write_parquet(table, p)), target))
                counts["runs"] = table.num_rows
            else:  # every chunk set aside: nothing to merge
                for tmp, _ in written:
                    discard(tmp)
                written = []
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
            if series is not None:
                series.abort()
            for tmp, _ in written:
                discard(tmp)
    if corrupt:
        raise StoreError(f"{corrupt[0]}; run the same command again to redo it")
    return counts


#: Rows per row group of the merged time series: what is held before it is written
#: (~1.4 kB a row in memory), and a size DuckDB reads well (it writes 122,880).
ROW_GROUP = 128 * 1024


def _read_ahead(store, found, names):
    """``(chunk, tables)`` for each chunk of ``found`` in order, or ``(chunk, Corrupt)``;
    read a few chunks ahead in threads (Arrow reads without the GIL), so that a merge
    reads on every core while it writes."""
    from concurrent.futures import ThreadPoolExecutor

    def read(chunk):
        try:
            return verified(store, chunk, names=names)
        except Corrupt as bad:
            return bad

    threads = min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(threads, thread_name_prefix="orgsim-merge") as pool:
        ahead = []
        for chunk in found:
            ahead.append((chunk, pool.submit(read, chunk)))
            if len(ahead) > 4 * threads:
                done, future = ahead.pop(0)
                yield done, future.result()
        for done, future in ahead:
            yield done, future.result()


def _series_schema(store, found) -> pa.Schema | None:
    """The merged time series' columns: every chunk's, as ``concat_tables`` would unify
    them (a chunk whose footer cannot be read is left to the merge's check)."""
    schemas = []
    for chunk in found:
        try:
            schemas.append(pq.read_schema(chunk.path(store, "timeseries")))
        except (OSError, pa.ArrowException):
            continue
    if not schemas:
        return None
    return pa.unify_schemas(schemas, promote_options="permissive").remove_metadata()


class _SeriesWriter:
    """The merged time series written as its chunks are read, a row group at a time:
    a 20,000-run sweep's merge held 4.7 GB when it gathered them all first."""

    def __init__(self, target, schema):
        self.schema, self.rows, self.writer = schema, 0, None
        self.pending, self.pending_rows = [], 0
        self.path = None if schema is None else temporary(target, lambda p: None)
        if self.path is not None:
            try:
                self.writer = pq.ParquetWriter(self.path, schema, write_page_checksum=True)
            except (OSError, pa.ArrowException) as error:
                raise StoreError(f"cannot write {target}: {cause(error)}") from None
        self.target = target

    def add(self, table):
        if not table.schema.equals(self.schema):
            table = pa.Table.from_arrays(
                [table.column(f.name).cast(f.type) if f.name in table.column_names
                 else pa.nulls(table.num_rows, f.type) for f in self.schema],
                schema=self.schema)  # fmt: skip
        self.pending.append(table)
        self.pending_rows += table.num_rows
        self.rows += table.num_rows
        if self.pending_rows >= ROW_GROUP:
            self._flush(final=False)

    def _flush(self, final):
        whole = pa.concat_tables(self.pending)
        full = whole.num_rows if final else whole.num_rows - whole.num_rows % ROW_GROUP
        try:
            for start in range(0, full, ROW_GROUP):
                self.writer.write_table(whole.slice(start, ROW_GROUP), row_group_size=ROW_GROUP)
        except (OSError, pa.ArrowException) as error:
            raise StoreError(f"cannot write {self.target}: {cause(error)}") from None
        self.pending = [whole.slice(full)] if full < whole.num_rows else []
        self.pending_rows = whole.num_rows - full

    def close(self) -> int:
        """Write what is left and close the file; the rows written."""
        if self.writer is None:
            return 0
        if self.pending:
            self._flush(final=True)
        try:
            self.writer.close()
        except (OSError, pa.ArrowException) as error:
            raise StoreError(f"cannot write {self.target}: {cause(error)}") from None
        self.writer = None
        return self.rows

    def abort(self):
        if self.writer is not None:
            try:
                self.writer.close()
            except (OSError, pa.ArrowException):
                pass
            self.writer = None


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
    columns = dict(columns or {})
    asked = columns.get("groups")
    if asked is not None and "fraction" in asked:
        # Chunks since 2026-12-07 store no fraction: read what makes it.
        columns["groups"] = [*asked, *(n for n in _FRACTION_OF if n not in asked)]
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
        if name == "groups":
            table = with_fraction(table)
            if asked is not None:
                table = table.select([n for n in asked if n in table.column_names])
        loaded[name] = table.replace_schema_metadata(None).to_pandas()
    return loaded


_FRACTION_OF = ("adopters", "people")


def with_fraction(groups: pa.Table) -> pa.Table:
    """``groups`` with its ``fraction`` column, ``adopters / max(people, 1)``, as the run
    computed it (chunks leave it out; those written before 2026-12-07 hold it)."""
    if "fraction" in groups.column_names or not set(_FRACTION_OF) <= set(groups.column_names):
        return groups
    adopters = groups.column("adopters").cast(pa.float64())
    people = pc.max_element_wise(groups.column("people"), 1).cast(pa.float64())
    return groups.append_column("fraction", pc.divide(adopters, people))


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
