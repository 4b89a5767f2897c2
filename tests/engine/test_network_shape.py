"""The informal network's shape on a generated company: rewiring the ties at random (every degree
kept) lowers contributing where the ties carry it, as Centola (2010) found, and leaves it where a
company-wide push carries everyone (docs/model.md §1, experiments/network_shape.py)."""

import dataclasses

import numpy as np
import pytest

from sim import networks, rules
from sim.org import generate
from sim.population import Culture
from sim.rollout import Rollout
from sim.scenario import Scenario
from sim.stats import paired_interval
from tests.helpers import OFF

METRIC = "auc_fraction_weeks_contribute"


@pytest.fixture(scope="module")
def companies():
    """A company on its own ties and on the same ties rewired."""
    company = generate(headcount=800, seed=2)
    mixed = dataclasses.replace(company, network=networks.rewired(company.network, 1.0, seed=5))
    return company, mixed


def contributing(org, rule, replications=12):
    rollout = Rollout(scope="company_wide", direction="decentralized", champions=0.05)
    scenario = Scenario(make_org=lambda: org, rule=rule, rollout=rollout, culture=Culture())
    runs, _ = scenario.run(0, replications)
    return runs[METRIC].to_numpy()


def rewiring(companies, rule):
    clustered, mixed = (contributing(org, rule) for org in companies)
    return paired_interval(mixed - clustered), clustered.mean()


def test_rewiring_lowers_contributing_when_the_ties_carry_it(companies):
    """The ties and what one sees of one's unit, no company-wide push, no lapses: contributing
    needs reinforcement from about two contacts, and a random network spreads it less far."""
    rule = rules.Organizational(**{**OFF, "peer_weight": 1.0, "visibility_weight": 0.3})
    moved, _ = rewiring(companies, rule)
    assert moved.high < 0, moved


def test_a_company_wide_push_that_carries_everyone_leaves_the_shape_no_part(companies):
    """The same with a strong perceived commitment: nearly everyone contributes on either
    network, and the difference rewiring makes shrinks to a small share of what it was."""
    ties = rules.Organizational(**{**OFF, "peer_weight": 1.0, "visibility_weight": 0.3})
    pushed = dataclasses.replace(ties, commitment_weight=0.6)
    by_ties, _ = rewiring(companies, ties)
    by_push, level = rewiring(companies, pushed)
    assert abs(by_push.mean) < 0.25 * abs(by_ties.mean), (by_ties, by_push)
    assert level > 0.5 * 52  # the push carries more than half the company for the year
    assert np.isfinite(by_push.low)


def composed(*overrides, replications=20):
    """Contributor-weeks of 2,000 people over 52 weeks, as ``orgsim`` composes the config."""
    from sim.conf import compose_scenario

    scenario = compose_scenario(["org.headcount=2000", "steps=52", *overrides])
    return scenario.run(0, replications)[0][METRIC].to_numpy()


def test_where_the_push_is_weak_rewiring_lowers_contributing_with_the_shipped_defaults():
    """The traditional culture (trust 0.3): commitment times trust is small, and the ties'
    arrangement shows (docs/model.md §1, -0.05 [-0.09, -0.01] on 2026-12-07)."""
    common = ("culture=traditional", "rollout=company_wide_decentralized")
    moved = paired_interval(composed(*common, "network.rewire=1")
                            - composed(*common, "network.rewire=0"))  # fmt: skip
    assert moved.high < 0, moved


def test_opening_the_network_thins_a_pilot_where_the_push_is_weak():
    """Krackhardt's viscosity: a decentralized pilot in the traditional culture contributes less
    when more of its members' ties leave it for people without access."""
    common = ("culture=traditional", "rollout=pilot_decentralized")
    moved = paired_interval(composed(*common, "network.openness=0.8")
                            - composed(*common, "network.openness=0.2"))  # fmt: skip
    assert moved.high < 0, moved
