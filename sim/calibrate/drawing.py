"""A pilot's calibration drawn: what the data narrowed, how well the posterior redraws the
pilot, and each candidate next step's forecast with its bands. DataFrame in, Figure out."""

from __future__ import annotations

import math

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

__all__ = ["check_figure", "forecast_figure", "narrowed_figure"]

_PRIOR, _POSTERIOR, _DATA = "0.75", "#4c72b0", "#c44e52"


def narrowed_figure(prior, posterior, table, *, columns=6) -> Figure:
    """Each parameter's prior (grey) and posterior (blue) histogram, both weighted, titled by
    how much of the prior's 90 % interval the pilot removed (``table``: :func:`fit.compare`)."""
    names = list(table["parameter"])
    rows = math.ceil(len(names) / columns)
    fig = Figure(figsize=(2.4 * columns, 1.8 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, row in zip(axes, table.itertuples(index=False), strict=False):
        name = row.parameter
        both = np.concatenate([prior[name].to_numpy(float), posterior[name].to_numpy(float)])
        edges = np.linspace(both.min(), both.max() + 1e-12, 21)
        ax.hist(prior[name], bins=edges, weights=prior["weight"], density=True,
                color=_PRIOR, label="prior")  # fmt: skip
        ax.hist(posterior[name], bins=edges, weights=posterior["weight"], density=True,
                color=_POSTERIOR, alpha=0.75, label="posterior")  # fmt: skip
        ax.set_title(f"{name}\nnarrowed {100 * row.narrowed:.0f} %", fontsize=8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle("What the pilot narrowed: prior (the shipped posterior and uniform culture "
                 "dials) and posterior, weighted", fontsize=10)  # fmt: skip
    return fig


def check_figure(table) -> Figure:
    """The pilot's own curves per unit (columns) and rung (rows): the observed share (dots,
    red outside the 90 % band) against the posterior's predictive 50 % and 90 % bands."""
    units = list(dict.fromkeys(table["unit"]))
    rungs = list(dict.fromkeys(table["rung"]))
    fig = Figure(figsize=(2.6 * len(units) + 0.6, 2.0 * len(rungs) + 0.6), layout="constrained")
    axes = fig.subplots(len(rungs), len(units), squeeze=False, sharex=True)
    for i, rung in enumerate(rungs):
        for j, unit in enumerate(units):
            ax = axes[i, j]
            part = table[(table["unit"] == unit) & (table["rung"] == rung)]
            ax.fill_between(part["week"], 100 * part["q05"], 100 * part["q95"],
                            color=_POSTERIOR, alpha=0.18, linewidth=0)  # fmt: skip
            ax.fill_between(part["week"], 100 * part["q25"], 100 * part["q75"],
                            color=_POSTERIOR, alpha=0.35, linewidth=0)  # fmt: skip
            ax.plot(part["week"], 100 * part["median"], color=_POSTERIOR, linewidth=1)
            colors = np.where(part["inside"], "0.15", _DATA)
            ax.scatter(part["week"], 100 * part["observed"], s=9, c=colors, zorder=3)
            if i == 0:
                ax.set_title(unit, fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{rung} (% of unit)", fontsize=8)
            if i == len(rungs) - 1:
                ax.set_xlabel("week", fontsize=8)
            ax.tick_params(labelsize=7)
    inside = 100 * table["inside"].mean()
    fig.suptitle(f"The pilot redrawn by the posterior: {inside:.0f} % of the\n"
                 "observations inside the 90 % band (fresh replications)",
                 fontsize=10)  # fmt: skip
    return fig


def forecast_figure(table, scope, *, pilot_weeks, bass=None, observed=None) -> Figure:
    """Each candidate (rows) and rung (columns): the forecast share of ``scope`` holding the
    rung, its median, 50 % and 90 % bands across the posterior; the pilot's end marked;
    ``bass`` (week, share) the Bass baseline on the readers' panels, ``observed`` (week,
    share) the pilot's data there."""
    part = table[table["scope"] == scope]
    rungs = list(dict.fromkeys(part["rung"]))
    candidates = list(dict.fromkeys(part["candidate"]))
    colors = dict(zip(candidates, sns.color_palette("colorblind", len(candidates)), strict=True))
    fig = Figure(figsize=(3.6 * len(rungs), 2.3 * len(candidates) + 0.5), layout="constrained")
    axes = fig.subplots(len(candidates), len(rungs), squeeze=False, sharex=True, sharey="col")
    for i, name in enumerate(candidates):
        for j, rung in enumerate(rungs):
            ax = axes[i, j]
            line = part[(part["candidate"] == name) & (part["rung"] == rung)]
            ax.fill_between(line["week"], 100 * line["q05"], 100 * line["q95"],
                            color=colors[name], alpha=0.18, linewidth=0)  # fmt: skip
            ax.fill_between(line["week"], 100 * line["q25"], 100 * line["q75"],
                            color=colors[name], alpha=0.4, linewidth=0)  # fmt: skip
            ax.plot(line["week"], 100 * line["median"], color=colors[name], label=name)
            ax.axvline(pilot_weeks, color="0.4", linewidth=0.8, linestyle=":")
            if j == 0 and bass is not None:
                ax.plot(bass[0], 100 * np.asarray(bass[1]), color="0.2", linestyle="--",
                        linewidth=1, label="Bass curve fitted to the pilot's total")  # fmt: skip
            if j == 0 and observed is not None:
                ax.scatter(observed[0], 100 * np.asarray(observed[1]), s=7, color="0.15",
                           zorder=3, label="the pilot's analytics")  # fmt: skip
            if i == 0:
                ax.set_title(rung, fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{name}\n% of {scope}", fontsize=8)
                if i == 0:
                    ax.legend(fontsize=7, frameon=False, loc="upper left")
            if i == len(candidates) - 1:
                ax.set_xlabel("week from the launch")
            ax.tick_params(labelsize=7)
    return fig
