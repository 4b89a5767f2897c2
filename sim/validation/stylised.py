"""The organizational model against the stylised facts its defaults are fitted to.

The defaults are fitted to several facts at once (pattern-oriented modelling,
Grimm et al. 2005): a reach curve (who ever read) whose discrete Bass fit shows imitation
dominating, Rogers' adopter categories, participation inequality among users
("90-9-1"), months to half the company reading, and creating taken up by
people rather than only held by seeds. This edge measures the same facts on a
store's runs (each run's people give Rogers' categories and the participation
shares; the mean reach curve gives the Bass fit and the weeks to half), per
set of replications (a seed), beside :data:`sim.facts.TARGETS` and what the
literature reports, and draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim import facts
from sim.metrics import entry

__all__ = ["LITERATURE", "figure", "measure", "table"]

#: Rogers' adopter categories, one column each, and the weeks until half the company holds
#: the ladder's first rung.
_ROGERS, _HALF = entry("rogers_<category>"), entry("weeks_to_50pct_<b>")

#: What the literature reports for each fact, and where from.
LITERATURE = {
    "bass_q_over_p": (12.7, "meta-analysis q/p (Sultan, Farley & Lehmann 1990)"),
    **{_ROGERS.name(name): (share, "Rogers (1962/2003)") for name, share in facts.ROGERS.items()},
    "lurkers_of_users": (0.90, '"90-9-1" (Nielsen 2006)'),  # drawn, not a target
    "contributors_of_users": (0.09, '"90-9-1" (Nielsen 2006)'),
    "creators_of_users": (0.01, '"90-9-1" (Nielsen 2006)'),
    "weeks_to_50pct_consume": (math.nan, "months, not days or years (Bughin et al., McKinsey)"),
    "organic_creators": (math.nan, "creating is taken up by people, not only by seeds"),
}

_PER_RUN = [_ROGERS.name(name) for name in facts.ROGERS] + [
    "contributors_of_users", "creators_of_users", "organic_creators"]  # fmt: skip


def _mean_curve(curves, behavior) -> pd.Series:
    """The mean reach of ``behavior`` by week: who ever held it (churn never lowers it; the
    store's ``reach``), or who holds it (``fraction``) in a store written before ``reach``."""
    own = curves[curves["behavior"] == behavior]
    column = "reach" if "reach" in own and own["reach"].notna().any() else "fraction"
    return own.groupby("step", sort=True)[column].mean()


def measure(runs, curves) -> pd.DataFrame:
    """The facts per set of replications (a seed): one row per seed.

    ``runs`` and ``curves`` are a store's runs and time series of the
    organizational rule (the per-run facts are columns of its runs). The Bass
    fit and the weeks to half are those of the set's mean reach curve (who ever
    read: the ladder's first rung), the rest means over its runs: what
    :func:`sim.facts.measure_runs` gives on the same runs.
    """
    first = next(iter(dict.fromkeys(curves["behavior"])))
    rows = []
    for seed, own in runs.groupby("seed", sort=True):
        mine = curves[
            curves["config_hash"].isin(set(own["config_hash"])) & (curves["seed"] == seed)
        ]
        curve = _mean_curve(mine, first)
        fit = facts.bass_fit(curve.to_numpy(), weeks=curve.index.to_numpy())
        row = {"seed": int(seed), "replications": len(own)}
        row.update({f"bass_{k}": getattr(fit, k) for k in ("p", "q", "m", "rmse", "q_over_p")})
        reached = curve.index[curve.to_numpy() >= 0.5]
        row[_HALF.name(first)] = float(reached[0]) if len(reached) else math.nan
        for column in _PER_RUN:
            row[column] = float(own[column].mean()) if column in own else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def table(measured) -> pd.DataFrame:
    """One row per fact of :data:`sim.facts.TARGETS`: what the literature says, the target
    range, each set's value and whether every set meets it (the README's table)."""
    rows = []
    for fact, (low, high) in facts.TARGETS.items():
        value, source = LITERATURE.get(fact, (math.nan, ""))
        row = {"fact": fact, "literature": value, "source": source, "low": low, "high": high}
        values = measured[fact] if fact in measured else pd.Series(math.nan, measured.index)
        for seed, got in zip(measured["seed"], values, strict=True):
            row[f"seed {seed}"] = got
        row["met"] = bool(values.between(low, high).all())
        rows.append(row)
    return pd.DataFrame(rows)


def _beside(ax, measured, colours, facts_shown, literature, ranged):
    """One bar per set for each fact (a column of ``measured``, labelled by the name
    ``facts_shown`` maps it to), the literature as a black line, the target range shaded."""
    x = np.arange(len(facts_shown))
    width = 0.8 / len(measured)
    for k, (colour, (_, row)) in enumerate(zip(colours, measured.iterrows(), strict=True)):
        values = [100 * row[fact] for fact in facts_shown]
        ax.bar(x - 0.4 + width * (k + 0.5), values, width, color=colour,
               label=f"seed {row['seed']:.0f}")  # fmt: skip
    shaded = False
    for i, fact in enumerate(facts_shown):
        ax.plot([i - 0.45, i + 0.45], [100 * LITERATURE[fact][0]] * 2, color="black",
                linewidth=2, label=literature if i == 0 else None)  # fmt: skip
        if fact in facts.TARGETS:
            low, high = facts.TARGETS[fact]
            ax.fill_between([i - 0.45, i + 0.45], 100 * low, 100 * high, color="0.85", zorder=0,
                            label=None if shaded else ranged)  # fmt: skip
            shaded = True
    ax.set_xticks(x, [label.replace("_", "\n") for label in facts_shown.values()],
                  fontsize="small")  # fmt: skip
    ax.legend(fontsize="small")


def figure(measured, curves):
    """Three panels: each set's mean reach curve with its Bass fit; Rogers' categories
    beside his shares; participation among users beside "90-9-1" (log scale)."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(14, 4.4), layout="constrained")
    reading, rogers, voice = figure.subplots(1, 3, width_ratios=[1.2, 1.2, 1])
    first = next(iter(dict.fromkeys(curves["behavior"])))
    colours = sns.color_palette("colorblind", len(measured))
    for colour, row in zip(colours, measured.itertuples(index=False), strict=True):
        curve = _mean_curve(curves[curves["seed"] == row.seed], first)
        weeks = int(curve.index.max() - curve.index.min()) + 1
        fitted = facts.bass_curve(row.bass_p, row.bass_q, row.bass_m, float(curve.iloc[0]), weeks)
        reading.plot(curve.index, 100 * curve.to_numpy(), "o", markersize=2.5, color=colour,
                     label=f"seed {row.seed}: q/p = {row.bass_q_over_p:.1f}")  # fmt: skip
        reading.plot(curve.index.min() + np.arange(weeks), 100 * fitted, "-", color=colour)
    target = facts.TARGETS.get(_HALF.name(first))
    if target is not None:  # the facts' ladder: half the company reading within months
        reading.axvspan(*target, color="0.85", zorder=0,
                        label=f"target: half in weeks {target[0]:g}-{target[1]:g}")  # fmt: skip
    reading.axhline(50, color="0.6", linewidth=0.8)
    reading.set_xlabel("week")
    reading.set_ylabel(f"people who ever held {first!r} (% of everyone)")
    reading.set_title("reach (dots) and its discrete Bass fit (line)", fontsize="medium")
    reading.legend(
        fontsize="small",
        title=f"meta-analysis q/p: {LITERATURE['bass_q_over_p'][0]:g}",
        title_fontsize="small",
    )

    shown = {f"rogers_{name}": name for name in facts.ROGERS}
    _beside(rogers, measured, colours, shown, "Rogers", "target range")
    rogers.set_ylabel("adopters who took reading up (%)")
    rogers.set_title("Rogers' adopter categories (by adoption week)", fontsize="medium")

    users = measured.assign(
        lurkers_of_users=1 - measured["contributors_of_users"] - measured["creators_of_users"]
    )
    shown = {f"{name}_of_users": name for name in ("lurkers", "contributors", "creators")}
    _beside(voice, users, colours, shown, '"90-9-1"', "within a factor of two")
    voice.set_yscale("log")
    voice.set_ylabel("users by their highest rung (% of users, log scale)")
    voice.set_title("participation inequality", fontsize="medium")
    return figure
