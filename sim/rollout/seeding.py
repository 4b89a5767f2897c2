"""Seeding policies: who the champions of a decentralized rollout are.

A change team recruits champions by some rule of thumb: anyone willing (at
random), the best connected, those on the most shortest paths (betweenness),
those with the most ties across units (bridging), or one in every team.
Scores that depend on the org alone are computed once per org and reused by
every replication; only the random policies draw from the run's generator.
"""

from __future__ import annotations

import numpy as np

from sim.kernels import betweenness_from
from sim.rollout import _derived

__all__ = ["BETWEENNESS_EXACT_MAX", "CHAMPION_CHOICES", "betweenness", "choose_champions"]

#: How champions may be chosen (``Rollout.champion_choice``).
CHAMPION_CHOICES = ("random", "degree", "betweenness", "bridging", "team", "cluster")

#: Orgs up to this size get exact betweenness (every person a source); bigger
#: ones an estimate from ``BETWEENNESS_SOURCES`` sources spread evenly over the
#: ids (generated and loaded orgs number people by unit and level, so these
#: cover every part of the org). The estimate is deterministic, so like the
#: other scores it is computed once per org: 0.3 s at 2,000 people with 20 ties
#: each, 6.7 s at 200,000 (2 cores, the sources searched in parallel).
BETWEENNESS_EXACT_MAX = 2000
BETWEENNESS_SOURCES = 128


def betweenness(network, sources=None) -> np.ndarray:
    """Betweenness of everyone on the informal ties (hop distance), float64 (n,).

    With ``sources=None`` the exact value, equal to networkx's
    ``betweenness_centrality(G, normalized=False)``. With an array of source
    ids, the estimate from those sources scaled to the whole network (an
    unbiased estimate of the exact value when they are drawn uniformly).
    """
    n = network.n
    indices = network.indices.astype(np.int64)
    every = sources is None
    sources = np.arange(n, dtype=np.int64) if every else np.asarray(sources, dtype=np.int64)
    out = np.zeros(n, dtype=np.float64)
    if sources.shape[0]:
        betweenness_from(network.indptr, indices, sources, out)
    # Each unordered pair is counted from both ends when every person is a source.
    scale = 0.5 if every else 0.5 * n / max(sources.shape[0], 1)
    return out * scale


def _best(score, among, k):
    """The ``k`` ids of ``among`` with the highest ``score``; ties go to the lower id."""
    order = np.lexsort((among, -score[among]))
    return among[order[:k]]


def _distinct(among) -> bool:
    """Whether ``among`` is strictly increasing (ids as ``flatnonzero`` gives them)."""
    return bool((among[1:] > among[:-1]).all())


def _mask(n, ids):
    mask = np.zeros(n, dtype=bool)
    mask[ids] = True
    return mask


def _best_of(org, name, score, among, k):
    """:func:`_best` of ``score()`` (the org's score ``name``), from everyone ranked once per
    org: the ranking restricted to ``among`` is ``among`` ranked, when its ids are distinct."""
    if not _distinct(among):
        return _best(score(), among, k)
    ranked = _derived.derived(
        org, ("best", name), lambda: np.lexsort((_derived.ids(org), -score()))
    )
    return ranked[_mask(org.n, among)[ranked]][:k]


def _betweenness_of(org):
    def exact_or_estimate():
        if org.n <= BETWEENNESS_EXACT_MAX:
            return betweenness(org.network)
        spread = np.linspace(0, org.n - 1, min(BETWEENNESS_SOURCES, org.n))
        return betweenness(org.network, np.unique(spread.round().astype(np.int64)))

    return _derived.derived(org, "betweenness", exact_or_estimate)


def _bridging(org):
    """Each person's ties to people of another unit."""

    def count():
        network = org.network
        owner = np.repeat(np.arange(org.n), np.diff(network.indptr))
        across = org.unit[network.indices] != org.unit[owner]
        return np.bincount(owner[across], minlength=org.n).astype(np.float64)

    return _derived.derived(org, "bridging", count)


def _cluster(network, among, k, rng):
    """A random member of ``among`` and its nearest others of ``among``, breadth first."""
    allowed = np.zeros(network.n, dtype=bool)
    allowed[among] = True
    start = int(rng.choice(among))
    if network.complete:
        return _cluster_loop(network, allowed, start, k)
    picked, frontier = [start], np.array([start])
    seen = np.zeros(network.n, dtype=bool)
    seen[start] = True
    indptr, indices = network.indptr, network.indices
    while frontier.shape[0] and len(picked) < k:
        # The frontier's neighbours in order (rows are sorted), each the first time it
        # is met: what walking the frontier and each sorted row in Python gives.
        starts = indptr[frontier]
        sizes = indptr[frontier + 1] - starts
        at = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        met = indices[at].astype(np.int64)
        met = met[~seen[met]]
        _, first = np.unique(met, return_index=True)
        ring = met[np.sort(first)]
        seen[ring] = True
        picked.extend(ring[allowed[ring]][: k - len(picked)].tolist())
        frontier = ring
    return np.array(picked, dtype=np.int64)


def _cluster_loop(network, allowed, start, k):
    picked, seen, frontier = [start], {start}, [start]
    while frontier and len(picked) < k:
        ring = []
        for i in frontier:
            for j in sorted(int(x) for x in network.neighbors(i)):
                if j not in seen:
                    seen.add(j)
                    ring.append(j)
        for j in ring:
            if allowed[j] and len(picked) < k:
                picked.append(j)
        frontier = ring
    return np.array(picked, dtype=np.int64)


def _team_order(org, degree):
    """Everyone with a manager, by manager, then most ties, then id (computed once per org)."""

    def order():
        members = np.flatnonzero(org.manager >= 0)
        return members[np.lexsort((members, -degree[members], org.manager[members]))]

    return _derived.derived(org, "team order", order)


def _one_per_team(org, among, k, rng, degree):
    """The best-connected member of ``k`` teams drawn at random, then the best connected."""
    if _distinct(among):
        ordered = _team_order(org, degree)
        members = ordered[_mask(org.n, among)[ordered]]
    else:
        members = among[org.manager[among] >= 0]
        # Per team (the manager's reports) its best-connected member, ties to the lower id.
        order = np.lexsort((members, -degree[members], org.manager[members]))
        members = members[order]
    first = np.ones(members.shape[0], dtype=bool)
    first[1:] = org.manager[members[1:]] != org.manager[members[:-1]]
    leads = members[first]
    picked = leads[rng.permutation(leads.shape[0])[:k]]
    if picked.shape[0] < k:
        # More champions than teams: the rest are the best connected of the others.
        rest = np.setdiff1d(among, picked)
        extra = _best_of(org, "degree", lambda: degree, rest, k - picked.shape[0])
        picked = np.concatenate((picked, extra))
    return picked


def choose_champions(org, k, among, choice, rng) -> np.ndarray:
    """``k`` champions among the ids ``among`` by the policy ``choice``, sorted.

    ``random``: uniformly; ``degree``: most informal ties; ``betweenness``:
    on the most shortest paths (estimated from evenly spread sources above
    ``BETWEENNESS_EXACT_MAX`` people); ``bridging``: most ties to other units; ``team``: the
    best-connected member of as many teams (a manager's reports) as needed,
    teams drawn at random; ``cluster``: one person drawn at random and the
    people closest to them in the informal network (breadth first, nearest
    ids first), a seeded neighbourhood as complex contagions need (Centola &
    Macy 2007). Ties go to the lower id.
    """
    if choice not in CHAMPION_CHOICES:
        raise ValueError(
            f"choose_champions: no policy {choice!r} (choices: {', '.join(CHAMPION_CHOICES)})."
        )
    among = np.asarray(among, dtype=np.int64)
    k = min(int(k), among.shape[0])
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if choice == "random":
        return np.sort(rng.choice(among, size=k, replace=False))
    if choice == "cluster":
        return np.sort(_cluster(org.network, among, k, rng)).astype(np.int64)
    degree = _derived.derived(org, "degree float", lambda: _derived.degree(org).astype(float))
    if choice == "degree":
        picked = _best_of(org, choice, lambda: degree, among, k)
    elif choice == "betweenness":
        picked = _best_of(org, choice, lambda: _betweenness_of(org), among, k)
    elif choice == "bridging":
        picked = _best_of(org, choice, lambda: _bridging(org), among, k)
    else:
        picked = _one_per_team(org, among, k, rng, degree)
    return np.sort(picked).astype(np.int64)
