"""Summaries of a run's adoption table (docs/model.md §5), one flat record per run.

Names carry their unit: ``weeks_to_50pct_consume`` is a number of weeks,
``final_fraction_consume`` a share of everyone, ``auc_fraction_weeks_consume``
a share times weeks. A threshold never reached gives NaN weeks, so that means
over replications skip it visibly.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = [
    "OUTCOMES",
    "SHARES",
    "describe_outcomes",
    "format_metric",
    "gini",
    "intervals",
    "is_outcome",
    "is_share",
    "outcome_metrics",
    "summary",
]

#: Shares of everyone for the ``weeks_to_*`` metrics.
SHARES = (0.25, 0.5, 0.8)


def gini(values, weights=None) -> float:
    """Gini coefficient of ``values`` (>= 0), each counted ``weights`` times.

    0 when every value is the same (or all are 0), approaching 1 when one
    holds everything. With weights (e.g. units' headcounts) it is the Gini of
    the people, each carrying their unit's value.
    """
    x = np.asarray(values, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    total, mass = w.sum(), (w * x).sum()
    if x.shape[0] == 0 or total <= 0 or mass <= 0:
        return 0.0
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    # Area between the Lorenz curve and the diagonal, by trapezoids over people.
    lorenz = np.concatenate(([0.0], np.cumsum(w * x) / mass))
    share = w / total
    return float(1.0 - np.sum(share * (lorenz[1:] + lorenz[:-1])))


def summary(adoption, by_unit=None, cost=None) -> dict:
    """One flat record of a run.

    Parameters
    ----------
    adoption : DataFrame
        ``model.adoption`` (columns ``step, behavior, adopters, fraction, lapses``).
    by_unit : DataFrame, optional
        ``model.adoption_by("unit")``, for the per-unit metrics.
    cost : dict of str to float, optional
        What the rollout cost, by lever (e.g. ``{"champions": 40.0,
        "training": 120.0}``, in the rollout's cost unit), for the cost metrics.

    Returns
    -------
    dict
        Per behavior ``b``: ``final_fraction_b``, ``peak_fraction_b``,
        ``weeks_to_25pct_b``, ``weeks_to_50pct_b``, ``weeks_to_80pct_b`` (first
        week the share of everyone is reached, NaN if never),
        ``auc_fraction_weeks_b`` (area under the curve: the fraction summed
        over the weeks after week 0), ``mean_fraction_b`` (that area over the
        number of weeks) and ``lapses_b`` (drop-outs, all weeks). With
        ``by_unit``: ``units_above_50pct_b`` (share of units where at least
        half hold ``b`` in the last week) and ``unit_gini_b`` (inequality of
        the units' last-week fractions, people-weighted). With ``cost``:
        ``cost_<lever>`` each, ``cost_total`` and ``adopters_per_cost_b``
        (people who hold ``b`` in the last week per unit of cost; NaN when
        nothing was spent).
    """
    record = {}
    finals = {}
    # Plain arrays and masks: groupby costs more than a small run's whole summary.
    names = adoption["behavior"].to_numpy()
    all_steps, all_fractions = adoption["step"].to_numpy(), adoption["fraction"].to_numpy()
    all_lapses, all_adopters = adoption["lapses"].to_numpy(), adoption["adopters"].to_numpy()
    for behavior in dict.fromkeys(names):
        rows = names == behavior
        steps, fraction = all_steps[rows], all_fractions[rows]
        record[f"final_fraction_{behavior}"] = float(fraction[-1])
        record[f"peak_fraction_{behavior}"] = float(fraction.max())
        for share in SHARES:
            reached = np.flatnonzero(fraction >= share)
            weeks = float(steps[reached[0]]) if reached.shape[0] else float("nan")
            record[f"weeks_to_{round(share * 100)}pct_{behavior}"] = weeks
        later = fraction[steps > 0]
        record[f"auc_fraction_weeks_{behavior}"] = float(later.sum())
        record[f"mean_fraction_{behavior}"] = (
            float(later.mean()) if later.shape[0] else float("nan")
        )
        record[f"lapses_{behavior}"] = int(all_lapses[rows].sum())
        finals[behavior] = int(all_adopters[rows][-1])
    if by_unit is not None:
        steps = by_unit["step"].to_numpy()
        last = steps == steps.max()
        names = by_unit["behavior"].to_numpy()[last]
        fractions = by_unit["fraction"].to_numpy()[last]
        people = by_unit["people"].to_numpy()[last]
        for behavior in dict.fromkeys(names):
            rows = names == behavior
            record[f"units_above_50pct_{behavior}"] = float(np.mean(fractions[rows] >= 0.5))
            record[f"unit_gini_{behavior}"] = gini(fractions[rows], people[rows])
    if cost is not None:
        total = 0.0
        for lever, amount in cost.items():
            record[f"cost_{lever}"] = float(amount)
            total += float(amount)
        record["cost_total"] = total
        for behavior, adopters in finals.items():
            per = adopters / total if total > 0 else float("nan")
            record[f"adopters_per_cost_{behavior}"] = per
    return record


def intervals(runs, columns=None):
    """Mean and 95 % confidence half-width of ``runs``' metrics over replications.

    The half-width is Student's t (``n - 1`` degrees of freedom) times the
    standard error: with 30 replications 2.05 standard errors, not the normal
    1.96, which would claim more certainty than 30 runs give.

    Returns a DataFrame indexed by metric with columns ``mean``, ``ci95`` and
    ``runs`` (replications that reached a value: NaN weeks are left out).
    """
    from sim.stats import column_intervals

    columns = [c for c in runs.columns if c != "replication"] if columns is None else columns
    return column_intervals(runs, columns)


#: The outcome columns of a run, by name: ``<b>`` is a behavior of the ladder
#: (``consume``), ``<lever>`` a cost lever (``training``). A metric to rank or
#: analyse by is one of these; the other columns of the runs (the scenario, the
#: seed, the replication) are what was set, not what happened.
OUTCOMES = {
    "auc_fraction_weeks_<b>": "the share holding b summed over the weeks",
    "final_fraction_<b>": "the share holding b at the end",
    "peak_fraction_<b>": "the highest weekly share holding b",
    "mean_fraction_<b>": "the mean weekly share holding b",
    "weeks_to_25pct_<b>": "weeks until a quarter hold b",
    "weeks_to_50pct_<b>": "weeks until half hold b",
    "weeks_to_80pct_<b>": "weeks until 80 % hold b",
    "lapses_<b>": "drop-outs from b",
    "units_above_50pct_<b>": "the share of units where half hold b",
    "unit_gini_<b>": "the inequality of b across units",
    "adopters_per_cost_<b>": "people holding b per person-day",
    "cost_total": "what the rollout cost, in person-days",
    "cost_<lever>": "what one lever cost, in person-days",
    "rogers_<category>": "the share of adopters in one of Rogers' categories",
    "contributors_of_users": "contributors among the people who use it",
    "creators_of_users": "creators among the people who use it",
    "organic_creators": "creators who were not seeded, among all creators",
}

_OUTCOME = re.compile(
    "^(?:"
    + "|".join(re.escape(name).replace(re.escape("<b>"), "[a-z0-9_]+")
               .replace(re.escape("<lever>"), "[a-z0-9_]+")
               .replace(re.escape("<category>"), "[a-z0-9_]+") for name in OUTCOMES)
    + ")$"
)  # fmt: skip


def is_outcome(name, columns=None) -> bool:
    """Whether ``name`` is an outcome metric of a run (:data:`OUTCOMES`), not a
    setting such as ``rollout`` or ``seed``; with ``columns`` (a runs table's
    columns, or the table itself), also one of them and numeric."""
    if not isinstance(name, str) or not _OUTCOME.match(name):
        return False
    if columns is None:
        return True
    if hasattr(columns, "dtypes"):
        import pandas as pd

        return name in columns.columns and pd.api.types.is_numeric_dtype(columns[name])
    return name in columns


def outcome_metrics(columns) -> list:
    """The outcome metrics among ``columns`` (a runs table or its column names), in order."""
    names = columns.columns if hasattr(columns, "columns") else columns
    return [c for c in names if is_outcome(c, columns)]


def describe_outcomes() -> str:
    """The outcome metrics in a sentence, for ``--help`` and error messages."""
    return "; ".join(f"{name} ({what})" for name, what in OUTCOMES.items())


#: Outcomes that are a share of people (0 to 1): shown in percent, their differences in
#: percentage points, wherever they are printed.
_SHARES = re.compile(
    r"^(?:(?:final|peak|mean)_fraction_|units_above_50pct_|rogers_)[a-z0-9_]+$"
    r"|^(?:contributors_of_users|creators_of_users|organic_creators)$"
)


def is_share(metric) -> bool:
    """Whether ``metric`` is a share of people (``final_fraction_consume``), not weeks,
    person-days or a share summed over weeks."""
    return isinstance(metric, str) and bool(_SHARES.match(metric))


def format_metric(metric, value, *, signed=False, unit=True) -> str:
    """``value`` of ``metric`` for people, one format everywhere: a share in percent
    (``70.7 %``; a difference, ``signed``, in percentage points: ``+2.1 pp``), anything
    else to 3 significant digits; ``-`` for none. Without ``unit``, the number alone."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return "-"
    sign = "+" if signed else ""
    if is_share(metric):
        text = f"{100 * value:{sign}.1f}"
        return f"{text} {'pp' if signed else '%'}" if unit else text
    return f"{value:{sign}.3g}"
