"""Who can possibly change this week: bounds that spare the exact decision.

Most people are far from taking up their next behavior: in a week only those
whose draw falls below ``rate * sigmoid(gap / noise)`` advance, and for most
of them that chance is tiny. Deciding everyone exactly each week reads about
70 bytes a person, scattered over a dozen arrays; instead each person carries
two cheap bounds, kept by the state:

``ceiling[i]`` (float32)
    at least the gap of their next behavior without its shared part
    (visibility and content, the same for a whole unit and added each week);
``watch[i]`` (uint8)
    1 unless the gap of their top behavior, which the shared part (never
    negative) can only raise, is certainly at or above ``-hysteresis``.

Each week :func:`ladder_candidates` bounds every person's chance from their
ceiling and keeps whoever's draw falls below it, or who is watched and draws
below the lapse rate: one pass over a few compact arrays, vectorised. Only
they are decided exactly (:func:`sim.kernels.ladder.ladder_decide`, which
also refreshes their bounds), so the results are exactly those of deciding
everyone.

Between exact refreshes bounds only move the safe way: a push raises the
ceilings of neighbours for whom the behavior taken up is the next one, and
watches those for whom the behavior dropped is their top one; a manager who
changes loosens the bounds of their reports (:func:`ladder_loosen`), and anyone
who changes those of their team-mates (:func:`ladder_loosen_team`); a new
week of the plan recomputes them all (:func:`ladder_bounds`).
"""

import numpy as np
from numba import njit, prange, uint64

from sim.kernels._prefetch import prefetch
from sim.kernels._twins import twins
from sim.kernels.ladder_parts import (
    MARGIN,
    NO_CEILING,
    ceiling_of,
    formal,
    gap_core,
    week_bits,
)

#: Relative slack on a bounded chance: far above the rounding of the exact
#: ``rate / (1 + exp(-x))``, far below anything a draw could turn on.
_CHANCE_SLACK = 1.0 + 1e-9


@njit(cache=True, inline="always")
def sigmoid_ceiling(x):
    """At least ``sigmoid(x)`` for ``x <= 0``, without ``exp`` (so the scan vectorises).

    ``e^t <= 1 + t + t^2 / 2`` for ``t <= 0``, so with ``t = x / 16`` the
    16th power of that bounds ``e^x``; below ``x = -8`` it bounds ``e^-8``,
    which the exact decision also treats as its tail. Within 1.7x of the
    sigmoid over [-8, 0].
    """
    t = max(x, -8.0) * 0.0625
    e = 1.0 + t + 0.5 * t * t
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    # The products' own rounding (~2e-15) is covered by the last factor.
    return e / (1.0 + e) * (1.0 + 1e-12)


def lapse_cut(lapse_rate):
    """``(bits >> 11) < lapse_cut(rate)`` whenever the draw ``u < rate`` (a uint64)."""
    if lapse_rate <= 0.0:
        return np.uint64(0)
    if lapse_rate >= 1.0:
        return np.uint64(2**53)
    return np.uint64(int(lapse_rate * 2.0**53) + 1)


#: Ladders up to this long get their shared parts as a tuple (see shared_steps).
STEPS_AS_TUPLE = 16


def shared_steps(shared):
    """Per-stage shared part of the ceiling test, as :func:`ladder_candidates` takes it.

    ``d`` with ``sum(d[b] for b <= s)`` equal (to rounding) to the largest
    shared part of behavior ``s`` over units. A tuple of B floats, so that the
    scan picks each person's entry without a gather and stays vectorised (one
    compiled scan per ladder length); an array for ladders longer than
    ``STEPS_AS_TUPLE``, which parallel regions cannot take as tuples.
    """
    largest = shared.max(axis=1)
    if largest.shape[0] > STEPS_AS_TUPLE:
        return np.diff(largest, prepend=0.0)
    largest = largest.tolist()  # plain floats: a week's few steps cost microseconds
    return tuple(b - a for a, b in zip([0.0, *largest[:-1]], largest, strict=True))


def ladder_candidates(access, stage, ceiling, watch, steps, rate, noise, churn, key, draws,
                      lapse_cut, out):  # fmt: skip
    """Who may change this week (bool, written to ``out``); everyone else surely stays.

    Parameters
    ----------
    access : bool ndarray of shape (n,)
    stage : int8 ndarray of shape (n,)
    ceiling : float32 ndarray of shape (n,)
    watch : uint8 ndarray of shape (n,)
    steps : tuple of B floats, or float64 ndarray of shape (B,)
        :func:`shared_steps` of this week's shared parts.
    rate, noise, churn : float
        The rule's: a holder drops their top behavior when the draw is below ``churn``
        and may advance only when it is below ``churn`` plus the chance.
    key : uint64
        This week's key (as for :func:`sim.kernels.ladder.ladder_decide`).
    draws : bool
        False when no decision uses a draw (every draw then counts as 0).
    lapse_cut : uint64
        :func:`lapse_cut` of the lapse rate.
    out : bool ndarray of shape (n,)
    """
    for i in prange(stage.shape[0]):
        bits = week_bits(key, i) if draws else uint64(0)
        u = float(bits >> uint64(11)) * (1.0 / 9007199254740992.0)
        s = stage[i]
        shared = 0.0
        for b in range(len(steps)):
            shared += steps[b] * (s >= b)
        gap = ceiling[i] + shared + MARGIN
        # "not below": a NaN bound (from overflowing inputs) keeps the person.
        if noise > 0.0:
            x = gap / noise  # as the exact decision divides: no 0 * inf
            chance = rate if not x < 0.0 else rate * sigmoid_ceiling(x)
        else:
            chance = rate if not gap < 0.0 else 0.0
        advance = u < (chance + churn * (s > 0)) * _CHANCE_SLACK
        lapse = (watch[i] != 0) & ((bits >> uint64(11)) < lapse_cut)
        out[i] = access[i] & (advance | lapse)


ladder_candidates, ladder_candidates_serial = twins(ladder_candidates)


@njit(cache=True, inline="always")
def person_bounds(i, stage, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing,
                  endorsement, team, identity, hysteresis, ceiling, watch):  # fmt: skip
    """Person ``i``'s exact ceiling and watch (see :func:`ladder_bounds`), in place."""
    top = fixed_gap.shape[0]
    s = stage[i]
    if s < top:
        above = gap_core(i, s, tally, strength, peer_weight, demand, fixed_gap) + formal(
            i, s, stage, manager, endorsing, endorsement, team, identity
        )
        ceiling[i] = ceiling_of(above)
    else:
        ceiling[i] = NO_CEILING
    below = 0.0
    if s > 0:
        below = gap_core(i, s - 1, tally, strength, peer_weight, demand, fixed_gap) + formal(
            i, s - 1, stage, manager, endorsing, endorsement, team, identity
        )
    watch[i] = s > 0 and below < MARGIN - hysteresis


def ladder_bounds(stage, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing,
                  endorsement, team, identity, hysteresis, ceiling, watch):  # fmt: skip
    """Everyone's exact ceiling and watch from the current state (in place).

    Parameters
    ----------
    stage, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing, endorsement
    team, identity
        As for :func:`sim.kernels.ladder.ladder_decide`.
    hysteresis : float
        The rule's: a top behavior whose gap is below ``-hysteresis`` may lapse.
    ceiling : float32 ndarray of shape (n,)
        Written: the gap of each one's next behavior without its shared part,
        rounded up (``NO_CEILING`` for people holding the whole ladder).
    watch : uint8 ndarray of shape (n,)
        Written: 1 where the top behavior's gap without its shared part is
        below ``-hysteresis``.
    """
    for i in prange(stage.shape[0]):
        person_bounds(i, stage, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing,
                      endorsement, team, identity, hysteresis, ceiling, watch)  # fmt: skip


ladder_bounds, ladder_bounds_serial = twins(ladder_bounds)


#: How far ahead ladder_loosen asks for a changed person's row of reports.
_AHEAD_MANAGERS = 16


def ladder_loosen(changed, change, stage, reports_indptr, reports, endorsing, endorsement, ceiling,
                  watch):  # fmt: skip
    """Loosen the bounds of the reports of endorsing managers who changed (in place).

    A manager who takes up or drops behavior ``b`` turns their endorsement of
    ``b`` on or off: the gap of ``b`` moves by ``endorsement`` for each report,
    which matters only to reports whose next behavior (ceiling) or top
    behavior (watch) is ``b``. Each report has one manager, so managers can be
    taken in parallel.

    Parameters
    ----------
    changed : int64 ndarray of shape (k,)
        Distinct ids of who changed this week.
    change : int8 ndarray of shape (k,)
        +1 or -1.
    stage : int8 ndarray of shape (n,)
        Behaviors held once the week's changes are made.
    reports_indptr : int64 ndarray of shape (n + 1,)
    reports : int64 ndarray of shape (n - tops,)
        Direct reports of each person (``Org.reports_indptr``, ``Org.reports``):
        everyone appears once, under their one manager.
    endorsing : bool ndarray of shape (n,)
    endorsement : float64 ndarray of shape (n,)
    ceiling : float32 ndarray of shape (n,)
        Raised for reports whose next behavior the manager took up (or dropped, under reactance).
    watch : uint8 ndarray of shape (n,)
        Set for reports whose top behavior's endorsement went the wrong way.
    """
    last = changed.shape[0]
    for k in prange(last):
        if k + _AHEAD_MANAGERS < last:
            prefetch(reports_indptr, changed[k + _AHEAD_MANAGERS])
        j = changed[k]
        if not endorsing[j]:
            continue
        up = change[k] > 0
        b = stage[j] - 1 if up else stage[j]
        for t in range(reports_indptr[j], reports_indptr[j + 1]):
            r = reports[t]
            e = endorsement[r]
            # The gap of b rises by e when the manager takes b up, falls when they drop it.
            rise = e if up else -e
            if rise > 0.0 and stage[r] == b:
                ceiling[r] = ceiling_of(ceiling[r] + rise)
            elif rise < 0.0 and stage[r] == b + 1:
                watch[r] = 1


ladder_loosen, ladder_loosen_serial = twins(ladder_loosen)


@njit(cache=True)
def ladder_loosen_team(changed, change, stage, manager, reports_indptr, reports, identity, ceiling,
                       watch):  # fmt: skip
    """Loosen the bounds of the team-mates of everyone who changed (in place).

    A person who takes up or drops behavior ``b`` moves the collective-identity term of
    ``b`` by ``identity[r]`` for each team-mate ``r`` (the manager's other reports), which
    matters only to those whose next behavior (ceiling) or top behavior (watch) is ``b``.
    Serial: team-mates who change in one week share the people they loosen. Nothing to do
    when nobody identifies (``identity`` empty).

    Parameters
    ----------
    changed, change, stage, reports_indptr, reports, ceiling, watch
        As for :func:`ladder_loosen`.
    manager : int32 ndarray of shape (n,)
    identity : float64 ndarray of shape (n,), or (0,)
        As for :func:`sim.kernels.ladder.ladder_decide`.
    """
    if identity.shape[0] == 0:
        return
    for k in range(changed.shape[0]):
        j = changed[k]
        m = manager[j]
        if m < 0:
            continue
        up = change[k] > 0
        b = stage[j] - 1 if up else stage[j]
        for t in range(reports_indptr[m], reports_indptr[m + 1]):
            r = reports[t]
            rise = identity[r]
            if r == j or rise <= 0.0:
                continue
            if up and stage[r] == b:
                ceiling[r] = ceiling_of(ceiling[r] + rise)
            elif not up and stage[r] == b + 1:
                watch[r] = 1
