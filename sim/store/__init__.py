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

Where each part lives, imports pointing one way (files <- chunks <- merged):
:mod:`sim.store.files` (atomic writes, locks, :class:`StoreError`),
:mod:`sim.store.chunks` (the job's chunks: written, checked, set aside) and
:mod:`sim.store.merged` (merging, the record that vouches for the merged tables,
loading). ``from sim import store`` keeps every name it had.
"""

from __future__ import annotations

# Beside __all__, what other code and the tests reach here keeps working: the constants
# (store.KEY_COLUMNS, store.NOT_HASHED, store.MERGED_RECORD) and the modules and class the
# tests patch (store.os.open, store.Path.unlink, store.pq.write_table): the very objects
# the modules below use.
import os as os
from pathlib import Path as Path

import pyarrow.parquet as pq  # noqa: F401

from sim.store.chunks import KEY_COLUMNS as KEY_COLUMNS
from sim.store.chunks import NOT_HASHED as NOT_HASHED
from sim.store.chunks import (
    Chunk,
    chunks,
    config_hash,
    done,
    job_lock,
    list_jobs,
    read_runs,
    write_chunk,
)
from sim.store.files import StoreError, write_atomic, write_csv
from sim.store.merged import MERGED_RECORD as MERGED_RECORD
from sim.store.merged import load, merge, stores

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
    "write_csv",
]
