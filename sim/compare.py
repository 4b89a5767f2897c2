"""Paired comparisons of strategies run on common random numbers (docs/model.md §1).

Replication ``r`` of every strategy runs on the same org, the same people and
the same weekly draws, so two strategies are compared replication by
replication: the differences are paired, and their interval is far narrower
than the two strategies' own intervals side by side. This module gives those
paired differences with Student's t intervals, and how many paired
replications would separate two strategies at a given spread; the statistics
themselves are :mod:`sim.stats`'s.
"""

from __future__ import annotations

import numpy as np

from sim.stats import paired_interval, replications_needed

__all__ = ["paired_differences", "replications_needed", "separating_replications"]

_COLUMNS = ["strategy", "reference", "metric", "pairs", "dropped", "mean_difference",
            "sd_difference", "ci_low", "ci_high", "p_value", "separated"]  # fmt: skip


def _names(value):
    # A lone column name is one column, not a sequence of one-letter names.
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _check_columns(runs, columns, owner):
    missing = [c for c in columns if c not in runs.columns]
    if missing:
        raise ValueError(
            f"{owner}: no column {missing[0]!r} in the runs "
            f"(columns: {', '.join(map(str, runs.columns))})."
        )


def _check_probability(value, name, owner):
    from sim._validation import check_scalar

    return check_scalar(value, name, owner, low=0.0, high=1.0, closed="neither")


def paired_differences(runs, metric, *, by="rollout", reference=None,
                       pair_on=("seed", "replication"), within=None,
                       confidence=0.95):  # fmt: skip
    """Each strategy's paired difference from a reference, with its interval.

    Parameters
    ----------
    runs : DataFrame
        One row per run: a column naming the strategy (``by``), the columns that
        pair runs (``pair_on``: the same replication of each strategy), and the
        metric.
    metric : str
        The column compared (e.g. ``auc_fraction_weeks_contribute``).
    by : str, default "rollout"
        The column naming the strategy.
    reference : optional
        The strategy the others are compared with; by default the first one
        in the order of the rows (not the best nor the first sorted).
    pair_on : str or sequence of str, default ("seed", "replication")
        Columns that identify a replication across strategies.
    within : str or sequence of str, optional
        Columns that split the comparison (e.g. ``["culture"]``): strategies
        are compared within each group, and the result has these columns.
    confidence : float, default 0.95
        Of the Student's t interval, in (0, 1).

    Returns
    -------
    DataFrame
        One row per group and strategy other than the reference, in order of
        appearance: ``within`` columns, ``strategy``, ``reference``,
        ``metric``, ``pairs`` (complete pairs), ``dropped`` (replications with
        a NaN or a missing side), ``mean_difference`` (strategy minus
        reference), ``sd_difference`` (ddof 1), ``ci_low``, ``ci_high``,
        ``p_value`` (paired t-test; 1 or 0 when all differences are equal) and
        ``separated`` (the interval excludes 0). Below 2 pairs the spread,
        interval and p-value are NaN.

    Raises
    ------
    ValueError
        A missing column, an unknown reference, a replication listed twice, or
        a strategy with no replication in common with the reference.
    """
    import pandas as pd

    owner = "paired_differences"
    _check_probability(confidence, "confidence", owner)
    within, pair_on = _names(within), _names(pair_on)
    _check_columns(runs, [by, metric, *pair_on, *within], owner)
    key = [*within, *pair_on, by]
    doubled = runs.duplicated(key, keep=False)
    if doubled.any():
        row = runs.loc[doubled, key].iloc[0].to_dict()
        raise ValueError(
            f"{owner}: the runs hold the replication {row} twice; "
            "add the column that tells them apart to 'pair_on' or 'within'."
        )
    strategies = list(dict.fromkeys(runs[by]))
    reference = strategies[0] if reference is None and strategies else reference
    if reference not in strategies:
        raise ValueError(
            f"{owner}: the reference {reference!r} is not among the strategies "
            f"({', '.join(map(str, strategies))})."
        )
    groups = runs.groupby(within, sort=False, dropna=False) if within else [((), runs)]
    rows = []
    for group, frame in groups:
        where = dict(zip(within, group if isinstance(group, tuple) else (group,), strict=True))
        base = frame.loc[frame[by] == reference, [*pair_on, metric]]
        for strategy in strategies:
            if strategy == reference:
                continue
            other = frame.loc[frame[by] == strategy, [*pair_on, metric]]
            joined = other.merge(base, on=pair_on, how="outer", suffixes=("", " reference"),
                                 indicator=True)  # fmt: skip
            if not (joined["_merge"] == "both").any():
                raise ValueError(
                    f"{owner}: {strategy!r} has no replication in common with {reference!r}"
                    + (f" in {where}" if where else "")
                    + f"; every strategy needs the same {', '.join(pair_on)} as the reference."
                )
            diff = (joined[metric] - joined[f"{metric} reference"]).to_numpy(dtype=np.float64)
            kept = diff[~np.isnan(diff)]
            found = paired_interval(kept, confidence)
            rows.append({
                **where, "strategy": strategy, "reference": reference, "metric": metric,
                "pairs": int(kept.shape[0]), "dropped": int(diff.shape[0] - kept.shape[0]),
                "mean_difference": found.mean, "sd_difference": found.sd,
                "ci_low": found.low, "ci_high": found.high, "p_value": found.p_value,
                "separated": found.separated,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=[*within, *_COLUMNS])


def separating_replications(runs, metric, a, b, *, by="rollout",
                            pair_on=("seed", "replication"), confidence=0.95,
                            power=0.8):  # fmt: skip
    """Paired replications that would separate strategies ``a`` and ``b``.

    The observed mean and spread of the paired differences ``a - b`` are taken
    as the truth, and :func:`replications_needed` (``difference=`` the observed
    mean) says how many pairs a paired t-test needs to tell it from 0.

    Parameters
    ----------
    runs, metric, by, pair_on, confidence
        As in :func:`paired_differences`.
    a, b : object
        Two different strategies among ``runs[by]``.
    power : float, default 0.8
        In (0, 1).

    Returns
    -------
    int or None
        At least 2; None when the observed mean difference is exactly 0.

    Raises
    ------
    ValueError
        As :func:`paired_differences`, and when ``a`` or ``b`` is missing, they
        are the same, or fewer than 2 complete pairs leave the spread unknown.
    """
    owner = "separating_replications"
    _check_columns(runs, [by, metric, *_names(pair_on)], owner)
    present = set(runs[by])
    for name, value in (("a", a), ("b", b)):
        if value not in present:
            raise ValueError(f"{owner}: the strategy {name}={value!r} is not in runs[{by!r}].")
    if a == b:
        raise ValueError(f"{owner}: 'a' and 'b' are the same strategy ({a!r}).")
    table = paired_differences(runs[runs[by].isin([a, b])], metric, by=by, reference=b,
                               pair_on=pair_on, confidence=confidence)  # fmt: skip
    row = table.iloc[0]
    if row["pairs"] < 2:
        raise ValueError(
            f"{owner}: {a!r} and {b!r} share {row['pairs']} complete pair(s); the spread of "
            "their differences needs at least 2."
        )
    if row["mean_difference"] == 0.0:
        return None
    return replications_needed(row["sd_difference"], difference=row["mean_difference"],
                               confidence=confidence, power=power)  # fmt: skip
