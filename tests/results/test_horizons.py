"""The verdict at other horizons (sim.results.horizons): who is best by share-weeks and by
the share at 26, 52 and 104 weeks, and where that differs from the main verdict."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.report.ranking import format_horizons, format_plateaus, plateaus_text
from sim.results.horizons import horizon_verdicts, plateau_weeks
from sim.results.runs import Results

WEEKS = 60


def _results(curves_of, replications=8, axes=(), spent_of=None):
    """Results whose curves are ``curves_of(strategy, replication, weeks)`` (shares), and
    their spending by week ``spent_of(strategy, weeks)`` where given."""
    rng = np.random.default_rng(0)
    runs, curves = [], []
    for context in [{}] if not axes else [{"culture": c} for c in ("a", "b")]:
        for strategy in ("early", "late"):
            for r in range(replications):
                digest = f"{strategy}{context.get('culture', '')}"
                share = np.clip(curves_of(strategy, context, np.arange(WEEKS + 1))
                                + rng.normal(0, 0.002, WEEKS + 1), 0, 1)  # fmt: skip
                runs.append({"config_hash": digest, "seed": 0, "replication": r,
                             "strategy": strategy, **context,
                             "auc_fraction_weeks_contribute": share[1:].sum()})  # fmt: skip
                curves.append(
                    pd.DataFrame(
                        {
                            "config_hash": digest,
                            "seed": 0,
                            "replication": r,
                            "strategy": strategy,
                            **context,
                            "step": np.arange(WEEKS + 1),
                            "behavior": "contribute",
                            "fraction": share,
                            **({} if spent_of is None
                               else {"spent": spent_of(strategy, np.arange(WEEKS + 1))}),
                        }
                    )
                )  # fmt: skip
    return Results(
        store=Path("."),
        runs=pd.DataFrame(runs),
        levers=["rollout"],
        axes=list(axes),
        behaviors=["consume", "contribute", "create"],
        read_tables=lambda: {"timeseries": pd.concat(curves, ignore_index=True)},
    )


def early_then_late(strategy, context, weeks):
    # "early" reaches 0.2 at once and stays; "late" starts at 0 and reaches 0.4 by week 60.
    if strategy == "early":
        return np.where(weeks > 0, 0.2, 0.0)
    return 0.4 * weeks / WEEKS


def test_a_late_strategy_wins_the_share_at_the_end_and_loses_the_first_weeks():
    verdicts = horizon_verdicts(_results(early_then_late)).set_index(["horizon", "measure"])
    assert sorted(verdicts.index.get_level_values("horizon").unique()) == [26, 52, 60]
    assert verdicts.loc[(26, "weeks"), "best"] == "early"
    assert verdicts.loc[(26, "share"), "best"] == "early"  # 0.2 against 0.17
    assert verdicts.loc[(52, "share"), "best"] == "late"  # 0.35 against 0.2
    # Share-weeks to week 60: early 12.0, late 12.2 minus a little: the main verdict.
    main = verdicts.loc[(60, "weeks")]
    assert main["best"] == "late" and main["clear"] and not main["flip"]
    assert verdicts.loc[(26, "weeks"), "flip"] and not verdicts.loc[(52, "share"), "flip"]
    assert verdicts.loc[(26, "weeks"), "lead_low"] > 0


def test_each_context_is_judged_against_its_own_main_verdict():
    def by_context(strategy, context, weeks):
        flat = np.where(weeks > 0, 0.1, 0.0)
        if context["culture"] == "a":
            return early_then_late(strategy, context, weeks)
        return flat + (0.05 if strategy == "early" else 0.0)  # early best everywhere

    verdicts = horizon_verdicts(_results(by_context, axes=("culture",)))
    b = verdicts[verdicts["culture"] == "b"]
    assert (b["best"] == "early").all() and not b["flip"].any()
    a = verdicts[verdicts["culture"] == "a"]
    assert a["flip"].any()
    text = format_horizons(a)
    assert (
        text.splitlines()[0]
        == "  best contributing by share-weeks to week 26, 52, 60: early; early; late"
    )
    assert text.splitlines()[1].startswith("  best contributing by the share at week 26, 52, 60:")
    assert "a different verdict by: by share-weeks to week 26" in text


def test_at_equal_spending_a_strategy_that_pays_as_it_goes_can_win_early():
    # "early" spends its 1,000 person-days at week 0; "late" as the square of the time, so by
    # week 26 it has spent 188 for share-weeks 2.34 (1.24 a 100 days) against 5.2 for 1,000.
    def spent_of(strategy, weeks):
        return (
            np.full(weeks.shape, 1000.0) if strategy == "early" else 1000.0 * (weeks / WEEKS) ** 2
        )

    verdicts = horizon_verdicts(_results(early_then_late, spent_of=spent_of))
    verdicts = verdicts.set_index(["horizon", "measure"])
    assert verdicts.loc[(26, "weeks"), "best"] == "early"
    assert (
        verdicts.loc[(26, "per_day"), "best"] == "late" and verdicts.loc[(26, "per_day"), "clear"]
    )
    assert verdicts.loc[(26, "per_day"), "lead"] == pytest.approx(
        100 * 0.4 / WEEKS * 351 / (1000 * (26 / WEEKS) ** 2) - 100 * 0.2 * 26 / 1000, abs=0.02
    )
    text = format_horizons(verdicts.reset_index())
    assert "by share-weeks per 100 person-days spent to week 26, 52, 60: late; late; late" in text
    # Without spending, no such measure.
    assert "per_day" not in set(horizon_verdicts(_results(early_then_late))["measure"])


def test_nothing_to_say_with_one_strategy_or_no_curves():
    one = _results(early_then_late)
    one.runs = one.runs[one.runs["strategy"] == "early"]
    assert horizon_verdicts(one).empty
    none = Results(store=Path("."), runs=one.runs, levers=["rollout"])
    assert horizon_verdicts(none).empty


def test_plateau_weeks_name_when_each_share_stops_growing():
    # "early" is flat from week 1; "late" rises to week 60: still growing at the last week.
    results = _results(early_then_late, axes=("culture",))
    table = plateau_weeks(results)
    assert len(table) == 4 and set(table["culture"]) == {"a", "b"}
    early = table[table["strategy"] == "early"]
    late = table[table["strategy"] == "late"]
    assert (early["plateau"] <= 2).all() and (early["last"] == WEEKS).all()
    assert late["plateau"].isna().all()
    np.testing.assert_allclose(early["share"], 0.2, atol=0.01)
    line = format_plateaus(table[table["culture"] == "a"])
    assert line.startswith("  contributing stops growing (within 1 point) by week: early ")
    assert line.endswith(f"late still growing at week {WEEKS}")
    assert "a longer horizon may change the verdict" in plateaus_text(table)


def test_a_curve_that_levels_off_has_its_plateau_where_it_stops_rising():
    def levels(strategy, context, weeks):
        top = 0.3 if strategy == "early" else 0.5
        stop = 20 if strategy == "early" else 40
        return top * np.minimum(weeks, stop) / stop

    table = plateau_weeks(_results(levels))
    got = dict(zip(table["strategy"], table["plateau"], strict=True))
    # Within 1 point of the top: 0.3 * (1 - 1/30) at week ~19.3, 0.5 * (1 - 1/50) at ~39.2.
    assert 18 <= got["early"] <= 20 and 38 <= got["late"] <= 40


def test_no_curve_of_the_rung_gives_no_plateau():
    # A store whose ladder (here "adopt") has no curve of the rung asked for: nothing to say.
    import dataclasses

    results = dataclasses.replace(_results(early_then_late), behaviors=["adopt"])
    assert plateau_weeks(results, behavior="create").empty
