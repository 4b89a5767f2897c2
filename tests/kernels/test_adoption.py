"""Adoption kernels equal their slow references, at any thread count."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings

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


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_threshold_decide_equals_reference(case):
    net, adopted, seed = case
    rng = np.random.default_rng(seed)
    candidates = np.flatnonzero(~adopted)
    for absolute in (False, True):
        theta = rng.integers(0, 5, net.n).astype(float) if absolute else rng.random(net.n)
        expected = reference.threshold_decide(
            net.indptr, net.indices, net.weights, net.strength, adopted, theta, absolute, candidates
        )
        for threads in (1, 2):
            _threads(threads)
            out = np.empty(candidates.shape[0], dtype=bool)
            kernels.threshold_decide(
                net.indptr,
                net.indices,
                net.weights,
                net.strength,
                adopted,
                theta,
                absolute,
                candidates,
                out,
            )
            np.testing.assert_array_equal(out, expected)


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_bass_decide_equals_reference(case):
    net, adopted, seed = case
    rng = np.random.default_rng(seed)
    candidates = np.flatnonzero(~adopted)
    p, q = rng.random() * 0.3, rng.random() * 0.7
    u = rng.random(candidates.shape[0])
    expected = reference.bass_decide(
        net.indptr, net.indices, net.weights, net.strength, adopted, p, q, candidates, u
    )
    for threads in (1, 2):
        _threads(threads)
        out = np.empty(candidates.shape[0], dtype=bool)
        kernels.bass_decide(
            net.indptr, net.indices, net.weights, net.strength, adopted, p, q, candidates, u, out
        )
        np.testing.assert_array_equal(out, expected)


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_undecided_neighbours_equals_reference(case):
    net, adopted, seed = case
    rng = np.random.default_rng(seed)
    frontier = np.flatnonzero(adopted & (rng.random(net.n) < 0.5))
    mark = np.zeros(net.n, dtype=bool)
    found = kernels.undecided_neighbours(net.indptr, net.indices, adopted, frontier, mark)
    expected = sorted({int(j) for f in frontier for j in net.neighbors(int(f)) if not adopted[j]})
    np.testing.assert_array_equal(found, expected)
    assert not mark.any(), "workspace returned clean"


def test_kernels_write_only_out(two_cliques):
    net = two_cliques
    adopted = np.zeros(net.n, dtype=bool)
    adopted[[0, 1, 2]] = True
    theta = np.full(net.n, 0.3)
    candidates = np.flatnonzero(~adopted)
    u = np.linspace(0, 1, candidates.shape[0])
    inputs = [adopted, theta, candidates, u]
    before = [a.copy() for a in inputs]
    out = np.empty(candidates.shape[0], dtype=bool)
    kernels.threshold_decide(
        net.indptr, net.indices, net.weights, net.strength, adopted, theta, False, candidates, out
    )
    kernels.bass_decide(
        net.indptr, net.indices, net.weights, net.strength, adopted, 0.1, 0.5, candidates, u, out
    )
    for a, b in zip(inputs, before, strict=True):
        np.testing.assert_array_equal(a, b)
    # Network arrays are read-only: a kernel writing to them would raise.
    assert not net.indices.flags.writeable and not net.weights.flags.writeable


def test_tie_count(star):
    assert kernels.tie_count(star.indptr, np.array([0])) == 8
    assert kernels.tie_count(star.indptr, np.array([1, 2, 3])) == 3
    assert kernels.tie_count(star.indptr, np.zeros(0, dtype=np.int64)) == 0
