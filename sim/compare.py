"""Paired comparisons of strategies run on common random numbers (DESIGN §1).

Replication ``r`` of every strategy runs on the same org, the same people and
the same weekly draws, so two strategies are compared replication by
replication: the differences are paired, and their interval is far narrower
than the two strategies' own intervals side by side. This module gives those
paired differences with Student's t intervals, and how many paired
replications would separate two strategies at a given spread.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["paired_differences", "replications_needed", "separating_replications"]

_MAX_REPLICATIONS = 10**7


def _check_columns(runs, columns):
    missing = [c for c in columns if c not in runs.columns]
    if missing:
        raise ValueError(
            f"paired_differences: no column {missing[0]!r} in the runs "
            f"(columns: {', '.join(map(str, runs.columns))})."
        )


def _interval(values, confidence):
    """(mean, sd, low, high) of paired differences; NaN bounds below 2 pairs."""
    from scipy.stats import t

    n = values.shape[0]
    mean = float(values.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan, math.nan, math.nan
    sd = float(values.std(ddof=1))
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    if sd == 0.0:
        p = 1.0 if mean == 0.0 else 0.0
    else:
        p = float(2 * t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))
    return mean, sd, mean - half, mean + half, p


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
        in the order of the rows.
    pair_on : sequence of str, default ("seed", "replication")
        Columns that identify a replication across strategies.
    within : sequence of str, optional
        Columns that split the comparison (e.g. ``["culture"]``): strategies
        are compared within each group, and the result has these columns.
    confidence : float, default 0.95
        Of the Student's t interval, in (0, 1).

    Returns
    -------
    DataFrame
        One row per group and strategy other than the reference: ``within``
        columns, ``strategy``, ``reference``, ``metric``, ``pairs`` (complete
        pairs), ``dropped`` (pairs with a NaN or a missing side),
        ``mean_difference`` (strategy minus reference), ``sd_difference``,
        ``ci_low``, ``ci_high``, ``p_value`` (paired t-test) and
        ``separated`` (the interval excludes 0).

    Raises
    ------
    ValueError
        A missing column, an unknown reference, a replication listed twice, or
        a strategy with no replication in common with the reference.
    """
    import pandas as pd

    _check_probability(confidence, "confidence", "paired_differences")
    within = [] if within is None else list(within)
    pair_on = list(pair_on)
    _check_columns(runs, [by, metric, *pair_on, *within])
    keys = [*within, *pair_on]
    doubled = runs.duplicated([*keys, by], keep=False)
    if doubled.any():
        row = runs.loc[doubled, [*keys, by]].iloc[0].to_dict()
        raise ValueError(f"paired_differences: the runs hold the replication {row} twice.")
    strategies = list(dict.fromkeys(runs[by]))
    reference = strategies[0] if reference is None else reference
    if reference not in strategies:
        raise ValueError(
            f"paired_differences: the reference {reference!r} is not among the strategies "
            f"({', '.join(map(str, strategies))})."
        )
    groups = runs.groupby(within, sort=False) if within else [((), runs)]
    rows = []
    for group, frame in groups:
        group = group if isinstance(group, tuple) else (group,)
        base = frame.loc[frame[by] == reference, [*pair_on, metric]]
        for strategy in strategies:
            if strategy == reference:
                continue
            other = frame.loc[frame[by] == strategy, [*pair_on, metric]]
            joined = other.merge(base, on=pair_on, how="outer", suffixes=("", "_reference"))
            if len(other) and len(base) and other.merge(base, on=pair_on).empty:
                raise ValueError(
                    f"paired_differences: {strategy!r} has no replication in common with "
                    f"{reference!r}" + (f" in {dict(zip(within, group, strict=True))}" if within
                                        else "") + ".")  # fmt: skip
            diff = (joined[metric] - joined[f"{metric}_reference"]).to_numpy(dtype=np.float64)
            kept = diff[~np.isnan(diff)]
            mean, sd, low, high, p = _interval(kept, confidence)
            rows.append({
                **dict(zip(within, group, strict=True)),
                "strategy": strategy, "reference": reference, "metric": metric,
                "pairs": int(kept.shape[0]), "dropped": int(diff.shape[0] - kept.shape[0]),
                "mean_difference": mean, "sd_difference": sd, "ci_low": low, "ci_high": high,
                "p_value": p, "separated": bool(low > 0 or high < 0),
            })  # fmt: skip
    return pd.DataFrame(rows)


def _check_probability(value, name, owner):
    from sim._validation import check_scalar

    return check_scalar(value, name, owner, low=0.0, high=1.0, closed="neither")


def replications_needed(sd_difference, *, half_width=None, difference=None, confidence=0.95,
                        power=0.8) -> int:  # fmt: skip
    """How many paired replications a comparison needs, at a spread of differences.

    Give exactly one of:

    - ``half_width``: the fewest ``n`` whose Student's t interval of the mean
      difference is at most this wide on each side,
      ``t(n - 1) * sd / sqrt(n) <= half_width``;
    - ``difference``: the fewest ``n`` for which a paired t-test at
      ``confidence`` tells a true mean difference of this size from 0 with
      probability ``power`` (noncentral t).

    Parameters
    ----------
    sd_difference : float
        Standard deviation of the paired differences (>= 0).
    half_width, difference : float
        > 0 (``difference`` may be negative: its size counts).
    confidence, power : float
        In (0, 1).

    Returns
    -------
    int
        At least 2.
    """
    from scipy.stats import nct, t

    from sim._validation import check_scalar

    owner = "replications_needed"
    sd = check_scalar(sd_difference, "sd_difference", owner, low=0.0)
    confidence = _check_probability(confidence, "confidence", owner)
    power = _check_probability(power, "power", owner)
    if (half_width is None) == (difference is None):
        raise ValueError(f"{owner}: give exactly one of 'half_width' and 'difference'.")
    if half_width is not None:
        target = check_scalar(half_width, "half_width", owner, low=0.0, closed="right")
    else:
        target = abs(check_scalar(difference, "difference", owner))
        if target == 0.0:
            raise ValueError(
                f"The 'difference' parameter of {owner} must be a non-zero float. Got 0."
            )
    if sd == 0.0:
        return 2
    alpha = 1.0 - confidence

    def enough(n):
        crit = t.ppf(1 - alpha / 2, n - 1)
        if half_width is not None:
            return crit * sd / math.sqrt(n) <= target
        shift = target / sd * math.sqrt(n)
        return nct.sf(crit, n - 1, shift) + nct.cdf(-crit, n - 1, shift) >= power

    # Doubling then bisection: both criteria only get easier with more pairs.
    high = 2
    while not enough(high):
        high *= 2
        if high > _MAX_REPLICATIONS:
            raise ValueError(
                f"{owner}: more than {_MAX_REPLICATIONS:,} replications would be needed."
            )
    low = max(2, high // 2)
    if enough(low):
        return low
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def separating_replications(runs, metric, a, b, *, by="rollout",
                            pair_on=("seed", "replication"), confidence=0.95,
                            power=0.8):  # fmt: skip
    """Paired replications that would separate strategies ``a`` and ``b`` at the
    observed mean difference and spread; None when the observed difference is 0.
    """
    table = paired_differences(runs[runs[by].isin([a, b])], metric, by=by, reference=b,
                               pair_on=pair_on, confidence=confidence)  # fmt: skip
    row = table.set_index("strategy").loc[a]
    mean, sd = row["mean_difference"], row["sd_difference"]
    if not np.isfinite(mean) or mean == 0.0 or not np.isfinite(sd):
        return None
    return replications_needed(sd, difference=mean, confidence=confidence, power=power)
