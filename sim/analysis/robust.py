"""Which strategy is robust: outcomes and regret across sampled worlds.

A *world* is a point of the design (a culture, an org seed, ...); every
strategy ran in every world on the same seeds (common random numbers). In
each world a strategy's outcome is its mean over replications, and its
**regret** is how far it falls short of the best strategy in that world
(0 for the best). A robust strategy keeps its regret small across worlds,
not only on average; so the summary gives the mean, the 90th percentile and
the largest regret, the share of worlds won, and how many of those wins are
clear: the winner's paired interval against the runner-up excludes 0 (with
few replications most wins are not, and the regret of the runner-up is then
noise as much as fact).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.stats import paired_interval

__all__ = ["regret", "robustness"]

#: Columns of :func:`robustness`.
COLUMNS = [
    "strategy",
    "worlds",
    "mean",
    "p5",
    "median",
    "p95",
    "mean_regret",
    "p90_regret",
    "max_regret",
    "wins",
    "clear_wins",
    "win_share",
]


def regret(values, *, higher=True, confidence=0.95) -> pd.DataFrame:
    """Per world and strategy: ``point``, ``strategy``, ``mean``, ``best``, ``regret``,
    ``winner`` (this strategy is the best here) and ``clear`` (it is, and its
    paired interval against the runner-up excludes 0).

    ``values`` are :func:`sim.analysis.sensitivity.outputs` of one context
    with a ``strategy`` column. Only worlds where every strategy has run
    enter (a sweep may still be running).
    """
    strategies = sorted(values["strategy"].unique())
    means = values.pivot_table(index="point", columns="strategy", values="value", aggfunc="mean")
    means = means.reindex(columns=strategies).dropna()
    if means.empty:
        return pd.DataFrame(
            columns=["point", "strategy", "mean", "best", "regret", "winner", "clear"]
        )
    sign = 1.0 if higher else -1.0
    scores = sign * means.to_numpy()
    best = scores.max(axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")
    first, second = order[:, 0], order[:, 1] if len(strategies) > 1 else order[:, 0]
    per_rep = values.pivot_table(
        index=["point", "replication"], columns="strategy", values="value", aggfunc="mean"
    ).reindex(columns=strategies)
    clear = np.zeros(means.shape[0], dtype=bool)
    for i, point in enumerate(means.index):
        if len(strategies) < 2:
            break
        both = per_rep.loc[point].iloc[:, [first[i], second[i]]].dropna().to_numpy()
        d = sign * (both[:, 0] - both[:, 1])
        if d.shape[0] >= 2:
            found = paired_interval(d, confidence)
            clear[i] = found.low > 0 if found.sd > 0 else found.mean > 0
    rows = []
    for k, strategy in enumerate(strategies):
        won = first == k
        rows.append(
            pd.DataFrame(
                {
                    "point": means.index.to_numpy(),
                    "strategy": strategy,
                    "mean": means[strategy].to_numpy(),
                    "best": sign * best,
                    "regret": best - scores[:, k],
                    "winner": won,
                    "clear": won & clear,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def robustness(table) -> pd.DataFrame:
    """Per strategy, across worlds (``table``: :func:`regret`): the outcome's mean and
    5/50/95th percentiles, the regret's mean, 90th percentile and maximum, wins,
    clear wins and the share of worlds won; least mean regret first."""
    rows = []
    for strategy, own in table.groupby("strategy", sort=True):
        outcome, loss = own["mean"].to_numpy(), own["regret"].to_numpy()
        rows.append(
            {
                "strategy": strategy,
                "worlds": int(own.shape[0]),
                "mean": float(outcome.mean()),
                "p5": float(np.percentile(outcome, 5)),
                "median": float(np.median(outcome)),
                "p95": float(np.percentile(outcome, 95)),
                "mean_regret": float(loss.mean()),
                "p90_regret": float(np.percentile(loss, 90)),
                "max_regret": float(loss.max()),
                "wins": int(own["winner"].sum()),
                "clear_wins": int(own["clear"].sum()),
                "win_share": float(own["winner"].mean()),
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["mean_regret", "max_regret"], ignore_index=True)
