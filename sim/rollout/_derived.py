"""Arrays derived from an org alone, computed once per org and shared by every replication.

A plan needs orders and masks that depend on the org only (units ranked for a pilot, people
ranked by ties, the managers, each level's message delay); a sweep plans hundreds of
replications on one org, so they are worked out on first use and kept while the org lives
(here, not on the frozen :class:`~sim.org.Org`, so the rollout need not import the org's
loaders). They are read-only: plans hand them on, nobody writes them.
"""

from __future__ import annotations

import weakref

import numpy as np

_CACHE = weakref.WeakKeyDictionary()  # org -> {key: value}


def _freeze(value):
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, tuple):
        for part in value:
            _freeze(part)
    return value


def derived(org, key, make):
    """``make()``, computed once per ``org`` and hashable ``key`` (arrays made read-only)."""
    table = _CACHE.get(org)
    if table is None:
        table = _CACHE[org] = {}
    try:
        return table[key]
    except KeyError:
        value = table[key] = _freeze(make())
        return value


def ids(org) -> np.ndarray:
    """``arange(n)``, int64."""
    return derived(org, "ids", lambda: np.arange(org.n))


def is_manager(org) -> np.ndarray:
    """Who has direct reports, bool (n,)."""
    return derived(org, "is_manager", lambda: org.span > 0)


def degree(org) -> np.ndarray:
    """Informal tie ends per person, int64 (n,)."""
    return derived(org, "degree", lambda: np.diff(org.network.indptr))


def above(org, levels) -> np.ndarray:
    """Who is in the top ``levels`` levels, bool (n,)."""
    return derived(org, ("above", levels), lambda: org.level < levels)


def managers_first(org) -> np.ndarray:
    """Everyone, managers first, each group top level first; ties to the lower id."""
    return derived(org, "managers first", lambda: np.lexsort((ids(org), org.level, org.span == 0)))


def connected_first(org) -> np.ndarray:
    """Everyone, most informal ties first; ties to the lower id."""
    return derived(org, "connected first", lambda: np.lexsort((ids(org), -degree(org))))
