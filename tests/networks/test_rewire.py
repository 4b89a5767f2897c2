"""Rewiring the informal ties at random with every degree kept (network.rewire)."""

import math

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.conf import CONFIG_DIR, build, register
from sim.kernels.rewire import _reference, double_edge_swaps
from sim.networks import from_edges, rewired
from sim.org import generate


def _ties(network):
    rows = np.repeat(np.arange(network.n), np.diff(network.indptr))
    once = rows < network.indices
    return dict(zip(zip(rows[once].tolist(), network.indices[once].tolist(), strict=True),
                    network.weights[once].tolist(), strict=True))  # fmt: skip


@given(st.integers(4, 12).flatmap(lambda n: st.tuples(
    st.just(n), st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
                        .filter(lambda t: t[0] < t[1]), min_size=2, max_size=30),
    st.integers(0, 2**32 - 1), st.integers(0, 40))))  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_the_swaps_are_the_slow_obvious_ones(case):
    n, ties, seed, wanted = case
    src, dst = (np.array(side, dtype=np.int64) for side in zip(*sorted(ties), strict=True))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, src.shape[0], size=(60, 2))
    flips = rng.random(60) < 0.5
    expected_src, expected_dst, expected = _reference(src, dst, n, picks, flips, wanted)
    done = double_edge_swaps(src, dst, n, picks, flips, wanted)
    assert done == expected
    np.testing.assert_array_equal(src, expected_src)
    np.testing.assert_array_equal(dst, expected_dst)


@pytest.fixture(scope="module")
def company():
    return generate(headcount=2000, seed=1)


@pytest.mark.parametrize("share", [0.2, 0.5, 1.0])
def test_rewiring_keeps_every_degree_and_moves_the_share_it_says(company, share):
    network = company.network
    moved = rewired(network, share, seed=3)
    np.testing.assert_array_equal(np.diff(moved.indptr), np.diff(network.indptr))
    before, after = _ties(network), _ties(moved)
    assert len(after) == len(before) and all(a != b for a, b in after)
    kept = len(before.keys() & after.keys()) / len(before)
    assert 1 - kept == pytest.approx(1 - math.exp(-share), abs=0.03)
    # Weights stay with the ties that carried them.
    assert sorted(after.values()) == sorted(before.values())


def test_rewiring_destroys_silos_and_clustering(company):
    network = company.network
    moved = rewired(network, 1.0, seed=3)

    def across(net):
        rows = np.repeat(np.arange(net.n), np.diff(net.indptr))
        return (company.unit[rows] != company.unit[net.indices]).mean()

    def clustering(net):
        import networkx as nx

        return nx.average_clustering(net.to_networkx())

    assert across(moved) > across(network) + 0.2
    assert clustering(moved) < 0.5 * clustering(network)


def test_no_rewiring_is_the_network_itself_and_a_seed_gives_one_network(company):
    network = company.network
    assert rewired(network, 0.0, seed=3) is network
    assert _ties(rewired(network, 0.3, seed=4)) == _ties(rewired(network, 0.3, seed=4))
    assert _ties(rewired(network, 0.3, seed=4)) != _ties(rewired(network, 0.3, seed=5))
    tiny = from_edges([0, 1], [1, 2], 3)  # no swap possible: nothing moves
    assert _ties(rewired(tiny, 1.0, seed=0)) == _ties(tiny)


def test_the_config_key_rewires_the_informal_ties_of_the_org():
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        plain = compose("config", overrides=["org.headcount=500"])
        moved = compose("config", overrides=["org.headcount=500", "network.rewire=0.5"])
    a, b, again = build(plain).org, build(moved).org, build(moved).org
    np.testing.assert_array_equal(a.manager, b.manager)
    np.testing.assert_array_equal(np.diff(a.network.indptr), np.diff(b.network.indptr))
    assert _ties(a.network) != _ties(b.network)
    # The org's own seed decides: every replication of a job shares the rewired ties.
    assert _ties(again.network) == _ties(b.network)
