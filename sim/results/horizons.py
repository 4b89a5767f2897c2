"""The verdict at other horizons: who is best at 26, 52 and 104 weeks, and any flip.

A verdict by contributor-weeks (a share summed over the weeks) rewards reaching people
early; a verdict by the share at the end rewards reaching them at all. When contributing
is still growing at the last week, the two can disagree, and a longer or shorter horizon
can flip either. :func:`horizon_verdicts` ranks the strategies by both measures at each
horizon the runs reach (from their curves, so no run is repeated) and names the best,
whether it is clearly best (its paired interval against the next one down excludes 0),
and whether it differs from the best by share-weeks at the last week (the main job's
verdict). Where the runs record their spending by week, a third measure compares the
strategies at equal spending so far: share-weeks per 100 person-days spent by the
horizon (equal budgets are spent at different paces: training as it happens, champions
up front).
"""

from __future__ import annotations

import pandas as pd

from sim.results.keys import pair_keys
from sim.results.ranking import rank

__all__ = ["HORIZONS", "PLATEAU_TOLERANCE", "horizon_verdicts", "plateau_weeks"]

#: Weeks at which the verdict is also given (those a run reaches; its last week too).
HORIZONS = (26, 52, 104)

#: A share has stopped growing from the week after which it never rises by more than this
#: (a share of the company: 1 point) above its value at that week.
PLATEAU_TOLERANCE = 0.01
#: ... and the runs go on at least this many weeks after it (else: still growing).
PLATEAU_EVIDENCE = 8

#: The measures per horizon: the share summed over weeks 1..h, the share at week h, and
#: (where runs record ``spent``) the first per 100 person-days spent by week h.
MEASURES = ("weeks", "share", "per_day")


def horizon_verdicts(results, behavior="contribute", horizons=HORIZONS) -> pd.DataFrame:
    """The best strategy per context, horizon and measure.

    Parameters
    ----------
    results : Results
        Its ``curves`` (one row per run, week and behavior) are read.
    behavior : str
        The rung measured (the nearest the ladder has when it has no ``contribute``).
    horizons : sequence of int
        Weeks; those beyond the runs' last week are left out, and the last week is
        always included.

    Returns
    -------
    DataFrame
        One row per context (the results' axes), horizon and measure (``weeks``,
        ``share``, and ``per_day`` where the curves have a ``spent`` column):
        ``horizon``, ``measure``, ``best`` (the strategy, or the tie group joined by
        `` = ``), ``clear`` (the best is not tied with the next one down),
        ``lead``, ``lead_low``, ``lead_high`` (the paired difference from the next one
        down and its 95 % interval) and ``flip`` (the best differs from the best by
        share-weeks at the last week: another strategy, or a clear best where that is
        a tie, or a tie where that is clear). Empty without curves or with one strategy.
    """
    curves = results.curves
    if curves.empty or len(results.strategies) < 2:
        return pd.DataFrame()
    if behavior not in set(curves["behavior"]):
        behavior = results.behaviors[min(1, len(results.behaviors) - 1)]
    curves = curves[curves["behavior"] == behavior]
    last = int(curves["step"].max())
    weeks = sorted({h for h in horizons if h <= last} | {last})
    keys = ["config_hash", "seed", "replication"]
    pair = pair_keys(curves)
    extra = [c for c in pair if c not in keys]  # a posterior draw pairs runs too
    labels = curves.drop_duplicates(keys)[[*keys, *extra, "strategy", *results.axes]]
    per_run = curves.pivot_table(index=keys, columns="step", values="fraction", aggfunc="first")
    later = per_run.loc[:, per_run.columns >= 1]
    spending = "spent" in curves and curves["spent"].notna().any()
    if spending:
        spent = curves.pivot_table(index=keys, columns="step", values="spent", aggfunc="first")
    frames = []
    for h in weeks:
        upto = later.loc[:, later.columns <= h]
        measured = {"weeks": upto.sum(axis=1), "share": per_run[h]}
        if spending:
            # Nothing spent yet: no rate (the ranking counts the run as never reaching one).
            measured["per_day"] = measured["weeks"] / spent[h].where(spent[h] > 0) * 100.0
        measured = pd.DataFrame(measured).reset_index()
        frames.append(labels.merge(measured, on=keys).assign(horizon=h))
    table = pd.concat(frames, ignore_index=True)
    rows = []
    for measure in MEASURES if spending else MEASURES[:2]:
        ranked = rank(table, measure, within=[*results.axes, "horizon"], higher=True,
                      pair_on=pair)  # fmt: skip
        for _, group in ranked.groupby([*results.axes, "horizon"], sort=False, dropna=False):
            top = group[group["rank"] == 1]
            first = top.iloc[0]
            rows.append({
                **{axis: first[axis] for axis in results.axes},
                "horizon": int(first["horizon"]), "measure": measure,
                "best": " = ".join(top["strategy"]), "clear": len(top) == 1,
                "lead": first["vs_next"], "lead_low": first["vs_next_low"],
                "lead_high": first["vs_next_high"],
            })  # fmt: skip
    verdicts = pd.DataFrame(rows)
    main = verdicts[(verdicts["horizon"] == last) & (verdicts["measure"] == "weeks")]
    reference = main.set_index(results.axes)["best"] if results.axes else main["best"].iloc[0]
    if results.axes:
        index = (
            pd.MultiIndex.from_frame(verdicts[results.axes])
            if len(results.axes) > 1
            else verdicts[results.axes[0]]
        )
        verdicts["flip"] = verdicts["best"].to_numpy() != reference.reindex(index).to_numpy()
    else:
        verdicts["flip"] = verdicts["best"] != reference
    return verdicts


def plateau_weeks(results, behavior="contribute", tolerance=PLATEAU_TOLERANCE) -> pd.DataFrame:
    """When each strategy's share of ``behavior`` stops growing, per context.

    From the mean share over replications, week by week: the first week after which it
    never rises by more than ``tolerance`` above its value at that week. A curve whose
    first such week is less than :data:`PLATEAU_EVIDENCE` weeks before the last is still
    growing (``plateau`` missing): a verdict by share-weeks then measures how early it
    took off as much as how far it went.

    Returns
    -------
    DataFrame
        One row per context (the results' axes) and strategy: ``plateau`` (a week, or
        missing), ``last`` (the runs' last week) and ``share`` (the mean share at the
        plateau, or at the last week). Empty without curves.
    """
    curves = results.curves
    if curves.empty:
        return pd.DataFrame()
    if behavior not in set(curves["behavior"]):
        behavior = results.behaviors[min(1, len(results.behaviors) - 1)]
    curves = curves[curves["behavior"] == behavior]
    by = [*results.axes, "strategy"]
    mean = curves.groupby([*by, "step"], dropna=False, sort=False)["fraction"].mean()
    rows = []
    for key, curve in mean.groupby(level=list(range(len(by))), dropna=False, sort=False):
        values = curve.droplevel(list(range(len(by)))).sort_index()
        steps, shares = values.index.to_numpy(), values.to_numpy()
        # The highest share from each week on, against the share at that week.
        ahead = pd.Series(shares[::-1]).cummax().to_numpy()[::-1]
        flat = (ahead - shares) <= tolerance
        # The first week from which every later week is flat too.
        settled = pd.Series(flat[::-1]).cumprod().to_numpy()[::-1].astype(bool)
        first = int(settled.argmax()) if settled.any() else len(steps) - 1
        still = steps[-1] - steps[first] < PLATEAU_EVIDENCE
        key = key if isinstance(key, tuple) else (key,)
        rows.append({
            **dict(zip(by, key, strict=True)),
            "plateau": pd.NA if still else int(steps[first]),
            "last": int(steps[-1]), "share": float(shares[-1] if still else shares[first]),
        })  # fmt: skip
    if not rows:  # no curve of the rung (another rule's runs)
        return pd.DataFrame()
    return pd.DataFrame(rows).astype({"plateau": "Int64"})
