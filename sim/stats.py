"""Intervals, paired differences and power: the statistics every table and figure uses.

Replications are few (30 is a lot for a simulation study), so every interval
is Student's t with ``n - 1`` degrees of freedom, never the normal 1.96,
which would claim more certainty than 30 runs give. Strategies run on common
random numbers (replication ``r`` of each on the same org, people and weekly
draws), so two of them are compared on their *paired* differences
(:func:`paired_interval`), and how many replications would separate two
strategies is a paired t-test's power (:func:`power`,
:func:`replications_needed`). A proportion (how often a cascade happens) gets
Wilson's interval (:func:`wilson_interval`), which stays inside [0, 1].

Functions take numpy arrays or pandas tables and need neither Hydra nor the
engine; scipy is imported where it is used.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = [
    "PairedInterval",
    "column_intervals",
    "group_intervals",
    "half_width",
    "mean_interval",
    "paired_interval",
    "power",
    "replications_needed",
    "t_quantile",
    "wilson_interval",
]

#: More paired replications than this are "as good as never" (a search has to stop).
MAX_REPLICATIONS = 10**7


def t_quantile(confidence, df):
    """The two-sided critical value of Student's t: ``t(0.5 + confidence / 2, df)``.

    ``df`` may be an array (one value per group).
    """
    # scipy.special alone: importing scipy.stats costs every sweep's summary up to a
    # second, and t.ppf is stdtrit (equal values, NaN for df <= 0 alike).
    from scipy.special import stdtrit

    return stdtrit(df, 0.5 + confidence / 2)


def half_width(sd, n, confidence=0.95):
    """Half the width of the t interval of a mean: ``t(df = n - 1) * sd / sqrt(n)``.

    Scalars or arrays; ``n`` must be at least 2 (a spread needs two values).
    """
    if np.ndim(n) == 0:
        return float(t_quantile(confidence, n - 1)) * float(sd) / math.sqrt(n)
    n = np.asarray(n, dtype=np.float64)
    return t_quantile(confidence, n - 1) * sd / np.sqrt(n)


def mean_interval(values, confidence=0.95) -> tuple[float, float, float]:
    """``(mean, low, high)`` of the values (NaN left to the caller): the interval is NaN
    below 2 values, and all three are NaN with none."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[0]
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = half_width(float(values.std(ddof=1)), n, confidence)
    return mean, mean - half, mean + half


def column_intervals(frame, columns=None, confidence=0.95):
    """Mean and half-width of each column over the rows (replications), NaN left out.

    Returns a DataFrame indexed by column with ``mean``, ``ci95`` (the
    half-width; 0 with fewer than 2 values) and ``runs`` (the values counted).
    """
    import pandas as pd

    columns = list(frame.columns) if columns is None else columns
    values = frame[columns].astype(float)
    count = values.count()
    spread = values.std(ddof=1).fillna(0.0)
    factor = t_quantile(confidence, np.maximum(count.to_numpy() - 1, 1))
    half = factor * spread / np.sqrt(count.clip(lower=1))
    return pd.DataFrame({"mean": values.mean(), "ci95": half, "runs": count})


def group_intervals(frame, by, value, confidence=0.95):
    """Mean, half-width and count of ``value`` per ``by`` (sorted; NaN left out).

    Returns a DataFrame indexed by ``by`` with ``mean``, ``count`` and
    ``half`` (0 where a group has fewer than 2 values: nothing to draw).
    """
    grouped = frame.groupby(by, sort=True)[value]
    table = grouped.agg(["mean", "std", "count"])
    n = table["count"].to_numpy(dtype=float)
    factor = np.where(n >= 2, t_quantile(confidence, np.maximum(n - 1, 1)), 0.0)
    half = factor * table["std"].fillna(0.0).to_numpy() / np.sqrt(np.maximum(n, 1))
    return table.assign(half=half).drop(columns="std")


class PairedInterval(NamedTuple):
    """A paired comparison: the mean difference, its spread (ddof 1), its interval and the
    paired t-test's two-sided p-value."""

    mean: float
    sd: float
    low: float
    high: float
    p_value: float

    @property
    def separated(self) -> bool:
        """Whether the interval excludes 0 (NaN intervals separate nothing)."""
        return bool(self.low > 0 or self.high < 0)


def paired_interval(differences, confidence=0.95) -> PairedInterval:
    """The t interval and paired t-test of ``differences`` (one per replication, no NaN).

    Below 2 differences all but the mean are NaN. When every difference is
    the same the t statistic is 0/0 or infinite: the p-value is then 1 for a
    difference of 0 and 0 for any other.
    """
    from scipy.stats import t

    values = np.asarray(differences, dtype=np.float64)
    n = values.shape[0]
    mean = float(values.mean()) if n else math.nan
    if n < 2:
        return PairedInterval(mean, math.nan, math.nan, math.nan, math.nan)
    sd = float(values.std(ddof=1))
    half = half_width(sd, n, confidence)
    if sd == 0.0:
        p = 1.0 if mean == 0.0 else 0.0
    else:
        p = float(2 * t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))
    return PairedInterval(mean, sd, mean - half, mean + half, p)


def power(n, difference, sd, confidence=0.95):
    """The chance a two-sided paired t-test of ``n`` pairs tells ``difference`` from 0.

    Under the noncentral t with ``n - 1`` degrees of freedom and noncentrality
    ``difference / sd * sqrt(n)``: ``P(|T| > t(1 - alpha / 2, n - 1))``.
    ``n`` may be an array (a power curve); ``sd`` must be > 0.
    """
    return _chance(n, difference, sd, confidence)


def _chance(n, difference, sd, confidence):
    from scipy.stats import nct

    c = t_quantile(confidence, np.asarray(n) - 1)
    shift = difference / sd * np.sqrt(n)
    # P(T < -c) written as P(T' > c) with noncentrality -shift: scipy's nct.cdf returns NaN
    # deep in the lower tail (e.g. df 1, shift 8.5), nct.sf does not.
    return nct.sf(c, np.asarray(n) - 1, shift) + nct.sf(c, np.asarray(n) - 1, -shift)


def _probability(value, name, owner):
    from sim._validation import check_scalar

    return check_scalar(value, name, owner, low=0.0, high=1.0, closed="neither")


def replications_needed(sd_difference, *, half_width=None, difference=None, confidence=0.95,
                        power=0.8) -> int:  # fmt: skip
    """How many paired replications a comparison needs, at a spread of differences.

    Give exactly one of:

    - ``half_width``: the fewest ``n`` whose Student's t interval of the mean
      difference is at most this wide on each side,
      ``t(1 - alpha / 2, n - 1) * sd / sqrt(n) <= half_width``;
    - ``difference``: the fewest ``n`` for which a two-sided paired t-test at
      level ``alpha = 1 - confidence`` tells a true mean difference of this
      size from 0 with probability ``power`` (:func:`power`).

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
    from sim._validation import check_scalar

    owner = "replications_needed"
    sd = check_scalar(sd_difference, "sd_difference", owner, low=0.0)
    confidence = _probability(confidence, "confidence", owner)
    wanted = _probability(power, "power", owner)
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

    def enough(n):
        if half_width is not None:
            return t_quantile(confidence, n - 1) * sd / math.sqrt(n) <= target
        return _chance(n, target, sd, confidence) >= wanted

    # Doubling then bisection: both criteria only get easier with more pairs.
    low, high = 1, 2
    while not enough(high):
        if high == MAX_REPLICATIONS:
            raise ValueError(
                f"{owner}: more than {MAX_REPLICATIONS:,} replications would be needed; "
                "ask for a wider half-width or a larger difference."
            )
        low, high = high, min(2 * high, MAX_REPLICATIONS)
    while high - low > 1:  # enough(high) holds, enough(low) does not (or low is 1)
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def wilson_interval(successes, trials, confidence=0.95) -> tuple[float, float]:
    """Wilson's score interval ``(low, high)`` of a proportion ``successes / trials``,
    clipped to [0, 1] (it stays sensible at 0 and at every trial a success)."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + confidence / 2)
    n, p = trials, successes / trials
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n * n)) / (1 + z**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)
