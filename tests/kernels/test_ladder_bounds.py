"""The bounds that spare most people the exact decision hold at every week of a run.

Deciding only the candidates must equal deciding everyone: the reference tests
check the outcome; these check the invariant behind it, week after week, in
runs that move every part of a gap (peers taking up and dropping behaviors,
managers' endorsement with and without reactance, visibility, content, a plan
that changes).
"""

import numpy as np
import pytest

from sim import OrgModel, networks, rules
from sim.kernels.ladder_parts import NO_CEILING
from sim.org import Org
from sim.population import Culture, Population
from sim.rollout.plan import RolloutPlan
from tests import reference
from tests.helpers import OFF, SURE, make_org


class Growing(RolloutPlan):
    """Access and endorsement spread over the first weeks; training rises."""

    def __init__(self, n):
        super().__init__(n)
        rng = np.random.default_rng(2)
        order = rng.permutation(n)
        self.weeks = []
        for t in range(6):
            access = np.zeros(n, dtype=bool)
            access[order[: n * (t + 2) // 7]] = True
            self.weeks.append(
                RolloutPlan(
                    n,
                    access=access,
                    trained=np.full(n, 0.1 * t),
                    endorsing=rng.random(n) < 0.2 * t,
                    commitment=0.2 + 0.1 * t,
                ).week(0)
            )

    def week(self, t, state=None):
        return self.weeks[min(t, 5)]


def exact_gaps(model):
    """Each behavior's gap without its shared part, from the model's current state."""
    state, dynamics = model._state, model._dynamics
    rule = dynamics.rule
    demand = dynamics.demand[:, None]
    share = np.divide(state.tally, state.strength, out=np.zeros_like(state.tally),
                      where=state.strength > 0)  # fmt: skip
    met = np.clip(state.tally, 0.0, demand) / np.where(demand > 0, demand, 1.0)
    peer = np.where(demand > 0, met**2, share)
    gaps = rule.peer_weight * peer + dynamics._fixed_gap
    manager = dynamics._manager
    boss = np.maximum(manager, 0)
    for b in range(gaps.shape[0]):
        endorsed = (manager >= 0) & (state.stage[boss] > b) & dynamics._endorsing[boss]
        gaps[b] += np.where(endorsed, dynamics.endorsement, 0.0)
        if dynamics.identity.shape[0]:  # team-mates holding b, oneself left out
            mates = np.where(manager >= 0, state.team[b, boss] - (state.stage > b), 0)
            gaps[b] += dynamics.identity * mates
    return gaps


# Without churn unless named: churn changes a fifth of the holders a week, so the week's
# changes are pulled and the bounds recomputed (stale) almost every week, leaving none to check.
_STILL = dict(churn=0.0, return_share=1.0)
RULES = {
    "defaults": rules.Organizational(**_STILL),
    "lapsing": rules.Organizational(hysteresis=0.0, lapse_rate=0.6, noise=0.05, rate=0.8, **_STILL),
    "reactance": rules.Organizational(manager_weight=0.6, reactance=0.7, lapse_rate=0.5, **_STILL),
    "company": rules.Organizational(
        visibility="company", visibility_weight=0.4, noise=0.0, **_STILL
    ),
    "sure": rules.Organizational(noise=0.0, rate=1.0, lapse_rate=1.0, hysteresis=0.02, **_STILL),
    # Weaker unit-wide signals than the fitted ones, or all twenty rungs are climbed at once and
    # every week's changes are pulled.
    "twenty": rules.Organizational(
        tuple(rules.Behavior(f"step{k}", 0.01 * k, 0.02 * k) for k in range(20)),
        lapse_rate=0.4,
        visibility_weight=0.2,
        commitment_weight=0.156,
        identity_weight=0.0,
        **_STILL,
    ),
    "churning": rules.Organizational(churn=0.02, return_share=0.5),
}


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("changing", [False, True])
def test_ceilings_and_watches_bound_the_gaps_every_week(name, changing):
    org = make_org(n=400, seed=5)
    plan = Growing(org.n) if changing else RolloutPlan(org.n, endorsing=np.ones(org.n, bool))
    # Low thresholds, whatever the fitted defaults: the run must move for the bounds to matter.
    culture = Culture(open=0.5, trust=0.4, generative=0.8, courage=0.5, threshold_mean=0.2,
                      threshold_sd=0.2, voice_mean=0.5, attention_mean=1.0)  # fmt: skip
    model = OrgModel(org=org, rule=RULES[name], culture=culture, plan=plan,
                     initial_adopters=0.05, seed=11)  # fmt: skip
    top = len(model.rule.ladder)
    moved = 0
    for _ in range(25):
        model.step()
        state = model._state
        if state.bounds_stale:
            continue  # recomputed exactly before the next decision
        gaps = exact_gaps(model)
        stage = state.stage.astype(np.int64)
        people = np.arange(org.n)
        climbing = stage < top
        assert (state.ceiling[climbing] >= gaps[stage[climbing], people[climbing]] - 1e-9).all()
        assert (state.ceiling[~climbing] == np.float32(NO_CEILING)).all()
        holding = stage > 0
        at_risk = holding.copy()
        at_risk[holding] = gaps[stage[holding] - 1, people[holding]] < -model.rule.hysteresis
        assert state.watch[at_risk].all()
        moved += model._dynamics.last_changes
    assert moved > 50  # the run did move


@pytest.mark.parametrize(("peer_weight", "subnormal"), [(0.0, False), (0.5, True)])
def test_tiny_influences_never_make_a_bound_nan(peer_weight, subnormal):
    """Influence 1e-300 makes 1 / strength overflow float32; 0 * inf must not reach a ceiling.

    A path of 30 people where person k adopts in week k, on visibility alone
    (found by a review: a NaN ceiling stopped the run after person 1).
    """
    n = 30
    weights = np.ones(n - 1)
    weights[1] = 0.4
    net = networks.from_edges(np.arange(n - 1), np.arange(1, n), n, weights)
    org = Org(manager=[-1] + [0] * (n - 1), unit=[0] * n, unit_names=["u"], network=net)
    influence = np.full(n, 1e-300)
    if subnormal:
        influence[1] = 5e-324  # its push underflows to 0
    people = Population(threshold=np.arange(n) / n, risk_aversion=np.zeros(n), trust=np.zeros(n),
                        influence=influence)  # fmt: skip
    only_visibility = {**OFF, "peer_weight": peer_weight, "visibility_weight": 1.0}
    rule = rules.Organizational((rules.Behavior("adopt"),), **only_visibility, **SURE)
    model = OrgModel(org=org, rule=rule, population=people, initial_adopters=[0], seed=0).run(10)
    history = reference.organizational_run(org, people, rule, Culture(), model.plan, [0], 10)
    np.testing.assert_array_equal(model.stage, history[-1])
    assert model.stage.sum() == 11
    assert not np.isnan(model._state.ceiling).any()
