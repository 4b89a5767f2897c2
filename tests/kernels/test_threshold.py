"""Threshold kernels equal their slow references, at any thread count."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import kernels
from tests import reference
from tests.kernels.conftest import neighbour_counts, set_threads
from tests.kernels.strategies import network_states


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
            set_threads(threads)
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


def test_at_level():
    remaining = np.array([0, 1, -2, 5], dtype=np.int32)
    assert kernels.at_level(remaining, np.array([3, 2, 1, 0])).tolist() == [2, 0]


@settings(max_examples=150, deadline=None)
@given(network_states(weighted=False))
def test_apply_adoptions_to_level_reports_who_reaches(case):
    net, before, seed = case
    rng = np.random.default_rng(seed)
    level = rng.integers(1, 4, net.n).astype(np.int32)
    # The invariant between weeks: no non-adopter has reached its level.
    while (~before & (neighbour_counts(net, before) >= level)).any():
        before = before | (neighbour_counts(net, before) >= level)
    remaining = np.where(before, kernels.ADOPTED, level - neighbour_counts(net, before))
    remaining = remaining.astype(np.int32)
    new = np.flatnonzero(~before & (rng.random(net.n) < 0.4))
    adopted = before.copy()
    adopted_at = np.where(before, 0, -1).astype(np.int32)
    stamp = np.full(net.n, -1, dtype=np.int32)
    reached = kernels.apply_adoptions_to_level(
        net.indptr, net.indices, new, 2, adopted, adopted_at, remaining, stamp
    )
    after = before.copy()
    after[new] = True
    np.testing.assert_array_equal(adopted, after)
    np.testing.assert_array_equal(adopted_at, np.where(before, 0, np.where(after, 2, -1)))
    counts = neighbour_counts(net, after)
    np.testing.assert_array_equal(remaining[~after], (level - counts)[~after])
    assert (remaining[after] > kernels.ADOPTED // 2).all()
    expected = np.flatnonzero(~after & (counts >= level))
    assert sorted(reached.tolist()) == expected.tolist()
