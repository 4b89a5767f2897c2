"""Rollout strategies on a small hand-made org: who is in the pilot, and why."""

import numpy as np
import pytest

from sim import networks
from sim.org import Org
from sim.rollout import Rollout, unit_scores

# 10 people. Unit A: 0-3 (4 people), B: 4-8 (5 people), C: 9 (1 person).
#   A: a closed clique of 4 (6 ties, none leaving): 3 tie ends per person, open 0.
#   B: a chain 4-5-6-7-8 (4 ties, 8 ends) and 8-9 to C: 9 ends / 5 people = 1.8, open 1/9.
#   C: the one tie to B: 1 end per person, open 1.
EDGES = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9)]


@pytest.fixture(scope="module")
def org():
    src, dst = (np.array(side) for side in zip(*EDGES, strict=True))
    return Org(
        manager=np.array([-1, 0, 0, 0, 0, 4, 4, 4, 4, 0]),
        unit=np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 2]),
        unit_names=["A", "B", "C"],
        network=networks.from_edges(src, dst, 10),
    )


def test_unit_scores_by_hand(org):
    assert unit_scores(org, "largest").tolist() == [4, 5, 1]
    assert unit_scores(org, "connected").tolist() == pytest.approx([3.0, 1.8, 1.0])
    assert unit_scores(org, "open").tolist() == pytest.approx([0.0, 1 / 9, 1.0])


@pytest.mark.parametrize(
    ("choice", "share", "pilot"),
    [("largest", 0.3, [1]), ("connected", 0.3, [0]), ("open", 0.3, [2]), ("open", 0.6, [1, 2])],
)
def test_pilot_by_choice(org, choice, share, pilot):
    rollout = Rollout(scope="pilot", pilot_choice=choice, pilot_share=share)
    assert rollout.pilot(org, np.random.default_rng(0)).tolist() == pilot
    plan, _ = rollout.plan(org, np.random.default_rng(0))
    access = plan.week(1).access
    assert np.flatnonzero(access).tolist() == np.flatnonzero(np.isin(org.unit, pilot)).tolist()
    assert plan.week(rollout.expand_week).access.all()


def test_pilot_by_name(org):
    rollout = Rollout(scope="pilot", pilot_units=["C", "A"])
    assert rollout.pilot(org, np.random.default_rng(0)).tolist() == [0, 2]
    with pytest.raises(ValueError, match="does not have: D"):
        Rollout(scope="pilot", pilot_units=["D"]).pilot(org, np.random.default_rng(0))


def test_random_pilot_follows_the_generator(org):
    rollout = Rollout(scope="pilot", pilot_share=0.6)
    first = rollout.pilot(org, np.random.default_rng(5))
    assert first.tolist() == rollout.pilot(org, np.random.default_rng(5)).tolist()
    assert len(first) == 2


def test_company_wide_is_everyone(org):
    assert Rollout().pilot(org, np.random.default_rng(0)).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pilot_choice": "best"}, "pilot_choice"),
        ({"pilot_units": "A"}, "pilot_units"),
        ({"pilot_units": []}, "pilot_units"),
        ({"pilot_units": [1]}, "pilot_units"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Rollout(scope="pilot", **kwargs)


# -- the budget: what 0, None and an enormous number mean -------------------------------


def test_no_budget_is_none_and_a_zero_budget_is_refused(org):
    assert Rollout().budget_on(org.n) is None  # the default: the levers as given
    assert Rollout(budget=50.0, budget_per_person=0.0).budget_on(org.n) == 50.0
    with pytest.raises(ValueError, match=r"a budget of 0 person-days pays for nothing.*=null"):
        Rollout(budget_per_person=0.0).check_budget(org.n)


def test_a_budget_beyond_a_float_is_refused_before_it_turns_into_nan(org):
    with pytest.raises(ValueError, match=r"'budget_per_person' parameter.*budget of inf"):
        Rollout(budget_per_person=1e308).check_budget(org.n)
    huge = Rollout(direction="hybrid", budget_per_person=1e307, training_share=0.5)
    huge.check_budget(org.n)  # finite: it buys everyone, no more
    plan, first = huge.plan(org, np.random.default_rng(0))
    assert plan.training_limit == org.n and first.shape[0] <= org.n


def test_the_classic_rules_pay_for_nothing(org):
    # A budget too small for the launch would leave no champions; the classics have no plan.
    rollout = Rollout(direction="decentralized", champions=0.3, budget=1.0)
    assert rollout.first_adopters(org, np.random.default_rng(0)).shape[0] == 3
