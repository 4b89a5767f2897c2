"""Stylised facts of adoption, measured on finished runs (docs/model.md §3, §7).

The model's defaults are fitted to these facts all at once (pattern-oriented
modelling, Grimm et al. 2005): a reading curve whose discrete Bass fit shows
imitation dominating, Rogers' adopter categories, participation inequality
among users, months to half the company reading, and "create" taken up by
people rather than only held by seeds. :data:`TARGETS` holds the acceptance
ranges, :func:`measure` and :func:`measure_mean` the facts of runs,
:func:`check` and :func:`loss` how far they are from the targets.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field

import numpy as np

__all__ = [
    "FIELD",
    "NAN_PENALTY",
    "ROGERS",
    "TARGETS",
    "BassFit",
    "bass_curve",
    "bass_fit",
    "check",
    "loss",
    "measure",
    "measure_mean",
    "measure_runs",
    "participation",
    "people_facts",
    "reach_curve",
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
    # Imitation dominates: meta-analysis q/p ≈ 12.7 (Sultan, Farley & Lehmann 1990).
    "bass_q_over_p": (3.0, math.inf),
    # Rogers (1962/2003) 2.5 % within 5 points, and innovators exist (at least 1 %).
    "rogers_innovators": (0.01, 0.075),
    # Rogers (1962/2003) 13.5 % within 5 points.
    "rogers_early_adopters": (0.085, 0.185),
    # Rogers (1962/2003) 34 % within 5 points.
    "rogers_early_majority": (0.29, 0.39),
    # Rogers (1962/2003) 34 % within 5 points.
    "rogers_late_majority": (0.29, 0.39),
    # Rogers (1962/2003) 16 % within 5 points.
    "rogers_laggards": (0.11, 0.21),
    # "90-9-1" (Nielsen 2006): 9 % of users contribute, within a factor of two.
    "contributors_of_users": (0.05, 0.20),
    # "90-9-1" (Nielsen 2006): 1 % of users create, within a factor of two.
    "creators_of_users": (0.005, 0.02),
    # Months, not days or years, to half the company (Bughin et al., McKinsey surveys).
    "weeks_to_50pct_consume": (8.0, 26.0),
    # Creating is taken up by people, not only held by seeded first movers (docs/model.md §3).
    "organic_creators": (1e-9, 1.0),
}

#: Field figures for enterprise social networks (docs/model.md §7; vendor analytics and press
#: reports, each with its caveat), as ranges of what a run measures at maturity under a
#: supported rollout (the main job's corners with their levers). Shares of the company are
#: *active* shares (people holding the rung: a dashboard's monthly active), except ``reach``.
FIELD = {
    # 30-40 % of staff with access active in a month at maturity (Microsoft's Yammer 2013,
    # SWOOP 2018: KFC Australia ~40 %, Syngenta ~30 %); best-in-class communities ~45 %.
    "active_consume": (0.20, 0.45),
    # 80-85 % of staff access it at some point (SWOOP 2022/23, 97 organizations): at most.
    "reach_consume": (0.0, 0.90),
    # Contributing (comments, replies, reactions) reaches tens of percent of users.
    "contributors_of_users": (0.05, 0.40),
    # Creating stays "90-9-1"-small: 1 % of users within a factor of three.
    "creators_of_users": (0.003, 0.03),
}

#: What :func:`loss` adds for a target whose fact is missing or NaN.
NAN_PENALTY = 10.0


@dataclass(frozen=True)
class BassFit:
    """A discrete Bass fit: ``F[t+1] = F[t] + (p + q F[t] / m) (m - F[t])``.

    ``q_over_p`` is ``q / p`` (inf when ``p == 0``); ``rmse`` is over the fitted weeks.
    """

    p: float
    q: float
    m: float
    rmse: float
    q_over_p: float = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "q_over_p", math.inf if self.p == 0 else self.q / self.p)


def bass_curve(p, q, m, start, length) -> np.ndarray:
    """The discrete Bass recursion of :class:`BassFit` from ``start``: ``length`` weeks."""
    curve = np.empty(length)
    curve[0] = start
    for t in range(length - 1):
        f = curve[t]
        curve[t + 1] = f + (p + q * f / m) * (m - f)
    return curve


#: Starting points (p, q, m) of the fit; m None starts at the curve's top.
_STARTS = ((0.01, 0.3, None), (0.05, 0.05, None), (0.001, 0.8, None), (0.1, 0.0, None),
           (0.01, 0.3, 1.0), (0.003, 1.5, None))  # fmt: skip
_TOL = {"xtol": 1e-12, "ftol": 1e-12, "gtol": 1e-12}


def _bad(name, owner, what, got):
    return ValueError(f"The '{name}' parameter of {owner} must be {what}. Got {got} instead.")


def bass_fit(fraction, *, weeks=None) -> BassFit:
    """Least-squares fit of the discrete Bass recursion to a cumulative curve.

    Parameters
    ----------
    fraction : array-like of float, shape (k,)
        Share of everyone holding the behavior; the first value is given, not
        fitted. At least 4 values.
    weeks : array-like of int, shape (k,), optional
        The week of each value, strictly increasing (default ``0..k-1``). The
        recursion steps one week at a time from the first week and is compared
        on these weeks, so a curve sampled every few weeks, or a stretch of
        one, can be fitted.

    Returns
    -------
    BassFit
        ``p >= 0`` (external influence), ``q >= 0`` (imitation), ``0 < m <= 1``
        (the ceiling), ``q_over_p`` and the root mean squared error.
    """
    from scipy.optimize import least_squares

    f = np.asarray(fraction, dtype=np.float64)
    if f.ndim != 1 or f.shape[0] < 4 or not np.all(np.isfinite(f)):
        raise _bad(
            "fraction", "bass_fit", "a finite 1-D curve of at least 4 weeks", f"shape {f.shape}"
        )
    if weeks is None:
        at = np.arange(f.shape[0])
    else:
        w = np.asarray(weeks)
        if w.shape != f.shape or not np.all(np.isfinite(w)) or np.any(w != np.round(w)):
            what = f"whole numbers, one per value of 'fraction' (shape {f.shape})"
            raise _bad("weeks", "bass_fit", what, repr(w))
        at = w.astype(np.int64)
        if np.any(np.diff(at) <= 0):
            raise _bad("weeks", "bass_fit", "strictly increasing", f"{w!r}")
        at = at - at[0]
    length = int(at[-1]) + 1

    def residual(x):
        with np.errstate(over="ignore", invalid="ignore"):  # unstable steps: large residuals
            curve = bass_curve(x[0], x[1], x[2], f[0], length)[at[1:]]
        return np.nan_to_num(curve - f[1:], nan=1e3, posinf=1e3, neginf=-1e3)

    top = min(max(float(f.max()), 1e-3), 1.0)
    best = None
    # Several starts: the surface has a ridge between external and imitative fits.
    for p0, q0, m0 in _STARTS:
        start = (p0, q0, top if m0 is None else m0)
        fit = least_squares(residual, start, bounds=([0, 0, 1e-6], [1, 10, 1]), **_TOL)
        if best is None or fit.cost < best.cost:
            best = fit
    p, q, m = (float(v) for v in best.x)
    return BassFit(p, q, m, float(np.sqrt(np.mean(best.fun**2))))


def _int_array(values, name, owner):
    a = np.asarray(values)
    if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) and a.dtype != np.bool_):
        raise TypeError(
            f"The '{name}' parameter of {owner} must be a 1-D integer array. "
            f"Got dtype {a.dtype} and shape {a.shape} instead."
        )
    return a


def rogers_categories(adopted_at, *, organic_only=True) -> dict:
    """Shares of Rogers' adopter categories among the people who adopted.

    Adoption weeks are standardised, ``z = (t - mean) / sd`` (population sd):
    innovators ``z < -2``, early adopters ``-2 <= z < -1``, early majority
    ``-1 <= z < 0``, late majority ``0 <= z < 1``, laggards ``z >= 1``. Weeks
    are whole numbers, so everyone who adopted in the same week shares one z
    and falls on the same side of an edge: the shares move in cohorts and
    cannot match Rogers' exactly when a cohort straddles an edge.

    Parameters
    ----------
    adopted_at : int array of shape (n,)
        Week each person first adopted, 0 for first movers, -1 for never.
    organic_only : bool, default True
        Leave out the first movers (week 0), who did not decide.

    Returns
    -------
    dict
        The five shares (fractions summing to 1; all NaN with fewer than two
        adopters or when all adopted the same week) and ``adopters``.
    """
    at = _int_array(adopted_at, "adopted_at", "rogers_categories")
    if not isinstance(organic_only, bool | np.bool_):
        raise TypeError(
            "The 'organic_only' parameter of rogers_categories must be a bool. "
            f"Got {organic_only!r} instead."
        )
    times = (at[at > 0] if organic_only else at[at >= 0]).astype(np.float64)
    shares = dict.fromkeys(ROGERS, math.nan)
    sd = times.std() if times.shape[0] > 1 else 0.0
    if sd > 0:
        z = (times - times.mean()) / sd
        edges = (-np.inf, -2.0, -1.0, 0.0, 1.0, np.inf)
        for k, name in enumerate(ROGERS):
            shares[name] = float(np.mean((z >= edges[k]) & (z < edges[k + 1])))
    return {**shares, "adopters": int(times.shape[0])}


def _rungs(behaviors, owner):
    if isinstance(behaviors, numbers.Integral) and not isinstance(behaviors, bool):
        rungs = int(behaviors)
    elif isinstance(behaviors, list | tuple):
        rungs = len(behaviors)
    else:
        rungs = 0
    if rungs < 1:
        raise _bad(
            "behaviors",
            owner,
            "a non-empty sequence of behavior names (or their number)",
            repr(behaviors),
        )
    return rungs


def participation(stage, behaviors) -> dict:
    """Shares of users (people holding the first rung) by their highest rung: "90-9-1".

    Parameters
    ----------
    stage : int array of shape (n,)
        Rungs each person holds now, 0..len(behaviors).
    behaviors : sequence of str, or int
        The ladder (e.g. ``model.rule.behaviors``), or its number of rungs.

    Returns
    -------
    dict
        ``users`` (count), ``lurkers`` (hold only the first rung),
        ``contributors`` (the second but not the third), ``creators`` (the
        third or higher). NaN without users, and for rungs the ladder lacks.
    """
    s = _int_array(stage, "stage", "participation")
    rungs = _rungs(behaviors, "participation")
    if s.shape[0] and (s.min() < 0 or s.max() > rungs):
        raise _bad(
            "stage",
            "participation",
            f"in the range [0, {rungs}] for a ladder of {rungs}",
            f"values {s.min()}..{s.max()}",
        )
    users = int(np.count_nonzero(s >= 1))
    out = {"users": users}
    for name, low, high in (("lurkers", 1, 1), ("contributors", 2, 2), ("creators", 3, rungs)):
        if users == 0 or low > rungs:
            out[name] = math.nan
        else:
            out[name] = np.count_nonzero((s >= low) & (s <= high)) / users
    return out


def _organic_creators(stage, adopted_at):
    """Creators who adopted after week 0, over all creators; NaN without creators."""
    creators = stage >= 3
    n = np.count_nonzero(creators)
    return np.count_nonzero(creators & (adopted_at > 0)) / n if n else math.nan


def _mean(values):
    """Mean of the values that are not NaN; NaN when none is."""
    values = np.asarray(values, dtype=np.float64)
    kept = values[~np.isnan(values)]
    return float(kept.mean()) if kept.shape[0] else math.nan


def _curves(model):
    table = model.adoption.sort_values("step")
    return {
        b: table.loc[table["behavior"] == b, "fraction"].to_numpy(dtype=np.float64)
        for b in model.rule.behaviors
    }


def people_facts(stage, adopted_at, behaviors) -> dict:
    """The facts one run's people give, as a flat dict (a row of the store's runs).

    Keys ``rogers_<category>`` (:func:`rogers_categories`),
    ``contributors_of_users``, ``creators_of_users`` (:func:`participation`)
    and ``organic_creators`` (creators who were not seeded, over all
    creators). Their means over replications, NaN left out, are what
    :func:`measure_mean` gives; the Bass fit and the weeks to half need only
    the mean curve, which the store's time series holds.
    """
    stage = _int_array(stage, "stage", "people_facts")
    adopted_at = _int_array(adopted_at, "adopted_at", "people_facts")
    rogers = rogers_categories(adopted_at)
    out = {f"rogers_{name}": rogers[name] for name in ROGERS}
    part = participation(stage, behaviors)
    out["contributors_of_users"] = part["contributors"]
    out["creators_of_users"] = part["creators"]
    out["organic_creators"] = _organic_creators(stage, adopted_at)
    return out


def measure(model) -> dict:
    """Every fact of one finished :class:`~sim.model.OrgModel` run, as a flat dict.

    Keys: ``bass_q_over_p`` (also ``bass_p``, ``bass_q``, ``bass_m``,
    ``bass_rmse``), ``rogers_<category>``, ``contributors_of_users``,
    ``creators_of_users``, ``weeks_to_50pct_<first behavior>`` (first week
    its reach is 0.5, NaN if never), ``organic_creators`` and
    ``final_fraction_<behavior>`` for each behavior.
    """
    return measure_mean([model])


def measure_mean(models) -> dict:
    """The facts of replications, as a flat dict with the keys of :func:`measure`.

    The Bass fit and the weeks to 50 % are those of the mean reach curve of the
    first behavior (:func:`reach_curve`: who ever took it up); the other facts
    are means over the runs (a run where a fact is NaN, e.g. without creators,
    is left out of its mean).
    """
    models = list(models)
    if not models:
        raise _bad("models", "measure_mean", "a non-empty sequence of finished runs", "[]")
    behaviors = tuple(models[0].rule.behaviors)
    curves = [_curves(m) for m in models]
    lengths = {len(c[behaviors[0]]) for c in curves}
    if any(tuple(m.rule.behaviors) != behaviors for m in models) or len(lengths) != 1:
        got = f"ladders {[m.rule.behaviors for m in models]}, lengths {sorted(lengths)}"
        raise _bad("models", "measure_mean", "runs of one ladder over the same weeks", got)
    first = behaviors[0]
    # Diffusion is of who ever took the first rung up (its reach), which churn and lapses
    # never lower: the holders' curve falls below it once people drop the habit.
    weeks = len(curves[0][first]) - 1
    mean_curve = np.mean([reach_curve(m.adopted_at, weeks) for m in models], axis=0)
    fit = bass_fit(mean_curve)
    out = {f"bass_{k}": v for k, v in asdict(fit).items()}  # bass_q_over_p, bass_p, ...
    reached = np.flatnonzero(mean_curve >= 0.5)
    out[f"weeks_to_50pct_{first}"] = float(reached[0]) if reached.shape[0] else math.nan
    people = [people_facts(m.stage, m.adopted_at, behaviors) for m in models]
    for name in people[0]:
        out[name] = _mean([p[name] for p in people])
    for b in behaviors:
        out[f"final_fraction_{b}"] = float(np.mean([c[b][-1] for c in curves]))
    return out


def _value(facts, fact):
    value = facts.get(fact)
    return math.nan if value is None else float(value)


def check(facts, targets=TARGETS):
    """A DataFrame of ``fact, value, low, high, met`` for each target.

    A fact is met when ``low <= value <= high``; a missing or NaN fact is not.
    """
    import pandas as pd

    rows = []
    for fact, (low, high) in targets.items():
        value = _value(facts, fact)
        met = bool(not math.isnan(value) and low <= value <= high)
        rows.append({"fact": fact, "value": value, "low": low, "high": high, "met": met})
    return pd.DataFrame(rows, columns=["fact", "value", "low", "high", "met"])


def loss(facts, targets=TARGETS) -> float:
    """How far ``facts`` are from the targets: 0 exactly when every one is met.

    Each fact outside its range adds its squared distance to the range in
    units of the range's width (of its low end when unbounded above or of
    zero width). ``bass_q_over_p`` is compared in log units: ``log(q/p)``
    against ``log(low)``, in units of ``log(low)``. A missing or NaN fact adds
    :data:`NAN_PENALTY`.
    """
    total = 0.0
    for fact, (low, high) in targets.items():
        value = _value(facts, fact)
        if math.isnan(value):
            total += NAN_PENALTY
            continue
        if fact == "bass_q_over_p":
            value = math.log(max(value, 1e-12))
            low, high = math.log(max(low, 1e-12)), math.log(high) if high > 0 else -math.inf
        scale = high - low if math.isfinite(high) and high > low else max(abs(low), 1e-3)
        if value < low:
            total += ((low - value) / scale) ** 2
        elif value > high:
            total += ((value - high) / scale) ** 2
    return total


def reach_curve(adopted_at, weeks) -> np.ndarray:
    """Share of everyone who has ever taken up the first rung by each week 0..``weeks``
    (float64, ``weeks + 1``): the reach, which churn never lowers (``adopted_at`` is the
    week of the first adoption, -1 for never)."""
    when = _int_array(adopted_at, "adopted_at", "reach_curve")
    counts = np.bincount(when[(when >= 0) & (when <= weeks)], minlength=weeks + 1)
    return np.cumsum(counts) / max(when.shape[0], 1)


def measure_runs(runs, behaviors, weeks=None) -> dict:
    """The facts of compiled replications (:class:`sim.engine.organizational.Runs`), as a
    flat dict: the keys of :func:`measure_mean`, with the diffusion facts (Bass fit, weeks
    to half) taken from the mean *reach* curve of the first rung (ever took it up, which
    churn never lowers), and ``active_<behavior>`` (the mean share holding each rung at
    week ``weeks``, by default the last) and ``reach_<behavior>`` for the first rung.
    """
    behaviors = tuple(behaviors)
    last = runs.holders.shape[1] - 1
    weeks = last if weeks is None else int(weeks)
    n = runs.stage.shape[1]
    first = behaviors[0]
    reach = np.mean([reach_curve(a, weeks) for a in runs.adopted_at], axis=0)
    fit = bass_fit(reach)
    out = {f"bass_{k}": v for k, v in asdict(fit).items()}
    reached = np.flatnonzero(reach >= 0.5)
    out[f"weeks_to_50pct_{first}"] = float(reached[0]) if reached.shape[0] else math.nan
    people = [people_facts(s, a, behaviors) for s, a in zip(runs.stage, runs.adopted_at,
                                                               strict=True)]  # fmt: skip
    for name in people[0]:
        out[name] = _mean([p[name] for p in people])
    for b, name in enumerate(behaviors):
        out[f"active_{name}"] = float(runs.holders[:, weeks, b].mean() / n)
    out[f"reach_{first}"] = float(reach[-1])
    return out
