"""Replications of one organizational scenario as arrays, and the tables they make.

A batched run hands its R replications over as one :class:`RunBatch` of plain
arrays; :func:`batch_tables` turns it into the ``runs``, ``timeseries`` and
``groups`` tables of :meth:`sim.scenario.Scenario.run`, numpy over the whole
batch (no Python per replication, person or week).
:meth:`RunBatch.from_models` builds one from stepped ``OrgModel`` runs: the
reference a compiled run is compared with, and the way for plans it does not
compile.

The tables equal, bit for bit, what :func:`sim.metrics.summary`,
:func:`sim.facts.people_facts` and the models' tables give one replication at
a time. Floating sums therefore add the same numbers in the same order:
numpy's pairwise sum along a contiguous last axis, and for the squared
deviations of the people's adoption weeks (a different count per replication)
``np.add.reduceat`` with a zero before each replication's segment, which adds
as ``sum`` does (reduceat alone starts from a segment's first element, ``sum``
from 0). Sums of whole numbers are exact in any order.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.facts import ROGERS, reach_curve
from sim.metrics import WEEKS_TO, entry

__all__ = ["GROUP_COLUMNS", "RunBatch", "batch_tables"]

#: The columns of the groups table (as :meth:`sim.scenario.Scenario.run` gives them).
GROUP_COLUMNS = ("replication", "step", "behavior", "by", "group", "people", "adopters",
                 "fraction")  # fmt: skip


@dataclass
class RunBatch:
    """R replications of one organizational scenario, as arrays.

    Attributes
    ----------
    replications : int64 ndarray of shape (R,)
    behaviors : tuple of str, length B
        The ladder, in order.
    n : int
        People.
    holders, new, lapses : int64 ndarray of shape (R, W, B)
        People holding each behavior at the end of each week (W = steps + 1,
        week 0 the initial state), who took it up that week (week 0: the
        initial holders), who dropped it that week.
    with_access : int64 ndarray of shape (R, W)
        People who could use the platform at the end of each week.
    unit_names : object ndarray of shape (U,)
    unit_people : int64 ndarray of shape (U,)
    unit_holders : int64 ndarray of shape (R, W, B, U)
    level_people : int64 ndarray of shape (L,)
        People at each level, 0 the top.
    level_holders : int64 ndarray of shape (R, W, B, L)
    stage : int8 ndarray of shape (R, n)
        Behaviors each person holds at the end.
    adopted_at : int32 ndarray of shape (R, n)
        Week each person first took up the first behavior, -1 never.
    cost : dict of str to float64 ndarray of shape (R,), or None
        What each replication cost, by lever, in the order ``Rollout.cost``
        gives them; None for no cost columns.
    endorsers : int64 ndarray of shape (R,), or None
        Managers who endorse a rung they hold at the end (``OrgModel.endorsers``);
        None for no ``endorsers_final`` column.
    spent : float64 ndarray of shape (R, W), or None
        Person-days spent by the end of each week (``Rollout.spending``); None for no
        ``spent`` column in the time series.
    """

    replications: np.ndarray
    behaviors: tuple
    n: int
    holders: np.ndarray
    new: np.ndarray
    lapses: np.ndarray
    with_access: np.ndarray
    unit_names: np.ndarray
    unit_people: np.ndarray
    unit_holders: np.ndarray
    level_people: np.ndarray
    level_holders: np.ndarray
    stage: np.ndarray
    adopted_at: np.ndarray
    cost: dict | None = None
    endorsers: np.ndarray | None = None
    spent: np.ndarray | None = None

    def __post_init__(self):
        r, w, b = np.shape(self.holders)
        u, levels = len(self.unit_names), len(self.level_people)
        shapes = {"replications": (r,), "new": (r, w, b), "lapses": (r, w, b),
                  "with_access": (r, w), "unit_people": (u,),
                  "unit_holders": (r, w, b, u), "level_holders": (r, w, b, levels),
                  "stage": (r, self.n), "adopted_at": (r, self.n)}  # fmt: skip
        shapes.update({f"cost[{k!r}]": (r,) for k in self.cost or {}})
        if self.endorsers is not None:
            shapes["endorsers"] = (r,)
        if self.spent is not None:
            shapes["spent"] = (r, w)
        got = {**vars(self), **{f"cost[{k!r}]": v for k, v in (self.cost or {}).items()}}
        for name, shape in shapes.items():
            if np.shape(got[name]) != shape:
                raise ValueError(
                    f"The {name!r} field of RunBatch must have shape {shape} (holders has "
                    f"{(r, w, b)}). Got {np.shape(got[name])} instead."
                )
        if len(self.behaviors) != b:
            raise ValueError(
                f"The 'behaviors' field of RunBatch must name the {b} behaviors of holders. "
                f"Got {self.behaviors!r} instead."
            )

    @classmethod
    def from_models(cls, replications, models, costs=None, spent=None) -> RunBatch:
        """A batch from finished runs of one scenario (``OrgModel``, organizational rule).

        Parameters
        ----------
        replications : sequence of int, length R
        models : sequence of OrgModel, length R
            Run for the same number of weeks on the same org.
        costs : sequence of dict of str to float, length R, optional
            ``rollout.cost(model.plan)`` of each; None for no cost columns.
        spent : sequence of float64 ndarrays of shape (W,), length R, optional
            ``rollout.spending(...)`` of each; None for no ``spent`` column.
        """
        models = list(models)
        if not models:
            raise ValueError("RunBatch.from_models needs at least one finished run. Got none.")
        first = models[0]
        behaviors = tuple(first.rule.behaviors)
        b = len(behaviors)
        curves, units, levels = [], [], []
        for model in models:
            table = model.adoption
            curves.append([table[c].to_numpy().reshape(-1, b) for c in
                           ("adopters", "new_adopters", "lapses", "with_access")])  # fmt: skip
            units.append(model.adoption_by("unit"))
            levels.append(model.adoption_by("level"))
        u, n_levels = len(first.org.unit_names), first.org.n_levels

        def holders(tables, groups):
            return np.stack([t["adopters"].to_numpy().reshape(-1, b, groups) for t in tables])

        if costs is not None:
            costs = list(costs)
            costs = {k: np.array([c[k] for c in costs], dtype=np.float64) for k in costs[0]}
        return cls(
            replications=np.asarray(list(replications), dtype=np.int64),
            behaviors=behaviors,
            n=int(first.network.n),
            holders=np.stack([c[0] for c in curves]).astype(np.int64),
            new=np.stack([c[1] for c in curves]).astype(np.int64),
            lapses=np.stack([c[2] for c in curves]).astype(np.int64),
            with_access=np.stack([c[3][:, 0] for c in curves]).astype(np.int64),
            unit_names=units[0]["unit"].to_numpy(dtype=object)[:u],
            unit_people=units[0]["people"].to_numpy()[:u].astype(np.int64),
            unit_holders=holders(units, u),
            level_people=levels[0]["people"].to_numpy()[:n_levels].astype(np.int64),
            level_holders=holders(levels, n_levels),
            stage=np.stack([m.stage for m in models]),
            adopted_at=np.stack([m.adopted_at for m in models]),
            cost=costs,
            endorsers=np.array([m.endorsers for m in models], dtype=np.int64),
            spent=None if spent is None else np.stack(list(spent)),
        )


def batch_tables(batch, groups=True):
    """The tables of :meth:`sim.scenario.Scenario.run` for a batch.

    Returns ``(runs, timeseries)``, and ``groups`` third when ``groups`` is
    true: the columns, order, dtypes and values one-at-a-time replications
    give (``replication`` and the :func:`sim.metrics.summary` and
    :func:`sim.facts.people_facts` columns; ``replication`` and the columns
    of ``model.adoption``; one row per replication, week, behavior and unit
    or level).
    """
    facts = _people_facts(batch.stage, batch.adopted_at, len(batch.behaviors))
    runs = pd.DataFrame({"replication": batch.replications, **_summary(batch), **facts})
    if batch.endorsers is not None:
        runs[entry("endorsers_final").name()] = batch.endorsers
    timeseries = _timeseries(batch)
    if not groups:
        return runs, timeseries
    return runs, timeseries, _groups(batch)


def _strings(values, codes, times):
    """A text column: ``values[codes]`` ``times`` over, as pandas makes one from Python
    strings (its dtype inferred once, from the few distinct values; the copies joined by
    the array type's own concatenation, part of pandas' extension-array interface,
    without converting each string again)."""
    one = pd.Series(np.asarray(values, dtype=object)).array.take(codes)
    return type(one)._concat_same_type([one] * times)


def _frame(columns) -> pd.DataFrame:
    """A table of fresh columns, each kept as it is (pandas would copy them into one block
    per dtype, and a copy of a large table costs more in new memory than it saves)."""
    return pd.DataFrame(columns, copy=False)


def _reach(adopted_at, weeks, behaviors) -> np.ndarray:
    """(R, W, B): :func:`sim.facts.reach_curve` of each replication on the first rung's rows,
    NaN on the other rungs (nobody's first week on them is kept)."""
    out = np.full((adopted_at.shape[0], weeks, behaviors), np.nan)
    for r, at in enumerate(adopted_at):
        out[r, :, 0] = reach_curve(at, weeks - 1)
    return out


def _timeseries(batch) -> pd.DataFrame:
    r, w, b = batch.holders.shape
    # Copies: the batch's arrays may be filled again for the next batch.
    holders = batch.holders.ravel().copy()
    spent = {} if batch.spent is None else {"spent": np.repeat(batch.spent.ravel(), b)}
    reach = _reach(batch.adopted_at, w, b).ravel()
    return _frame({
        "replication": np.repeat(batch.replications, w * b),
        "step": np.tile(np.repeat(np.arange(w, dtype=np.int64), b), r),
        "behavior": _strings(batch.behaviors, np.tile(np.arange(b), w), r),
        "adopters": holders,
        "new_adopters": batch.new.ravel().copy(),
        "fraction": holders / batch.n,
        "lapses": batch.lapses.ravel().copy(),
        "with_access": np.repeat(batch.with_access.ravel(), b),
        "reach": reach,
        **spent,
    })  # fmt: skip


def _groups(batch) -> pd.DataFrame:
    """Per replication, its units' rows (week, behavior, unit) and then its levels'."""
    r, w, b = batch.holders.shape
    u, levels = len(batch.unit_names), len(batch.level_people)
    # One replication's rows: week, behavior and group (the levels after the units).
    units, ranks = np.indices((w, b, u)).reshape(3, -1), np.indices((w, b, levels)).reshape(3, -1)
    step, behavior = np.concatenate([units[:2], ranks[:2]], axis=1)
    group = np.concatenate([units[2], u + ranks[2]])
    people = np.concatenate([batch.unit_people, batch.level_people]).astype(np.int64)[group]
    # The five numeric columns in one block: glibc keeps a freed block this large for the
    # next batch, where five columns are handed back to the system and fault in again
    # page by page (two thirds of the table's time at 1,000 people).
    block = np.empty((5, r, group.shape[0]), dtype=np.int64)
    block[0], block[1], block[2] = batch.replications[:, None], step, people
    k_u = units.shape[1]
    block[3, :, :k_u] = batch.unit_holders.reshape(r, -1)
    block[3, :, k_u:] = batch.level_holders.reshape(r, -1)
    fraction = block[4].view(np.float64)
    np.divide(block[3], np.maximum(people, 1), out=fraction)
    names = np.concatenate([np.asarray(batch.unit_names, dtype=object),
                            np.array([str(k) for k in range(levels)], dtype=object)])  # fmt: skip
    replication, step, people, adopters, _ = block.reshape(5, -1)
    return _frame({
        "replication": replication,
        "step": step,
        "behavior": _strings(batch.behaviors, behavior, r),
        "by": _strings(["unit", "level"], (group >= u).astype(np.intp), r),
        "group": _strings(names, group, r),
        "people": people,
        "adopters": adopters,
        "fraction": fraction.ravel(),
    })  # fmt: skip


def _summary(batch) -> dict:
    """The columns of :func:`sim.metrics.summary` for every replication at once."""
    r, w, b = batch.holders.shape
    # (R, B, W), contiguous over the weeks: a sum over them adds as summary's does.
    curves = np.ascontiguousarray((batch.holders / batch.n).transpose(0, 2, 1))
    later = np.ascontiguousarray(curves[..., 1:])
    columns = {
        "final_fraction_<b>": curves[..., -1],
        "peak_fraction_<b>": curves.max(axis=-1),
    }
    reached = curves[..., None, :] >= np.array(list(WEEKS_TO))[:, None]  # (R, B, shares, W)
    first = np.where(reached.any(axis=-1), reached.argmax(axis=-1), np.nan)
    for k, pattern in enumerate(WEEKS_TO.values()):
        columns[pattern] = first[..., k]
    columns["auc_fraction_weeks_<b>"] = later.sum(axis=-1)
    columns["mean_fraction_<b>"] = later.mean(axis=-1) if w > 1 else np.full((r, b), np.nan)
    columns["lapses_<b>"] = batch.lapses.sum(axis=1, dtype=np.int64)
    record = _by_behavior(columns, batch.behaviors)
    people = np.asarray(batch.unit_people, dtype=np.int64)
    fractions = batch.unit_holders[:, -1] / np.maximum(people, 1)  # (R, B, U)
    units = {
        "units_above_50pct_<b>": (fractions >= 0.5).sum(axis=-1) / fractions.shape[-1],
        "unit_gini_<b>": _gini(fractions, people.astype(np.float64)),
    }
    record.update(_by_behavior(units, batch.behaviors))
    if batch.cost is not None:
        total = np.zeros(r)
        for lever, amount in batch.cost.items():
            amount = np.asarray(amount, dtype=np.float64)
            record[entry("cost_<lever>").name(lever)] = amount
            total = total + amount  # lever by lever, as summary adds them
        record[entry("cost_total").name()] = total
        finals = batch.holders[:, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(total[:, None] > 0, finals / total[:, None], np.nan)
        record.update(_by_behavior({"adopters_per_cost_<b>": per}, batch.behaviors))
    return record


def _by_behavior(columns, behaviors) -> dict:
    """``{pattern: (R, B) array}`` as named columns, behavior by behavior."""
    names = _names(tuple(columns), tuple(behaviors))
    return {name: columns[pattern][:, k] for name, (pattern, k) in names.items()}


@functools.cache
def _names(patterns, behaviors) -> dict:
    """``{column: (pattern, behavior's index)}``, behavior-major (a batch's names are
    always the same few: made once, not per batch)."""
    return {entry(pattern).name(name): (pattern, k)
            for k, name in enumerate(behaviors) for pattern in patterns}  # fmt: skip


def _gini(x, w):
    """:func:`sim.metrics.gini` of each row of ``x`` (..., U), weighted by ``w`` (U,)."""
    w = np.broadcast_to(w, x.shape)
    total, mass = w.sum(axis=-1), (w * x).sum(axis=-1)
    order = np.argsort(x, axis=-1, kind="stable")
    x, w = np.take_along_axis(x, order, axis=-1), np.take_along_axis(w, order, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lorenz = np.cumsum(w * x, axis=-1) / mass[..., None]
        below = np.concatenate([np.zeros_like(lorenz[..., :1]), lorenz[..., :-1]], axis=-1)
        area = (w / total[..., None] * (lorenz + below)).sum(axis=-1)
    return np.where((total > 0) & (mass > 0), 1.0 - area, 0.0)


def _segment_sums(values, counts):
    """``values[s:e].sum()`` of each replication's segment, as numpy's sum adds it."""
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    padded = np.insert(values, starts, 0.0)
    return np.add.reduceat(padded, starts + np.arange(counts.shape[0]))


def _people_facts(stage, adopted_at, rungs) -> dict:
    """The columns of :func:`sim.facts.people_facts` for every replication at once."""
    r, weeks = adopted_at.shape[0], max(int(adopted_at.max()) + 1, 1)
    # How many took it up each week (a column for never, then weeks 0, 1, ...).
    key = adopted_at + (np.arange(r) * (weeks + 1) + 1)[:, None]
    by_week = np.bincount(key.ravel(), minlength=r * (weeks + 1)).reshape(r, -1)
    by_week[:, :2] = 0  # Rogers' categories leave out the first movers
    count = by_week.sum(axis=1)
    organic = adopted_at > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # Whole weeks: their sum is exact in any order.
        mean = (by_week[:, 1:] * np.arange(weeks)).sum(axis=1) / count
        deviation = (adopted_at - mean[:, None])[organic]
        sd = np.sqrt(_segment_sums(deviation * deviation, count) / count)
        # Everyone who adopted in one week shares its z: categories by week, not by person.
        z = (np.arange(weeks, dtype=np.float64) - mean[:, None]) / sd[:, None]
    category = (z >= -2.0).astype(np.intp) + (z >= -1.0) + (z >= 0.0) + (z >= 1.0)
    # Whole numbers of people, summed exactly as floats.
    where = (np.arange(r)[:, None] * len(ROGERS) + category).ravel()
    tally = np.bincount(where, weights=by_week[:, 1:].ravel(), minlength=r * len(ROGERS))
    tally = tally.reshape(r, -1)
    known = (count > 1) & (sd > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(known[:, None], tally / count[:, None], np.nan)
    out = {f"rogers_{name}": shares[:, k] for k, name in enumerate(ROGERS)}
    users = (stage >= 1).sum(axis=1)
    contributors = (stage == 2).sum(axis=1)
    creators = stage >= 3  # the engine's stages are at most the ladder's rungs
    made = creators.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["contributors_of_users"] = np.where((users > 0) & (rungs >= 2),
                                                contributors / users, np.nan)  # fmt: skip
        out["creators_of_users"] = np.where((users > 0) & (rungs >= 3), made / users, np.nan)
        organic_share = (creators & organic).sum(axis=1) / made
    out["organic_creators"] = np.where(made > 0, organic_share, np.nan)
    return out
