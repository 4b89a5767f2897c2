"""Bookkeeping kernels: counts of adopted neighbours and who was touched."""

import numpy as np
from hypothesis import given, settings

from sim import kernels
from tests.kernels.conftest import neighbour_counts, set_threads
from tests.kernels.strategies import network_states


@settings(max_examples=100, deadline=None)
@given(network_states())
def test_count_adopted_neighbours(case):
    net, adopted, _ = case
    nodes = np.flatnonzero(~adopted)
    expected = np.where(adopted, -7, neighbour_counts(net, adopted))
    for kernel in (kernels.count_adopted_neighbours, kernels.count_adopted_neighbours_serial):
        for threads in (1, 2):
            set_threads(threads)
            counts = np.full(net.n, -7, dtype=np.int32)
            kernel(net.indptr, net.indices, adopted, nodes, counts)
            np.testing.assert_array_equal(counts, expected)


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_apply_adoptions_updates_state_and_finds_changed(case):
    net, before, seed = case
    rng = np.random.default_rng(seed)
    new = np.flatnonzero(~before & (rng.random(net.n) < 0.4))
    adopted = before.copy()
    adopted_at = np.where(before, 0, -1).astype(np.int32)
    counts = neighbour_counts(net, before)
    stamp = rng.integers(0, 3, net.n).astype(np.int32)  # older weeks' leftovers
    touched = kernels.apply_adoptions(
        net.indptr, net.indices, new, 3, adopted, adopted_at, counts, stamp
    )
    after = before.copy()
    after[new] = True
    np.testing.assert_array_equal(adopted, after)
    np.testing.assert_array_equal(adopted_at, np.where(before, 0, np.where(after, 3, -1)))
    np.testing.assert_array_equal(counts, neighbour_counts(net, after))
    expected = {int(j) for f in new for j in net.neighbors(int(f)) if not after[j]}
    assert sorted(touched.tolist()) == sorted(expected)
    assert len(touched) == len(expected), "each once"
    assert stamp.max(initial=0) <= 3


def test_tie_count(star):
    assert kernels.tie_count(star.indptr, np.array([0])) == 8
    assert kernels.tie_count(star.indptr, np.array([1, 2, 3])) == 3
    assert kernels.tie_count(star.indptr, np.zeros(0, dtype=np.int64)) == 0
