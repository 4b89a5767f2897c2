"""Run summaries (sim.metrics) against values worked out by hand on hand-made tables."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.metrics import gini, intervals, summary

# 10 people, weeks 0..4, two behaviors.
ADOPTION = pd.DataFrame(
    {
        "step": [0, 1, 2, 3, 4] * 2,
        "behavior": ["consume"] * 5 + ["create"] * 5,
        "adopters": [1, 3, 6, 9, 8, 0, 0, 1, 2, 2],
        "lapses": [0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    }
)
ADOPTION["fraction"] = ADOPTION["adopters"] / 10

# Two units, 6 and 4 people; last week (4): consume 5/6 and 3/4, create 2/6 and 0/4.
BY_UNIT = pd.DataFrame(
    {
        "step": [3, 3, 3, 3, 4, 4, 4, 4],
        "behavior": ["consume", "consume", "create", "create"] * 2,
        "unit": ["a", "b"] * 4,
        "people": [6, 4] * 4,
        "adopters": [6, 3, 2, 0, 5, 3, 2, 0],
    }
)
BY_UNIT["fraction"] = BY_UNIT["adopters"] / BY_UNIT["people"]


def test_curve_metrics_by_hand():
    r = summary(ADOPTION)
    assert r["final_fraction_consume"] == 0.8 and r["peak_fraction_consume"] == 0.9
    assert r["weeks_to_25pct_consume"] == 1 and r["weeks_to_50pct_consume"] == 2
    assert r["weeks_to_80pct_consume"] == 3
    assert r["auc_fraction_weeks_consume"] == pytest.approx(0.3 + 0.6 + 0.9 + 0.8)
    assert r["mean_fraction_consume"] == pytest.approx(2.6 / 4)
    assert r["lapses_consume"] == 1 and r["lapses_create"] == 1
    assert math.isnan(r["weeks_to_25pct_create"]) and r["final_fraction_create"] == 0.2
    assert "units_above_50pct_consume" not in r and "cost_total" not in r


def test_unit_metrics_by_hand():
    r = summary(ADOPTION, by_unit=BY_UNIT)
    assert r["units_above_50pct_consume"] == 1.0 and r["units_above_50pct_create"] == 0.0
    # create: 6 people at 1/3 and 4 at 0: mean 0.2; mean |difference| over all
    # pairs of people = 2 * 6 * 4 * (1/3) / 100 = 0.16; Gini = 0.16 / (2 * 0.2) = 0.4.
    assert r["unit_gini_create"] == pytest.approx(0.4)
    # consume: 5/6 and 3/4, mean 0.8: 2 * 24 * (1/12) / 100 / 1.6 = 0.025.
    assert r["unit_gini_consume"] == pytest.approx(0.025)


def test_costs_add_up():
    r = summary(ADOPTION, cost={"champions": 30.0, "training": 50.0, "launch": 20.0})
    assert (r["cost_champions"], r["cost_training"], r["cost_launch"]) == (30.0, 50.0, 20.0)
    assert r["cost_total"] == 100.0
    assert r["adopters_per_cost_consume"] == pytest.approx(8 / 100)
    assert r["adopters_per_cost_create"] == pytest.approx(2 / 100)
    free = summary(ADOPTION, cost={"launch": 0.0})
    assert free["cost_total"] == 0.0 and math.isnan(free["adopters_per_cost_consume"])


def _pairwise_gini(x, w):
    x, w = np.asarray(x, float), np.asarray(w, float)
    mean = (w * x).sum() / w.sum()
    if mean == 0:
        return 0.0
    spread = (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum()
    return spread / (2 * w.sum() ** 2 * mean)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1, allow_nan=False), st.integers(1, 50)), min_size=1, max_size=12
    )
)
def test_gini_equals_the_pairwise_formula(cells):
    x, w = zip(*cells, strict=True)
    assert gini(x, w) == pytest.approx(_pairwise_gini(x, w), abs=1e-12)


def test_gini_edges():
    assert gini([0.5, 0.5, 0.5]) == pytest.approx(0.0, abs=1e-12)
    assert gini([0, 0]) == 0.0 and gini([]) == 0.0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)


def test_intervals_skip_runs_that_never_reach():
    runs = pd.DataFrame({"replication": [0, 1, 2], "weeks_to_50pct_x": [4.0, 6.0, np.nan]})
    table = intervals(runs)
    assert table.loc["weeks_to_50pct_x", "mean"] == 5.0
    assert table.loc["weeks_to_50pct_x", "runs"] == 2
    # Two runs: sd sqrt(2), standard error 1, Student's t with 1 degree of freedom.
    assert table.loc["weeks_to_50pct_x", "ci95"] == pytest.approx(12.7062047, rel=1e-6)


def test_intervals_use_students_t():
    runs = pd.DataFrame({"x": np.arange(30, dtype=float)})
    sd = np.std(np.arange(30), ddof=1)
    # t(0.975, 29) = 2.0452296, from any t table.
    assert intervals(runs).loc["x", "ci95"] == pytest.approx(2.0452296 * sd / np.sqrt(30), rel=1e-6)


# -- the vocabulary: one table of what a run measures ------------------------------------


def _real_runs(overrides):
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register

    register()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        scenario = build(compose("config", overrides=overrides))
    runs, _ = scenario.run(seed=0, replications=2)
    return runs


@pytest.mark.parametrize(
    "overrides",
    [
        ["org.headcount=200", "steps=8", "rollout=pilot_decentralized"],
        ["rule=threshold", "rollout=company_wide_decentralized", "org.headcount=60", "steps=5"],
    ],
    ids=["organizational", "classic"],
)
def test_every_column_of_a_real_run_has_an_entry(overrides):
    from sim.metrics import lookup

    runs = _real_runs(overrides)
    measured = [c for c in runs.columns if c != "replication"]
    assert len(measured) >= 8  # one behavior of a classic rule: its 8 curve metrics
    assert [c for c in measured if lookup(c) is None] == []
    # Organizational runs carry each kind: per behavior, per unit, cost and people's facts.
    kinds = {lookup(c)[0].pattern for c in measured}
    if "rule=threshold" not in overrides:
        assert {"unit_gini_<b>", "cost_total", "cost_<lever>", "rogers_<category>"} <= kinds


def test_names_are_built_and_read_back_through_the_table():
    from sim.metrics import METRICS, entry, lookup

    for metric in METRICS:
        part = {"b": "contribute", "lever": "change_team", "category": "early_adopters"}.get(
            metric.part
        )
        name = metric.name(part)
        assert lookup(name) == (metric, part)
    # A plain name is itself, not the lever "total"; a setting is no metric.
    assert lookup("cost_total")[0] is entry("cost_total")
    for setting in ("rollout", "seed", "culture.trust", "final_fraction", "weeks_to_50pct_"):
        assert lookup(setting) is None
    with pytest.raises(ValueError, match="give a part"):
        entry("final_fraction_<b>").name()


def test_summary_names_come_from_the_table():
    from sim.metrics import lookup

    record = summary(ADOPTION, by_unit=BY_UNIT, cost={"training": 1.0})
    for name in record:
        found = lookup(name)
        assert found is not None, name
        assert found[0].name(found[1]) == name


def test_labels_directions_and_formats_follow_the_table():
    from sim.metrics import behaviors, format_metric, higher_is_better, is_share, metric_label

    assert metric_label("auc_fraction_weeks_contribute") == (
        "contributing-weeks (share contributing summed over the weeks)"
    )
    assert metric_label("auc_fraction_weeks_contribute", short=True) == "contributing-weeks"
    assert metric_label("final_fraction_adopt") == "share adopt at the end"
    assert metric_label("cost_change_team") == "cost of change team (person-days)"
    assert metric_label("rollout") == "rollout"
    lower = ["weeks_to_50pct_consume", "cost_total", "cost_training", "unit_gini_create",
             "lapses_consume"]  # fmt: skip
    assert not any(higher_is_better(m) for m in lower)
    assert all(higher_is_better(m) for m in ("final_fraction_consume", "rogers_laggards", "x"))
    assert is_share("units_above_50pct_consume") and not is_share("auc_fraction_weeks_consume")
    assert format_metric("organic_creators", 0.5) == "50.0 %"
    assert format_metric("weeks_to_50pct_consume", 23.0) == "23"
    assert behaviors(["seed", "final_fraction_consume", "final_fraction_create"]) == [
        "consume",
        "create",
    ]
