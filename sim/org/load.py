"""Load a real org chart, and optionally its informal ties, from CSV files.

The strategist's files never leave their machine and results never carry
names: the :class:`~sim.org.Org` keeps the employee ids only as ``labels`` (in
memory, to map results back), and the columns it does not use, a name column
for instance, are never read into it.

Every problem raises :class:`~sim.org.OrgError` with one line that names the
file, the row (its line number in the file, the header being line 1) and the
problem, e.g. ``"org.csv, row 13: duplicate employee_id 'E12' (first on row 3)"``
or ``"org.csv: missing column(s) 'unit'; ..."`` when no row is to blame:
unreadable, empty or header-only files, missing or repeated columns, rows with
too many or too few fields, empty or duplicate ids, unknown managers, people who
are their own manager, cycles in the reporting lines (named, with rows), several
people at the top (unless ``allow_forest``), empty units, traits or weights that
are not numbers in range, ties with unknown people and self-ties. The load fails
whole: nothing is returned and nothing is half built.
"""

from __future__ import annotations

import codecs
import csv
import io
import os

import numpy as np

from sim._validation import check_choice
from sim.networks import from_edges
from sim.org.core import Org, OrgError, reporting_levels
from sim.population import TRAITS

__all__ = ["from_csv"]

_CHART = ("employee_id", "manager_id", "unit")
_CHART_NEEDS = "the org chart needs employee_id, manager_id, unit"
_TIES = ("source", "target")
_TIES_NEEDS = "the ties file needs source, target (and optionally weight)"
# Trait columns: True for "finite and > 0", False for "in [0, 1]".
# Trait columns, and whether a value must be > 0 rather than in [0, 1].
_TRAITS = {name: high is None for name, (_, high, _) in TRAITS.items()}
_SHOW = 5  # people named in a message before "and N more"
_CYCLE_SHOW = 8


def from_csv(
    org_path,
    ties_path=None,
    *,
    allow_forest=False,
    merge="sum",
    mean_degree=20.0,
    openness=0.5,
    seed=None,
) -> Org:
    """An :class:`~sim.org.Org` from an org chart CSV and, optionally, a ties CSV.

    Parameters
    ----------
    org_path : str or os.PathLike
        UTF-8 CSV (a byte-order mark, as Excel writes, and CRLF line ends are
        fine) with a header line and one row per person. Columns, in any order
        (names matched ignoring case and surrounding spaces):

        - ``employee_id``, ``manager_id``, ``unit`` (required). Values are read
          as text with surrounding spaces stripped, so ``"E007"`` and ``"7"``
          are different ids. The person at the top has an empty ``manager_id``.
        - ``trust``, ``risk_aversion``, ``threshold`` (numbers in [0, 1]) and
          ``influence`` (finite, > 0), optional; a trait column needs a value
          on every row. They become ``Org.traits``.
        - Any other column (names, titles, ...) is ignored and never stored.

        Node ``i`` is the ``i``-th person in the file; ``Org.labels`` holds the
        employee ids. Units are numbered in order of first appearance and
        ``Org.unit_names`` keeps their names. Empty lines, and rows whose
        fields are all empty (as spreadsheets leave at the end), are skipped.
    ties_path : str or os.PathLike, optional
        CSV of informal ties (collaboration, e-mail) with columns ``source``,
        ``target`` (employee ids) and optionally ``weight`` (finite, > 0;
        1 when the column is absent). Ties are undirected: duplicates, A,B and
        B,A included, are merged with ``merge``. When None, the informal
        network is generated from the chart with
        ``sim.org.generate.informal_ties(manager, unit, mean_degree=...,
        openness=..., seed=...)``.
    allow_forest : bool, default False
        Allow more than one person without a manager (separate hierarchies).
    merge : {"sum", "max"}, default "sum"
        How duplicate ties combine (see :func:`sim.networks.from_edges`).
    mean_degree, openness, seed
        Passed to ``informal_ties`` when ``ties_path`` is None; unused otherwise.

    Returns
    -------
    Org

    Raises
    ------
    OrgError
        For any problem with the files (see the module docstring).
    TypeError, ValueError
        For bad parameters (a path that is not a path, an unknown ``merge``).
    """
    check_choice(merge, "merge", "from_csv", ("sum", "max"))
    if not isinstance(allow_forest, bool | np.bool_):
        raise TypeError(
            f"The 'allow_forest' parameter of from_csv must be a bool. Got {allow_forest!r} "
            f"instead."
        )
    chart = _Csv(org_path, "org_path")
    cols = chart.read(_CHART, tuple(_TRAITS), _CHART_NEEDS, "no people")
    ids, manager, unit, unit_names, index = _hierarchy(chart, cols, bool(allow_forest))
    traits = {}
    for name, positive in _TRAITS.items():
        if name in cols:
            hint = "a trait column needs a value on every row (or leave the column out)"
            traits[name] = _numbers(chart, cols[name], name, positive, hint)
    if ties_path is None:
        from sim.org.generate import informal_ties

        network = informal_ties(
            manager, unit, mean_degree=mean_degree, openness=openness, seed=seed
        )
    else:
        network = _ties(ties_path, index, chart.name, merge)
    try:
        return Org(
            manager=manager,
            unit=unit,
            unit_names=unit_names,
            network=network,
            labels=ids,
            traits=traits,
            allow_forest=bool(allow_forest),
        )
    except OrgError as error:  # a backstop: the checks above should catch everything
        raise OrgError(f"{chart.name}: {error}") from None


def _hierarchy(chart, cols, allow_forest):
    import pandas as pd

    id_col, boss, unit_col = cols["employee_id"], cols["manager_id"], cols["unit"]
    chart.check(
        id_col.rows(id_col.values == ""), lambda i: "employee_id is empty; every person needs an id"
    )
    ids = id_col.values[id_col.codes]
    index = pd.Index(ids, dtype=object)
    if not index.is_unique:
        i = int(np.flatnonzero(index.duplicated())[0])
        first = int(np.flatnonzero(ids == ids[i])[0])
        raise chart.error(f"duplicate employee_id {ids[i]!r} (first on {chart.where(first)})", i)
    chart.check(
        unit_col.rows(unit_col.values == ""),
        lambda i: f"the unit of {ids[i]!r} is empty; every person needs one",
    )
    found = index.get_indexer(pd.Index(boss.values, dtype=object))
    chart.check(
        boss.rows((found < 0) & (boss.values != "")),
        lambda i: f"manager_id {boss[i]!r} of {ids[i]!r} is not an employee_id in this file",
    )
    manager = found[boss.codes].astype(np.int64)
    chart.check(
        manager == np.arange(manager.shape[0]),
        lambda i: f"{ids[i]!r} is their own manager; leave manager_id empty for the top person",
    )
    top = np.flatnonzero(manager < 0)
    if top.shape[0] == 0:
        raise chart.error(
            "nobody is at the top (everyone has a manager_id), so the reporting lines form "
            f"a cycle: {_cycle_text(chart, ids, manager)}"
        )
    if top.shape[0] > 1 and not allow_forest:
        names = ", ".join(chart.who(ids, int(i)) for i in top[:_SHOW])
        more = f" and {top.shape[0] - _SHOW} more" if top.shape[0] > _SHOW else ""
        raise chart.error(
            f"{top.shape[0]} people have no manager_id: {names}{more}; an org has one person "
            f"at the top (pass allow_forest=True to load several separate hierarchies)"
        )
    try:
        reporting_levels(manager)
    except OrgError:
        raise chart.error(
            f"the reporting lines form a cycle: {_cycle_text(chart, ids, manager)}"
        ) from None
    # Distinct values come in order of first appearance, and so do the units.
    codes, unit_names = pd.factorize(unit_col.values)
    return ids, manager, codes[unit_col.codes].astype(np.int64), tuple(unit_names), index


def _cycle_text(chart, ids, manager):
    # Jump up the reporting lines 2^k at a time: after n jumps everyone is at a
    # top (which stays put) or on a cycle. Only runs on the error path.
    n = manager.shape[0]
    jump = np.where(manager < 0, np.arange(n), manager)
    for _ in range(n.bit_length()):
        jump = jump[jump]
    start = int(jump[np.flatnonzero(manager[jump] >= 0)[0]])
    cycle, i = [start], int(manager[start])
    while i != start:
        cycle.append(i)
        i = int(manager[i])
    k = cycle.index(min(cycle))  # start at the person who comes first in the file
    cycle = cycle[k:] + cycle[:k]
    steps = [chart.who(ids, i) for i in cycle[:_CYCLE_SHOW]]
    if len(cycle) > _CYCLE_SHOW:
        steps.append(f"... ({len(cycle)} people in all)")
    return " -> ".join([*steps, repr(ids[cycle[0]])])


def _numbers(src, col, column, positive, empty_hint):
    """Parse a column of numbers; NaN, infinity and values out of range are errors."""
    src.check(col.rows(col.values == ""), lambda i: f"{column} is empty; {empty_hint}")
    try:
        x = col.values.astype(np.float64)
    except ValueError:
        x = np.array([_float(v) for v in col.values.tolist()], dtype=np.float64)
    allowed = "a finite number > 0" if positive else "a number in [0, 1]"
    bad = ~np.isfinite(x)
    bad |= (x <= 0) if positive else (x < 0) | (x > 1)
    src.check(col.rows(bad), lambda i: f"{column} is {col[i]!r}; it must be {allowed}")
    return x[col.codes]


def _float(text):
    try:
        return float(text)
    except ValueError:
        return np.nan


def _ties(path, index, org_name, merge):
    import pandas as pd

    src = _Csv(path, "ties_path")
    cols = src.read(_TIES, ("weight",), _TIES_NEEDS, "no ties")
    ends = []
    for column in _TIES:
        col = cols[column]
        src.check(
            col.rows(col.values == ""),
            lambda i, c=column: f"{c} is empty; every tie needs two people",
        )
        found = index.get_indexer(pd.Index(col.values, dtype=object))
        src.check(
            col.rows(found < 0),
            lambda i, c=column, v=col: f"{c} {v[i]!r} is not an employee_id in {org_name}",
        )
        ends.append(found[col.codes].astype(np.int64))
    source, target = ends
    src.check(
        source == target,
        lambda i: f"{cols['source'][i]!r} is tied to themselves; self-ties are not allowed",
    )
    weights = None
    if "weight" in cols:
        hint = "give every tie a weight (or leave the weight column out for weight 1)"
        weights = _numbers(src, cols["weight"], "weight", True, hint)
    try:
        return from_edges(source, target, index.shape[0], weights, merge=merge)
    except ValueError as error:  # weights adding up to infinity
        raise src.error(str(error).removeprefix("from_edges: ")) from None


class _Column:
    """A column as codes into its distinct values, stripped of surrounding spaces.

    Each distinct text is hashed, stripped, looked up and parsed once: a ties
    file repeats every id many times, a unit or trait column has few values.
    """

    def __init__(self, raw):
        import pandas as pd

        self.codes, distinct = pd.factorize(raw)
        self.values = np.array([v.strip() for v in distinct.tolist()], dtype=object)

    def __getitem__(self, i):
        return self.values[self.codes[i]]

    def rows(self, per_value):
        """An array over the distinct values, spread to the rows."""
        return per_value[self.codes]


def _read_bytes(name):
    if os.path.isdir(name):
        raise OrgError(f"{name}: is a directory, not a CSV file")
    try:
        with open(name, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise OrgError(f"{name}: no such file") from None
    except OSError as error:
        raise OrgError(f"{name}: cannot be read ({error.strerror or error})") from None


class _Csv:
    """A user's CSV file: the columns we use as stripped text, and line numbers for messages.

    Records (CSV rows, record 0 being the header) are counted with the csv
    module's rules, so a quoted field may span lines; ``rows`` holds the record
    number of each data row kept. Line numbers are worked out only for messages.
    """

    def __init__(self, path, param):
        if not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"The {param!r} parameter of from_csv must be a path (str or os.PathLike). "
                f"Got {path!r} instead."
            )
        self.name = os.fsdecode(os.fspath(path))
        data = _read_bytes(self.name)
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise OrgError(
                f"{self.name}, row {line}: the file is not UTF-8 text (byte "
                f"0x{data[error.start]:02x}); save it as UTF-8 (in Excel: 'CSV UTF-8')"
            ) from None
        self.data = data
        # Without quotes and lone CRs, every line is one record: count fields with numpy.
        self.simple = b'"' not in data and data.count(b"\r") == data.count(b"\r\n")
        self.rows = None
        self._lines = None

    def _reader(self):
        text = io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8", newline="")
        return csv.reader(text)

    def line(self, record):
        """Line number (1-based) on which ``record`` starts."""
        if self.simple:
            return int(record) + 1
        if self._lines is None:
            reader = self._reader()
            ends = np.fromiter((reader.line_num for _ in reader), dtype=np.int64)
            self._lines = np.concatenate([[1], ends[:-1] + 1])
        return int(self._lines[record])

    def where(self, i):
        return f"row {self.line(self.rows[i])}"

    def who(self, ids, i):
        return f"{ids[i]!r} ({self.where(i)})"

    def error(self, message, i=None, *, record=None):
        """An OrgError about data row ``i`` (or ``record``), or the whole file."""
        if i is not None:
            record = self.rows[i]
        where = "" if record is None else f", row {self.line(record)}"
        return OrgError(f"{self.name}{where}: {message}")

    def check(self, bad, message):
        """Raise for the first data row where ``bad`` holds; ``message(i)`` words it."""
        hits = np.flatnonzero(bad)
        if hits.shape[0]:
            i = int(hits[0])
            raise self.error(message(i), i)

    def _field_counts(self):
        """Number of fields of each record, 0 for an empty line; header included."""
        if self.simple:
            buf = np.frombuffer(self.data, dtype=np.uint8)
            ends = np.flatnonzero(buf == ord("\n"))
            if buf[-1] != ord("\n"):
                ends = np.append(ends, buf.shape[0])
            starts = np.concatenate([[0], ends[:-1] + 1])
            commas = np.searchsorted(ends, np.flatnonzero(buf == ord(",")))
            counts = np.bincount(commas, minlength=ends.shape[0]) + 1
            counts[ends - starts - (buf[ends - 1] == ord("\r")) <= 0] = 0
            return counts
        reader = self._reader()
        try:
            return np.fromiter(map(len, reader), dtype=np.int64)
        except csv.Error as error:
            raise OrgError(
                f"{self.name}, row {reader.line_num}: cannot be read as CSV ({error})"
            ) from None

    def _blank(self, records):
        """Whether each of the sorted ``records`` has only empty fields."""
        wanted, blank = set(records.tolist()), {}
        for k, fields in enumerate(self._reader()):
            if k in wanted:
                blank[k] = not any(field.strip() for field in fields)
            if k >= records[-1]:
                break
        return np.array([blank[k] for k in records.tolist()], dtype=bool)

    def read(self, required, optional, needs, nothing):
        """The used columns of the non-blank rows, as :class:`_Column` objects."""
        import pandas as pd

        if not self.data.strip():
            raise self.error(f"the file is empty; {needs}, with a header line naming them")
        header = next(self._reader())
        names = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in names]
        if missing:
            listed = ", ".join(repr(c) for c in missing)
            found = ", ".join(repr(h.strip()) for h in header) if header else "no columns"
            message = f"missing column(s) {listed}; {needs} (the header has {found})"
            sep = [c for c in ";\t|" if len(header) == 1 and c in header[0]]
            if sep:
                message += (
                    f"; the values seem to be separated by {sep[0]!r}: save as comma-separated"
                )
            raise self.error(message)
        used = [c for c in (*required, *optional) if c in names]
        for c in used:
            if names.count(c) > 1:
                raise self.error(f"column {c!r} appears {names.count(c)} times in the header")
        counts = self._field_counts()
        width = len(header)
        wrong = np.flatnonzero((counts != width) & (counts > 0))
        if wrong.shape[0]:
            wrong = wrong[~self._blank(wrong)]
        if wrong.shape[0]:
            k = int(wrong[0])
            hint = (
                "a value that contains a comma must be in double quotes"
                if counts[k] > width
                else "every row needs a field for each column, even an empty one"
            )
            fields = f"{counts[k]} field{'s' if counts[k] > 1 else ''}"
            raise self.error(f"{fields}, but the header has {width}; {hint}", record=k)
        where = [names.index(c) for c in used]
        try:
            frame = pd.read_csv(
                io.BytesIO(self.data),
                header=None,
                usecols=where,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                on_bad_lines="skip",
                encoding="utf-8",
            )
        except (pd.errors.ParserError, ValueError) as error:
            raise self.error(
                f"cannot be read as CSV ({error}); look for an unclosed double quote"
            ) from None
        records = np.arange(counts.shape[0])
        if len(frame) != records.shape[0]:  # pandas skipped the blank rows with extra commas
            records = records[counts <= width]
        if len(frame) != records.shape[0]:
            raise self.error(
                f"cannot be read as CSV: {len(frame)} records where {records.shape[0]} were "
                f"expected; look for stray double quotes"
            )
        keep = (counts[records] > 0) & (records > 0)
        rows = records[keep]
        cols = {c: _Column(frame[j].to_numpy()[keep]) for c, j in zip(used, where, strict=True)}
        empty = np.logical_and.reduce([col.rows(col.values == "") for col in cols.values()])
        if empty.any():  # all used fields empty: skip the row if the others are empty too
            maybe = np.flatnonzero(empty)
            blank = np.zeros(rows.shape[0], dtype=bool)
            blank[maybe[self._blank(rows[maybe])]] = True
            rows = rows[~blank]
            for col in cols.values():
                col.codes = col.codes[~blank]
        if rows.shape[0] == 0:
            raise self.error(f"{nothing}: the file has a header line but no rows")
        self.rows = rows
        return cols
