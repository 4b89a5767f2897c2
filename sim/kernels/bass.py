"""Kernels of the Bass rule on a network.

A candidate adopts when its uniform draw ``u`` falls below the weekly hazard
``p + q * share``. With unit weights the share is the count of adopted
neighbours over the degree (:func:`bass_decide_counts`); with other weights it
is summed over the candidate's ties in CSR order (:func:`bass_decide`, or
``_serial`` on one thread for small weeks). Decisions are written to ``out``
only: synchronous, and independent of order and thread count.
"""

from numba import njit, prange

from sim.kernels._twins import twins


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


bass_decide, bass_decide_serial = twins(bass_decide)
