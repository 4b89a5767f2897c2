"""Summaries of a run's adoption table (docs/model.md §5), one flat record per run, and
the vocabulary of their names.

Names carry their unit: ``weeks_to_50pct_consume`` is a number of weeks,
``final_fraction_consume`` a share of everyone, ``auc_fraction_weeks_consume``
a share times weeks. A threshold never reached gives NaN weeks, so that means
over replications skip it visibly.

:data:`METRICS` is the one table of what a run measures: each entry's name
(or pattern: ``<b>`` a behavior of the ladder, ``<lever>`` a cost lever,
``<category>`` one of Rogers' categories), its label in words, its unit,
which direction is better and how its values print. Every producer builds
names from it (:meth:`Metric.name`), and every reader (labels, formats, the
ranking's direction, :func:`is_outcome`, ``--help``) reads names back
through it (:func:`lookup`), never by a prefix of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BEHAVIOR_NAMES",
    "METRICS",
    "OUTCOMES",
    "SHARES",
    "WEEKS_TO",
    "Metric",
    "behaviors",
    "describe_outcomes",
    "entry",
    "format_metric",
    "gini",
    "higher_is_better",
    "intervals",
    "is_outcome",
    "is_share",
    "lookup",
    "metric_label",
    "of_patterns",
    "outcome_metrics",
    "summary",
]

#: Readable names of the social-intranet ladder's behaviors (others print as they are).
BEHAVIOR_NAMES = {"consume": "reading", "contribute": "contributing", "create": "creating"}

#: The placeholders of a pattern, and the words each part is printed with.
_PARTS = re.compile(r"<(b|lever|category)>")


@dataclass(frozen=True)
class Metric:
    """One entry of the vocabulary.

    Attributes
    ----------
    pattern : str
        The column's name, with at most one placeholder (``final_fraction_<b>``).
    describe : str
        What it measures, for ``--help`` (``b`` names the behavior).
    label : str
        Its name in words; ``{}`` takes the part in words (``share {} at the end``).
    unit : str
        ``share`` (of people, 0 to 1), ``share-weeks`` (a share summed over the
        weeks), ``weeks``, ``person-days``, ``count``, ``people per person-day``
        or ``index`` (a Gini coefficient).
    better : {"higher", "lower", None}
        Which direction is the better outcome; None for a description of the
        diffusion rather than a goal (Rogers' categories), ranked largest first.
    format : {"percent", "weeks", "person-days", "count", "number"}
        How a value prints: ``percent`` in % of people (a difference in
        percentage points), the others as numbers.
    short : str, optional
        The label on an axis, where it differs.
    """

    pattern: str
    describe: str
    label: str
    unit: str
    better: str | None
    format: str
    short: str | None = None

    @property
    def part(self) -> str | None:
        """The placeholder's kind (``b``, ``lever``, ``category``), None for a plain name."""
        found = _PARTS.search(self.pattern)
        return found.group(1) if found else None

    def name(self, part=None) -> str:
        """The column's name: ``name("consume")`` -> ``final_fraction_consume``."""
        if (part is None) != (self.part is None):
            need = f"give a part for <{self.part}>" if self.part else "it takes no part"
            raise ValueError(f"{self.pattern}: {need}. Got {part!r}.")
        return self.pattern if part is None else _PARTS.sub(str(part), self.pattern)

    def words(self, part=None, short=False) -> str:
        """The label, its part in words (a behavior by :data:`BEHAVIOR_NAMES`)."""
        text = self.short if short and self.short else self.label
        if part is None:
            return text
        shown = BEHAVIOR_NAMES.get(part, part) if self.part == "b" else part.replace("_", " ")
        return text.replace("{}", shown)


#: What a run measures, in the order ``--help`` lists them. The other columns of the runs
#: (the scenario, the seed, the replication) are what was set, not what happened.
# fmt: off
METRICS = (
    # pattern; what it measures (--help); label; unit, better, format[, short label]
    Metric("auc_fraction_weeks_<b>", "the share holding b summed over the weeks",
           "{}-weeks (share {} summed over the weeks)",
           "share-weeks", "higher", "number", short="{}-weeks"),
    Metric("final_fraction_<b>", "the share holding b at the end",
           "share {} at the end", "share", "higher", "percent"),
    Metric("peak_fraction_<b>", "the highest weekly share holding b",
           "peak share {}", "share", "higher", "percent"),
    Metric("mean_fraction_<b>", "the mean weekly share holding b",
           "mean share {} over the weeks", "share", "higher", "percent"),
    Metric("weeks_to_25pct_<b>", "weeks until a quarter hold b",
           "weeks to 25 % {}", "weeks", "lower", "weeks"),
    Metric("weeks_to_50pct_<b>", "weeks until half hold b",
           "weeks to 50 % {}", "weeks", "lower", "weeks"),
    Metric("weeks_to_80pct_<b>", "weeks until 80 % hold b",
           "weeks to 80 % {}", "weeks", "lower", "weeks"),
    Metric("lapses_<b>", "drop-outs from b",
           "lapses from {}", "count", "lower", "count"),
    Metric("units_above_50pct_<b>", "the share of units where half hold b",
           "share of units with half {}", "share", "higher", "percent"),
    Metric("unit_gini_<b>", "the inequality of b across units",
           "inequality of {} across units (Gini)", "index", "lower", "number"),
    Metric("adopters_per_cost_<b>", "people holding b per person-day",
           "people {} per person-day", "people per person-day", "higher", "number"),
    Metric("cost_total", "what the rollout cost, in person-days",
           "cost (person-days)", "person-days", "lower", "person-days"),
    Metric("cost_<lever>", "what one lever cost, in person-days",
           "cost of {} (person-days)", "person-days", "lower", "person-days"),
    Metric("rogers_<category>", "the share of adopters in one of Rogers' categories",
           "share of adopters among the {}", "share", None, "percent"),
    Metric("contributors_of_users", "contributors among the people who use it",
           "contributors among the people who use it", "share", "higher", "percent"),
    Metric("creators_of_users", "creators among the people who use it",
           "creators among the people who use it", "share", "higher", "percent"),
    Metric("endorsers_final", "managers who endorse a rung they hold at the end",
           "managers endorsing at the end", "count", "higher", "count"),
    Metric("organic_creators", "creators who were not seeded, among all creators",
           "creators who were not seeded, among all creators", "share", "higher", "percent"),
)
# fmt: on

#: The vocabulary by pattern.
_BY_PATTERN = {m.pattern: m for m in METRICS}

#: The outcome columns of a run, by pattern, with what each measures (``--help``).
OUTCOMES = {m.pattern: m.describe for m in METRICS}

#: Shares of everyone for the ``weeks_to_*`` metrics, and their entries.
WEEKS_TO = {0.25: "weeks_to_25pct_<b>", 0.5: "weeks_to_50pct_<b>", 0.8: "weeks_to_80pct_<b>"}
SHARES = tuple(WEEKS_TO)

# One alternation, plain names first: ``cost_total`` is itself, not the lever ``total``.
_NAMES = re.compile(
    "^(?:"
    + "|".join(
        f"(?P<m{i}>{_PARTS.sub('(?P<p' + str(i) + '>[a-z0-9_]+)', re.escape(m.pattern))})"
        for i, m in enumerate(METRICS)
    )
    + ")$"
)


def entry(pattern) -> Metric:
    """The vocabulary's entry of ``pattern`` (``final_fraction_<b>``); KeyError for none."""
    return _BY_PATTERN[pattern]


def lookup(name):
    """``(Metric, part)`` of a column's ``name`` (``final_fraction_consume`` -> the
    ``final_fraction_<b>`` entry and ``"consume"``; part None for a plain name), or None
    for a name that is not an outcome (a setting such as ``rollout`` or ``seed``)."""
    if not isinstance(name, str):
        return None
    found = _NAMES.match(name)
    if found is None:
        return None
    i = next(int(k[1:]) for k, v in found.groupdict().items() if k[0] == "m" and v is not None)
    return METRICS[i], found.group(f"p{i}") if METRICS[i].part else None


def of_patterns(columns, *patterns) -> list:
    """The columns (a runs table or its column names) that are names of ``patterns``
    (``"final_fraction_<b>"``, ``"cost_total"``), in column order."""
    names = columns.columns if hasattr(columns, "columns") else columns
    wanted = {entry(p) for p in patterns}
    return [c for c in names if (found := lookup(c)) is not None and found[0] in wanted]


def behaviors(columns) -> list:
    """The behaviors a runs table measures (those with a final share), in column order."""
    names = columns.columns if hasattr(columns, "columns") else columns
    final = entry("final_fraction_<b>")
    return [part for found in map(lookup, names) if found and found[0] is final
            for part in (found[1],)]  # fmt: skip


def metric_label(name, short=False) -> str:
    """A metric column's name in words (``auc_fraction_weeks_contribute`` ->
    "contributing-weeks (share contributing summed over the weeks)"; with ``short``,
    for an axis: "contributing-weeks"); a name outside the vocabulary as it is."""
    found = lookup(name)
    return name if found is None else found[0].words(found[1], short)


def higher_is_better(name) -> bool:
    """Whether a larger value of ``name`` is the better outcome (by the vocabulary;
    largest first where neither is, or for a column outside it)."""
    found = lookup(name)
    return found is None or found[0].better != "lower"


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


def _named(pattern, part=None) -> str:
    return _BY_PATTERN[pattern].name(part)


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
        record[_named("final_fraction_<b>", behavior)] = float(fraction[-1])
        record[_named("peak_fraction_<b>", behavior)] = float(fraction.max())
        for share, pattern in WEEKS_TO.items():
            reached = np.flatnonzero(fraction >= share)
            weeks = float(steps[reached[0]]) if reached.shape[0] else float("nan")
            record[_named(pattern, behavior)] = weeks
        later = fraction[steps > 0]
        record[_named("auc_fraction_weeks_<b>", behavior)] = float(later.sum())
        record[_named("mean_fraction_<b>", behavior)] = (
            float(later.mean()) if later.shape[0] else float("nan")
        )
        record[_named("lapses_<b>", behavior)] = int(all_lapses[rows].sum())
        finals[behavior] = int(all_adopters[rows][-1])
    if by_unit is not None:
        steps = by_unit["step"].to_numpy()
        last = steps == steps.max()
        names = by_unit["behavior"].to_numpy()[last]
        fractions = by_unit["fraction"].to_numpy()[last]
        people = by_unit["people"].to_numpy()[last]
        for behavior in dict.fromkeys(names):
            rows = names == behavior
            record[_named("units_above_50pct_<b>", behavior)] = float(
                np.mean(fractions[rows] >= 0.5)
            )
            record[_named("unit_gini_<b>", behavior)] = gini(fractions[rows], people[rows])
    if cost is not None:
        total = 0.0
        for lever, amount in cost.items():
            record[_named("cost_<lever>", lever)] = float(amount)
            total += float(amount)
        record[_named("cost_total")] = total
        for behavior, adopters in finals.items():
            per = adopters / total if total > 0 else float("nan")
            record[_named("adopters_per_cost_<b>", behavior)] = per
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


def is_outcome(name, columns=None) -> bool:
    """Whether ``name`` is an outcome metric of a run (:data:`OUTCOMES`), not a
    setting such as ``rollout`` or ``seed``; with ``columns`` (a runs table's
    columns, or the table itself), also one of them and numeric."""
    if lookup(name) is None:
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


def is_share(metric) -> bool:
    """Whether ``metric`` is a share of people (``final_fraction_consume``), not weeks,
    person-days or a share summed over weeks."""
    found = lookup(metric)
    return found is not None and found[0].format == "percent"


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
