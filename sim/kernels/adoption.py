"""Kernels of the neighbourhood adoption rules: threshold and Bass.

The engine keeps, for every person, the number of their neighbours who have
adopted (``counts``), updated by :func:`apply_adoptions` from each week's new
adopters only. Over a whole run that visits every tie at most once, and it
tells exactly who needs a new decision: the non-adopters whose count changed
(:func:`apply_adoptions` also records the week's adopters).

Decision kernels are pure: they read the network, last week's state and
per-person parameters, and write one decision per candidate into ``out``.
Nothing else is written, so the update is synchronous and does not depend on
the order, or the number of threads, in which candidates are visited. Random
numbers, where a rule needs them, come in as an array ``u`` drawn beforehand
from the run's generator.

When a week's new adopters have more ties than a fresh count would visit
(at the height of a cascade), the state skips the push and recounts the
non-adopters instead, in parallel (:func:`count_adopted_neighbours`).

With unit weights (the usual case) a share is ``counts[i] / degree[i]`` and no
tie is visited at all. With other weights the share is summed over the ties,
in CSR order, by ``*_decide`` (parallel) or ``*_decide_serial`` (one thread,
for small weeks: see ``_config.PARALLEL_MIN_TIES``).
"""

import numpy as np
from numba import njit, prange

from sim.kernels._config import IN_CACHE_PEOPLE


@njit(cache=True, parallel=True)
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


@njit(cache=True)
def count_adopted_neighbours_serial(indptr, indices, adopted, nodes, counts):
    """:func:`count_adopted_neighbours` on one thread."""
    for k in range(nodes.shape[0]):
        i = nodes[k]
        c = 0
        for t in range(indptr[i], indptr[i + 1]):
            if adopted[indices[t]]:
                c += 1
        counts[i] = c


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
def add_to_counts(indptr, indices, nodes, counts):
    """Add ``nodes``, new adopters, to their neighbours' counts (in place).

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    nodes : int64 ndarray of shape (k,)
        Distinct ids.
    counts : int32 ndarray of shape (n,)
        Updated: number of adopted neighbours of each node.
    """
    for f in nodes:
        for t in range(indptr[f], indptr[f + 1]):
            counts[indices[t]] += 1


#: A level no count reaches: people who can never adopt by count.
NEVER = np.iinfo(np.int32).max


@njit(cache=True)
def threshold_levels(strength, theta, absolute):
    """The number of adopted neighbours each person needs to adopt (unit weights).

    For a share threshold this is the least count ``c`` with
    ``c / strength[i] >= theta[i]``, found with exactly that float expression
    so that comparing counts with levels decides exactly as comparing shares
    with thresholds. For an absolute threshold it is ``ceil(theta[i])``.

    Parameters
    ----------
    strength : float64 ndarray of shape (n,)
        Degree of each node (its weighted degree, with unit weights).
    theta : float64 ndarray of shape (n,)
        A share in [0, 1], or a count when ``absolute``.
    absolute : bool
        Thresholds are counts of adopted neighbours.

    Returns
    -------
    int32 ndarray of shape (n,)
        The level of each node; ``NEVER`` where no count suffices (no ties, or
        a threshold above what the ties can give).
    """
    n = theta.shape[0]
    level = np.empty(n, dtype=np.int32)
    for i in range(n):
        if absolute:
            need = np.ceil(theta[i])
            level[i] = NEVER if need >= NEVER else np.int32(need)
            continue
        degree = strength[i]
        if degree <= 0.0:
            level[i] = NEVER
            continue
        c = min(max(np.ceil(theta[i] * degree), 0.0), degree)
        while c > 0.0 and (c - 1.0) / degree >= theta[i]:
            c -= 1.0
        while c <= degree and not c / degree >= theta[i]:
            c += 1.0
        level[i] = NEVER if c > degree else np.int32(c)
    return level


@njit(cache=True)
def reaching_level(counts, level, candidates):
    """The candidates whose count has reached their level, in candidate order.

    Parameters
    ----------
    counts : int32 ndarray of shape (n,)
    level : int32 ndarray of shape (n,)
    candidates : int64 ndarray of shape (c,)

    Returns
    -------
    int64 ndarray of shape (r,)
    """
    out = np.empty(candidates.shape[0], dtype=np.int64)
    found = 0
    for k in range(candidates.shape[0]):
        i = candidates[k]
        if counts[i] >= level[i]:
            out[found] = i
            found += 1
    return out[:found].copy()


@njit(cache=True)
def apply_adoptions_to_level(
    indptr, indices, new_adopters, week, adopted, adopted_at, counts, level, stamp
):
    """:func:`apply_adoptions` for threshold rules: report who reached their level.

    Counts only grow, so a non-adopter whose count reaches ``level`` in this
    push is exactly someone who adopts next week, and nobody else is.

    Parameters
    ----------
    indptr, indices, new_adopters, week, adopted, adopted_at, counts
        As in :func:`apply_adoptions`.
    level : int32 ndarray of shape (n,)
        From :func:`threshold_levels`.
    stamp : int32 ndarray of shape (n,)
        As in :func:`apply_adoptions`.

    Returns
    -------
    int64 ndarray of shape (r,)
        The non-adopters whose count reached their level, each once (sorted on
        large networks).
    """
    total = 0
    for f in new_adopters:
        adopted[f] = True
        adopted_at[f] = week
        total += indptr[f + 1] - indptr[f]
    reached = np.empty(total, dtype=np.int64)
    found = 0
    for f in new_adopters:
        for t in range(indptr[f], indptr[f + 1]):
            j = indices[t]
            counts[j] += 1
            # True once per person at most: a well-predicted branch.
            if counts[j] == level[j] and not adopted[j]:
                stamp[j] = week
                reached[found] = j
                found += 1
    return _in_order(reached[:found], stamp, week)


@njit(cache=True, parallel=True)
def threshold_decide(indptr, indices, weights, strength, adopted, theta, candidates, out):
    """Threshold decision by weighted share, summing each candidate's ties.

    A candidate ``i`` adopts when ``sum(w_ij * adopted_j) / strength_i`` is at
    least ``theta[i]``; a node without ties never adopts by share.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    weights : float64 ndarray of shape (nnz,)
    strength : float64 ndarray of shape (n,)
        Weighted degree of each node (row sums of ``weights``).
    adopted : bool ndarray of shape (n,)
        Who had adopted at the end of last week.
    theta : float64 ndarray of shape (n,)
        Threshold share of each node, in [0, 1].
    candidates : int64 ndarray of shape (c,)
        Non-adopters to decide for.
    out : bool ndarray of shape (c,)
        Written: whether ``candidates[k]`` adopts this week.
    """
    for k in prange(candidates.shape[0]):
        i = candidates[k]
        weight = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            if adopted[indices[t]]:
                weight += weights[t]
        out[k] = strength[i] > 0.0 and weight / strength[i] >= theta[i]


@njit(cache=True)
def threshold_decide_serial(indptr, indices, weights, strength, adopted, theta, candidates, out):
    """:func:`threshold_decide` on one thread."""
    for k in range(candidates.shape[0]):
        i = candidates[k]
        weight = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            if adopted[indices[t]]:
                weight += weights[t]
        out[k] = strength[i] > 0.0 and weight / strength[i] >= theta[i]


@njit(cache=True)
def bass_decide_counts(counts, strength, p, q, candidates, u, out):
    """Bass decision from adopted-neighbour counts (unit weights).

    A candidate ``i`` adopts when ``u[k] < p + q * share_i`` with
    ``share_i = counts[i] / strength[i]`` (0 for a node without ties).

    Parameters
    ----------
    counts : int32 ndarray of shape (n,)
    strength : float64 ndarray of shape (n,)
    p : float
        Innovation (external influence) hazard per week.
    q : float
        Imitation coefficient: hazard added per unit of adopted share.
    candidates : int64 ndarray of shape (c,)
        Non-adopters to decide for.
    u : float64 ndarray of shape (c,)
        Uniform draws in [0, 1), one per candidate.
    out : bool ndarray of shape (c,)
        Written: whether ``candidates[k]`` adopts this week.
    """
    for k in range(candidates.shape[0]):
        i = candidates[k]
        share = counts[i] / strength[i] if strength[i] > 0.0 else 0.0
        out[k] = u[k] < p + q * share


@njit(cache=True, parallel=True)
def bass_decide(indptr, indices, weights, strength, adopted, p, q, candidates, u, out):
    """Bass decision by weighted share, summing each candidate's ties.

    As :func:`bass_decide_counts`, with ``share_i`` the weighted share of the
    ties of ``i`` to adopters, summed in CSR order.

    Parameters
    ----------
    indptr, indices, weights, strength, adopted
        As in :func:`threshold_decide`.
    p, q, candidates, u, out
        As in :func:`bass_decide_counts`.
    """
    for k in prange(candidates.shape[0]):
        i = candidates[k]
        share = 0.0
        if strength[i] > 0.0:
            weight = 0.0
            for t in range(indptr[i], indptr[i + 1]):
                if adopted[indices[t]]:
                    weight += weights[t]
            share = weight / strength[i]
        out[k] = u[k] < p + q * share


@njit(cache=True)
def bass_decide_serial(indptr, indices, weights, strength, adopted, p, q, candidates, u, out):
    """:func:`bass_decide` on one thread."""
    for k in range(candidates.shape[0]):
        i = candidates[k]
        share = 0.0
        if strength[i] > 0.0:
            weight = 0.0
            for t in range(indptr[i], indptr[i + 1]):
                if adopted[indices[t]]:
                    weight += weights[t]
            share = weight / strength[i]
        out[k] = u[k] < p + q * share


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
