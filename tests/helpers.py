"""What the tests share: where things are, running ``orgsim`` as a user does, small orgs
and rule settings. Fixtures live in ``conftest.py``; plain helpers live here, imported by name."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from sim import networks

#: The repository's root (the tests' own folders are below it).
ROOT = Path(__file__).resolve().parent.parent

#: The console scripts of the environment the tests run in.
BIN = Path(sys.executable).parent
SMALL = ["org=startup", "replications=2", "steps=12"]
#: The threads Numba may use here.
CORES = numba.config.NUMBA_NUM_THREADS


def orgsim(tmp_path, *args, env=None, check=True):
    """Run ``orgsim`` in ``tmp_path``; return the CompletedProcess."""
    done = subprocess.run(
        [str(BIN / "orgsim"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def tables(tmp_path, task="orgsim"):
    store = tmp_path / "results" / task
    return pd.read_parquet(store / "runs.parquet"), pd.read_parquet(store / "timeseries.parquet")


# Organizational rule settings. Every mechanism off: the base from which each test switches one on.
OFF = dict(
    peer_weight=0.0,
    manager_weight=0.0,
    commitment_weight=0.0,
    visibility_weight=0.0,
    content_weight=0.0,
    ownership_weight=0.0,
    training_effect=0.0,
    learning_effect=0.0,
    reactance=0.0,
    safety=0.0,
    identity_weight=0.0,
    churn=0.0,
    return_share=1.0,
)
# Deterministic threshold behavior, no lapses: raising a signal can only add adopters.
SURE = dict(noise=0.0, rate=1.0, lapse_rate=0.0)


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


# -- processes: children, liveness, a server's port ----------------------------------------


def children(pid) -> set:
    """The process ids whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid) -> bool:
    """Whether process ``pid`` still runs (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_port(port, tries=240):
    """Wait until something listens on ``127.0.0.1:port`` (half a second between tries)."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.5)


def experiment(name):
    """The script ``experiments/<name>.py`` as a module (the experiments are scripts, not a
    package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
