"""The answer in plain words: one paragraph per context (a culture), built from the numbers.

Which rollout, how sure (over the plausible models where the runs ran on a posterior ensemble,
else over replications), by how much in words a manager reads (contributing-weeks as the share
of the company contributing in an average week), why (the channels that carry the lead,
:func:`sim.results.why.why_table`), at what cost, and what would change the answer (the
plausible models where another rollout wins, the horizons and measures that flip it, and the
PRIM boxes of a sampled design in the same store where there is one).
"""

from __future__ import annotations

import pandas as pd

from sim.metrics import format_metric as show
from sim.metrics import metric_label
from sim.results.keys import in_context

__all__ = ["mean_share", "why_paragraph"]

#: A channel carries a lead when switching it off takes at least this share of the lead.
CARRIES = 0.1


def _percent(share) -> str:
    return f"{100 * share:.0f} %"


def mean_share(metric, value, weeks):
    """A time-integrated share (``auc_fraction_weeks_<b>``) as the share holding the behavior
    in an average week of the ``weeks`` run; None for any other metric."""
    if not metric.startswith("auc_fraction_weeks_") or not weeks:
        return None
    return value / weeks


def _translate(metric, value, runs, signed=False) -> str:
    weeks = int(runs["steps"].max()) if "steps" in runs and runs["steps"].notna().any() else 0
    share = mean_share(metric, value, weeks)
    number = f"{show(metric, value, signed=signed)} {metric_label(metric, short=True)}"
    if share is None:
        return number
    behavior = metric_label(metric, short=True).removesuffix("-weeks")
    points = 100 * abs(share)
    amount = f"{points:.0f} %" if points >= 10 else f"{points:.1f} %"
    more = " more" if signed else ""
    return (f"{number} (on average {amount}{more} of the company {behavior} in any week of "
            f"the {weeks} weeks run)")  # fmt: skip


def _channels(why, runner_up) -> str:
    from sim.channels import CHANNEL_WORDS

    if why.empty:
        return ""
    lead = float(why["lead"].iloc[0])
    if not lead:
        return ""
    carry = why[(why["gone_low"] > 0) & (why["share"] >= CARRIES)]
    against = why[(why["gone_high"] < 0) & (why["share"] <= -CARRIES)]

    def words(rows):
        return " and ".join(f"{CHANNEL_WORDS.get(r.channel, r.channel)} ({_percent(abs(r.share))})"
                            for r in rows.itertuples(index=False))  # fmt: skip

    if carry.empty:
        text = ("Why: no single channel carries the lead (switching any one off for both "
                "takes less than a tenth of it, or cannot be told from chance).")  # fmt: skip
    else:
        text = (f"Why: the lead runs through {words(carry)}: the share of the lead that goes "
                "when that channel is switched off for both.")  # fmt: skip
    if not against.empty:
        text += f" Working for {runner_up} instead: {words(against)}."
    return f" {text} One channel at a time, so the shares need not add up to 100 %."


def why_paragraph(results, label, where, metric, analyses=()) -> str:
    """One context's answer in plain words (see the module)."""
    ranking = in_context(results.ranking(metric), where).sort_values("rank", kind="stable")
    runs = results.select("runs", where)
    title = results.title(label, where) if label else "these runs"
    if len(ranking) < 2:
        return ""
    first, second = ranking.iloc[0], ranking.iloc[1]
    leader, runner_up = first["strategy"], second["strategy"]
    tied = bool(first["tied_with_next"])
    text = f"In {title}: "
    chances = in_context(results.verdict_probabilities(metric), where)
    leads = in_context(results.lead_across_draws(metric), where)
    if not chances.empty:
        row = chances[chances["strategy"] == leader].iloc[0]
        models = int(row["models"])
        if tied:
            other = chances[chances["strategy"] == runner_up]["p_best"]
            text += (f"{leader} and {runner_up} cannot be told apart over every model and "
                     f"replication; {leader} is best in {_percent(row['p_best'])} of the {models} "
                     f"plausible models the evidence allows, {runner_up} in "
                     f"{_percent(other.iloc[0] if len(other) else 0.0)}.")  # fmt: skip
        else:
            text += (f"{leader} is the rollout to choose in {_percent(row['p_best'])} of the "
                     f"{models} plausible models the evidence allows, clearly so (its paired "
                     f"interval excludes 0) in {_percent(row['p_clear'])}.")  # fmt: skip
    elif tied:
        text += f"{leader} and {runner_up} cannot be told apart on these replications."
    else:
        text += f"{leader} is the rollout to choose on these replications."
    text += (f" It reaches {_translate(metric, float(first['mean']), runs)}, "
             f"{_translate(metric, float(first['vs_next']), runs, signed=True)} than "
             f"{runner_up}")  # fmt: skip
    if not leads.empty and leads["leader"].iloc[0] == leader:
        lead = leads.iloc[0]
        low, high = (show(metric, v, signed=True) for v in (lead["lead_low"], lead["lead_high"]))
        text += (f" ({low} to {high} across 90 % of the models; "
                 f"{_percent(lead['evidence_share'])} of that spread is what the evidence "
                 "leaves open, the rest chance)")  # fmt: skip
    text += "."
    why = results.why(metric)
    why = in_context(why, where) if not why.empty else why
    if not why.empty and why["leader"].iloc[0] == leader:
        text += _channels(why, runner_up)
    if pd.notna(first.get("cost")) and pd.notna(second.get("cost")):
        text += (f" At what cost: {first['cost']:,.0f} person-days against "
                 f"{second['cost']:,.0f}.")  # fmt: skip
    text += _changes(results, where, leader, chances, analyses)
    return text


def _changes(results, where, leader, chances, analyses) -> str:
    said = []
    others = chances[(chances["strategy"] != leader) & (chances["p_best"] > 0)]
    if not others.empty:
        said.append(
            "the models where "
            + "; ".join(
                f"{r.strategy} wins ({_percent(r.p_best)})" for r in others.itertuples(index=False)
            )
        )
    horizons = results.horizon_verdicts()
    if not horizons.empty:
        flips = in_context(horizons, where)
        flips = flips[flips["flip"]]
        if not flips.empty:
            said.append("a shorter horizon or another measure (" + "; ".join(
                f"{r.best} at week {r.horizon} by {r.measure.replace('_', ' ')}"
                for r in flips.head(3).itertuples(index=False)) + ")")  # fmt: skip
    for analysis in analyses:
        boxes = analysis.boxes
        for row in boxes.itertuples(index=False) if not boxes.empty else []:
            if row.strategy != leader and row.box is not None:
                said.append(f"{row.strategy} wins where {row.box.describe()} (PRIM)")
    if not said:
        return (" What would change it: nothing among these runs; orgsim -m "
                "+experiment=robust_rollout maps where the culture and org would.")  # fmt: skip
    text = " What would change it: " + "; ".join(said) + "."
    if not analyses:
        text += " orgsim -m +experiment=robust_rollout maps where the culture and org would."
    return text
