"""Kernels of the neighbourhood adoption rules: threshold and Bass.

Every kernel is a pure function over arrays: it reads the network, who has
adopted (``adopted``, the previous week's state) and per-node parameters, and
writes one decision per candidate into ``out``. Nothing else is written, so the
update is synchronous and independent of the order (and the number of threads)
in which candidates are visited. Random numbers, where a rule needs them, come
in as an array ``u`` drawn beforehand from the run's generator.

Candidates are the people whose decision may change this week (see
:func:`undecided_neighbours`); the kernels never touch anybody else, which is
what makes a week's work proportional to what changed.
"""

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _adopted_ties(indptr, indices, weights, adopted, i):
    """Weight and count of the ties of ``i`` to adopters, summed in CSR order."""
    weight = 0.0
    count = 0
    for t in range(indptr[i], indptr[i + 1]):
        if adopted[indices[t]]:
            weight += weights[t]
            count += 1
    return weight, count


@njit(cache=True, parallel=True)
def threshold_decide(indptr, indices, weights, strength, adopted, theta, absolute, candidates, out):
    """Granovetter/Watts threshold decision for each candidate.

    A candidate ``i`` adopts when the weighted share of its ties to adopters,
    ``sum(w_ij * adopted_j) / strength_i``, is at least ``theta[i]`` or, with
    ``absolute``, when the number of its adopted neighbours is at least
    ``theta[i]``. A node without ties has no share and never adopts by share.

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
        Threshold of each node: a share in [0, 1], or a count when ``absolute``.
    absolute : bool
        Compare counts of adopted neighbours instead of weighted shares.
    candidates : int64 ndarray of shape (c,)
        Non-adopters to decide for.
    out : bool ndarray of shape (c,)
        Written: whether ``candidates[k]`` adopts this week.
    """
    for k in prange(candidates.shape[0]):
        i = candidates[k]
        weight, count = _adopted_ties(indptr, indices, weights, adopted, i)
        if absolute:
            out[k] = count >= theta[i]
        else:
            out[k] = strength[i] > 0.0 and weight / strength[i] >= theta[i]


@njit(cache=True, parallel=True)
def bass_decide(indptr, indices, weights, strength, adopted, p, q, candidates, u, out):
    """Bass decision on a network for each candidate.

    A candidate ``i`` adopts this week with probability
    ``min(1, p + q * share_i)``, where ``share_i`` is the weighted share of its
    ties to adopters (0 for a node without ties): it adopts when ``u[k]`` is
    below that hazard.

    Parameters
    ----------
    indptr, indices, weights, strength, adopted
        As in :func:`threshold_decide`.
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
    for k in prange(candidates.shape[0]):
        i = candidates[k]
        share = 0.0
        if strength[i] > 0.0:
            weight, _ = _adopted_ties(indptr, indices, weights, adopted, i)
            share = weight / strength[i]
        out[k] = u[k] < p + q * share


@njit(cache=True)
def undecided_neighbours(indptr, indices, adopted, frontier, mark):
    """Non-adopters tied to at least one node of ``frontier``, sorted.

    These are the only people whose neighbourhood changed when ``frontier``
    adopted, hence the only ones whose deterministic decision can change.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    adopted : bool ndarray of shape (n,)
    frontier : int64 ndarray of shape (f,)
        Nodes that adopted last week.
    mark : bool ndarray of shape (n,)
        Workspace: all False on entry and again on return.

    Returns
    -------
    int64 ndarray of shape (c,)
        Sorted ids, each once.
    """
    total = 0
    for f in frontier:
        total += indptr[f + 1] - indptr[f]
    out = np.empty(total, dtype=np.int64)
    count = 0
    for f in frontier:
        for t in range(indptr[f], indptr[f + 1]):
            j = indices[t]
            if not adopted[j] and not mark[j]:
                mark[j] = True
                out[count] = j
                count += 1
    for k in range(count):
        mark[out[k]] = False
    found = out[:count].copy()
    found.sort()
    return found


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
