"""What ``orgsim calibrate`` writes and says once the posterior is there: what the pilot
narrowed, how well the posterior redraws the pilot, and each candidate next step's forecast
with its bands and the verdict as probabilities, beside a Bass curve's extrapolation."""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim import facts
from sim.calibrate import drawing, fit
from sim.calibrate.pilot import RUNGS
from sim.store.files import write_atomic, write_csv

__all__ = ["bass_baseline", "candidates", "finish", "replays", "verdicts"]

#: The metric the verdict ranks on: contributing-weeks after the pilot (rung 1).
RUNG = 1


#: Weeks the "extend the pilot" candidate waits before opening the rest.
EXTEND = 8


def candidates(rollout, week, units_left, budget_per_person, waves) -> dict:
    """The next steps a change team can take after a pilot, at one budget (the pilot's own,
    or ``budget_per_person``): open the rest of the company at ``week``, all at once, in
    ``waves`` or ``EXTEND`` weeks later; and the whole rollout through the hierarchy (managers
    asked to endorse, leaders first) or with champions.

    orgsim's direction acts from the launch: a candidate whose direction differs from the
    pilot's replays the pilot weeks that way too (:func:`replays`), so it answers "had we run
    it that way from the start", not "what next"."""
    if rollout.scope != "pilot":
        return {"as it runs": rollout}
    base = dataclasses.replace(rollout, expand_week=int(week), expand_share=None, wave_units=None)
    if budget_per_person is not None:  # another budget than the pilot's: its weeks change too
        base = dataclasses.replace(base, budget=None, budget_per_person=float(budget_per_person))
    found = {"expand now": base,
             "in waves": dataclasses.replace(base, wave_units=max(1, math.ceil(units_left / waves)),
                                             wave_weeks=4),
             f"extend the pilot {EXTEND} weeks": dataclasses.replace(
                 base, expand_week=int(week) + EXTEND)}  # fmt: skip
    for name, direction in (("through the hierarchy", "hierarchical"),
                            ("with champions", "decentralized")):  # fmt: skip
        if rollout.direction != direction:
            found[name] = dataclasses.replace(base, direction=direction)
    return found


def replays(pilot_rollout, candidate) -> bool:
    """A candidate that would have run the pilot weeks otherwise (another direction)."""
    return candidate.direction != pilot_rollout.direction


def verdicts(scores, options, pilot_rollout) -> pd.DataFrame:
    """The verdict among the next steps that keep the pilot as it ran (``p_best``, lead and
    band), and among every candidate (``p_best_all``), a row per candidate."""
    kept = [n for n, c in options.items() if not replays(pilot_rollout, c)]
    table = (fit.verdict(scores[kept]).drop(columns="mean") if kept
             else pd.DataFrame({"candidate": []}))  # fmt: skip
    every = fit.verdict(scores)[["candidate", "mean", "p_best"]]
    every = every.rename(columns={"p_best": "p_best_all"})
    table = every.merge(table, on="candidate", how="left")
    table["replays_pilot"] = [replays(pilot_rollout, options[c]) for c in table["candidate"]]
    order = table["p_best"].fillna(-1).to_numpy() + 1e-3 * table["p_best_all"].to_numpy()
    return table.iloc[np.argsort(-order, kind="stable")].reset_index(drop=True)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def finish(setup, particles, args) -> dict:
    """Write every output of a finished calibration into ``setup.out``; print the answer."""
    study, out, pilot = setup.study, setup.out, setup.study.pilot
    rng = np.random.default_rng([args.seed, 31])
    full = study.table(particles)
    full.insert(0, "shipped_draw", full.pop("draw").astype(int))
    full.insert(0, "draw", np.arange(len(full)))
    full["epsilon"] = particles.attrs.get("epsilon", np.nan)
    narrowing = fit.compare(study.prior_sample(4000, rng), full, study.parameters())
    narrowing = narrowing.sort_values("narrowed", ascending=False, ignore_index=True)
    check = fit.check_table(pilot, study.predictive(study.pick(particles, 100, rng)))
    week = pilot.last_week + 1
    in_pilot = np.isin(np.asarray(pilot.units), setup.pilot_units or pilot.units)
    options = candidates(study.rollout, week, int((~in_pilot).sum()), args.budget_per_person,
                         args.waves)  # fmt: skip
    picks = study.pick(particles, args.draws, rng)
    horizon = pilot.last_week + args.weeks
    runs = study.forecast(picks, options, horizon, args.replications)
    scopes = {"the company": np.ones(len(pilot.units), dtype=bool)}
    if (~in_pilot).any() and in_pilot.any():
        scopes["the rest of the company"] = ~in_pilot
    forecast = fit.forecast_table(runs, options, scopes, pilot.headcount, RUNGS)
    scores = fit.scores(runs, options, pilot.headcount, pilot.last_week, RUNG)
    verdict = verdicts(scores, options, study.rollout)
    total = np.nansum(pilot.counts[:, :, 0], axis=1) / pilot.headcount.sum()
    bass = bass_baseline(pilot.weeks, total, horizon)
    if bass is not None:
        forecast = pd.concat([forecast, pd.DataFrame(
            {"candidate": "Bass curve (the pilot's total)", "scope": "the company", "week": bass[0],
             "rung": RUNGS[0], **{k: bass[1] for k in ("q05", "q25", "median", "q75", "q95")}})],
            ignore_index=True)  # fmt: skip
    tables = {"posterior.csv": full, "narrowing.csv": narrowing, "check.csv": check,
              "forecast.csv": forecast, "verdict.csv": verdict}  # fmt: skip
    for name, frame in tables.items():
        write_csv(frame, out / name)
    prior = study.prior_sample(4000, rng)
    shown = forecast[~forecast["candidate"].str.startswith("Bass")]
    figures = {
        "narrowing.png": drawing.narrowed_figure(prior, full, narrowing),
        "check.png": drawing.check_figure(check),
        **{f"forecast-{i}.png": drawing.forecast_figure(
            shown, scope, pilot_weeks=pilot.last_week,
            bass=bass if scope == "the company" else None,
            observed=(pilot.weeks, total) if scope == "the company" else None)
           for i, scope in enumerate(scopes)},
    }  # fmt: skip
    images = {name: _png(fig) for name, fig in figures.items()}
    for name, data in images.items():
        write_atomic(out / name, lambda p, data=data: Path(p).write_bytes(data))
    words = _words(study, particles, narrowing, check, verdict, pilot, args)
    _page(out, words, narrowing, verdict, images, list(scopes))
    print("\n".join(words["terminal"]))
    print(f"Written to {out}: posterior.csv, narrowing.csv, check.csv, forecast.csv, "
          f"verdict.csv, report.html")  # fmt: skip
    return tables


def bass_baseline(weeks, share, horizon):
    """``(weeks, shares)`` from the first observed week to ``horizon``: the weekly Bass
    recursion fitted to the pilot's company-wide share of readers (:func:`sim.facts.bass_fit`,
    the fit the stylised facts use), or None when the pilot is too short to fit (4 weeks)."""
    try:
        found = facts.bass_fit(share, weeks=weeks)
    except ValueError:
        return None
    start = int(weeks[0])
    curve = facts.bass_curve(found.p, found.q, found.m, float(share[0]), horizon - start + 1)
    return np.arange(start, horizon + 1), curve


def _words(study, particles, narrowing, check, verdict, pilot, args) -> dict:
    attrs = particles.attrs
    lines = [f"Posterior: {len(particles)} particles after {attrs.get('generations')} "
             f"generations ({attrs.get('simulations', 0):,} simulations; threshold "
             f"{attrs.get('epsilon', float('nan')):.3f}).",
             "What the pilot narrowed (90 % intervals; narrowed: share of the prior's width "
             "removed):"]  # fmt: skip
    pinned = narrowing[narrowing["narrowed"] >= 0.1].head(12)
    for row in (pinned if len(pinned) >= 3 else narrowing.head(3)).itertuples(index=False):
        lines.append(f"  {row.parameter:<30} prior {row.prior_median:7.3f} [{row.prior_low:.3f},"
                     f" {row.prior_high:.3f}]  posterior {row.posterior_median:7.3f} "
                     f"[{row.posterior_low:.3f}, {row.posterior_high:.3f}]  "
                     f"{100 * row.narrowed:3.0f} %")  # fmt: skip
    loose = int((narrowing["narrowed"] < 0.1).sum())
    lines.append(f"  {loose} of {len(narrowing)} parameters narrowed less than 10 %: the pilot "
                 "says little of them (narrowing.csv has all)")  # fmt: skip
    lines.append(f"The posterior redraws the pilot: {100 * check['inside'].mean():.0f} % of the "
                 "observed unit-weeks inside its 90 % band (check.png).")  # fmt: skip
    metric = f"contributing-weeks in the {args.weeks} weeks after the pilot"
    kept = verdict[~verdict["replays_pilot"]]
    if len(kept):
        best = kept.iloc[0]
        others = ", ".join(f"{r.candidate} {100 * r.p_best:.0f} %"
                           for r in kept.iloc[1:].itertuples(index=False))  # fmt: skip
        lines.append(f"Best next step across {args.draws} plausible models of your company: "
                     f"{best.candidate} in {100 * best.p_best:.0f} %" +
                     (f" ({others})" if others else "") + ".")  # fmt: skip
        if len(kept) > 1:
            lines.append(f"  Its lead over the next best: {best.lead:+.2f} {metric} "
                         f"[{best.lead_low:+.2f}, {best.lead_high:+.2f}] across 90 % of the "
                         f"models ({best['mean']:.2f} in all).")  # fmt: skip
    replayed = verdict[verdict["replays_pilot"]]
    if len(replayed):
        ranked = verdict.sort_values("p_best_all", ascending=False, kind="stable")
        shares = ", ".join(f"{r.candidate} {100 * r.p_best_all:.0f} %"
                           for r in ranked.itertuples(index=False) if r.p_best_all > 0)  # fmt: skip
        lines.append(f"Had the pilot itself run {' or '.join(replayed['candidate'])} (orgsim's "
                     f"direction acts from the launch), best of all: {shares}.")  # fmt: skip
    return {"terminal": lines}


def _markdown(frame) -> str:
    def cell(value):
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]  # fmt: skip
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]  # fmt: skip
    return "\n".join(lines)


def _page(out, words, narrowing, verdict, images, scopes):
    """``report.md`` (figures beside it) and a self-contained ``report.html``."""
    text = "\n".join(words["terminal"])
    captions = {"narrowing.png": "What the pilot narrowed", "check.png":
                "The pilot's own curves per unit against the posterior's predictive bands",
                **{f"forecast-{i}.png": f"The forecast for {s}: median, 50 % and 90 % bands "
                   "across the posterior" for i, s in enumerate(scopes)}}  # fmt: skip
    md = ["# Your pilot, calibrated", "", "```", text, "```", ""]
    for name, caption in captions.items():
        md += [f"## {caption}", "", f"![{caption}]({name})", ""]
    md += ["## The verdict", "", _markdown(verdict), "",
           "## What the pilot narrowed", "",
           _markdown(narrowing), ""]  # fmt: skip
    page = ["<!doctype html><meta charset='utf-8'><title>Your pilot, calibrated</title>",
            "<style>body{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}"
            "img{max-width:100%}pre{white-space:pre-wrap}table{border-collapse:collapse}"
            "td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style>",
            "<h1>Your pilot, calibrated</h1>", f"<pre>{html.escape(text)}</pre>"]  # fmt: skip
    for name, caption in captions.items():
        data = base64.b64encode(images[name]).decode()
        said = html.escape(caption)
        page += [f"<h2>{said}</h2>", f"<figure><img alt='{said}' src='data:image/png;base64,"
                 f"{data}'><figcaption>{said} ({name})</figcaption></figure>"]  # fmt: skip
    page += ["<h2>The verdict</h2>", verdict.to_html(index=False, float_format="%.3f"),
             "<h2>What the pilot narrowed</h2>",
             narrowing.to_html(index=False, float_format="%.3f")]  # fmt: skip
    write_atomic(out / "report.md", lambda p: Path(p).write_text("\n".join(md)))
    write_atomic(out / "report.html", lambda p: Path(p).write_text("\n".join(page)))
