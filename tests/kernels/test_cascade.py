"""The independent cascade kernel equals its reference."""

import numpy as np
from hypothesis import given, settings

from sim import kernels
from tests import reference
from tests.kernels.strategies import network_states


@settings(max_examples=150, deadline=None)
@given(network_states())
def test_cascade_attempts_equals_reference(case):
    net, adopted, seed = case
    rng = np.random.default_rng(seed)
    frontier = np.flatnonzero(adopted & (rng.random(net.n) < 0.6))
    u = rng.random(int(net.degrees[frontier].sum()))
    p = rng.random()
    mark = np.zeros(net.n, dtype=bool)
    found = kernels.cascade_attempts(net.indptr, net.indices, adopted, frontier, u, p, mark)
    expected = reference.cascade_attempts(net.indptr, net.indices, adopted, frontier, u, p)
    np.testing.assert_array_equal(found, expected)
    assert not mark.any()


def test_cascade_certain_and_impossible(star):
    adopted = np.zeros(star.n, dtype=bool)
    adopted[0] = True
    frontier = np.array([0])
    mark = np.zeros(star.n, dtype=bool)
    u = np.full(8, 0.5)
    all_leaves = kernels.cascade_attempts(
        star.indptr, star.indices, adopted, frontier, u, 1.0, mark
    )
    np.testing.assert_array_equal(all_leaves, np.arange(1, 9))
    none = kernels.cascade_attempts(star.indptr, star.indices, adopted, frontier, u, 0.0, mark)
    assert none.shape == (0,)
