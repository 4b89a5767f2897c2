"""Replications of the organizational rule as one compiled call.

A :class:`~sim.scenario.Scenario` runs its replications here when it can: each
replication's draws are made in Python exactly as :meth:`Scenario.model`
makes them (the rollout's plan from its own stream, the people's traits, the
initial adopters, then one key per week), and the weeks of every replication
run in :func:`sim.kernels.ladder_run.ladder_runs`, with no Python per week or
per person. The result equals running each replication's
:class:`~sim.model.OrgModel` week by week, to the last bit (tested for every
rollout preset), and comes back as plain arrays (:class:`Runs`).

What is not compiled runs stepped (:func:`compilable` says which): the classic
rules, plans other than the plain :class:`~sim.rollout.RolloutPlan` and
:class:`~sim.rollout.schedule.RolloutSchedule`, and organizations large enough
for a week's kernels to take parallel regions (there the week's own work
outweighs its Python, and the parallel kernels do it faster).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numba import get_num_threads

from sim._inputs import choose_initial_adopters
from sim.kernels import ladder_run as kernels  # the module: its constants and ladder_runs
from sim.kernels import lapse_cut, parallel_pays
from sim.population import Population
from sim.rollout.schedule import RolloutSchedule
from sim.rules.organizational import reinforcement_demand, team_identity

__all__ = ["CompiledRuns", "Runs", "compilable", "run_compiled"]


@dataclass
class Runs:
    """R replications of one scenario as arrays (week 0 is the initial state; W weeks).

    ``holders``, ``new``, ``lapses``: int64 (R, W, B), people holding, taking up and
    dropping each behavior; ``with_access``: int64 (R, W); ``unit_holders``: int64
    (R, W, B, U) by the org's units; ``level_holders``: int64 (R, W, B, L) by level
    (0 = top); ``stage``: int8 (R, n), ``adopted_at`` and ``access_since``: int32 (R, n),
    the final state; ``trained``: int64 (R, W), people trained by the end of each week
    (champions included); ``opened``: int64 (R, waves), the week each wave opened (-1: never);
    ``volunteers``: bool (R, n), who endorses unasked (``Population.volunteers``).
    """

    replications: np.ndarray
    holders: np.ndarray
    new: np.ndarray
    lapses: np.ndarray
    with_access: np.ndarray
    unit_holders: np.ndarray
    level_holders: np.ndarray
    stage: np.ndarray
    adopted_at: np.ndarray
    access_since: np.ndarray
    trained: np.ndarray
    opened: np.ndarray
    schedules: list
    volunteers: np.ndarray


def compilable(rule, org) -> bool:
    """Whether runs of ``rule`` on ``org`` under a rollout go through the compiled run.

    The organizational rule on an org whose week kernels would all run on one
    thread: beyond that size a week's work outweighs its Python, and the
    stepped run's parallel kernels are faster (the numbers are the same).
    """
    if not getattr(rule, "needs_org", False) or org.network.complete:
        return False
    ties = int(org.network.indptr[-1])
    return not (parallel_pays(org.n, "bounds") or parallel_pays(ties, "pulled_tie"))


def _params(rule, culture, plan):
    params = np.empty(kernels.N_PARAMS, dtype=np.float64)
    params[kernels.P_PEER] = rule.peer_weight
    params[kernels.P_RATE] = rule.rate
    params[kernels.P_NOISE] = rule.noise
    params[kernels.P_LAPSE] = rule.lapse_rate
    params[kernels.P_HYSTERESIS] = rule.hysteresis
    params[kernels.P_VISIBILITY] = rule.visibility_weight
    params[kernels.P_CONTENT] = rule.content_weight
    params[kernels.P_OWNERSHIP] = rule.ownership_weight * culture.open
    params[kernels.P_GENERATIVE] = culture.generative
    params[kernels.P_COMMITMENT] = rule.commitment_weight
    params[kernels.P_COVERAGE] = rule.commitment_coverage
    params[kernels.P_TRAINING] = rule.training_effect
    params[kernels.P_LEARNING] = rule.learning_effect
    params[kernels.P_CHURN] = rule.churn
    params[kernels.P_RETURN] = rule.return_share
    safety = plan.week(0).safety
    params[kernels.P_SAFETY] = rule.safety if safety is None else safety
    return params


def _schedule(plan):
    """The schedule's settings and arrays as :func:`ladder_run` takes them."""
    settings = np.full(kernels.N_SCHEDULE, -1.0)
    settings[kernels.S_SCHEDULED] = 1.0
    if plan.expand_week is not None:
        settings[kernels.S_EXPAND_WEEK] = plan.expand_week
    settings[kernels.S_EXPAND_SHARE] = np.nan if plan.expand_share is None else plan.expand_share
    settings[kernels.S_WAVE_WEEKS] = plan.wave_weeks
    settings[kernels.S_ENDORSE] = float(plan.endorse)
    settings[kernels.S_COMMITMENT] = plan.commitment
    settings[kernels.S_CAPACITY] = plan.training_capacity
    if plan.training_limit is not None:
        settings[kernels.S_LIMIT] = plan.training_limit
    settings[kernels.S_LEARNING] = plan.learning
    settings[kernels.S_CHAMPIONS] = plan.champions.shape[0]
    trained = np.zeros(plan.n, dtype=np.bool_)
    trained[plan.champions] = True
    week = plan.week(0)
    return {
        "schedule": settings,
        "wave_of": plan._wave_of,
        "delay": plan._delay,
        "first_wave": plan._first_wave,
        "learners": plan._learners,
        # Empty: the "adopters" priority, decided week by week.
        "order": np.zeros(0, np.int64) if plan.training_order is None else plan.training_order,
        "tie_order": plan.tie_order,
        "trained": trained,
        "n_waves": len(plan.waves),
        "access": week.access,
        "trained_f": week.trained,
        "endorsing": week.endorsing,
        "learning_f": week.learning,
        "commitment_f": np.broadcast_to(week.commitment, (plan.n,)),
        "coverage": float(week.coverage),
    }


def _ragged(parts):
    """Concatenated int64 id lists and their offsets."""
    at = np.zeros(len(parts) + 1, dtype=np.int64)
    at[1:] = np.cumsum([p.shape[0] for p in parts])
    return np.concatenate(parts).astype(np.int64, copy=False), at


def _prepare(org, rule, culture, rollout, seed, replication, steps):
    """One replication's draws, made as :meth:`sim.scenario.Scenario.model` and the
    stepped run make them: the plan from the rollout's own stream, the people, the
    initial adopters, then one key per week."""
    rng = np.random.default_rng([seed, replication])
    (levers,) = rng.spawn(1)
    plan, first = rollout.plan(org, levers, culture)
    if not isinstance(plan, RolloutSchedule):
        raise TypeError(f"the compiled run takes a RolloutSchedule, not {type(plan).__name__}")
    people = Population.draw(org, culture, rng)
    first = choose_initial_adopters(first, org.n, rng, among=plan.week(0).access)
    if rule.certain(people):
        keys = np.zeros(steps, dtype=np.uint64)
    else:
        keys = rng.integers(2**64, size=steps, dtype=np.uint64)
    return plan, people, first, keys, _schedule(plan)


def _replication_args(rule, org, prepared):
    """What differs between the replications of a batch, stacked."""
    people = [p[1] for p in prepared]
    plans = [p[4] for p in prepared]
    first, first_at = _ragged([p[2] for p in prepared])
    first_wave, first_wave_at = _ragged([s["first_wave"] for s in plans])
    learners, learners_at = _ragged([s["learners"] for s in plans])
    trust = np.stack([p.trust for p in people])
    volunteer = np.stack([p.volunteers for p in people])
    args = {
        "threshold": np.stack([p.threshold for p in people]),
        "risk_aversion": np.stack([p.risk_aversion for p in people]),
        "trust": trust,
        "influence": np.stack([p.influence for p in people]),
        "person_voice": np.stack([p.voice for p in people]),
        # As the rule computes it for one run: manager_weight * g(trust).
        "endorsement": rule.manager_weight * rule.gain(trust),
        # (R, 0) when nobody identifies: the runs then keep no team counts.
        "identity": np.stack(
            [team_identity(rule.identity_weight, org, p.identification) for p in people]
        ),
        "attention": np.stack([p.attention for p in people]),
        "first": first,
        "first_at": first_at,
        "keys": np.stack([p[3] for p in prepared]),
        "first_wave": first_wave,
        "first_wave_at": first_wave_at,
        "learners": learners,
        "learners_at": learners_at,
        **{name: np.stack([s[name] for s in plans]) for name in (
            "schedule", "wave_of", "delay", "order", "tie_order", "access", "trained_f",
            "endorsing", "learning_f", "commitment_f", "coverage", "trained", "n_waves")},
        "volunteer": volunteer,
    }  # fmt: skip
    # Week 0's endorsers: the rollout's, and those with access who endorse unasked.
    args["endorsing"] = args["endorsing"] | (volunteer & args["access"])
    return args


_RAGGED = ("first", "first_wave", "learners")


def _rows(args, a, b):
    """Replications ``a .. b - 1`` of stacked arguments (views; ragged lists re-based)."""
    part = {name: value[a:b] for name, value in args.items()}
    for name in _RAGGED:
        at = args[f"{name}_at"]
        part[name] = args[name][at[a] : at[b]]
        part[f"{name}_at"] = at[a : b + 1] - at[a]
    return part


class CompiledRuns:
    """Replications of a scenario, drawn and laid out for :func:`ladder_runs`.

    Building it makes every draw (see :func:`run_compiled`); :meth:`run` is the
    compiled call alone, which the benchmarks time as the floor of a run.
    """

    def __init__(self, org, rule, culture, rollout, seed, replications, steps):
        which = list(replications)
        if not which:
            raise ValueError("CompiledRuns: 'replications' names no replication to run.")
        n, top = org.n, len(rule.ladder)
        prepared = [_prepare(org, rule, culture, rollout, seed, r, steps) for r in which]
        net = org.network
        by_unit = rule.visibility == "unit"
        self.org, self.steps, self.top = org, steps, top
        self.replications = np.asarray(which, dtype=np.int64)
        self.schedules = [p[0] for p in prepared]
        self.waves = max(p[4]["n_waves"] for p in prepared)
        self.shared = {
            "indptr": net.indptr,
            "indices": net.indices,
            "weights": net.weights,
            "unit_weights": net.unit_weights,
            "vis_unit": org.unit.astype(np.int32) if by_unit else np.zeros(n, dtype=np.int32),
            "n_vis": org.n_units if by_unit else 1,
            "unit": org.unit.astype(np.int64),
            "level": org.level.astype(np.int64),
            "manager": org.manager.astype(np.int32),
            "reports_indptr": org.reports_indptr,
            "reports": org.reports,
            "rungs": top if rollout.first_rungs is None else min(int(rollout.first_rungs), top),
        }
        self.args = _replication_args(rule, org, prepared)
        # The rule's constants per replication (a batch may mix parameter sets).
        R = len(which)
        self.args.update(
            params=np.stack([_params(rule, culture, p[0]) for p in prepared]),
            deterministic=np.array([rule.certain(p[1]) for p in prepared]),
            lapse_cut=np.full(R, lapse_cut(rule.lapse_rate), dtype=np.uint64),
            difficulty=np.tile([b.difficulty for b in rule.ladder], (R, 1)),
            risk=np.tile([b.risk for b in rule.ladder], (R, 1)),
            voice=np.tile([b.voice for b in rule.ladder], (R, 1)),
            demand=np.tile(reinforcement_demand(rule.ladder, net), (R, 1)),
        )

    def run(self, threads=None) -> Runs:
        """The weeks of every replication, split among ``threads`` (default: Numba's
        thread count, which a sweep's jobs set to 1); the split changes no number."""
        org, top, R, W = self.org, self.top, self.replications.shape[0], self.steps + 1
        n = org.n
        out = Runs(
            replications=self.replications,
            holders=np.empty((R, W, top), np.int64),
            new=np.empty((R, W, top), np.int64),
            lapses=np.empty((R, W, top), np.int64),
            with_access=np.empty((R, W), np.int64),
            unit_holders=np.empty((R, W, top, org.n_units), np.int64),
            level_holders=np.empty((R, W, top, org.n_levels), np.int64),
            stage=np.empty((R, n), np.int8),
            adopted_at=np.empty((R, n), np.int32),
            access_since=np.empty((R, n), np.int32),
            trained=np.empty((R, W), np.int64),
            opened=np.empty((R, self.waves + 1), np.int64),
            schedules=self.schedules,
            volunteers=self.args["volunteer"],
        )

        def batch(a, b):
            kernels.ladder_runs(
                **self.shared, **_rows(self.args, a, b),
                holders_w=out.holders[a:b], new_w=out.new[a:b], lapses_w=out.lapses[a:b],
                access_w=out.with_access[a:b], unit_w=out.unit_holders[a:b],
                level_w=out.level_holders[a:b], stage=out.stage[a:b],
                adopted_at=out.adopted_at[a:b], access_since=out.access_since[a:b],
                opened=out.opened[a:b], trained_w=out.trained[a:b],
            )  # fmt: skip

        threads = min(get_num_threads() if threads is None else int(threads), R)
        if threads <= 1:
            batch(0, R)
        else:
            # A few pieces per thread, taken as threads free up: a thread slowed by
            # another process on its core leaves its share to the others.
            pieces = min(R, threads * 4)
            cuts = [R * k // pieces for k in range(pieces + 1)]
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(batch, cuts[:-1], cuts[1:]))
        return out


def run_compiled(org, rule, culture, rollout, seed, replications, steps, threads=None) -> Runs:
    """Run ``replications`` (indices) of a scenario, compiled; see :class:`Runs`.

    Each replication ``r`` draws from ``default_rng([seed, r])`` what
    :meth:`sim.scenario.Scenario.model` draws, in the same order, so the numbers
    are those of the stepped run. The replications are split among ``threads``
    (default: Numba's thread count, which a sweep's jobs set to 1); the split
    never changes a number.
    """
    return CompiledRuns(org, rule, culture, rollout, seed, replications, steps).run(threads)
