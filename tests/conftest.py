import shutil

import numpy as np
import pytest

from sim import networks

# Organizational rule settings. Every mechanism off: the base from which each test switches one on.
OFF = dict(
    peer_weight=0.0,
    manager_weight=0.0,
    commitment_weight=0.0,
    visibility_weight=0.0,
    content_weight=0.0,
    ownership_weight=0.0,
    training_effect=0.0,
    reactance=0.0,
    safety=0.0,
)
# Deterministic threshold behavior, no lapses: raising a signal can only add adopters.
SURE = dict(noise=0.0, rate=1.0, lapse_rate=0.0)


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


def make_org(n=300, span=5, units=4, k=8, p=0.2, weighted=True, seed=0):
    """A small hand-made org: a regular tree, units by branch, small-world ties."""
    from sim.org import Org

    rng = np.random.default_rng(seed)
    manager = np.concatenate([[-1], (np.arange(1, n) - 1) // span])
    # Units follow the branches under the top person's reports.
    branch = np.arange(n)
    while (manager[branch] > 0).any():
        branch = np.where(manager[branch] > 0, manager[branch], branch)
    unit = np.where(branch == 0, 0, (branch - 1) % units)
    ring = networks.small_world(n, k, p, seed=rng)
    src = np.repeat(np.arange(n), ring.degrees)
    dst = ring.indices.astype(np.int64)
    keep = src < dst
    weights = rng.uniform(0.5, 3.0, keep.sum()) if weighted else None
    network = networks.from_edges(src[keep], dst[keep], n, weights)
    return Org(
        manager=manager,
        unit=unit,
        unit_names=[f"Unit {u}" for u in range(units)],
        network=network,
    )


@pytest.fixture(scope="session")
def small_org():
    """300 people, spans of 5, 4 units, weighted small-world ties."""
    return make_org()


# -- the browser tests (report.html, the classroom): one headless Chromium per module ------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip(
        "playwright.sync_api", reason='the browser tests need pip install -e ".[browser]"'
    )
    if not shutil.which("chromium"):
        pytest.skip("the browser tests need Debian's chromium (apt-get install -y chromium)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
