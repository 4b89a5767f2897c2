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
        The non-adopters whose count changed, sorted: the only people whose
        neighbourhood changed this week.
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
    # Sorted ids keep later per-person reads sequential, which matters once the
    # arrays outgrow the cache: sort a short list, sweep the stamps for a long one.
    n = adopted.shape[0]
    if found * 16 <= n:
        out = touched[:found].copy()
        out.sort()
        return out
    out = np.empty(found, dtype=np.int64)
    k = 0
    for i in range(n):
        if stamp[i] == week and not adopted[i]:
            out[k] = i
            k += 1
    return out


@njit(cache=True)
def threshold_decide_counts(counts, strength, theta, absolute, candidates, out):
    """Threshold decision from adopted-neighbour counts (unit weights).

    A candidate ``i`` adopts when ``counts[i] / strength[i] >= theta[i]`` (a
    node without ties never adopts by share) or, with ``absolute``, when
    ``counts[i] >= theta[i]``.

    Parameters
    ----------
    counts : int32 ndarray of shape (n,)
        Adopted neighbours of each node at the end of last week.
    strength : float64 ndarray of shape (n,)
        Degree of each node (the weighted degree, with unit weights).
    theta : float64 ndarray of shape (n,)
        Threshold of each node: a share in [0, 1], or a count when ``absolute``.
    absolute : bool
        Compare counts instead of shares.
    candidates : int64 ndarray of shape (c,)
        Non-adopters to decide for.
    out : bool ndarray of shape (c,)
        Written: whether ``candidates[k]`` adopts this week.
    """
    for k in range(candidates.shape[0]):
        i = candidates[k]
        if absolute:
            out[k] = counts[i] >= theta[i]
        else:
            out[k] = strength[i] > 0.0 and counts[i] / strength[i] >= theta[i]


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
