"""Replications of the classic rules (threshold, Bass, independent cascade), each run one
compiled call.

Each replication ``r`` of ``seed`` makes in Python the draws
:meth:`sim.scenario.Scenario.model` makes, in the same order, from
``default_rng([seed, r])``: the first adopters from the rollout's own stream, a new
org from a spawned stream when the scenario resamples, the people's thresholds from
the next spawned stream; then all of its weeks run in
:func:`sim.kernels.classic_run.classic_run`, which draws the weekly uniforms from the
run's generator itself (Numba advances the same bit generator NumPy would), so the
numbers are those of the stepped :class:`~sim.model.OrgModel`, bit for bit.
:func:`classic_tables` turns the arrays of a batch into the tables
``Scenario.run`` gives, numpy over the whole batch.

:func:`classic_compilable` says which runs go here: the three classic rules as
``sim.rules`` defines them (a subclass may decide otherwise than its parent's kernels),
on complete networks and on sparse ones whose people fit in the cache. Larger networks
run stepped: there a week's own work outweighs its Python, and the stepped run's
parallel recounts and decisions do it faster (a small world of 10^6 people, 30 weeks:
threshold 73-84 ms stepped, 98-111 ms compiled on one thread).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd
from numba import get_num_threads

from sim._inputs import choose_initial_adopters
from sim.kernels import IN_CACHE_PEOPLE
from sim.kernels import classic_run as kernels
from sim.metrics import WEEKS_TO, entry
from sim.rules import Bass, IndependentCascade, Threshold
from sim.tables import adoption_table

__all__ = [
    "ClassicRuns",
    "classic_compilable",
    "classic_tables",
    "run_classic_compiled",
    "run_network",
]

_KINDS = {Threshold: kernels.THRESHOLD, Bass: kernels.BASS, IndependentCascade: kernels.CASCADE}
_NO_INDPTR = np.zeros(1, dtype=np.int64)
_NO_INDICES = np.zeros(0, dtype=np.uint32)
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
# Read-only as a network's arrays are: Numba compiles one kernel for both kinds of network.
for _empty in (_NO_INDPTR, _NO_INDICES, _NO_WEIGHTS):
    _empty.flags.writeable = False
_NO_THETA = np.zeros(0, dtype=np.float64)
_NO_LEVELS = np.zeros(0, dtype=np.int32)


@dataclass
class ClassicRuns:
    """R replications of a classic rule as arrays (W = steps + 1 weeks, week 0 the start).

    Attributes
    ----------
    replications : int64 ndarray of shape (R,)
    behaviors : tuple of str
        The rule's one behavior.
    people : int64 ndarray of shape (R,)
        People of each replication's org (they differ only if a resampled org's size does).
    adopters, new : int64 ndarray of shape (R, W)
        Adopters at the end of each week, and who adopted that week (week 0: the initial
        adopters), as the stepped model records them.
    settled : int64 ndarray of shape (R,)
        The week from which nothing could change (the stepped model's ``running`` turns
        False the week after), -1 if none within the run.
    adopted_at : list of int32 ndarray of shape (n,)
        The week each person adopted, -1 never.
    """

    replications: np.ndarray
    behaviors: tuple
    people: np.ndarray
    adopters: np.ndarray
    new: np.ndarray
    settled: np.ndarray
    adopted_at: list


def classic_compilable(rule, org=None) -> bool:
    """Whether runs of ``rule`` on ``org`` (an Org or a Network; None: any size) go through
    the compiled run.

    The three classic rules of :mod:`sim.rules` exactly (a subclass could override how it
    binds or steps, which the compiled run would not follow), on a complete network or a
    sparse one of at most ``IN_CACHE_PEOPLE`` people (beyond, the stepped run's parallel
    kernels are faster; the numbers are the same).
    """
    if type(rule) not in _KINDS:
        return False
    network = getattr(org, "network", org)
    return network is None or network.complete or network.n <= IN_CACHE_PEOPLE


def _arguments(rule, network):
    """The kernel's arguments that depend on the rule and the network, not on the run."""
    dynamics = rule.bind(network)  # broadcasts thresholds, finds the threshold levels
    complete = bool(network.complete)
    level = getattr(dynamics, "level", None)
    return {
        "rule": _KINDS[type(rule)],
        "complete": complete,
        "indptr": _NO_INDPTR if complete else network.indptr,
        "indices": _NO_INDICES if complete else network.indices,
        "weights": _NO_WEIGHTS if complete else network.weights,
        "strength": network.strength,
        "unit_weights": bool(network.unit_weights),
        "theta": np.ascontiguousarray(getattr(dynamics, "theta", _NO_THETA), dtype=np.float64),
        "level": _NO_LEVELS if level is None else level,
        "absolute": bool(getattr(dynamics, "absolute", False)),
        "p": float(getattr(dynamics, "p", 0.0)),
        "q": float(getattr(dynamics, "q", 0.0)),
        "well_mixed": bool(getattr(dynamics, "well_mixed", False)),
    }


def _run(args, network, first, steps, rng, adopters, new):
    """One run into ``adopters`` and ``new`` (shape (steps + 1,)); ``(adopted_at, settled)``."""
    # As OrgModel takes them: ids as they are, a share drawn from the run's generator.
    first = choose_initial_adopters(first, network.n, rng)
    at = np.empty(network.n, dtype=np.int32)
    settled = kernels.classic_run(**args, first=first, steps=steps, rng=rng, adopters_w=adopters,
                                  new_w=new, adopted_at=at)  # fmt: skip
    return at, settled


def run_network(network, rule, initial_adopters, steps, rng):
    """One compiled run of ``OrgModel(network=network, rule=rule,
    initial_adopters=initial_adopters, rng=rng).run(steps)``.

    Returns ``(adopters, new, adopted_at, settled)``: the model's weekly adopters and new
    adopters (int64, shape (steps + 1,)), its ``adopted_at`` and the week from which
    nothing could change (-1: none); ``rng`` is left where the model leaves it.
    """
    adopters = np.empty(steps + 1, dtype=np.int64)
    new = np.empty(steps + 1, dtype=np.int64)
    at, settled = _run(_arguments(rule, network), network, initial_adopters, steps, rng,
                       adopters, new)  # fmt: skip
    return adopters, new, at, settled


def run_classic_compiled(org, rule, rollout, seed, replications, steps, *, thresholds=None,
                         make_org=None, threads=None) -> ClassicRuns:  # fmt: skip
    """Run ``replications`` (indices) of a classic rule, each one compiled call.

    The draws before the weeks (first adopters, orgs, thresholds) are made here, one
    replication after the other; the compiled calls release the GIL and run on up to
    ``threads`` threads (default: Numba's thread count, which a sweep's jobs set to 1)
    while the next replications are drawn. The split never changes a number.

    Parameters
    ----------
    org : Org
        The org (its informal network) every replication runs on; unused with ``make_org``.
    rule : Threshold, Bass or IndependentCascade
    rollout : Rollout
        Chooses the first adopters (``rollout.first_adopters``).
    seed : int
    replications : iterable of int
    steps : int
        Weeks per run.
    thresholds : ThresholdLaw, optional
        Each replication's own thresholds (threshold rule), as :class:`Scenario` draws them.
    make_org : callable, optional
        ``make_org(generator)``: a new org for each replication (a resampling scenario).
    threads : int, optional

    Returns
    -------
    ClassicRuns
        The records of a stepped ``OrgModel`` of each replication, bit for bit.
    """
    which = np.asarray(list(replications), dtype=np.int64)
    R, W = which.shape[0], steps + 1
    adopters = np.empty((R, W), dtype=np.int64)
    new = np.empty((R, W), dtype=np.int64)
    people = np.empty(R, dtype=np.int64)
    done = [None] * R  # (adopted_at, settled) of each replication
    threads = min(get_num_threads() if threads is None else int(threads), R)
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    running = deque()
    fixed = None  # the arguments of a rule and org shared by every replication
    try:
        for k, r in enumerate(which.tolist()):
            rng = np.random.default_rng([seed, r])
            # The spawns in Scenario.model's order: the rollout's, the org's, the thresholds'.
            (levers,) = rng.spawn(1)
            if make_org is not None:
                org = make_org(rng.spawn(1)[0])
            first = rollout.first_adopters(org, levers)
            network = org.network
            if thresholds is not None:
                theta = thresholds.draw(network.n, rng.spawn(1)[0])
                args = _arguments(replace(rule, theta=theta), network)
            elif make_org is not None:
                args = _arguments(rule, network)
            else:
                fixed = fixed or _arguments(rule, network)
                args = fixed
            people[k] = network.n
            job = partial(_run, args, network, first, steps, rng, adopters[k], new[k])
            if pool is None:
                done[k] = job()
                continue
            running.append((k, pool.submit(job)))
            if len(running) >= 2 * threads:  # a few runs ahead: their orgs stay few
                k_done, future = running.popleft()
                done[k_done] = future.result()
        for k_done, future in running:
            done[k_done] = future.result()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return ClassicRuns(replications=which, behaviors=tuple(rule.behaviors), people=people,
                       adopters=adopters, new=new,
                       settled=np.array([d[1] for d in done], dtype=np.int64),
                       adopted_at=[d[0] for d in done])  # fmt: skip


def classic_tables(runs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(runs, timeseries)`` of a batch, as ``Scenario.run`` gives them for the classics.

    ``runs``: ``replication`` and the :func:`sim.metrics.summary` columns of each
    replication's adoption table; ``timeseries``: ``replication`` and the columns of
    ``model.adoption``, one row per replication and week. The floating sums add the same
    numbers in the same order as ``summary`` (numpy's pairwise sum along a contiguous last
    axis), so the values are equal to the last bit.
    """
    R, W = runs.adopters.shape
    (behavior,) = runs.behaviors
    people = runs.people[:, None]
    table = adoption_table(
        np.tile(np.arange(W, dtype=np.int64), R),
        runs.behaviors,
        runs.adopters.ravel(),
        runs.new.ravel(),
        np.zeros(R * W, dtype=np.int64),
        np.repeat(runs.people, W),
        np.repeat(runs.people, W),
    )
    table.insert(0, "replication", np.repeat(runs.replications, W))
    curves = runs.adopters / people
    later = np.ascontiguousarray(curves[:, 1:])
    reached = curves[:, None, :] >= np.array(list(WEEKS_TO))[:, None]  # (R, shares, W)
    weeks = np.where(reached.any(axis=-1), reached.argmax(axis=-1), np.nan)
    columns = {
        "final_fraction_<b>": curves[:, -1],
        "peak_fraction_<b>": curves.max(axis=-1),
        **{pattern: weeks[:, k] for k, pattern in enumerate(WEEKS_TO.values())},
        "auc_fraction_weeks_<b>": later.sum(axis=-1),
        "mean_fraction_<b>": later.mean(axis=-1) if W > 1 else np.full(R, np.nan),
        "lapses_<b>": np.zeros(R, dtype=np.int64),
    }
    summary = {entry(pattern).name(behavior): value for pattern, value in columns.items()}
    return pd.DataFrame({"replication": runs.replications, **summary}), table
