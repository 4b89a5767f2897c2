"""Seeding: betweenness against networkx, and who each policy makes a champion."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import networks
from sim.org import Org
from sim.rollout import seeding
from sim.rollout.seeding import betweenness, choose_champions


def networkx_betweenness(graph):
    """networkx's unnormalized betweenness, in the order of the graph's nodes."""
    values = nx.betweenness_centrality(graph, normalized=False)
    return [values[node] for node in graph]


def two_components():
    # A path of 4 and a cycle of 5 with a pendant: no path crosses between them.
    graph = nx.disjoint_union(nx.path_graph(4), nx.cycle_graph(5))
    graph.add_edge(8, 9)
    return graph


def with_isolated_nodes():
    # A path of 3 and two people without ties.
    graph = nx.path_graph(3)
    graph.add_nodes_from([3, 4])
    return graph


GRAPHS = {
    "path": nx.path_graph(6),
    "star": nx.star_graph(7),
    # An even cycle: opposite nodes have two shortest paths, each node gets halves.
    "cycle": nx.cycle_graph(6),
    "random": nx.gnp_random_graph(30, 0.12, seed=4),
    "two components": two_components(),
    "isolated nodes": with_isolated_nodes(),
    "karate": nx.karate_club_graph(),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_betweenness_equals_networkx(name):
    graph = GRAPHS[name]
    network = networks.from_networkx(graph, weight=None)
    assert betweenness(network).tolist() == pytest.approx(networkx_betweenness(graph))


def test_betweenness_by_hand():
    # Path 0-1-2-3-4: node i sits between the i nodes on its left and 4 - i on its right.
    assert betweenness(networks.from_networkx(nx.path_graph(5))).tolist() == [0, 3, 4, 3, 0]
    # Star with hub 0 and 7 leaves: the hub is on every one of the 7 * 6 / 2 = 21 leaf pairs.
    assert betweenness(networks.from_networkx(nx.star_graph(7))).tolist() == [21] + [0] * 7
    # Cycle of 6: each node is on 1 path between its neighbours and half of the 2 paths
    # of each of the 2 pairs at distance 3 that it lies between: 1 + 2 * 0.5 = 2.
    assert betweenness(networks.from_networkx(nx.cycle_graph(6))).tolist() == [2.0] * 6


def test_betweenness_counts_hops_not_weights():
    # Heavy ties are strong ties, not long ones: weights change nothing.
    graph = nx.gnp_random_graph(20, 0.2, seed=1)
    for k, (a, b) in enumerate(graph.edges):
        graph.edges[a, b]["weight"] = 1.0 + k % 5
    weighted = networks.from_networkx(graph)
    assert weighted.weights.max() == 5.0
    assert betweenness(weighted).tolist() == pytest.approx(networkx_betweenness(graph))


def test_betweenness_from_every_source_equals_the_exact_one():
    graph = GRAPHS["random"]
    network = networks.from_networkx(graph)
    exact = betweenness(network)
    assert betweenness(network, np.arange(30)).tolist() == pytest.approx(exact.tolist())
    shuffled = np.random.default_rng(0).permutation(30)
    assert betweenness(network, shuffled).tolist() == pytest.approx(exact.tolist())


def test_betweenness_from_some_sources_is_scaled_to_the_network():
    network = networks.from_networkx(nx.path_graph(5))
    # From source 0 of the path 0-1-2-3-4, node 1 is on the paths to 2, 3, 4, node 2 on
    # those to 3, 4, node 3 on that to 4: (0, 3, 2, 1, 0), times 0.5 * 5 sources / 1.
    assert betweenness(network, [0]).tolist() == [0, 7.5, 5, 2.5, 0]
    # From source 2 (the middle): nobody is between 2 and anyone but 1 and 3 (for 0, 4).
    assert betweenness(network, [2]).tolist() == [0, 2.5, 0, 2.5, 0]
    assert betweenness(network, np.zeros(0, dtype=np.int64)).tolist() == [0.0] * 5


def test_betweenness_from_one_source_is_unbiased():
    # Averaged over every single source, the estimate is the exact value.
    graph = GRAPHS["random"]
    network = networks.from_networkx(graph)
    mean = np.mean([betweenness(network, [s]) for s in range(30)], axis=0)
    assert mean.tolist() == pytest.approx(networkx_betweenness(graph))


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 12))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    chosen = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(p for p, keep in zip(pairs, chosen, strict=True) if keep)
    return graph


@settings(max_examples=50, deadline=None)
@given(graphs())
def test_betweenness_equals_networkx_on_random_graphs(graph):
    network = networks.from_networkx(graph)
    exact = betweenness(network)
    assert exact.tolist() == pytest.approx(networkx_betweenness(graph))
    every = betweenness(network, np.arange(graph.number_of_nodes()))
    assert every.tolist() == pytest.approx(exact.tolist())


# A tiny org: 7 people, 2 units, 3 levels.
#
#   reporting lines            informal ties
#
#          0 [A]                 0---1---4---5---2
#         /     \                    |  /    |  /
#      1 [A]   2 [B]                 3-'     6-'
#      /  \     /  \
#   3 [A] 4 [A] 5 [B] 6 [B]      0-1, 1-3, 1-4, 3-4 (triangle), 4-5 (A-B),
#                                5-2, 5-6, 2-6 (triangle)
#
# Degree: 1, 4, 5 have 3; 2, 3, 6 have 2; 0 has 1.
# Bridging: 4 and 5 have 1 tie across (4-5); the others 0.
# Betweenness (a cactus: pairs split by removing the person): 4 splits {0, 1, 3} | {2, 5, 6}:
#   9; 5 splits {0, 1, 3, 4} | {2, 6}: 8; 1 splits {0} | 5 others: 5; the others 0.
# Teams (a manager's reports) and their best connected: of 0: {1, 2} -> 1; of 1: {3, 4} -> 4;
#   of 2: {5, 6} -> 5.
TINY_EDGES = [(0, 1), (1, 3), (1, 4), (3, 4), (4, 5), (5, 2), (5, 6), (2, 6)]


@pytest.fixture(scope="module")
def tiny():
    src, dst = (np.array(side) for side in zip(*TINY_EDGES, strict=True))
    return Org(
        manager=np.array([-1, 0, 0, 1, 1, 2, 2]),
        unit=np.array([0, 0, 1, 0, 0, 1, 1]),
        unit_names=["A", "B"],
        network=networks.from_edges(src, dst, 7),
    )


def test_tiny_betweenness_by_hand(tiny):
    assert betweenness(tiny.network).tolist() == [0, 5, 0, 0, 9, 8, 0]


EVERYONE = np.arange(7)


@pytest.mark.parametrize(
    ("choice", "k", "among", "champions"),
    [
        ("degree", 1, EVERYONE, [1]),
        ("degree", 3, EVERYONE, [1, 4, 5]),
        # Ties go to the lower id: of 2, 3, 6 (2 ties each), 2 comes first.
        ("degree", 4, EVERYONE, [1, 2, 4, 5]),
        ("degree", 2, [6, 3, 2, 5], [2, 5]),
        ("betweenness", 1, EVERYONE, [4]),
        ("betweenness", 3, EVERYONE, [1, 4, 5]),
        ("betweenness", 2, [0, 1, 2, 3, 5, 6], [1, 5]),
        ("bridging", 2, EVERYONE, [4, 5]),
        # After 4 and 5 nobody bridges: the lowest id, 0.
        ("bridging", 3, EVERYONE, [0, 4, 5]),
        # Three champions for three teams: every team's best connected.
        ("team", 3, EVERYONE, [1, 4, 5]),
        # A fourth: the best connected of the rest (0: 1 tie; 2, 3, 6: 2): 2.
        ("team", 4, EVERYONE, [1, 2, 4, 5]),
        # Without 4, team {3, 4} is led by 3; the top (0) is in no team.
        ("team", 3, [0, 1, 2, 3, 5, 6], [1, 3, 5]),
        # More champions than candidates: all of them.
        ("degree", 5, [0, 6], [0, 6]),
        ("random", 0, EVERYONE, []),
    ],
)
def test_choose_champions_by_hand(tiny, choice, k, among, champions):
    picked = choose_champions(tiny, k, among, choice, np.random.default_rng(0))
    assert picked.tolist() == champions
    assert picked.dtype == np.int64


def test_team_champions_draw_the_teams(tiny):
    drawn = set()
    for seed in range(10):
        picked = choose_champions(tiny, 2, EVERYONE, "team", np.random.default_rng(seed))
        again = choose_champions(tiny, 2, EVERYONE, "team", np.random.default_rng(seed))
        assert picked.tolist() == again.tolist()
        assert set(picked.tolist()) < {1, 4, 5}
        drawn.add(tuple(picked.tolist()))
    assert drawn == {(1, 4), (1, 5), (4, 5)}


def test_random_champions_follow_the_generator(tiny):
    among = [0, 2, 3, 5, 6]
    drawn = set()
    for seed in range(10):
        picked = choose_champions(tiny, 3, among, "random", np.random.default_rng(seed))
        again = choose_champions(tiny, 3, among, "random", np.random.default_rng(seed))
        assert picked.tolist() == again.tolist() == sorted(set(picked.tolist()))
        assert len(picked) == 3 and set(picked.tolist()) <= set(among)
        drawn.add(tuple(picked.tolist()))
    assert len(drawn) > 1


def test_sampled_betweenness_from_every_source_picks_the_same(tiny, monkeypatch):
    # Above BETWEENNESS_EXACT_MAX people the policy samples sources; with as many
    # sources as people the sample is everyone, and the picks are the exact ones.
    monkeypatch.setattr(seeding, "BETWEENNESS_EXACT_MAX", 0)
    monkeypatch.setattr(seeding, "BETWEENNESS_SOURCES", 7)
    picked = choose_champions(tiny, 2, EVERYONE, "betweenness", np.random.default_rng(0))
    assert picked.tolist() == [4, 5]


def test_unknown_policy(tiny):
    with pytest.raises(ValueError, match="no policy 'x'"):
        choose_champions(tiny, 1, EVERYONE, "x", np.random.default_rng(0))


def test_bridging_champions_spread_contributing_further_than_random_ones():
    """Paired over replications (the same org, people and weekly draws): champions chosen
    for their ties to other units reach more colleagues who have not seen anyone contribute
    than champions chosen at random, in the default culture."""
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register
    from sim.stats import paired_interval

    register()
    metric = "auc_fraction_weeks_contribute"
    means = {}
    for choice in ("random", "bridging"):
        overrides = ["org.headcount=1000", "steps=52", "rollout=company_wide_decentralized",
                     f"rollout.champion_choice={choice}"]  # fmt: skip
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            scenario = build(compose("config", overrides=overrides))
        means[choice] = scenario.run(0, range(20))[0].sort_values("replication")[metric]
    interval = paired_interval(means["bridging"].to_numpy() - means["random"].to_numpy())
    assert interval.low > 0, interval
