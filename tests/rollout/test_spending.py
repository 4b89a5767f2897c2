"""Spending by week: what a rollout's budget pays, as it falls due (issue of 2026-12-07)."""

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from sim.conf import CONFIG_DIR, build, register
from sim.org import generate
from sim.rollout import Rollout


def scenario(*overrides):
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["org.headcount=600", "steps=40", *overrides])
    return build(cfg)


@pytest.mark.parametrize(
    "rollout",
    ["company_wide_hierarchical", "company_wide_decentralized", "pilot_hierarchical",
     "pilot_decentralized"],
)  # fmt: skip
def test_spending_grows_to_the_cost_and_is_the_same_stepped_and_compiled(rollout):
    made = scenario(f"rollout={rollout}", "rollout.cost_endorser=0.5")
    runs, series = made.run(3, 3)
    spent = series[series["behavior"] == "consume"].pivot(
        index="replication", columns="step", values="spent"
    )
    assert (np.diff(spent.to_numpy(), axis=1) >= 0).all()
    # The last week is the run's cost, to the bit (added lever by lever as it is).
    np.testing.assert_array_equal(spent[40].to_numpy(), runs["cost_total"].to_numpy())
    stepped, compiled = made._stepped(3, [0, 1, 2]), made._compiled(3, [0, 1, 2])
    np.testing.assert_array_equal(stepped.spent, compiled.spent)


def test_spending_by_hand():
    # A hierarchical launch on a generated org: leaders, the launch and the safety policy at
    # week 0; then each week's trainees and the managers the message asks, level by level.
    org = generate(headcount=3000, seed=4)
    rollout = Rollout(scope="company_wide", direction="hierarchical", training_capacity=7,
                      cost_trainee=2.0, cost_leader=3.0, cost_launch=10.0, commitment=0.5,
                      cost_endorser=0.25, top_levels=1, budget=None)  # fmt: skip
    schedule, _ = rollout.plan(org, np.random.default_rng(0))
    for t in range(12):
        schedule.week(t)
    trained = schedule.trained_by_week(11)
    assert trained.tolist() == [min(7 * t, org.n) for t in range(12)]
    access_since = np.zeros(org.n, dtype=np.int32)
    asked = schedule.asked_by_week(access_since, 11)
    managers = np.isin(np.arange(org.n), org.manager)
    # The message reaches the top levels at once, and each level below a week later.
    delay = np.maximum(org.level - max(rollout.top_levels, 1) + 1, 0)
    want = [int((managers & (delay <= t)).sum()) for t in range(12)]
    assert want[0] < want[-1]
    assert asked.tolist() == want
    spent = rollout.spending(schedule, trained, asked)
    leaders = schedule.leaders.shape[0]
    by_hand = 3.0 * leaders + 10.0 * 0.5 + 2.0 * trained + 0.25 * asked
    np.testing.assert_allclose(spent, by_hand, rtol=0, atol=1e-12)


def test_trained_by_week_holds_the_last_count_past_the_asked_weeks():
    # A model that went stationary stops asking the schedule for weeks; nobody is trained
    # after that, and the count the compiled run keeps holds to the last week.
    org = generate(headcount=400, seed=1)
    rollout = Rollout(scope="company_wide", direction="decentralized", training_capacity=5,
                      budget=None)  # fmt: skip
    schedule, _ = rollout.plan(org, np.random.default_rng(0))
    for t in range(3):
        schedule.week(t)
    got = schedule.trained_by_week(6)
    assert got.shape == (7,)
    assert got[3:].tolist() == [got[2]] * 4
    assert schedule.trained_by_week(1).tolist() == got[:2].tolist()
