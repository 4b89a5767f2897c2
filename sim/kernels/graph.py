"""Kernels that build and query compressed sparse row (CSR) networks.

Everything here takes and returns plain numpy arrays. Index arrays are ``int64``
for row pointers and ``uint32`` for neighbour ids: unsigned 32-bit ids halve the
memory of a tie and spare Numba the wrap-around check of signed indexing, which
measured 1.5–2.7× faster on these machines (``shared/PERFORMANCE.md``).
"""

import numpy as np
from numba import njit

MERGE_SUM = 0
MERGE_MAX = 1

# Rows shorter than this are sorted by insertion sort in place; longer ones use
# numpy's argsort. Insertion sort wins on the short rows of organizational
# networks and needs no allocation per row.
_INSERTION_SORT_MAX = 48


@njit(cache=True)
def _sort_row(indices, weights, start, stop):
    length = stop - start
    if length <= _INSERTION_SORT_MAX:
        for a in range(start + 1, stop):
            key = indices[a]
            w = weights[a]
            b = a - 1
            while b >= start and indices[b] > key:
                indices[b + 1] = indices[b]
                weights[b + 1] = weights[b]
                b -= 1
            indices[b + 1] = key
            weights[b + 1] = w
    else:
        order = np.argsort(indices[start:stop], kind="mergesort")
        row_i = indices[start:stop][order]
        row_w = weights[start:stop][order]
        indices[start:stop] = row_i
        weights[start:stop] = row_w


@njit(cache=True)
def build_csr(src, dst, weights, n, merge):
    """Symmetric CSR arrays from an undirected edge list.

    Each edge ``(src[e], dst[e])`` becomes two directed entries. Rows are sorted
    by neighbour id and duplicate ties merged.

    Parameters
    ----------
    src, dst : int64 ndarray of shape (m,)
        End points, already checked to lie in ``0..n-1`` and to differ.
    weights : float64 ndarray of shape (m,) or (0,)
        Tie weights; an empty array means every weight is 1.
    n : int
        Number of nodes.
    merge : int
        ``MERGE_SUM`` adds the weights of duplicate ties, ``MERGE_MAX`` keeps
        the largest.

    Returns
    -------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    out_weights : float64 ndarray of shape (nnz,)
    """
    m = src.shape[0]
    unit = weights.shape[0] == 0
    counts = np.zeros(n + 1, dtype=np.int64)
    for e in range(m):
        counts[src[e] + 1] += 1
        counts[dst[e] + 1] += 1
    for i in range(n):
        counts[i + 1] += counts[i]
    fill = counts[:-1].copy()
    indices = np.empty(2 * m, dtype=np.uint32)
    w_all = np.empty(2 * m, dtype=np.float64)
    for e in range(m):
        a = src[e]
        b = dst[e]
        w = 1.0 if unit else weights[e]
        indices[fill[a]] = b
        w_all[fill[a]] = w
        fill[a] += 1
        indices[fill[b]] = a
        w_all[fill[b]] = w
        fill[b] += 1

    # Sort each row, then merge duplicates in place, compacting as we go.
    indptr = np.zeros(n + 1, dtype=np.int64)
    write = 0
    for i in range(n):
        start = counts[i]
        stop = counts[i + 1]
        _sort_row(indices, w_all, start, stop)
        last = -1
        for t in range(start, stop):
            j = np.int64(indices[t])
            if j == last:
                if merge == MERGE_SUM:
                    w_all[write - 1] += w_all[t]
                elif w_all[t] > w_all[write - 1]:
                    w_all[write - 1] = w_all[t]
            else:
                indices[write] = indices[t]
                w_all[write] = w_all[t]
                write += 1
                last = j
        indptr[i + 1] = write
    return indptr, indices[:write].copy(), w_all[:write].copy()


@njit(cache=True)
def row_sums(indptr, weights):
    """Weighted degree (strength) of every node.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    weights : float64 ndarray of shape (nnz,)

    Returns
    -------
    float64 ndarray of shape (n,)
    """
    n = indptr.shape[0] - 1
    out = np.zeros(n, dtype=np.float64)
    for i in range(n):
        s = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            s += weights[t]
        out[i] = s
    return out
