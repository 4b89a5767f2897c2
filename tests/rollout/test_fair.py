"""Fair comparison (docs/model.md §1, §3, §4): the mechanisms a strategy comparison rests on.

Commitment by coverage (kappa), first movers' rung, learning from the pilot's
organic adoption, training as a share, the budget, openness's channels, and
common random numbers across rollouts.
"""

import numpy as np
import pytest

from sim import OrgModel, rules
from sim.org import generate
from sim.population import Culture, Population
from sim.rollout import Rollout
from sim.rollout.plan import RolloutPlan
from sim.scenario import Scenario
from tests.helpers import OFF, SURE, make_org

LOW = {"threshold_mean": 0.2, "threshold_sd": 0.2}


@pytest.fixture(scope="module")
def org():
    return make_org(n=600, seed=3)


@pytest.fixture(scope="module")
def company():
    return generate(headcount=600, seed=1)


# -- perceived commitment: effort x coverage ** kappa --------------------------------------


def run_commitment(org, kappa, access):
    rule = rules.Organizational(**{**OFF, "commitment_weight": 0.6}, commitment_coverage=kappa,
                                **SURE)  # fmt: skip
    plan = RolloutPlan(org.n, access=access, commitment=0.5)
    model = OrgModel(org=org, rule=rule, plan=plan, culture=Culture(trust=0.9, **LOW), seed=4)
    return model.run(3)


@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0])
def test_kappa_zero_makes_a_pilot_signal_what_a_company_wide_launch_signals(org, kappa):
    half = np.arange(org.n) < org.n // 2
    pilot = run_commitment(org, kappa, half)
    everyone = run_commitment(org, kappa, np.ones(org.n, dtype=bool))
    inside, outside = pilot.stage[half], everyone.stage[half]
    if kappa == 0.0:
        np.testing.assert_array_equal(inside, outside)
    else:
        # Half the company with access: the pilot perceives 0.5 ** kappa of the effort.
        assert (inside <= outside).all() and inside.sum() < outside.sum()


# -- first movers' rung ------------------------------------------------------------------------


@pytest.mark.parametrize("rungs", [1, 2, 3])
def test_first_movers_start_on_the_configured_rung(company, rungs):
    rollout = Rollout(direction="hybrid", champions=0.05, first_rungs=rungs)
    scenario = Scenario(make_org=lambda: company, rule=rules.Organizational(), rollout=rollout,
                        culture=Culture())  # fmt: skip
    model = scenario.model(0, 0)
    first = np.flatnonzero(model.adopted_at == 0)
    assert first.shape[0] > 20
    assert (model.stage[first] == rungs).all()
    assert (np.delete(np.asarray(model.stage), first) == 0).all()
    week0 = model.adoption.query("step == 0").adopters.tolist()
    assert week0 == [first.shape[0] if b < rungs else 0 for b in range(3)]


def test_first_movers_take_up_higher_rungs_like_anyone(company):
    rollout = Rollout(direction="decentralized", champions=0.1, first_rungs=1)
    rule = rules.Organizational(peer_weight=0.6, visibility_weight=0.4)
    scenario = Scenario(make_org=lambda: company, rule=rule, rollout=rollout,
                        culture=Culture(**LOW, voice_mean=0.5))  # fmt: skip
    model = scenario.model(0, 0).run(26)
    first = np.flatnonzero(model.adopted_at == 0)
    assert (model.stage[first] >= 2).any()


# -- learning from the pilot ------------------------------------------------------------------


def learned_by_later_waves(company, expand_week, **levers):
    rollout = Rollout(scope="pilot", pilot_share=0.3, expand_week=expand_week,
                      pilot_learning=1.0, **levers)  # fmt: skip
    rule = rules.Organizational(peer_weight=0.5, visibility_weight=0.4)
    culture = Culture(**LOW)
    values = []
    for r in range(3):
        scenario = Scenario(make_org=lambda: company, rule=rule, rollout=rollout, culture=culture)
        model = scenario.model(7, r).run(expand_week + 1)
        week = model.plan.week(expand_week)
        values.append(week.learning[~model.plan.week(0).access].mean())
    return np.mean(values)


def test_a_longer_pilot_teaches_more(company):
    one, eight = learned_by_later_waves(company, 1), learned_by_later_waves(company, 8)
    assert eight > 3 * one > 0 or (one == 0 and eight > 0.02)


def later_waves_gain(company, expand_week, replications=4):
    """How much more of the later waves reads 12 weeks after they open with what the pilot
    learned than without, on common draws (mean over replications)."""
    gains = []
    for learning in (0.0, 1.0):
        rollout = Rollout(scope="pilot", pilot_share=0.3, expand_week=expand_week,
                          pilot_learning=learning)  # fmt: skip
        scenario = Scenario(make_org=lambda: company, rule=rules.Organizational(),
                            rollout=rollout, culture=Culture())  # fmt: skip
        shares = []
        for r in range(replications):
            model = scenario.model(3, r).run(expand_week + 12)
            later = ~model.plan.week(0).access
            shares.append((model.stage[later] > 0).mean())
        gains.append(np.array(shares))
    return float((gains[1] - gains[0]).mean())


def test_what_the_pilot_learns_acts_and_grows_with_the_pilot(company):
    short, long = later_waves_gain(company, 3), later_waves_gain(company, 20)
    assert long > short >= 0.0
    # Most of a point of the later waves (of whom a quarter to two fifths read at a time), not
    # a rounding error.
    assert long > 0.005


def test_seeded_first_movers_alone_teach_nothing(company):
    # Nobody takes anything up on their own (no signal can beat these thresholds), while the
    # seeded leaders and champions hold two rungs each: later waves learn nothing.
    rollout = Rollout(scope="pilot", pilot_share=0.3, expand_week=6, pilot_learning=1.0,
                      direction="hybrid", champions=0.05)  # fmt: skip
    rule = rules.Organizational(**OFF, **SURE)
    scenario = Scenario(make_org=lambda: company, rule=rule, rollout=rollout,
                        culture=Culture(threshold_mean=0.9, threshold_sd=0.01))  # fmt: skip
    model = scenario.model(0, 0).run(8)
    assert (model.adopted_at == 0).sum() > 10
    assert not model.plan.week(8).learning.any()


# -- training capacity as a share --------------------------------------------------------------


def test_a_share_of_trainers_scales_with_headcount():
    small, big = generate(headcount=500, seed=0), generate(headcount=5000, seed=0)
    rollout = Rollout(training_share=0.01)
    assert rollout.capacity(small) == 5 and rollout.capacity(big) == 50
    plan, _ = rollout.plan(small, np.random.default_rng(0))
    plan.week(3)
    assert plan.trained_people == 15
    assert Rollout(training_capacity=20).capacity(small) == 20  # a number stays a number


# -- the budget --------------------------------------------------------------------------------

CORNERS = {
    "company_wide_hierarchical": {"scope": "company_wide", "direction": "hierarchical"},
    "company_wide_decentralized": {"scope": "company_wide", "direction": "decentralized"},
    "pilot_hierarchical": {"scope": "pilot", "direction": "hierarchical"},
    "pilot_decentralized": {"scope": "pilot", "direction": "decentralized"},
}


def test_corners_spend_the_same_budget(company):
    costs = {}
    for name, corner in CORNERS.items():
        rollout = Rollout(**corner, training_share=0.01, budget=300.0, pilot_share=0.2)
        scenario = Scenario(make_org=lambda: company, rule=rules.Organizational(),
                            rollout=rollout, culture=Culture())  # fmt: skip
        runs, _ = scenario.run(0, 2)
        costs[name] = runs["cost_total"].to_numpy()
    spent = np.concatenate(list(costs.values()))
    assert np.all(np.abs(spent - 300.0) <= 0.05 * 300.0), costs
    # Decentralized corners buy champions with half of what launch and leaders leave.
    assert (costs["company_wide_decentralized"] > 0).all()


def test_a_budget_too_small_names_itself(company):
    rollout = Rollout(budget=10.0, commitment=0.5)
    said = r"'budget' parameter of Rollout \(10 person-days for 600 people\) does not cover"
    with pytest.raises(ValueError, match=said):
        rollout.plan(company, np.random.default_rng(0))
    # Leaders who take the rest leave nothing for champions or training, and the cost says so.
    tight = Rollout(budget=52.0, commitment=0.5, direction="hybrid", training_share=0.01)
    plan, _ = tight.plan(company, np.random.default_rng(0))
    plan.week(10)
    spent = tight.cost(plan)
    assert plan.champions.shape[0] == 0 and plan.trained_people == 0
    assert sum(spent.values()) == 50.0 + spent["leaders"] + spent["endorsers"] > 52.0


# -- openness acts only through its channels ----------------------------------------------------


def final_stages(company, open_, *, channels_on):
    culture = Culture(open=open_, open_recruiting=channels_on,
                      manager_influence=2.0 if channels_on else 0.0)  # fmt: skip
    rule = rules.Organizational(ownership_weight=0.3 if channels_on else 0.0)
    rollout = Rollout(direction="hybrid", champions=0.05)
    scenario = Scenario(make_org=lambda: company, rule=rule, rollout=rollout, culture=culture)
    return np.concatenate([np.asarray(scenario.model(0, r).run(20).stage) for r in range(3)])


def test_open_with_every_channel_off_changes_nothing(company):
    # The org (and its ties, whose openness is a separate key) held fixed.
    a = final_stages(company, 0.2, channels_on=False)
    b = final_stages(company, 0.8, channels_on=False)
    np.testing.assert_array_equal(a, b)
    c = final_stages(company, 0.2, channels_on=True)
    d = final_stages(company, 0.8, channels_on=True)
    assert not np.array_equal(c, d)


def test_a_closed_culture_recruits_among_managers_when_recruiting_follows_openness(company):
    rng = np.random.default_rng
    rollout = Rollout(direction="decentralized", champions=0.3)
    closed = rollout.plan(company, rng(0), Culture(open=0.0, open_recruiting=True))[0].champions
    open_ = rollout.plan(company, rng(0), Culture(open=1.0, open_recruiting=True))[0].champions
    managers = company.span > 0
    assert managers[closed].all() and closed.shape[0] <= managers.sum()
    assert open_.shape[0] == round(0.3 * company.n) > closed.shape[0]
    # Off by default (its direction cannot be argued): anyone may be recruited.
    anyone = rollout.plan(company, rng(0), Culture(open=0.0))[0]
    assert anyone.champions.shape[0] == open_.shape[0]
    assert not managers[anyone.champions].all()


def test_managers_weigh_the_same_in_every_culture(company):
    people = {o: Population.draw(company, Culture(open=o), 0) for o in (0.1, 0.9)}
    np.testing.assert_array_equal(people[0.1].influence, people[0.9].influence)


# -- common random numbers ---------------------------------------------------------------------


def test_rollouts_share_people_and_weekly_draws(company):
    """Replication r of any two rollouts meets the same people and the same weekly draws."""
    models = []
    other = Rollout(scope="pilot", direction="decentralized", champions=0.1, training_share=0.02)
    for rollout in (Rollout(), other):
        scenario = Scenario(make_org=lambda: company, rule=rules.Organizational(),
                            rollout=rollout, culture=Culture())  # fmt: skip
        models.append(scenario.model(3, 5))
    a, b = models
    for trait in ("threshold", "voice", "risk_aversion", "trust", "influence"):
        np.testing.assert_array_equal(getattr(a.population, trait), getattr(b.population, trait))
    # The weekly keys come from the run's generator, which no rollout has drawn from.
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    keys = [m.rng.integers(2**63, size=52).tolist() for m in models]
    assert keys[0] == keys[1]


def test_a_replication_is_reproduced_alone(company):
    rollout = Rollout(scope="pilot", direction="decentralized", champions=0.05)
    scenario = Scenario(make_org=lambda: company, rule=rules.Organizational(),
                        rollout=rollout, culture=Culture())  # fmt: skip
    runs, _ = scenario.run(2, [0, 1, 2])
    alone, _ = scenario.run(2, [2])
    np.testing.assert_array_equal(
        runs.iloc[2].to_numpy(dtype=float), alone.iloc[0].to_numpy(dtype=float)
    )


@pytest.mark.xfail(strict=True, reason="the refit put the ownership weight at 0: open acts through "
                   "the network's cross-unit ties alone, and in the default culture the launch's "
                   "commitment carries contributing whatever the ties' arrangement; the shape "
                   "acts where the push is weak (docs/model.md §1)")  # fmt: skip
def test_open_moves_adoption_in_the_default_company():
    """open 0.2 -> 0.8 in the default company (ties across units following it, as the shipped
    network configs have them): the paired difference's 95 % CI excludes 0."""
    import pandas as pd

    from sim.compare import paired_differences

    frames = []
    for open_ in (0.2, 0.8):
        company = generate(headcount=2000, openness=open_, seed=0)
        scenario = Scenario(make_org=lambda c=company: c, rule=rules.Organizational(),
                            rollout=Rollout(), culture=Culture(open=open_))  # fmt: skip
        runs, _ = scenario.run(0, 20)
        frames.append(runs.assign(open=open_))
    runs = pd.concat(frames, ignore_index=True)
    moved = [
        paired_differences(runs, metric, by="open", reference=0.2, pair_on=["replication"])
        for metric in ("final_fraction_consume", "final_fraction_contribute")
    ]
    assert any(bool(table["separated"].iloc[0]) for table in moved), pd.concat(moved)
