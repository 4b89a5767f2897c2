"""The analysis's figures: a tidy DataFrame in, a matplotlib Figure out.

As :mod:`sim.report.figures`: no pyplot state, one colour per strategy
(:func:`sim.results.palette`), units on the axes.

- :func:`morris` — the tornado of ``mu_star`` with its bootstrap interval and
  the replication noise floor, beside the ``mu_star``–``sigma`` plane
  (interactions or non-linearity lie high);
- :func:`sobol` — first- and total-order indices with their intervals;
- :func:`outcomes` — each strategy's outcome across the sampled worlds, and its
  regret;
- :func:`winners` — the worlds on two uncertainties, coloured by the strategy
  that won there, with the PRIM boxes drawn.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.results import palette as make_palette

__all__ = ["morris", "outcomes", "pick_axes", "sobol", "winners"]


def _need(frame, columns, owner):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{owner}: no column {missing[0]!r} in the table.")


def _unit(label) -> str:
    return f" ({label})" if label else ""


def morris(table, *, metric_label=None, top=20):
    """Morris screening of one outcome (``table``: :func:`sim.analysis.sensitivity.indices`)."""
    _need(table, ["parameter", "mu_star", "mu_star_conf", "sigma", "noise"], "morris")
    shown = table.sort_values("mu_star", ascending=False).head(top).iloc[::-1]
    figure = Figure(figsize=(12, max(3.2, 0.32 * len(shown) + 1.8)), layout="constrained")
    bars, plane = figure.subplots(1, 2, width_ratios=[1.3, 1])
    y = np.arange(len(shown))
    bars.barh(
        y,
        shown["mu_star"],
        xerr=shown["mu_star_conf"],
        color="#4c72b0",
        error_kw={"elinewidth": 1, "capsize": 2},
        label="mu* (95 % bootstrap interval)",
    )
    noise = 2 * shown["noise"].fillna(0).to_numpy()
    bars.barh(
        y,
        noise,
        color="none",
        edgecolor="#c44e52",
        hatch="////",
        linewidth=0,
        label="2 x replication noise: below, no effect",
    )
    bars.set_yticks(y, shown["parameter"])
    bars.set_xlabel(f"mu*, mean |elementary effect| over the whole range\n{metric_label or ''}")
    bars.set_xlim(left=0)
    bars.legend(fontsize="small", loc="lower right")
    plane.scatter(shown["mu_star"], shown["sigma"], color="#4c72b0")
    for row in shown.itertuples(index=False):
        plane.annotate(
            row.parameter,
            (row.mu_star, row.sigma),
            fontsize=7,
            xytext=(3, 2),
            textcoords="offset points",
        )
    top_value = float(max(shown["mu_star"].max(), shown["sigma"].max(), 1e-12))
    plane.plot([0, top_value], [0, top_value], color="grey", linewidth=0.8, linestyle=":")
    plane.set_xlabel(f"mu*\n{metric_label or ''}")
    plane.set_ylabel("sigma of the elementary effects")
    plane.set_xlim(left=0)
    plane.set_ylim(bottom=0)
    plane.set_title("above the diagonal: interactions or non-linear", fontsize="small")
    return figure


def sobol(table, *, top=20):
    """Sobol (or RBD-FAST) indices: ``S1`` and, when present, ``ST``, with intervals."""
    _need(table, ["parameter", "S1", "S1_conf"], "sobol")
    order = "ST" if "ST" in table.columns else "S1"
    shown = table.sort_values(order, ascending=False).head(top).iloc[::-1]
    figure = Figure(figsize=(8, max(3.0, 0.32 * len(shown) + 1.6)), layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(shown))
    bars = [("S1", "#4c72b0", "first order S1 (alone)")]
    if order == "ST":
        bars.append(("ST", "#dd8452", "total order ST (with interactions)"))
    height = 0.8 / len(bars)
    for k, (column, colour, label) in enumerate(bars):
        offset = (len(bars) - 1) / 2 * height - k * height  # S1 above ST within a row
        ax.barh(y + offset, shown[column], height, xerr=shown[f"{column}_conf"], color=colour,
                label=label, error_kw={"capsize": 2})  # fmt: skip
    ax.set_yticks(y, shown["parameter"])
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("share of the outcome's variance (95 % bootstrap interval)")
    ax.legend(fontsize="small", loc="lower right")
    return figure


def outcomes(regret, *, palette=None, metric_label=None):
    """Each strategy's outcome across worlds (left) and its regret (right), one dot per
    world (``regret``: :func:`sim.analysis.robust.regret`)."""
    import seaborn as sns

    _need(regret, ["strategy", "mean", "regret"], "outcomes")
    order = regret.groupby("strategy")["regret"].mean().sort_values().index.tolist()
    colours = palette if palette is not None else make_palette(sorted(order))
    figure = Figure(figsize=(12, 0.45 * len(order) + 1.8), layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    for ax, column, xlabel in (
        (left, "mean", f"outcome per world{_unit(metric_label)}"),
        (right, "regret", f"regret: short of the best strategy in that world{_unit(metric_label)}"),
    ):
        common = {"x": column, "y": "strategy", "order": order, "hue": "strategy",
                  "palette": colours, "ax": ax, "legend": False}  # fmt: skip
        sns.boxplot(regret, **common, showfliers=False, width=0.6, boxprops={"alpha": 0.35})
        sns.stripplot(regret, **common, size=2.5, alpha=0.7)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("")
    right.set_xlim(left=0)
    right.set_title("least mean regret first", fontsize="small")
    return figure


def winners(worlds, x, y, *, palette=None, boxes=None):
    """The worlds on ``x`` and ``y`` coloured by their winner (``worlds``: ``point``, the
    parameters and ``winner``; ``boxes``: ``{strategy: Box}`` drawn where they restrict
    ``x`` or ``y``)."""
    _need(worlds, [x, y, "winner"], "winners")
    names = sorted(worlds["winner"].unique())
    colours = palette if palette is not None else make_palette(names)
    figure = Figure(figsize=(7.5, 6), layout="constrained")
    ax = figure.subplots()
    for name in names:
        own = worlds[worlds["winner"] == name]
        ax.scatter(own[x], own[y], s=18, color=colours.get(name), label=f"{name} ({len(own)})")
    lo_x, hi_x = worlds[x].min(), worlds[x].max()
    lo_y, hi_y = worlds[y].min(), worlds[y].max()
    for name, box in (boxes or {}).items():
        if box is None:
            continue
        limits = box.limits.set_index("parameter")
        if x not in limits.index and y not in limits.index:
            continue
        x0, x1 = (
            (limits.loc[x, "low"], limits.loc[x, "high"]) if x in limits.index else (lo_x, hi_x)
        )
        y0, y1 = (
            (limits.loc[y, "low"], limits.loc[y, "high"]) if y in limits.index else (lo_y, hi_y)
        )
        ax.add_patch(
            Rectangle(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                fill=False,
                linewidth=2,
                edgecolor=colours.get(name),
                linestyle="--",
            )
        )
        ax.annotate(
            f"{name}: coverage {box.coverage:.0%}, density {box.density:.0%}",
            (x0, y1),
            fontsize=7,
            color=colours.get(name),
            va="bottom",
        )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(fontsize="small", title="wins (worlds)", loc="best")
    return figure


def pick_axes(parameters, boxes, strength=None) -> tuple[str, str]:
    """The two uncertainties to draw: those the boxes restrict most often, then the most
    influential (``strength``: a Series by parameter), then the first declared."""
    counts = pd.Series(0.0, index=list(parameters))
    for box in boxes:
        if box is not None:
            for name in box.limits["parameter"]:
                counts[name] += 1
    if strength is not None:
        scale = float(strength.abs().max()) or 1.0
        counts = counts + 0.5 * strength.reindex(counts.index).fillna(0).abs() / scale
    ordered = counts.sort_values(ascending=False, kind="stable").index.tolist()
    return ordered[0], ordered[1] if len(ordered) > 1 else ordered[0]
