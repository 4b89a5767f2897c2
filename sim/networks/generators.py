"""Network generators: vectorised numpy plus one Numba pass, no networkx.

Each takes ``seed``: an int, or the run's :class:`numpy.random.Generator`.
"""

import numpy as np

from sim._rng import make_rng
from sim._validation import check_scalar
from sim.kernels import MERGE_MAX
from sim.networks.core import Network, _check_n, _from_checked

__all__ = ["complete", "erdos_renyi", "rewired", "ring_lattice", "small_world"]


def _check_k(k, n, owner):
    k = check_scalar(k, "k", owner, kind=int, low=0, high=n - 1)
    if k % 2:
        raise ValueError(
            f"The 'k' parameter of {owner} must be an even int (each node ties to k/2 "
            f"neighbours on each side). Got {k} instead."
        )
    return k


def _lattice_edges(n, k):
    half = k // 2
    src = np.repeat(np.arange(n, dtype=np.int64), half)
    dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
    return src, dst


def ring_lattice(n, k) -> Network:
    """A ring where each node ties to its ``k`` nearest nodes (``k/2`` on each side).

    Parameters
    ----------
    n : int
        Number of nodes, at least 1.
    k : int
        Even number of neighbours, ``0 <= k <= n - 1``.
    """
    n = _check_n(n, "ring_lattice")
    k = _check_k(k, n, "ring_lattice")
    src, dst = _lattice_edges(n, k)
    return _from_checked(src, dst, np.zeros(0), n, MERGE_MAX)


def small_world(n, k, p, seed=None) -> Network:
    """A Watts–Strogatz small world.

    Start from :func:`ring_lattice` ``(n, k)`` and move the far end of each tie
    to a uniformly chosen node with probability ``p`` (never onto its own
    start). Unlike networkx, a rewired tie that lands on an existing one is
    merged rather than redrawn, which for ``k << n`` changes a vanishing share
    of ties and keeps the build vectorised.

    Parameters
    ----------
    n : int
        Number of nodes, at least 2.
    k : int
        Even number of lattice neighbours, ``0 <= k <= n - 1``.
    p : float
        Rewiring probability in [0, 1].
    seed : int, numpy.random.Generator or None
        The run's generator, or a seed for a new one.
    """
    n = _check_n(n, "small_world", low=2)
    k = _check_k(k, n, "small_world")
    p = check_scalar(p, "p", "small_world", low=0.0, high=1.0)
    rng = make_rng(seed)
    src, dst = _lattice_edges(n, k)
    rewire = np.flatnonzero(rng.random(src.shape[0]) < p)
    # Draw the new end among the n - 1 other nodes: no self-ties, no retries.
    new = rng.integers(0, n - 1, size=rewire.shape[0])
    new += new >= src[rewire]
    dst[rewire] = new
    return _from_checked(src, dst, np.zeros(0), n, MERGE_MAX)


def erdos_renyi(n, mean_degree, seed=None) -> Network:
    """An Erdős–Rényi G(n, p) random network with ``p = mean_degree / (n - 1)``.

    The number of ties is drawn from its binomial distribution, then that many
    distinct pairs are drawn uniformly.

    Parameters
    ----------
    n : int
        Number of nodes, at least 2.
    mean_degree : float
        Expected number of ties per node, in [0, n - 1].
    seed : int, numpy.random.Generator or None
        The run's generator, or a seed for a new one.
    """
    n = _check_n(n, "erdos_renyi", low=2)
    mean_degree = check_scalar(mean_degree, "mean_degree", "erdos_renyi", low=0.0, high=n - 1)
    rng = make_rng(seed)
    pairs = n * (n - 1) // 2
    m = int(rng.binomial(pairs, mean_degree / (n - 1)))
    if m > pairs // 2:
        # Dense (hence small): enumerate the pairs and choose among them.
        a, b = np.triu_indices(n, 1)
        chosen = np.sort(rng.choice(pairs, size=m, replace=False))
        src, dst = a[chosen], b[chosen]
    else:
        # Sparse: draw pairs, drop repeats, top up; pair key a * n + b with a < b.
        src, dst = np.divmod(_distinct_pairs(m, n, rng), n)
    return _from_checked(src, dst, np.zeros(0), n, MERGE_MAX)


def _distinct_pairs(m, n, rng):
    """``m`` distinct unordered pairs of distinct nodes, as keys ``a * n + b``, a < b."""
    keys = np.zeros(0, dtype=np.int64)
    while keys.shape[0] < m:
        need = m - keys.shape[0]
        a = rng.integers(0, n, size=need)
        b = rng.integers(0, n - 1, size=need)
        b += b >= a
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keys = np.sort(np.concatenate([keys, lo * n + hi]))
        # Sort and drop repeats by hand: np.unique is ~15x slower here (numpy 2.4).
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys


def complete(n) -> Network:
    """A well-mixed network: everyone tied to everyone, ties never materialised.

    Parameters
    ----------
    n : int
        Number of nodes, at least 1.
    """
    n = _check_n(n, "complete")
    return Network(n=n, indptr=None, indices=None, weights=None, complete=True)


#: Tries per wanted swap before giving up (a dense or tiny network may allow few).
SWAP_TRIES = 10


def rewired(network, share, seed=None) -> Network:
    """``network`` rewired at random by ``share * ties / 2`` swaps, every degree kept.

    Pairs of ties ``(a, b), (c, d)`` picked at random are swapped to ``(a, d), (c, b)``
    (double-edge swaps, as ``networkx.double_edge_swap``), ``share * ties / 2`` times:
    each tie is picked ``share`` times on average, so ``1 - exp(-share)`` of them
    move (18 % at 0.2, 63 % at 1). A swap that would make a self-tie or repeat a
    tie is skipped (the attempt stops after ``SWAP_TRIES`` times the swaps wanted).
    Weights stay with the tie they belonged to. Rewiring keeps who has many ties and
    who few, and destroys the rest of the structure: clustering, and the
    concentration of ties inside teams and units.

    Parameters
    ----------
    network : Network
    share : float
        In [0, 1]; 0 returns ``network`` itself.
    seed : int, numpy.random.Generator or None
    """
    from sim.kernels.rewire import double_edge_swaps

    share = check_scalar(share, "share", "rewired", low=0.0, high=1.0)
    if share == 0.0 or network.indptr is None:  # a complete network has no tie to move
        return network
    rng = make_rng(seed)
    indptr, indices = network.indptr, network.indices
    n = network.n
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    once = rows < indices  # each undirected tie once
    src, dst = rows[once], indices[once].astype(np.int64)
    weights = network.weights[once] if network.weights is not None else None
    m = src.shape[0]
    wanted = round(share * m / 2)
    if m < 2 or wanted == 0:
        return network
    tries = SWAP_TRIES * wanted
    picks = rng.integers(0, m, size=(tries, 2))
    flips = rng.random(tries) < 0.5
    double_edge_swaps(src, dst, n, picks, flips, wanted)
    return _from_checked(src, dst, np.zeros(0) if weights is None else weights, n, MERGE_MAX,
                         labels=network.labels)  # fmt: skip
