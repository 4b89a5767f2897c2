"""A ranking of strategies that says when two cannot be told apart.

Strategies are sorted by the mean of a metric over replications. Each one is
compared with the next one down on *paired* replications (common random
numbers: replication ``r`` of both ran on the same org, people and weekly
draws), and the two are **tied** exactly when that paired difference's
interval includes 0. When two strategies share no replication (different
seeds), their own intervals are compared instead, and they are tied exactly
when those overlap. Neighbours that are tied form a tie group, which shares
the rank of its best member. For each tie, the ranking says how many paired
replications a paired t-test would need to separate the two at the spread
and difference observed (:func:`sim.compare.separating_replications`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.compare import paired_differences, separating_replications
from sim.metrics import higher_is_better
from sim.stats import mean_interval

__all__ = ["COLUMNS", "higher_is_better", "rank"]

COLUMNS = ["rank", "strategy", "metric", "mean", "ci_low", "ci_high", "runs", "never", "cost",
           "vs_next", "vs_next_low", "vs_next_high", "paired", "tied_with_next", "tie",
           "replications", "replications_to_separate"]  # fmt: skip


def rank(runs, metric, *, by="strategy", within=None, higher=None,
         pair_on=("seed", "replication"), confidence=0.95, power=0.8):  # fmt: skip
    """Rank the strategies of ``runs`` by ``metric``, with intervals and ties.

    Parameters
    ----------
    runs : DataFrame
        One row per run: ``by``, ``pair_on`` and ``metric`` columns (and
        ``cost_total``, shown beside when present).
    metric : str
        The column ranked (e.g. ``auc_fraction_weeks_contribute``). Runs where
        it is NaN (a share never reached) are left out of the mean and counted
        in ``never``.
    by : str, default "strategy"
    within : str or list of str, optional
        Columns that split the ranking (one ranking per context).
    higher : bool, optional
        Whether more is better; by default the vocabulary's direction
        (:func:`sim.metrics.higher_is_better`).
    pair_on, confidence, power
        As in :func:`sim.compare.paired_differences` and
        :func:`sim.compare.separating_replications`.

    Returns
    -------
    DataFrame
        One row per context and strategy, best first within each context:
        ``within`` columns, then :data:`COLUMNS`. ``vs_next`` is the paired
        mean difference from the next strategy down (this minus next),
        ``vs_next_low``/``vs_next_high`` its interval (NaN when unpaired or
        last), ``tied_with_next`` whether the two cannot be told apart,
        ``tie`` whether the strategy is in a tie group, ``rank`` the position
        of its group's best member, ``replications`` the paired replications
        held and ``replications_to_separate`` how many would separate it
        from the next when tied (NaN when they are not tied or differ by
        exactly 0).
    """
    within = [] if within is None else [within] if isinstance(within, str) else list(within)
    pair_on = [pair_on] if isinstance(pair_on, str) else list(pair_on)
    missing = [c for c in [by, metric, *within, *pair_on] if c not in runs.columns]
    if missing:
        raise ValueError(f"rank: no column {missing[0]!r} in the runs.")
    higher = higher_is_better(metric) if higher is None else bool(higher)
    groups = runs.groupby(within, sort=False, dropna=False) if within else [((), runs)]
    tables = []
    for key, frame in groups:
        where = dict(zip(within, key if isinstance(key, tuple) else (key,), strict=True))
        table = _rank_one(frame, metric, by, higher, pair_on, confidence, power)
        for column, value in reversed(where.items()):
            table.insert(0, column, value)
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=[*within, *COLUMNS])  # fmt: skip


def _rank_one(frame, metric, by, higher, pair_on, confidence, power):
    order = list(dict.fromkeys(frame[by]))
    rows = []
    for strategy in order:
        own = frame[frame[by] == strategy]
        values = own[metric].to_numpy(dtype=np.float64)
        kept = values[~np.isnan(values)]
        mean, low, high = mean_interval(kept, confidence)
        cost = float(own["cost_total"].mean()) if "cost_total" in own else math.nan
        rows.append({"strategy": strategy, "metric": metric, "mean": mean, "ci_low": low,
                     "ci_high": high, "runs": int(kept.shape[0]),
                     "never": int(values.shape[0] - kept.shape[0]), "cost": cost,
                     "replications": int(own[pair_on].drop_duplicates().shape[0])})  # fmt: skip
    # Best first; a strategy with no value at all goes last; equal means keep run order.
    sign = -1.0 if higher else 1.0
    rows.sort(key=lambda r: (math.isnan(r["mean"]), sign * r["mean"] if r["runs"] else 0.0))
    for i, row in enumerate(rows):
        row.update(vs_next=math.nan, vs_next_low=math.nan, vs_next_high=math.nan, paired=False,
                   tied_with_next=False, replications_to_separate=math.nan)  # fmt: skip
        if i + 1 == len(rows):
            break
        nxt = rows[i + 1]
        _compare(frame, metric, by, row, nxt, pair_on, confidence, power)
    position, group_rank = 1, 1
    for i, row in enumerate(rows):
        if i and not rows[i - 1]["tied_with_next"]:
            group_rank = position
        row["rank"] = group_rank
        row["tie"] = row["tied_with_next"] or bool(i and rows[i - 1]["tied_with_next"])
        position += 1
    return pd.DataFrame(rows, columns=COLUMNS)


def _compare(frame, metric, by, row, nxt, pair_on, confidence, power):
    """Fill ``row``'s comparison with the next strategy down."""
    a, b = row["strategy"], nxt["strategy"]
    both = frame[frame[by].isin([a, b])]
    try:
        diff = paired_differences(both, metric, by=by, reference=b, pair_on=pair_on,
                                  confidence=confidence).iloc[0]  # fmt: skip
    except ValueError:  # no replication in common: not paired
        diff = None
    if diff is not None and diff["pairs"] >= 2:
        row.update(vs_next=diff["mean_difference"], vs_next_low=diff["ci_low"],
                   vs_next_high=diff["ci_high"], paired=True,
                   tied_with_next=not bool(diff["separated"]))  # fmt: skip
        if row["tied_with_next"]:
            try:
                needed = separating_replications(both, metric, a, b, by=by, pair_on=pair_on,
                                                 confidence=confidence, power=power)  # fmt: skip
            except ValueError:  # more than 10**7: as good as never
                needed = None
            row["replications_to_separate"] = math.nan if needed is None else float(needed)
        return
    row["vs_next"] = row["mean"] - nxt["mean"]
    if any(math.isnan(x) for x in (row["ci_low"], nxt["ci_low"])):
        row["tied_with_next"] = True  # one run or none: nothing tells them apart
    else:
        row["tied_with_next"] = bool(row["ci_low"] <= nxt["ci_high"] and
                                     nxt["ci_low"] <= row["ci_high"])  # fmt: skip
