"""Granovetter (1978): a crowd's outcome hangs on its distribution of thresholds.

In a crowd where everyone sees everyone, a person riots once the number of
rioters reaches their threshold. With thresholds 0, 1, ..., 99 the instigator
riots, which brings in the person with threshold 1, and so on to the last;
move the person at rank k up by one and the riot stops at k people. With
normally distributed thresholds (mean 25 of 100) the equilibrium jumps from a
handful to nearly everyone as the spread passes a critical value (his
figure 2, about 12.2).

What the paper computes is arithmetic on the thresholds: :func:`riot_size`
(the slow, obvious fixed point of a given list) and
:func:`normal_equilibrium` / :func:`critical_spread` (the fixed point of the
expected distribution). The engine's runs are compared with these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "critical_spread",
    "normal_equilibrium",
    "riot",
    "riot_figure",
    "riot_size",
    "sensitivity",
    "sensitivity_figure",
]


def riot_size(thresholds) -> int:
    """How many riot in the end, by the paper's arithmetic: starting from nobody,
    the rioters are those whose threshold the last count reaches, until it stops."""
    theta = np.sort(np.asarray(thresholds, dtype=np.float64))
    rioters = 0
    while True:
        now = int(np.count_nonzero(theta <= rioters))
        if now == rioters:
            return rioters
        rioters = now


def _evenly(n, theta, spread, moved, move) -> np.ndarray:
    thresholds = np.linspace(theta, theta + spread, n)
    if moved is not None:
        thresholds[int(moved)] += move
    return thresholds


def normal_equilibrium(n, mean, sd) -> float:
    """Rioters at the equilibrium of the expected distribution: the first fixed point
    of ``r = n * Phi((r - mean) / sd)`` reached from ``r = 0`` (Granovetter's figure 2)."""
    from scipy.stats import norm

    rioters = 0.0
    for _ in range(100_000):
        now = float(n * norm.cdf((rioters - mean) / sd)) if sd > 0 else float(n * (mean <= 0))
        if abs(now - rioters) < 1e-9:
            return now
        rioters = now
    return rioters


def critical_spread(n, mean, *, high=None) -> float:
    """The standard deviation at which the normal crowd's equilibrium jumps to most of
    the crowd (bisection on :func:`normal_equilibrium` crossing half the crowd)."""
    from scipy.optimize import brentq

    high = float(n) if high is None else high
    return float(brentq(lambda sd: normal_equilibrium(n, mean, sd) - n / 2, 1e-6, high,
                        xtol=1e-6))  # fmt: skip


def _people(runs):
    return runs["org.headcount"].astype(np.int64)


def riot(runs) -> pd.DataFrame:
    """Per moved rank (none first): the rioters orgsim ends with (mean over runs) beside
    the paper's arithmetic on the same thresholds.

    ``runs`` is a store's runs table of evenly spread count thresholds
    (``rule.thresholds = evenly``) on a complete network.
    """
    rows = []
    key = runs["rule.moved"].astype("Float64")
    for moved, own in runs.assign(_moved=key).groupby("_moved", dropna=False, sort=True):
        first = own.iloc[0]
        n = int(first["org.headcount"])
        moved = None if pd.isna(moved) else int(moved)
        thresholds = _evenly(n, float(first["rule.theta"]), float(first["rule.spread"]), moved,
                             float(first["rule.move"]))  # fmt: skip
        rioters = own["final_fraction_adopt"] * _people(own)
        rows.append({"moved": moved, "move": float(first["rule.move"]),
                     "moved_threshold": None if moved is None else float(thresholds[moved]),
                     "runs": len(own), "rioters": float(rioters.mean()),
                     "paper": riot_size(thresholds), "people": n})  # fmt: skip
    table = pd.DataFrame(rows)
    # Nobody moved first, then by rank.
    table["_order"] = table["moved"].fillna(-1)
    return table.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def sensitivity(runs) -> pd.DataFrame:
    """Per spread of normal thresholds: the rioters' mean, 5 % and 95 % over the runs,
    the share of runs where most of the crowd rioted, and the paper's equilibrium."""
    rows = []
    for spread, own in runs.groupby("rule.spread", sort=True):
        first = own.iloc[0]
        n, mean = int(first["org.headcount"]), float(first["rule.theta"])
        rioters = (own["final_fraction_adopt"] * _people(own)).to_numpy(dtype=np.float64)
        rows.append({"spread": float(spread), "runs": len(own), "mean": rioters.mean(),
                     "p05": np.quantile(rioters, 0.05), "p95": np.quantile(rioters, 0.95),
                     "most": float(np.mean(rioters > n / 2)),
                     "paper": normal_equilibrium(n, mean, float(spread)), "people": n,
                     "theta": mean})  # fmt: skip
    return pd.DataFrame(rows)


def riot_figure(table, curves):
    """Left: rioters week by week with nobody moved and with the rank-1 person moved (or the
    first rank moved). Right: where the riot stops as each rank is moved, orgsim beside
    the paper's arithmetic."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.2), layout="constrained")
    weekly, stops = figure.subplots(1, 2)
    colours = sns.color_palette("colorblind", 3)
    key = curves["rule.moved"].astype("Float64")
    ranks = sorted(int(m) for m in key.dropna().unique())
    shown = [None] + ([1] if 1 in ranks else ranks[:1])
    for colour, moved in zip(colours, shown, strict=False):
        own = curves[key.isna()] if moved is None else curves[key == moved]
        mean = own.groupby("step", sort=True)["adopters"].mean()
        label = (
            "thresholds 0, 1, ..., n - 1"
            if moved is None
            else (f"the rank-{moved} person moved up by {table['move'].iloc[0]:g}")
        )
        weekly.step(mean.index, mean.to_numpy(), where="post", color=colour, label=label)
    weekly.set_xlabel("week")
    weekly.set_ylabel("rioters (people)")
    weekly.legend(fontsize="small")
    moved = table.dropna(subset=["moved"])
    stops.plot(moved["moved"], moved["paper"], "-", color="0.6", linewidth=3,
               label="Granovetter's arithmetic")  # fmt: skip
    stops.plot(moved["moved"], moved["rioters"], "o", color=colours[1], label="orgsim")
    nobody = table[table["moved"].isna()]
    if len(nobody):
        stops.axhline(float(nobody["rioters"].iloc[0]), color=colours[0], linestyle="--",
                      label="nobody moved")  # fmt: skip
    stops.set_xlabel("rank of the one person whose threshold moved up")
    stops.set_ylabel("rioters at the end (people)")
    stops.legend(fontsize="small")
    return figure


def sensitivity_figure(table):
    """Rioters at the end against the spread of normal thresholds: orgsim's mean with its
    5-95 % band over drawn crowds, the paper's equilibrium and its critical spread."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.2), layout="constrained")
    ax = figure.subplots()
    colour = sns.color_palette("colorblind", 1)[0]
    ax.fill_between(table["spread"], table["p05"], table["p95"], color=colour, alpha=0.2,
                    label="orgsim: 5-95 % of drawn crowds")  # fmt: skip
    ax.plot(table["spread"], table["mean"], "o-", color=colour, label="orgsim: mean")
    first = table.iloc[0]
    n, mean = int(first["people"]), float(first["theta"])
    # The paper's curve on a fine grid: it jumps between two swept spreads.
    grid = np.linspace(table["spread"].min(), table["spread"].max(), 400)
    ax.plot(grid, [normal_equilibrium(n, mean, sd) for sd in grid], "-", color="0.4",
            linewidth=2, label="Granovetter: the expected distribution's equilibrium")  # fmt: skip
    critical = critical_spread(n, mean)
    ax.axvline(critical, color="0.4", linestyle=":", label=f"critical spread {critical:.2f}")
    ax.set_xlabel("standard deviation of thresholds (rioters)")
    ax.set_ylabel("rioters at the end (people)")
    ax.legend(fontsize="small", loc="upper left")
    return figure
