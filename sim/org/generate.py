"""Synthetic companies, from 50 people to millions, in seconds.

:func:`generate` builds an :class:`~sim.org.core.Org` from two parts, each
usable alone: :func:`hierarchy` (who reports to whom, and the units) and
:func:`informal_ties` (the informal network over the same people; the CSV
loader calls it too). One generator feeds every draw, in a fixed order, so a
seed gives the same company on any machine.

Span of control
---------------
Surveys of managers agree on a skewed law: median 5-6 direct reports, mean
9-12, about a third of managers with fewer than 5 and an eighth with more than
25. One lognormal cannot hold both tails (fitted to the median and mean it
gives ~43 % below 5 and ~9 % above 25), so a manager's span is
``max(1, round(X))``, capped at 1000, with ``X`` a mixture of two lognormals
of common log-sd ``sigma = 0.3575``: with weight 0.76 a "small team" around
``m1``, with weight 0.24 a "wide span" around ``m2 >= m1``. ``w`` and ``sigma``
were fitted once, with the medians, to all four survey figures; ``m1`` and
``m2`` then follow from ``span_median`` (the median of ``X``: at 5.5 exactly
half the managers have at most 5 reports) and ``span_mean`` (the exact mean
of the rounded law). The defaults 5.5 and 10.5 give ``m1 = 4.76``,
``m2 = 25.98``: 33.3 % of spans below 5, 12.5 % above 25.

The tree is built a level at a time: everyone on the current level draws a
span, and the reports of the next level go to them in a random order until
the headcount is reached, so the individual contributors left on the
second-to-last level are random ones. Ids are breadth-first (managers before
their reports, siblings adjacent). The number of levels grows like
``log(headcount) / log(span_mean)``.

Informal ties
-------------
Every manager-report tie, then ties drawn in bulk, each from a first person
chosen in proportion to their *activity* (lognormal, log-sd 1.1, capped at 3
log-sds: a heavy tail of connectors with a cutoff) to a second one who is

- a teammate (someone with the same manager), uniformly: 30 % of all ties;
- in the same unit, in proportion to activity;
- in another unit, in proportion to activity;
- a contact of a contact (triadic closure), for 70 % of the ties left after
  the reporting lines and teams: this is what makes the network clustered.

Distinct ties are kept (in draw order) until exact budgets are met:
``n * mean_degree / 2`` ties, of which ``openness * (1 - sum_u p_u**2)`` cross
units. Weights are all 1: tie strength is not modelled, and the kernels count
ties instead of adding weights when every weight is 1. At the defaults
(1e4 to 1e6 people) the average clustering is ~0.30 and the degree has median
14 and 99th percentile ~100, against 0.25-0.4 and a p99/median of ~8 in
company email networks, where about a third of ties stay in a department
(``openness`` ~0.7 with ~20 units).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from sim._rng import make_rng
from sim._validation import check_scalar
from sim.kernels.orggen import (
    EMPTY,
    alias_tables,
    closure_candidates,
    group_candidates,
    insert_ties,
    sort_rows,
    table_adjacency,
)
from sim.networks import Network
from sim.org.core import Org

__all__ = ["generate", "hierarchy", "informal_ties"]

_MAX_PEOPLE = 2**32 - 1  # neighbour ids of the network are uint32

_SPAN_WIDE = 0.24  # weight of the wide-span component
_SPAN_SIGMA = 0.3575  # common log-sd of both components
_SPAN_MAX = 1000  # largest span drawn
_SPAN_RATIO_MAX = 60.0  # m2 / m1 ranges over [1, 60]: bounds span_mean

_UNIT_NAMES = tuple(  # made up, then "Unit 21", "Unit 22", ...
    "Sales|Engineering|Support|Marketing|Finance|Operations|Human Resources|Legal|Product|"
    "Research|IT|Procurement|Customer Success|Logistics|Manufacturing|Quality|Communications|"
    "Facilities|Strategy|Security".split("|")
)


def _latent_cdf(x, core, ratio):
    """P(X <= x) for the two-lognormal mixture, for each value in ``x``."""
    s = _SPAN_SIGMA * math.sqrt(2.0)
    a, b = math.log(core), math.log(core * ratio)
    return [
        (1 - _SPAN_WIDE) * 0.5 * math.erfc((a - math.log(v)) / s)
        + _SPAN_WIDE * 0.5 * math.erfc((b - math.log(v)) / s)
        for v in x
    ]


def _bisect(too_low, lo, hi, steps=60):
    """Where the monotone test ``too_low`` turns from True to False in [lo, hi]."""
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if too_low(mid) else (lo, mid)
    return 0.5 * (lo + hi)


def _span_cdf(median, ratio):
    """CDF of the rounded span (float64 array, ``cdf[k - 1] = P(S <= k)``)."""
    log_core = _bisect(  # the latent median sets m1: P(X <= median) = 1/2
        lambda c: _latent_cdf([median], math.exp(c), ratio)[0] > 0.5,
        math.log(median / ratio) - 8 * _SPAN_SIGMA,
        math.log(median) + 8 * _SPAN_SIGMA,
    )
    return np.array([*_latent_cdf(np.arange(1, _SPAN_MAX) + 0.5, math.exp(log_core), ratio), 1.0])


def _mean_of(cdf):
    return 1.0 + float(np.sum(1.0 - cdf[:-1]))  # E[S] = sum over k >= 1 of P(S >= k)


@lru_cache(maxsize=32)
def _span_mean_range(median):
    lo = _mean_of(_span_cdf(median, 1.0))
    hi = _mean_of(_span_cdf(median, _SPAN_RATIO_MAX))
    return math.ceil(lo * 100) / 100, math.floor(hi * 100) / 100


@lru_cache(maxsize=32)
def _span_law(median, mean):
    """Read-only CDF of the span law with this latent median and exact mean."""

    def too_low(log_ratio):  # the mean grows with m2 / m1
        return _mean_of(_span_cdf(median, math.exp(log_ratio))) < mean

    cdf = _span_cdf(median, math.exp(_bisect(too_low, 0.0, math.log(_SPAN_RATIO_MAX), 50)))
    cdf.flags.writeable = False
    return cdf


def check_hierarchy(headcount, span_median, span_mean, units, owner):
    """A hierarchy's parameters, checked (``owner`` names them in errors): ``(headcount,
    span_median, span_mean, units)``, ``units`` chosen from the headcount when None."""
    headcount = check_scalar(headcount, "headcount", owner, kind=int, low=1, high=_MAX_PEOPLE)
    span_median = check_scalar(span_median, "span_median", owner, low=2.0, high=100.0)
    low, high = _span_mean_range(span_median)
    try:
        span_mean = check_scalar(span_mean, "span_mean", owner, low=low, high=high)
    except ValueError as error:
        raise ValueError(
            f"{error} The range follows from span_median={span_median:g}: spans are "
            f"right-skewed, so their mean lies above their median."
        ) from None
    if units is None:
        units = max(1, min(200, round(math.sqrt(headcount) / 4)))
    else:
        units = check_scalar(units, "units", owner, kind=int, low=1, high=headcount)
    return headcount, span_median, span_mean, units


def _tree(n, cdf, rng):
    """``manager`` (int64) and level bounds: level ``k`` is ids ``bounds[k]:bounds[k + 1]``."""
    manager = np.empty(n, dtype=np.int64)
    manager[0] = -1
    bounds = [0, 1]
    while bounds[-1] < n:
        start, stop = bounds[-2], bounds[-1]
        spans = np.searchsorted(cdf, rng.random(stop - start), side="right") + 1
        order = rng.permutation(stop - start)  # who gets reports first
        spans = spans[order]
        total = np.cumsum(spans)
        need = n - stop
        used = min(int(np.searchsorted(total, need)) + 1, stop - start)
        spans = spans[:used]
        count = min(int(total[used - 1]), need)
        spans[-1] -= int(total[used - 1]) - count  # the last manager may get fewer
        manager[stop : stop + count] = np.repeat(start + order[:used], spans)
        bounds.append(stop + count)
    return manager, np.asarray(bounds, dtype=np.int64)


def _units(manager, bounds, units):
    """Unit codes: ``units`` runs of consecutive subtrees under the top levels."""
    n = manager.shape[0]
    sizes = np.diff(bounds)
    units = min(units, int(sizes.max()))  # each unit heads at least one subtree
    level = int(np.argmax(sizes >= units))  # the shallowest level wide enough
    start, stop = int(bounds[level]), int(bounds[level + 1])
    unit = np.full(n, -1, dtype=np.int32)
    boss = manager[start:stop]
    new_group = np.concatenate(([True], boss[1:] != boss[:-1]))
    groups = int(new_group.sum())
    if groups >= units:  # whole sibling groups per unit
        cut = (np.arange(units) * groups) // units
        unit[start:stop] = np.searchsorted(cut, np.cumsum(new_group) - 1, side="right") - 1
    else:
        unit[start:stop] = (np.arange(stop - start) * units) // (stop - start)
    # Up: a manager joins the unit of their first report that has one.
    for k in range(level - 1, -1, -1):
        ids = np.arange(bounds[k + 1], bounds[k + 2])
        ids = ids[unit[ids] >= 0]
        boss = manager[ids]
        first = np.concatenate(([True], boss[1:] != boss[:-1]))
        unit[boss[first]] = unit[ids[first]]
    # Down: everyone else joins their manager's unit.
    for k in range(1, bounds.shape[0] - 1):
        part = slice(int(bounds[k]), int(bounds[k + 1]))
        unit[part] = np.where(unit[part] < 0, unit[manager[part]], unit[part])
    names = _UNIT_NAMES[:units] + tuple(f"Unit {k}" for k in range(len(_UNIT_NAMES) + 1, units + 1))
    return unit, names


def _hierarchy(headcount, span_median, span_mean, units, rng):
    manager, bounds = _tree(headcount, _span_law(span_median, span_mean), rng)
    unit, names = _units(manager, bounds, units)
    return manager, unit, names


def hierarchy(headcount, *, span_median=5.5, span_mean=10.5, units=None, seed=None):
    """A random reporting hierarchy with realistic spans of control, split into units.

    Parameters
    ----------
    headcount : int
        Number of people, 1 to 2**32 - 1.
    span_median : float, default 5.5
        Median number of direct reports of a manager, in [2, 100].
    span_mean : float, default 10.5
        Mean number of direct reports of a manager, from about 1.07 times
        ``span_median`` up (the error message gives the exact range).
    units : int, optional
        Number of units (departments), at most ``headcount``; default
        ``max(1, min(200, round(sqrt(headcount) / 4)))``. Units are runs of
        consecutive subtrees, cut on the shallowest level with at least
        ``units`` people; above it, a manager is in the unit of their first
        report. Capped at the size of the widest level, so that every unit
        heads a subtree (this only bites for tiny headcounts).
    seed : int, numpy.random.Generator or None
        The run's generator, or a seed for a new one.

    Returns
    -------
    manager : int64 ndarray of shape (headcount,)
        Manager of each person, -1 for the one person at the top (id 0).
    unit : int32 ndarray of shape (headcount,)
        Unit of each person, an index into ``unit_names``; no unit is empty.
    unit_names : tuple of str
        Made-up department names ("Sales", "Engineering", ...), then "Unit 21", ...
    """
    checked = check_hierarchy(headcount, span_median, span_mean, units, "hierarchy")
    return _hierarchy(*checked, make_rng(seed))


_ACTIVITY_SIGMA = 1.1  # log-sd of how much a person seeks out others
_ACTIVITY_CAP = 3.0  # activity stops at exp(3 sigma): the cutoff of the degree tail
_TEAM_SHARE = 0.3  # share of all ties between teammates, besides reporting lines
_CLOSURE_SHARE = 0.7  # share of the other ties closed through a common contact
_BATCH = 1 << 22  # candidate ties drawn at once, at most
(_TEAM, _UNIT, _CROSS, _CLOSURE) = range(4)


def _check_arrays(manager, unit, owner):
    arrays = []
    for name, values in (("manager", manager), ("unit", unit)):
        array = np.asarray(values)
        if array.ndim != 1 or not 1 <= array.size <= _MAX_PEOPLE:
            raise ValueError(
                f"{owner}: {name} must be a 1-D array with one entry per person. Got shape "
                f"{array.shape} instead."
            )
        if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"{owner}: {name} must hold integers. Got dtype {array.dtype} instead.")
        arrays.append(array.astype(np.int64))
    manager, unit = arrays
    n = manager.shape[0]
    if unit.shape[0] != n:
        raise ValueError(f"{owner}: unit has {unit.shape[0]} entries for {n} people.")
    bad = (manager < -1) | (manager >= n) | (manager == np.arange(n))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{owner}: the manager of person {i} is {int(manager[i])}; it must be another "
            f"person's id in 0..{n - 1}, or -1 at the top."
        )
    if unit.min() < 0:
        i = int(np.argmin(unit))
        raise ValueError(f"{owner}: unit codes must be >= 0; person {i} has {int(unit[i])}.")
    if unit.max() >= n:  # only same or different matters: make the codes dense
        unit = np.unique(unit, return_inverse=True)[1]
    return manager, unit.astype(np.int32)


def _groups(members, keys, size):
    """``members`` sorted by ``keys`` (values in 0..size-1) and the group bounds."""
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=size), out=indptr[1:])
    return members[np.argsort(keys, kind="stable")], indptr


def _informal_ties(manager, unit, mean_degree, openness, rng):
    n = manager.shape[0]
    activity = np.exp(_ACTIVITY_SIGMA * np.minimum(rng.standard_normal(n), _ACTIVITY_CAP))
    reports = np.flatnonzero(manager >= 0)
    ties = min(round(n * mean_degree / 2), n * (n - 1) // 4)  # tiny orgs: half the pairs
    ties = min(max(ties, reports.shape[0]), n * (n - 1) // 2)
    table = np.full(1 << max(4, math.ceil(math.log2(ties / 0.6 + 1))), EMPTY)
    got = np.array(insert_ties(table, reports, manager[reports], unit, ties, ties)[:2])
    # The cross-unit share is openness * (1 - sum p_u^2), as far as the
    # reporting lines (always there) allow.
    share = openness * (1.0 - float(np.sum((np.bincount(unit) / n) ** 2)))
    cross = min(max(round(share * ties), int(got[1])), ties - int(got[0]))
    within = ties - cross

    team_order, team_ptr = _groups(reports, manager[reports], n)
    unit_order, unit_ptr = _groups(np.arange(n), unit, int(unit.max()) + 1)
    team_size = np.diff(team_ptr)[np.maximum(manager, 0)] * (manager >= 0)
    unit_size = np.diff(unit_ptr)[unit]
    whole = np.array([0, n], dtype=np.int64)
    everyone = alias_tables(activity, whole)
    # Per kind: the first person's tables, everyone's group, the groups, their tables.
    team = (alias_tables(activity * (team_size > 1), whole), manager, team_ptr, team_order, None)
    same = (alias_tables(activity * (unit_size > 1), whole), unit.astype(np.int64), unit_ptr)
    same += (unit_order, alias_tables(activity[unit_order], unit_ptr))
    anyone = (everyone, np.zeros(n, dtype=np.int64), whole, np.arange(n), everyone)
    kinds = {_TEAM: team, _UNIT: same, _CROSS: anyone}

    def fill(kind, quota_within, quota_cross):  # totals to reach
        quota = np.maximum(np.array([quota_within, quota_cross]) - got, 0)
        rate = 1.0
        for _ in range(200):
            if quota.sum() <= 0:
                break
            m = min(int(quota.sum() / rate * 1.05) + 64, _BATCH)
            src, dst = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
            if kind == _CLOSURE:
                closure_candidates(everyone, *adjacency, *rng.random((3, m)), src, dst)
            else:
                group_candidates(*kinds[kind], *rng.random((2, m)), src, dst)
            added = insert_ties(table, src, dst, unit, quota[0], quota[1])
            got[:] += added[:2]
            quota -= added[:2]
            if added[0] + added[1] == 0:  # saturated: every pair of this kind is taken
                break
            rate = max((added[0] + added[1]) / added[2], 1 / 64)

    rest = 1.0 - _CLOSURE_SHARE
    if team_size.max() > 1:
        fill(_TEAM, min(got[0] + round(_TEAM_SHARE * ties), within), got[1])
    if unit_size.max() > 1:
        fill(_UNIT, got[0] + round(rest * (within - got[0])), got[1])
    fill(_CROSS, got[0], got[1] + round(rest * (cross - got[1])))
    adjacency = table_adjacency(table, n)
    fill(_CLOSURE, within, cross)
    if unit_size.max() > 1:
        fill(_UNIT, within, got[1])  # top-ups, when closures fell short
    fill(_CROSS, got[0], cross)
    # A generator may build the Network itself: rows sorted, no repeats, no self-ties.
    indptr, indices = table_adjacency(table, n)
    sort_rows(indptr, indices)
    return Network(n=n, indptr=indptr, indices=indices, weights=np.ones(indices.shape[0]))


def check_ties(mean_degree, openness, n, owner):
    """Informal ties' parameters for ``n`` people, checked (``owner`` names them in errors):
    ``(mean_degree, openness)``."""
    mean_degree = check_scalar(mean_degree, "mean_degree", owner, low=2.0)
    openness = check_scalar(openness, "openness", owner, low=0.0, high=1.0)
    ties = min(round(n * mean_degree / 2), n * (n - 1) // 4)
    if ties > 2**31:  # the hash set of ties holds at most 2**32 slots
        raise ValueError(
            f"{owner}: {n} people with mean_degree={mean_degree:g} make {ties} ties, more than "
            f"the 2**31 one network build holds; lower the headcount or mean_degree."
        )
    return mean_degree, openness


def informal_ties(manager, unit, *, mean_degree=20.0, openness=0.5, seed=None):
    """The informal network of an organization: dense in teams, sparser across units.

    See the module docstring for the model. Every manager-report tie is in it.

    Parameters
    ----------
    manager : int array-like of shape (n,)
        Manager of each person, -1 at the top (several tops are allowed).
    unit : int array-like of shape (n,)
        Unit code of each person (non-negative).
    mean_degree : float, default 20
        Mean number of distinct ties per person, at least 2; capped at
        ``(n - 1) / 2`` for tiny organizations (but never below the
        reporting lines).
    openness : float in [0, 1], default 0.5
        Share of ties across units, relative to mixing as if units did not
        exist: the cross-unit share is ``openness * (1 - sum_u p_u**2)`` with
        ``p_u`` the share of people in unit ``u``; 0 keeps ties in units
        (silos) but for reporting lines across units near the top. The
        reporting lines stay, so the share cannot exceed ``1 - (reporting
        lines inside units) / ties`` (~0.9 at mean degree 20).
    seed : int, numpy.random.Generator or None
        The run's generator, or a seed for a new one.

    Returns
    -------
    sim.networks.Network
        Undirected, every weight 1.
    """
    manager, unit = _check_arrays(manager, unit, "informal_ties")
    mean_degree, openness = check_ties(mean_degree, openness, unit.shape[0], "informal_ties")
    return _informal_ties(manager, unit, mean_degree, openness, make_rng(seed))


def generate(
    headcount,
    *,
    span_median=5.5,
    span_mean=10.5,
    units=None,
    mean_degree=20.0,
    openness=0.5,
    seed=None,
) -> Org:
    """A synthetic company: hierarchy, units and informal ties.

    Parameters are those of :func:`hierarchy` and :func:`informal_ties`; one
    generator (``seed``) feeds both, hierarchy first.

    Examples
    --------
    >>> org = generate(1000, seed=1)
    >>> org.n, org.top.tolist()
    (1000, [0])
    """
    checked = check_hierarchy(headcount, span_median, span_mean, units, "generate")
    mean_degree, openness = check_ties(mean_degree, openness, checked[0], "generate")
    rng = make_rng(seed)
    manager, unit, names = _hierarchy(*checked, rng)
    network = _informal_ties(manager, unit, mean_degree, openness, rng)
    return Org(manager, unit, names, network)
