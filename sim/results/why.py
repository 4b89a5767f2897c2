"""Why a strategy wins: how much of its lead goes when one channel is switched off for both.

A study runs the leader and the runner-up once with every channel on and once with each
channel off (a ``channel`` column: ``"none"`` for every channel on, else the channel's name),
on common random numbers, so that replication ``r`` is paired across strategies and across
channels. :func:`attribute_lead` gives, per channel, the lead without it and how much of the
full lead goes (a paired difference of leads, with its interval): one channel at a time, so
the shares need not sum to 1 where channels act together (they are not Shapley values).
"""

from __future__ import annotations

import pandas as pd

from sim.metrics import higher_is_better
from sim.stats import paired_interval

__all__ = ["WHY_COLUMNS", "attribute_lead", "why_table"]

WHY_COLUMNS = ["channel", "lead", "lead_without", "gone", "gone_low", "gone_high", "share",
               "replications"]  # fmt: skip


def _leads(runs, metric, leader, runner_up, by, pair_on, sign) -> pd.DataFrame:
    """Per channel (columns) and replication (rows): the leader's paired lead."""
    table = runs.pivot_table(index=[*pair_on, "channel"], columns=by, values=metric,
                             aggfunc="mean")  # fmt: skip
    for strategy in (leader, runner_up):
        if strategy not in table.columns:
            raise ValueError(f"attribute_lead: no runs of {strategy!r}.")
    lead = sign * (table[leader] - table[runner_up])
    return lead.unstack("channel")


def attribute_lead(runs, metric, leader, runner_up, *, full="none", by="strategy",
                   pair_on=("seed", "replication"), higher=None,
                   confidence=0.95) -> pd.DataFrame:  # fmt: skip
    """How much of ``leader``'s lead over ``runner_up`` each channel carries.

    Parameters
    ----------
    runs : DataFrame
        One row per run: ``by``, ``channel``, ``pair_on`` and ``metric`` columns.
    metric : str
    leader, runner_up : str
        The strategies compared (values of ``by``).
    full : str, default "none"
        The ``channel`` value of the runs with every channel on.

    Returns
    -------
    DataFrame
        One row per channel switched off (:data:`WHY_COLUMNS`), the largest ``gone`` first:
        ``lead`` with every channel on (positive when the leader is better), ``lead_without``
        with the channel off, ``gone`` their paired difference (``lead - lead_without``) and
        its interval, ``share`` = ``gone / lead``, ``replications`` paired.
    """
    pair_on = [pair_on] if isinstance(pair_on, str) else list(pair_on)
    missing = [c for c in [by, "channel", metric, *pair_on] if c not in runs.columns]
    if missing:
        raise ValueError(f"attribute_lead: no column {missing[0]!r} in the runs.")
    sign = 1.0 if (higher_is_better(metric) if higher is None else higher) else -1.0
    leads = _leads(runs, metric, leader, runner_up, by, pair_on, sign)
    if full not in leads.columns:
        raise ValueError(f"attribute_lead: no runs with channel {full!r} (every channel on).")
    rows = []
    for channel in [c for c in leads.columns if c != full]:
        both = leads[[full, channel]].dropna()
        gone = paired_interval((both[full] - both[channel]).to_numpy(), confidence)
        lead = float(both[full].mean())
        rows.append({"channel": channel, "lead": lead,
                     "lead_without": float(both[channel].mean()), "gone": gone.mean,
                     "gone_low": gone.low, "gone_high": gone.high,
                     "share": gone.mean / lead if lead else float("nan"),
                     "replications": len(both)})  # fmt: skip
    table = pd.DataFrame(rows, columns=WHY_COLUMNS)
    return table.sort_values("gone", ascending=False, kind="stable", ignore_index=True)


def why_table(results, metric) -> pd.DataFrame:
    """Per context of ``results`` (:class:`~sim.results.Results` whose store holds a sweep's
    channel runs, ``why.channels``): how much of the leader's lead over the runner-up (by
    ``metric``, ranked over all the runs) each channel carries, on the runs the channel runs
    pair with. Columns: the axes, ``leader``, ``runner_up``, then :data:`WHY_COLUMNS`;
    empty without channel runs."""
    from sim.results.keys import in_context, pair_keys

    columns = [*results.axes, "leader", "runner_up", *WHY_COLUMNS]
    off = results.channel_runs
    if off is None or off.empty or metric not in off.columns:
        return pd.DataFrame(columns=columns)
    ranking = results.ranking(metric)
    pair_on = pair_keys(results.runs)
    frames = []
    for _, where in results.contexts():
        ranked = in_context(ranking, where).sort_values("rank", kind="stable")
        if len(ranked) < 2:
            continue
        leader, runner_up = ranked["strategy"].iloc[0], ranked["strategy"].iloc[1]
        both = [leader, runner_up]
        mine = in_context(off, where)
        mine = mine[mine["strategy"].isin(both)]
        if mine.empty:
            continue
        keys = mine[pair_on].drop_duplicates()
        full = in_context(results.runs, where)
        full = full[full["strategy"].isin(both)].merge(keys, on=pair_on)
        runs = pd.concat([full.assign(channel="none"), mine], ignore_index=True)
        table = attribute_lead(runs, metric, leader, runner_up, pair_on=pair_on)
        frames.append(table.assign(**where, leader=leader, runner_up=runner_up))
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
