"""Kernels of the organizational rule: a ladder of behaviors, one step a week.

Each person holds a ``stage``: how many behaviors of the ladder they have
adopted (0 = none; a person may only take up behavior ``b`` once they hold
``b - 1``). A week, every person with access either advances one rung, lapses
from their top rung, or stays (:func:`ladder_decide`); the changes are then
applied together (:func:`ladder_push` or :func:`ladder_pull`), which keeps
the decisions synchronous.

``tally[b, i]`` is the influence-weighted sum of person ``i``'s ties to people
holding behavior ``b`` (the numerator of the peer share ``P_ib``), kept up to
date from each week's changes. It stays float64 and unscaled, so that with
whole weights and influences it is exact whatever the order of the updates,
and the peer share is computed as the reference computes it: a deterministic
run decides a share of exactly 3/10 against a threshold of 0.3 the same way.
"""

import numpy as np
from numba import njit, prange, uint64

# Weyl increment and splitmix64 finalizer constants (Steele, Lea & Flood 2014).
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB

# Beyond _FAR the sigmoid is within _TAIL = e^-_FAR of 0 or 1.
_FAR = 8.0
_TAIL = 0.00033546262790251185  # exp(-8)


@njit(cache=True, inline="always")
def _uniform(key, i):
    """Person ``i``'s uniform in [0, 1) for the week keyed ``key`` (splitmix64).

    A counter-based draw: a pure function of (key, i), so every thread gets
    the same number for the same person, and no array of n draws has to be
    made and read each week (that cost more than the rest of a week).
    """
    z = key + uint64(i) * uint64(_GOLDEN)
    z = (z ^ (z >> uint64(30))) * uint64(_MIX1)
    z = (z ^ (z >> uint64(27))) * uint64(_MIX2)
    z = z ^ (z >> uint64(31))
    return float(z >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, parallel=True)
def ladder_uniforms(key, out):
    """The uniforms :func:`ladder_decide` draws with ``key``, for everyone (float64 (n,))."""
    for i in prange(out.shape[0]):
        out[i] = _uniform(key, i)


@njit(cache=True, inline="always")
def _gap(i, b, stage, tally, strength, peer_weight, fixed_gap, manager, endorsing, endorsement,
         unit, shared):  # fmt: skip
    """``S_ib - T_ib`` of DESIGN §3 from its precomputed parts."""
    peer = tally[b, i] / strength[i] if strength[i] > 0.0 else 0.0
    gap = peer_weight * peer + fixed_gap[b, i] + shared[b, unit[i]]
    m = manager[i]
    if m >= 0 and stage[m] > b and endorsing[m]:
        gap += endorsement[i]
    return gap


@njit(cache=True, parallel=True)
def ladder_active(access, key, draws, rate, lapse_rate, out):
    """Who may change this week: access and, with draws, a uniform below a rate.

    A person whose draw is at least ``max(rate, lapse_rate)`` can neither
    advance nor lapse; finding them first keeps the unpredictable branch out
    of :func:`ladder_decide`.
    """
    can = max(rate, lapse_rate)
    for i in prange(out.shape[0]):
        out[i] = access[i] and (not draws or _uniform(key, i) < can)


@njit(cache=True, parallel=True)
def ladder_decide(ids, stage, tally, strength, peer_weight, fixed_gap, manager, endorsing,
                  endorsement, unit, shared, rate, noise, lapse_rate, hysteresis, key, draws,
                  out):  # fmt: skip
    """Who advances a rung (+1), lapses from their top rung (-1) or stays (0).

    The gap ``S_ib - T_ib`` of person ``i`` and behavior ``b`` is::

        peer_weight * tally[b, i] / strength[i]   # the peer term
        + fixed_gap[b, i]                         # fixed by the person and the plan
        + shared[b, unit[i]]                      # visibility and content, per unit
        + endorsement[i]                          # if i's manager holds b and endorses

    A person whose top behavior's gap is below ``-hysteresis`` lapses with
    probability ``lapse_rate`` and does not advance that week; anyone else
    with access advances with probability ``rate * sigmoid(gap / noise)``
    (``rate`` if ``gap >= 0`` when ``noise == 0``). People without access
    never change. Person ``i``'s one draw of the week is
    ``ladder_uniforms(key)[i]``.

    Parameters
    ----------
    ids : int64 ndarray of shape (k,)
        The people to decide for (see :func:`ladder_active`); others stay.
    stage : int8 ndarray of shape (n,)
        Behaviors held (0..B).
    tally : float64 ndarray of shape (B, n)
    strength : float64 ndarray of shape (n,)
        Influence-weighted strength of each person (the peer share's denominator).
    peer_weight : float
    fixed_gap : float64 ndarray of shape (B, n)
        The parts of ``S - T`` fixed by the person and the plan.
    manager : int32 ndarray of shape (n,)
        Manager of each person, -1 for the top.
    endorsing : bool ndarray of shape (n,)
        Whether a person endorses the behaviors they hold to their reports.
    endorsement : float64 ndarray of shape (n,)
        ``manager_weight * g(trust_i)`` (negative: reactance).
    unit : int32 ndarray of shape (n,)
        Row of ``shared`` for each person.
    shared : float64 ndarray of shape (B, U)
        The parts of ``S`` shared by a unit: visibility and content.
    rate, noise, lapse_rate, hysteresis : float
    key : uint64
        This week's key, drawn from the run's generator.
    draws : bool
        False when every decision is certain (``noise == 0``, ``rate == 1``
        and ``lapse_rate`` 0 or 1): then no uniform is used.
    out : int8 ndarray of shape (k,)
        Written: the change of each one's stage.
    """
    top = fixed_gap.shape[0]
    tail = rate * _TAIL
    for k in prange(ids.shape[0]):
        i = ids[k]
        change = 0
        s = stage[i]
        u = _uniform(key, i) if draws else 0.0
        if s > 0:
            gap = _gap(i, s - 1, stage, tally, strength, peer_weight, fixed_gap, manager,
                       endorsing, endorsement, unit, shared)  # fmt: skip
            if gap < -hysteresis:
                if lapse_rate > 0.0 and (lapse_rate >= 1.0 or u < lapse_rate):
                    change = -1
                s = top  # a lapsing person does not advance
        if s < top:
            gap = _gap(i, s, stage, tally, strength, peer_weight, fixed_gap, manager, endorsing,
                       endorsement, unit, shared)  # fmt: skip
            if noise == 0.0:
                if gap >= 0.0 and (rate >= 1.0 or u < rate):
                    change = 1
            else:
                x = gap / noise
                # sigmoid(x) < e^x: far below the threshold the draw
                # decides without the exp, with the same result.
                if (x >= -_FAR or u < tail) and u < rate / (1.0 + np.exp(-x)):
                    change = 1
        out[k] = change


@njit(cache=True, parallel=True)
def ladder_push(indptr, indices, weights, influence, changed, rung, change, blocks, tally):
    """Apply a week's changes to ``tally``, pushing each along its ties (in place).

    Cheap when few people change: visits only their ties. Each thread takes
    one block of target people and scans every change, writing only into its
    block, so writes never collide and every target receives its additions
    in the order of ``changed`` whatever the number of threads.

    Parameters
    ----------
    weights : float64 ndarray of shape (nnz,)
    influence : float64 ndarray of shape (n,)
    changed : int64 ndarray of shape (k,)
        Distinct ids of the people whose stage changes.
    rung : int8 ndarray of shape (k,)
        The behavior each of them takes up or drops.
    change : int8 ndarray of shape (k,)
        +1 (takes it up) or -1 (drops it).
    blocks : int
        Blocks of targets, one per thread (any number gives the same result).
    tally : float64 ndarray of shape (B, n)
        Updated in place at the neighbours of ``changed``.
    """
    n = tally.shape[1]
    for block in prange(blocks):
        lo = n * block // blocks
        hi = n * (block + 1) // blocks
        for k in range(changed.shape[0]):
            j = changed[k]
            b = rung[k]
            f = influence[j] if change[k] > 0 else -influence[j]
            for t in range(indptr[j], indptr[j + 1]):
                i = indices[t]
                if lo <= i < hi:
                    tally[b, i] += weights[t] * f


@njit(cache=True)
def ladder_restage(changed, change, stage, unit, unit_holders):
    """Apply a week's changes to ``stage`` and ``unit_holders`` only (in place).

    :func:`ladder_push` and :func:`ladder_pull` update ``tally`` apart.
    """
    for k in range(changed.shape[0]):
        j = changed[k]
        if change[k] > 0:
            b = stage[j]
            stage[j] = b + 1
        else:
            b = stage[j] - 1
            stage[j] = b
        unit_holders[b, unit[j]] += change[k]


@njit(cache=True, parallel=True)
def ladder_pull(indptr, indices, weights, influence, code, tally):
    """Apply a week's changes to ``tally`` by reading every tie once (in place).

    Parallel over people; cheaper than :func:`ladder_push` in weeks when many
    people change.

    Parameters
    ----------
    weights : float64 ndarray of shape (nnz,)
    influence : float64 ndarray of shape (n,)
    code : int8 ndarray of shape (n,)
        This week's change of each person: 0 none, ``b + 1`` took up
        behavior ``b``, ``-(b + 1)`` dropped it.
    tally : float64 ndarray of shape (B, n)
        Updated in place.
    """
    n = indptr.shape[0] - 1
    for i in prange(n):
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            c = code[j]
            if c != 0:
                if c > 0:
                    tally[c - 1, i] += weights[t] * influence[j]
                else:
                    tally[-c - 1, i] -= weights[t] * influence[j]


@njit(cache=True, parallel=True)
def ladder_tally(indptr, indices, weights, influence, stage, out):
    """``out[b, i]``: influence-weighted ties of ``i`` to holders of ``b``, from scratch.

    Each row is summed in CSR order whatever the number of threads.

    Parameters
    ----------
    out : float64 ndarray of shape (B, n)
        Written.
    """
    n = stage.shape[0]
    top = out.shape[0]
    for i in prange(n):
        for b in range(top):
            out[b, i] = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            s = stage[j]
            if s > 0:
                w = weights[t] * influence[j]
                for b in range(s):
                    out[b, i] += w


@njit(cache=True, parallel=True)
def influence_strength(indptr, indices, weights, influence, out):
    """``out[i] = sum_j w_ij * influence_j``: the denominator of peer shares."""
    n = indptr.shape[0] - 1
    for i in prange(n):
        total = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            total += weights[t] * influence[indices[t]]
        out[i] = total
