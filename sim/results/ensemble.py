"""Verdicts over every model the evidence allows: how often each strategy is best.

A study over a posterior ensemble runs each scenario on K parameter draws (``draw``) times R
replications, with common random numbers across strategies for each (draw, replication). Within
one draw the strategies are compared as :func:`sim.results.rank` compares them, on paired
replications; across draws the question becomes how often: :func:`verdict_probabilities` gives
each strategy's share of draws in which it is best (``p_best``, summing to 1 per context; a tie
for best splits a draw's credit) and in which it is clearly best (``p_clear``: its paired
interval against that draw's runner-up excludes 0). :func:`lead_across_draws` gives the expected
lead of the ensemble's leader over its runner-up, its band across draws, and how the lead's
spread splits into what the evidence leaves open (between draws) and chance (within a draw).
Draws are taken from the posterior in proportion to its weights, so each counts once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import higher_is_better
from sim.stats import paired_interval

__all__ = ["LEAD_COLUMNS", "VERDICT_COLUMNS", "lead_across_draws", "verdict_probabilities"]

VERDICT_COLUMNS = ["strategy", "p_best", "p_clear", "models"]
LEAD_COLUMNS = ["leader", "runner_up", "lead", "lead_low", "lead_high", "between_sd",
                "within_sd", "evidence_share", "models"]  # fmt: skip


def _columns(within) -> list:
    return [] if within is None else [within] if isinstance(within, str) else list(within)


def _prepare(runs, metric, by, within, draw, pair_on, higher):
    within = _columns(within)
    pair_on = [pair_on] if isinstance(pair_on, str) else list(pair_on)
    missing = [c for c in [by, metric, draw, *within, *pair_on] if c not in runs.columns]
    if missing:
        raise ValueError(f"no column {missing[0]!r} in the runs.")
    sign = 1.0 if (higher_is_better(metric) if higher is None else higher) else -1.0
    groups = runs.groupby(within, sort=False, dropna=False) if within else [((), runs)]
    for key, frame in groups:
        where = dict(zip(within, key if isinstance(key, tuple) else (key,), strict=True))
        yield where, _tables(frame, metric, by, draw, pair_on, sign)


def _tables(frame, metric, by, draw, pair_on, sign):
    """``{draw: replications x strategies}``, oriented so that more is better; replications
    that lack a strategy (or its value) are left out, so every comparison is paired."""
    out = {}
    for d, part in frame.groupby(draw, sort=True):
        table = part.pivot_table(index=pair_on, columns=by, values=metric, aggfunc="mean",
                                 dropna=False)  # fmt: skip
        table = table.dropna(axis=0, how="any")
        if len(table):
            out[d] = sign * table
    return out


def verdict_probabilities(runs, metric, *, by="strategy", within=None, draw="draw", higher=None,
                          pair_on=("seed", "replication"), confidence=0.95):  # fmt: skip
    """How often each strategy is best, and clearly best, across the draws of each context.

    Returns one row per context and strategy (``within`` columns, then
    :data:`VERDICT_COLUMNS`), most often best first: ``p_best`` the share of draws in which
    the strategy's mean over paired replications is the best (``k`` strategies tied for best
    share the draw, ``1 / k`` each), ``p_clear`` the share in which it is best and its paired
    ``confidence`` interval against that draw's second best lies above 0, ``models`` the
    draws counted.
    """
    rows = []
    for where, tables in _prepare(runs, metric, by, within, draw, pair_on, higher):
        strategies = sorted({s for t in tables.values() for s in t.columns}, key=str)
        best = dict.fromkeys(strategies, 0.0)
        clear = dict.fromkeys(strategies, 0.0)
        for table in tables.values():
            means = table.mean()
            top = means.max()
            leaders = list(means.index[means == top])
            for s in leaders:
                best[s] += 1.0 / len(leaders)
            if len(leaders) == 1 and len(means) > 1:
                second = means.drop(leaders[0]).idxmax()
                lead = (table[leaders[0]] - table[second]).to_numpy()
                if len(lead) > 1 and paired_interval(lead, confidence).low > 0:
                    clear[leaders[0]] += 1.0
        n = len(tables)
        for s in strategies:
            rows.append({**where, "strategy": s, "p_best": best[s] / n if n else np.nan,
                         "p_clear": clear[s] / n if n else np.nan, "models": n})  # fmt: skip
    keys = _columns(within)
    frame = pd.DataFrame(rows, columns=[*keys, *VERDICT_COLUMNS])
    # Contexts in the order run; within one, the most often best first.
    frame["_context"] = frame.groupby(keys, sort=False, dropna=False).ngroup() if keys else 0
    frame = frame.sort_values(["_context", "p_best", "p_clear"], ascending=[True, False, False],
                              kind="stable", ignore_index=True)  # fmt: skip
    return frame.drop(columns="_context")


def lead_across_draws(runs, metric, *, by="strategy", within=None, draw="draw", higher=None,
                      pair_on=("seed", "replication"), band=0.9):  # fmt: skip
    """The ensemble leader's lead over its runner-up, per context.

    The leader and the runner-up are the two strategies with the best means over every draw
    and replication. Each draw's lead is the mean of their paired differences (in the
    metric's units, positive when the leader is better: fewer weeks for a metric where less is
    better); ``lead`` is its mean over draws,
    ``lead_low``/``lead_high`` the central ``band`` of draws. The spread of the paired
    differences splits (law of total variance) into ``between_sd`` (of the draws' leads:
    what the evidence leaves open) and ``within_sd`` (the replications' spread within a draw,
    averaged as a variance: chance); ``evidence_share`` is the between-draw share of the
    variance.
    """
    rows = []
    for where, tables in _prepare(runs, metric, by, within, draw, pair_on, higher):
        if not tables:
            continue
        common = set.intersection(*(set(t.columns) for t in tables.values()))
        pooled = pd.concat([t[sorted(common, key=str)] for t in tables.values()])
        if len(common) < 2:
            continue
        leader, runner_up = pooled.mean().sort_values(ascending=False).index[:2]
        leads = [(t[leader] - t[runner_up]).to_numpy() for t in tables.values()]
        per_draw = np.array([x.mean() for x in leads])
        between = per_draw.var(ddof=1) if len(per_draw) > 1 else 0.0
        within_var = np.mean([x.var(ddof=1) if len(x) > 1 else 0.0 for x in leads])
        tail = (1 - band) / 2
        total = between + within_var
        rows.append({
            **where, "leader": leader, "runner_up": runner_up, "lead": float(per_draw.mean()),
            "lead_low": float(np.quantile(per_draw, tail)),
            "lead_high": float(np.quantile(per_draw, 1 - tail)),
            "between_sd": float(np.sqrt(between)), "within_sd": float(np.sqrt(within_var)),
            "evidence_share": float(between / total) if total > 0 else np.nan,
            "models": len(per_draw),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=[*_columns(within), *LEAD_COLUMNS])
