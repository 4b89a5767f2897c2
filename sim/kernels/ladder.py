"""Kernels of the organizational rule: a ladder of behaviors, one step a week.

Each person holds a ``stage``: how many behaviors of the ladder they have
adopted (0 = none; a person may only take up behavior ``b`` once they hold
``b - 1``). A week, every person with access either advances one rung, lapses
from their top rung, or stays (:func:`ladder_decide`, run only for the people
:mod:`sim.kernels.ladder_bounds` cannot rule out); the changes are then
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
from numba import njit, prange

from sim.kernels._prefetch import prefetch
from sim.kernels._twins import twins
from sim.kernels.ladder_parts import (
    FAR,
    MARGIN,
    NO_CEILING,
    ROUNDING,
    TAIL,
    ceiling_of,
    formal,
    gap_core,
    reinforced,
    week_uniform,
)


@njit(cache=True, parallel=True)
def ladder_uniforms(key, out):
    """The uniforms :func:`ladder_decide` draws with ``key``, for everyone (float64 (n,))."""
    for i in prange(out.shape[0]):
        out[i] = week_uniform(key, i)


#: How far ahead ladder_decide asks for a person's rows.
_AHEAD_IDS = 8


def ladder_decide(ids, stage, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing,
                  endorsement, team, identity, unit, shared, rate, noise, lapse_rate, churn,
                  hysteresis, key, draws, out, ceiling, watch, peak, return_rate,
                  attention):  # fmt: skip
    """Who advances a rung (+1), lapses from their top rung (-1) or stays (0).

    The gap ``S_ib - T_ib`` of person ``i`` and behavior ``b`` is::

        peer_weight * peer_term(i, b, tally, strength, demand)   # the peer term
        + fixed_gap[b, i]                         # fixed by the person and the plan
        + shared[b, unit[i]]                      # visibility and content, per unit
        + endorsement[i]                          # if i's manager holds b and endorses
        + identity[i] * (team-mates holding b)    # collective identity

    A person whose top behavior's gap is below ``-hysteresis`` lapses with
    probability ``lapse_rate`` and does not advance that week; any other holder
    drops their top behavior with probability ``churn`` whatever the gap (a
    habit given up: active use, not ever-used), and does not advance that week;
    anyone else with access advances with probability
    ``rate * sigmoid(gap / noise)`` (``rate`` if ``gap >= 0`` when
    ``noise == 0``), times ``1 - churn`` for holders; a rung one held before
    (``stage < peak``) is taken up again at ``return_rate`` instead of
    ``rate``, each times one's ``attention``. People without access
    never change. Person ``i``'s one draw of the week is
    ``ladder_uniforms(key)[i]``.

    Everyone decided for also gets a fresh ``ceiling`` and ``watch`` for the
    stage they hold after this week (see :mod:`sim.kernels.ladder_bounds`).

    Parameters
    ----------
    ids : int64 ndarray of shape (k,)
        The people to decide for (see :func:`ladder_candidates`); others stay.
    stage : int8 ndarray of shape (n,)
        Behaviors held (0..B).
    tally : float64 ndarray of shape (B, n)
    strength : float64 ndarray of shape (n,)
        Influence-weighted strength of each person (the peer share's denominator).
    peer_weight : float
    demand : float64 ndarray of shape (B,)
        Each behavior's reinforcement demand, in tally units (0: none); see
        :func:`sim.kernels.ladder_parts.reinforced`.
    fixed_gap : float64 ndarray of shape (B, n)
        The parts of ``S - T`` fixed by the person and the plan.
    manager : int32 ndarray of shape (n,)
        Manager of each person, -1 for the top.
    endorsing : bool ndarray of shape (n,)
        Whether a person endorses the behaviors they hold to their reports.
    endorsement : float64 ndarray of shape (n,)
        ``manager_weight * g(trust_i)`` (negative: reactance).
    team : int32 ndarray of shape (B, n), or (B, 0) with ``identity``
        ``team[b, m]``: reports of ``m`` holding ``b``.
    identity : float64 ndarray of shape (n,), or (0,) when nobody identifies
        ``identity_weight * identification_i / (team-mates of i)``: the weight of each
        team-mate holding a rung (:func:`sim.kernels.ladder_parts.identified`).
    unit : int32 ndarray of shape (n,)
        Row of ``shared`` for each person.
    shared : float64 ndarray of shape (B, U)
        The parts of ``S`` shared by a unit: visibility and content.
    rate, noise, lapse_rate, churn, hysteresis : float
    key : uint64
        This week's key, drawn from the run's generator.
    draws : bool
        False when every decision is certain (``noise == 0``, ``rate == 1``,
        ``lapse_rate`` and ``churn`` 0 or 1): then no uniform is used.
    out : int8 ndarray of shape (k,)
        Written: the change of each one's stage.
    ceiling : float32 ndarray of shape (n,)
        Written for ``ids``: at least the gap of their next behavior, without
        its shared part.
    watch : uint8 ndarray of shape (n,)
        Written for ``ids``: whether they may lapse.
    peak : int8 ndarray of shape (n,)
        The most behaviors each person has held so far.
    return_rate : float
        The weekly rate, at most ``rate``, of taking up again a behavior one has
        dropped (the candidate bounds assume ``rate``).
    attention : float64 ndarray of shape (n,)
        In [0, 1]: how often each one looks at the platform, a factor of their rate.
    """
    top = fixed_gap.shape[0]
    n = stage.shape[0]
    tail = rate * TAIL
    last = ids.shape[0]
    for k in prange(last):
        # The ids are scattered: ask for what a later one reads, first its
        # stage, then the rows that stage picks (flat indices: C-order arrays).
        if k + 2 * _AHEAD_IDS < last:
            prefetch(stage, ids[k + 2 * _AHEAD_IDS])
        if k + _AHEAD_IDS < last:
            ahead = ids[k + _AHEAD_IDS]
            rung = min(np.int64(stage[ahead]), top - 1)
            for b in range(max(rung - 1, 0), rung + 1):
                prefetch(tally, b * n + ahead)
                prefetch(fixed_gap, b * n + ahead)
            prefetch(strength, ahead)
            prefetch(manager, ahead)
            prefetch(endorsement, ahead)
            prefetch(unit, ahead)
            prefetch(ceiling, ahead)
        i = ids[k]
        change = 0
        s = stage[i]
        u = week_uniform(key, i) if draws else 0.0
        lapsing = False
        below = 0.0  # the gap of behavior s - 1 without the shared part
        above = 0.0  # and of behavior s
        if s > 0:
            core = gap_core(i, s - 1, tally, strength, peer_weight, demand, fixed_gap)
            e = formal(i, s - 1, stage, manager, endorsing, endorsement, team, identity)
            below = core + e
            if core + shared[s - 1, unit[i]] + e < -hysteresis:
                lapsing = True  # a lapsing person does not advance
                if lapse_rate > 0.0 and (lapse_rate >= 1.0 or u < lapse_rate):
                    change = -1
            elif churn > 0.0:
                if churn >= 1.0 or u < churn:
                    change = -1  # a habit dropped whatever the signal
                    lapsing = True
                else:
                    # The rest of the draw, uniform again, decides an advance.
                    u = (u - churn) / (1.0 - churn)
        if s < top:
            core = gap_core(i, s, tally, strength, peer_weight, demand, fixed_gap)
            e = formal(i, s, stage, manager, endorsing, endorsement, team, identity)
            above = core + e
            if not lapsing:
                gap = core + shared[s, unit[i]] + e
                r = (rate if s >= peak[i] else return_rate) * attention[i]
                if noise == 0.0:
                    if gap >= 0.0 and (r >= 1.0 or u < r):
                        change = 1
                else:
                    x = gap / noise
                    # sigmoid(x) < e^x: far below the threshold the draw
                    # decides without the exp, with the same result (r <= rate).
                    if (x >= -FAR or u < tail) and u < r / (1.0 + np.exp(-x)):
                        change = 1
        out[k] = change
        # Bounds for the stage held after this week, from this week's state;
        # the week's pushes and managers' changes loosen them afterwards.
        after = s + change
        if change > 0:
            below = above
            if after < top:
                above = gap_core(
                    i, after, tally, strength, peer_weight, demand, fixed_gap
                ) + formal(i, after, stage, manager, endorsing, endorsement, team, identity)
        elif change < 0:
            above = below
            if after > 0:
                below = gap_core(
                    i, after - 1, tally, strength, peer_weight, demand, fixed_gap
                ) + formal(i, after - 1, stage, manager, endorsing, endorsement, team, identity)
        ceiling[i] = ceiling_of(above) if after < top else NO_CEILING
        watch[i] = after > 0 and below < MARGIN - hysteresis


ladder_decide, ladder_decide_serial = twins(ladder_decide)


#: How far ahead ladder_push asks for rows: row pointers, then the rows.
_AHEAD_POINTERS = 32
_AHEAD_ROWS = 16


def ladder_push(indptr, indices, weights, unit_weights, influence, changed, rung, change, blocks,
                tally, stage, peer_weight, demand, inverse_strength, ceiling, watch):  # fmt: skip
    """Apply a week's changes to ``tally``, loosening ceilings and watches, along ties (in place).

    Cheap when few people change: visits only their ties. Each thread takes
    one block of target people and, rows being sorted, only the part of each
    changed person's row inside its block, so writes never collide and every
    target receives its additions in the order of ``changed`` whatever the
    number of threads.

    Parameters
    ----------
    indptr : int64 ndarray of shape (n + 1,)
    indices : uint32 ndarray of shape (nnz,)
        The network's ties, each row sorted (as every ``Network`` keeps them):
        a thread finds its block's part of a row by bisection.
    weights : float64 ndarray of shape (nnz,)
    unit_weights : bool
        Every weight is 1 (then ``weights`` is not read).
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
    stage : int8 ndarray of shape (n,)
        Behaviors held once this week's changes are made: only the bounds of
        neighbours whose next behavior (for a ceiling) or top behavior (for a
        watch) is the one that changed can move.
    peer_weight : float
    demand : float64 ndarray of shape (B,)
        The rule's: a tally rising by ``x`` raises a gap by at most
        ``peer_weight * x * inverse_strength[i]``, or on a rung with a
        reinforcement demand ``d``, by ``peer_weight`` times the rise of
        ``reinforced(tally, d)``.
    inverse_strength : float32 ndarray of shape (n,)
        At least ``1 / strength``.
    ceiling : float32 ndarray of shape (n,)
        Raised at the neighbours of people taking something up.
    watch : uint8 ndarray of shape (n,)
        Set at the neighbours of people dropping something.
    """
    n = tally.shape[1]
    m = changed.shape[0]
    for block in prange(blocks):
        lo = n * block // blocks
        hi = n * (block + 1) // blocks
        for k in range(m):
            if k + _AHEAD_POINTERS < m:
                prefetch(indptr, changed[k + _AHEAD_POINTERS])
            if k + _AHEAD_ROWS < m:
                ahead = indptr[changed[k + _AHEAD_ROWS]]
                prefetch(indices, ahead)
                if not unit_weights:
                    prefetch(weights, ahead)
            j = changed[k]
            b = rung[k]
            up = change[k] > 0
            f = influence[j] if up else -influence[j]
            start = indptr[j]
            stop = indptr[j + 1]
            if block > 0:
                start += np.searchsorted(indices[start:stop], lo)
            if block < blocks - 1:
                stop = start + np.searchsorted(indices[start:stop], hi)
            for t in range(start, stop):
                i = indices[t]
                x = f if unit_weights else weights[t] * f
                total = tally[b, i] + x
                tally[b, i] = total
                if up and stage[i] == b:
                    # The tally's own rounding (at most |total| 2^-53) is
                    # counted in, so the ceiling stays above the gap. A NaN
                    # rise (0 * an infinite inverse: nothing to add) is skipped.
                    d = demand[b]
                    if d <= 0.0:
                        rise = (x + abs(total) * ROUNDING) * peer_weight * inverse_strength[i]
                    else:
                        # reinforced() has a slope of at most 2 / d and rounds
                        # by a few 2^-53 of its value (at most 1).
                        gain = reinforced(total, d) - reinforced(total - x, d)
                        rise = (gain + 2.0 * abs(total) * ROUNDING / d + ROUNDING) * peer_weight
                    if rise > 0.0:
                        ceiling[i] = ceiling_of(ceiling[i] + rise)
                elif not up and stage[i] == b + 1:
                    watch[i] = 1


ladder_push, ladder_push_serial = twins(ladder_push)


@njit(cache=True)
def ladder_restage(changed, change, week, stage, unit, unit_holders, manager, team, adopted_at,
                   rung, new, lapses, peak):  # fmt: skip
    """Apply a week's changes to the stages and what is counted from them (in place).

    :func:`ladder_push` and :func:`ladder_pull` update ``tally`` apart. One
    pass instead of a dozen small array operations: in small orgs those cost
    more than the week's kernels.

    Parameters
    ----------
    changed : int64 ndarray of shape (k,)
    change : int8 ndarray of shape (k,)
        +1 or -1.
    week : int
    stage : int8 ndarray of shape (n,)
    unit : int32 ndarray of shape (n,)
    unit_holders : int64 ndarray of shape (B, U)
    manager : int32 ndarray of shape (n,)
    team : int32 ndarray of shape (B, n), or (B, 0) to keep none
        ``team[b, m]``: reports of ``m`` holding ``b``.
    adopted_at : int32 ndarray of shape (n,)
        Set to ``week`` for people taking up the first behavior for the first time.
    rung : int8 ndarray of shape (k,)
        Written: the behavior each one takes up or drops.
    new, lapses : int64 ndarrays of shape (B,)
        Written: people taking up and dropping each behavior.
    peak : int8 ndarray of shape (n,)
        Raised to the stage of people taking up a behavior they never held.
    """
    new[:] = 0
    lapses[:] = 0
    keep_team = team.shape[1] > 0
    for k in range(changed.shape[0]):
        j = changed[k]
        if change[k] > 0:
            b = stage[j]
            stage[j] = b + 1
            new[b] += 1
            if b == 0 and adopted_at[j] < 0:
                adopted_at[j] = week
            if b + 1 > peak[j]:
                peak[j] = b + 1
        else:
            b = stage[j] - 1
            stage[j] = b
            lapses[b] += 1
        rung[k] = b
        unit_holders[b, unit[j]] += change[k]
        if keep_team and manager[j] >= 0:
            team[b, manager[j]] += change[k]


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


ladder_pull, ladder_pull_serial = twins(ladder_pull)


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


ladder_tally, ladder_tally_serial = twins(ladder_tally)


def influence_strength(indptr, indices, weights, influence, out):
    """``out[i] = sum_j w_ij * influence_j``: the denominator of peer shares."""
    n = indptr.shape[0] - 1
    for i in prange(n):
        total = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            total += weights[t] * influence[indices[t]]
        out[i] = total


influence_strength, influence_strength_serial = twins(influence_strength)


@njit(cache=True)
def team_holders(stage, manager, out):
    """``out[b, m]``: reports of ``m`` holding behavior ``b``, from scratch (int32 (B, n),
    written; nothing when it has no columns: nobody identifies)."""
    out[:] = 0
    if out.shape[1] == 0:
        return
    for i in range(stage.shape[0]):
        m = manager[i]
        if m >= 0:
            for b in range(stage[i]):
                out[b, m] += 1
