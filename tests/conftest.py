import shutil

import numpy as np
import pytest

from sim import networks
from tests.helpers import make_org


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


# -- the quick inner loop ---------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Mark ``e2e`` every test of a module that runs ``orgsim`` as a user does (a subprocess
    per command, seconds each): ``pytest -m "not slow and not e2e and not browser"`` is the
    quick inner loop, the whole default suite the check before a commit."""
    from tests import helpers

    for item in items:
        module = getattr(item, "module", None)
        runs = [getattr(module, name, None) for name in ("orgsim", "BIN")]
        if helpers.orgsim in runs or helpers.BIN in runs:
            item.add_marker(pytest.mark.e2e)
