"""The arithmetic of a pilot's calibration and forecast, arrays and frames in and out.

:func:`distance` is how far simulated analytics are from a pilot's; :func:`compare` what the
pilot narrowed (prior against posterior, per parameter); :func:`bands` a forecast's quantiles
across the posterior; :func:`verdict` which candidate is best in how many plausible models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibrate.abc import CalibrationError, weighted_interval

__all__ = [
    "bands",
    "check_table",
    "compare",
    "distance",
    "forecast_table",
    "scores",
    "shares",
    "verdict",
]

#: A rung's scale is its observed mean share, at least this (so a rung nobody holds yet
#: weighs like one a percent of people hold, not infinitely).
FLOOR = 0.01
#: The quantiles of a forecast's bands: the 90 % and the 50 % bands and the median.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def distance(simulated, observed, headcount) -> float:
    """How far simulated counts are from observed ones, both (weeks, units, rungs) with NaN
    where unobserved: for each rung the root mean squared error of the units' shares, each
    unit weighted by its headcount, relative to the rung's observed mean share; summed over
    rungs (so creating, which few hold, weighs as much as reading)."""
    simulated = np.asarray(simulated, dtype=float)
    observed = np.asarray(observed, dtype=float)
    people = np.maximum(np.asarray(headcount, dtype=float), 1.0)
    seen = ~np.isnan(observed[..., 0])
    weight = np.where(seen, people[None, :], 0.0)
    if weight.sum() == 0:
        raise CalibrationError("the pilot's file observes no unit in any week")
    total = 0.0
    for b in range(observed.shape[2]):
        obs = np.where(seen, observed[..., b] / people[None, :], 0.0)
        sim = simulated[..., b] / people[None, :]
        mse = float(np.sum(weight * (sim - obs) ** 2) / weight.sum())
        scale = max(float(np.sum(weight * obs) / weight.sum()), FLOOR)
        total += np.sqrt(mse) / scale
    return total


def compare(prior, posterior, names, level=0.9) -> pd.DataFrame:
    """Per parameter: the prior's and the posterior's weighted median and central ``level``
    interval, and ``narrowed``: the share of the prior interval's width the data removed (0:
    the pilot says nothing of it; 1: it pins it). Both samples carry ``weight``."""
    rows = []
    for name in names:
        row = {"parameter": name}
        for label, sample in (("prior", prior), ("posterior", posterior)):
            values = sample[name].to_numpy(dtype=float)
            weights = sample["weight"].to_numpy(dtype=float)
            low, high = weighted_interval(values, weights, level)
            row[f"{label}_median"] = float(np.quantile(values, 0.5, weights=weights,
                                                       method="inverted_cdf"))  # fmt: skip
            row[f"{label}_low"], row[f"{label}_high"] = low, high
        width = row["prior_high"] - row["prior_low"]
        kept = (row["posterior_high"] - row["posterior_low"]) / width if width > 0 else 1.0
        row["narrowed"] = float(np.clip(1 - kept, 0.0, 1.0))
        rows.append(row)
    return pd.DataFrame(rows)


def bands(values, axis=0) -> dict:
    """``{"q05": ..., "q25": ..., "median": ..., "q75": ..., "q95": ...}`` of ``values``
    along ``axis`` (the posterior's particles and replications)."""
    found = np.quantile(np.asarray(values, dtype=float), QUANTILES, axis=axis)
    return dict(zip(("q05", "q25", "median", "q75", "q95"), found, strict=True))


def verdict(scores: pd.DataFrame, level=0.9) -> pd.DataFrame:
    """Which candidate is best in how many plausible models.

    ``scores``: one row per model (a posterior particle, its replications averaged) and a
    column per candidate (higher better), common random numbers across a row. Returns per
    candidate ``p_best`` (ties split), its mean, and its lead over the best of the others in
    the same model: mean and central ``level`` band across models."""
    values = scores.to_numpy(dtype=float)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] < 1:
        raise CalibrationError("verdict: need one row per model and a column per candidate")
    best = values.max(axis=1, keepdims=True)
    winners = np.isclose(values, best, rtol=0, atol=1e-12)
    p_best = (winners / winners.sum(axis=1, keepdims=True)).mean(axis=0)
    rows = []
    for j, name in enumerate(scores.columns):
        others = np.delete(values, j, axis=1)
        lead = values[:, j] - (others.max(axis=1) if others.shape[1] else 0.0)
        low, high = np.quantile(lead, [(1 - level) / 2, (1 + level) / 2])
        rows.append({"candidate": name, "p_best": float(p_best[j]),
                     "mean": float(values[:, j].mean()), "lead": float(lead.mean()),
                     "lead_low": float(low), "lead_high": float(high)})  # fmt: skip
    return pd.DataFrame(rows).sort_values("p_best", ascending=False, ignore_index=True)


def check_table(pilot, predicted) -> pd.DataFrame:
    """The posterior predictive check of a pilot's own curves: per observed week, unit and
    rung, the observed share and the bands of ``predicted`` (particles, weeks, units, rungs
    of counts) as shares of the unit; ``inside``: the observation within the 90 % band."""
    from sim.calibrate.pilot import RUNGS

    people = np.maximum(pilot.headcount, 1).astype(float)
    found = bands(np.asarray(predicted, dtype=float) / people[None, None, :, None])
    rows = []
    for t, week in enumerate(pilot.weeks):
        for u, unit in enumerate(pilot.units):
            if np.isnan(pilot.counts[t, u, 0]):
                continue
            for b, rung in enumerate(RUNGS):
                share = pilot.counts[t, u, b] / people[u]
                row = {k: float(v[t, u, b]) for k, v in found.items()}
                rows.append({"week": int(week), "unit": unit, "rung": rung, "observed": share,
                             **row, "inside": bool(row["q05"] <= share <= row["q95"])})  # fmt: skip
    return pd.DataFrame(rows)


def shares(runs, units, headcount) -> np.ndarray:
    """People holding each rung in ``units`` (bool mask over the org's units) as a share of
    their people: ``runs`` (..., weeks, rungs, units) -> (..., weeks, rungs)."""
    mask = np.asarray(units, dtype=bool)
    people = float(np.asarray(headcount)[mask].sum())
    return np.asarray(runs)[..., mask].sum(axis=-1) / max(people, 1.0)


def forecast_table(runs, candidates, scopes, headcount, rungs) -> pd.DataFrame:
    """Per candidate, scope (``{name: unit mask}``), week and rung, the bands of the share
    holding the rung across the posterior's particles and replications. ``runs``: (particles,
    candidates, replications, weeks + 1, rungs, units)."""
    runs = np.asarray(runs)
    rows = []
    for scope, mask in scopes.items():
        share = shares(runs, mask, headcount)  # (K, C, R, W + 1, B)
        flat = share.transpose(1, 0, 2, 3, 4).reshape(share.shape[1], -1, *share.shape[3:])
        for c, candidate in enumerate(candidates):
            found = bands(flat[c])  # (W + 1, B) each
            for week in range(flat.shape[2]):
                for b, rung in enumerate(rungs):
                    rows.append({"candidate": candidate, "scope": scope, "week": week,
                                 "rung": rung,
                                 **{k: float(v[week, b]) for k, v in found.items()}})  # fmt: skip
    return pd.DataFrame(rows)


def scores(runs, candidates, headcount, after, rung=1) -> pd.DataFrame:
    """Per particle (a row) and candidate (a column): the company's ``rung``-weeks after
    week ``after`` (the sum over those weeks of the share holding it: contributing-weeks
    for rung 1), averaged over replications."""
    share = shares(runs, np.ones(len(headcount), dtype=bool), headcount)  # (K, C, R, W+1, B)
    total = share[:, :, :, after + 1 :, rung].sum(axis=3).mean(axis=2)
    return pd.DataFrame(total, columns=list(candidates))
