"""A whole run of a classic rule (threshold, Bass, independent cascade) in one call.

:func:`classic_run` does every week of one replication with no Python in between. It
decides as the stepped run's kernels do (:mod:`sim.kernels.threshold`,
:mod:`sim.kernels.bass`, :mod:`sim.kernels.cascade`), the same float expressions in the
same order, and draws from the run's own ``numpy.random.Generator`` (Numba advances the
same bit generator that NumPy would): one uniform per undecided person a week for Bass
and the cascade on a complete network, one per tie of last week's new adopters for the
cascade on a sparse one, in the stepped run's order, so both runs give the same bits.

Each week is synchronous: the decisions read last week's state, and the state changes
only once they are all made. A person's adopted neighbours are kept as counts pushed
from each week's new adopters (the network is undirected: a push along a row is a tie
of the other end's row), or recounted over the undecided people's ties in a week where
that reads fewer ties (as :class:`sim.state.AdoptionState` chooses); after a push, the
rules that decide only when a neighbourhood changes (the threshold rule; the cached
shares of weighted Bass) take the people it touched.
"""

import numpy as np
from numba import njit

from sim.kernels._config import IN_CACHE_PEOPLE, PUSH_COST_PER_TIE
from sim.kernels.cascade import cascade_attempts
from sim.kernels.counts import apply_adoptions, count_adopted_neighbours_serial, tie_count

#: The rules, as :func:`classic_run` takes them.
THRESHOLD = 0
BASS = 1
CASCADE = 2

# As plain ints: Numba takes them as constants (not a dict).
_PUSH_IN_CACHE = PUSH_COST_PER_TIE[True]
_PUSH_OUT_OF_CACHE = PUSH_COST_PER_TIE[False]


@njit(cache=True, nogil=True)
def _weighted_share(indptr, indices, weights, strength, adopted, i):
    """The weighted share of ``i``'s ties to adopters, summed in CSR order (0 without ties)."""
    if not strength[i] > 0.0:
        return 0.0
    weight = 0.0
    for t in range(indptr[i], indptr[i + 1]):
        if adopted[indices[t]]:
            weight += weights[t]
    return weight / strength[i]


@njit(cache=True, nogil=True)
def _decide(rule, complete, candidates, indptr, indices, weights, strength, adopted,
            counts, share, theta, level, absolute, counted, p, q, well_mixed, n, adopters,
            frontier, rng, mark, out):  # fmt: skip
    """This week's new adopters, written to ``out`` (the cascade's sorted); returns how many.

    ``candidates`` are the undecided (the touched ones for a deterministic rule after week
    1). ``share`` caches weighted Bass shares, fresh for every candidate.
    """
    found = 0
    if rule == CASCADE:
        if frontier.shape[0] == 0:
            return 0
        if not complete:
            # One uniform per tie of the frontier, drawn at once (half the cost of a
            # draw at a time).
            u = rng.random(tie_count(indptr, frontier))
            converted = cascade_attempts(indptr, indices, adopted, frontier, u, p, mark)
            out[: converted.shape[0]] = converted
            return converted.shape[0]
        # Each of the f new adopters tries once on every non-adopter (as the stepped
        # run's Python float power: libm's pow on two doubles).
        hit = 1.0 - (1.0 - p) ** np.float64(frontier.shape[0])
        u = rng.random(candidates.shape[0])
        for k, i in enumerate(candidates):
            if u[k] < hit:
                out[found] = i
                found += 1
        return found
    if rule == BASS:
        mixed = 0.0
        if well_mixed:
            mixed = adopters / n
        elif complete and n > 1:
            mixed = adopters / (n - 1)
        hazard = p + q * mixed
        u = rng.random(candidates.shape[0])
        for k, i in enumerate(candidates):
            if not (well_mixed or complete):
                if counted:  # unit weights: counts over degrees
                    s = counts[i] / strength[i] if strength[i] > 0.0 else 0.0
                else:
                    s = share[i]
                hazard = p + q * s
            if u[k] < hazard:
                out[found] = i
                found += 1
        return found
    # The threshold rule.
    for i in candidates:
        if complete:
            if absolute:
                adopt = adopters >= theta[i]
            else:
                adopt = n >= 2 and adopters / (n - 1) >= theta[i]
        elif counted:
            adopt = counts[i] >= level[i]
        else:
            adopt = strength[i] > 0.0 and _weighted_share(
                indptr, indices, weights, strength, adopted, i) >= theta[i]  # fmt: skip
        if adopt:
            out[found] = i
            found += 1
    return found


@njit(cache=True, nogil=True)
def classic_run(rule, complete, indptr, indices, weights, strength, unit_weights, theta, level,
                absolute, p, q, well_mixed, first, steps, rng, adopters_w, new_w,
                adopted_at):  # fmt: skip
    """Every week of one run of a classic rule.

    Parameters
    ----------
    rule : int
        ``THRESHOLD``, ``BASS`` or ``CASCADE``.
    complete : bool
        Well mixed: everyone tied to everyone else (``indptr`` and the others unused).
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
    weights : float64 ndarray of shape (nnz,)
    strength : float64 ndarray of shape (n,)
        Weighted degree of each person.
    unit_weights : bool
        Every tie weighs 1: Bass's shares are counts over degrees.
    theta : float64 ndarray of shape (n,)
        Thresholds (threshold rule): shares, or counts when ``absolute``.
    level : int32 ndarray of shape (n,) or (0,)
        For the threshold rule on a sparse network with unit weights or absolute
        thresholds, the count each person adopts at (``threshold_levels``); otherwise
        empty, and weighted shares decide.
    absolute : bool
    p, q : float
        Bass's coefficients; the cascade's chance per attempt is ``p``.
    well_mixed : bool
        Bass's share among everyone.
    first : int64 ndarray of shape (f,)
        The initial adopters, sorted and distinct.
    steps : int
        Weeks to run.
    rng : numpy.random.Generator
        The run's generator, advanced as the stepped run advances it.
    adopters_w, new_w : int64 ndarray of shape (steps + 1,)
        Written: adopters at the end of each week (week 0 the initial state), and who
        adopted that week (week 0: the initial adopters).
    adopted_at : int32 ndarray of shape (n,)
        Written: the week each person adopted, -1 never.

    Returns
    -------
    int
        The week from which nothing can change any more (the stepped model's ``running``
        turns False the week after; 0 when nothing could change from the start), or -1.
    """
    n = adopted_at.shape[0]
    # What the rule reads of the network: counts (threshold levels; Bass on unit
    # weights), weighted shares summed over a row, or neither (complete, well mixed, the
    # cascade's own ties).
    sparse = not complete and rule != CASCADE and not (rule == BASS and well_mixed)
    counted = sparse and (level.shape[0] > 0 if rule == THRESHOLD else unit_weights)
    pulled = sparse and not counted
    size = 0 if complete else n
    adopted = np.zeros(n, dtype=np.bool_)
    counts = np.zeros(size, dtype=np.int32)
    stamp = np.full(size, -1, dtype=np.int32)
    mark = np.zeros(size, dtype=np.bool_)
    share = np.zeros(n if pulled and rule == BASS else 0, dtype=np.float64)
    out = np.empty(n, dtype=np.int64)
    touched = np.empty(0, dtype=np.int64)
    adopted_at[:] = -1
    for f in first:
        adopted[f] = True
        adopted_at[f] = 0
    if sparse:
        apply_adoptions(indptr, indices, first, 0, adopted, adopted_at, counts, stamp)
    undecided = np.flatnonzero(~adopted).astype(np.int64)
    left = undecided.shape[0]
    if rule == BASS and pulled:
        for i in undecided:
            share[i] = _weighted_share(indptr, indices, weights, strength, adopted, i)
    adopters = first.shape[0]
    frontier = first.copy()
    adopters_w[0] = adopters
    new_w[0] = adopters
    # Week 1 decides for everyone undecided, a later week of the threshold rule for the
    # people last week's adopters touched (nobody else's decision can change) when the
    # week was pushed (``known``), for everyone undecided after a recount.
    known = False
    push_cost = _PUSH_IN_CACHE if n <= IN_CACHE_PEOPLE else _PUSH_OUT_OF_CACHE
    undecided_ties = 0
    if sparse:
        undecided_ties = indptr[-1] - tie_count(indptr, first)
    settled = -1
    if rule == BASS and _bass_settled(p, q, adopters, n):
        settled = 0
    for week in range(1, steps + 1):
        if settled >= 0:
            adopters_w[week] = adopters
            new_w[week] = 0
            continue
        candidates = undecided[:left]
        if rule == THRESHOLD and sparse and known:
            candidates = touched
        found = _decide(rule, complete, candidates, indptr, indices, weights, strength,
                        adopted, counts, share, theta, level, absolute, counted, p, q,
                        well_mixed, n, adopters, frontier, rng, mark, out)  # fmt: skip
        new = out[:found]
        pushed = tie_count(indptr, new) if sparse else 0
        undecided_ties -= pushed
        # Push the new adopters along their ties while that costs less than recounting
        # the undecided (as the stepped run's state chooses; either gives the same counts).
        known = sparse and pushed * push_cost <= undecided_ties
        if known:
            touched = apply_adoptions(indptr, indices, new, week, adopted, adopted_at, counts,
                                      stamp)  # fmt: skip
        else:
            for f in new:
                adopted[f] = True
                adopted_at[f] = week
        if found and (rule == BASS or complete or (sparse and not known)):
            # Next week reads the undecided (the cascade on ties reads its frontier, the
            # threshold rule on ties after a push the touched).
            kept = 0
            for k in range(left):
                if not adopted[undecided[k]]:
                    undecided[kept] = undecided[k]
                    kept += 1
            left = kept
        if sparse and not known and counted:
            count_adopted_neighbours_serial(indptr, indices, adopted, undecided[:left], counts)
        if rule == BASS and pulled:
            for j in touched if known else undecided[:left]:
                share[j] = _weighted_share(indptr, indices, weights, strength, adopted, j)
        adopters += found
        frontier = new.copy()
        adopters_w[week] = adopters
        new_w[week] = found
        if _bass_settled(p, q, adopters, n) if rule == BASS else found == 0:
            settled = week
    return settled


@njit(cache=True, nogil=True)
def _bass_settled(p, q, adopters, n):
    """Whether no later week of Bass can change anything (no hazard, or nobody left)."""
    return (p == 0.0 and (q == 0.0 or adopters == 0)) or adopters == n
