"""Stylised facts of adoption, measured on finished runs (DESIGN §3, §7).

The model's defaults are fitted to these facts all at once (pattern-oriented
modelling, Grimm et al. 2005): a reading curve whose discrete Bass fit shows
imitation dominating, Rogers' adopter categories, participation inequality
among users, and months to half the company reading. :data:`TARGETS` holds
the acceptance ranges, :func:`measure` and :func:`measure_mean` the facts of
runs, :func:`check` and :func:`loss` how far they are from the targets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ROGERS",
    "TARGETS",
    "BassFit",
    "bass_fit",
    "check",
    "loss",
    "measure",
    "measure_mean",
    "participation",
    "rogers_categories",
]

#: Rogers' adopter categories and their shares under a normal law of adoption times.
ROGERS = {
    "innovators": 0.025,
    "early_adopters": 0.135,
    "early_majority": 0.34,
    "late_majority": 0.34,
    "laggards": 0.16,
}

#: Acceptance range of each fact: ``{fact: (low, high)}``, both inclusive.
TARGETS = {
    # Imitation dominates diffusion: q/p averages 12.7 (Sultan, Farley & Lehmann 1990).
    "bass_q_over_p": (3.0, math.inf),
    # Rogers (2003): 2.5 / 13.5 / 34 / 34 / 16 %, each within 5 points; innovators exist.
    "rogers_innovators": (0.01, 0.075),
    "rogers_early_adopters": (0.085, 0.185),
    "rogers_early_majority": (0.29, 0.39),
    "rogers_late_majority": (0.29, 0.39),
    "rogers_laggards": (0.11, 0.21),
    # "90-9-1" among users within a factor of two (Nielsen 2006).
    "contributors_of_users": (0.05, 0.20),
    "creators_of_users": (0.005, 0.02),
    # Social tools spread through a firm over months (Bughin and colleagues, McKinsey).
    "weeks_to_50pct_consume": (8.0, 26.0),
    # Creating is taken up by people, not only held by seeded first movers.
    "organic_creators": (1e-9, 1.0),
}


@dataclass(frozen=True)
class BassFit:
    """A discrete Bass fit: ``F[t+1] = F[t] + (p + q F[t] / m) (m - F[t])``."""

    p: float
    q: float
    m: float
    rmse: float

    @property
    def q_over_p(self) -> float:
        return math.inf if self.p == 0.0 else self.q / self.p


def _bass_curve(p, q, m, start, weeks):
    curve = np.empty(weeks)
    curve[0] = start
    for t in range(weeks - 1):
        f = curve[t]
        curve[t + 1] = f + (p + q * f / m) * (m - f)
    return curve


def bass_fit(fraction) -> BassFit:
    """Least-squares fit of the discrete Bass recursion to a cumulative curve.

    Parameters
    ----------
    fraction : array-like of float, shape (T + 1,)
        Share of everyone holding the behavior in weeks 0..T; week 0 is given,
        not fitted.

    Returns
    -------
    BassFit
        ``p >= 0`` (external influence), ``q >= 0`` (imitation), ``0 < m <= 1``
        (the ceiling), and the root mean squared error.
    """
    from scipy.optimize import least_squares

    f = np.asarray(fraction, dtype=np.float64)
    if f.ndim != 1 or f.shape[0] < 4 or not np.all(np.isfinite(f)):
        raise ValueError(
            f"The 'fraction' parameter of bass_fit must be a finite curve of at least 4 "
            f"weeks. Got shape {f.shape}."
        )

    def residual(x):
        with np.errstate(over="ignore", invalid="ignore"):  # unstable steps: large residuals
            curve = _bass_curve(x[0], x[1], x[2], f[0], f.shape[0])
        return np.nan_to_num(curve - f, nan=1e3, posinf=1e3, neginf=-1e3)

    top = max(float(f.max()), 1e-3)
    best = None
    # Several starts: the surface has a ridge between external and imitative fits.
    for p0, q0 in ((0.01, 0.3), (0.05, 0.05), (0.001, 0.8), (0.1, 0.0)):
        fit = least_squares(residual, (p0, q0, top), bounds=([0, 0, 1e-6], [1, 10, 1]))
        if best is None or fit.cost < best.cost:
            best = fit
    p, q, m = (float(v) for v in best.x)
    return BassFit(p, q, m, float(np.sqrt(np.mean(best.fun**2))))


def rogers_categories(adopted_at, *, organic_only=True) -> dict:
    """Shares of Rogers' adopter categories among the people who adopted.

    Adoption weeks are standardised, ``z = (t - mean) / sd``: innovators
    ``z < -2``, early adopters ``-2 <= z < -1``, early majority ``-1 <= z < 0``,
    late majority ``0 <= z < 1``, laggards ``z >= 1``. Weeks are whole
    numbers, so people who adopted the same week fall in one category.

    Parameters
    ----------
    adopted_at : int array of shape (n,)
        Week each person first adopted, 0 for first movers, -1 for never.
    organic_only : bool, default True
        Leave out the first movers (week 0), who did not decide.
    """
    at = np.asarray(adopted_at)
    times = at[at > 0] if organic_only else at[at >= 0]
    times = times.astype(np.float64)
    shares = dict.fromkeys(ROGERS, math.nan)
    sd = times.std() if times.shape[0] > 1 else 0.0
    if sd > 0:
        z = (times - times.mean()) / sd
        edges = (-np.inf, -2.0, -1.0, 0.0, 1.0, np.inf)
        for k, name in enumerate(ROGERS):
            shares[name] = float(np.mean((z >= edges[k]) & (z < edges[k + 1])))
    return {**shares, "adopters": int(times.shape[0])}


def participation(stage, n_behaviors=3) -> dict:
    """Shares of users (people holding the first rung) by their highest rung.

    ``lurkers`` hold only the first rung, ``contributors`` the second but not
    the third, ``creators`` the third or higher ("90-9-1"). NaN without users,
    and for rungs the ladder does not have.
    """
    stage = np.asarray(stage)
    users = np.count_nonzero(stage >= 1)
    out = {"users": int(users)}
    for name, low, high in (("lurkers", 1, 1), ("contributors", 2, 2), ("creators", 3, 127)):
        if users == 0 or low > n_behaviors:
            out[name] = math.nan
        else:
            out[name] = np.count_nonzero((stage >= low) & (stage <= high)) / users
    return out


def _facts(curves, adopted_at, stages, behaviors):
    """Facts of runs given as lists (one entry per run)."""
    first = behaviors[0]
    mean_curve = np.mean([c[first] for c in curves], axis=0)
    out = {"bass_q_over_p": bass_fit(mean_curve).q_over_p}
    reached = np.flatnonzero(mean_curve >= 0.5)
    out[f"weeks_to_50pct_{first}"] = float(reached[0]) if reached.shape[0] else math.nan
    rogers = [rogers_categories(a) for a in adopted_at]
    for name in ROGERS:
        out[f"rogers_{name}"] = _mean([r[name] for r in rogers])
    parts = [participation(s, len(behaviors)) for s in stages]
    for name in ("contributors", "creators"):
        out[f"{name}_of_users"] = _mean([p[name] for p in parts])
    # Creators among people who were not seeded (adopted after week 0), over all creators.
    organic = [
        np.count_nonzero((s >= 3) & (a > 0)) for s, a in zip(stages, adopted_at, strict=True)
    ]
    creators = sum(np.count_nonzero(s >= 3) for s in stages)
    out["organic_creators"] = sum(organic) / creators if creators else 0.0
    for b in behaviors:
        out[f"final_fraction_{b}"] = float(np.mean([c[b][-1] for c in curves]))
    return out


def _mean(values):
    """Mean of the values that are not NaN; NaN when none is."""
    values = np.asarray(values, dtype=np.float64)
    kept = values[~np.isnan(values)]
    return float(kept.mean()) if kept.shape[0] else math.nan


def _run_parts(model):
    table = model.adoption
    curves = {
        b: table.loc[table["behavior"] == b, "fraction"].to_numpy() for b in model.rule.behaviors
    }
    return curves, np.asarray(model.adopted_at), np.asarray(model.stage)


def measure(model) -> dict:
    """Every fact of one finished :class:`~sim.model.OrgModel` run, as a flat dict."""
    return measure_mean([model])


def measure_mean(models) -> dict:
    """The facts of replications: the Bass fit and weeks to 50 % on the mean curve,
    the other facts averaged over the runs."""
    models = list(models)
    if not models:
        raise ValueError("measure_mean needs at least one finished run.")
    parts = [_run_parts(m) for m in models]
    curves, adopted_at, stages = (list(p) for p in zip(*parts, strict=True))
    return _facts(curves, adopted_at, stages, models[0].rule.behaviors)


def check(facts, targets=None):
    """A table of ``fact, value, low, high, met`` for each target (NaN is not met)."""
    import pandas as pd

    targets = TARGETS if targets is None else targets
    rows = []
    for fact, (low, high) in targets.items():
        value = facts.get(fact, math.nan)
        met = bool(not math.isnan(value) and low <= value <= high)
        rows.append({"fact": fact, "value": value, "low": low, "high": high, "met": met})
    return pd.DataFrame(rows)


def loss(facts, targets=None) -> float:
    """How far ``facts`` are from the targets: 0 exactly when every one is met.

    Each fact outside its range adds its squared distance to the range in
    units of the range's width (of its low end when unbounded above; for the
    Bass ratio, in log units). A missing or NaN fact adds 10.
    """
    targets = TARGETS if targets is None else targets
    total = 0.0
    for fact, (low, high) in targets.items():
        value = facts.get(fact, math.nan)
        if value is None or math.isnan(value):
            total += 10.0
            continue
        if fact == "bass_q_over_p":
            value, low = math.log(max(value, 1e-9)), math.log(low)
            high = math.inf
        scale = (high - low) if math.isfinite(high) and high > low else max(abs(low), 1e-3)
        if value < low:
            total += ((low - value) / scale) ** 2
        elif value > high:
            total += ((value - high) / scale) ** 2
    return total
