"""Kernel of the independent cascade rule."""

import numpy as np
from numba import njit


@njit(cache=True)
def cascade_attempts(indptr, indices, adopted, frontier, u, p, mark):
    """Who the newest adopters convert this week.

    Each node of ``frontier`` (last week's new adopters) gets one chance per
    tie to convert a non-adopting neighbour, succeeding when the tie's uniform
    draw is below ``p``. Draws are laid out frontier node by frontier node, tie
    by tie in CSR order, one per tie whether or not the neighbour has adopted,
    so the layout does not depend on the state.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    adopted : bool ndarray of shape (n,)
        Who had adopted at the end of last week.
    frontier : int64 ndarray of shape (f,)
        Last week's new adopters, sorted.
    u : float64 ndarray of shape (sum of the frontier's degrees,)
        Uniform draws in [0, 1), one per tie of the frontier.
    p : float
        Probability that one attempt succeeds.
    mark : bool ndarray of shape (n,)
        Workspace: all False on entry and again on return.

    Returns
    -------
    int64 ndarray of shape (c,)
        The converted nodes, sorted, each once.
    """
    total = 0
    for f in frontier:
        total += indptr[f + 1] - indptr[f]
    out = np.empty(total, dtype=np.int64)
    count = 0
    pos = 0
    for f in frontier:
        for t in range(indptr[f], indptr[f + 1]):
            j = indices[t]
            if u[pos] < p and not adopted[j] and not mark[j]:
                mark[j] = True
                out[count] = j
                count += 1
            pos += 1
    for k in range(count):
        mark[out[k]] = False
    found = out[:count].copy()
    found.sort()
    return found
