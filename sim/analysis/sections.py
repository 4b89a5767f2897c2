"""An analysis in words, tables and figures: for the terminal, the report and CSVs.

:func:`sections` gives the report's sections (the block format of
:mod:`sim.report.document`), :func:`print_analysis` the terminal's answer,
:func:`tables` the CSVs written beside the report.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis import figures
from sim.metrics import metric_label

__all__ = ["print_analysis", "sections", "tables"]

#: Strategies whose indices get a figure of their own (the table shows them all).
MAX_INDEX_FIGURES = 4
_METHOD_NAMES = {
    "morris": "Morris elementary effects",
    "sobol": "Sobol indices",
    "latin": "Latin hypercube",
}


def _g(value, digits=3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}g}"


def _label(metric):
    return metric_label(metric), metric_label(metric, short=True)


def design_text(analysis) -> str:
    record = analysis.record
    settings = record.settings
    jobs = record.jobs
    reps = sorted(jobs["replications"].unique())
    seeds = sorted(jobs["seed"].unique())
    extra = {
        "morris": f", r = {settings['samples']} trajectories on {settings['levels']} levels",
        "sobol": f", N = {settings['samples']}"
        + (" with second order" if settings["second_order"] else ""),
        "latin": "",
    }[record.method]
    finished = (
        analysis.regret["point"].nunique()
        if not analysis.regret.empty
        else (int(analysis.indices["points"].max()) if not analysis.indices.empty else 0)
    )
    return (
        f"{_METHOD_NAMES[record.method]} over {len(record.names)} parameters{extra}: "
        f"{len(record.sample)} points (sample seed {settings['seed']}), "
        f"{jobs.shape[0]} jobs, {', '.join(map(str, reps))} replications each on seed "
        f"{', '.join(map(str, seeds))}: every point ran the same random numbers, so "
        f"differences between points are paired. {finished} points analysed; outcome: "
        f"{_label(analysis.metric)[0]} (design {record.digest})."
    )


def ranges_table(record) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"parameter": k, "low": v[0], "high": v[1]}
            for k, v in record.settings["parameters"].items()
        ]
    )


def sensitivity_verdict(table, method, metric) -> str:
    label = _label(metric)[0]
    if method == "morris":
        strong = table[table["mu_star"] > 2 * table["noise"].fillna(0)]
        null = table[~table.index.isin(strong.index)]
        lead = ", ".join(f"{r.parameter} ({_g(r.mu_star)})" for r in strong.head(3).itertuples())
        text = (
            f"On {label}, the parameters that matter most are {lead} (mu*, per whole range)."
            if len(strong)
            else f"No parameter moves {label} beyond replication noise."
        )
        if len(null):
            text += (
                f" {len(null)} of {len(table)} are indistinguishable from no effect "
                f"(mu* below twice the replication noise): "
                f"{', '.join(null['parameter'])}."
            )
        return text
    column = "ST" if "ST" in table.columns else "S1"
    lead = ", ".join(
        f"{r.parameter} ({_g(getattr(r, column), 2)})" for r in table.head(3).itertuples()
    )
    null = table[table[column] - table[f"{column}_conf"] <= 0]
    text = f"On {label}, the largest {column} are {lead}."
    if len(null):
        text += (
            f" {len(null)} of {len(table)} have an interval that reaches 0: "
            f"{', '.join(null['parameter'])}."
        )
    return text


def robustness_verdict(table, worlds) -> str:
    best = table.iloc[0]
    worst_case = table.sort_values("max_regret").iloc[0]
    text = (
        f"Across {worlds} sampled worlds, {best['strategy']} has the least regret on "
        f"average ({_g(best['mean_regret'])}; 90 % of worlds within "
        f"{_g(best['p90_regret'])}) and wins {best['wins']} of them"
        f" ({best['clear_wins']} clearly)."
    )
    if worst_case["strategy"] != best["strategy"]:
        text += (
            f" {worst_case['strategy']} has the smallest worst case "
            f"({_g(worst_case['max_regret'])})."
        )
    clear = int(table["clear_wins"].sum())
    if clear < 0.5 * worlds:
        text += (
            f" In {worlds - clear} of {worlds} worlds the best two cannot be told apart "
            "with these replications: there, regret is as much noise as fact."
        )
    return text


def _robustness_display(table) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "strategy": table["strategy"],
            "outcome: mean": table["mean"].map(_g),
            "5-95 %": [
                f"{_g(a)} - {_g(b)}" for a, b in zip(table["p5"], table["p95"], strict=True)
            ],
            "regret: mean": table["mean_regret"].map(_g),
            "90 %": table["p90_regret"].map(_g),
            "max": table["max_regret"].map(_g),
            "worlds won": [
                f"{w} ({c} clearly)"
                for w, c in zip(table["wins"], table["clear_wins"], strict=True)
            ],
            **(
                {"cost (person-days)": table["cost"].map(lambda v: f"{v:,.0f}")}
                if "cost" in table
                else {}
            ),
        }
    )


def boxes_display(boxes) -> pd.DataFrame:
    rows = []
    for row in boxes.itertuples(index=False):
        box = row.box
        rows.append(
            {
                "strategy": row.strategy,
                "worlds won": f"{row.wins} of {row.worlds}",
                "where it wins (PRIM box)": box.describe() if box is not None else _no_box(row),
                "coverage": f"{box.coverage:.0%}" if box is not None else "",
                "density": f"{box.density:.0%}" if box is not None else "",
                "worlds in box": box.worlds if box is not None else "",
            }
        )
    return pd.DataFrame(rows)


def _no_box(row) -> str:
    from sim.analysis.study import MIN_WIN_SHARE, MIN_WINS

    if row.wins == row.worlds:
        return "everywhere sampled"
    if row.wins < max(MIN_WINS, MIN_WIN_SHARE * row.worlds):
        return "too few wins for a box" if row.wins else "nowhere sampled"
    return "no box where it wins often enough (analysis.threshold)"


def _leaves_display(leaves) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region (tree leaf)": [b.describe() for b in leaves["box"]],
            "most often wins": leaves["label"],
            "share of the leaf's worlds": leaves["density"].map(lambda v: f"{v:.0%}"),
            "worlds": leaves["worlds"],
        }
    )


def _index_display(table, method) -> pd.DataFrame:
    from sim.analysis.sensitivity import COLUMNS

    columns = COLUMNS[method]
    shown = table[["parameter", *columns]].copy()
    for column in columns:
        shown[column] = shown[column].map(_g)
    return shown


def sections(analysis, palette=None, trace="") -> list:
    """The report's sections of one analysis: ``[(title, blocks)]``."""
    record, metric = analysis.record, analysis.metric
    label, short = _label(metric)
    out = [("The design", [("text", design_text(analysis)), ("table", ranges_table(record))])]
    for note in analysis.notes:
        out[0][1].append(("text", f"Note: {note}"))
    for context, where in analysis.contexts:
        blocks = []
        own = analysis.select("indices", where)
        strategies = sorted(own["strategy"].unique()) if not own.empty else []
        for k, strategy in enumerate(strategies):
            table = own[own["strategy"] == strategy].drop(columns=[*where, "strategy"])
            if len(strategies) > 1:
                blocks.append(("heading", strategy))
            blocks.append(("text", sensitivity_verdict(table, record.method, metric)))
            blocks.append(("table", _index_display(table, record.method)))
            if k < MAX_INDEX_FIGURES:
                make = (
                    (lambda t=table: figures.morris(t, metric_label=short))
                    if record.method == "morris"
                    else (lambda t=table: figures.sobol(t))
                )
                what = (
                    "mu* (bars, 95 % bootstrap interval) and sigma of the elementary effects"
                    if record.method == "morris"
                    else "indices with 95 % bootstrap intervals"
                )
                blocks.append(
                    (
                        "figure",
                        "indices",
                        make,
                        f"Which parameters drive {label} under {strategy}: {what}. {trace}",
                    )
                )
        if blocks:
            title = "Which parameters matter" + (f" ({context})" if context else "")
            out.append((title, blocks))
        regret = analysis.select("regret", where)
        if regret.empty:
            continue
        summary = analysis.select("robustness", where).drop(columns=list(where))
        worlds = int(regret["point"].nunique())
        blocks = [
            ("text", robustness_verdict(summary, worlds)),
            ("table", _robustness_display(summary)),
            (
                "figure",
                "robustness",
                lambda r=regret: figures.outcomes(r, palette=palette, metric_label=short),
                f"Each strategy's {label} in each sampled world (dots) and its regret "
                f"against the best strategy of that world. {trace}",
            ),
        ]
        out.append(("Which rollout is robust" + (f" ({context})" if context else ""), blocks))
        boxes = analysis.select("boxes", where)
        blocks = [
            (
                "text",
                "Scenario discovery: the region of the sampled uncertainties where each "
                "strategy wins, as a box (PRIM; coverage: the share of its wins inside "
                "the box; density: the share of the box's worlds it wins).",
            )
        ]
        if not boxes.empty:
            blocks.append(("table", boxes_display(boxes)))
        winners = (
            regret[regret["winner"]][["point", "strategy"]]
            .rename(columns={"strategy": "winner"})
            .merge(analysis.worlds, on="point")
        )
        found = (
            {r.strategy: r.box for r in boxes.itertuples(index=False)} if not boxes.empty else {}
        )
        strength = None
        if not analysis.indices.empty and "S1" in analysis.indices:
            strength = analysis.select("indices", where).groupby("parameter")["S1"].mean()
        x, y = figures.pick_axes(record.names, found.values(), strength)
        blocks.append(
            (
                "figure",
                "winners",
                lambda w=winners, x=x, y=y, b=found: figures.winners(
                    w, x, y, palette=palette, boxes=b
                ),
                f"Which strategy wins in each sampled world, on {x} and {y}; dashed: the PRIM "
                f"boxes that restrict them. {trace}",
            )
        )
        leaves = analysis.select("leaves", where)
        if not leaves.empty:
            blocks.append(
                (
                    "text",
                    "The same as a classification tree of the winners (CART, at "
                    "most 3 levels, each leaf at least 5 % of the worlds):",
                )
            )
            blocks.append(("table", _leaves_display(leaves)))
        out.append(("Where each rollout wins" + (f" ({context})" if context else ""), blocks))
    return out


def print_analysis(analysis, file=None) -> None:
    """The analysis on the terminal: the design, the verdicts, the tables."""
    import sys

    file = file or sys.stdout
    record = analysis.record
    print(design_text(analysis), file=file)
    for note in analysis.notes:
        print(f"note: {note}", file=file)
    for context, where in analysis.contexts:
        head = f"{context}: " if context else ""
        own = analysis.select("indices", where)
        for strategy in sorted(own["strategy"].unique()) if not own.empty else []:
            table = own[own["strategy"] == strategy].drop(columns=[*where, "strategy"])
            print(
                f"\n{head}{strategy}: {sensitivity_verdict(table, record.method, analysis.metric)}",
                file=file,
            )
            print(_index_display(table, record.method).head(20).to_string(index=False), file=file)
        regret = analysis.select("regret", where)
        if regret.empty:
            continue
        summary = analysis.select("robustness", where).drop(columns=list(where))
        print(f"\n{head}{robustness_verdict(summary, int(regret['point'].nunique()))}", file=file)
        print(_robustness_display(summary).to_string(index=False), file=file)
        boxes = analysis.select("boxes", where)
        if not boxes.empty:
            print("\nWhere each rollout wins (PRIM boxes):", file=file)
            print(boxes_display(boxes).to_string(index=False), file=file)


def tables(analysis) -> dict:
    """``{file name: DataFrame}``: sensitivity.csv, robustness.csv, regret.csv, boxes.csv."""
    out = {}
    if not analysis.indices.empty:
        out["sensitivity.csv"] = analysis.indices.assign(metric=analysis.metric)
    if not analysis.regret.empty:
        regret = analysis.regret.merge(analysis.worlds, on="point")
        out["regret.csv"] = regret.assign(metric=analysis.metric)
        out["robustness.csv"] = analysis.robustness.assign(metric=analysis.metric)
    if not analysis.boxes.empty:
        rows = []
        for row in analysis.boxes.itertuples(index=False):
            base = {k: getattr(row, k) for k in analysis.boxes.columns if k != "box"}
            box = row.box
            if box is None:
                rows.append({**base, "box": _no_box(row)})
                continue
            if box.limits.empty:
                rows.append({**base, "box": box.describe(), "coverage": box.coverage,
                             "density": box.density, "worlds_in_box": box.worlds})  # fmt: skip
            for limit in box.limits.itertuples(index=False):
                rows.append(
                    {
                        **base,
                        "box": box.describe(),
                        "coverage": box.coverage,
                        "density": box.density,
                        "worlds_in_box": box.worlds,
                        "parameter": limit.parameter,
                        "low": limit.low,
                        "high": limit.high,
                        "qp": limit.qp,
                    }
                )
        out["boxes.csv"] = pd.DataFrame(rows).assign(metric=analysis.metric)
    return out
