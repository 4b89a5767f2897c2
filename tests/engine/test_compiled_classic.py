"""The classic rules' compiled run (sim.engine.classic, sim.kernels.classic_run) against the
stepped Mesa model.

Every number of a compiled replication must be the stepped run's, bit for bit: the weekly
adopters and new adopters, who adopted when, the week Mesa's ``running`` flag turns False,
and the tables ``Scenario.run`` makes of them, for every classic experiment and the rules'
variants (well mixed, absolute, weighted shares, per-person thresholds, resampled orgs).
"""

from dataclasses import dataclass

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from numba import njit

import sim.scenario
from sim.conf import CONFIG_DIR, build, register
from sim.engine.classic import (
    classic_compilable,
    classic_tables,
    run_classic_compiled,
    run_network,
)
from sim.kernels import IN_CACHE_PEOPLE
from sim.model import OrgModel
from sim.networks import complete, erdos_renyi, from_edges, small_world
from sim.rules import Bass, IndependentCascade, Threshold


def scenario(*overrides):
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return build(cfg)


def compiled(sc, seed, replications):
    return run_classic_compiled(
        None if sc.resample else sc.org, sc.rule, sc.rollout, seed, replications, sc.steps,
        thresholds=sc.thresholds, make_org=sc.make_org if sc.resample else None,
    )  # fmt: skip


def weeks_running(model, steps):
    """The weeks after which the stepped model's ``running`` flag is still True."""
    running = 0
    for _ in range(steps):
        model.step()
        running += bool(model.running)
    return running


def assert_as_stepped(model, steps, adopters, new, adopted_at, settled):
    running = weeks_running(model, steps)
    np.testing.assert_array_equal(adopters, model._adopters)
    np.testing.assert_array_equal(new, model._new)
    np.testing.assert_array_equal(adopted_at, model.adopted_at)
    # Mesa's batch_run stops at the first week whose running flag is False.
    assert running == (steps if settled < 0 else min(settled, steps))


def assert_scenario_as_stepped(sc, monkeypatch, seed=3, replications=(0, 1, 2)):
    runs = compiled(sc, seed, replications)
    for k, r in enumerate(replications):
        assert_as_stepped(sc.model(seed, r), sc.steps, runs.adopters[k], runs.new[k],
                          runs.adopted_at[k], runs.settled[k])  # fmt: skip
    # The tables of the stepped path, whether or not Scenario takes the compiled one.
    monkeypatch.setattr(sim.scenario, "classic_compilable", lambda rule, org: False,
                        raising=False)  # fmt: skip
    stepped = sc.run(seed, replications)
    for got, expected in zip(classic_tables(runs), stepped, strict=True):
        assert got.equals(expected)
        assert list(got.columns) == list(expected.columns)
        assert (got.dtypes == expected.dtypes).all()
    return runs


EXPERIMENTS = [
    ("+experiment=bass_1969", "org.headcount=600"),
    ("+experiment=bass_1969", "org.headcount=600", "rule.well_mixed=true"),
    ("+experiment=bass_1969", "org.headcount=600", "network=small_world"),
    ("+experiment=bass_1969", "org.headcount=300", "network=complete"),
    ("+experiment=watts_cascades", "org.headcount=2000", "rollout.champions=0.001",
     "rule.theta=0.18", "network.mean_degree=4", "steps=60"),
    ("+experiment=watts_cascades", "org.headcount=1000", "rule.theta=0.24",
     "network.mean_degree=1.5", "rollout.champions=0.002"),
    ("+experiment=granovetter_riot",),
    ("+experiment=granovetter_riot", "rule.moved=5"),
    ("+experiment=granovetter_normal", "rule.spread=12"),
    ("+experiment=granovetter_normal", "rule.spread=20"),
    ("+experiment=classic_cascade", "org.headcount=400", "rule.theta=0.2"),
    ("+experiment=classic_cascade", "org.headcount=400", "rule.theta=0.05"),
    ("+experiment=centola_macy", "org.headcount=400", "steps=150", "rule.theta=1",
     "network.rewire=0.01"),
    ("+experiment=centola_macy", "org.headcount=400", "steps=150", "rule.theta=2",
     "network.rewire=0.1"),
    ("rule=independent_cascade", "org.headcount=400", "steps=30"),
    ("rule=independent_cascade", "rule.p=0.002", "org.headcount=300", "network=complete",
     "rollout=company_wide_decentralized", "rollout.champions=0.01"),
]  # fmt: skip


@pytest.mark.parametrize("overrides", EXPERIMENTS, ids=lambda o: " ".join(o))
def test_every_classic_experiment_runs_as_stepped(overrides, monkeypatch):
    sc = scenario(*overrides)
    assert classic_compilable(sc.rule, sc.org)
    runs = assert_scenario_as_stepped(sc, monkeypatch)
    assert runs.adopters.shape == (3, sc.steps + 1)


def test_the_experiments_exercise_what_they_are_for():
    """Not vacuous: resampled orgs differ, cascades spread, thresholds are people's own."""
    watts = scenario("+experiment=watts_cascades", "org.headcount=2000", "rule.theta=0.18",
                     "rollout.champions=0.001", "network.mean_degree=4")  # fmt: skip
    assert watts.resample
    runs = compiled(watts, 3, range(3))
    assert runs.adopters[:, -1].max() > 1000
    riot = scenario("+experiment=granovetter_normal", "rule.spread=12")
    assert riot.thresholds is not None and riot.org.network.complete


def random_network(n, seed, weighted):
    rng = np.random.default_rng(seed)
    pairs = rng.integers(n, size=(n * 3, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    weights = rng.uniform(0.1, 3.0, pairs.shape[0]) if weighted else None
    network = from_edges(pairs[:, 0], pairs[:, 1], n, weights, merge="max")
    assert network.unit_weights != weighted
    return network


NETWORKS = {
    "weighted": lambda: random_network(300, 1, True),
    "unit": lambda: random_network(300, 2, False),
    "small world": lambda: small_world(400, 6, 0.05, seed=np.random.default_rng(3)),
    "sparse": lambda: erdos_renyi(500, 1.2, seed=np.random.default_rng(4)),
    "complete": lambda: complete(150),
}
RULES = {
    "threshold": Threshold(theta=0.3),
    "threshold low": Threshold(theta=0.1),
    "threshold zero": Threshold(theta=0.0),
    "absolute": Threshold(theta=2, absolute=True),
    "absolute high": Threshold(theta=40, absolute=True),
    "bass": Bass(p=0.01, q=0.4),
    "bass well mixed": Bass(p=0.02, q=0.3, well_mixed=True),
    "bass imitation only": Bass(p=0.0, q=0.9),
    "bass no hazard": Bass(p=0.0, q=0.0),
    "cascade": IndependentCascade(p=0.2),
    "cascade sure": IndependentCascade(p=1.0),
}


@pytest.mark.parametrize("initial", [(), (0, 5, 17), 0.05], ids=["nobody", "ids", "share"])
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("rule", RULES)
def test_rules_on_every_kind_of_network_run_as_stepped(rule, network, initial):
    net, rule = NETWORKS[network](), RULES[rule]
    for seed in (0, 1):
        adopters, new, at, settled = run_network(net, rule, initial, 40,
                                                 np.random.default_rng([seed, 9]))  # fmt: skip
        model = OrgModel(network=net, rule=rule, initial_adopters=initial,
                         rng=np.random.default_rng([seed, 9]))  # fmt: skip
        assert_as_stepped(model, 40, adopters, new, at, settled)


def test_the_generator_is_left_where_the_stepped_run_leaves_it():
    net = small_world(300, 4, 0.1, seed=np.random.default_rng(5))
    for rule in (Bass(p=0.01, q=0.3), IndependentCascade(p=0.3)):
        ours, theirs = np.random.default_rng(11), np.random.default_rng(11)
        run_network(net, rule, [3, 4], 25, ours)
        OrgModel(network=net, rule=rule, initial_adopters=[3, 4], rng=theirs).run(25)
        assert ours.bit_generator.state == theirs.bit_generator.state
        assert ours.random() == theirs.random()


def test_per_person_thresholds_on_weighted_ties_run_as_stepped():
    net = random_network(250, 6, True)
    theta = np.random.default_rng(7).uniform(0.0, 0.6, net.n)
    for rule in (Threshold(theta=theta), Threshold(theta=theta * 5, absolute=True)):
        adopters, new, at, settled = run_network(net, rule, [1, 2, 3, 50], 30,
                                                 np.random.default_rng(1))  # fmt: skip
        model = OrgModel(network=net, rule=rule, initial_adopters=[1, 2, 3, 50],
                         rng=np.random.default_rng(1))  # fmt: skip
        assert_as_stepped(model, 30, adopters, new, at, settled)
        assert adopters[-1] > 4


def test_shares_at_a_threshold_exactly_decide_as_stepped():
    """Weighted shares that land on a threshold: the float sums must be the stepped ones."""
    # A star of weights 0.1 (never exactly 0.3 in three additions) around person 0.
    net = from_edges(np.zeros(10, dtype=np.int64), np.arange(1, 11), 11, np.full(10, 0.1))
    for theta in (0.3, 0.30000000000000004, 0.29999999999999993):
        rule = Threshold(theta=theta)
        adopters, new, at, settled = run_network(net, rule, [1, 2, 3], 5,
                                                 np.random.default_rng(0))  # fmt: skip
        model = OrgModel(network=net, rule=rule, initial_adopters=[1, 2, 3],
                         rng=np.random.default_rng(0))  # fmt: skip
        assert_as_stepped(model, 5, adopters, new, at, settled)


@pytest.mark.parametrize("threads", [1, 2])
def test_batches_and_threads_change_no_number(threads):
    sc = scenario("+experiment=watts_cascades", "org.headcount=1500", "rule.theta=0.18",
                  "network.mean_degree=4", "rollout.champions=0.002", "steps=40")  # fmt: skip
    whole = run_classic_compiled(None, sc.rule, sc.rollout, 5, range(7), sc.steps,
                                 make_org=sc.make_org, threads=threads)  # fmt: skip
    for r in (0, 3, 6):
        alone = run_classic_compiled(None, sc.rule, sc.rollout, 5, [r], sc.steps,
                                     make_org=sc.make_org, threads=1)  # fmt: skip
        np.testing.assert_array_equal(whole.adopters[r], alone.adopters[0])
        np.testing.assert_array_equal(whole.new[r], alone.new[0])
        np.testing.assert_array_equal(whole.adopted_at[r], alone.adopted_at[0])
        assert whole.settled[r] == alone.settled[0]
    assert len(set(whole.adopters[:, -1].tolist())) > 1  # the runs differ
    tables = classic_tables(compiled(sc, 5, [3, 1]))
    assert tables[0]["replication"].tolist() == [3, 1]
    assert tables[1]["replication"].tolist() == [3] * (sc.steps + 1) + [1] * (sc.steps + 1)


def test_no_weeks_gives_the_stepped_tables(monkeypatch):
    sc = scenario("+experiment=granovetter_riot", "steps=0")
    assert_scenario_as_stepped(sc, monkeypatch, replications=(0,))


@dataclass(frozen=True, eq=False)
class Louder(Threshold):
    """A rule of its own (it could bind or step otherwise): stepped."""


def test_only_the_classic_rules_themselves_compile():
    assert classic_compilable(Threshold(theta=0.2))
    assert classic_compilable(IndependentCascade(p=0.1))
    assert not classic_compilable(Louder(theta=0.2))
    organizational = scenario("org.headcount=100")
    assert not classic_compilable(organizational.rule, organizational.org)
    # Sparse networks too large for the cache run stepped (their parallel kernels).
    rule = Bass(p=0.01, q=0.3)
    assert classic_compilable(rule, organizational.org)
    fits = erdos_renyi(IN_CACHE_PEOPLE, 2.0, seed=np.random.default_rng(0))
    assert classic_compilable(rule, fits)
    big = erdos_renyi(IN_CACHE_PEOPLE + 1, 2.0, seed=np.random.default_rng(0))
    assert not classic_compilable(rule, big)
    assert classic_compilable(rule, complete(10**7))


@njit
def _draws(rng, sizes):
    out = np.empty(sizes.sum())
    k = 0
    for size in sizes:
        block = rng.random(size)  # an array at once
        out[k : k + size] = block
        k += size
    return out


@njit
def _one_by_one(rng, count):
    out = np.empty(count)
    for k in range(count):
        out[k] = rng.random()
    return out


def test_numba_draws_numpys_stream_from_the_same_bit_generator():
    """What the compiled run rests on: a Generator passed to Numba is the same stream."""
    sizes = np.array([3, 0, 1, 1000, 17])
    for seed in ([0, 1], [7, 2]):
        ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        expected = np.concatenate([theirs.random(s) for s in sizes])
        np.testing.assert_array_equal(_draws(ours, sizes), expected)
        assert ours.bit_generator.state == theirs.bit_generator.state
        np.testing.assert_array_equal(_one_by_one(ours, 500), theirs.random(500))
        assert ours.bit_generator.state == theirs.bit_generator.state
        # A child spawned afterwards is the same too (spawning draws nothing).
        assert ours.spawn(1)[0].random() == theirs.spawn(1)[0].random()


@njit
def _chance(p, f):
    return 1.0 - (1.0 - p) ** np.float64(f)  # as the kernel computes it


def test_the_cascade_on_a_complete_network_takes_pythons_power():
    """Its chance ``1 - (1 - p) ** f`` is Python's float power in the stepped run; the
    kernel's must give the same bits (a draw can fall between two neighbouring floats)."""
    rng = np.random.default_rng(2)
    for p in [*rng.uniform(0.0, 1.0, 200).tolist(), 0.0, 1.0, 1e-300, 0.5]:
        for f in (1, 2, 3, 7, 64, 99, 1000, 12345):
            assert _chance(p, f) == 1.0 - (1.0 - p) ** f, (p, f)
    for seeds in ([0], list(range(7)), list(range(0, 120, 3))):
        net, rule = complete(200), IndependentCascade(p=0.013)
        got = run_network(net, rule, seeds, 3, np.random.default_rng(0))
        model = OrgModel(network=net, rule=rule, initial_adopters=seeds,
                         rng=np.random.default_rng(0))  # fmt: skip
        assert_as_stepped(model, 3, *got)


def test_a_network_beyond_the_cache_runs_as_stepped_all_the_same():
    """Out of the cache pushes cost more than recounts; the choice changes no number."""
    net = small_world(IN_CACHE_PEOPLE + 1000, 6, 0.1, seed=np.random.default_rng(8))
    seeds = np.arange(0, net.n, 500)
    for rule in (Threshold(theta=0.15), Bass(p=0.005, q=0.5), IndependentCascade(p=0.3)):
        got = run_network(net, rule, seeds, 20, np.random.default_rng(4))
        model = OrgModel(network=net, rule=rule, initial_adopters=seeds,
                         rng=np.random.default_rng(4))  # fmt: skip
        assert_as_stepped(model, 20, *got)
        assert got[0][-1] > net.n // 10  # weeks with large pushes, and recounts
