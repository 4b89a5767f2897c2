"""Synthetic companies: hierarchy statistics, units, informal ties, seeds and errors."""

import math
import re
import time

import numpy as np
import pytest

from sim import networks
from sim.kernels.orggen import (
    EMPTY,
    alias_tables,
    closure_candidates,
    group_candidates,
    insert_ties,
    sort_rows,
    table_adjacency,
)
from sim.org.core import Org, reporting_levels
from sim.org.generate import _span_law, generate, hierarchy, informal_ties


def _spans(manager):
    counts = np.bincount(manager[manager >= 0], minlength=manager.shape[0])
    return counts[counts > 0]


def _cross_share(net, unit):
    rows = np.repeat(np.arange(net.n), net.degrees)
    return float(np.mean(unit[rows] != unit[net.indices]))


def _unit_sum_p2(unit):
    return float(np.sum((np.bincount(unit) / unit.shape[0]) ** 2))


def _average_clustering(net):
    adj = net.to_scipy()
    triangles = np.asarray((adj @ adj).multiply(adj).sum(axis=1)).ravel() / 2
    deg = net.degrees.astype(float)
    pairs = deg * (deg - 1) / 2
    return float(np.mean(np.divide(triangles, pairs, out=np.zeros_like(pairs), where=pairs > 0)))


@pytest.fixture(scope="module")
def org():
    return generate(5000, seed=11)


# --- hierarchy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 1000, 12345])
def test_headcount_is_exact_with_one_top(n):
    org = generate(n, seed=n)
    assert isinstance(org, Org)
    assert org.n == org.network.n == n
    np.testing.assert_array_equal(org.top, [0])
    # Breadth-first ids: every manager comes before their reports.
    assert np.all(org.manager[1:] < np.arange(1, n))
    assert org.manager.dtype == np.int64 and org.unit.dtype == np.int32


def test_hierarchy_returns_arrays_and_names():
    manager, unit, names = hierarchy(300, seed=1)
    assert manager.dtype == np.int64 and manager.shape == (300,)
    assert unit.dtype == np.int32 and unit.shape == (300,)
    assert isinstance(names, tuple) and all(isinstance(name, str) for name in names)
    assert np.flatnonzero(manager < 0).tolist() == [0]


def test_span_law_matches_the_surveys():
    cdf = _span_law(5.5, 10.5)
    pmf = np.diff(cdf, prepend=0.0)
    k = np.arange(1, cdf.shape[0] + 1)
    assert (pmf * k).sum() == pytest.approx(10.5, abs=1e-6)
    assert cdf[4] == pytest.approx(0.5, abs=1e-9)  # half the managers have <= 5 reports
    assert cdf[3] == pytest.approx(1 / 3, abs=0.002)  # fewer than 5
    assert 1 - cdf[24] == pytest.approx(1 / 8, abs=0.002)  # more than 25
    other = _span_law(4.0, 8.0)
    assert (np.diff(other, prepend=0.0) * k).sum() == pytest.approx(8.0, abs=1e-6)
    assert other[2] < 0.5 < other[3]  # median 4


def test_realised_spans_match_the_surveys():
    manager, _, _ = hierarchy(200_000, seed=3)
    spans = _spans(manager)
    assert spans.shape[0] > 15_000
    assert 5 <= np.median(spans) <= 6
    assert 9.8 <= spans.mean() <= 11.2
    assert np.mean(spans < 5) == pytest.approx(1 / 3, abs=0.025)
    assert np.mean(spans > 25) == pytest.approx(1 / 8, abs=0.02)


def test_span_parameters_are_honoured():
    manager, _, _ = hierarchy(100_000, span_median=4, span_mean=7, seed=4)
    spans = _spans(manager)
    assert np.median(spans) == 4
    assert spans.mean() == pytest.approx(7, abs=0.4)


@pytest.mark.parametrize("n", [100, 1000, 10_000, 100_000])
def test_levels_grow_like_log_headcount(n):
    expected = math.ceil(math.log(n) / math.log(10.5)) + 1
    for seed in range(3):
        org_levels = reporting_levels(hierarchy(n, seed=seed)[0])[0].max() + 1
        assert expected - 1 <= org_levels <= expected + 1


@pytest.mark.parametrize("n", [1, 50, 1000, 40_000, 1_000_000])
def test_default_number_of_units(n):
    _, unit, names = hierarchy(n, seed=2)
    assert len(names) == {1: 1, 50: 2, 1000: 8, 40_000: 50, 1_000_000: 200}[n]
    assert np.all(np.bincount(unit, minlength=len(names)) > 0)


def test_unit_names_are_distinct_and_realistic():
    _, unit, names = hierarchy(20_000, units=30, seed=5)
    assert len(names) == len(set(names)) == 30
    assert names[:4] == ("Sales", "Engineering", "Support", "Marketing")
    assert names[20:] == tuple(f"Unit {k}" for k in range(21, 31))
    assert unit.min() == 0 and unit.max() == 29
    assert np.all(np.bincount(unit) > 0)


def test_units_are_whole_subtrees_under_the_top_levels():
    manager, unit, names = hierarchy(30_000, units=40, seed=6)
    level = reporting_levels(manager)[0]
    split = int(np.argmax(np.bincount(level) >= len(names)))  # the level units are cut on
    below = level > split
    np.testing.assert_array_equal(unit[below], unit[manager[below]])
    reports_of_top = np.flatnonzero(manager == 0)
    assert unit[0] in unit[reports_of_top]  # the top is in the unit of one of their reports


def test_units_are_capped_for_tiny_orgs():
    manager, unit, names = hierarchy(4, units=4, seed=1)
    widest = np.bincount(reporting_levels(manager)[0]).max()
    assert len(names) == min(4, widest)
    assert np.all(np.bincount(unit, minlength=len(names)) > 0)


# --- informal ties -----------------------------------------------------------------------------


def test_every_reporting_line_is_a_tie(org):
    adj = org.network.to_scipy()
    reports = np.arange(1, org.n)
    assert np.all(adj[reports, org.manager[reports]] == 1)


def test_network_is_valid_and_unweighted(org):
    net = org.network
    rows = np.repeat(np.arange(net.n), net.degrees)
    assert not np.any(rows == net.indices)  # no self-ties
    assert net.unit_weights and np.all(net.weights == 1.0)
    upper = rows < net.indices
    rebuilt = networks.from_edges(rows[upper], net.indices[upper].astype(np.int64), net.n)
    np.testing.assert_array_equal(rebuilt.indptr, net.indptr)
    np.testing.assert_array_equal(rebuilt.indices, net.indices)
    assert net.indices.dtype == np.uint32 and net.indptr.dtype == np.int64


@pytest.mark.parametrize("mean_degree", [4.0, 20.0, 45.0])
def test_mean_degree_is_met(mean_degree):
    net = generate(3000, mean_degree=mean_degree, seed=8).network
    assert net.mean_degree == pytest.approx(mean_degree, rel=0.02)


def test_mean_degree_is_capped_for_tiny_orgs():
    for n in range(1, 12):
        org = generate(n, seed=n)
        assert org.network.mean_degree <= max((n - 1) / 2, 2 * (n - 1) / n)
        assert org.network.n_ties >= n - 1


@pytest.mark.parametrize("openness", [0.0, 0.25, 0.5, 0.7, 0.85])
def test_cross_unit_share_follows_openness(openness):
    org = generate(4000, openness=openness, seed=9)
    target = openness * (1 - _unit_sum_p2(org.unit))
    assert _cross_share(org.network, org.unit) == pytest.approx(target, abs=0.01)


def test_realistic_openness_keeps_a_third_of_ties_in_department():
    org = generate(4000, units=20, openness=0.7, seed=10)
    inside = 1 - _cross_share(org.network, org.unit)
    assert 0.28 <= inside <= 0.40
    assert inside / _unit_sum_p2(org.unit) > 3  # several times the random rate


def test_full_openness_is_capped_by_the_reporting_lines():
    org = generate(4000, units=25, openness=1.0, seed=12)
    unit, manager = org.unit, org.manager
    reports = np.arange(1, org.n)
    cap = 1 - np.sum(unit[reports] == unit[manager[reports]]) / org.network.n_ties
    share = _cross_share(org.network, unit)
    assert share < 1 - _unit_sum_p2(unit)
    assert share == pytest.approx(cap, abs=0.005)


def test_ties_are_dense_in_teams_and_sparse_across_units(org):
    net, manager, unit = org.network, org.manager, org.unit
    rows = np.repeat(np.arange(net.n), net.degrees)
    cols = net.indices.astype(np.int64)
    teammates = (manager[rows] == manager[cols]) & (manager[rows] >= 0)
    same_unit = unit[rows] == unit[cols]
    team_pairs = np.sum(_spans(manager) * (_spans(manager) - 1))  # ordered pairs
    sizes = np.bincount(unit)
    unit_pairs = np.sum(sizes * (sizes - 1)) - team_pairs
    cross_pairs = org.n * (org.n - 1) - np.sum(sizes * (sizes - 1))
    team_density = teammates.sum() / team_pairs
    unit_density = (same_unit & ~teammates).sum() / unit_pairs
    cross_density = (~same_unit).sum() / cross_pairs
    assert team_density > 10 * unit_density > 10 * cross_density


def test_clustering_and_heavy_tailed_degree_at_defaults(org):
    assert 0.25 <= _average_clustering(org.network) <= 0.40
    deg = org.network.degrees
    ratio = np.percentile(deg, 99) / np.median(deg)
    assert 4 <= ratio <= 12  # heavy tail (email networks: ~8) ...
    assert deg.max() < 0.1 * org.n  # ... with a cutoff


def test_informal_ties_takes_loaded_orgs():
    # A forest with sparse unit codes, as a CSV loader might pass them.
    manager = np.array([-1, 0, 0, 1, 1, -1, 5, 5, 5, 6])
    unit = np.array([7, 7, 7, 7, 7, 300, 300, 300, 300, 300])
    net = informal_ties(manager, unit, mean_degree=4, openness=0.0, seed=1)
    assert net.n == 10 and net.n_ties == 20
    rows = np.repeat(np.arange(10), net.degrees)
    assert np.all(unit[rows] == unit[net.indices])  # openness 0: silos


# --- seeds -------------------------------------------------------------------------------------


def _same(a, b):
    return (
        np.array_equal(a.manager, b.manager)
        and np.array_equal(a.unit, b.unit)
        and a.unit_names == b.unit_names
        and np.array_equal(a.network.indptr, b.network.indptr)
        and np.array_equal(a.network.indices, b.network.indices)
    )


def test_same_seed_same_org_and_different_seeds_differ():
    first = generate(2000, seed=21)
    assert _same(first, generate(2000, seed=21))
    assert _same(first, generate(2000, seed=np.random.default_rng(21)))
    assert not _same(first, generate(2000, seed=22))
    manager, unit, _ = hierarchy(2000, seed=21)
    assert np.array_equal(manager, first.manager) and np.array_equal(unit, first.unit)


def test_one_generator_feeds_both_steps():
    rng = np.random.default_rng(5)
    manager, unit, _ = hierarchy(1500, seed=rng)
    net = informal_ties(manager, unit, seed=rng)
    org = generate(1500, seed=5)
    np.testing.assert_array_equal(org.network.indices, net.indices)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"headcount": 0},
            ValueError,
            "The 'headcount' parameter of generate must be an int in the range "
            "[1, 4294967295]. Got 0 instead.",
        ),
        ({"headcount": 2.5}, TypeError, "The 'headcount' parameter of generate must be an int"),
        ({"headcount": True}, TypeError, "The 'headcount' parameter of generate"),
        (
            {"headcount": 10, "span_median": 1},
            ValueError,
            "The 'span_median' parameter of generate must be a float in the range [2, 100]. "
            "Got 1 instead.",
        ),
        (
            {"headcount": 10, "span_mean": 3},
            ValueError,
            "The 'span_mean' parameter of generate must be a float in the range [5.87, 76.84]. "
            "Got 3 instead. The range follows from span_median=5.5",
        ),
        ({"headcount": 10, "span_mean": "9"}, TypeError, "The 'span_mean' parameter"),
        (
            {"headcount": 10, "units": 11},
            ValueError,
            "The 'units' parameter of generate must be an int in the range [1, 10]. "
            "Got 11 instead.",
        ),
        ({"headcount": 10, "units": 0}, ValueError, "The 'units' parameter of generate"),
        (
            {"headcount": 10, "mean_degree": 1.0},
            ValueError,
            "The 'mean_degree' parameter of generate must be a float in the range [2, inf). "
            "Got 1.0 instead.",
        ),
        (
            {"headcount": 10, "openness": 1.5},
            ValueError,
            "The 'openness' parameter of generate must be a float in the range [0, 1]. "
            "Got 1.5 instead.",
        ),
        ({"headcount": 10, "openness": float("nan")}, ValueError, "The 'openness' parameter"),
        ({"headcount": 10, "seed": "x"}, TypeError, "seed must be None"),
        (
            {"headcount": 3_000_000_000},
            ValueError,
            "generate: 3000000000 people with mean_degree=20 make 30000000000 ties",
        ),
    ],
)
def test_generate_rejects_bad_parameters(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        generate(**kwargs)


def test_hierarchy_and_informal_ties_name_themselves():
    with pytest.raises(ValueError, match=re.escape("'units' parameter of hierarchy")):
        hierarchy(5, units=6)
    with pytest.raises(ValueError, match=re.escape("'openness' parameter of informal_ties")):
        informal_ties([-1, 0], [0, 0], openness=-0.1)


@pytest.mark.parametrize(
    ("manager", "unit", "error", "message"),
    [
        ([-1, 0.5], [0, 0], TypeError, "informal_ties: manager must hold integers"),
        ([-1, 0], [True, False], TypeError, "informal_ties: unit must hold integers"),
        ([[-1, 0]], [0, 0], ValueError, "manager must be a 1-D array"),
        ([], [], ValueError, "manager must be a 1-D array"),
        ([-1, 0], [0, 0, 0], ValueError, "informal_ties: unit has 3 entries for 2 people."),
        ([-1, 2], [0, 0], ValueError, "the manager of person 1 is 2; it must be another"),
        ([-1, 1], [0, 0], ValueError, "the manager of person 1 is 1"),
        ([-1, -2], [0, 0], ValueError, "the manager of person 1 is -2"),
        ([-1, 0], [0, -3], ValueError, "unit codes must be >= 0; person 1 has -3."),
    ],
)
def test_informal_ties_rejects_bad_arrays(manager, unit, error, message):
    with pytest.raises(error, match=re.escape(message)):
        informal_ties(manager, unit)


# --- kernels against obvious references --------------------------------------------------------


def _alias_distribution(prob, alias, start, stop):
    size = stop - start
    mass = np.zeros(prob.shape[0])
    for t in range(start, stop):
        mass[t] += prob[t] / size
        mass[alias[t]] += (1 - prob[t]) / size
    return mass[start:stop]


def test_alias_tables_reproduce_the_weights():
    rng = np.random.default_rng(0)
    weights = rng.lognormal(size=40) * (rng.random(40) < 0.8)
    indptr = np.array([0, 1, 7, 7, 25, 40])
    prob, alias = alias_tables(weights, indptr)
    for g in range(indptr.shape[0] - 1):
        start, stop = indptr[g], indptr[g + 1]
        if stop == start:
            continue
        assert np.all((alias[start:stop] >= start) & (alias[start:stop] < stop))
        expected = weights[start:stop] / weights[start:stop].sum()
        np.testing.assert_allclose(_alias_distribution(prob, alias, start, stop), expected)


def test_insert_ties_matches_a_set_with_quotas():
    rng = np.random.default_rng(1)
    n = 30
    unit = (np.arange(n) // 10).astype(np.int32)
    src, dst = rng.integers(0, n, 500), rng.integers(0, n, 500)
    table = np.full(1 << 10, EMPTY)
    added_within, added_cross, used = insert_ties(table, src, dst, unit, 40, 25)
    seen, counts = set(), [0, 0]
    for e, (a, b) in enumerate(zip(src.tolist(), dst.tolist(), strict=True)):
        if counts == [40, 25]:
            assert used == e
            break
        cross = int(unit[a] != unit[b])
        key = (min(a, b), max(a, b))
        if a != b and key not in seen and counts[cross] < (40, 25)[cross]:
            seen.add(key)
            counts[cross] += 1
    assert [added_within, added_cross] == counts == [40, 25]
    keys = table[table != EMPTY]
    assert {(int(k) >> 32, int(k) & 0xFFFFFFFF) for k in keys} == seen
    # Adjacency of the set, rows sorted: the same CSR as from_edges.
    indptr, indices = table_adjacency(table, n)
    sort_rows(indptr, indices)
    pairs = np.array(sorted(seen))
    expected = networks.from_edges(pairs[:, 0], pairs[:, 1], n)
    np.testing.assert_array_equal(indptr, expected.indptr)
    np.testing.assert_array_equal(indices, expected.indices)


def test_group_candidates_draw_a_uniform_other_member():
    n = 5
    everyone = alias_tables(np.array([0.0, 1.0, 0.0, 0.0, 0.0]), np.array([0, n]))  # always 1
    group_of = np.array([-1, 0, 0, 0, 1])
    indptr = np.array([0, 3, 4])
    order = np.array([3, 1, 2, 4])  # group 0 is {3, 1, 2}
    v = (np.arange(1000) + 0.5) / 1000
    u = np.full(1000, 0.3)
    src, dst = np.empty(1000, dtype=np.int64), np.empty(1000, dtype=np.int64)
    group_candidates(everyone, group_of, indptr, order, None, u, v, src, dst)
    assert np.all(src == 1)
    np.testing.assert_array_equal(np.bincount(dst, minlength=n), [0, 0, 500, 500, 0])


def test_closure_candidates_walk_two_steps():
    # Star 0 - {1, 2, 3}: from 1 a closure reaches 2 or 3 (or 1 itself, refused later).
    indptr = np.array([0, 3, 4, 5, 6])
    indices = np.array([1, 2, 3, 0, 0, 0], dtype=np.uint32)
    only_1 = alias_tables(np.array([0.0, 1.0, 0.0, 0.0]), np.array([0, 4]))
    w = (np.arange(999) + 0.5) / 999
    src, dst = np.empty(999, dtype=np.int64), np.empty(999, dtype=np.int64)
    closure_candidates(only_1, indptr, indices, np.full(999, 0.5), w, w, src, dst)
    assert np.all(src == 1)
    np.testing.assert_array_equal(np.bincount(dst, minlength=4), [0, 333, 333, 333])
    # A person without ties gives a self-tie.
    lonely = np.array([0, 1, 1, 2, 2])  # 0 - 2, and 1 alone
    closure_candidates(only_1, lonely, np.array([2, 0], dtype=np.uint32), w, w, w, src, dst)
    assert np.all(dst == src)


@pytest.mark.slow
@pytest.mark.parametrize("n", [1_000_000, 2_000_000])
def test_millions_in_seconds(n):
    start = time.perf_counter()
    org = generate(n, seed=1)
    elapsed = time.perf_counter() - start
    assert org.n == n and org.network.mean_degree == pytest.approx(20.0, rel=0.01)
    assert elapsed < 20 * n / 1_000_000
