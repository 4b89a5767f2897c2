"""The classroom's pictures: the org chart (or informal network) and the curves.

Sized for a projector: figures are drawn at the pixels the page gives them at
1024×768 (:data:`DPI`), people are dots of at least :data:`MIN_PX` pixels, and a
company too large for that is drawn by team (each team a block of its people's
rungs), beyond :data:`MAX_DRAWN` by unit. The curves show each side's mean over
its replications and their range, so that a class does not read one run's noise
as an effect.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from matplotlib.figure import Figure

from sim.app.layout import layout, network_layout, teams

__all__ = ["DPI", "MAX_DRAWN", "MIN_PX", "RUNG_COLOURS", "RUNG_NAMES", "chart", "curves", "png"]

#: Rung colours: no access / access, reading, contributing, creating.
RUNG_COLOURS = np.array([[0.82, 0.82, 0.82, 1.0], [0.55, 0.75, 0.95, 1.0],
                         [0.95, 0.65, 0.25, 1.0], [0.80, 0.15, 0.35, 1.0]])  # fmt: skip
#: What the rungs are called in the classroom (the ladder's consume, contribute, create).
RUNG_NAMES = ["not yet", "reading", "contributing", "creating"]
#: Beyond this many people the chart shows units, not people.
MAX_DRAWN = 2000
#: The smallest dot (pixels) a person is drawn with; smaller, the chart shows teams.
MIN_PX = 7.0
DPI = 100
FONT = 11


def _figure(width_px, height_px):
    return Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)


def _points2(px):
    """A scatter size (points squared) for a dot ``px`` pixels across."""
    return (px * 72.0 / DPI) ** 2


def _stage(model):
    return np.clip(np.asarray(model.stage), 0, 3)


def _spacing(x, y, width_px, height_px, levels):
    """The pixels between neighbouring people on the org chart (across, down)."""
    across = np.inf
    for row in np.unique(y):
        xs = np.sort(x[y == row])
        if xs.shape[0] > 1:
            across = min(across, float(np.diff(xs).min()) * width_px)
    rows = np.unique(y)
    down = float(np.diff(rows).min()) * height_px / (levels + 0.4) if rows.shape[0] > 1 else np.inf
    return min(across, down)


def chart(model, title, view="org chart", width_px=700, height_px=320):
    """The company at this week: people (or teams, or units) coloured by rung."""
    if model.org.n > MAX_DRAWN:
        return _units_chart(model, title, width_px, height_px)
    if view == "informal network":
        return _network_chart(model, title, width_px, height_px)
    x, y = layout(model.org)
    levels = int(np.asarray(model.org.level).max()) + 1
    fig = _figure(width_px, height_px)
    # Fixed margins, not a layout engine: a week's redraw must stay cheap.
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 30 / height_px, bottom=0.02)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set(xlim=(0, 1), ylim=(-(levels - 0.5) - 0.3, 0.6))
    plot_h = height_px * (1 - 30 / height_px - 0.02)
    gap = _spacing(x, y, width_px * 0.98, plot_h, levels - 1)
    if gap * 0.85 >= MIN_PX:
        size = min(gap * 0.85, 22.0)
        ax.scatter(x, -y, c=RUNG_COLOURS[_stage(model)], s=_points2(size), linewidths=0,
                   gid="people")  # fmt: skip
        for marked, style in ((model.champions, "*"), (model.leaders, "^")):
            if len(marked):
                ax.scatter(x[marked], -y[marked], facecolors="none", edgecolors="black",
                           s=_points2(size * 1.6), marker=style, linewidths=0.8)  # fmt: skip
        what = "people"
    else:
        _team_blocks(ax, model, x)
        what = "teams"
    if model.pilot_units:
        pilot = np.isin(model.org.unit, model.pilot_units)
        ax.scatter(x[pilot], -np.floor(y[pilot]) + 0.45, c="tab:green", s=_points2(4),
                   marker="s", linewidths=0)  # fmt: skip
    ax.set_title(f"{title} · {what}", fontsize=FONT, loc="left")
    return fig


def _team_blocks(ax, model, x):
    """Each team (a manager's direct reports) as a block as wide as the team is large,
    stacked by rung, in its level's row, in the org chart's order."""
    team, count = teams(model.org)
    level = np.asarray(model.org.level)
    size = np.bincount(team, minlength=count).astype(float)
    rungs = np.zeros((count, 4))
    np.add.at(rungs, (team, _stage(model)), 1)
    where = np.bincount(team, weights=x, minlength=count) / np.maximum(size, 1)
    team_level = np.zeros(count, dtype=np.int64)
    team_level[team] = level
    left, width = np.zeros(count), np.zeros(count)
    for lv in np.unique(team_level):
        members = np.flatnonzero(team_level == lv)
        members = members[np.argsort(where[members], kind="stable")]
        share = size[members] / size[members].sum()
        # A small gap between teams, unless they are too many to tell apart anyway.
        pad = 0.002 if members.shape[0] < 150 else 0.0
        left[members] = np.concatenate([[0.0], np.cumsum(share)[:-1]]) + pad / 2
        width[members] = np.maximum(share - pad, share * 0.5)
    bottom = -team_level - 0.4
    for rung in (3, 2, 1, 0):
        height = 0.8 * rungs[:, rung] / np.maximum(size, 1)
        ax.bar(left, height, width=width, bottom=bottom, align="edge", linewidth=0,
               color=RUNG_COLOURS[rung], gid="teams")  # fmt: skip
        bottom = bottom + height


def _units_chart(model, title, width_px, height_px):
    """Beyond :data:`MAX_DRAWN` people: each unit's share on each rung, as stacked bars."""
    stage = _stage(model)
    unit = np.asarray(model.org.unit)
    names = list(model.org.unit_names)
    counts = np.zeros((len(names), 4))
    np.add.at(counts, (unit, stage), 1)
    shares = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    order = np.argsort(-counts.sum(axis=1))[:20]
    fig = _figure(width_px, height_px)
    fig.subplots_adjust(left=0.22, right=0.98, top=1 - 30 / height_px, bottom=0.14)
    ax = fig.subplots()
    left = np.zeros(len(order))
    for rung in (3, 2, 1, 0):
        ax.barh(np.arange(len(order)), shares[order, rung], left=left, color=RUNG_COLOURS[rung])
        left += shares[order, rung]
    ax.set_yticks(np.arange(len(order)), [names[i] for i in order], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("% of the unit", fontsize=FONT)
    ax.set_title(f"{title} (by unit: more than {MAX_DRAWN:,} people)", fontsize=FONT,
                 loc="left")  # fmt: skip
    return fig


def _network_chart(model, title, width_px, height_px):
    """The informal network: people placed by their ties (layout once per company)."""
    from matplotlib.collections import LineCollection

    x, y, ties = network_layout(model.org)
    fig = _figure(width_px, height_px)
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 30 / height_px, bottom=0.01)
    ax = fig.subplots()
    segments = np.stack([np.stack([x[ties[:, 0]], y[ties[:, 0]]], axis=1),
                         np.stack([x[ties[:, 1]], y[ties[:, 1]]], axis=1)], axis=1)  # fmt: skip
    ax.add_collection(LineCollection(segments, colors=(0.6, 0.6, 0.6, 0.15), linewidths=0.4))
    stage = _stage(model)
    if model.org.n <= 500:
        size = 9.0 if model.org.n > 200 else 12.0
        ax.scatter(x, y, c=RUNG_COLOURS[stage], s=_points2(size), linewidths=0, gid="people")
        what = "people"
    else:  # too many to see one by one: a team at its people's centre, its most common rung
        team, count = teams(model.org)
        size = np.bincount(team, minlength=count).astype(float)
        rungs = np.zeros((count, 4))
        np.add.at(rungs, (team, stage), 1)
        cx = np.bincount(team, weights=x, minlength=count) / np.maximum(size, 1)
        cy = np.bincount(team, weights=y, minlength=count) / np.maximum(size, 1)
        diameter = np.clip(MIN_PX + 2 * np.sqrt(size), MIN_PX, 30)
        ax.scatter(cx, cy, c=RUNG_COLOURS[rungs.argmax(axis=1)], s=_points2(diameter),
                   linewidths=0.5, edgecolors="white", gid="teams")  # fmt: skip
        what = "teams, by their most common rung"
    ax.set_title(f"{title} · informal network · {what}", fontsize=FONT, loc="left")
    ax.set_axis_off()
    return fig


def _shares(model):
    """``[(weeks, % of the company)]`` per rung, from the model's adoption table."""
    table = model.adoption
    names = table["behavior"].to_numpy()
    steps, fraction = table["step"].to_numpy(), table["fraction"].to_numpy()
    return [(steps[names == b], 100 * fraction[names == b]) for b in dict.fromkeys(names)]


def _band(models):
    """``(weeks, mean, low, high)`` per rung over a side's replications."""
    runs = [_shares(m) for m in models]
    out = []
    for k in range(len(runs[0])):
        weeks = runs[0][k][0]
        values = np.stack([run[k][1] for run in runs])
        out.append((weeks, values.mean(axis=0), values.min(axis=0), values.max(axis=0), values))
    return out


def _rung_name(k):
    return RUNG_NAMES[k + 1] if k + 1 < len(RUNG_NAMES) else f"rung {k + 1}"


def curves(sides, names, steps=52, width_px=700, height_px=250):
    """Adoption over the weeks: each side's mean over its replications (line) and range
    (band); with two sides, their paired difference (left minus right) beside it."""
    fig = _figure(width_px, height_px)
    race = len(sides) == 2
    fig.subplots_adjust(left=0.08, right=0.99, top=0.88, bottom=0.18, wspace=0.25)
    axes = fig.subplots(1, 2 if race else 1, squeeze=False)[0]
    bands = [_band(models) for models in sides]
    for band, style in zip(bands, ("-", "--"), strict=False):
        for k, (weeks, mean, low, high, _) in enumerate(band):
            axes[0].plot(weeks, mean, style, color=RUNG_COLOURS[k + 1], lw=2,
                         label=_rung_name(k) if style == "-" else None)  # fmt: skip
            if len(sides[0]) > 1:
                axes[0].fill_between(weeks, low, high, color=RUNG_COLOURS[k + 1], alpha=0.2,
                                     linewidth=0)  # fmt: skip
    if race:  # the line style says the side
        for style, name in zip(("-", "--"), names, strict=True):
            axes[0].plot([], [], style, color="0.3", label=name)
    runs = len(sides[0])
    spread = f" (mean of {runs} runs, range)" if runs > 1 else ""
    axes[0].set_title(f"% of the company{spread}", fontsize=FONT, loc="left")
    axes[0].set(xlim=(0, steps), ylim=(0, 100))
    axes[0].set_xlabel("week", fontsize=FONT)
    axes[0].legend(fontsize=8, loc="upper left")
    if race:
        ax = axes[1]
        for k, ((weeks, _, _, _, a), (_, _, _, _, b)) in enumerate(zip(*bands, strict=True)):
            paired = a - b  # replication r of both sides meets the same people and draws
            ax.plot(weeks, paired.mean(axis=0), color=RUNG_COLOURS[k + 1], label=_rung_name(k),
                    lw=2)  # fmt: skip
            ax.fill_between(weeks, paired.min(axis=0), paired.max(axis=0),
                            color=RUNG_COLOURS[k + 1], alpha=0.2, linewidth=0)  # fmt: skip
        ax.axhline(0, color="0.4", linewidth=0.8)
        ax.set_xlim(0, steps)
        ax.set_xlabel("week", fontsize=FONT)
        ax.set_title(f"{names[0]} minus {names[1]}", fontsize=FONT, loc="left")
        ax.set_ylabel("points", fontsize=9)
        ax.legend(fontsize=8, loc="upper left")
    return fig


def drawn(fig) -> str:
    """What the curves show, read back from the figure's own artists (the image's alt)."""
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    week = max((int(line.get_xdata()[-1]) for line in ax.get_lines() if len(line.get_xdata())),
               default=0)  # fmt: skip
    return f"curves to week {week}: " + "; ".join(labels)


def png(fig, classes, alt) -> str:
    """The figure as an ``<img>`` that fills its column's width (HTML)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f'<img class="{classes}" alt="{html.escape(alt)}" style="width:100%;height:auto;'
            f'display:block" src="data:image/png;base64,{data}">')  # fmt: skip
