"""Bass (1969): adoption from innovation (p) and imitation (q), against its two forms.

orgsim's Bass rule gives each non-adopter a weekly hazard ``p + q * share``,
the share of adopters last week: among everyone when well mixed, among one's
ties on a network. Well mixed, its expected curve is the discrete recursion
``F(t+1) = F(t) + (1 - F(t)) (p + q F(t))``; the continuous closed form
``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})`` differs from it by a
step's worth of compounding (0.783 against 0.813 at t = 10 for the
meta-analysis coefficients p = 0.03, q = 0.38).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["closed_form", "compare", "figure", "recursion"]


def recursion(p, q, weeks) -> np.ndarray:
    """The discrete Bass recursion, ``F(0) = 0`` to ``F(weeks)``."""
    share = np.zeros(weeks + 1)
    for t in range(weeks):
        share[t + 1] = share[t] + (1 - share[t]) * (p + q * share[t])
    return share


def closed_form(p, q, t) -> np.ndarray:
    """The continuous Bass curve at times ``t``."""
    t = np.asarray(t, dtype=np.float64)
    decay = np.exp(-(p + q) * t)
    return (1 - decay) / (1 + q / p * decay)


def compare(curves, p, q, by) -> pd.DataFrame:
    """Per variant (``by`` columns) and week: the mean share over runs, the recursion and
    the closed form. ``curves``: one row per run and week (``step``, ``fraction``)."""
    mean = curves.groupby([*by, "step"], sort=True)["fraction"].mean().reset_index()
    weeks = int(mean["step"].max())
    mean["recursion"] = recursion(p, q, weeks)[mean["step"].to_numpy()]
    mean["closed_form"] = closed_form(p, q, mean["step"].to_numpy())
    return mean


def figure(table, by, p, q):
    """Mean adoption per variant against the recursion and the closed form."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.8), layout="constrained")
    ax = figure.subplots()
    variants = table[by].drop_duplicates().to_dict("records")
    colours = sns.color_palette("colorblind", len(variants))
    for colour, where in zip(colours, variants, strict=True):
        own = table
        for key, value in where.items():
            own = own[own[key] == value]
        label = ", ".join(f"{k}={v}" for k, v in where.items())
        ax.plot(own["step"], 100 * own["fraction"], "o", ms=3, color=colour, label=label)
    first = table[table["step"].duplicated(keep="first") == False]  # noqa: E712
    ax.plot(first["step"], 100 * first["recursion"], "-", color="black",
            label="discrete recursion")  # fmt: skip
    ax.plot(first["step"], 100 * first["closed_form"], "--", color="grey",
            label="continuous closed form")  # fmt: skip
    ax.set_xlabel("week")
    ax.set_ylabel("adopters (% of people)")
    ax.set_title(f"Bass, p = {p:g}, q = {q:g}", fontsize="small")
    ax.legend(fontsize="small")
    return figure
