"""Kernels that build a synthetic organization's informal network.

Pure functions over plain arrays; none draws a random number. The caller
(:mod:`sim.org.generate`) draws the uniforms with the run's generator and
passes in the candidate ties they select.

Distinct ties are kept in an open-addressing hash set: a power-of-two
``uint64`` array, ``EMPTY`` where free, holding the key ``lo << 32 | hi`` of
each tie ``(lo, hi)``, ``lo < hi < 2**32 - 1``, so ``EMPTY`` is never a key.
Inserting 1e7 candidates costs ~0.4 s, against ~0.7 s to sort as many keys,
and keeps the draw order: the first copy of a tie wins.
"""

import numpy as np
from numba import njit

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_LOW = np.uint64(0xFFFFFFFF)
# Two rounds of 32-bit Fibonacci hashing (odd multipliers near 2**32 / golden
# ratio): products of 32-bit numbers never overflow 64 bits, so the kernels
# also run warning-free as plain Python (NUMBA_DISABLE_JIT=1).
_MIX_HI = np.uint64(0x9E3779B1)
_MIX = np.uint64(0x85EBCA77)


@njit(cache=True)
def alias_tables(weights, indptr):
    """Walker alias tables (Vose's construction) for sampling within segments.

    To draw from segment ``g`` with probability proportional to ``weights``:
    pick a position ``t`` uniformly in ``indptr[g]:indptr[g + 1]``, keep it
    with probability ``prob[t]``, else take ``alias[t]``.

    Parameters
    ----------
    weights : float64 ndarray of shape (m,)
        Non-negative weights, grouped by segment.
    indptr : int64 ndarray of shape (k + 1,)
        Segment ``g`` is ``indptr[g]:indptr[g + 1]``.

    Returns
    -------
    prob : float64 ndarray of shape (m,)
    alias : int64 ndarray of shape (m,)
        Absolute positions, always inside the entry's own segment. A segment
        whose weights sum to 0 is sampled uniformly.
    """
    m = weights.shape[0]
    prob = np.ones(m)
    alias = np.arange(m)
    scaled = np.empty(m)
    small = np.empty(m, dtype=np.int64)
    large = np.empty(m, dtype=np.int64)
    for g in range(indptr.shape[0] - 1):
        start = indptr[g]
        stop = indptr[g + 1]
        total = 0.0
        for t in range(start, stop):
            total += weights[t]
        if total <= 0.0:
            continue
        n_small = 0
        n_large = 0
        for t in range(start, stop):
            scaled[t] = weights[t] * (stop - start) / total
            if scaled[t] < 1.0:
                small[n_small] = t
                n_small += 1
            else:
                large[n_large] = t
                n_large += 1
        while n_small > 0 and n_large > 0:
            n_small -= 1
            s = small[n_small]
            big = large[n_large - 1]
            prob[s] = scaled[s]
            alias[s] = big
            scaled[big] = (scaled[big] + scaled[s]) - 1.0
            if scaled[big] < 1.0:
                n_large -= 1
                small[n_small] = big
                n_small += 1
        # Whatever is left is 1 up to rounding: it keeps prob 1 (never aliased).
    return prob, alias


@njit(cache=True)
def _pick(prob, alias, start, size, u):
    # One uniform serves twice: its integer part picks the slot, the rest
    # (still >= 31 random bits for 2e6 slots) tosses the slot's coin.
    x = u * size
    t = min(np.int64(x), size - 1)
    pos = start + t
    return pos if x - t < prob[pos] else alias[pos]


# The candidate kernels work in passes, each doing one round of scattered
# reads for every candidate (the first person, their group, a position in it,
# the person there). Reads in one pass do not wait on each other, so the CPU
# overlaps their cache misses: 4x faster, on 1e6 people, than following each
# candidate's chain of reads in turn.


@njit(cache=True)
def group_candidates(first, group_of, indptr, order, within, u, v, src, dst):
    """Candidate ties: a first person, then a second one in the first one's group.

    Parameters
    ----------
    first : tuple of (float64 ndarray, int64 ndarray), each of shape (n,)
        Alias tables over all ``n`` people (one segment) for the first person.
    group_of : int64 ndarray of shape (n,)
        Group of each person; a person drawn with a negative group gets a
        self-tie (refused by :func:`insert_ties`).
    indptr : int64 ndarray of shape (k + 1,)
        Group ``g`` is ``order[indptr[g]:indptr[g + 1]]``.
    order : int64 ndarray of shape (m,)
        People grouped by group.
    within : tuple of (float64 ndarray, int64 ndarray), each of shape (m,), or None
        Alias tables of the groups, aligned with ``order``. None draws the
        second person uniformly among the group's other members.
    u, v : float64 ndarray of shape (c,)
        Uniforms in [0, 1): ``u`` picks the first person, ``v`` the second.
    src, dst : int64 ndarray of shape (c,)
        Output: the candidate ties.
    """
    n = first[0].shape[0]
    c = u.shape[0]
    for e in range(c):
        src[e] = _pick(first[0], first[1], 0, n, u[e])
    for e in range(c):
        dst[e] = group_of[src[e]]
    coin = np.empty(c)
    last = np.empty(c, dtype=np.int64)
    for e in range(c):  # dst: a position in the group, or -1
        g = dst[e]
        if g < 0:
            continue
        start = indptr[g]
        size = indptr[g + 1] - start
        last[e] = start + size - 1
        if within is not None:
            x = v[e] * size
            t = min(np.int64(x), size - 1)
            coin[e] = x - t
            dst[e] = start + t
        elif size > 1:  # slots 0..size-2; the one holding src stands for the last
            dst[e] = start + min(np.int64(v[e] * (size - 1)), size - 2)
        else:
            dst[e] = -1
    if within is not None:
        for e in range(c):
            if dst[e] >= 0 and coin[e] >= within[0][dst[e]]:
                dst[e] = within[1][dst[e]]
    for e in range(c):
        if dst[e] < 0:
            dst[e] = src[e]
        else:
            j = order[dst[e]]
            dst[e] = order[last[e]] if within is None and j == src[e] else j


@njit(cache=True)
def closure_candidates(first, indptr, indices, u, v, w, src, dst):
    """Candidate ties that close a triangle: ``i`` - ``j`` - ``k`` gives ``(i, k)``.

    ``i`` is drawn with the alias tables ``first`` (one segment over all
    people) and uniform ``u``; ``j`` is a uniform neighbour of ``i`` (uniform
    ``v``), ``k`` one of ``j`` (uniform ``w``). A person without ties, or
    ``k == i``, gives a self-tie (refused by :func:`insert_ties`).

    Parameters
    ----------
    first : tuple of (float64 ndarray, int64 ndarray), each of shape (n,)
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
        Current ties, as from :func:`table_adjacency`.
    u, v, w : float64 ndarray of shape (c,)
    src, dst : int64 ndarray of shape (c,)
        Output: the candidate ties.
    """
    n = first[0].shape[0]
    c = u.shape[0]
    for e in range(c):
        src[e] = _pick(first[0], first[1], 0, n, u[e])
    for step, x in enumerate((v, w)):
        for e in range(c):  # dst: the entry of a neighbour, or -1 for none
            i = src[e] if step == 0 else dst[e]
            if i < 0:
                continue
            start = indptr[i]
            d = indptr[i + 1] - start
            dst[e] = start + min(np.int64(x[e] * d), d - 1) if d > 0 else -1
        for e in range(c):
            if dst[e] >= 0:
                dst[e] = indices[dst[e]]
    for e in range(c):
        if dst[e] < 0:
            dst[e] = src[e]


@njit(cache=True)
def _shift(table):
    bits = 0
    while (1 << bits) < table.shape[0]:
        bits += 1
    return np.uint64(32 - bits)  # tables hold at most 2**32 slots


@njit(cache=True)
def insert_ties(table, src, dst, unit, quota_within, quota_cross):
    """Add candidate ties to the set ``table``, in order, up to two quotas.

    A candidate is skipped when it is a self-tie, already in ``table``, or of
    a class whose quota is used up: ties between two people of the same unit
    count against ``quota_within``, the others against ``quota_cross``.

    Parameters
    ----------
    table : uint64 ndarray of shape (2**b,), 4 <= b <= 32
        The hash set, updated in place; must have room for the quotas
        (keep it at most ~70 % full).
    src, dst : int64 ndarray of shape (m,)
        Candidate ties, ids in ``0..n-1``.
    unit : int32 ndarray of shape (n,)
        Unit of each person.
    quota_within, quota_cross : int
        How many new ties of each class to add at most.

    Returns
    -------
    added_within, added_cross : int
        New ties added of each class.
    used : int
        Candidates read before both quotas were met (``m`` if they never were).
    """
    mask = np.uint64(table.shape[0] - 1)
    shift = _shift(table)
    added_within = 0
    added_cross = 0
    for e in range(src.shape[0]):
        if added_within >= quota_within and added_cross >= quota_cross:
            return added_within, added_cross, e
        a = src[e]
        b = dst[e]
        if a == b:
            continue
        cross = unit[a] != unit[b]
        if (cross and added_cross >= quota_cross) or (not cross and added_within >= quota_within):
            continue
        if a > b:
            a, b = b, a
        mixed = ((np.uint64(a) * _MIX_HI) & _LOW) ^ np.uint64(b)
        h = ((mixed * _MIX) & _LOW) >> shift
        key = (np.uint64(a) << np.uint64(32)) | np.uint64(b)
        while True:
            held = table[h]
            if held == key:
                break
            if held == EMPTY:
                table[h] = key
                if cross:
                    added_cross += 1
                else:
                    added_within += 1
                break
            h = (h + np.uint64(1)) & mask
    return added_within, added_cross, src.shape[0]


@njit(cache=True)
def table_adjacency(table, n):
    """Neighbour lists of the ties in ``table`` (rows unsorted).

    Parameters
    ----------
    table : uint64 ndarray
        A hash set filled by :func:`insert_ties`.
    n : int
        Number of people.

    Returns
    -------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (2 * ties,)
    """
    indptr = np.zeros(n + 1, dtype=np.int64)
    for key in table:
        if key != EMPTY:
            indptr[np.int64(key >> np.uint64(32)) + 1] += 1
            indptr[np.int64(key & _LOW) + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    indices = np.empty(indptr[n], dtype=np.uint32)
    for key in table:
        if key != EMPTY:
            a = np.int64(key >> np.uint64(32))
            b = np.int64(key & _LOW)
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    return indptr, indices


@njit(cache=True)
def sort_rows(indptr, indices):
    """Sort each row of a CSR index array in place.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
        Updated in place.
    """
    for i in range(indptr.shape[0] - 1):
        start = indptr[i]
        stop = indptr[i + 1]
        if stop - start > 32:
            indices[start:stop] = np.sort(indices[start:stop])
            continue
        for a in range(start + 1, stop):
            key = indices[a]
            b = a - 1
            while b >= start and indices[b] > key:
                indices[b + 1] = indices[b]
                b -= 1
            indices[b + 1] = key
