"""Bass kernels equal their slow reference, at any thread count; no kernel writes its inputs."""

import numpy as np
from hypothesis import given, settings

from sim import kernels
from tests import reference
from tests.kernels.conftest import neighbour_counts, set_threads
from tests.kernels.strategies import network_states


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
            set_threads(threads)
            out = np.empty(candidates.shape[0], dtype=bool)
            kernel(*args, p, q, candidates, u, out)
            np.testing.assert_array_equal(out, expected)
    if net.unit_weights:
        out = np.empty(candidates.shape[0], dtype=bool)
        counts = neighbour_counts(net, adopted)
        kernels.bass_decide_counts(counts, net.strength, p, q, candidates, u, out)
        np.testing.assert_array_equal(out, expected)


def test_kernels_write_only_out(two_cliques):
    net = two_cliques
    adopted = np.zeros(net.n, dtype=bool)
    adopted[[0, 1, 2]] = True
    theta = np.full(net.n, 0.3)
    candidates = np.flatnonzero(~adopted)
    u = np.linspace(0, 1, candidates.shape[0])
    counts = neighbour_counts(net, adopted)
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
