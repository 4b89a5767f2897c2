"""The report's figures: a tidy DataFrame in, a matplotlib Figure out.

Pure functions with no global state (figures are built with
``matplotlib.figure.Figure``, not pyplot, so nothing lingers). Means and
intervals are Student's t (:mod:`sim.stats`) (95 %, as the ranking's), not
by seaborn's bootstrap, so that a band in a figure and an interval in a
table say the same. One palette per strategy (:func:`palette`) colours every
figure of a report. Shares are drawn in percent of people, differences in
percentage points, time in weeks and cost in person-days. The conventions
every figure shares are :mod:`sim.report.drawing`'s; the figures across swept
parameters are :mod:`sim.report.sweeps`'s, given here by name too.

Input tables (as :func:`sim.report.load` gives them):

- ``runs``: a row per run: ``strategy``, ``seed``, ``replication``, metrics
  (``final_fraction_<b>``, ``weeks_to_50pct_<b>``, ``cost_total``, ...), swept
  parameters;
- ``curves``: a row per run, week and behavior: ``strategy``, ``seed``,
  ``replication``, ``step``, ``behavior``, ``fraction``;
- ``groups``: the same per unit or level: ``by``, ``group``, ``people``.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim._moved import moved_names
from sim.metrics import BEHAVIOR_NAMES, entry
from sim.metrics import behaviors as behaviors_of
from sim.report.drawing import (
    behavior_name,
    behaviors_drawn,
    colours_for,
    legend,
    mean_interval,
    need,
    pair_keys,
    panels,
)
from sim.report.sweeps import sweep_heatmap, sweep_line, winner_map
from sim.results.labels import palette
from sim.stats import power as power_of

__all__ = [
    "adoption_curves",
    "by_level",
    "difference_curves",
    "frontier",
    "mean_interval",
    "milestones",
    "palette",
    "separation",
    "sweep_heatmap",
    "sweep_line",
    "unit_heatmap",
    "winner_map",
]

#: Behaviors in words (:data:`sim.metrics.BEHAVIOR_NAMES`).
NAMES = BEHAVIOR_NAMES

# The palette's fixed colours moved with it (sim.results.labels.palette, re-exported here).
__getattr__ = moved_names(
    "sim.report.figures", dict.fromkeys(("FIXED", "HUES"), "sim.results.labels")
)


def adoption_curves(curves, *, palette=None, behaviors=None):
    """Share of the company holding each behavior, week by week, per strategy (95 % bands)."""
    need(curves, ["strategy", "step", "behavior", "fraction"], "adoption_curves")
    strategies = list(dict.fromkeys(curves["strategy"]))
    colours = colours_for(palette, strategies)
    shown = behaviors_drawn(curves, behaviors)
    fig, axes = panels(len(shown))
    for ax, behavior in zip(axes, shown, strict=True):
        rows = curves[curves["behavior"] == behavior]
        for strategy in strategies:
            table = mean_interval(rows[rows["strategy"] == strategy], "step", "fraction")
            x, mean, half = table.index.to_numpy(), 100 * table["mean"], 100 * table["half"]
            ax.plot(x, mean, color=colours[strategy], label=strategy)
            ax.fill_between(x, mean - half, mean + half, color=colours[strategy], alpha=0.2,
                            linewidth=0)  # fmt: skip
        ax.set(
            title=f"{behavior_name(behavior)}",
            xlabel="week",
            ylabel="people holding it (% of company)",
        )
        ax.set_ylim(bottom=0)
    legend(axes[0])
    fig.suptitle("Adoption per strategy: mean and 95 % band over replications")
    return fig


def difference_curves(curves, *, reference, palette=None, behaviors=None):
    """Each strategy minus ``reference``, replication by replication, week by week (95 % bands)."""
    pair = pair_keys(curves)
    need(curves, ["strategy", "step", "behavior", "fraction", *pair], "difference_curves")
    strategies = list(dict.fromkeys(curves["strategy"]))
    if reference not in strategies:
        raise ValueError(f"difference_curves: the reference {reference!r} is not a strategy "
                         f"({', '.join(map(str, strategies))}).")  # fmt: skip
    colours = colours_for(palette, strategies)
    shown = behaviors_drawn(curves, behaviors)
    fig, axes = panels(len(shown))
    key = [*pair, "step"]
    for ax, behavior in zip(axes, shown, strict=True):
        rows = curves[curves["behavior"] == behavior]
        base = rows[rows["strategy"] == reference][[*key, "fraction"]]
        ax.axhline(0.0, color="0.3", linewidth=0.8, label="_nolegend_", gid="zero")
        for strategy in strategies:
            if strategy == reference:
                continue
            own = rows[rows["strategy"] == strategy][[*key, "fraction"]]
            paired = own.merge(base, on=key, suffixes=("", "_reference"))
            paired["difference"] = paired["fraction"] - paired["fraction_reference"]
            table = mean_interval(paired, "step", "difference")
            x, mean, half = table.index.to_numpy(), 100 * table["mean"], 100 * table["half"]
            ax.plot(x, mean, color=colours[strategy], label=strategy)
            ax.fill_between(x, mean - half, mean + half, color=colours[strategy], alpha=0.2,
                            linewidth=0)  # fmt: skip
        ax.set(
            title=behavior_name(behavior), xlabel="week", ylabel="difference (percentage points)"
        )
    legend(axes[0])
    fig.suptitle(f"Difference from {reference} (paired replications, 95 % band)")
    return fig


_MILESTONES = (("weeks_to_50pct_<b>", "weeks to 50 %", 1.0),
               ("weeks_to_80pct_<b>", "weeks to 80 %", 1.0),
               ("final_fraction_<b>", "final share (%)", 100.0))  # fmt: skip


def milestones(runs, *, palette=None, behaviors=None):
    """Weeks to 50 % and 80 % and the final share, per behavior and strategy (95 % intervals).

    Runs that never reached a share are left out of its mean and counted
    beside the point ("12/30 never"); a strategy none of whose runs reached
    it gets no point and "never".
    """
    need(runs, ["strategy"], "milestones")
    if behaviors is None:
        behaviors = behaviors_of(runs)
    strategies = list(dict.fromkeys(runs["strategy"]))
    colours = colours_for(palette, strategies)
    weeks = int(runs["steps"].max()) if "steps" in runs else 52
    fig = Figure(figsize=(4.2 * len(behaviors), 1.0 + 0.45 * len(strategies) * 3),
                 layout="constrained")  # fmt: skip
    axes = fig.subplots(len(_MILESTONES), len(behaviors), squeeze=False)
    for col, behavior in enumerate(behaviors):
        for row, (pattern, label, scale) in enumerate(_MILESTONES):
            ax, column = axes[row][col], entry(pattern).name(behavior)
            need(runs, [column], "milestones")
            for y, strategy in enumerate(strategies):
                values = runs.loc[runs["strategy"] == strategy, column].to_numpy(dtype=float)
                kept = values[~np.isnan(values)] * scale
                never = values.shape[0] - kept.shape[0]
                if kept.shape[0]:
                    table = mean_interval(pd.DataFrame({"k": 0, "v": kept}), "k", "v").iloc[0]
                    ax.errorbar(table["mean"], y, xerr=table["half"], fmt="o",
                                color=colours[strategy], capsize=3)  # fmt: skip
                if never:
                    text = "never" if not kept.shape[0] else f"{never}/{values.shape[0]} never"
                    ax.text(0.99, y + 0.32, text, transform=ax.get_yaxis_transform(), ha="right",
                            va="center", fontsize="x-small", color="0.35")  # fmt: skip
            ax.set_yticks(
                range(len(strategies)), strategies if col == 0 else [""] * len(strategies)
            )
            ax.set_ylim(-0.6, len(strategies) - 0.4)
            ax.invert_yaxis()
            # One scale per row, from 0: weeks up to the run's length, shares up to 100 %.
            ax.set_xlim(0, 100 if scale == 100.0 else max(weeks, 1))
            ax.set_xlabel(label)
            if row == 0:
                ax.set_title(behavior_name(behavior))
    fig.suptitle("How fast and how far: milestones per behavior (mean, 95 % interval)")
    return fig


def frontier(runs, metric, *, palette=None, metric_label=None):
    """The metric against cost per strategy: every replication and the mean (95 % both ways)."""
    need(runs, ["strategy", "cost_total", metric], "frontier")
    strategies = list(dict.fromkeys(runs["strategy"]))
    colours = colours_for(palette, strategies)
    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.subplots()
    for strategy in strategies:
        own = runs[runs["strategy"] == strategy].assign(k=0)
        ax.scatter(own["cost_total"], own[metric], color=colours[strategy], alpha=0.25, s=12,
                   linewidths=0)  # fmt: skip
        x = mean_interval(own, "k", "cost_total").iloc[0]
        y = mean_interval(own, "k", metric).iloc[0]
        ax.errorbar(x["mean"], y["mean"], xerr=x["half"], yerr=y["half"], fmt="o", markersize=7,
                    color=colours[strategy], capsize=4, label=strategy)  # fmt: skip
    ax.set(xlabel="cost (person-days)", ylabel=metric_label or metric,
           title="Adoption against cost, so that unequal budgets are never hidden")  # fmt: skip
    ax.set_xlim(0, 1.1 * max(float(runs["cost_total"].max()), 1.0))  # cost on its true scale
    legend(ax)
    return fig


def unit_heatmap(groups, *, behavior, strategies=None, max_units=40):
    """Share of each unit holding ``behavior``, week by week, one panel per strategy."""
    need(groups, ["strategy", "by", "group", "step", "behavior", "fraction", "people"],
          "unit_heatmap")  # fmt: skip
    rows = groups[(groups["by"] == "unit") & (groups["behavior"] == behavior)]
    strategies = list(strategies) if strategies is not None else list(
        dict.fromkeys(rows["strategy"]))  # fmt: skip
    last = rows[rows["step"] == rows["step"].max()]
    order = last.groupby("group")["fraction"].mean().sort_values(ascending=False).index.tolist()
    note = ""
    if len(order) > max_units:
        size = last.groupby("group")["people"].mean()
        largest = set(size.sort_values(ascending=False).index[:max_units])
        order = [u for u in order if u in largest]
        note = f" (the {max_units} largest of {len(size)} units)"
    # One colour scale for every panel, up to the highest share shown (5 % steps), so that
    # a behavior few people take up still shows where it stalls.
    top = rows[rows["group"].isin(order)].groupby(["strategy", "group", "step"])["fraction"]
    vmax = min(100.0, max(5.0, 5.0 * math.ceil(20.0 * float(top.mean().max()))))
    fig = Figure(figsize=(4.4 * len(strategies) + 1.2, 1.2 + 0.22 * len(order)),
                 layout="constrained")  # fmt: skip
    axes = fig.subplots(1, len(strategies), squeeze=False, sharey=True)[0]
    mesh = None
    for ax, strategy in zip(axes, strategies, strict=True):
        own = rows[rows["strategy"] == strategy]
        grid = own.pivot_table(index="group", columns="step", values="fraction", aggfunc="mean")
        grid = grid.reindex(order) * 100
        steps = grid.columns.to_numpy()
        edges = np.append(steps - 0.5, steps[-1] + 0.5)
        mesh = ax.pcolormesh(edges, np.arange(len(order) + 1), grid.to_numpy(), vmin=0,
                             vmax=vmax, cmap="viridis")  # fmt: skip
        ax.set_yticks(np.arange(len(order)) + 0.5, order, fontsize="small")
        ax.set_ylim(len(order), 0)
        ax.set(title=strategy, xlabel="week")
    fig.colorbar(mesh, ax=list(axes), label="% of the unit holding it")
    fig.suptitle(
        f"Where it stalls: {behavior_name(behavior)} per unit, mean over replications{note}"
    )
    return fig


def by_level(groups, *, behavior, palette=None):
    """Share holding ``behavior`` by level of the hierarchy in the last week (95 % intervals)."""
    need(groups, ["strategy", "by", "group", "step", "behavior", "fraction"], "by_level")
    rows = groups[(groups["by"] == "level") & (groups["behavior"] == behavior)]
    rows = rows[rows["step"] == rows["step"].max()].assign(level=lambda f: f["group"].astype(int))
    strategies = list(dict.fromkeys(rows["strategy"]))
    colours = colours_for(palette, strategies)
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    for strategy in strategies:
        table = mean_interval(rows[rows["strategy"] == strategy], "level", "fraction")
        ax.errorbar(table.index, 100 * table["mean"], yerr=100 * table["half"], marker="o",
                    color=colours[strategy], capsize=3, label=strategy)  # fmt: skip
    ax.set(xlabel="level (0 = top)", ylabel="people holding it (% of the level)",
           title=f"{behavior_name(behavior)} by level in the last week")  # fmt: skip
    ax.set_xticks(sorted(rows["level"].unique()))
    legend(ax)
    return fig


def separation(runs, metric, pairs, *, palette=None, confidence=0.95, power=0.8,
               max_replications=None):  # fmt: skip
    """For each pair, the chance a paired t-test separates them against the replications.

    The observed mean and spread of the paired differences are taken as the
    truth (as :func:`sim.compare.separating_replications` does); the needed
    number is marked, and the replications held.
    """
    from sim.compare import paired_differences, replications_needed

    pair = pair_keys(runs)
    need(runs, ["strategy", metric, *pair], "separation")
    colours = colours_for(palette, list(dict.fromkeys(runs["strategy"])))
    fig = Figure(figsize=(7.0, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.axhline(100 * power, color="0.3", linewidth=0.8, linestyle="--", gid="power")
    notes = []
    for a, b in pairs:
        both = runs[runs["strategy"].isin([a, b])]
        diff = paired_differences(both, metric, by="strategy", reference=b, pair_on=pair,
                                  confidence=confidence).iloc[0]  # fmt: skip
        held, mean, sd = int(diff["pairs"]), float(diff["mean_difference"]), diff["sd_difference"]
        if mean == 0.0 or not sd >= 0:
            notes.append(f"{a} vs {b}: no difference at all")
            continue
        if sd == 0:  # the same difference every time: any 2 pairs tell it
            sd = abs(mean) * 1e-9
        try:
            needed = replications_needed(sd, difference=mean, confidence=confidence, power=power)
        except ValueError:
            notes.append(f"{a} vs {b}: more than 10,000,000 replications")
            continue
        top = max_replications or math.ceil(1.5 * max(needed, held))
        n = np.arange(2, max(top, 3) + 1)
        ax.plot(n, 100 * power_of(n, mean, sd, confidence), color=colours[a], label=f"{a} vs {b}")
        ax.axvline(needed, color=colours[a], linewidth=0.8, linestyle=":", gid="needed")
        ax.annotate(f"{needed:,}", (needed, 100 * power), textcoords="offset points",
                    xytext=(4, -12), fontsize="small", color=colours[a])  # fmt: skip
        ax.axvline(held, color="0.5", linewidth=0.8, gid="held")
        ax.annotate(f"held: {held}", (held, 4), textcoords="offset points", xytext=(3, 0),
                    fontsize="x-small", color="0.4")  # fmt: skip
    if notes:
        ax.text(0.02, 0.02, "\n".join(notes), transform=ax.transAxes, fontsize="small")
    ax.set(xlabel="paired replications", ylabel="chance a paired t-test separates them (%)",
           title="How many replications would separate the ties", ylim=(0, 100))  # fmt: skip
    ax.text(0.99, 100 * power, f"{round(100 * power)} %", transform=ax.get_yaxis_transform(),
            ha="right", va="bottom", fontsize="x-small")  # fmt: skip
    legend(ax, loc="lower right")
    return fig
