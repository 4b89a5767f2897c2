"""The report of a store: ``report.html``, ``report.md``, figures and CSVs.

``report.html`` is self-contained (figures embedded as PNG, tables as HTML)
so that it can be mailed; ``report.md`` shows the same with the figures
beside it in ``figures/`` (PNG and SVG). ``runs.csv`` (a row per run) and
``summary.csv`` (a row per context and strategy: means and 95 % intervals)
are for spreadsheets. Every figure's caption names the scenarios (config
hashes), seeds and replications it draws, and the report's header the
orgsim versions, so that each picture traces back to the store.

The answer comes first (the ranking per context and its verdict), then how
sure (paired differences, replications to separate ties), at what cost (the
frontier), how fast (curves, milestones) and where it stalls (units, levels);
a sweep over numeric parameters adds their figures. This module says what the
report holds (:class:`Report`); :mod:`sim.report.writing` draws and writes it.
"""

from __future__ import annotations

import math

import pandas as pd

from sim._moved import moved_names
from sim.metrics import format_metric as show
from sim.report.ranking import ensemble_lines, horizons_text, plateaus_text
from sim.results import (
    BEHAVIOR_NAMES,
    context_label,
    in_context,
    lookup,
    metric_label,
    of_patterns,
    palette,
)

__all__ = ["Report", "analyses_of", "summary_table", "verdict"]

#: Contexts drawn figure by figure; beyond, the ranking and the sweep figures only.
MAX_DRAWN_CONTEXTS = 6
#: The metrics of summary.csv: shares, weeks, contributor-weeks, reach of units, cost.
_SUMMARY = ("final_fraction_<b>", "weeks_to_50pct_<b>", "weeks_to_80pct_<b>",
            "auc_fraction_weeks_<b>", "units_above_50pct_<b>", "adopters_per_cost_<b>")  # fmt: skip


def summary_table(results, metric) -> pd.DataFrame:
    """One row per context and strategy: mean and 95 % half-width of the main metrics.

    Columns: the axes, ``strategy``, ``rank`` and ``tie`` (by ``metric``),
    ``runs``, then ``<metric>`` and ``<metric>_ci95`` for the shares, weeks,
    contributor-weeks, cost and adopters per cost of every behavior; over a posterior
    ensemble also ``p_best``, ``p_clear`` and ``models`` (by ``metric``:
    :func:`sim.results.verdict_probabilities`).
    """
    from sim.metrics import intervals

    columns = of_patterns(results.runs, *_SUMMARY)
    columns += of_patterns(results.runs, "cost_<lever>", "cost_total")
    ranking = results.ranking(metric)
    rows = []
    for _, where in results.contexts():
        runs = results.select("runs", where)
        for strategy, own in runs.groupby("strategy", sort=False):
            table = intervals(own, columns)
            row = {**where, "strategy": strategy}
            placed = in_context(ranking[ranking["strategy"] == strategy], where)
            row["rank"] = int(placed["rank"].iloc[0])
            row["tie"] = bool(placed["tie"].iloc[0])
            row["runs"] = len(own)
            for column in columns:
                row[column] = table.loc[column, "mean"]
                row[f"{column}_ci95"] = table.loc[column, "ci95"]
            rows.append(row)
    frame = pd.DataFrame(rows)
    if results.draws:  # over the plausible models: how often each is best, and clearly
        chances = results.verdict_probabilities(metric)
        frame = frame.merge(chances, on=[*results.axes, "strategy"], how="left")
    return frame.sort_values([*results.axes, "rank"], kind="stable", ignore_index=True)


def verdict(table, metric) -> str:
    """One sentence on one context's ranking: who leads, by how much, or who ties."""
    label = metric_label(metric)
    first = table.iloc[0]
    leaders = table[table["rank"] == first["rank"]]
    replications = int(first["replications"])
    if table["runs"].sum() == 0:
        return f"No run here measures {label} (its ladder has no such behavior)."
    if len(table) == 1:
        return f"Only {first['strategy']} was run: nothing to compare it with."
    if len(leaders) == 1:
        second = table.iloc[1]
        how = "paired" if first["paired"] else "unpaired"
        low, high = (show(metric, first[k], signed=True, unit=False)
                     for k in ("vs_next_low", "vs_next_high"))  # fmt: skip
        ci = f" [{low}, {high}]" if first["paired"] else ""
        lead = show(metric, first["vs_next"], signed=True)
        return (f"{first['strategy']} leads on {label}: {lead}{ci} over "
                f"{second['strategy']} ({replications} {how} replications, 95 % "
                "interval).")  # fmt: skip
    names = ", ".join(map(str, leaders["strategy"]))
    need = leaders["replications_to_separate"].dropna()
    more = (f" About {need.max():,.0f} paired replications would separate the closest of them."
            if len(need) else "")  # fmt: skip
    return (
        f"{names} cannot be told apart on {label} with {replications} replications: "
        f"no rollout is better here.{more}"
    )


class Report:
    """The figures and tables of a report, built from :class:`~sim.report.Results`."""

    def __init__(self, results, *, metric=None, reference=None, analyses=None):
        from sim.report import figures

        self.figures = figures
        self.palette = palette(results.strategies)
        self.analyses = analyses_of(results, metric) if analyses is None else analyses
        self.sampled = results
        results = results.outside_designs()
        self.results = results
        # The metric of the runs outside any design, else the (first) design's.
        self.metric = metric or (results.default_metric() if results is not None else
                                 self.analyses[0].metric)  # fmt: skip
        self.reference = reference
        self.sections = []  # (title, [blocks]); a block is ("text"|"table"|"figure", ...)
        self.rankings = results.ranking(self.metric) if results is not None else None

    def _trace(self, frame) -> str:
        hashes = sorted(frame["config_hash"].unique())
        seeds = sorted(frame["seed"].unique())
        reps = frame["replication"]
        shown = ", ".join(h[:8] for h in hashes[:6]) + (" ..." if len(hashes) > 6 else "")
        return (
            f"scenarios {shown} ({len(hashes)}); seeds {', '.join(map(str, seeds[:6]))}"
            f"{' ...' if len(seeds) > 6 else ''}; replications {reps.min()}-{reps.max()}"
        )

    def build(self):
        from sim.analysis.sections import sections

        for analysis in self.analyses:
            runs = self.sampled.runs
            trace = self._trace(runs[runs["design"] == analysis.record.digest])
            found = sections(analysis, self.palette, trace)
            if len(self.analyses) > 1:  # several designs share the store: say whose section
                found = [(f"{title} (design {analysis.record.digest[:8]})", blocks)
                         for title, blocks in found]  # fmt: skip
            self.sections += found
        if self.results is None:
            return self
        from sim.validation.studies import sections as validation

        results = self.results
        self.sections += validation(results)
        contexts = results.contexts()
        brief = self._brief(contexts)
        if brief:
            self.sections.append(("In brief", brief))
        self.sections.append(("The answer", self._answer(contexts)))
        for label, where in contexts[:MAX_DRAWN_CONTEXTS]:
            title = results.title(label, where) if label else "All runs"
            self.sections.append((title, self._context(where)))
        if len(contexts) > MAX_DRAWN_CONTEXTS:
            self.sections.append(("More contexts", [("text", (
                f"{len(contexts)} contexts: the first {MAX_DRAWN_CONTEXTS} are drawn above; "
                "every one is ranked in summary.csv and in the sweep figures."))]))  # fmt: skip
        sweep = self._sweep()
        if sweep:
            self.sections.append(("Across the swept parameters", sweep))
        self.sections.append(("Scenarios", [("table", self._scenarios())]))
        return self

    # -- sections ----------------------------------------------------------------------

    def _brief(self, contexts):
        from sim.report.story import why_paragraph

        said = [why_paragraph(self.results, label, where, self.metric, self.analyses)
                for label, where in contexts[:MAX_DRAWN_CONTEXTS]]  # fmt: skip
        return [("text", text) for text in said if text]

    def _answer(self, contexts):
        blocks = [("text", f"Strategies ranked by {metric_label(self.metric)} (mean over "
                           "replications, 95 % interval). Neighbours whose paired difference "
                           "includes 0 are ties and share a rank (marked =).")]  # fmt: skip
        horizons = self.results.horizon_verdicts()
        plateaus = self.results.plateau_weeks()
        for label, where in contexts:
            table = self._ranking(where)
            if label:
                blocks.append(("heading", self.results.title(label, where)))
            blocks.append(("text", verdict(table, self.metric)))
            chances = in_context(self.results.verdict_probabilities(self.metric), where)
            leads = in_context(self.results.lead_across_draws(self.metric), where)
            across = ensemble_lines(chances, leads, self.metric)  # over the plausible models
            if across:
                blocks.append(("text", " ".join(across)))
            blocks.append(("table", _ranking_display(table)))
            if not horizons.empty:
                blocks.append(("text", horizons_text(in_context(horizons, where))))
            if not plateaus.empty:
                blocks.append(("text", plateaus_text(in_context(plateaus, where))))
        return blocks

    def _ranking(self, where):
        # An axis may be unset in a context (rule.moved=null): unset matches unset.
        return in_context(self.rankings, where).reset_index(drop=True)

    def _context(self, where):
        f, results = self.figures, self.results
        runs = results.select("runs", where)
        curves = results.select("curves", where)
        groups = results.select("groups", where) if not results.groups.empty else None
        table = self._ranking(where)
        strategies = list(table["strategy"])
        reference = self.reference if self.reference in strategies else strategies[0]
        # The ladder of this context (a store may mix ladders): the metric's behavior if
        # it has it, else its top rung.
        held = list(dict.fromkeys(curves["behavior"])) if not curves.empty else results.behaviors
        found = lookup(self.metric)
        behavior = found[1] if found and found[0].part == "b" else None
        behavior = behavior if behavior in held else held[-1]
        trace, pal = self._trace(runs), self.palette
        label, axis_label = metric_label(self.metric), metric_label(self.metric, short=True)
        blocks = []

        def figure(kind, make, caption):
            blocks.append(("figure", kind, make, f"{caption} {trace}"))

        if len(strategies) > 1 and not curves.empty:
            figure("differences",
                   lambda: f.difference_curves(curves, reference=reference, palette=pal),
                   f"How sure: each strategy's paired difference from {reference}, replication "
                   "by replication (common random numbers), mean and 95 % band.")  # fmt: skip
        tied = [(a, b) for a, b, t, p in zip(table["strategy"], table["strategy"].shift(-1),
                                               table["tied_with_next"], table["paired"],
                                               strict=True) if t and p]  # fmt: skip
        if tied:
            figure("separation", lambda: f.separation(runs, self.metric, tied, palette=pal),
                   "How many paired replications would separate each tie, taking the observed "
                   "difference and spread as the truth.")  # fmt: skip
        if "cost_total" in runs:
            figure("frontier",
                   lambda: f.frontier(runs, self.metric, palette=pal, metric_label=axis_label),
                   f"At what cost: {label} against the cost of each run.")  # fmt: skip
        if not curves.empty:
            figure("curves", lambda: f.adoption_curves(curves, palette=pal),
                   "How fast: the share of the company holding each behavior, week by week "
                   "(mean and 95 % band over replications).")  # fmt: skip
        figure(
            "milestones",
            lambda: f.milestones(runs, palette=pal),
            "Weeks to 50 % and 80 % and the final share, per behavior.",
        )
        if groups is not None:
            groups = groups[groups["behavior"] == behavior]
        if groups is not None and not groups.empty:
            name = BEHAVIOR_NAMES.get(behavior, behavior)
            drawn = len(groups[["config_hash", "seed", "replication"]].drop_duplicates())
            if drawn < len(runs):  # some jobs' unit and level tables are missing (named on stderr)
                trace = (f"Drawn from {drawn} of the {len(runs)} runs: the others' unit and "
                         f"level tables are missing. {trace}")  # fmt: skip
            # A network alone is one unit and one level: nothing to tell apart there.
            if groups.loc[groups["by"] == "unit", "group"].nunique() > 1:
                figure("units", lambda: f.unit_heatmap(groups, behavior=behavior,
                                                       strategies=strategies),
                       f"Where it stalls: the share of each unit {name}, week by "
                       "week.")  # fmt: skip
            if groups.loc[groups["by"] == "level", "group"].nunique() > 1:
                figure(
                    "levels",
                    lambda: f.by_level(groups, behavior=behavior, palette=pal),
                    f"The share {name} by level of the hierarchy in the last week.",
                )
        return blocks

    def _sweep(self):
        """Figures over the numeric axes, per combination of the other axes (up to four)."""
        f, results = self.figures, self.results
        numeric = results.numeric_axes
        if not numeric:
            return []
        metric, label, pal = self.metric, metric_label(self.metric), self.palette
        axis_label = metric_label(metric, short=True)
        others = [a for a in results.axes if a not in numeric]
        combos = results.runs[others].drop_duplicates().to_dict("records") if others else [{}]
        blocks = []
        for fixed in combos[:4]:
            runs = results.select("runs", fixed)
            runs = runs[runs[metric].notna()]  # a ladder without the metric's behavior
            swept = [a for a in numeric if runs[a].nunique() > 1]
            if runs.empty or not swept:
                continue
            # Axes beyond the two drawn are pooled: each run is one replication of its cell.
            note = f" ({context_label(fixed)})" if fixed else ""
            trace = self._trace(runs)
            if len(swept) == 1:
                axis = swept[0]
                blocks.append(("figure", "sweep", lambda r=runs, a=axis: f.sweep_line(
                    r, a, metric, palette=pal, metric_label=axis_label),
                    f"{label} against {axis}, per strategy (mean and 95 % band){note}. "
                    f"{trace}"))  # fmt: skip
                continue
            x, y = swept[:2]
            cells = runs.groupby([x, y, "strategy", "seed", "replication"]).size()
            if len(swept) > 2 and (cells > 1).any():
                runs = runs.assign(seed=runs.groupby([x, y, "strategy"]).cumcount(),
                                   replication=0)  # fmt: skip
                note += f"; {', '.join(swept[2:])} pooled, unpaired"
            blocks.append(("figure", "winners", lambda r=runs, x=x, y=y: f.winner_map(
                r, x, y, metric, palette=pal, metric_label=axis_label),
                f"Which strategy wins where on {label}: hatched cells are where the top two "
                f"cannot be told apart{note}. {trace}"))  # fmt: skip
            blocks.append(("figure", "sweep", lambda r=runs, x=x, y=y: f.sweep_heatmap(
                r, x, y, metric, metric_label=axis_label),
                f"{label} over {x} and {y}, per strategy{note}. {trace}"))  # fmt: skip
        return blocks

    def _scenarios(self):
        runs = self.results.runs
        keys = ["config_hash", "strategy", *self.results.axes]
        table = (
            runs.groupby(keys, sort=False, dropna=False)
            .agg(
                seeds=("seed", lambda s: ", ".join(map(str, sorted(s.unique())))),
                replications=("replication", "nunique"),
                version=("version", lambda s: ", ".join(sorted(map(str, s.unique())))),
            )
            .reset_index()
        )
        return table.sort_values(["strategy", *self.results.axes], ignore_index=True)


def analyses_of(results, metric=None) -> list:
    """The analysis of each sampled design among ``results`` (:mod:`sim.analysis`)."""
    from sim.analysis.study import analyze

    return [analyze(results, record, metric) for record in results.designs]


def _ranking_display(table) -> pd.DataFrame:
    rows = []
    for row in table.itertuples(index=False):
        need = row.replications_to_separate
        if row.tied_with_next and row.paired:
            note = "tie" if math.isnan(need) else f"tie: ~{need:,.0f} replications would separate"
        elif row.tied_with_next:
            note = "tie (unpaired)"
        else:
            note = ""
        metric = row.metric
        vs = "" if math.isnan(row.vs_next) else show(metric, row.vs_next, signed=True)
        if row.paired and vs:
            low, high = (show(metric, v, signed=True, unit=False)
                         for v in (row.vs_next_low, row.vs_next_high))  # fmt: skip
            vs += f" [{low}, {high}]"
        rows.append({
            "rank": f"{row.rank}{'=' if row.tie else ''}", "strategy": row.strategy,
            "mean": show(metric, row.mean),
            "95 % CI": f"[{show(metric, row.ci_low)}, {show(metric, row.ci_high)}]",
            "cost (person-days)": "" if math.isnan(row.cost) else f"{row.cost:,.0f}",
            "vs next (paired)": vs, "": note, "replications": row.replications,
        })  # fmt: skip
    return pd.DataFrame(rows)


# Writing moved to sim.report.writing (which reads this module: importing it back would be a
# circle); the old names warn.
__getattr__ = moved_names(
    "sim.report.document",
    dict.fromkeys(("report_folder", "write_report", "write_tables"), "sim.report.writing"),
)
