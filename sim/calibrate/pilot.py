"""A pilot's analytics: people active on each rung, week by week and unit by unit.

The file is what an intranet's analytics export gives: one row per week and unit, with the
people active as readers, contributors and creators (``week, unit, readers, contributors,
creators``; headers matched ignoring case and surrounding spaces, other columns ignored).
``week`` counts weeks from the launch as the model does (1: the pilot's first week), or is a
date: the earliest date is week 1 and each later date falls in the week ``1 + days // 7``
after it. Units are the org chart's, by name (ignoring case and surrounding spaces).

:func:`read_pilot` checks the whole file before anything runs; every fault is one line
naming the file, the row (as a spreadsheet numbers it: the header is row 1) and the column.
A unit and week the file does not list is unobserved, not zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RUNGS", "Pilot", "PilotDataError", "read_pilot"]

#: The count columns, one per rung of the ladder, lowest first.
RUNGS = ("readers", "contributors", "creators")
_COLUMNS = ("week", "unit", *RUNGS)


class PilotDataError(ValueError):
    """A fault in a pilot's file: one line naming the file, row and column."""


@dataclass(frozen=True)
class Pilot:
    """A pilot's observed counts.

    ``weeks``: the observed weeks (int, ascending, >= 1); ``units``: the org chart's unit
    names, in its order; ``headcount``: people per unit; ``counts``: float (weeks, units,
    rungs), people active, NaN where the file has no row; ``dates``: the date of each week
    when the file gave dates (else None).
    """

    path: str
    weeks: np.ndarray
    units: tuple
    headcount: np.ndarray
    counts: np.ndarray
    dates: tuple | None = None

    @property
    def last_week(self) -> int:
        return int(self.weeks[-1])

    @property
    def observed(self) -> np.ndarray:
        """bool (weeks, units): the file has a row."""
        return ~np.isnan(self.counts[:, :, 0])

    def observed_units(self) -> list[str]:
        return [u for u, seen in zip(self.units, self.observed.any(axis=0), strict=True) if seen]

    def truncated(self, weeks: int) -> Pilot:
        """The first ``weeks`` observed weeks only (a held-out check)."""
        keep = self.weeks <= weeks
        return Pilot(self.path, self.weeks[keep], self.units, self.headcount,
                     self.counts[keep], None if self.dates is None else
                     tuple(d for d, k in zip(self.dates, keep, strict=True) if k))  # fmt: skip


def _key(text) -> str:
    return " ".join(str(text).split()).casefold()


def read_pilot(path, headcount: dict, opened=None) -> Pilot:
    """Read and check a pilot's analytics against the org chart's units.

    ``headcount`` is ``{unit name: people}`` of the org chart, in its order; ``opened``, when
    given, the week each unit gets access in the pilot as configured (-1: never within the
    file's weeks), so that activity before a unit has access is refused. Raises
    :class:`PilotDataError` (one line) at the first fault.
    """
    name = str(path)

    def fault(row, column, what):
        where = f"{name}, row {row}" if row is not None else name
        raise PilotDataError(f"{where}, column {column}: {what}" if column else f"{where}: {what}")

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        fault(None, None, "no such file")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        fault(None, None, f"cannot be read as CSV ({str(error).splitlines()[0]})")
    except pd.errors.EmptyDataError:
        fault(None, None, f"is empty (expected a header: {', '.join(_COLUMNS)})")
    columns = {_key(c): c for c in frame.columns}
    for wanted in _COLUMNS:
        if wanted not in columns:
            header = ", ".join(map(str, frame.columns))
            fault(1, wanted, f"no such column (the header has {header})")
    if frame.empty:
        fault(None, None, "has a header and no rows")
    units = list(headcount)
    by_key = {_key(u): i for i, u in enumerate(units)}
    rows = np.arange(len(frame)) + 2
    weeks, dates = _weeks(frame[columns["week"]].tolist(), rows, fault)
    unit_index = np.empty(len(frame), dtype=np.int64)
    for i, value in enumerate(frame[columns["unit"]].tolist()):
        if _key(value) not in by_key:
            shown = ", ".join(units[:12]) + (", ..." if len(units) > 12 else "")
            what = "missing unit" if not str(value).strip() else f"{value!r} is not a unit"
            fault(rows[i], "unit", f"{what} of the org chart ({shown})")
        unit_index[i] = by_key[_key(value)]
    counts = np.empty((len(frame), len(RUNGS)))
    people = np.array([int(headcount[u]) for u in units])
    for b, rung in enumerate(RUNGS):
        for i, value in enumerate(frame[columns[rung]].tolist()):
            counts[i, b] = _count(value, rows[i], rung, fault)
            unit = units[unit_index[i]]
            if counts[i, b] > people[unit_index[i]]:
                fault(rows[i], rung, f"{counts[i, b]:.0f} {rung}, more than the "
                      f"{people[unit_index[i]]} people of {unit} in the org chart")  # fmt: skip
            if b and counts[i, b] > counts[i, b - 1]:
                fault(rows[i], rung, f"{counts[i, b]:.0f} {rung} but {counts[i, b - 1]:.0f} "
                      f"{RUNGS[b - 1]}: each rung's people also hold the one below")  # fmt: skip
    if opened is not None:
        for i in np.flatnonzero(counts[:, 0] > 0):
            week, unit = int(weeks[i]), units[unit_index[i]]
            first = int(opened[unit_index[i]])
            if first < 0 or week < first:
                when = "has no access yet" if first < 0 else f"has access from week {first}"
                fault(rows[i], "readers", f"{counts[i, 0]:.0f} readers in {unit} in week "
                      f"{week}, but in the pilot as configured {unit} {when} (set "
                      "rollout.pilot_units and rollout.expand_week as the pilot ran)")  # fmt: skip
    last = {}
    for i in range(len(frame)):
        u = unit_index[i]
        if u in last and weeks[i] <= weeks[last[u]]:
            same = weeks[i] == weeks[last[u]]
            fault(rows[i], "week", (f"week {weeks[i]} of {units[u]} again (row {rows[last[u]]})"
                                    if same else f"week {weeks[i]} of {units[u]} after week "
                                    f"{weeks[last[u]]} (row {rows[last[u]]}): a unit's rows go "
                                    "in week order"))  # fmt: skip
        last[u] = i
    observed = np.unique(weeks)
    table = np.full((observed.size, len(units), len(RUNGS)), np.nan)
    table[np.searchsorted(observed, weeks), unit_index] = counts
    week_dates = None
    if dates is not None:
        first = {}
        for w, d in zip(weeks, dates, strict=True):
            first.setdefault(int(w), d)
        week_dates = tuple(first[int(w)] for w in observed)
    return Pilot(name, observed, tuple(units), people, table, week_dates)


def _count(value, row, column, fault) -> float:
    text = str(value).strip()
    if not text:
        fault(row, column, "missing count")
    try:
        number = float(text)
    except ValueError:
        fault(row, column, f"{text!r} is not a count of people")
    if not math.isfinite(number) or number != int(number):
        fault(row, column, f"{text!r} is not a whole number of people")
    if number < 0:
        fault(row, column, f"{text} is negative")
    return number


def _weeks(values, rows, fault):
    """Week numbers (>= 1), from numbers or dates; and the dates, when given."""
    texts = [str(v).strip() for v in values]
    numeric = [t.lstrip("-").isdigit() for t in texts]
    if all(numeric):
        weeks = np.array([int(t) for t in texts], dtype=np.int64)
        for i, w in enumerate(weeks):
            if w < 1:
                fault(rows[i], "week", f"week {w}: weeks count from 1, the pilot's first")
        return weeks, None
    stamps = []
    for i, text in enumerate(texts):
        if numeric[i] or not text:
            fault(rows[i], "week", f"{text or 'missing week'!r} among dates: give every week "
                  "as a number or every week as a date")  # fmt: skip
        stamp = pd.to_datetime(text, errors="coerce", format="ISO8601")
        if pd.isna(stamp):
            fault(rows[i], "week", f"{text!r} is neither a week number nor a date (YYYY-MM-DD)")
        stamps.append(stamp)
    first = min(stamps)
    weeks = np.array([1 + (s - first).days // 7 for s in stamps], dtype=np.int64)
    return weeks, tuple(s.date().isoformat() for s in stamps)
