"""The compiled run (sim.engine.run_compiled) against the stepped Mesa model, on drawn inputs.

tests/engine/test_compiled.py compares them on the rollout presets; here hypothesis
draws small orgs (generated, or hand-made with isolated people, empty units and
several tops), every lever of a :class:`~sim.rollout.Rollout`, the culture's dials,
the rule's weights and ladder, seeds and run lengths, and each compiled replication
must equal its stepped model's records bit for bit. The edge cases a draw rarely
meets (no weeks, one person, everyone seeded, a wave with nobody, a budget that
trains nobody, lapses certain) are written out below.
"""

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sim.scenario
from sim import networks
from sim.org import Org, generate
from sim.population import Culture
from sim.rollout import Rollout
from sim.rollout.seeding import CHAMPION_CHOICES
from sim.rules import Behavior, Organizational
from sim.scenario import Scenario
from tests.engine.test_compiled import assert_as_stepped  # the same comparison, bit for bit

#: Derandomized: the same examples on every run, so CI sees no flaky draw.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def scenario(org, rule, rollout, culture=None, steps=20):
    return Scenario(make_org=lambda: org, rule=rule, rollout=rollout,
                    culture=Culture() if culture is None else culture, steps=steps)  # fmt: skip


# -- orgs ---------------------------------------------------------------------------------


def hand_made(n, units, span, ties, isolated, forest, seed, weighted=True, traits=False):
    """A regular tree cut into ``units`` (some may be empty), random ties, ``isolated``
    people with none, several tops when ``forest``; with ``traits``, the org gives
    extreme traits (influence near 0 for some, trust and thresholds at the ends)."""
    rng = np.random.default_rng(seed)
    manager = np.concatenate([[-1], (np.arange(1, n) - 1) // span]).astype(np.int64)
    if forest and n > 2:
        manager[rng.choice(np.arange(1, n), size=min(2, n - 1), replace=False)] = -1
    unit = rng.integers(0, units, n)
    m = ties * n // 2
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    alone = rng.choice(n, size=min(isolated, n), replace=False)
    keep = (src != dst) & ~np.isin(src, alone) & ~np.isin(dst, alone)
    weights = rng.uniform(0.2, 3.0, m)[keep] if weighted else None
    network = networks.from_edges(src[keep], dst[keep], n, weights)
    given = {}
    if traits:
        given = {
            "influence": rng.choice([1e-90, 1e-6, 1.0, 50.0], n),
            "trust": rng.choice([0.0, 0.5, 1.0], n),
            "threshold": rng.choice([0.0, 0.3, 1.0], n),
        }
    return Org(manager=manager, unit=unit, unit_names=[f"U{u}" for u in range(units)],
               network=network, allow_forest=forest, traits=given)  # fmt: skip


@st.composite
def orgs(draw):
    seed = draw(st.integers(0, 2**16))
    if draw(st.booleans()):
        n = draw(st.integers(30, 300))
        return generate(n, units=draw(st.integers(1, 6)),
                        mean_degree=draw(st.sampled_from([2.0, 4.0, 10.0, 20.0])),
                        openness=draw(st.sampled_from([0.0, 0.3, 1.0])), seed=seed)  # fmt: skip
    n = draw(st.integers(2, 200))
    return hand_made(n, units=draw(st.integers(1, 6)), span=draw(st.integers(1, 8)),
                     ties=draw(st.integers(0, 12)), isolated=draw(st.integers(0, n // 3)),
                     forest=draw(st.booleans()), seed=seed, weighted=draw(st.booleans()),
                     traits=draw(st.booleans()))  # fmt: skip


# -- the rule, the culture, the rollout ----------------------------------------------------

unit_float = st.floats(0.0, 1.0, allow_nan=False)
dial = st.one_of(st.sampled_from([0.0, 1.0]), unit_float)


@st.composite
def ladders(draw):
    k = draw(st.integers(1, 6))
    demand = st.one_of(st.just(0.0), st.floats(0.0, 8.0))
    return tuple(Behavior(f"b{i}", difficulty=draw(dial), risk=draw(dial), voice=draw(dial),
                          reinforcement=draw(demand)) for i in range(k))  # fmt: skip


@st.composite
def rules(draw):
    deterministic = draw(st.booleans())
    if deterministic:
        noise, rate, lapse = 0.0, 1.0, draw(st.sampled_from([0.0, 1.0]))
        churn = draw(st.sampled_from([0.0, 1.0]))
        returns = draw(st.sampled_from([0.0, 1.0]))
    else:
        noise = draw(st.sampled_from([0.0, 0.02, 0.082, 0.3]))
        rate = draw(st.one_of(st.just(1.0), st.floats(0.05, 1.0)))
        lapse = draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
        churn = draw(st.one_of(st.just(0.0), st.sampled_from([1.0]), st.floats(0.0, 0.3)))
        returns = draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
    weights = {name: draw(dial) for name in (
        "peer_weight", "manager_weight", "commitment_weight", "visibility_weight",
        "content_weight", "ownership_weight", "identity_weight", "commitment_coverage",
        "safety", "training_effect", "hysteresis")}  # fmt: skip
    return Organizational(
        ladder=draw(ladders()), noise=noise, rate=rate, lapse_rate=lapse, churn=churn,
        return_share=returns,
        reactance=draw(st.sampled_from([0.0, 0.25, 0.9])),
        visibility=draw(st.sampled_from(["unit", "company"])), **weights,
    )  # fmt: skip


@st.composite
def cultures(draw):
    return Culture(open=draw(dial), trust=draw(dial), generative=draw(dial),
                   courage=draw(dial), open_recruiting=draw(st.booleans()),
                   threshold_mean=draw(st.sampled_from([0.0, 0.2, 0.374, 0.8])),
                   threshold_sd=draw(st.sampled_from([0.0, 0.091, 0.5])),
                   influence_spread=draw(st.sampled_from([0.0, 0.5, 3.0])),
                   manager_influence=draw(st.sampled_from([0.0, 2.0, 20.0])),
                   endorse_share=draw(dial), identification_mean=draw(dial),
                   attention_mean=draw(st.sampled_from([1.0, 0.5, 0.05])),
                   attention_concentration=draw(st.sampled_from([0.3, 4.0])))  # fmt: skip


@st.composite
def rollouts(draw, org):
    pilot = draw(st.integers(0, 3)) > 0
    expand_week = draw(st.one_of(st.none(), st.integers(1, 30)))
    expand_share = draw(st.one_of(st.none(), st.sampled_from([1e-9, 0.01, 0.05, 1.0]),
                                  st.floats(0.0, 1.0, exclude_min=True)))  # fmt: skip
    if expand_week is None and expand_share is None:
        expand_share = 0.01
    levers = dict(
        scope="pilot" if pilot else "company_wide",
        direction=draw(st.sampled_from(["hierarchical", "decentralized", "hybrid"])),
        pilot_share=draw(st.floats(0.0, 1.0, exclude_min=True)),
        pilot_choice=draw(st.sampled_from(["random", "largest", "connected", "open"])),
        expand_week=expand_week,
        expand_share=expand_share,
        wave_units=draw(st.one_of(st.none(), st.integers(1, 3))),
        wave_weeks=draw(st.integers(1, 5)),
        pilot_learning=draw(dial),
        top_levels=draw(st.integers(0, 4)),
        first_rungs=draw(st.integers(1, 6)),
        champions=draw(st.sampled_from([0.0, 0.02, 0.1, 0.5])),
        champion_choice=draw(st.sampled_from(CHAMPION_CHOICES)),
        training_capacity=draw(st.sampled_from([0, 1, 5, 40])),
        training_share=draw(st.sampled_from([0.0, 0.01, 0.2])),
        training_priority=draw(st.sampled_from(["random", "managers", "connected", "adopters"])),
        commitment=draw(dial),
        safety=draw(st.one_of(st.none(), dial)),
    )
    if pilot and draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(org.unit_names), min_size=1, unique=True))
        levers["pilot_units"] = tuple(names)
    budget = draw(st.sampled_from(["none", "budget", "per_person"]))
    if budget == "budget":
        levers["budget"] = draw(st.floats(1.0, 2000.0))
    elif budget == "per_person":
        levers["budget_per_person"] = draw(st.floats(0.01, 5.0))
    if budget != "none":
        levers["champion_budget"] = draw(dial)
        levers["cost_launch"] = draw(st.sampled_from([0.0, 10.0, 100.0]))
        levers["cost_trainee"] = draw(st.sampled_from([0.0, 1.0, 3.0]))
    rollout = Rollout(**levers)
    try:
        rollout.check_budget(org.n)
    except ValueError:
        assume(False)
    return rollout


def drawn(data, most_steps):
    """A drawn scenario, seed and replications (labelled, so that a failure names them)."""
    org = data.draw(orgs(), label="org")
    sc = scenario(org, data.draw(rules(), label="rule"), data.draw(rollouts(org), label="rollout"),
                  data.draw(cultures(), label="culture"),
                  steps=data.draw(st.integers(0, most_steps), label="steps"))  # fmt: skip
    replications = data.draw(st.lists(st.integers(0, 20), min_size=1, max_size=3, unique=True),
                             label="replications")  # fmt: skip
    return sc, data.draw(st.integers(0, 2**32), label="seed"), replications


@PROPERTY
@given(data=st.data())
def test_drawn_scenarios_run_as_stepped(data):
    sc, seed, replications = drawn(data, most_steps=60)
    assert_as_stepped(sc, seed=seed, replications=replications,
                      threads=data.draw(st.sampled_from([1, 2]), label="threads"))  # fmt: skip


@settings(PROPERTY, max_examples=30)
@given(data=st.data())
def test_drawn_scenarios_give_the_stepped_tables(data):
    sc, seed, replications = drawn(data, most_steps=40)
    compiled = sc.run(seed, replications, groups=True)
    with mock.patch.object(sim.scenario, "compilable", lambda rule, org: False):
        stepped = sc.run(seed, replications, groups=True)
    for a, b in zip(compiled, stepped, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


# -- edge cases, by hand -------------------------------------------------------------------

ORG = generate(120, units=4, seed=1)
DRAWN = Organizational()


def certain(lapse_rate):
    """Decisions without draws: noise 0, rate 1, lapses never or surely."""
    return Organizational(noise=0.0, rate=1.0, lapse_rate=lapse_rate, churn=0.0, return_share=1.0)


def with_empty_units(org, *names):
    """``org`` with more unit names, nobody in them."""
    return Org(manager=org.manager, unit=org.unit, unit_names=[*org.unit_names, *names],
               network=org.network)  # fmt: skip


@pytest.mark.parametrize("rule", [DRAWN, certain(1.0)], ids=["drawn", "certain"])
@pytest.mark.parametrize("steps", [0, 1])
def test_no_weeks_and_one_week_run_as_stepped(rule, steps):
    rollout = Rollout(scope="pilot", direction="hybrid", expand_week=1, training_capacity=3)
    runs = assert_as_stepped(scenario(ORG, rule, rollout, steps=steps))
    assert runs.holders.shape[1] == steps + 1


@pytest.mark.parametrize("direction", ["hierarchical", "decentralized", "hybrid"])
@pytest.mark.parametrize("rule", [DRAWN, certain(0.0), certain(1.0)], ids=["drawn", "0", "1"])
def test_one_person_runs_as_stepped(direction, rule):
    one = hand_made(1, units=1, span=1, ties=0, isolated=0, forest=False, seed=0)
    rollout = Rollout(direction=direction, champions=0.5, training_capacity=1)
    assert_as_stepped(scenario(one, rule, rollout))


@pytest.mark.parametrize("scope", ["company_wide", "pilot"])
@pytest.mark.parametrize("rule", [DRAWN, certain(0.0), certain(1.0)], ids=["drawn", "0", "1"])
def test_everyone_seeded_runs_as_stepped(scope, rule):
    rollout = Rollout(scope=scope, top_levels=50, expand_week=3)
    runs = assert_as_stepped(scenario(ORG, rule, rollout, steps=30))
    seeded = runs.holders[0, 0, 0]
    assert seeded == (ORG.n if scope == "company_wide" else runs.with_access[0, 0])


@pytest.mark.parametrize("choice", ["random", "largest", "open"])
@pytest.mark.parametrize("rule", [DRAWN, certain(0.0)], ids=["drawn", "certain"])
def test_waves_of_nobody_run_as_stepped(choice, rule):
    # Two units without people: waves that open to nobody, at a week.
    org = with_empty_units(generate(60, units=3, seed=5), "Empty1", "Empty2")
    rollout = Rollout(scope="pilot", pilot_choice=choice, pilot_share=0.4, expand_week=2,
                      wave_units=1, wave_weeks=1, training_capacity=2,
                      pilot_learning=1.0)  # fmt: skip
    assert_as_stepped(scenario(org, rule, rollout, steps=15), replications=(0, 1, 2, 3))


def test_a_pilot_of_nobody_expanding_at_a_week_runs_as_stepped():
    org = with_empty_units(generate(60, units=3, seed=5), "Empty")
    rollout = Rollout(scope="pilot", pilot_units=("Empty",), expand_week=3, direction="hybrid")
    runs = assert_as_stepped(scenario(org, DRAWN, rollout, steps=8))
    assert runs.with_access[0, :4].tolist() == [0, 0, 0, org.n]


def test_a_pilot_of_nobody_expanding_on_a_share_runs_as_stepped():
    # Two people in unit A; the pilot is unit "Empty". The stepped run expands at
    # week 2 (0 / 0 users is NaN, never >= the share); the compiled run raised
    # ZeroDivisionError in week 1 until ladder_run skipped the share of an empty wave.
    org = with_empty_units(hand_made(2, units=1, span=1, ties=2, isolated=0, forest=False,
                                     seed=0), "Empty")  # fmt: skip
    rollout = Rollout(scope="pilot", pilot_units=("Empty",), expand_week=2, expand_share=0.5)
    runs = assert_as_stepped(scenario(org, DRAWN, rollout, steps=3))
    assert runs.opened[0].tolist() == [2, 0, 2]


@pytest.mark.parametrize("rule", [DRAWN, certain(0.0), certain(1.0)], ids=["drawn", "0", "1"])
def test_isolated_people_run_as_stepped(rule):
    # Half the people have no informal tie (strength 0), and some influence is tiny.
    org = hand_made(60, units=3, span=4, ties=4, isolated=30, forest=True, seed=3, traits=True)
    assert np.count_nonzero(np.diff(org.network.indptr) == 0) >= 30
    for rollout in (Rollout(scope="pilot", expand_week=4, direction="hybrid"),
                    Rollout(direction="hybrid", champions=0.3, training_capacity=5)):  # fmt: skip
        assert_as_stepped(scenario(org, rule, rollout, steps=30))


@pytest.mark.parametrize("priority", ["random", "adopters"])
def test_a_budget_that_trains_nobody_runs_as_stepped(priority):
    # The launch takes the whole budget: training_limit 0, no champions, capacity idle.
    rollout = Rollout(direction="decentralized", commitment=0.5, budget=50.0,
                      training_capacity=10, training_priority=priority)  # fmt: skip
    assert rollout._budgeted(ORG, 0) == (0, 0)
    runs = assert_as_stepped(scenario(ORG, DRAWN, rollout))
    assert runs.trained[:, -1].tolist() == [0, 0]


@pytest.mark.parametrize("direction", ["hierarchical", "decentralized", "hybrid"])
@pytest.mark.parametrize("trigger", ["week", "share"])
def test_a_pilot_without_learners_runs_as_stepped(direction, trigger):
    # The pilot is the top person's unit of one: a leader or a champion, so nobody
    # in the first wave learns for the later ones.
    manager = np.array([-1] + [0] * 5 + [1 + i % 5 for i in range(30)])
    unit = np.array([0] + [1] * 17 + [2] * 18)
    src, dst = np.arange(35), np.arange(1, 36)
    org = Org(manager=manager, unit=unit, unit_names=["Top", "A", "B"],
              network=networks.from_edges(src, dst, 36))  # fmt: skip
    expand = {"week": dict(expand_week=4), "share": dict(expand_week=None, expand_share=1.0)}
    rollout = Rollout(scope="pilot", pilot_units=("Top",), direction=direction, top_levels=1,
                      champions=0.5, pilot_learning=1.0, wave_units=1, wave_weeks=1,
                      **expand[trigger])  # fmt: skip
    plan = rollout.plan(org, np.random.default_rng(0))[0]
    first_wave = np.flatnonzero(np.isin(org.unit, plan.waves[0]))
    assert np.isin(first_wave, np.concatenate([plan.leaders, plan.champions])).all()
    assert_as_stepped(scenario(org, certain(0.0), rollout))
    assert_as_stepped(scenario(org, DRAWN, rollout))


@pytest.mark.parametrize("direction", ["hierarchical", "decentralized", "hybrid"])
@pytest.mark.parametrize("lapse_rate", [0.0, 1.0])
def test_certain_decisions_under_waves_run_as_stepped(direction, lapse_rate):
    # Lapses certain (or never) with noise 0; the pilot reaches its share in week 1.
    rollout = Rollout(scope="pilot", direction=direction, expand_week=None, expand_share=0.01,
                      wave_units=1, wave_weeks=1, training_capacity=3,
                      training_priority="adopters", champions=0.1)  # fmt: skip
    runs = assert_as_stepped(scenario(ORG, certain(lapse_rate), rollout, steps=60))
    if direction != "hierarchical":
        assert runs.opened[0, 2] == 1


def test_managers_who_adopt_before_the_message_endorse_as_stepped():
    # The message goes down a level a week; managers who took the behavior up from their
    # peers before it reached them start endorsing the week it does, a week before it
    # reaches their reports: only the refresh of those reports' bounds (the speakers
    # of ladder_run) lets the reports act that week. Without it this run differs.
    org = generate(179, units=2, span_median=2.0, span_mean=3.0, seed=286438)
    rule = Organizational(noise=0.0, rate=1.0, lapse_rate=0.0, churn=0.0, return_share=1.0,
                          ladder=(Behavior("a"),),
                          peer_weight=0.41, manager_weight=1.0, commitment_weight=0.0,
                          visibility_weight=0.55, content_weight=0.0, ownership_weight=0.0,
                          training_effect=0.0, reactance=0.0, safety=1.0)  # fmt: skip
    culture = Culture(trust=0.9, threshold_mean=0.21, threshold_sd=0.1)
    rollout = Rollout(direction="hierarchical", top_levels=2, first_rungs=1, commitment=0.5)
    assert_as_stepped(scenario(org, rule, rollout, culture, steps=15), replications=(0,))
