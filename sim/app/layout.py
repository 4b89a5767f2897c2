"""Where the org chart and the informal network place a company's people.

Computed once per company (kept while the org lives): a week redraws colours only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["layout", "network_layout", "teams"]


def _per_org(cache, org, make):
    """``make(org)``, computed once per org (kept while the org lives, at most 16)."""
    import weakref

    held = cache.get(id(org))
    if held is not None and held[0]() is org:
        return held[1]
    value = make(org)
    if len(cache) >= 16:
        cache.pop(next(iter(cache)))
    cache[id(org)] = (weakref.ref(org), value)
    return value


def _layout(org, per_row=60):
    manager = np.asarray(org.manager, dtype=np.int64)
    level = np.asarray(org.level, dtype=np.int64)
    unit = np.asarray(org.unit, dtype=np.int64)
    n = manager.shape[0]
    reports = [[] for _ in range(n)]
    roots = []
    for i in range(n):
        (roots if manager[i] < 0 else reports[manager[i]]).append(i)
    # Depth-first order: a manager's team sits under them, units side by side.
    order, stack = [], list(reversed(roots))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(sorted(reports[i], key=lambda j: (unit[j], j), reverse=True))
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(order)] = np.arange(n)
    x, y = np.empty(n), level.astype(float)
    for lv in np.unique(level):
        members = np.flatnonzero(level == lv)
        members = members[np.argsort(rank[members], kind="stable")]
        # A crowded level wraps onto sub-rows: at most ``per_row`` people a row, so that
        # each stays large enough to see from the back of a room.
        rows = -(-members.shape[0] // per_row)
        across = -(-members.shape[0] // rows)
        k = np.arange(members.shape[0])
        x[members] = ((k % across) + 0.5) / across
        y[members] = lv + 0.8 * (k // across) / rows
    return x, y


_LAYOUTS: dict = {}


def layout(org):
    """``(x, y)`` of every person: x in (0, 1) along the chart, y the level (0 the top)."""
    return _per_org(_LAYOUTS, org, _layout)


_NETWORK_LAYOUTS: dict = {}


def network_layout(org):
    """``(x, y, ties)`` for the informal network: a force layout (computed once per
    company) and at most 4,000 ties to draw, as pairs of people."""
    return _per_org(_NETWORK_LAYOUTS, org, _network_layout)


def _network_layout(org, max_ties=4000, seed=1):
    import networkx as nx

    graph = org.network.to_scipy()
    rng = np.random.default_rng(seed)
    # Start from the units on a circle, so that a few force iterations settle it: most
    # ties stay inside units, and the ones across pull units together.
    units = np.asarray(org.unit)
    angle = 2 * np.pi * units / max(int(units.max()) + 1, 1)
    start = np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.normal(0, 0.15, (org.n, 2))
    positions = nx.spring_layout(nx.from_scipy_sparse_array(graph), iterations=12,
                                 pos=dict(enumerate(start)), seed=seed)  # fmt: skip
    xy = np.array([positions[i] for i in range(org.n)])
    rows, cols = graph.nonzero()
    upper = rows < cols
    pairs = np.stack([rows[upper], cols[upper]], axis=1)
    if pairs.shape[0] > max_ties:
        pairs = pairs[rng.choice(pairs.shape[0], max_ties, replace=False)]
    return xy[:, 0], xy[:, 1], pairs


_TEAMS: dict = {}


def teams(org):
    """``team`` index of every person (their manager's; the top alone) and the teams' count.

    A team is a manager's direct reports (docs/model.md); drawn by team, a chart shows
    each team as one block, when its people are too many to see one by one.
    """
    return _per_org(_TEAMS, org, _teams)


def _teams(org):
    manager = np.asarray(org.manager, dtype=np.int64)
    key = np.where(manager < 0, -1 - np.arange(manager.shape[0]), manager)
    _, team = np.unique(key, return_inverse=True)
    return team, int(team.max()) + 1
