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
