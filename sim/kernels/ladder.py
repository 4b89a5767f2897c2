"""Kernels of the organizational rule: a ladder of behaviors, one step a week.

Each person holds a ``stage``: how many behaviors of the ladder they have
adopted (0 = none; a person may only take up behavior ``b`` once they hold
``b - 1``). A week, every person with access either advances one rung, lapses
from their top rung, or stays (:func:`ladder_decide`); the changes are then
applied together (:func:`ladder_push` or :func:`ladder_recount`), which keeps
the decisions synchronous.

``tally[b, i]`` is the influence-weighted sum of person ``i``'s ties to people
holding behavior ``b``: the numerator of the peer share ``P_ib``.
"""

import numpy as np
from numba import njit, prange

# Positions in the ``coef`` array of :func:`ladder_decide`.
PEER, MANAGER, COMMITMENT, VISIBILITY, CONTENT = 0, 1, 2, 3, 4
SAFETY, TRAINING, HYSTERESIS, RATE, NOISE, LAPSE = 5, 6, 7, 8, 9, 10
N_COEF = 11


@njit(cache=True, inline="always")
def _signal_gap(i, b, stage, tally, denom, manager, endorsing, gain, trust, theta,
                risk_aversion, trained, learning, difficulty, risk, unit, seen_share, coef,
                commitment, content):  # fmt: skip
    """``S_ib - T_ib`` of DESIGN §3 for person ``i`` and behavior ``b``."""
    peer = tally[b, i] / denom[i] if denom[i] > 0.0 else 0.0
    m = manager[i]
    endorsed = 1.0 if m >= 0 and stage[m] > b and endorsing[m] else 0.0
    signal = (
        coef[PEER] * peer
        + coef[MANAGER] * endorsed * gain[i]
        + coef[COMMITMENT] * commitment * trust[i]
        + coef[VISIBILITY] * seen_share[b, unit[i]]
        + coef[CONTENT] * content
    )
    threshold = (
        theta[i]
        + difficulty[b] * (1.0 - learning[i])
        + risk[b] * risk_aversion[i] * (1.0 - coef[SAFETY])
        - coef[TRAINING] * trained[i]
    )
    return signal - threshold


@njit(cache=True, parallel=True)
def ladder_decide(stage, access, tally, denom, manager, endorsing, gain, trust, theta,
                  risk_aversion, trained, learning, difficulty, risk, unit, seen_share, coef,
                  commitment, content, u, out):  # fmt: skip
    """Who advances a rung (+1), lapses from their top rung (-1) or stays (0).

    A person whose top behavior's signal has fallen below its threshold minus
    ``hysteresis`` lapses with probability ``lapse_rate`` and does not advance
    that week; anyone else with access advances with probability
    ``rate * sigmoid((S - T) / noise)`` (``rate`` if ``S >= T`` when
    ``noise == 0``). People without access never change.

    Parameters
    ----------
    stage : int8 ndarray of shape (n,)
        Behaviors held (0..B).
    access : bool ndarray of shape (n,)
    tally : float64 ndarray of shape (B, n)
    denom : float64 ndarray of shape (n,)
        Influence-weighted strength: ``tally[b, i] / denom[i]`` is the peer share.
    manager : int64 ndarray of shape (n,)
        Manager of each person, -1 for the top.
    endorsing : bool ndarray of shape (n,)
        Whether a person endorses the behaviors they hold to their reports.
    gain : float64 ndarray of shape (n,)
        ``g(trust_i)``: response to an endorsing manager (negative = reactance).
    trust, theta, risk_aversion, trained, learning : float64 ndarrays of shape (n,)
    difficulty, risk : float64 ndarrays of shape (B,)
    unit : int32 ndarray of shape (n,)
        Row of ``seen_share`` for each person (all 0 for company-wide visibility).
    seen_share : float64 ndarray of shape (B, U)
        Adoption share of each behavior among the people one can see.
    coef : float64 ndarray of shape (11,)
        The rule's weights and rates, in the order of the module constants.
    commitment, content : float
        ``c(t)`` and ``C(t)`` of this week.
    u : float64 ndarray of shape (n,) or (0,)
        One uniform draw per person; may be empty when every decision is
        certain (``noise == 0``, ``rate == 1`` and ``lapse_rate`` 0 or 1).
    out : int8 ndarray of shape (n,)
        Written: the change of each person's stage.
    """
    n = stage.shape[0]
    top = difficulty.shape[0]
    rate = coef[RATE]
    noise = coef[NOISE]
    lapse = coef[LAPSE]
    hysteresis = coef[HYSTERESIS]
    for i in prange(n):
        change = 0
        s = stage[i]
        if access[i]:
            lapsing = False
            if s > 0:
                gap = _signal_gap(i, s - 1, stage, tally, denom, manager, endorsing, gain,
                                  trust, theta, risk_aversion, trained, learning, difficulty,
                                  risk, unit, seen_share, coef, commitment, content)  # fmt: skip
                if gap < -hysteresis:
                    lapsing = True
                    if lapse > 0.0 and (lapse >= 1.0 or u[i] < lapse):
                        change = -1
            if not lapsing and s < top:
                gap = _signal_gap(i, s, stage, tally, denom, manager, endorsing, gain, trust,
                                  theta, risk_aversion, trained, learning, difficulty, risk,
                                  unit, seen_share, coef, commitment, content)  # fmt: skip
                if noise == 0.0:
                    p = rate if gap >= 0.0 else 0.0
                else:
                    p = rate / (1.0 + np.exp(-gap / noise))
                if p > 0.0 and (p >= 1.0 or u[i] < p):
                    change = 1
        out[i] = change


@njit(cache=True)
def ladder_push(indptr, indices, weights, influence, changed, change, stage, tally, unit,
                unit_holders):  # fmt: skip
    """Apply a week's changes, pushing each along its ties (in place).

    Cheap when few people change: visits only their ties.

    Parameters
    ----------
    changed : int64 ndarray of shape (k,)
        Distinct ids of the people whose stage changes.
    change : int8 ndarray of shape (k,)
        +1 (adopts the next behavior) or -1 (drops the top one).
    stage : int8 ndarray of shape (n,)
        Updated in place.
    tally : float64 ndarray of shape (B, n)
        Updated in place at the neighbours of ``changed``.
    unit_holders : int64 ndarray of shape (B, U)
        Holders of each behavior per unit; updated in place.
    """
    for k in range(changed.shape[0]):
        j = changed[k]
        if change[k] > 0:
            b = stage[j]
            stage[j] = b + 1
            sign = 1.0
        else:
            b = stage[j] - 1
            stage[j] = b
            sign = -1.0
        unit_holders[b, unit[j]] += change[k]
        f = sign * influence[j]
        for t in range(indptr[j], indptr[j + 1]):
            tally[b, indices[t]] += weights[t] * f


@njit(cache=True)
def ladder_restage(changed, change, stage, unit, unit_holders):
    """Apply a week's changes to ``stage`` and ``unit_holders`` only (in place).

    Used before :func:`ladder_recount`, which rebuilds the tally from scratch.
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
def ladder_recount(indptr, indices, weights, influence, stage, tally):
    """Rebuild ``tally`` (B, n) from ``stage`` by reading every tie once.

    Each row is summed in CSR order whatever the number of threads.
    """
    n = stage.shape[0]
    top = tally.shape[0]
    for i in prange(n):
        for b in range(top):
            tally[b, i] = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            s = stage[j]
            if s > 0:
                w = weights[t] * influence[j]
                for b in range(s):
                    tally[b, i] += w


@njit(cache=True, parallel=True)
def influence_strength(indptr, indices, weights, influence, out):
    """``out[i] = sum_j w_ij * influence_j``: the denominator of peer shares."""
    n = indptr.shape[0] - 1
    for i in prange(n):
        total = 0.0
        for t in range(indptr[i], indptr[i + 1]):
            total += weights[t] * influence[indices[t]]
        out[i] = total
