"""The classic studies as experiments: Watts's cascade window, on the engine and in theory."""

import math

import pandas as pd
import pytest

from sim.conf import ConfigError
from sim.validation import watts
from tests.helpers import orgsim


def test_the_window_is_computed_from_watts_condition():
    low, high = watts.cascade_window(0.18)
    # Both edges are roots of the condition, and it holds between them.
    assert watts.cascade_condition(low, 0.18) == pytest.approx(0, abs=1e-9)
    assert watts.cascade_condition(high, 0.18) == pytest.approx(0, abs=1e-9)
    assert watts.cascade_condition((low + high) / 2, 0.18) > 0
    assert watts.cascade_condition(0.5, 0.18) < 0 and watts.cascade_condition(8, 0.18) < 0
    # Watts's figure: about 1 to 6 for phi = 0.18; a larger phi narrows it from above.
    assert 1.0 < low < 1.1 and 5.5 < high < 6.0
    low24, high24 = watts.cascade_window(0.24)
    assert low24 > low and high24 < high
    # The slow obvious sum, term by term.
    z = 3.0
    total = sum(k * (k - 1) * math.exp(-z) * z**k / math.factorial(k) for k in range(2, 6))
    assert watts.cascade_condition(z, 0.18) == pytest.approx(total - z)
    with pytest.raises(ValueError, match="No cascade window"):
        watts.cascade_window(0.6)


def test_a_network_alone_needs_a_classic_rule_and_champions():
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register

    register()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["network=erdos_renyi"])
        with pytest.raises(ConfigError, match=r"network.kind: erdos_renyi is a network without"):
            build(cfg)
        cfg = compose("config", overrides=["network=erdos_renyi", "rule=threshold"])
        with pytest.raises(ConfigError, match=r"rollout.direction: a network alone"):
            build(cfg)
        cfg = compose(
            "config",
            overrides=[
                "network=small_world",
                "network.mean_degree=3",
                "rule=threshold",
                "rollout=company_wide_decentralized",
            ],
        )
        with pytest.raises(ConfigError, match=r"network.mean_degree: a small world"):
            build(cfg)


def test_watts_cascades_at_reduced_size_find_both_edges_of_the_window(tmp_path):
    grid = "0.5,1,1.5,2,3,4,5,5.5,6,6.5,7,8"
    done = orgsim(tmp_path, "-m", "+experiment=watts_cascades", "org.headcount=3000",
                  "replications=40", "rollout.champions=0.000334", "rule.theta=0.18",
                  f"network.mean_degree={grid}")  # fmt: skip
    store = tmp_path / "results" / "watts_cascades"
    runs = pd.read_parquet(store / "runs.parquet")
    assert len(runs) == 12 * 40 and (runs["experiment"] == "watts_cascades").all()
    # Each run drew its own network: the same seeds, different graphs, different outcomes.
    table = watts.cascades(runs)
    window = watts.observed_window(table).iloc[0]
    assert abs(window["observed_low"] - window["analytic_low"]) <= 0.6
    assert abs(window["observed_high"] - window["analytic_high"]) <= 0.8
    inside = table[(table["z"] >= 2) & (table["z"] <= 5)]
    assert (inside["frequency"] > 0.2).all() and (inside["size"] > 0.7).all()
    outside = table[(table["z"] <= 0.5) | (table["z"] >= 7)]
    assert (outside["cascades"] == 0).all()
    assert "Watts (2002): phi = 0.18: global cascades observed for z from" in done.stdout
    html = (store / "report.html").read_text()
    assert "Validation: Watts (2002)" in html
    assert list((store / "figures").glob("*watts.png"))


def test_bass_well_mixed_follows_the_recursion_and_networks_slow_it(tmp_path):
    from sim.validation import bass

    # The slow obvious recursion, and the closed form at t = 10 (docs/model.md §7).
    assert bass.recursion(0.03, 0.38, 10)[10] == pytest.approx(0.783, abs=5e-4)
    assert float(bass.closed_form(0.03, 0.38, 10)) == pytest.approx(0.813, abs=5e-4)
    done = orgsim(tmp_path, "-m", "+experiment=bass_1969", "org.headcount=4000",
                  "replications=4", "steps=20")  # fmt: skip
    assert "Bass (1969): p = 0.03, q = 0.38" in done.stdout
    store = tmp_path / "results" / "bass_1969"
    curves = pd.read_parquet(store / "timeseries.parquet")
    table = bass.compare(curves, 0.03, 0.38, ["network", "rule.well_mixed"])
    mixed = table[table["rule.well_mixed"]]
    assert (mixed["fraction"] - mixed["recursion"]).abs().max() < 0.02
    on_ties = table[~table["rule.well_mixed"] & (table["step"] == 10)]
    assert (on_ties["fraction"] < mixed[mixed["step"] == 10]["fraction"].min() - 0.05).all()
    html = (store / "report.html").read_text()
    assert "Validation: Bass (1969)" in html and list((store / "figures").glob("*bass.png"))


def test_centola_macy_long_ties_speed_simple_contagions_and_stop_complex_ones(tmp_path):
    from sim.validation import contagion

    done = orgsim(tmp_path, "-m", "+experiment=centola_macy", "org.headcount=300",
                  "replications=5", "steps=200", "rollout.champions=0.0167",
                  "network.rewire=0,0.1,1")  # fmt: skip
    assert "Centola & Macy (2007): needing 1 adopting tie(s)" in done.stdout
    runs = pd.read_parquet(tmp_path / "results" / "centola_macy" / "runs.parquet")
    table = contagion.spread(runs).set_index(["theta", "rewire"])
    # The clustered seed: 5 neighbours of one person on the lattice.
    assert table.loc[(2.0, 0.0), "final_share"] == 1.0  # complex, on the lattice: everyone
    assert table.loc[(2.0, 1.0), "final_share"] < 0.1  # complex, random ties: stuck
    assert (table.xs(1.0, level="theta")["final_share"] == 1.0).all()  # simple: everywhere
    simple = table.xs(1.0, level="theta")["weeks_to_half"]
    assert simple.loc[1.0] < simple.loc[0.1] < simple.loc[0.0]  # and faster with long ties


def test_a_cluster_of_champions_is_a_neighbourhood():
    import numpy as np

    from sim import networks
    from sim.rollout.seeding import choose_champions

    class Flat:
        network = networks.ring_lattice(50, 4)

    picked = choose_champions(Flat, 5, np.arange(50), "cluster", np.random.default_rng(3))
    start = [i for i in picked if all(min(abs(i - j), 50 - abs(i - j)) <= 2 for j in picked)]
    assert len(picked) == 5 and start  # one of them has all the others within two steps
