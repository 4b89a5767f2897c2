"""What a posterior says about each parameter: how far the evidence narrowed it, drawn.

:func:`narrowing` is the table (each parameter's weighted median and 90 % interval against its
prior range); :func:`marginals` draws every parameter's weighted histogram on its whole search
range with the prior box shaded; :func:`pairs` a pair plot of a few parameters (an
equal-weight resample, so that seaborn's plain histograms and scatters show the weighted
sample). DataFrame in, Figure out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from sim.calibrate.abc import weighted_interval

__all__ = ["marginals", "narrowing", "pairs", "resample"]


def narrowing(sample, ranges, prior=None, level=0.9) -> pd.DataFrame:
    """Per parameter of ``ranges`` (``{name: (low, high)}``, the search ranges): the weighted
    median, the central ``level`` interval, and ``width``: that interval's share of the prior's
    width (``prior``, the box ABC sampled from; the ranges when None). Sorted, the most
    narrowed first: a small width is a parameter the evidence pins, a width near 1 one it
    leaves as loose as the prior."""
    prior = ranges if prior is None else prior
    weights = sample["weight"].to_numpy(dtype=float)
    rows = []
    for name in ranges:
        values = sample[name].to_numpy(dtype=float)
        low, high = weighted_interval(values, weights, level)
        median = float(np.quantile(values, 0.5, weights=weights, method="inverted_cdf"))
        p_low, p_high = prior[name]
        width = (high - low) / (p_high - p_low) if p_high > p_low else np.nan
        rows.append({"parameter": name, "median": median, "low": low, "high": high,
                     "prior_low": p_low, "prior_high": p_high, "width": width})  # fmt: skip
    return pd.DataFrame(rows).sort_values("width", kind="stable", ignore_index=True)


def marginals(sample, ranges, prior=None, *, columns=5) -> Figure:
    """Every parameter's weighted histogram on its search range, the prior box shaded and the
    90 % interval marked; titled by how much of the prior's width the interval keeps."""
    table = narrowing(sample, ranges, prior).set_index("parameter")
    names = list(ranges)
    rows = math.ceil(len(names) / columns)
    fig = Figure(figsize=(2.6 * columns, 1.9 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        low, high = ranges[name]
        row = table.loc[name]
        ax.axvspan(row["prior_low"], row["prior_high"], color="0.92", zorder=0, gid="prior")
        ax.hist(sample[name], bins=20, range=(row["prior_low"], row["prior_high"]),
                weights=sample["weight"], color="#4c72b0")  # fmt: skip
        ax.axvline(row["low"], color="0.2", linewidth=0.8, linestyle="--")
        ax.axvline(row["high"], color="0.2", linewidth=0.8, linestyle="--")
        ax.set_xlim(low, high)
        ax.set_yticks([])
        ax.set_title(f"{name}\n90 %: {100 * row['width']:.0f} % of the prior", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    fig.suptitle("Posterior marginals (weighted) on each parameter's search range; grey: the "
                 "prior box, dashed: the 90 % interval")  # fmt: skip
    return fig


def resample(sample, size=None, seed=0) -> pd.DataFrame:
    """An equal-weight sample of ``size`` rows (systematic resampling by ``weight``)."""
    weights = sample["weight"].to_numpy(dtype=float)
    size = len(sample) if size is None else int(size)
    rng = np.random.default_rng(seed)
    points = (rng.uniform() + np.arange(size)) / size
    index = np.searchsorted(np.cumsum(weights / weights.sum()), points, side="left")
    return sample.iloc[np.minimum(index, len(sample) - 1)].reset_index(drop=True)


def pairs(sample, names, *, seed=0) -> Figure:
    """A pair plot of ``names`` over an equal-weight resample of the posterior."""
    equal = resample(sample, seed=seed)[list(names)]
    grid = sns.PairGrid(equal, corner=True, height=1.7)
    grid.map_diag(sns.histplot, bins=15, color="#4c72b0")
    grid.map_lower(sns.scatterplot, s=8, alpha=0.5, color="#4c72b0", edgecolor=None)
    grid.figure.suptitle("Posterior pairs (equal-weight resample): where the evidence trades "
                         "one parameter against another", y=1.01)  # fmt: skip
    return grid.figure
