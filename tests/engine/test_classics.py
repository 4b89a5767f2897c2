"""Classic diffusion results reproduced on the engine (docs/model.md §3 and §7).

Each test runs one textbook result whose numbers are known exactly (or up to
a computable sampling error) and asserts those numbers: Granovetter's riot,
Centola & Macy's complex contagion, the Bass recursion, Watts's cascade
window, the independent cascade, and the synchronous threshold update.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim import OrgModel, networks, rules

# -- Granovetter (1978) ------------------------------------------------------------------


def _riot(network, theta, steps=110):
    rule = rules.Threshold(theta=theta, absolute=True)
    return OrgModel(network=network, rule=rule, seed=0).run(steps)


def test_granovetter_riot_uniform_thresholds_everyone_riots():
    """Granovetter's riot: thresholds 0, 1, ..., 99 (counts) in a crowd of 100.

    The threshold-0 person riots unprompted in week 1, which brings in the
    threshold-1 person in week 2, and so on: exactly one more rioter a week
    until all 100 riot in week 100, then nothing changes.
    """
    model = _riot(networks.complete(100), np.arange(100))
    table = model.adoption
    assert table["step"].tolist() == list(range(111))
    assert table["adopters"].tolist() == list(range(101)) + [100] * 10
    assert table["new_adopters"].tolist() == [0] + [1] * 100 + [0] * 10
    assert model.adopted.all()
    # Person i (threshold i) riots in week i + 1.
    np.testing.assert_array_equal(model.adopted_at, np.arange(1, 101))


def test_granovetter_riot_one_changed_threshold_stops_it():
    """Granovetter's point: move the threshold-1 person to 2 and only one riots.

    The distribution of thresholds barely changes, but after the instigator
    (threshold 0) riots in week 1 nobody left has a threshold <= 1, so the
    riot stops at one person, forever.
    """
    theta = np.arange(100)
    theta[1] = 2
    model = _riot(networks.complete(100), theta)
    table = model.adoption
    assert table["adopters"].tolist() == [0] + [1] * 110
    assert table["new_adopters"].tolist() == [0, 1] + [0] * 109
    assert np.flatnonzero(model.adopted).tolist() == [0]
    assert model.adopted_at[0] == 1


@pytest.mark.parametrize("change_one", [False, True])
def test_granovetter_implicit_complete_equals_materialised(change_one):
    """The implicit complete network must behave exactly like the explicit one.

    ``networks.complete`` never stores its ties and reads adopter counts
    instead; ``nx.complete_graph`` materialised through ``from_networkx`` goes
    through the CSR kernels. Both must give the identical adoption table and
    adoption weeks, for the full riot and for the stalled one.
    """
    theta = np.arange(100)
    if change_one:
        theta[1] = 2
    implicit = _riot(networks.complete(100), theta)
    explicit_net = networks.from_networkx(nx.complete_graph(100))
    assert not explicit_net.complete
    assert explicit_net.n_ties == 100 * 99 // 2
    explicit = _riot(explicit_net, theta)
    pd.testing.assert_frame_equal(implicit.adoption, explicit.adoption)
    np.testing.assert_array_equal(implicit.adopted_at, explicit.adopted_at)


# -- Centola & Macy (2007) ---------------------------------------------------------------

RING_N = 200


def _ring_weeks():
    """Adoption week on the ring from seeds 0 and 1 (absolute threshold 2, k = 4).

    Node i >= 2 clockwise has i - 2 and i - 1 as its two nearest adopters one
    week after node i - 1 adopted; counter-clockwise likewise. So the front
    moves one node a week in each direction: node i (2..100) adopts in week
    i - 1 and node i (101..199) in week 200 - i; nodes 100 and 101 close the
    ring together in week 99.
    """
    weeks = np.zeros(RING_N, dtype=np.int64)
    i = np.arange(RING_N)
    weeks[2:101] = i[2:101] - 1
    weeks[101:] = RING_N - i[101:]
    return weeks


def test_complex_contagion_spreads_around_clustered_ring():
    """Centola & Macy: a complex contagion (2 adopted ties needed) travels a ring lattice.

    With k = 4 and two adjacent seeds, each week exactly one node on each side
    of the adopted arc has two adopted neighbours: 2 new adopters a week,
    all 200 adopted in week 99, then nothing.
    """
    net = networks.ring_lattice(RING_N, 4)
    rule = rules.Threshold(theta=2, absolute=True)
    model = OrgModel(network=net, rule=rule, initial_adopters=[0, 1], seed=0).run(120)
    table = model.adoption
    assert table["new_adopters"].tolist() == [2] + [2] * 99 + [0] * 21
    assert table["adopters"].tolist() == [2 + 2 * t for t in range(100)] + [200] * 21
    assert model.adopted.all()
    np.testing.assert_array_equal(model.adopted_at, _ring_weeks())


def _rewired_ring(seed):
    """The k = 4 ring with its ties shuffled by double-edge swaps (degrees kept at 4)."""
    graph = networks.ring_lattice(RING_N, 4).to_networkx()
    nx.double_edge_swap(graph, nswap=10 * graph.number_of_edges(), max_tries=10**6, seed=seed)
    return graph


@pytest.mark.parametrize("seed", range(5))
def test_complex_contagion_stalls_on_randomly_rewired_ring(seed):
    """Centola & Macy: rewiring the same ties at random stops a complex contagion.

    After many degree-preserving swaps the ring's clustering (0.5) is gone,
    so two adjacent seeds rarely share a neighbour and the 2-tie threshold is
    met almost nowhere: adoption stays under 5 % (it stays at the seeds).
    The same random graph carries a simple contagion (threshold 1) to the
    whole connected component, faster than the 50 weeks it needs on the ring:
    random ties help simple contagions and hurt complex ones.
    """
    graph = _rewired_ring(seed)
    assert {d for _, d in graph.degree()} == {4}
    assert nx.average_clustering(graph) < 0.1
    net = networks.from_networkx(graph, weight=None)
    edges = list(graph.edges())
    u, v = edges[np.random.default_rng(seed).integers(len(edges))]

    complex_ = OrgModel(
        network=net, rule=rules.Threshold(theta=2, absolute=True), initial_adopters=[u, v]
    ).run(60)
    assert complex_.adopters <= 0.05 * RING_N

    simple = OrgModel(
        network=net, rule=rules.Threshold(theta=1, absolute=True), initial_adopters=[u, v]
    ).run(60)
    component = nx.node_connected_component(graph, u)
    assert set(np.flatnonzero(simple.adopted).tolist()) == component
    ring = OrgModel(
        network=networks.ring_lattice(RING_N, 4),
        rule=rules.Threshold(theta=1, absolute=True),
        initial_adopters=[0, 1],
    ).run(60)
    assert ring.adopted.all()
    assert simple.adopted_at.max() < ring.adopted_at.max() == 50


# -- Bass (1969) --------------------------------------------------------------------------

BASS_P, BASS_Q = 0.03, 0.38


def _bass_recursion(p, q, steps):
    """Expected path F(t+1) = F(t) + (1 - F(t)) (p + q F(t)), F(0) = 0, and its sd.

    The sd is the linear-noise approximation for n = 1: week t's binomial
    draw adds variance (1 - F) h (1 - h) with h = p + q F, and last week's
    error is carried forward with the slope 1 - p + q - 2 q F of the
    recursion. Early errors are amplified (slope up to 1.35), so the sd
    reaches about 2.2 times the naive sqrt(F (1 - F)) near the inflection.
    """
    f = np.zeros(steps + 1)
    var = np.zeros(steps + 1)
    for t in range(steps):
        h = p + q * f[t]
        slope = 1.0 - p + q - 2.0 * q * f[t]
        var[t + 1] = slope**2 * var[t] + (1.0 - f[t]) * h * (1.0 - h)
        f[t + 1] = f[t] + (1.0 - f[t]) * h
    return f, np.sqrt(var)


def test_bass_discrete_recursion_differs_from_continuous_formula():
    """docs/model.md §7: the weekly recursion gives 0.783 at t = 10, the continuous curve 0.813.

    The engine steps weekly, so its expected path is the recursion; the
    continuous Bass formula is off by 0.03 at week 10 and must not be the
    reference.
    """
    f, _ = _bass_recursion(BASS_P, BASS_Q, 10)
    assert f[10] == pytest.approx(0.783, abs=5e-4)
    e = math.exp(-(BASS_P + BASS_Q) * 10)
    continuous = (1 - e) / (1 + BASS_Q / BASS_P * e)
    assert continuous == pytest.approx(0.813, abs=5e-4)
    assert continuous - f[10] > 0.025


@pytest.mark.parametrize("kind", ["complete", "sparse"])
def test_bass_well_mixed_follows_discrete_recursion(kind):
    """Bass well mixed on 200 000 people follows the weekly recursion.

    Each week's fraction must lie within 5 standard deviations of the
    recursion (sd from :func:`_bass_recursion`, divided by sqrt(n)) plus
    1e-4. ``well_mixed=True`` on a sparse network must ignore its ties: the
    share is adopters / n either way.
    """
    n, steps = 200_000, 40
    net = networks.complete(n) if kind == "complete" else networks.erdos_renyi(n, 4, seed=1)
    rule = rules.Bass(BASS_P, BASS_Q, well_mixed=True)
    model = OrgModel(network=net, rule=rule, seed=11).run(steps)
    fraction = model.adoption["fraction"].to_numpy()
    f, sd = _bass_recursion(BASS_P, BASS_Q, steps)
    tolerance = 5 * sd / math.sqrt(n) + 1e-4
    worst = np.abs(fraction - f) - tolerance
    assert (worst <= 0).all(), f"week {worst.argmax()}: {fraction[worst.argmax()]} vs {f}"
    assert fraction[10] == pytest.approx(0.783, abs=0.012)


def test_bass_well_mixed_ignores_ties_exactly():
    """``well_mixed=True`` reads only the number of adopters, never the ties.

    With the same seed, a well-mixed Bass run on a sparse network and on the
    complete network draw the same numbers for the same people, so their
    tables are identical.
    """
    n = 20_000
    rule = rules.Bass(BASS_P, BASS_Q, well_mixed=True)
    runs = [
        OrgModel(network=net, rule=rule, seed=5).run(30)
        for net in (networks.complete(n), networks.ring_lattice(n, 4))
    ]
    pd.testing.assert_frame_equal(runs[0].adoption, runs[1].adoption)
    np.testing.assert_array_equal(runs[0].adopted_at, runs[1].adopted_at)


# -- Watts (2002) -------------------------------------------------------------------------

WATTS_N, WATTS_PHI = 10_000, 0.18


def _cascade_condition(z, phi):
    """Watts's left-hand side Σ k (k - 1) ρ_k p_k on a Poisson(z) graph.

    ρ_k = 1 for vulnerable degrees k <= ⌊1/φ⌋ (one adopted neighbour is
    enough) and 0 otherwise; global cascades are possible when it exceeds z.
    """
    k_max = math.floor(1 / phi)
    return sum(k * (k - 1) * math.exp(-z) * z**k / math.factorial(k) for k in range(k_max + 1))


def _global_cascades(z, replications=20):
    fractions = []
    for r in range(replications):
        net = networks.erdos_renyi(WATTS_N, z, seed=r)
        seed_node = int(np.random.default_rng(1000 + r).integers(WATTS_N))
        model = OrgModel(
            network=net,
            rule=rules.Threshold(theta=WATTS_PHI),
            initial_adopters=[seed_node],
            seed=r,
        ).run(80)
        fractions.append(model.fraction)
    return np.asarray(fractions)


def test_watts_global_cascades_inside_window_only():
    """Watts: with φ = 0.18 one seed can tip a random graph only for z in the window.

    Vulnerable nodes have degree <= ⌊1/0.18⌋ = 5. At z = 4 they percolate
    (Σ k(k-1) p_k over k <= 5 is 6.9 > 4) and most single seeds set off a
    global cascade (> 50 % adopt). At z = 20 (1.3e-3, far below 20) almost
    no node has degree <= 5, so no global cascade ever happens.
    """
    assert _cascade_condition(4, WATTS_PHI) > 4
    assert _cascade_condition(20, WATTS_PHI) < 20

    inside = _global_cascades(4)
    assert (inside > 0.5).sum() >= 5
    # A global cascade takes nearly everyone: at z = 4 only the few nodes of
    # degree >= 6 with few adopted ties (and other components) stay out.
    assert inside.max() > 0.9

    outside = _global_cascades(20)
    assert (outside > 0.5).sum() == 0
    assert outside.max() < 0.01


# -- Independent cascade (Kempe, Kleinberg & Tardos 2003) --------------------------------


def _star(leaves=50):
    hub = np.zeros(leaves, dtype=np.int64)
    return networks.from_edges(hub, np.arange(1, leaves + 1), leaves + 1)


def _cascade(net, p, seeds, steps=6):
    return OrgModel(
        network=net, rule=rules.IndependentCascade(p), initial_adopters=seeds, seed=3
    ).run(steps)


def test_independent_cascade_star_hub_converts_all_leaves_once():
    """Independent cascade with p = 1: the hub converts its 50 leaves in week 1, then stop.

    Each new adopter tries each tie once, in the week after it adopted; the
    leaves' only tie is back to the hub, so week 2 has nobody left to try.
    """
    model = _cascade(_star(), 1.0, [0])
    assert model.adoption["new_adopters"].tolist() == [1, 50, 0, 0, 0, 0, 0]
    assert model.adopted.all()
    assert model.adopted_at.tolist() == [0] + [1] * 50


def test_independent_cascade_star_from_a_leaf_takes_two_weeks():
    """From a leaf with p = 1: the hub in week 1, the other 49 leaves in week 2."""
    model = _cascade(_star(), 1.0, [7])
    assert model.adoption["new_adopters"].tolist() == [1, 1, 49, 0, 0, 0, 0]
    expected = np.full(51, 2)
    expected[0], expected[7] = 1, 0
    np.testing.assert_array_equal(model.adopted_at, expected)


def test_independent_cascade_with_p_zero_does_nothing():
    """With p = 0 every attempt fails: only the seed ever adopts."""
    model = _cascade(_star(), 0.0, [0])
    assert model.adoption["adopters"].tolist() == [1] * 7
    assert model.adoption["new_adopters"].tolist() == [1] + [0] * 6


def test_independent_cascade_on_path_advances_one_node_a_week():
    """On a path with p = 1 the cascade front moves exactly one node a week."""
    n = 10
    net = networks.from_edges(np.arange(n - 1), np.arange(1, n), n)
    model = _cascade(net, 1.0, [0], steps=12)
    np.testing.assert_array_equal(model.adopted_at, np.arange(n))
    assert model.adoption["new_adopters"].tolist() == [1] * n + [0] * 3


# -- Threshold: synchronous, deterministic ------------------------------------------------


def _path(n):
    return networks.from_edges(np.arange(n - 1), np.arange(1, n), n)


def test_threshold_is_synchronous_on_a_path():
    """Synchronous update on the path 0-1-2-3 with θ = 0.5 (share), seed 0.

    Node 1 sees 1 of 2 neighbours adopted (0.5) in week 1; node 2 only sees
    node 1 from week 2 on, node 3 (one tie) sees node 2 in week 3. An
    in-place, node-by-node update would convert 1, 2 and 3 all in week 1.
    """
    model = OrgModel(network=_path(4), rule=rules.Threshold(0.5), initial_adopters=[0]).run(5)
    assert model.adopted_at.tolist() == [0, 1, 2, 3]
    assert model.adoption["new_adopters"].tolist() == [1, 1, 1, 1, 0, 0]


def test_threshold_share_just_below_half_stops_at_the_seed():
    """θ = 0.51 on the same path: node 1's share is 1/2 < 0.51, nothing happens."""
    model = OrgModel(network=_path(4), rule=rules.Threshold(0.51), initial_adopters=[0]).run(5)
    assert model.adopted_at.tolist() == [0, -1, -1, -1]


def test_threshold_isolated_nodes_share_versus_count():
    """Isolated people have no share: with θ = 0 (share) they never adopt.

    Everyone with a tie has share 0 >= 0 and adopts in week 1. With
    ``absolute=True`` and θ = 0 the count 0 >= 0 holds for everybody,
    isolated people included, all in week 1.
    """
    net = networks.from_edges([0, 1, 2], [1, 2, 3], 6)  # nodes 4 and 5 have no ties
    by_share = OrgModel(network=net, rule=rules.Threshold(0.0)).run(4)
    assert by_share.adopted_at.tolist() == [1, 1, 1, 1, -1, -1]
    assert by_share.adoption["adopters"].tolist() == [0, 4, 4, 4, 4]

    by_count = OrgModel(network=net, rule=rules.Threshold(0.0, absolute=True)).run(4)
    assert by_count.adopted_at.tolist() == [1] * 6
    assert by_count.adoption["adopters"].tolist() == [0, 6, 6, 6, 6]


def test_threshold_share_is_weighted():
    """The share is weighted by tie strength (docs/model.md §3, P_ib).

    Node 1 has a tie of weight 3 to node 0 and of weight 1 to node 2, θ = 0.7:
    node 0 alone gives it 3/4 (adopts), node 2 alone 1/4 (does not). The end
    nodes (θ = 1, one tie) adopt once their only neighbour has: 1/1 >= 1.
    """
    net = networks.from_edges([0, 1], [1, 2], 3, weights=[3.0, 1.0])
    rule = rules.Threshold(np.array([1.0, 0.7, 1.0]))
    heavy = OrgModel(network=net, rule=rule, initial_adopters=[0]).run(3)
    assert heavy.adopted_at.tolist() == [0, 1, 2]
    light = OrgModel(network=net, rule=rule, initial_adopters=[2]).run(3)
    assert light.adopted_at.tolist() == [-1, -1, 0]


# -- Reproducibility (docs/model.md §6) ----------------------------------------------------------


def test_same_seed_same_run_different_seed_different_run():
    """One generator per run: the same seed gives the identical table, another seed not.

    Bass on a small world, with the initial adopters drawn as a share from
    the run's generator too; the network itself is rebuilt from its seed.
    """

    def run(seed):
        net = networks.small_world(1_000, 6, 0.1, seed=3)
        rule = rules.Bass(0.01, 0.3)
        return OrgModel(network=net, rule=rule, initial_adopters=0.02, seed=seed).run(30)

    first, again, other = run(7), run(7), run(8)
    pd.testing.assert_frame_equal(first.adoption, again.adoption)
    np.testing.assert_array_equal(first.adopted_at, again.adopted_at)
    assert not np.array_equal(first.adopted_at, other.adopted_at)
    assert not first.adoption["adopters"].equals(other.adoption["adopters"])

    a = networks.small_world(1_000, 6, 0.1, seed=3)
    b = networks.small_world(1_000, 6, 0.1, seed=3)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)


def test_a_crowd_of_one_behaves_like_an_isolated_person():
    """complete(1) and one isolated node agree: count 0 meets theta 0; a share never exists."""
    for network in (networks.complete(1), networks.from_edges([], [], 1)):
        count = OrgModel(network=network, rule=rules.Threshold(0, absolute=True)).run(2)
        share = OrgModel(network=network, rule=rules.Threshold(0.0)).run(2)
        assert count.adoption.adopters.tolist() == [0, 1, 1]
        assert share.adoption.adopters.tolist() == [0, 0, 0]
