"""The ranking as terminal text (:func:`format_ranking`); the ranking itself is
:func:`sim.results.rank` (kept here by name, as :data:`COLUMNS` and
:func:`higher_is_better`)."""

from __future__ import annotations

import math

import pandas as pd

from sim.metrics import format_metric as show
from sim.metrics import higher_is_better
from sim.results.ranking import COLUMNS, rank

__all__ = [
    "COLUMNS",
    "ensemble_lines",
    "format_horizons",
    "format_plateaus",
    "format_ranking",
    "higher_is_better",
    "horizons_text",
    "plateaus_text",
    "rank",
]


def format_ranking(table, *, title=None) -> str:
    """The ranking of one context as terminal text, one line per strategy."""
    lines = [title] if title else []
    width = max([len(str(s)) for s in table["strategy"]] + [8])
    has_cost = table["cost"].notna().any()
    head = f"  {'rank':<5} {'strategy':<{width}}  {'mean':>7}  {'95 % CI':<17}"
    head += "  cost (person-days)" if has_cost else ""
    head += "  vs next (paired)"
    lines.append(head)
    for row in table.itertuples(index=False):
        mark = f"{row.rank}{'=' if row.tie else ''}"
        metric = row.metric
        ci = f"[{show(metric, row.ci_low)}, {show(metric, row.ci_high)}]"
        line = f"  {mark:<5} {row.strategy!s:<{width}}  {show(metric, row.mean):>7}  {ci:<17}"
        if has_cost:
            cost = "-" if math.isnan(row.cost) else f"{row.cost:,.0f}"
            line += f"  {cost:>18}"
        if not math.isnan(row.vs_next):
            line += f"  {show(metric, row.vs_next, signed=True)}"
            if row.paired:
                low, high = (show(metric, v, signed=True, unit=False)
                             for v in (row.vs_next_low, row.vs_next_high))  # fmt: skip
                line += f" [{low}, {high}]"
            if row.tied_with_next:
                need = row.replications_to_separate
                if row.paired and not math.isnan(need):
                    line += f"  tie: ~{need:,.0f} replications would separate them"
                    line += f" (have {row.replications})"
                elif row.paired:
                    line += "  tie: no difference at all"
                else:
                    line += "  tie (unpaired: intervals overlap)"
        if row.never:
            line += f"  ({row.never} runs never reached it)"
        lines.append(line)
    return "\n".join(lines)


def _percent(share) -> str:
    return f"{100 * share:.0f} %"


def ensemble_lines(verdicts, lead, metric) -> list[str]:
    """What one context's verdict is worth over the plausible models (posterior draws):
    how often each strategy is best and clearly best (:func:`sim.results.verdict_probabilities`)
    and the leader's lead across models, its spread split into what the evidence leaves open
    and chance (:func:`sim.results.lead_across_draws`). Sentences, one per line."""
    if verdicts.empty:
        return []
    models = int(verdicts["models"].max())
    said = [f"{row.strategy} in {_percent(row.p_best)}"
            + (f" (clearly in {_percent(row.p_clear)})" if row.p_clear > 0 else "")
            for row in verdicts.itertuples(index=False) if row.p_best > 0]  # fmt: skip
    never = [str(s) for s, p in zip(verdicts["strategy"], verdicts["p_best"], strict=True)
             if p == 0]  # fmt: skip
    lines = [f"Best across {models} plausible models (posterior draws): {'; '.join(said)}"
             + (f"; never {', '.join(never)}" if never else "") + "."]  # fmt: skip
    if not lead.empty:
        row = lead.iloc[0]
        low, high = (show(metric, v, signed=True, unit=False)
                     for v in (row.lead_low, row.lead_high))  # fmt: skip
        share = row.evidence_share
        split = ("" if math.isnan(share) else
                 f"; of its spread, {_percent(share)} is what the evidence leaves open (between "
                 f"models) and {_percent(1 - share)} chance (between replications)")  # fmt: skip
        lines.append(f"{row.leader} leads {row.runner_up} by "
                     f"{show(metric, row.lead, signed=True)} on average over the models, "
                     f"[{low}, {high}] in 90 % of them{split}.")  # fmt: skip
    return lines


#: How each measure of :func:`sim.results.horizon_verdicts` is named, before "week h".
_MEASURE_WORDS = {
    "weeks": "by share-weeks to",
    "share": "by the share at",
    "per_day": "by share-weeks per 100 person-days spent to",
}


def _horizon_phrases(verdicts, tie):
    """``([(measure's words, [weeks], [best at each])], [phrases that differ from the main
    verdict])``, measures in the order of the verdicts."""
    said, flips = {}, []
    for row in verdicts.itertuples(index=False):
        words = _MEASURE_WORDS[row.measure]
        weeks, best = said.setdefault(words, ([], []))
        weeks.append(str(row.horizon))
        best.append(row.best if row.clear else f"{row.best} ({tie})")
        if row.flip:
            flips.append(f"{words} week {row.horizon}")
    return [(words, *pair) for words, pair in said.items()], flips


def format_horizons(verdicts, behavior="contributing") -> str:
    """The best strategy at each horizon and by each measure (one context of
    :func:`sim.results.horizon_verdicts`), a line per measure, and where that differs
    from the verdict by share-weeks at the last week."""
    said, flips = _horizon_phrases(verdicts, "tie")
    lines = [f"  best {behavior} {what} week {', '.join(weeks)}: {'; '.join(best)}"
             for what, weeks, best in said]  # fmt: skip
    if flips:
        lines.append(f"  a different verdict by: {', '.join(flips)}")
    return "\n".join(lines)


def horizons_text(verdicts, behavior="contributing") -> str:
    """:func:`format_horizons` as one paragraph of the report."""
    said, flips = _horizon_phrases(verdicts, "tied")
    text = f"At other horizons, the best {behavior} " + "; ".join(
        f"{what} week {', '.join(weeks)}: {', '.join(best)}" for what, weeks, best in said
    )
    text += "."
    if flips:
        text += (f" The verdict above differs from these by {', '.join(flips)}: the horizon, "
                 "the measure or the pace of spending decides it.")  # fmt: skip
    return text


def _plateau_phrases(plateaus):
    """``strategy week`` or ``strategy still growing at week w`` for each strategy, those
    that stop first first."""
    order = plateaus.assign(_key=plateaus["plateau"].fillna(10**9)).sort_values(
        ["_key", "strategy"], kind="stable"
    )
    return [
        f"{row.strategy} still growing at week {row.last}"
        if pd.isna(row.plateau)
        else f"{row.strategy} {row.plateau}"
        for row in order.itertuples(index=False)
    ]


def format_plateaus(plateaus, behavior="contributing") -> str:
    """When each strategy's share stops growing (one context of
    :func:`sim.results.plateau_weeks`), one line."""
    if plateaus.empty:
        return ""
    return f"  {behavior} stops growing (within 1 point) by week: " + "; ".join(
        _plateau_phrases(plateaus)
    )


def plateaus_text(plateaus, behavior="contributing") -> str:
    """:func:`format_plateaus` as a sentence of the report."""
    if plateaus.empty:
        return ""
    text = (f"The share {behavior} stops growing (never again more than 1 point higher) by "
            f"week: {'; '.join(_plateau_phrases(plateaus))}.")  # fmt: skip
    if plateaus["plateau"].isna().any():
        text += (" Where it is still growing, share-weeks measure how early it took off as "
                 "much as how far it goes: a longer horizon may change the verdict.")  # fmt: skip
    return text
