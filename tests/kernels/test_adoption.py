"""Adoption kernels equal their slow references, at any thread count."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import kernels
from tests import reference
from tests.kernels.strategies import network_states


def _threads(count):
    """Run with ``count`` Numba threads (clamped to what the machine has)."""
    numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))


@pytest.fixture(autouse=True)
def _restore_threads():
    yield
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def _counts(net, adopted):
    return np.array([int(adopted[net.neighbors(i)].sum()) for i in range(net.n)], dtype=np.int32)


@settings(max_examples=100, deadline=None)
@given(network_states())
def test_count_adopted_neighbours(case):
    net, adopted, _ = case
    nodes = np.flatnonzero(~adopted)
    expected = np.where(adopted, -7, _counts(net, adopted))
    for kernel in (kernels.count_adopted_neighbours, kernels.count_adopted_neighbours_serial):
        for threads in (1, 2):
            _threads(threads)
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
    counts = _counts(net, before)
    stamp = rng.integers(0, 3, net.n).astype(np.int32)  # older weeks' leftovers
    touched = kernels.apply_adoptions(
        net.indptr, net.indices, new, 3, adopted, adopted_at, counts, stamp
    )
    after = before.copy()
    after[new] = True
    np.testing.assert_array_equal(adopted, after)
    np.testing.assert_array_equal(adopted_at, np.where(before, 0, np.where(after, 3, -1)))
    np.testing.assert_array_equal(counts, _counts(net, after))
    expected = {int(j) for f in new for j in net.neighbors(int(f)) if not after[j]}
    assert sorted(touched.tolist()) == sorted(expected)
    assert len(touched) == len(expected), "each once"
    assert stamp.max(initial=0) <= 3


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_threshold_decide_equals_reference(case):
    net, adopted, seed = case
    rng = np.random.default_rng(seed)
    candidates = np.flatnonzero(~adopted)
    args = (net.indptr, net.indices, net.weights, net.strength, adopted)
    theta = rng.random(net.n)
    expected = reference.threshold_decide(*args, theta, False, candidates)
    for kernel in (kernels.threshold_decide, kernels.threshold_decide_serial):
        for threads in (1, 2):
            _threads(threads)
            out = np.empty(candidates.shape[0], dtype=bool)
            kernel(*args, theta, candidates, out)
            np.testing.assert_array_equal(out, expected)


@settings(max_examples=150, deadline=None)
@given(network_states(weighted=False), st.booleans())
def test_threshold_levels_decide_like_shares(case, absolute):
    """count >= level exactly when the reference adopts, for every possible count."""
    net, _, seed = case
    rng = np.random.default_rng(seed)
    theta = rng.integers(0, 5, net.n).astype(float) if absolute else rng.random(net.n)
    # Thresholds at exact fractions c/degree are the boundary cases that matter.
    exact = rng.random(net.n) < 0.5
    degree = np.maximum(net.degrees, 1)
    if not absolute:
        theta[exact] = rng.integers(0, degree + 1)[exact] / degree[exact]
    level = kernels.threshold_levels(net.strength, theta, absolute)
    for i in range(net.n):
        for count in range(int(net.degrees[i]) + 1):
            if absolute:
                expected = count >= theta[i]
            else:
                expected = net.strength[i] > 0 and count / net.strength[i] >= theta[i]
            assert (count >= level[i]) == expected, (i, count, theta[i], level[i])


def test_threshold_levels_never():
    level = kernels.threshold_levels(np.array([0.0, 3.0, 3.0]), np.array([0.0, 1.0, 0.5]), False)
    assert level.tolist() == [kernels.NEVER, 3, 2]
    big = kernels.threshold_levels(np.array([3.0]), np.array([1e12]), True)
    assert big.tolist() == [kernels.NEVER]


def test_reaching_level():
    counts = np.array([3, 0, 2, 5], dtype=np.int32)
    level = np.array([3, 1, 4, 0], dtype=np.int32)
    found = kernels.reaching_level(counts, level, np.array([3, 0, 1, 2]))
    assert found.tolist() == [3, 0]


@settings(max_examples=150, deadline=None)
@given(network_states(weighted=False))
def test_apply_adoptions_to_level_reports_who_reaches(case):
    net, before, seed = case
    rng = np.random.default_rng(seed)
    level = rng.integers(1, 4, net.n).astype(np.int32)
    # The invariant between weeks: no non-adopter has reached its level.
    while (~before & (_counts(net, before) >= level)).any():
        before = before | (_counts(net, before) >= level)
    counts = _counts(net, before)
    new = np.flatnonzero(~before & (rng.random(net.n) < 0.4))
    adopted = before.copy()
    adopted_at = np.where(before, 0, -1).astype(np.int32)
    stamp = np.zeros(net.n, dtype=np.int32)
    reached = kernels.apply_adoptions_to_level(
        net.indptr, net.indices, new, 2, adopted, adopted_at, counts, level, stamp
    )
    after = before.copy()
    after[new] = True
    np.testing.assert_array_equal(adopted, after)
    np.testing.assert_array_equal(counts[~after], _counts(net, after)[~after])
    expected = np.flatnonzero(~after & (_counts(net, after) >= level))
    assert sorted(reached.tolist()) == expected.tolist()


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_bass_decide_equals_reference(case):
    net, adopted, seed = case
    rng = np.random.default_rng(seed)
    candidates = np.flatnonzero(~adopted)
    p, q = rng.random() * 0.3, rng.random() * 0.7
    u = rng.random(candidates.shape[0])
    args = (net.indptr, net.indices, net.weights, net.strength, adopted)
    expected = reference.bass_decide(*args, p, q, candidates, u)
    for kernel in (kernels.bass_decide, kernels.bass_decide_serial):
        for threads in (1, 2):
            _threads(threads)
            out = np.empty(candidates.shape[0], dtype=bool)
            kernel(*args, p, q, candidates, u, out)
            np.testing.assert_array_equal(out, expected)
    if net.unit_weights:
        out = np.empty(candidates.shape[0], dtype=bool)
        counts = _counts(net, adopted)
        kernels.bass_decide_counts(counts, net.strength, p, q, candidates, u, out)
        np.testing.assert_array_equal(out, expected)


def test_kernels_write_only_out(two_cliques):
    net = two_cliques
    adopted = np.zeros(net.n, dtype=bool)
    adopted[[0, 1, 2]] = True
    theta = np.full(net.n, 0.3)
    candidates = np.flatnonzero(~adopted)
    u = np.linspace(0, 1, candidates.shape[0])
    counts = _counts(net, adopted)
    inputs = [adopted, theta, candidates, u, counts]
    before = [a.copy() for a in inputs]
    out = np.empty(candidates.shape[0], dtype=bool)
    args = (net.indptr, net.indices, net.weights, net.strength, adopted)
    kernels.threshold_decide(*args, theta, candidates, out)
    kernels.threshold_decide_serial(*args, theta, candidates, out)
    kernels.threshold_levels(net.strength, theta, False)
    kernels.bass_decide(*args, 0.1, 0.5, candidates, u, out)
    kernels.bass_decide_serial(*args, 0.1, 0.5, candidates, u, out)
    kernels.bass_decide_counts(counts, net.strength, 0.1, 0.5, candidates, u, out)
    for a, b in zip(inputs, before, strict=True):
        np.testing.assert_array_equal(a, b)
    # Network arrays are read-only: a kernel writing to them would raise.
    assert not net.indices.flags.writeable and not net.weights.flags.writeable


def test_add_to_counts(two_cliques):
    counts = np.zeros(10, dtype=np.int32)
    kernels.add_to_counts(two_cliques.indptr, two_cliques.indices, np.array([0, 4]), counts)
    assert counts.tolist() == [1, 2, 2, 2, 1, 1, 0, 0, 0, 0]


def test_tie_count(star):
    assert kernels.tie_count(star.indptr, np.array([0])) == 8
    assert kernels.tie_count(star.indptr, np.array([1, 2, 3])) == 3
    assert kernels.tie_count(star.indptr, np.zeros(0, dtype=np.int64)) == 0
