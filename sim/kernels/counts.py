"""Kernels that keep a run's adoption bookkeeping: counts of adopted neighbours.

The engine keeps, for every person, the number of their neighbours who have
adopted, updated by :func:`apply_adoptions` from each week's new adopters
only. Over a whole run that visits every tie at most once, and it tells
exactly who needs a new decision: the non-adopters whose count changed. When a
week's new adopters have more ties than a fresh count would read (at the
height of a cascade), the state skips the push and recounts the non-adopters
instead, in parallel (:func:`count_adopted_neighbours`).
"""

import numpy as np
from numba import njit, prange

from sim.kernels._config import IN_CACHE_PEOPLE
from sim.kernels._twins import twins


def count_adopted_neighbours(indptr, indices, adopted, nodes, counts):
    """Number of adopted neighbours of each of ``nodes``.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    adopted : bool ndarray of shape (n,)
    nodes : int64 ndarray of shape (k,)
        Distinct node ids.
    counts : int32 ndarray of shape (n,)
        Written at ``nodes``: the number of ties of each to adopters.
    """
    for k in prange(nodes.shape[0]):
        i = nodes[k]
        c = 0
        for t in range(indptr[i], indptr[i + 1]):
            if adopted[indices[t]]:
                c += 1
        counts[i] = c


count_adopted_neighbours, count_adopted_neighbours_serial = twins(count_adopted_neighbours)


@njit(cache=True)
def _in_order(found_ids, stamp, week):
    """``found_ids`` (each stamped ``week``) in an order cheap to visit next.

    Sorted ids make the next pass over them read memory in order, which
    matters once the arrays outgrow the cache.
    """
    n = stamp.shape[0]
    found = found_ids.shape[0]
    if n <= IN_CACHE_PEOPLE:
        # The arrays stay in cache: order does not matter.
        return found_ids.copy()
    if found * 16 <= n:
        out = found_ids.copy()
        out.sort()
        return out
    # Many: sweep the stamps, which is linear in n and needs no sort.
    out = np.empty(found, dtype=np.int64)
    k = 0
    for i in range(n):
        if stamp[i] == week and k < found:
            out[k] = i
            k += 1
    return out


@njit(cache=True)
def apply_adoptions(indptr, indices, new_adopters, week, adopted, adopted_at, counts, stamp):
    """Record this week's new adopters and add them to their neighbours' counts.

    The one kernel that updates the run's state, in place, once all of the
    week's decisions are made (which keeps the update synchronous).

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    new_adopters : int64 ndarray of shape (f,)
        Who adopted this week, each once, none of them adopted before.
    week : int
        This week's number, >= 1 and larger than in any earlier call.
    adopted : bool ndarray of shape (n,)
        Updated: ``new_adopters`` set to True.
    adopted_at : int32 ndarray of shape (n,)
        Updated: ``week`` for ``new_adopters``.
    counts : int32 ndarray of shape (n,)
        Updated: number of adopted neighbours of each node.
    stamp : int32 ndarray of shape (n,)
        Workspace: the last week each node was reached (values < ``week`` on
        entry).

    Returns
    -------
    int64 ndarray of shape (c,)
        The non-adopters whose count changed, each once (sorted on large
        networks): the only people whose neighbourhood changed this week.
    """
    total = 0
    for f in new_adopters:
        adopted[f] = True
        adopted_at[f] = week
        total += indptr[f + 1] - indptr[f]
    touched = np.empty(total, dtype=np.int64)
    found = 0
    for f in new_adopters:
        for t in range(indptr[f], indptr[f + 1]):
            j = indices[t]
            counts[j] += 1
            # A week stamp instead of a boolean mark: nothing to clear afterwards.
            if stamp[j] != week and not adopted[j]:
                stamp[j] = week
                touched[found] = j
                found += 1
    return _in_order(touched[:found], stamp, week)


@njit(cache=True)
def tie_count(indptr, nodes):
    """Total number of ties (CSR entries) of ``nodes``.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    nodes : int64 ndarray of shape (k,)

    Returns
    -------
    int
    """
    total = 0
    for i in nodes:
        total += indptr[i + 1] - indptr[i]
    return total
