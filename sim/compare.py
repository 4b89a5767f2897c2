"""Paired comparisons of strategies run on common random numbers (docs/model.md §1).

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


def _interval(values, confidence):
    """(mean, sd, low, high, p) of paired differences; all but the mean NaN below 2 pairs."""
    from scipy.stats import t

    n = values.shape[0]
    mean = float(values.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan, math.nan, math.nan
    sd = float(values.std(ddof=1))
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    if sd == 0.0:
        # Identical differences: the t statistic is 0/0 or infinite; say what it means.
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
            mean, sd, low, high, p = _interval(kept, confidence)
            rows.append({
                **where, "strategy": strategy, "reference": reference, "metric": metric,
                "pairs": int(kept.shape[0]), "dropped": int(diff.shape[0] - kept.shape[0]),
                "mean_difference": mean, "sd_difference": sd, "ci_low": low, "ci_high": high,
                "p_value": p, "separated": bool(low > 0 or high < 0),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=[*within, *_COLUMNS])


def replications_needed(sd_difference, *, half_width=None, difference=None, confidence=0.95,
                        power=0.8) -> int:  # fmt: skip
    """How many paired replications a comparison needs, at a spread of differences.

    Give exactly one of:

    - ``half_width``: the fewest ``n`` whose Student's t interval of the mean
      difference is at most this wide on each side,
      ``t(1 - alpha / 2, n - 1) * sd / sqrt(n) <= half_width``;
    - ``difference``: the fewest ``n`` for which a two-sided paired t-test at
      level ``alpha = 1 - confidence`` tells a true mean difference of this
      size from 0 with probability ``power``: under the noncentral t with
      ``n - 1`` degrees of freedom and noncentrality ``difference / sd *
      sqrt(n)``, ``P(|T| > t(1 - alpha / 2, n - 1)) >= power``.

    Parameters
    ----------
    sd_difference : float
        Standard deviation of the paired differences, in [0, inf). At 0 the
        answer is 2, the fewest pairs with an interval.
    half_width : float, optional
        In (0, inf).
    difference : float, optional
        Non-zero; only its size counts.
    confidence, power : float, default 0.95 and 0.8
        In (0, 1); ``power`` is used with ``difference`` only.

    Returns
    -------
    int
        At least 2.

    Raises
    ------
    ValueError
        An argument out of range, both or neither of ``half_width`` and
        ``difference``, or more than 10**7 replications needed.
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
                f"The 'difference' parameter of {owner} must be a non-zero float. Got "
                f"{difference!r} instead; no number of replications tells 0 from 0."
            )
    if sd == 0.0:
        return 2
    crit = 1.0 - (1.0 - confidence) / 2

    def enough(n):
        if half_width is not None:
            return t.ppf(crit, n - 1) * sd / math.sqrt(n) <= target
        c, shift = t.ppf(crit, n - 1), target / sd * math.sqrt(n)
        # P(T < -c) written as P(T' > c) with noncentrality -shift: scipy's nct.cdf
        # returns NaN deep in the lower tail (e.g. df 1, shift 8.5), nct.sf does not.
        return nct.sf(c, n - 1, shift) + nct.sf(c, n - 1, -shift) >= power

    # Doubling then bisection: both criteria only get easier with more pairs.
    low, high = 1, 2
    while not enough(high):
        if high == _MAX_REPLICATIONS:
            raise ValueError(
                f"{owner}: more than {_MAX_REPLICATIONS:,} replications would be needed; "
                "ask for a wider half-width or a larger difference."
            )
        low, high = high, min(2 * high, _MAX_REPLICATIONS)
    while high - low > 1:  # enough(high) holds, enough(low) does not (or low is 1)
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


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
