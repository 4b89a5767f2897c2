"""Shared helpers for the kernel tests."""

import numba
import numpy as np
import pytest


def set_threads(count):
    """Run with ``count`` Numba threads (clamped to what the machine has)."""
    numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))


@pytest.fixture(autouse=True)
def _restore_threads():
    yield
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def neighbour_counts(net, adopted):
    """Adopted neighbours of every node, the obvious way."""
    return np.array([int(adopted[net.neighbors(i)].sum()) for i in range(net.n)], dtype=np.int32)
