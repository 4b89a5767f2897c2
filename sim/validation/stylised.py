"""The organizational model against the stylised facts its defaults are fitted to.

The defaults are fitted to several facts at once (pattern-oriented modelling,
Grimm et al. 2005): a reading curve whose discrete Bass fit shows imitation
dominating, Rogers' adopter categories, participation inequality among users
("90-9-1"), months to half the company reading, and creating taken up by
people rather than only held by seeds. This edge measures the same facts on a
store's runs (each run's people give Rogers' categories and the participation
shares; the mean reading curve gives the Bass fit and the weeks to half), per
set of replications (a seed), beside :data:`sim.facts.TARGETS` and what the
literature reports, and draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim import facts

__all__ = ["LITERATURE", "figure", "measure", "table"]

#: What the literature reports for each fact, and where from.
LITERATURE = {
    "bass_q_over_p": (12.7, "meta-analysis q/p (Sultan, Farley & Lehmann 1990)"),
    **{f"rogers_{name}": (share, "Rogers (1962/2003)") for name, share in facts.ROGERS.items()},
    "contributors_of_users": (0.09, '"90-9-1" (Nielsen 2006)'),
    "creators_of_users": (0.01, '"90-9-1" (Nielsen 2006)'),
    "weeks_to_50pct_consume": (math.nan, "months, not days or years (Bughin et al., McKinsey)"),
    "organic_creators": (math.nan, "creating is taken up by people, not only by seeds"),
}

_PER_RUN = [f"rogers_{name}" for name in facts.ROGERS] + [
    "contributors_of_users", "creators_of_users", "organic_creators"]  # fmt: skip


def _mean_curve(curves, behavior) -> pd.Series:
    own = curves[curves["behavior"] == behavior]
    return own.groupby("step", sort=True)["fraction"].mean()


def measure(runs, curves) -> pd.DataFrame:
    """The facts per set of replications (a seed): one row per seed.

    ``runs`` and ``curves`` are a store's runs and time series of the
    organizational rule (the per-run facts are columns of its runs). The Bass
    fit and the weeks to half are those of the set's mean reading curve (the
    ladder's first rung), the rest means over its runs: what
    :func:`sim.facts.measure_mean` gives on the same runs.
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
        row[f"weeks_to_50pct_{first}"] = float(reached[0]) if len(reached) else math.nan
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


def _bass_curve(fit, start, weeks):
    curve = np.empty(weeks + 1)
    curve[0] = start
    for t in range(weeks):
        curve[t + 1] = curve[t] + (fit.p + fit.q * curve[t] / fit.m) * (fit.m - curve[t])
    return curve


def figure(measured, curves):
    """Three panels: each set's mean reading curve with its Bass fit; Rogers' categories
    beside his shares; participation among users beside "90-9-1" (log scale)."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(14, 4.4), layout="constrained")
    reading, rogers, voice = figure.subplots(1, 3, width_ratios=[1.2, 1.2, 1])
    first = next(iter(dict.fromkeys(curves["behavior"])))
    colours = sns.color_palette("colorblind", len(measured))
    for colour, row in zip(colours, measured.itertuples(index=False), strict=True):
        curve = _mean_curve(curves[curves["seed"] == row.seed], first)
        fit = facts.BassFit(row.bass_p, row.bass_q, row.bass_m, row.bass_rmse)
        weeks = int(curve.index.max() - curve.index.min())
        fitted = _bass_curve(fit, float(curve.iloc[0]), weeks)
        reading.plot(curve.index, 100 * curve.to_numpy(), "o", markersize=2.5, color=colour,
                     label=f"seed {row.seed}: q/p = {row.bass_q_over_p:.1f}")  # fmt: skip
        reading.plot(curve.index.min() + np.arange(weeks + 1), 100 * fitted, "-", color=colour)
    low, high = facts.TARGETS[f"weeks_to_50pct_{first}"] if first == "consume" else (8, 26)
    reading.axvspan(low, high, color="0.85", zorder=0, label="half the company: 2-6 months")
    reading.axhline(50, color="0.6", linewidth=0.8)
    reading.set_xlabel("week")
    reading.set_ylabel(f"people holding {first!r} (% of everyone)")
    reading.set_title("reading curve (dots) and its discrete Bass fit (line)", fontsize="medium")
    reading.legend(fontsize="small", title="meta-analysis q/p: 12.7", title_fontsize="small")

    names = list(facts.ROGERS)
    x = np.arange(len(names))
    width = 0.8 / len(measured)
    for k, (colour, row) in enumerate(zip(colours, measured.itertuples(index=False), strict=True)):
        values = [100 * getattr(row, f"rogers_{name}") for name in names]
        rogers.bar(x - 0.4 + width * (k + 0.5), values, width, color=colour,
                   label=f"seed {row.seed}")  # fmt: skip
    for i, name in enumerate(names):
        low, high = facts.TARGETS[f"rogers_{name}"]
        rogers.plot([i - 0.45, i + 0.45], [100 * facts.ROGERS[name]] * 2, color="black",
                    linewidth=2, label="Rogers" if i == 0 else None)  # fmt: skip
        rogers.fill_between([i - 0.45, i + 0.45], 100 * low, 100 * high, color="0.85", zorder=0,
                            label="target range" if i == 0 else None)  # fmt: skip
    rogers.set_xticks(x, [n.replace("_", "\n") for n in names], fontsize="small")
    rogers.set_ylabel("adopters who took reading up (%)")
    rogers.set_title("Rogers' adopter categories (by adoption week)", fontsize="medium")
    rogers.legend(fontsize="small")

    shares = {
        "lurkers": (lambda r: 1 - r.contributors_of_users - r.creators_of_users, 0.90, None),
        "contributors": (lambda r: r.contributors_of_users, 0.09, "contributors_of_users"),
        "creators": (lambda r: r.creators_of_users, 0.01, "creators_of_users"),
    }
    x = np.arange(len(shares))
    for k, (colour, row) in enumerate(zip(colours, measured.itertuples(index=False), strict=True)):
        values = [100 * get(row) for get, _, _ in shares.values()]
        voice.bar(x - 0.4 + width * (k + 0.5), values, width, color=colour,
                  label=f"seed {row.seed}")  # fmt: skip
    for i, (_, nielsen, fact) in enumerate(shares.values()):
        voice.plot([i - 0.45, i + 0.45], [100 * nielsen] * 2, color="black", linewidth=2,
                   label='"90-9-1"' if i == 0 else None)  # fmt: skip
        if fact is not None:
            low, high = facts.TARGETS[fact]
            label = "within a factor of two" if i == 1 else None
            voice.fill_between([i - 0.45, i + 0.45], 100 * low, 100 * high, color="0.85",
                               zorder=0, label=label)  # fmt: skip
    voice.set_yscale("log")
    voice.set_xticks(x, list(shares))
    voice.set_ylabel("users by their highest rung (% of users, log scale)")
    voice.set_title("participation inequality", fontsize="medium")
    voice.legend(fontsize="small")
    return figure
