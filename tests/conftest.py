import numpy as np
import pytest

from sim import networks


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def ring():
    """Ring of 10, each tied to its 2 nearest on each side."""
    return networks.ring_lattice(10, 4)


@pytest.fixture
def star():
    """Hub 0 tied to leaves 1..8."""
    return networks.from_edges(np.zeros(8, dtype=int), np.arange(1, 9), 9)


@pytest.fixture
def two_cliques():
    """Two 5-cliques (0..4 and 5..9) joined by the tie 4-5."""
    src, dst = [], []
    for base in (0, 5):
        for a in range(base, base + 5):
            for b in range(a + 1, base + 5):
                src.append(a)
                dst.append(b)
    src.append(4)
    dst.append(5)
    return networks.from_edges(np.array(src), np.array(dst), 10)
