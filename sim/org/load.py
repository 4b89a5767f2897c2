"""Load a real org chart, and optionally its informal ties, from CSV files.

The strategist's files never leave their machine and results never carry
names: the :class:`~sim.org.Org` keeps the employee ids only as ``labels`` (in
memory, to map results back), and the columns it does not use, a name column
for instance, are never read into it.

Every problem raises :class:`~sim.org.OrgError` with one line that names the
file, the row (the line on which it starts in the file, the header being line
1) and the problem, e.g. ``"org.csv, row 13: duplicate employee_id 'E12' (first
on row 3)"`` or ``"org.csv: missing column(s) 'unit'; ..."`` when no row is to
blame: missing or unreadable files, directories, named pipes and other files
that are not regular files, files too large for memory, text that is not UTF-8
or holds NUL bytes, double quotes never closed (the row where the quote
opens), empty or header-only files, missing or repeated columns, rows with too
many or too few fields, empty or duplicate ids, unknown managers, people who
are their own manager, cycles in the reporting lines (named, with rows),
several people at the top (unless ``allow_forest``), empty units, traits or
weights that are not numbers in range (influence spanning more than a factor
1e100, weights outside 1e-100 to 1e100, with the people of the tie), ties with
unknown people and self-ties. The load fails whole: nothing is returned and
nothing is half built. Reading the CSV is :mod:`sim.org._csv`'s job.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from sim._validation import check_choice
from sim.networks import from_edges
from sim.org._csv import CsvFile, path_name, read_file, too_large
from sim.org.core import Org, OrgError, reporting_levels
from sim.population import MAX_INFLUENCE_RATIO, TRAITS

__all__ = ["COLUMNS", "check_columns", "from_csv"]

_CHART = ("employee_id", "manager_id", "unit")
_CHART_NEEDS = "the org chart needs employee_id, manager_id, unit"
_TIES = ("source", "target")
_TIES_NEEDS = "the ties file needs source, target (and optionally weight)"
# Trait columns, and whether a value must be > 0 rather than in [0, 1].
_TRAITS = {name: high is None for name, (_, high, _) in TRAITS.items()}
#: The org chart's columns orgsim reads (the keys of a column mapping).
COLUMNS = (*_CHART, *_TRAITS)
# Tie weights are relative (only shares count); bounded so that no sum of
# weights, duplicates merged or a person's ties, overflows or vanishes, even
# weighted by influence.
_WEIGHTS = (1e-100, 1e100)
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
    columns=None,
) -> Org:
    """An :class:`~sim.org.Org` from an org chart CSV and, optionally, a ties CSV.

    A file is read once per process while it stays as it is, and the org
    built from it is kept (the last two): a command that checks, estimates
    and runs a job parses each file once (see :func:`sim.org._csv.read_file`).

    Parameters
    ----------
    org_path : str or os.PathLike
        UTF-8 CSV (a byte-order mark, as Excel writes, and CRLF line ends are
        fine) with a header line and one row per person. Columns, in any order
        (names matched ignoring case and surrounding spaces):

        - ``employee_id``, ``manager_id``, ``unit`` (required). Values are read
          as text with surrounding spaces stripped, so ``"E007"`` and ``"7"``
          are different ids. The person at the top has an empty ``manager_id``.
        - ``trust``, ``risk_aversion``, ``threshold``, ``voice`` (numbers in [0, 1]) and
          ``influence`` (finite, > 0), optional; a trait column needs a value
          on every row. They become ``Org.traits``, as given. Influence is
          relative: only ratios matter, the largest may be at most 1e100 times
          the smallest, and :meth:`sim.population.Population.draw` rescales it
          by a power of two to a mean near 1 (as drawn influence has), so a
          column and the same column times any positive number give the same
          results.
        - Any other column (names, titles, ...) is ignored and never stored.
        - Headers named otherwise (an HR export's ``Employee ID``, ``Department``)
          are mapped with ``columns``.

        Node ``i`` is the ``i``-th person in the file; ``Org.labels`` holds the
        employee ids. Units are numbered in order of first appearance and
        ``Org.unit_names`` keeps their names. Empty lines, and rows whose
        fields are all empty (as spreadsheets leave at the end), are skipped.
    ties_path : str or os.PathLike, optional
        CSV of informal ties (collaboration, e-mail) with columns ``source``,
        ``target`` (employee ids) and optionally ``weight`` (a number from
        1e-100 to 1e100, 1 when the column is absent; weights are relative,
        only their ratios count in shares, and within these bounds no sum of
        them overflows). Ties are undirected: duplicates, A,B and B,A
        included, are merged with ``merge``. When None, the informal
        network is generated from the chart with
        ``sim.org.generate.informal_ties(manager, unit, mean_degree=...,
        openness=..., seed=...)``.
    allow_forest : bool, default False
        Allow more than one person without a manager (separate hierarchies).
    merge : {"sum", "max"}, default "sum"
        How duplicate ties combine (see :func:`sim.networks.from_edges`).
    mean_degree, openness, seed
        Passed to ``informal_ties`` when ``ties_path`` is None; unused otherwise.
    columns : dict of str to str, optional
        Which header of the org chart holds each column orgsim reads, for
        headers named otherwise: ``{"employee_id": "Employee ID", "manager_id":
        "Manager ID", "unit": "Department", "trust": "Trust score"}``. Keys are
        the columns above (``employee_id``, ``manager_id``, ``unit`` and the
        traits); headers are matched ignoring case and surrounding spaces, and
        a header mapped to a column is not read under its own name. A key that
        is not one of those columns is a ValueError; a header the file lacks,
        an OrgError naming the file and the header. Columns not in the mapping
        go by their own names. In a config: ``org.columns``.

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
    columns = check_columns(columns)
    org_name = path_name(org_path, "org_path")
    if ties_path is not None:
        path_name(ties_path, "ties_path")
    try:
        chart = CsvFile(org_path, "org_path")
    except MemoryError:
        raise too_large(org_name) from None
    ties_digest = None
    if ties_path is not None:
        try:
            ties_digest = read_file(path_name(ties_path, "ties_path"))[1]
        except MemoryError:
            raise too_large(path_name(ties_path, "ties_path")) from None
    # Generated ties are kept only when they come from a seed (a number): the same ones.
    generated = (mean_degree, openness, seed) if ties_path is None else None
    if generated is not None and not isinstance(seed, numbers.Integral):
        key = None
    else:
        key = (chart.digest, ties_digest, bool(allow_forest), merge, generated,
               tuple(sorted(columns.items())))  # fmt: skip
    if key is not None and key in _LOADED:
        return _LOADED[key]
    org = _load(chart, ties_path, allow_forest, merge, mean_degree, openness, seed, columns)
    if key is not None:
        _LOADED.pop(key, None)
        _LOADED[key] = org
        while len(_LOADED) > _KEEP_ORGS:
            del _LOADED[next(iter(_LOADED))]
    return org


#: Orgs built from files, by the files' digests and the parameters (most recent last).
_LOADED: dict = {}
_KEEP_ORGS = 2


def check_columns(columns) -> dict:
    """``columns`` (a column mapping for :func:`from_csv`) as a plain dict, or ValueError."""
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise TypeError(
            f"The 'columns' parameter of from_csv must be a mapping of a column to the header "
            f"that holds it, e.g. {{'employee_id': 'Employee ID'}}. Got {columns!r} instead."
        )
    known = COLUMNS
    for column, header in columns.items():
        if column not in known:
            raise ValueError(
                f"The 'columns' parameter of from_csv maps {column!r}, which is not a column "
                f"orgsim reads; it reads {', '.join(known)}."
            )
        if not isinstance(header, str) or not header.strip():
            raise ValueError(
                f"The 'columns' parameter of from_csv must map {column!r} to a header (text). "
                f"Got {header!r} instead."
            )
    headers = [h.strip().lower() for h in columns.values()]
    for i, header in enumerate(headers):
        if header in headers[:i]:
            first = list(columns)[headers.index(header)]
            raise ValueError(
                f"The 'columns' parameter of from_csv maps both {first!r} and "
                f"{list(columns)[i]!r} to the header {list(columns.values())[i]!r}; one header "
                f"holds one column."
            )
    return dict(columns)


def _load(chart, ties_path, allow_forest, merge, mean_degree, openness, seed, columns):
    """The Org of a chart already read, and of its ties (read or generated)."""
    org_name = chart.name
    try:
        cols = chart.read(_CHART, tuple(_TRAITS), _CHART_NEEDS, "no people", columns)
        ids, manager, unit, unit_names, index = _hierarchy(chart, cols, bool(allow_forest))
        traits = {}
        for name, positive in _TRAITS.items():
            if name in cols:
                hint = "a trait column needs a value on every row (or leave the column out)"
                traits[name] = _numbers(chart, cols[name], name, positive, hint)
    except MemoryError:
        raise too_large(org_name) from None
    if "influence" in traits:
        _check_influence(chart, cols["influence"], traits["influence"], ids)
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


def _check_influence(chart, col, x, ids):
    """Influence is relative, but may span at most MAX_INFLUENCE_RATIO."""
    top = int(np.argmax(x))
    chart.check(
        x < x[top] / MAX_INFLUENCE_RATIO,
        lambda i: (
            f"influence of {ids[i]!r} is {col[i]!r}, more than {MAX_INFLUENCE_RATIO:g} times "
            f"smaller than the largest ({col[top]!r}, {chart.where(top)}); influence is "
            f"relative, so only ratios matter: raise the smallest values"
        ),
    )


def _float(text):
    try:
        return float(text)
    except ValueError:
        return np.nan


def _ties(path, index, org_name, merge):
    try:
        src = CsvFile(path, "ties_path")
        source, target, weights = _tie_arrays(src, index, org_name)
        try:
            return from_edges(source, target, index.shape[0], weights, merge=merge)
        except ValueError as error:  # a backstop: the checks above should catch everything
            raise src.error(str(error).removeprefix("from_edges: ")) from None
    except MemoryError:
        raise too_large(path_name(path, "ties_path")) from None


def _tie_arrays(src, index, org_name):
    import pandas as pd

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
    if "weight" not in cols:
        return source, target, None
    col = cols["weight"]
    hint = "give every tie a weight (or leave the weight column out for weight 1)"
    weights = _numbers(src, col, "weight", True, hint)
    low, high = _WEIGHTS
    src.check(
        (weights < low) | (weights > high),
        lambda i: (
            f"the weight of the tie between {cols['source'][i]!r} and {cols['target'][i]!r} is "
            f"{col[i]!r}; it must be from {low:g} to {high:g} (weights are relative, only "
            f"their ratios matter: divide them all by the same number)"
        ),
    )
    return source, target, weights
