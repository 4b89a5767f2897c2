"""``orgsim report DIR`` (and ``orgsim-report DIR``), ``orgsim analyze DIR``, and how a
sweep ends.

A sweep ends with the answer, not file paths: the ranking of its strategies
per context (or a one-screen summary per scenario when it has no strategy
axis), read back from the store, so that a rerun of finished jobs prints
the same; then, when ``report`` is on, the report's path. ``orgsim analyze``
prints the analysis of a store's sampled design (the design, the indices
and, with several strategies, their robustness and where each wins) and
writes the report, whose ``report.html`` gains these sections, with
``sensitivity.csv``, ``robustness.csv``, ``regret.csv`` and ``boxes.csv``.
"""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from sim import store
from sim.results import (
    ReportError,
    format_interval,
    in_context,
    load,
    metric_label,
    of_patterns,
)

__all__ = ["analyze_main", "conclude", "print_answer", "report_main"]


def _say(message, file=sys.stderr):
    print(message, file=file, flush=True)


def print_answer(results, metric=None, file=None, analyses=None, horizons=False) -> None:
    """Print the ranking per context (or a summary per scenario with one strategy); for a
    sampled design, its analysis (indices, robustness, boxes: :mod:`sim.analysis`).

    With ``horizons``, each context's ranking is followed by the best strategy at 26, 52
    and 104 weeks by share-weeks and by the share at that week, and the flips
    (:func:`sim.results.horizons.horizon_verdicts`; it reads the curves)."""
    from sim.analysis.sections import print_analysis
    from sim.report.document import analyses_of
    from sim.report.ranking import (
        ensemble_lines,
        format_horizons,
        format_plateaus,
        format_ranking,
    )

    file = file or sys.stdout
    for analysis in analyses_of(results, metric) if analyses is None else analyses:
        print_analysis(analysis, file=file)
    results = results.outside_designs()
    if results is None:
        return
    from sim.validation.studies import has_studies, print_studies

    if has_studies(results):  # a classic result: the paper's numbers beside orgsim's
        print_studies(results, file=file)
        if len(results.strategies) < 2:
            return
    metric = metric or results.default_metric()
    if len(results.strategies) < 2:
        # A replication is a (seed, replication) pair: two seeds of 3 are 6 per scenario.
        pairs = results.runs.groupby("config_hash")[["seed", "replication"]].value_counts()
        _print_scenarios(results, metric, _span(pairs.groupby(level=0).size()), file)
        return
    table = results.ranking(metric)
    # What the paired differences used: each strategy's (seed, replication) pairs.
    held = f"{_span(table['replications'])} paired replications"
    if results.draws:
        each = results.runs.groupby(["config_hash", "draw"])[["seed", "replication"]]
        counts = each.value_counts().groupby(level=0).size()
        held = f"{results.draws} plausible models (posterior draws) x {_span(counts)}"
        held += " paired replications"
    print(f"Ranking by {metric_label(metric)}; {held}, 95 % intervals; = marks strategies "
          "that cannot be told apart", file=file)  # fmt: skip
    verdicts = results.horizon_verdicts() if horizons else None
    plateaus = results.plateau_weeks() if horizons else None
    chances = results.verdict_probabilities(metric)
    leads = results.lead_across_draws(metric)
    for label, where in results.contexts():
        part = in_context(table, where)
        title = f"{results.title(label, where)}:" if label else None
        print(format_ranking(part, title=title), file=file)
        for line in ensemble_lines(in_context(chances, where), in_context(leads, where), metric):
            print(f"  {line}", file=file)
        if verdicts is not None and not verdicts.empty:
            print(format_horizons(in_context(verdicts, where)), file=file)
        if plateaus is not None and not plateaus.empty:
            print(format_plateaus(in_context(plateaus, where)), file=file)
    if horizons:  # the answer in words, a paragraph per context (sim.report.story)
        _print_brief(results, metric, file)


def _print_brief(results, metric, file):
    import textwrap

    from sim.report.story import why_paragraph

    said = [why_paragraph(results, label, where, metric) for label, where in results.contexts()]
    said = [text for text in said if text]
    if said:
        print("\nIn brief:", file=file)
    for text in said:
        # A number and its unit stay on one line (a no-break space while wrapping).
        kept = text.replace(" %", "\u00a0%")
        wrapped = textwrap.fill(kept, width=100, initial_indent="  ", subsequent_indent="  ")
        print(wrapped.replace("\u00a0", " "), file=file)


def _span(counts) -> str:
    """``6``, or ``3-6`` when the counts differ."""
    low, high = int(counts.min()), int(counts.max())
    return f"{low}" if low == high else f"{low}-{high}"


def _print_scenarios(results, metric, held, file):
    from sim.metrics import intervals

    shown = [metric, *of_patterns(results.runs, "final_fraction_<b>", "weeks_to_50pct_<b>")]
    shown += of_patterns(results.runs, "cost_total")
    strategy = results.strategies[0]
    print(f"{strategy}: {held} replications per scenario (mean, 95 % interval):", file=file)
    for label, where in results.contexts():
        runs = results.select("runs", where)
        table = intervals(runs, list(dict.fromkeys(shown)))
        if label:
            print(f"{results.title(label, where)}:", file=file)
        for name, row in table.iterrows():
            print(f"  {metric_label(name):<58} {format_interval(name, row, len(runs))}", file=file)


def conclude(jobs, write=True) -> list:
    """End a sweep: print each store's answer for the command's jobs; write its report.

    ``jobs`` are :class:`sim.precheck.Job`; only their replications are read
    (the store may hold others). Returns the problems met (one line each).
    """
    from sim.analysis.study import AnalysisError
    from sim.report.document import analyses_of
    from sim.report.writing import report_folder, write_report, write_tables

    problems = []
    for where in dict.fromkeys(job.store for job in jobs):
        mine = [j for j in jobs if j.store == where]
        try:
            results = load(where, jobs=mine, quiet=True)
            analyses = analyses_of(results)
        except (ReportError, AnalysisError) as error:
            problems.append(str(error))
            continue
        reporting = write and any(j.report for j in mine)
        # The horizons read the curves, which a report reads anyway.
        print_answer(results, analyses=analyses, horizons=reporting)
        # A command's own runs among a store's: its report and tables beside the store's,
        # named by what they cover (a sweep beside another replaces nothing of it).
        out = report_folder(results)
        try:
            write_tables(results, out, analyses=analyses)
            path = write_report(results, out, analyses=analyses) if reporting else None
        except store.StoreError as error:
            problems.append(str(error))
            continue
        except Exception as error:  # the runs are stored whatever the drawing does
            problems.append(f"cannot draw the report of {where}: {type(error).__name__}: "
                            f"{error}; the results are stored (orgsim report {where})")  # fmt: skip
            continue
        if path is not None:
            _say(f"report: {path}", file=sys.stdout)
        tables = ("runs.csv, sensitivity.csv" + (", robustness.csv, regret.csv, boxes.csv"
                  if any(not a.regret.empty for a in analyses) else "")) if analyses else (
            "runs.csv and summary.csv")  # fmt: skip
        beside = "beside runs.parquet" if out == where else f"in {out}"
        _say(f"results: {where} ({tables} {beside})", file=sys.stdout)
    return problems


def report_main(argv=None, prog="orgsim report") -> int:
    """``orgsim report DIR [--metric M] [--reference S] [--out DIR]``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Rank the strategies of a results store and write report.html, report.md, "
        "figures/, runs.csv and summary.csv (finished runs only: it works while a sweep runs).",
    )
    parser.add_argument("dir", type=Path, help="a store: results/<task_name>")
    parser.add_argument("--metric", help="the outcome to rank by (default: the time-integrated "
                        "contributing share, auc_fraction_weeks_contribute); one of "
                        f"{metric_help()}")  # fmt: skip
    parser.add_argument("--reference", help="the strategy the differences are drawn from "
                        "(default: the best in each context)")  # fmt: skip
    parser.add_argument(
        "--out",
        "--output",
        type=Path,
        help="where to write (default: the "
        "store itself; with --metric or --reference, reports/by-<metric>, "
        "reports/vs-<strategy> in it, so that no report replaces another)",
    )
    args = parser.parse_args(argv)
    code = 0
    with stoppable(prog) as stopped:
        code = write_answer(args.dir, metric=args.metric, reference=args.reference, out=args.out,
                            prog=prog)  # fmt: skip
    return stopped.status or code


class _Stopped(KeyboardInterrupt):
    """SIGTERM, raised where the command is, so that what it was writing is cleaned up."""


class _Status:
    status = 0
    signalled = False


@contextmanager
def stoppable(prog):
    """Run a report command so that SIGTERM or Ctrl-C ends it in one line, with its drawing
    workers stopped and no temporary file left (the status is 143 or 130 after the block)."""

    status = _Status()

    def terminated(signum, frame):
        status.signalled = True
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield status
        if status.signalled:
            # The exception was swallowed where Python ignores them (an at-fork hook, a
            # finalizer) and the command went on to the end: say so, with the same status.
            status.status = 143
            _say(f"{prog}: terminated: the stop came while the report was being finished; "
                 "it was written whole")  # fmt: skip
    except KeyboardInterrupt as stop:
        status.status = 143 if isinstance(stop, _Stopped) else 130
        how = "terminated" if status.status == 143 else "interrupted"
        _say(f"{prog}: {how}: the report was not finished; no file was left half-written")
    finally:
        signal.signal(signal.SIGTERM, previous)


def metric_help() -> str:
    """The outcome metrics for ``--help``: ``<b>`` a behavior (consume, contribute, create)."""
    from sim.metrics import describe_outcomes

    # argparse reads % as a format: double it.
    return (describe_outcomes() + "; <b> is a behavior of the ladder (consume, contribute, "
            "create)").replace("%", "%%")  # fmt: skip


def write_answer(where, *, metric=None, reference=None, out=None, prog="orgsim report") -> int:
    """Print the answer of the store at ``where`` and write its report; an exit status."""
    from sim.analysis.study import AnalysisError
    from sim.report.document import analyses_of
    from sim.report.writing import write_report

    try:
        results = load(where, metric=metric)
        analyses = analyses_of(results, metric)
    except (ReportError, AnalysisError) as error:
        _say(f"{prog}: error: {error}")
        return 2
    except store.StoreError as error:
        _say(f"{prog}: error: {error}")
        return 1
    if reference is not None and reference not in results.strategies:
        _say(f"{prog}: error: --reference {reference}: not a strategy of this store "
             f"({', '.join(results.strategies)})")  # fmt: skip
        return 2
    print_answer(results, metric, analyses=analyses, horizons=True)
    try:
        path = write_report(results, out, metric=metric, reference=reference,
                            analyses=analyses)  # fmt: skip
    except store.StoreError as error:
        _say(f"{prog}: error: {error}")
        return 1
    print(f"report: {path}")
    return 0


def analyze_main(argv=None, prog="orgsim analyze") -> int:
    """``orgsim analyze DIR [--metric M] [--out DIR]``; returns the exit status."""
    from sim.results import read_records

    parser = argparse.ArgumentParser(
        prog=prog,
        description="Sensitivity indices (SALib: Morris, Sobol, RBD-FAST), regret across the "
        "sampled worlds and where each strategy wins (PRIM, CART) for the sampled design of a "
        "results store; written into its report.html and CSVs.",
        epilog="A design is a sweep with analysis.method and analysis.parameters, as in: "
        "orgsim -m +experiment=sensitivity_morris, or orgsim -m +experiment=robust_rollout.",
    )
    parser.add_argument("dir", type=Path, help="a store: results/<task_name>")
    parser.add_argument(
        "--metric",
        help="the outcome analysed (default: the design's "
        f"analysis.metric, else auc_fraction_weeks_contribute); one of {metric_help()}",
    )
    parser.add_argument(
        "--out", "--output", type=Path, help="where to write (default: the store itself)"
    )
    args = parser.parse_args(argv)
    found = store.stores(args.dir)
    try:
        designs = read_records(found[0]) if len(found) == 1 else None
    except store.StoreError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    if designs == []:
        print(
            f"{prog}: error: {found[0]}: no sampled design here (a sweep with "
            "analysis.method; orgsim report draws a plain sweep)",
            file=sys.stderr,
        )
        return 2
    code = 0
    with stoppable(prog) as stopped:
        code = write_answer(args.dir, metric=args.metric, out=args.out, prog=prog)
    return stopped.status or code
