"""The Org: who reports to whom, in which unit, and the informal ties beside it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.networks import Network

__all__ = ["Org", "OrgError"]


class OrgError(ValueError):
    """An org chart or tie list that cannot be used, with the reason in one line."""


def _readonly(array):
    array.flags.writeable = False
    return array


def _name(labels, i):
    if labels is None:
        return str(i)
    label = labels[i]
    return repr(label.item() if isinstance(label, np.generic) else label)


def reporting_levels(manager, labels=None):
    """Level of each person below the top (0 = top) from the ``manager`` array.

    Walks down from the people without a manager, one level per pass, so the
    cost is O(n) per level. Raises :class:`OrgError` naming the people on a
    reporting cycle when some people never connect to a top.
    """
    n = manager.shape[0]
    level = np.full(n, -1, dtype=np.int32)
    has_manager = manager >= 0
    order = np.argsort(manager, kind="stable")  # reports grouped by manager
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(manager[has_manager], minlength=n), out=indptr[1:])
    reports = order[n - int(has_manager.sum()) :]
    frontier = np.flatnonzero(~has_manager)
    depth = 0
    while frontier.shape[0]:
        level[frontier] = depth
        starts, ends = indptr[frontier], indptr[frontier + 1]
        sizes = ends - starts
        if sizes.sum() == 0:
            break
        # The reports of every frontier member, gathered without a Python loop.
        offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes)
        frontier = reports[offsets + np.arange(sizes.sum())]
        depth += 1
    stuck = np.flatnonzero(level < 0)
    if stuck.shape[0]:
        raise OrgError(_cycle_message(manager, int(stuck[0]), labels))
    return level, indptr, reports


def _cycle_message(manager, start, labels):
    # Follow the reporting line up from someone who never reaches a top: it
    # must enter a cycle. Only runs on the error path.
    seen = {}
    i = start
    while i not in seen:
        seen[i] = len(seen)
        i = int(manager[i])
    cycle = list(seen)[seen[i] :]
    names = " -> ".join(_name(labels, j) for j in [*cycle, cycle[0]])
    return f"the reporting lines form a cycle: {names} (each reports to the next)"


@dataclass(frozen=True, eq=False, repr=False)
class Org:
    """An organization: the formal hierarchy and the informal network.

    Build one with :func:`sim.org.generate` or :func:`sim.org.from_csv`; the
    constructor checks the arrays and derives levels, teams and spans.

    Parameters
    ----------
    manager : int array-like of shape (n,)
        Node id of each person's manager, -1 for a person at the top.
    unit : int array-like of shape (n,)
        Unit (department) of each person, an index into ``unit_names``.
    unit_names : sequence of str
        Name of each unit.
    network : Network
        Informal ties between the same ``n`` people (collaboration, email).
    labels : array-like of shape (n,), optional
        The employee ids the data came with, for messages and for mapping
        results back on the user's own machine. Results never carry them.
    traits : dict of str to float array of shape (n,), optional
        Per-person traits given with the data (e.g. ``trust``); they override
        the traits drawn from the culture.
    allow_forest : bool, default False
        Allow more than one person at the top (several separate hierarchies).

    Attributes
    ----------
    n : int
        Number of people.
    level : int32 ndarray of shape (n,)
        Distance from the top: 0 for the top, 1 for their reports, ...
    span : int64 ndarray of shape (n,)
        Number of direct reports of each person (0 for individual contributors).
    reports_indptr, reports : int64 ndarrays
        Direct reports in CSR form: the reports of ``i`` are
        ``reports[reports_indptr[i]:reports_indptr[i + 1]]``.
    """

    manager: np.ndarray
    unit: np.ndarray
    unit_names: tuple
    network: Network
    labels: np.ndarray | None = None
    traits: dict = field(default_factory=dict)
    allow_forest: bool = False
    level: np.ndarray = field(init=False)
    span: np.ndarray = field(init=False)
    reports_indptr: np.ndarray = field(init=False)
    reports: np.ndarray = field(init=False)

    def __post_init__(self):
        manager = np.array(self.manager, dtype=np.int64, copy=True).reshape(-1)
        n = manager.shape[0]
        if n == 0:
            raise OrgError("an org needs at least one person")
        labels = None if self.labels is None else np.asarray(self.labels)
        if labels is not None and labels.shape != (n,):
            raise OrgError(f"labels has shape {labels.shape}; expected ({n},)")
        bad = (manager < -1) | (manager >= n)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise OrgError(
                f"the manager of person {_name(labels, i)} is {int(manager[i])}, not a "
                f"person id in 0..{n - 1} (or -1 for the top)"
            )
        own = np.flatnonzero(manager == np.arange(n))
        if own.shape[0]:
            raise OrgError(f"person {_name(labels, int(own[0]))} is their own manager")
        top = np.flatnonzero(manager < 0)
        if top.shape[0] == 0:
            # Everyone has a manager: the lines must loop somewhere.
            raise OrgError(_cycle_message(manager, 0, labels))
        if top.shape[0] > 1 and not self.allow_forest:
            names = ", ".join(_name(labels, int(i)) for i in top[:5])
            more = f" and {top.shape[0] - 5} more" if top.shape[0] > 5 else ""
            raise OrgError(
                f"{top.shape[0]} people have no manager ({names}{more}); an org has one "
                f"person at the top (pass allow_forest=True to allow several)"
            )
        level, indptr, reports = reporting_levels(manager, labels)
        unit = np.array(self.unit, dtype=np.int64, copy=True).reshape(-1)
        names = tuple(str(u) for u in self.unit_names)
        if unit.shape != (n,):
            raise OrgError(f"unit has {unit.shape[0]} entries for {n} people")
        if len(names) == 0 or unit.min() < 0 or unit.max() >= len(names):
            raise OrgError(f"unit codes must be in 0..{len(names) - 1} (one per unit name)")
        if len(set(names)) != len(names):
            raise OrgError("unit names must be distinct")
        if not isinstance(self.network, Network):
            raise TypeError(
                f"The 'network' parameter of Org must be a sim.networks.Network. "
                f"Got {type(self.network).__name__} instead."
            )
        if self.network.n != n:
            raise OrgError(f"the network has {self.network.n} people, the hierarchy {n}")
        traits = {}
        for key, values in dict(self.traits).items():
            values = np.array(values, dtype=np.float64, copy=True).reshape(-1)
            if values.shape != (n,):
                raise OrgError(f"trait {key!r} has {values.shape[0]} values for {n} people")
            traits[str(key)] = _readonly(values)
        set_ = object.__setattr__
        set_(self, "manager", _readonly(manager))
        set_(self, "unit", _readonly(unit.astype(np.int32)))
        set_(self, "unit_names", names)
        set_(self, "labels", None if labels is None else _readonly(labels.copy()))
        set_(self, "traits", traits)
        set_(self, "level", _readonly(level))
        set_(self, "span", _readonly(np.diff(indptr)))
        set_(self, "reports_indptr", _readonly(indptr))
        set_(self, "reports", _readonly(reports.astype(np.int64)))

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.manager.shape[0])

    @property
    def n_units(self) -> int:
        return len(self.unit_names)

    @property
    def n_levels(self) -> int:
        """Number of levels of the hierarchy (1 for a single person)."""
        return int(self.level.max()) + 1

    @property
    def top(self) -> np.ndarray:
        """Ids of the people without a manager."""
        return np.flatnonzero(self.manager < 0)

    @property
    def managers(self) -> np.ndarray:
        """Ids of the people with at least one direct report."""
        return np.flatnonzero(self.span > 0)

    @property
    def unit_sizes(self) -> np.ndarray:
        """Number of people in each unit, int64 array of shape (n_units,)."""
        return np.bincount(self.unit, minlength=self.n_units)

    def reports_of(self, i: int) -> np.ndarray:
        """Direct reports of person ``i`` (a read-only view)."""
        return self.reports[self.reports_indptr[i] : self.reports_indptr[i + 1]]

    def team_of(self, i: int) -> np.ndarray:
        """Person ``i``'s team: everyone who shares their manager, ``i`` included."""
        boss = int(self.manager[i])
        return np.array([i]) if boss < 0 else self.reports_of(boss)

    def __repr__(self):
        return (
            f"<Org of {self.n} people in {self.n_units} units and {self.n_levels} levels, "
            f"{self.network.n_ties} informal ties>"
        )
