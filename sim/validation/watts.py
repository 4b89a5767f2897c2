"""Watts (2002): the window of mean degree in which one seed can start a global cascade.

On a random graph where a node of degree ``k`` adopts once a share ``phi`` of
its neighbours has, a node is *vulnerable* when a single adopting neighbour
suffices: ``k <= floor(1 / phi)``. Global cascades are possible when the
vulnerable nodes percolate, which for a degree distribution ``p_k`` is
Watts's condition (his eq. 8 with ``rho_k`` the vulnerable share of degree
``k``)::

    sum_k k (k - 1) rho_k p_k = z        (z: the mean degree)

The left side minus ``z`` is positive inside the window. For an Erdős–Rényi
graph ``p_k`` is Poisson with mean ``z``, and :func:`cascade_window` finds
both edges as the roots of the condition, computed here rather than typed in.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.stats import wilson_interval

__all__ = ["cascade_condition", "cascade_window"]


def cascade_condition(z, phi) -> float:
    """``sum_k k (k - 1) rho_k p_k - z`` on an Erdős–Rényi graph of mean degree ``z``;
    positive where global cascades are possible."""
    if not 0 < phi <= 1:
        raise ValueError(f"The 'phi' parameter of cascade_condition must be in (0, 1]. Got {phi}.")
    if z <= 0:
        return 0.0
    vulnerable = math.floor(1.0 / phi)
    k = np.arange(2, vulnerable + 1, dtype=np.float64)
    log_p = -z + k * math.log(z) - np.array([math.lgamma(x + 1) for x in k])
    return float(np.sum(k * (k - 1) * np.exp(log_p)) - z)


def cascade_window(phi, z_max=60.0, step=0.01) -> tuple[float, float]:
    """The lower and upper mean degree between which the cascade condition holds.

    Scans ``(0, z_max]`` by ``step`` for sign changes and refines each with
    Brent's method. Raises ValueError when there is no window (``phi`` above
    1/2: nobody is vulnerable with two or more ties).
    """
    from scipy.optimize import brentq

    grid = np.arange(step, z_max + step, step)
    values = np.array([cascade_condition(z, phi) for z in grid])
    crossings = np.flatnonzero(np.sign(values[:-1]) != np.sign(values[1:]))
    if crossings.shape[0] < 2:
        raise ValueError(f"No cascade window for phi = {phi}: nobody is vulnerable enough.")
    low, high = (
        brentq(cascade_condition, grid[i], grid[i + 1], args=(phi,)) for i in crossings[[0, -1]]
    )
    return float(low), float(high)


#: A run is a global cascade when its adopters pass this share of the network. Cascades are
#: bimodal (a handful of people, or most of the giant component), so any cutoff between
#: 1 % and 50 % counts the same runs but at the window's very edges.
CUTOFF = 0.01


def cascades(runs, *, cutoff=CUTOFF, share="final_fraction_adopt") -> pd.DataFrame:
    """Per threshold and mean degree: ``runs``, ``frequency`` of global cascades (with a
    95 % Wilson interval ``low``/``high``) and ``size``, their mean share of the network.

    ``runs`` is a store's runs table of a threshold sweep (``rule.theta``,
    ``network.mean_degree`` and the final share ``share``).
    """
    rows = []
    for (phi, z), own in runs.groupby(["rule.theta", "network.mean_degree"], sort=True):
        values = own[share].to_numpy(dtype=np.float64)
        n = values.shape[0]
        hits = values > cutoff
        k = int(hits.sum())
        low, high = wilson_interval(k, n)
        rows.append(
            {
                "phi": float(phi),
                "z": float(z),
                "runs": n,
                "cascades": k,
                "frequency": k / n,
                "low": low,
                "high": high,
                "size": float(values[hits].mean()) if k else math.nan,
            }
        )
    return pd.DataFrame(rows)


def observed_window(table) -> pd.DataFrame:
    """Per threshold, the smallest and largest mean degree where a global cascade
    happened, beside the analytic window (``low``, ``high``)."""

    rows = []
    for phi, own in table.groupby("phi", sort=True):
        seen = own[own["cascades"] > 0]["z"]
        low, high = cascade_window(phi)
        rows.append(
            {
                "phi": phi,
                "observed_low": seen.min() if len(seen) else math.nan,
                "observed_high": seen.max() if len(seen) else math.nan,
                "analytic_low": low,
                "analytic_high": high,
            }
        )
    return pd.DataFrame(rows)


def figure(table):
    """Frequency and mean size of global cascades against mean degree, one colour per
    threshold, the analytic window shaded (Watts 2002, his figure 1)."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.2), layout="constrained")
    often, large = figure.subplots(1, 2, sharex=True)
    colours = dict(
        zip(
            sorted(table["phi"].unique()),
            sns.color_palette("colorblind", table["phi"].nunique()),
            strict=True,
        )
    )
    for phi, own in table.groupby("phi", sort=True):
        colour = colours[phi]
        low, high = cascade_window(phi)
        for ax in (often, large):
            ax.axvspan(low, high, color=colour, alpha=0.12, linewidth=0)
        often.plot(own["z"], own["frequency"], "o-", color=colour, label=f"phi = {phi:g}")
        often.fill_between(own["z"], own["low"], own["high"], color=colour, alpha=0.25)
        large.plot(
            own["z"],
            own["size"],
            "o-",
            color=colour,
            label=f"phi = {phi:g}: window {low:.2f}-{high:.2f}",
        )
    often.set_ylabel("share of runs with a global cascade")
    large.set_ylabel("mean size of a global cascade (share of people)")
    for ax in (often, large):
        ax.set_xlabel("mean degree z (ties per person)")
        ax.set_ylim(-0.02, 1.02)
    often.legend(fontsize="small")
    large.legend(fontsize="small", title="shaded: analytic window", title_fontsize="small")
    return figure
