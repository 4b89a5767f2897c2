"""The figures across swept parameters: a tidy DataFrame of runs in, a Figure out.

The metric against one swept parameter (:func:`sweep_line`), over two
(:func:`sweep_heatmap`), and which strategy wins where, hatched where the top
two cannot be told apart on paired replications (:func:`winner_map`). The
conventions are :mod:`sim.report.drawing`'s; :mod:`sim.report.figures` gives
these by name too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from sim.report.drawing import colours_for, legend, mean_interval, need, pair_keys

__all__ = ["sweep_heatmap", "sweep_line", "winner_map"]


def sweep_line(runs, parameter, metric, *, palette=None, metric_label=None):
    """The metric against a swept parameter, per strategy (mean and 95 % band)."""
    need(runs, ["strategy", parameter, metric], "sweep_line")
    strategies = list(dict.fromkeys(runs["strategy"]))
    colours = colours_for(palette, strategies)
    fig = Figure(figsize=(6.8, 4.4), layout="constrained")
    ax = fig.subplots()
    for strategy in strategies:
        table = mean_interval(runs[runs["strategy"] == strategy], parameter, metric)
        x = table.index.to_numpy(dtype=float)
        ax.plot(x, table["mean"], marker="o", color=colours[strategy], label=strategy)
        ax.fill_between(x, table["mean"] - table["half"], table["mean"] + table["half"],
                        color=colours[strategy], alpha=0.2, linewidth=0)  # fmt: skip
    ax.set(xlabel=parameter, ylabel=metric_label or metric,
           title=f"{metric_label or metric} against {parameter}")  # fmt: skip
    legend(ax)
    return fig


def _grid(frame, x, y, metric):
    return frame.pivot_table(index=y, columns=x, values=metric, aggfunc="mean").sort_index(
        ascending=False)  # fmt: skip


def sweep_heatmap(runs, x, y, metric, *, metric_label=None):
    """The mean metric over two swept parameters, one panel per strategy, cells annotated."""
    need(runs, ["strategy", x, y, metric], "sweep_heatmap")
    strategies = list(dict.fromkeys(runs["strategy"]))
    grids = {s: _grid(runs[runs["strategy"] == s], x, y, metric) for s in strategies}
    low = min(float(np.nanmin(g.to_numpy())) for g in grids.values())
    high = max(float(np.nanmax(g.to_numpy())) for g in grids.values())
    fig = Figure(figsize=(4.2 * len(strategies) + 1.2, 3.8), layout="constrained")
    axes = fig.subplots(1, len(strategies), squeeze=False)[0]
    mesh = None
    for ax, strategy in zip(axes, strategies, strict=True):
        grid = grids[strategy]
        mesh = ax.pcolormesh(grid.to_numpy(), vmin=low, vmax=high, cmap="viridis")
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            shade = "white" if value < (low + high) / 2 else "black"
            ax.text(j + 0.5, i + 0.5, f"{value:.3g}", ha="center", va="center",
                    fontsize="x-small", color=shade)  # fmt: skip
        ax.set_xticks(np.arange(grid.shape[1]) + 0.5, [f"{v:.3g}" for v in grid.columns])
        ax.set_yticks(np.arange(grid.shape[0]) + 0.5, [f"{v:.3g}" for v in grid.index])
        ax.set(xlabel=x, ylabel=y, title=strategy)
    fig.colorbar(mesh, ax=list(axes), label=metric_label or metric)
    fig.suptitle(f"{metric_label or metric} over {x} and {y}")
    return fig


def _wrapped(name, width=14) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(name).replace("_", " "), width)) or str(name)


def winner_map(runs, x, y, metric, *, palette=None, higher_is_better=True, confidence=0.95,
               metric_label=None):  # fmt: skip
    """Which strategy has the best mean metric in each cell; hatched where the top two tie.

    The top two of a cell are compared on paired replications
    (:func:`sim.compare.paired_differences`); a cell whose interval includes
    0 is hatched and reads "tie". The cells are on ``fig.orgsim_cells``.
    """
    from sim.compare import paired_differences

    pair = pair_keys(runs)
    need(runs, ["strategy", x, y, metric, *pair], "winner_map")
    strategies = list(dict.fromkeys(runs["strategy"]))
    colours = colours_for(palette, strategies)
    xs, ys = sorted(runs[x].unique()), sorted(runs[y].unique())
    cells = []
    for (xv, yv), cell in runs.groupby([x, y], sort=True):
        means = cell.groupby("strategy", sort=False)[metric].mean()
        means = means.sort_values(ascending=not higher_is_better)
        winner = means.index[0]
        runner = means.index[1] if len(means) > 1 else None
        separated = True
        if runner is not None:
            both = cell[cell["strategy"].isin([winner, runner])]
            diff = paired_differences(both, metric, by="strategy", reference=runner,
                                      pair_on=pair, confidence=confidence).iloc[0]  # fmt: skip
            separated = bool(diff["separated"])
        cells.append({"x": xv, "y": yv, "winner": winner, "runner_up": runner,
                      "separated": separated})  # fmt: skip
    table = pd.DataFrame(cells)
    fig = Figure(figsize=(2.2 + 1.5 * len(xs), 2.4 + 0.8 * len(ys)), layout="constrained")
    ax = fig.subplots()
    for cell in table.itertuples(index=False):
        i, j = xs.index(cell.x), ys.index(cell.y)
        ax.add_patch(Rectangle((i, j), 1, 1, facecolor=colours[cell.winner], edgecolor="white",
                               hatch=None if cell.separated else "///"))  # fmt: skip
        label = _wrapped(cell.winner) if cell.separated else "tie"
        ax.text(i + 0.5, j + 0.5, label, ha="center", va="center", fontsize="x-small",
                bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1})  # fmt: skip
    ax.set_xlim(0, len(xs))
    ax.set_ylim(0, len(ys))
    ax.set_xticks(np.arange(len(xs)) + 0.5, [f"{v:.3g}" for v in xs])
    ax.set_yticks(np.arange(len(ys)) + 0.5, [f"{v:.3g}" for v in ys])
    ax.set(xlabel=x, ylabel=y, title=f"Best strategy on {metric_label or metric}")
    winners = list(dict.fromkeys(table["winner"]))
    handles = [Patch(facecolor=colours[s], label=s) for s in winners]
    handles.append(Patch(facecolor="white", edgecolor="0.3", hatch="///",
                         label="top two cannot be told apart"))  # fmt: skip
    fig.legend(handles=handles, fontsize="x-small", loc="outside lower center", ncols=2)
    fig.orgsim_cells = table
    return fig
