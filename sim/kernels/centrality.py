"""Betweenness centrality over a CSR network, for choosing champions.

Brandes' algorithm (2001) on unweighted ties: one breadth-first search per
source, then dependencies accumulated in reverse order. Over every source it
is exact; over a sample of sources it estimates the ranking of big orgs, where
all sources would cost O(n·m).
"""

import numpy as np
from numba import njit, prange

from sim.kernels._config import parallel_pays
from sim.kernels._twins import twins

# Sources are split into this many interleaved groups whatever the number of
# threads, and the groups' sums are added in a fixed order: the result is the
# same to the last bit on any machine, so ties between people break alike.
_GROUPS = 8


def betweenness_from(indptr, indices, sources, out):
    """Add each person's shortest-path dependencies from ``sources`` to ``out``.

    ``out`` (float64, shape (n,)) gets, for every source ``s``, the sum over
    targets ``t`` of the share of shortest ``s``-``t`` paths through each
    person. Over all sources of an undirected network this counts each pair
    twice: halve it for networkx's ``betweenness_centrality(normalized=False)``.
    Sources are searched in parallel when there is enough work (each one
    reads every tie it reaches, twice); a small org's search stays on one
    thread. Either way the same bits.
    """
    # Each source reads at most every tie, forward and back.
    big = parallel_pays(2 * len(sources) * int(indptr[-1]), "pulled_tie")
    search = _search_groups if big else _search_groups_serial
    search(indptr, indices, sources, out)


def _search_groups(indptr, indices, sources, out):
    n = indptr.shape[0] - 1
    partial = np.zeros((_GROUPS, n), dtype=np.float64)
    for g in prange(_GROUPS):
        _dependencies(indptr, indices, sources[g::_GROUPS], partial[g])
    for g in range(_GROUPS):
        out += partial[g]


_search_groups, _search_groups_serial = twins(_search_groups)


@njit(cache=True)
def _dependencies(indptr, indices, sources, out):
    """Brandes' accumulation from each of ``sources`` into ``out``, one thread."""
    n = indptr.shape[0] - 1
    dist = np.full(n, -1, dtype=np.int64)
    paths = np.zeros(n, dtype=np.float64)
    dependency = np.zeros(n, dtype=np.float64)
    order = np.empty(n, dtype=np.int64)
    for s in sources:
        dist[s] = 0
        paths[s] = 1.0
        order[0] = s
        head, tail = 0, 1
        while head < tail:
            v = order[head]
            head += 1
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    order[tail] = w
                    tail += 1
                if dist[w] == dist[v] + 1:
                    paths[w] += paths[v]
        for j in range(tail - 1, -1, -1):
            w = order[j]
            for e in range(indptr[w], indptr[w + 1]):
                v = indices[e]
                if dist[v] == dist[w] - 1:
                    dependency[v] += paths[v] / paths[w] * (1.0 + dependency[w])
            if w != s:
                out[w] += dependency[w]
        # Reset only what this search touched: O(reached), not O(n), per source.
        for j in range(tail):
            w = order[j]
            dist[w] = -1
            paths[w] = 0.0
            dependency[w] = 0.0
