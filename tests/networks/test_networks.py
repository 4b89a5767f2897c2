"""Networks: CSR invariants, loaders, generators and every rejected input."""

import networkx as nx
import numpy as np
import pytest

from sim import networks


def _dense(net):
    return net.to_scipy().toarray()


def test_from_edges_merges_duplicates_and_symmetrises():
    net = networks.from_edges([0, 1, 1, 2], [1, 0, 2, 1], 4, [1.0, 2.0, 0.5, 0.25])
    assert net.n == 4 and net.n_ties == 2
    np.testing.assert_array_equal(net.neighbors(1), [0, 2])
    dense = _dense(net)
    assert dense[0, 1] == dense[1, 0] == 3.0  # summed
    assert dense[1, 2] == 0.75
    np.testing.assert_array_equal(net.degrees, [1, 2, 1, 0])
    np.testing.assert_array_equal(net.strength, [3.0, 3.75, 0.75, 0.0])
    kept = networks.from_edges([0, 1], [1, 0], 2, [1.0, 2.0], merge="max")
    assert _dense(kept)[0, 1] == 2.0


def test_network_is_immutable(ring):
    with pytest.raises(ValueError, match="read-only"):
        ring.indices[0] = 3
    with pytest.raises(AttributeError):
        ring.n = 5


def test_from_networkx_keeps_labels_and_weights():
    graph = nx.Graph()
    graph.add_edge("ann", "bob", weight=2.0)
    graph.add_edge("bob", ("x", 1))
    graph.add_node("solo")
    net = networks.from_networkx(graph)
    assert list(net.labels) == ["ann", "bob", ("x", 1), "solo"]
    dense = _dense(net)
    assert dense[0, 1] == 2.0 and dense[1, 2] == 1.0 and net.degrees[3] == 0


def test_from_networkx_equals_from_edges():
    graph = nx.watts_strogatz_graph(300, 6, 0.2, seed=3)
    src, dst = zip(*graph.edges(), strict=True)
    a = networks.from_networkx(graph)
    b = networks.from_edges(np.array(src), np.array(dst), 300)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.weights, b.weights)


def test_to_networkx_round_trip(two_cliques):
    again = networks.from_networkx(two_cliques.to_networkx())
    np.testing.assert_array_equal(again.indices, two_cliques.indices)
    np.testing.assert_array_equal(again.weights, two_cliques.weights)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (([0, 10], [1, 2], 10), {}, ValueError, r"node id 10 \(edge 1\) is out of range for n=10"),
        (([0, -1], [1, 2], 10), {}, ValueError, r"node id -1 \(edge 1\) is out of range"),
        (([0, 3, 2], [1, 3, 2], 10), {}, ValueError, r"edge 1 is a self-tie of node 3"),
        (([0, 1], [1, 2], 3, [1.0, np.nan]), {}, ValueError, r"weight of edge 1 \(1, 2\) is nan"),
        (([0, 1], [1, 2], 3, [np.inf, 1.0]), {}, ValueError, r"weight of edge 0 .* is inf"),
        (([0, 1], [1, 2], 3, [1.0, -2.0]), {}, ValueError, r"is -2.0; weights must be finite"),
        (([0, 1], [1, 2], 3, [1.0]), {}, ValueError, r"one value per edge"),
        (([0, 1], [1], 3), {}, ValueError, r"same length"),
        (([0.0, 1.0], [1, 2], 3), {}, TypeError, r"src must hold integer node ids"),
        (([0, 1], [1, 2], 3, ["a", "b"]), {}, TypeError, r"weights must be numbers"),
        (([0], [1], 0), {}, ValueError, r"'n' parameter of from_edges must be an int in"),
        (([0], [1], 2**32), {}, ValueError, r"range \[1, 4294967295\]\. Got 4294967296"),
        (([0], [1], 2, [1j]), {}, TypeError, r"weights must be numbers"),
        (([0, 1], [1, 2], 3, [1e308, 1e308]), {}, ValueError, r"node 1's ties add up to infinity"),
        (([0], [1], 2.5), {}, TypeError, r"'n' parameter of from_edges must be an int"),
        (([0], [1], 2), {"merge": "mean"}, ValueError, r"'merge' parameter .* 'sum', 'max'"),
        (([0], [1], 2), {"labels": ["a"]}, ValueError, r"labels must have one entry per node"),
    ],
)
def test_from_edges_rejects(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        networks.from_edges(*args, **kwargs)


def test_from_edges_names_the_first_bad_entry():
    # Edge 1 is a self-tie, edge 2 out of range: the message is about edge 1.
    with pytest.raises(ValueError, match="edge 1 is a self-tie"):
        networks.from_edges([0, 1, 0], [1, 1, 99], 5)


def test_from_networkx_rejects_self_ties():
    graph = nx.Graph([(0, 1), (2, 2)])
    with pytest.raises(ValueError, match="node 2 has a self-tie"):
        networks.from_networkx(graph)


def test_empty_edge_list_gives_isolated_nodes():
    net = networks.from_edges([], [], 4)
    assert net.n_ties == 0 and list(net.degrees) == [0, 0, 0, 0]


def test_ring_lattice():
    net = networks.ring_lattice(8, 4)
    assert net.n_ties == 16
    np.testing.assert_array_equal(net.neighbors(0), [1, 2, 6, 7])
    assert set(net.degrees) == {4}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: networks.ring_lattice(8, 3), r"'k' parameter of ring_lattice must be an even"),
        (lambda: networks.ring_lattice(8, 8), r"'k' parameter .* range \[0, 7\]"),
        (lambda: networks.small_world(100, 4, 1.5), r"'p' parameter of small_world .* \[0, 1\]"),
        (lambda: networks.small_world(1, 0, 0.1), r"'n' parameter of small_world"),
        (lambda: networks.erdos_renyi(10, 10.0), r"'mean_degree' .* \[0, 9\]"),
        (lambda: networks.complete(0), r"'n' parameter of complete"),
    ],
)
def test_generators_reject(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_small_world_statistics():
    net = networks.small_world(20_000, 10, 0.1, seed=1)
    # Merged duplicate rewirings are vanishingly rare for k << n.
    assert 0.999 * 100_000 <= net.n_ties <= 100_000
    lattice = networks.ring_lattice(20_000, 10)
    dense_ties = set()
    for i in (0, 5000, 19_999):
        dense_ties |= {(i, int(j)) for j in lattice.neighbors(i)}
    moved = 1 - np.mean(
        [np.isin(lattice.neighbors(i), net.neighbors(i)).mean() for i in range(0, 20_000, 7)]
    )
    assert 0.06 < moved < 0.14  # each tie has two ends; ~p of lattice ties leave


def test_small_world_p0_is_the_lattice_and_p1_is_random():
    a = networks.small_world(500, 6, 0.0, seed=3)
    b = networks.ring_lattice(500, 6)
    np.testing.assert_array_equal(a.indices, b.indices)
    c = networks.small_world(500, 6, 1.0, seed=3)
    assert not np.array_equal(c.indptr, b.indptr)


def test_generators_are_seeded():
    for make in (
        lambda s: networks.small_world(1000, 6, 0.3, seed=s),
        lambda s: networks.erdos_renyi(1000, 5.0, seed=s),
    ):
        a, b, c = make(7), make(7), make(8)
        np.testing.assert_array_equal(a.indices, b.indices)
        assert not np.array_equal(a.indices, c.indices)
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    np.testing.assert_array_equal(
        networks.small_world(300, 4, 0.5, seed=rng_a).indices,
        networks.small_world(300, 4, 0.5, seed=rng_b).indices,
    )


def test_erdos_renyi_mean_degree():
    net = networks.erdos_renyi(50_000, 8.0, seed=2)
    assert abs(net.mean_degree - 8.0) < 0.05
    dense = networks.erdos_renyi(30, 25.0, seed=2)  # takes the dense path
    assert abs(dense.mean_degree - 25.0) < 2.0
    full = networks.erdos_renyi(12, 11.0, seed=2)
    assert full.n_ties == 66


def test_complete_never_materialises():
    net = networks.complete(2_000_000)
    assert net.n_ties == 2_000_000 * 1_999_999 // 2
    assert net.indices is None and net.degrees[0] == 1_999_999
    np.testing.assert_array_equal(networks.complete(4).neighbors(2), [0, 1, 3])
    with pytest.raises(ValueError, match=r"complete .* implicit"):
        net.to_scipy()


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [("abc", TypeError, r"seed must be None, a non-negative int"), (-1, ValueError, r"non-neg")],
)
def test_generators_reject_bad_seeds(seed, error, message):
    with pytest.raises(error, match=message):
        networks.small_world(100, 4, 0.1, seed=seed)


@pytest.mark.parametrize(
    ("graph", "kwargs", "error", "message"),
    [
        ([(0, 1)], {}, TypeError, r"graph must be a networkx graph. Got list"),
        (nx.Graph(), {}, ValueError, r"the graph has no nodes"),
        (nx.path_graph(3), {"nodelist": [0, 1, 2, 9]}, ValueError, r"node 9 of nodelist is not in"),
        (nx.path_graph(3), {"nodelist": [0, 1]}, ValueError, r"node 2 of the graph is not in"),
        (nx.Graph([(0, 1, {"weight": "x"})]), {}, TypeError, r"'weight' of edge \(0, 1\) is 'x'"),
    ],
)
def test_from_networkx_rejects(graph, kwargs, error, message):
    with pytest.raises(error, match=message):
        networks.from_networkx(graph, **kwargs)


def test_from_networkx_directed_reciprocal_ties_count_once():
    net = networks.from_networkx(nx.DiGraph([(0, 1), (1, 0), (0, 2)]))
    assert net.unit_weights and net.n_ties == 2
    multi = networks.from_networkx(nx.MultiGraph([(0, 1), (0, 1)]))
    assert multi.to_scipy()[0, 1] == 2.0
