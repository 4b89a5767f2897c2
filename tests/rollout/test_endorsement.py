"""Endorsement is a behavior of managers, not of a rollout (docs/model.md §3, issue of
2026-12-07): managers who endorse unasked do so in any rollout; a hierarchical or hybrid
rollout asks the others its message reaches."""

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

from sim.conf import CONFIG_DIR, build, register
from sim.org import generate
from sim.population import Culture, Population
from sim.stats import paired_interval

CONTRIBUTOR_WEEKS = "auc_fraction_weeks_contribute"


def scenario(*overrides):
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["org.headcount=1000", "steps=52", *overrides])
    return build(cfg)


def test_the_share_who_endorse_unasked_is_drawn_on_its_own_stream():
    org = generate(headcount=4000, seed=2)
    none = Population.draw(org, Culture(endorse_share=0.0), seed=np.random.default_rng(5))
    some = Population.draw(org, Culture(endorse_share=0.3), seed=np.random.default_rng(5))
    assert not none.volunteers.any()
    assert abs(some.volunteers.mean() - 0.3) < 0.03
    for name in ("threshold", "risk_aversion", "trust", "influence", "voice"):
        np.testing.assert_array_equal(getattr(none, name), getattr(some, name), err_msg=name)


def test_an_endorse_trait_given_with_the_org_counts_from_one_half():
    people = Population(threshold=np.full(4, 0.3), risk_aversion=np.full(4, 0.5),
                        trust=np.full(4, 0.5), influence=np.ones(4),
                        endorse=np.array([0.0, 0.49, 0.5, 1.0]))  # fmt: skip
    assert people.volunteers.tolist() == [False, False, True, True]
    with pytest.raises(ValueError, match="endorse"):
        Population(threshold=np.full(2, 0.3), risk_aversion=np.full(2, 0.5),
                   trust=np.full(2, 0.5), influence=np.ones(2),
                   endorse=np.array([0.0, 2.0]))  # fmt: skip


@pytest.mark.parametrize("rollout", ["company_wide_decentralized", "pilot_decentralized"])
def test_managers_endorse_without_a_hierarchical_rollout(rollout):
    # The same org, people and weekly draws (common random numbers): managers who endorse
    # what they use raise contributing in a decentralized rollout, where nobody asks them (at a
    # manager weight the mechanism can show itself by: the fit leaves it near 0).
    weight = "rule.manager_weight=0.3"
    off = scenario(f"rollout={rollout}", weight, "culture.endorse_share=0").run(0, 20)[0]
    on = scenario(f"rollout={rollout}", weight, "culture.endorse_share=1.0").run(0, 20)[0]
    gain = paired_interval(on[CONTRIBUTOR_WEEKS].to_numpy() - off[CONTRIBUTOR_WEEKS].to_numpy())
    assert gain.low > 0, gain


def test_a_mandate_already_asks_the_managers_who_would_endorse_unasked():
    # A hierarchical rollout asks every manager its message reaches, a level a week:
    # volunteers add only what they would endorse before it reaches them.
    def gain(rollout):
        off = scenario(f"rollout={rollout}").run(0, 10)[0][CONTRIBUTOR_WEEKS].to_numpy()
        on = scenario(f"rollout={rollout}", "culture.endorse_share=1.0").run(0, 10)[0]
        return (on[CONTRIBUTOR_WEEKS].to_numpy() - off).mean()

    assert abs(gain("company_wide_hierarchical")) < 0.1 * gain("company_wide_decentralized")


def test_a_budget_pays_for_asking_every_manager_before_training():
    free = scenario("rollout=change_team", "rollout.direction=hierarchical",
                    "rollout.cost_endorser=0")  # fmt: skip
    paid = scenario("rollout=change_team", "rollout.direction=hierarchical",
                    "rollout.cost_endorser=1.0")  # fmt: skip
    managers = int((free.org.span > 0).sum())
    rng = np.random.default_rng(0)
    free_plan, _ = free.rollout.plan(free.org, rng)
    paid_plan, _ = paid.rollout.plan(paid.org, np.random.default_rng(0))
    assert free_plan.training_limit - paid_plan.training_limit == pytest.approx(
        managers / paid.rollout.cost_trainee, abs=1
    )
    runs = paid.run(0, 2)[0]
    # Every manager has access from week 0 and the message reaches them all by week 52.
    assert (runs["cost_endorsers"] == managers * 1.0).all()
    assert (runs["cost_total"] <= paid.rollout.budget_on(paid.org.n) + 1e-9).all()


@pytest.mark.parametrize("rollout", ["pilot_decentralized", "pilot_hierarchical", "pilot_waves"])
def test_endorsers_at_the_end_are_counted_alike_compiled_and_stepped(rollout):
    sc = scenario(f"rollout={rollout}", "culture.endorse_share=0.5", "org.headcount=400")
    runs = sc.run(1, 3)[0]
    stepped = [sc.model(1, r).run(sc.steps).endorsers for r in range(3)]
    assert runs["endorsers_final"].tolist() == stepped
    assert sum(stepped) > 0
