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
a sweep over numeric parameters adds their figures.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim import store
from sim.metrics import format_metric as show
from sim.report.results import BEHAVIOR_NAMES, context_label, format_value, in_context, metric_label

__all__ = [
    "Report",
    "analyses_of",
    "report_folder",
    "summary_table",
    "verdict",
    "write_report",
    "write_tables",
]

#: Contexts drawn figure by figure; beyond, the ranking and the sweep figures only.
MAX_DRAWN_CONTEXTS = 6
_SUMMARY_PREFIXES = ("final_fraction_", "weeks_to_50pct_", "weeks_to_80pct_",
                     "auc_fraction_weeks_", "units_above_50pct_", "adopters_per_cost_")  # fmt: skip


def _slug(text) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower() or "all"


def summary_table(results, metric) -> pd.DataFrame:
    """One row per context and strategy: mean and 95 % half-width of the main metrics.

    Columns: the axes, ``strategy``, ``rank`` and ``tie`` (by ``metric``),
    ``runs``, then ``<metric>`` and ``<metric>_ci95`` for the shares, weeks,
    contributor-weeks, cost and adopters per cost of every behavior.
    """
    from sim.metrics import intervals

    columns = [c for c in results.runs.columns if c.startswith(_SUMMARY_PREFIXES)]
    columns += [c for c in results.runs.columns if c.startswith("cost_")]
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
        self.palette = figures.palette(results.strategies)
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
        self.sections.append(("The answer", self._answer(contexts)))
        for label, where in contexts[:MAX_DRAWN_CONTEXTS]:
            self.sections.append((label or "All runs", self._context(where)))
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

    def _answer(self, contexts):
        blocks = [("text", f"Strategies ranked by {metric_label(self.metric)} (mean over "
                           "replications, 95 % interval). Neighbours whose paired difference "
                           "includes 0 are ties and share a rank (marked =).")]  # fmt: skip
        for label, where in contexts:
            table = self._ranking(where)
            if label:
                blocks.append(("heading", label))
            blocks.append(("text", verdict(table, self.metric)))
            blocks.append(("table", _ranking_display(table)))
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
        behavior = self.metric.rsplit("_", 1)[-1]
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


# -- writing -----------------------------------------------------------------------------


def _draw(make) -> tuple[bytes, bytes]:
    """PNG and SVG of the figure ``make()`` returns (the layout computed once)."""
    figure = make()
    png, svg = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png", dpi=100)
    figure.set_layout_engine("none")  # laid out by the PNG's drawing: keep it for the SVG
    figure.savefig(svg, format="svg")
    return png.getvalue(), svg.getvalue()


_MAKERS = None  # the figures a forked renderer draws, by index


def _draw_one(index):
    return _draw(_MAKERS[index])


def render(makers) -> list:
    """``(png, svg)`` bytes of each figure; drawn in forked processes, one per core.

    Drawing is most of a report's time and each figure is independent. A
    fork shares the loaded results with the renderers without pickling them;
    where there is no fork (or one core) the figures are drawn here.
    """
    global _MAKERS
    import multiprocessing
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    workers = min(cores, 4, len(makers))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_draw(make) for make in makers]
    _MAKERS = makers
    try:
        context = multiprocessing.get_context("fork")
        # A Pool, not an executor: leaving its block for any reason (a SIGTERM made into an
        # exception by the command, Ctrl-C, a figure that fails) terminates the renderers
        # rather than waiting for them, so none outlives the report.
        with context.Pool(workers, initializer=_renderer) as pool:
            return pool.map(_draw_one, range(len(makers)), chunksize=1)
    finally:
        _MAKERS = None


def _renderer():
    """A renderer's start: stopped by its report alone, and never left without it."""
    import signal

    # Forked with the command's handlers: SIGTERM (from Pool.terminate) ends it at once,
    # Ctrl-C reaches the whole terminal group and is the command's to answer.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # Linux: die with the report even when it is killed outright (SIGKILL)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _table_html(frame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(format_value)
    return shown.to_html(index=False, border=0, classes="table", escape=True)


def _table_md(frame) -> str:
    shown = frame.astype(object).map(format_value)
    head = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(v.replace("|", "\\|") for v in row) + " |"
            for row in shown.itertuples(index=False)]  # fmt: skip
    return "\n".join([head, rule, *body])


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table.table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
table.table th, table.table td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee;
       text-align: left; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; } .meta { color: #555; font-size: 0.9em; }
"""


def write_report(results, out=None, *, metric=None, reference=None, title=None,
                 analyses=None) -> Path:  # fmt: skip
    """Write the report of ``results`` into ``out`` (default: the store); return report.html.

    Files: ``report.html``, ``report.md``, ``figures/*.png`` and ``*.svg``,
    ``runs.csv``, ``summary.csv``; each written atomically (a reader never
    sees half of one). Raises :class:`sim.store.StoreError` naming the file
    that cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    out = Path(out) if out is not None else report_folder(results, metric, reference)
    report = Report(results, metric=metric, reference=reference, analyses=analyses).build()
    if title is None:
        question = "Which parameter matters, which rollout is robust?" if report.analyses else (
            "Which rollout?")  # fmt: skip
        title = f"{question} {results.store.name}"
        if out != results.store:
            title += f" ({out.name})"
    runs = results.runs
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    part = f" (one command's, of the {results.held} the store holds)" if results.subset else ""
    meta = (f"{len(runs)} runs{part} of {runs['config_hash'].nunique()} scenarios in "
            f"{results.store}; orgsim {', '.join(results.versions)}; metric {report.metric}"
            f"{f'; differences from {reference}' if reference else ''}; "
            f"written {stamp}.")  # fmt: skip
    if len(results.versions) > 1:
        meta += " Mixed versions: results of different orgsim versions are side by side."
    html_parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
                  f"{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
                  f"<h1>{html.escape(title)}</h1>"
                  f"<p class='meta'>{html.escape(meta)}</p>"]  # fmt: skip
    md_parts = [f"# {title}", "", meta, ""]
    makers = [b[2] for _, blocks in report.sections for b in blocks if b[0] == "figure"]
    rendered = render(makers)
    figures_dir = out / "figures"
    number, written = 0, set()
    for heading, blocks in report.sections:
        html_parts.append(f"<h2>{html.escape(heading)}</h2>")
        md_parts += [f"## {heading}", ""]
        for block in blocks:
            kind = block[0]
            if kind == "heading":
                html_parts.append(f"<h3>{html.escape(block[1])}</h3>")
                md_parts += [f"### {block[1]}", ""]
            elif kind == "text":
                html_parts.append(f"<p>{html.escape(block[1])}</p>")
                md_parts += [block[1], ""]
            elif kind == "table":
                html_parts.append(_table_html(block[1]))
                md_parts += [_table_md(block[1]), ""]
            else:
                number += 1
                kind, png, svg, caption = block[1], *rendered[number - 1], block[3]
                name = f"{number:02d}-{_slug(heading)[:40]}-{kind}"
                for suffix, data in (("png", png), ("svg", svg)):
                    store.write_atomic(figures_dir / f"{name}.{suffix}",
                                       lambda p, d=data: Path(p).write_bytes(d))  # fmt: skip
                    written.add(f"{name}.{suffix}")
                encoded = base64.b64encode(png).decode()
                html_parts.append(
                    f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,"
                    f"{encoded}'><figcaption>Figure {number}. {html.escape(caption)}"
                    "</figcaption></figure>")  # fmt: skip
                md_parts += [f"![Figure {number}](figures/{name}.png)", "",
                             f"*Figure {number}. {caption}*", ""]  # fmt: skip
    html_parts.append("</body></html>")
    _remove_stale_figures(figures_dir, written)
    target = out / "report.html"
    store.write_atomic(target, lambda p: Path(p).write_text("\n".join(html_parts)))
    store.write_atomic(out / "report.md", lambda p: Path(p).write_text("\n".join(md_parts)))
    write_tables(results, out, metric=metric, analyses=report.analyses)
    return target


def report_folder(results, metric=None, reference=None) -> Path:
    """Where the report of ``results`` goes: the store itself when it covers all the store's
    runs, ranked by the default metric; else ``reports/<name>`` inside it, named by what
    it covers, so that one report never replaces another's (a command's own runs among a
    store's: its strategies and a digest of its jobs; ``by-<metric>``; ``vs-<strategy>``)."""
    parts = []
    if results.subset:
        shown = results.strategies[:3]
        more = f"+{len(results.strategies) - 3}" if len(results.strategies) > 3 else ""
        parts.append(f"{_slug('+'.join(map(str, shown)))[:60]}{more}-{results.subset}")
    plain = results.outside_designs()
    default = plain.default_metric() if plain is not None else None
    if metric is not None and metric != default:
        parts.append(f"by-{metric}")
    if reference is not None:
        parts.append(f"vs-{_slug(reference)[:40]}")
    return results.store / "reports" / "_".join(parts) if parts else results.store


def _remove_stale_figures(folder, written):
    """Figures an earlier report left in ``folder`` that this one did not write."""
    ours = re.compile(r"^\d{2,}-.*\.(png|svg)$")
    for path in folder.glob("*") if folder.is_dir() else []:
        if ours.match(path.name) and path.name not in written:
            path.unlink(missing_ok=True)


def write_tables(results, out=None, *, metric=None, analyses=None):
    """Write ``runs.csv`` (a row per run), ``summary.csv`` (a row per context and strategy,
    for runs outside any sampled design) and, for a design, ``sensitivity.csv``,
    ``robustness.csv``, ``regret.csv`` and ``boxes.csv`` (:func:`sim.analysis.sections.tables`)."""
    from sim.analysis.sections import tables

    out = Path(out) if out is not None else report_folder(results, metric)
    store.write_atomic(out / "runs.csv", lambda p: results.runs.to_csv(p, index=False))
    plain = results.outside_designs()
    if plain is not None:
        summary = summary_table(plain, metric or plain.default_metric())
        store.write_atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    analyses = analyses_of(results, metric) if analyses is None else analyses
    for analysis in analyses[-1:]:  # the latest design's, when a store holds several
        for name, frame in tables(analysis).items():
            store.write_atomic(out / name, lambda p, f=frame: f.to_csv(p, index=False))
