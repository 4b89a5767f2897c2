"""Kernels of the threshold rule (Granovetter, Watts).

With unit weights, or counting neighbours (``absolute``), a person adopts once
the number of their adopted neighbours reaches a *level* computed once per run
(:func:`threshold_levels`). The state then tracks, per person, how many more
adopted neighbours they need (``remaining``); a push that brings it to zero is
exactly an adoption next week, so a week of the rule is one pass over the ties
of the week's new adopters (:func:`apply_adoptions_to_level`). With other
weights, shares are summed over each candidate's ties in CSR order
(:func:`threshold_decide`, or ``_serial`` on one thread for small weeks).

Decision kernels read last week's state and write only their outputs, so the
update is synchronous and independent of order and thread count.
"""

import numpy as np
from numba import njit, prange

from sim.kernels._twins import twins
from sim.kernels.counts import _in_order

#: A level no count reaches: people who can never adopt by count.
NEVER = 2**31 - 1  # np.iinfo(np.int32).max, as a plain int: a compile-time constant


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


#: ``remaining`` of people who have adopted: no number of decrements by one
#: (at most their degree) brings it to zero.
ADOPTED = 1 << 30


@njit(cache=True)
def at_level(remaining, nodes):
    """The ``nodes`` that need no more adopted neighbours, in the given order.

    Parameters
    ----------
    remaining : int32 ndarray of shape (n,)
    nodes : int64 ndarray of shape (k,)

    Returns
    -------
    int64 ndarray of shape (r,)
    """
    out = np.empty(nodes.shape[0], dtype=np.int64)
    found = 0
    for k in range(nodes.shape[0]):
        if remaining[nodes[k]] <= 0:
            out[found] = nodes[k]
            found += 1
    return out[:found].copy()


@njit(cache=True)
def apply_adoptions_to_level(
    indptr, indices, new_adopters, week, adopted, adopted_at, remaining, stamp
):
    """Record this week's new adopters and find who they bring to their level.

    The state-updating kernel of the threshold rule, run once the week's
    decisions are made. Every tie of a new adopter lowers its neighbour's
    ``remaining`` by one; a non-adopter reaching exactly zero is someone who
    adopts next week, and nobody else is (``remaining`` of non-adopters is
    positive between weeks).

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    new_adopters : int64 ndarray of shape (f,)
        Who adopted this week, each once, none of them adopted before.
    week : int
        This week's number, larger than in any earlier call.
    adopted : bool ndarray of shape (n,)
        Updated: ``new_adopters`` set to True.
    adopted_at : int32 ndarray of shape (n,)
        Updated: ``week`` for ``new_adopters``.
    remaining : int32 ndarray of shape (n,)
        Updated: adopted neighbours still needed; ``ADOPTED`` for adopters.
    stamp : int32 ndarray of shape (n,)
        Workspace: the last week each node was reached (values < ``week``).

    Returns
    -------
    int64 ndarray of shape (r,)
        Who adopts next week, each once (sorted on large networks).
    """
    total = 0
    for f in new_adopters:
        adopted[f] = True
        adopted_at[f] = week
        remaining[f] = ADOPTED
        total += indptr[f + 1] - indptr[f]
    reached = np.empty(total, dtype=np.int64)
    found = 0
    for f in new_adopters:
        for t in range(indptr[f], indptr[f + 1]):
            j = indices[t]
            r = remaining[j] - 1
            remaining[j] = r
            # True once per person at most: a well-predicted branch.
            if r == 0:
                stamp[j] = week
                reached[found] = j
                found += 1
    return _in_order(reached[:found], stamp, week)


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


threshold_decide, threshold_decide_serial = twins(threshold_decide)
