"""A whole run of the organizational rule as one compiled call, and replications in a batch.

:func:`ladder_run` is the week loop of :class:`sim.model.OrgModel` under the
organizational rule, written once more without Python between the weeks: the
rollout's schedule (waves of access, the launch message, endorsement,
training by capacity, learning from the pilot), the fixed parts of every gap,
the exact bounds, the decisions, the pushes and the week's records. It calls
the serial twins of the very kernels a stepped run calls, in the same order
on the same arrays, so a compiled run gives the stepped run's numbers to the
last bit (a test compares them for every rollout preset); what is computed
here rather than in numpy (the schedule's arrays, the gap's fixed parts, the
shared parts) repeats the numpy expressions operation for operation.

:func:`ladder_runs` runs a batch of replications, one :func:`ladder_run` each,
without the GIL, so that a caller may run batches on several threads.

Every draw of a run is made before it (the weekly keys come from the run's
generator in one call, which yields what one call a week yields).
"""

import numpy as np
from numba import njit

from sim.kernels.ladder import (
    influence_strength_serial,
    ladder_decide_serial,
    ladder_pull_serial,
    ladder_push_serial,
    ladder_restage,
    team_holders,
)
from sim.kernels.ladder_bounds import (
    ladder_bounds_serial,
    ladder_candidates_serial,
    ladder_loosen_serial,
    ladder_loosen_team,
    person_bounds,
)
from sim.kernels.ladder_parts import ceiling_of

#: A pushed tie costs this many read ties (sim.ladder's choice between push and pull).
PUSH_COST = 8

#: Indices of the rule's constants in ``params`` (see :func:`ladder_run`).
P_PEER, P_RATE, P_NOISE, P_LAPSE, P_HYSTERESIS, P_VISIBILITY, P_CONTENT = range(7)
P_OWNERSHIP, P_GENERATIVE, P_COMMITMENT, P_COVERAGE, P_TRAINING, P_SAFETY = range(7, 13)
P_LEARNING, P_CHURN, P_RETURN = 13, 14, 15
N_PARAMS = 16

#: Indices of the schedule's settings in ``schedule`` (see :func:`ladder_run`).
S_SCHEDULED, S_EXPAND_WEEK, S_EXPAND_SHARE, S_WAVE_WEEKS, S_ENDORSE = range(5)
S_COMMITMENT, S_CAPACITY, S_LIMIT, S_LEARNING, S_SAFETY, S_CHAMPIONS = range(5, 11)
N_SCHEDULE = 11


@njit(cache=True)
def content_share(generative, creator_weeks):
    """``C(t) = 1 - exp(-generative * K(t))``, with the exp every run uses (libm's)."""
    return 1.0 - np.exp(-generative * creator_weeks)


@njit(cache=True)
def _fixed_gap(params, difficulty, risk, voice, threshold, risk_aversion, trust, person_voice,
               trained, learning, commitment, coverage, safety, ids, count, out):  # fmt: skip
    """The parts of ``S - T`` fixed by the plan's week and the person (as the rule's _fixed),
    for ``ids[:count]``, or for everyone when ``count < 0``."""
    scale = coverage ** params[P_COVERAGE]
    last = out.shape[1] if count < 0 else count
    for k in range(last):
        i = k if count < 0 else ids[k]
        own = (
            params[P_COMMITMENT] * (commitment[i] * scale) * trust[i]
            + params[P_TRAINING] * trained[i]
            + params[P_LEARNING] * learning[i]
        )
        exposure = risk_aversion[i] * (1.0 - safety)
        reticence = 1.0 - person_voice[i]
        for b in range(out.shape[0]):
            v = voice[b]
            out[b, i] = (
                own
                - ((1.0 - v) * threshold[i] + v * reticence)
                - difficulty[b]
                - risk[b] * exposure
            )


@njit(cache=True)
def _bounds_of(ids, count, stage, tally, strength, peer_weight, demand, fixed_gap, manager,
               endorsing, endorsement, team, identity, hysteresis, ceiling, watch):  # fmt: skip
    """:func:`~sim.kernels.ladder_bounds.ladder_bounds` for ``ids[:count]`` only."""
    for k in range(count):
        person_bounds(ids[k], stage, tally, strength, peer_weight, demand, fixed_gap, manager,
                      endorsing, endorsement, team, identity, hysteresis, ceiling,
                      watch)  # fmt: skip


@njit(cache=True)
def _capacity_left(schedule, trained_count):
    capacity = np.int64(schedule[S_CAPACITY])
    limit = np.int64(schedule[S_LIMIT])
    if limit < 0:
        return capacity
    left = limit - (trained_count - np.int64(schedule[S_CHAMPIONS]))
    return max(np.int64(0), min(capacity, left))


@njit(cache=True)
def _open_waves(t, schedule, n_waves, opened, wave_of, access_week, first_wave, learners,
                stage, n_behaviors, learned):  # fmt: skip
    """Open the waves due in week ``t`` (the schedule's _open_waves); return how many opened."""
    count = 0
    while opened[0] < n_waves:
        k = opened[0]
        if k == 1:
            expand_week = schedule[S_EXPAND_WEEK]
            due = expand_week >= 0 and t >= expand_week
            share = schedule[S_EXPAND_SHARE]
            # A first wave of nobody never reaches a share (the schedule's 0 / 0 is NaN).
            if not due and not np.isnan(share) and first_wave.shape[0]:
                using = 0
                for i in first_wave:
                    using += stage[i] > 0
                due = using / first_wave.shape[0] >= share
        else:
            due = t >= opened[k] + schedule[S_WAVE_WEEKS]
        if not due:
            break
        held = 0.0
        learning = schedule[S_LEARNING]
        if learning > 0.0 and learners.shape[0]:
            total = 0
            for i in learners:
                total += stage[i]
            held = total / learners.shape[0] / n_behaviors
        for i in range(wave_of.shape[0]):
            if wave_of[i] == k:
                access_week[i] = t
                if learning > 0.0 and learners.shape[0]:
                    learned[i] = learning * held
        opened[0] = k + 1
        opened[k + 1] = t
        count += 1
    return count


@njit(cache=True)
def _train(schedule, trained, trained_count, access_week, order, tie_order, stage, n_behaviors):
    """Train this week's people (the schedule's _train); return the new count trained."""
    capacity = _capacity_left(schedule, trained_count)
    if capacity == 0:
        return trained_count
    chosen = 0
    if order.shape[0]:
        for i in order:
            if chosen == capacity:
                break
            if access_week[i] >= 0 and not trained[i]:
                trained[i] = True
                chosen += 1
        return trained_count + chosen
    # Most behaviors held first, ties in tie order (a stable sort by -stage).
    waiting = np.zeros(tie_order.shape[0], dtype=np.bool_)
    for k in range(tie_order.shape[0]):
        i = tie_order[k]
        waiting[k] = access_week[i] >= 0 and not trained[i]
    for s in range(n_behaviors, -1, -1):
        for k in range(tie_order.shape[0]):
            if chosen == capacity:
                return trained_count + chosen
            i = tie_order[k]
            if waiting[k] and stage[i] == s:
                trained[i] = True
                chosen += 1
    return trained_count + chosen


@njit(cache=True)
def _compose(t, schedule, access_week, delay, trained, learned, access, trained_f, endorsing,
             volunteer, learning_f, commitment_f, touched, speakers):  # fmt: skip
    """Week ``t``'s arrays from the schedule (the schedule's _compose), in place.

    A manager endorses when the rollout's message has reached them and it asks
    managers to, or, in any rollout, from the week they have access when they
    endorse unasked (``volunteer``: ``Organizational.endorsing``).

    Return ``(touched_count, speakers_count, coverage, message_done)``: the people
    whose arrays changed are written to ``touched``, those whose endorsement
    turned on or off to ``speakers``.
    """
    endorse = schedule[S_ENDORSE] != 0.0
    effort = schedule[S_COMMITMENT]
    count = 0
    spoke = 0
    with_access = 0
    message_done = True
    for i in range(access_week.shape[0]):
        has = access_week[i] >= 0
        reached = has and t >= access_week[i] + delay[i]
        if has and not reached:
            message_done = False
        with_access += has
        c = effort if reached else 0.0
        f = 1.0 if trained[i] else 0.0
        e = (reached and endorse) or (has and volunteer[i])
        if e != endorsing[i]:
            endorsing[i] = e
            speakers[spoke] = i
            spoke += 1
        if (access[i] != has or trained_f[i] != f or learning_f[i] != learned[i]
                or commitment_f[i] != c):  # fmt: skip
            access[i] = has
            trained_f[i] = f
            learning_f[i] = learned[i]
            commitment_f[i] = c
            touched[count] = i
            count += 1
    return count, spoke, with_access / access_week.shape[0], message_done


@njit(cache=True)
def _can_train(schedule, trained, trained_count, access_week):
    if _capacity_left(schedule, trained_count) <= 0:
        return False
    for i in range(access_week.shape[0]):
        if access_week[i] >= 0 and not trained[i]:
            return True
    return False


@njit(cache=True)
def _grant_access(t, access, access_since, vis_unit, vis_access):
    for i in range(access.shape[0]):
        if access[i] and access_since[i] < 0:
            access_since[i] = t
            vis_access[vis_unit[i]] += 1


@njit(cache=True)
def ladder_run(indptr, indices, weights, unit_weights, vis_unit, n_vis, unit, level, manager,
               reports_indptr, reports, params, deterministic, lapse_cut, difficulty, risk, voice,
               demand, threshold, risk_aversion, trust, influence, person_voice, endorsement,
               identity, attention, first, rungs, keys, schedule, wave_of, delay, first_wave,
               learners, order,
               tie_order, access, trained_f, endorsing, volunteer, learning_f, commitment_f,
               coverage, trained, n_waves, holders_w, new_w, lapses_w, access_w, trained_w, unit_w,
               level_w, stage, adopted_at, access_since, opened):  # fmt: skip
    """One run of the organizational rule, week 0 to ``holders_w.shape[0] - 1``.

    Parameters
    ----------
    indptr, indices, weights, unit_weights
        The informal network (as :func:`sim.kernels.ladder.ladder_push` takes it).
    vis_unit : int32 (n,), n_vis : int
        Whom one sees: one's unit (the org's units) or everyone (all 0, ``n_vis`` 1).
    unit, level : int64 (n,)
        The org's unit and level of each person, for the records by group.
    manager : int32 (n,); reports_indptr, reports : int64
        The hierarchy.
    params : float64 (N_PARAMS,)
        The rule's constants at the ``P_*`` indices (``P_SAFETY``: the rule's safety, or the
        plan's safety policy).
    deterministic : bool
        No decision draws (then ``keys`` is not read).
    lapse_cut : uint64
    difficulty, risk, voice, demand : float64 (B,)
        The ladder (``demand``: reinforcement, in tally units).
    threshold, risk_aversion, trust, influence, person_voice, endorsement : float64 (n,)
        The people (``endorsement``: ``manager_weight * g(trust)``).
    identity : float64 (n,), or (0,) when nobody identifies
        The weight of each team-mate holding a rung (as
        :func:`sim.kernels.ladder.ladder_decide` takes it).
    attention : float64 (n,)
        How often each one looks at the platform: a factor of their weekly rate.
    first : int64 (k,)
        Distinct ids of the initial adopters, holding ``rungs`` behaviors.
    keys : uint64 (T,)
        Each week's key, drawn from the run's generator.
    schedule : float64 (N_SCHEDULE,)
        The schedule's settings at the ``S_*`` indices (-1 or NaN for none); with
        ``S_SCHEDULED`` 0 the week's arrays below are a static plan's and never change.
    wave_of, delay : int64 (n,)
        Wave of each person's unit; weeks the launch message takes to reach them.
    first_wave, learners : int64
        The first wave's people, and those of them who learn for later waves.
    order, tie_order : int64
        Training priority (empty: most behaviors held first, ties in ``tie_order``).
    access, trained_f, endorsing, learning_f, commitment_f : (n,)
        Week 0's plan, updated in place week by week (``endorsing``: the rollout's
        and the volunteers').
    volunteer : bool (n,)
        Who endorses unasked once they have access (``Population.volunteers``).
    coverage : float
        Week 0's share with access.
    trained : bool (n,)
        Who has been trained (champions at week 0), updated in place.
    n_waves : int
    holders_w, new_w, lapses_w : int64 (W, B); access_w, trained_w : int64 (W,)
    unit_w : int64 (W, B, U); level_w : int64 (W, B, L)
        Written: the week's records, week 0 being the initial state (``trained_w``:
        people trained by the end of the week, champions included).
    stage : int8 (n,); adopted_at, access_since : int32 (n,)
        Written: the final state.
    opened : int64 (n_waves + 1,)
        Written: ``opened[0]`` waves opened, ``opened[1 + k]`` the week wave ``k`` opened.

    Returns
    -------
    int
        People trained by the end, champions included.
    """
    n = stage.shape[0]
    top = difficulty.shape[0]
    weeks = holders_w.shape[0]
    peer_weight, rate, noise = params[P_PEER], params[P_RATE], params[P_NOISE]
    lapse_rate, hysteresis = params[P_LAPSE], params[P_HYSTERESIS]
    churn = params[P_CHURN]
    return_rate = rate * params[P_RETURN]
    draws = not deterministic
    scheduled = schedule[S_SCHEDULED] != 0.0
    # -- week 0 ------------------------------------------------------------------------
    stage[:] = 0
    adopted_at[:] = -1
    access_since[:] = -1
    peak = np.zeros(n, dtype=np.int8)
    vis_holders = np.zeros((top, n_vis), dtype=np.int64)
    unit_holders = np.zeros((top, unit_w.shape[2]), dtype=np.int64)
    level_holders = np.zeros((top, level_w.shape[2]), dtype=np.int64)
    for j in first:
        stage[j] = rungs
        peak[j] = rungs
        adopted_at[j] = 0
        for b in range(rungs):
            vis_holders[b, vis_unit[j]] += 1
            unit_holders[b, unit[j]] += 1
            level_holders[b, level[j]] += 1
    # Team counts only when someone identifies: (B, n) int32 is the largest array kept.
    team = np.zeros((top, n if identity.shape[0] > 0 else 0), dtype=np.int32)
    team_holders(stage, manager, team)
    strength = np.empty(n, dtype=np.float64)
    influence_strength_serial(indptr, indices, weights, influence, strength)
    tally = np.empty((top, n), dtype=np.float64)
    # What ladder_tally computes, from the initial adopters' rows alone: they are
    # sorted and every row is, so each tally adds its terms in the CSR order of
    # its own row, as ladder_tally does (the same bits, without reading every tie).
    tally[:] = 0.0
    for j in first:
        f = influence[j]
        for t in range(indptr[j], indptr[j + 1]):
            i = indices[t]
            w = weights[t] * f
            for b in range(rungs):
                tally[b, i] += w
    inverse_strength = np.zeros(n, dtype=np.float32)
    for i in range(n):
        if strength[i] > 0.0:
            inverse_strength[i] = ceiling_of(1.0 / strength[i])
    holders = np.zeros(top, dtype=np.int64)
    for b in range(top):
        holders[b] = vis_holders[b].sum()
    vis_access = np.zeros(n_vis, dtype=np.int64)
    _grant_access(0, access, access_since, vis_unit, vis_access)
    holders_w[0] = holders
    new_w[0] = holders
    lapses_w[0] = 0
    access_w[0] = vis_access.sum()
    unit_w[0] = unit_holders
    level_w[0] = level_holders
    creator_weeks = holders[top - 1] / n
    opened[:] = -1
    opened[0] = 1
    opened[1] = 0
    trained_count = 0
    for i in range(n):
        trained_count += trained[i]
    trained_w[0] = trained_count
    access_week = np.where(wave_of == 0, 0, -1)
    settled = False
    if scheduled:
        message_done = True
        for i in range(n):
            if access_week[i] == 0 and delay[i] > 0:
                message_done = False
        settled = (n_waves == 1 and message_done
                   and not _can_train(schedule, trained, trained_count, access_week))  # fmt: skip
    safety = params[P_SAFETY]
    fixed = np.empty((top, n), dtype=np.float64)
    touched = np.empty(n, dtype=np.int64)
    speakers = np.empty(n, dtype=np.int64)
    _fixed_gap(params, difficulty, risk, voice, threshold, risk_aversion, trust, person_voice,
               trained_f, learning_f, commitment_f, coverage, safety, touched, -1,
               fixed)  # fmt: skip
    ceiling = np.empty(n, dtype=np.float32)
    watch = np.ones(n, dtype=np.uint8)
    ladder_bounds_serial(stage, tally, strength, peer_weight, demand, fixed, manager, endorsing,
                         endorsement, team, identity, hysteresis, ceiling, watch)  # fmt: skip
    stale = False
    learned = learning_f.copy()
    candidates = np.empty(n, dtype=np.bool_)
    shared = np.empty((top, n_vis), dtype=np.float64)
    seen = np.empty((top, n_vis), dtype=np.float64)
    steps = np.empty(top, dtype=np.float64)
    code = np.zeros(n, dtype=np.int8)
    new = np.zeros(top, dtype=np.int64)
    lapses = np.zeros(top, dtype=np.int64)
    mean_degree = indptr[n] / max(n, 1)
    ownership = params[P_OWNERSHIP]
    # -- the weeks -----------------------------------------------------------------------
    for t in range(1, weeks):
        full = stale
        count = 0
        if scheduled and not settled:
            _open_waves(t, schedule, n_waves, opened, wave_of, access_week, first_wave, learners,
                        stage, top, learned)  # fmt: skip
            trained_count = _train(schedule, trained, trained_count, access_week, order,
                                   tie_order, stage, top)  # fmt: skip
            count, spoke, new_coverage, message_done = _compose(
                t, schedule, access_week, delay, trained, learned, access, trained_f, endorsing,
                volunteer, learning_f, commitment_f, touched, speakers)  # fmt: skip
            can_train = _can_train(schedule, trained, trained_count, access_week)
            settled = opened[0] == n_waves and message_done and not can_train
            if new_coverage != coverage:
                # Everyone's perceived commitment moves with the coverage.
                coverage = new_coverage
                full = True
                count = -1
            if count != 0:
                _grant_access(t, access, access_since, vis_unit, vis_access)
                _fixed_gap(params, difficulty, risk, voice, threshold, risk_aversion, trust,
                           person_voice, trained_f, learning_f, commitment_f, coverage, safety,
                           touched, count, fixed)  # fmt: skip
            if not full:
                # Only the people whose week changed, and the reports of managers whose
                # endorsement turned on or off, have other bounds than last week.
                _bounds_of(touched, count, stage, tally, strength, peer_weight, demand, fixed,
                           manager, endorsing, endorsement, team, identity, hysteresis, ceiling,
                           watch)  # fmt: skip
                for m in range(spoke):
                    j = speakers[m]
                    lo, hi = reports_indptr[j], reports_indptr[j + 1]
                    _bounds_of(reports[lo:hi], hi - lo, stage, tally, strength, peer_weight, demand,
                               fixed, manager, endorsing, endorsement, team, identity, hysteresis,
                               ceiling, watch)  # fmt: skip
        if full:
            ladder_bounds_serial(stage, tally, strength, peer_weight, demand, fixed, manager,
                                 endorsing, endorsement, team, identity, hysteresis, ceiling,
                                 watch)  # fmt: skip
            stale = False
        content = content_share(params[P_GENERATIVE], creator_weeks)
        for b in range(top):
            for u in range(n_vis):
                seen[b, u] = vis_holders[b, u] / max(vis_access[u], 1)
        for b in range(top):
            largest = -np.inf
            for u in range(n_vis):
                s = params[P_VISIBILITY] * seen[b, u] + params[P_CONTENT] * content
                if ownership > 0.0 and top > 1:
                    s = s + ownership * seen[1, u]
                shared[b, u] = s
                largest = max(largest, s)
            steps[b] = largest
        for b in range(top - 1, 0, -1):
            steps[b] = steps[b] - steps[b - 1]
        key = keys[t - 1] if draws else np.uint64(0)
        if top <= 4:
            # A tuple: the scan unrolls the stages and vectorises (4x faster than an array).
            four = (steps[0], steps[1] if top > 1 else 0.0, steps[2] if top > 2 else 0.0,
                    steps[3] if top > 3 else 0.0)  # fmt: skip
            ladder_candidates_serial(access, stage, ceiling, watch, four, rate, noise, churn, key,
                                     draws, lapse_cut, candidates)  # fmt: skip
        else:
            ladder_candidates_serial(access, stage, ceiling, watch, steps, rate, noise, churn, key,
                                     draws, lapse_cut, candidates)  # fmt: skip
        ids = np.flatnonzero(candidates)
        out = np.empty(ids.shape[0], dtype=np.int8)
        ladder_decide_serial(ids, stage, tally, strength, peer_weight, demand, fixed, manager,
                             endorsing, endorsement, team, identity, vis_unit, shared, rate,
                             noise, lapse_rate, churn, hysteresis, key, draws, out, ceiling,
                             watch, peak, return_rate, attention)  # fmt: skip
        moved = out != 0
        changed = ids[moved]
        change = out[moved]
        k = changed.shape[0]
        rung = np.empty(k, dtype=np.int8)
        ladder_restage(changed, change, t, stage, vis_unit, vis_holders, manager, team,
                       adopted_at, rung, new, lapses, peak)  # fmt: skip
        if k:
            for m in range(k):  # the records by the org's units and levels
                j = changed[m]
                unit_holders[rung[m], unit[j]] += change[m]
                level_holders[rung[m], level[j]] += change[m]
            if k * mean_degree * PUSH_COST <= indptr[n]:
                ladder_push_serial(indptr, indices, weights, unit_weights, influence, changed, rung,
                                   change, 1, tally, stage, peer_weight, demand,
                                   inverse_strength, ceiling, watch)  # fmt: skip
            else:
                for m in range(k):
                    code[changed[m]] = (rung[m] + 1) * change[m]
                ladder_pull_serial(indptr, indices, weights, influence, code, tally)
                for m in range(k):
                    code[changed[m]] = 0
                stale = True
            for b in range(top):
                holders[b] = vis_holders[b].sum()
            ladder_loosen_serial(changed, change, stage, reports_indptr, reports, endorsing,
                                 endorsement, ceiling, watch)  # fmt: skip
            ladder_loosen_team(changed, change, stage, manager, reports_indptr, reports, identity,
                               ceiling, watch)  # fmt: skip
        holders_w[t] = holders
        new_w[t] = new
        lapses_w[t] = lapses
        access_w[t] = vis_access.sum()
        trained_w[t] = trained_count
        unit_w[t] = unit_holders
        level_w[t] = level_holders
        creator_weeks += holders[top - 1] / n
    return trained_count


@njit(cache=True, nogil=True)
def ladder_runs(indptr, indices, weights, unit_weights, vis_unit, n_vis, unit, level, manager,
                reports_indptr, reports, params, deterministic, lapse_cut, difficulty, risk, voice,
                demand, threshold, risk_aversion, trust, influence, person_voice, endorsement,
                identity, attention, first, first_at, rungs, keys, schedule, wave_of, delay,
                first_wave,
                first_wave_at, learners, learners_at, order, tie_order, access, trained_f,
                endorsing, volunteer, learning_f, commitment_f, coverage, trained, n_waves,
                holders_w, new_w, lapses_w, access_w, trained_w, unit_w, level_w, stage, adopted_at,
                access_since, opened):  # fmt: skip
    """:func:`ladder_run` for each of R replications of one scenario.

    What the replications share (the org) comes once; what may differ comes with a
    leading axis of R (the rule's constants and ladder, so that replications of
    different parameter sets share a batch; the people's traits, the plan's arrays,
    the keys, the records), ragged id lists concatenated with offsets (``first[first_at[r]:
    first_at[r + 1]]``); ``order`` and ``tie_order`` have R rows (0 columns: none).
    It releases the GIL: callers run
    batches on several threads (each replication is computed alone, so the
    results do not depend on how the replications are split).
    """
    for r in range(holders_w.shape[0]):
        ladder_run(
            indptr, indices, weights, unit_weights, vis_unit, n_vis, unit, level, manager,
            reports_indptr, reports, params[r], deterministic[r], lapse_cut[r], difficulty[r],
            risk[r], voice[r], demand[r], threshold[r], risk_aversion[r], trust[r], influence[r],
            person_voice[r], endorsement[r], identity[r], attention[r],
            first[first_at[r]:first_at[r + 1]], rungs,
            keys[r],
            schedule[r],
            wave_of[r], delay[r], first_wave[first_wave_at[r]:first_wave_at[r + 1]],
            learners[learners_at[r]:learners_at[r + 1]], order[r], tie_order[r], access[r],
            trained_f[r], endorsing[r], volunteer[r], learning_f[r], commitment_f[r],
            coverage[r], trained[r],
            n_waves[r], holders_w[r], new_w[r], lapses_w[r], access_w[r], trained_w[r], unit_w[r],
            level_w[r],
            stage[r], adopted_at[r], access_since[r], opened[r],
        )  # fmt: skip
