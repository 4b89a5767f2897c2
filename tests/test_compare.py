"""Paired comparisons against hand-computed examples."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import nct
from scipy.stats import t as student

from sim.compare import paired_differences, replications_needed, separating_replications

# Three strategies, four replications each (seed 0). Differences B - A: 1, 3, 2, 2
# (mean 2, sd sqrt(2/3) = 0.8165, half-width 3.182446 * 0.8165 / 2 = 1.2992);
# C - A: 0, -1, 1, 0 (mean 0, sd sqrt(2/3), the same half-width).
VALUES = {"A": [10.0, 12.0, 11.0, 9.0], "B": [11.0, 15.0, 13.0, 11.0], "C": [10.0, 11.0, 12.0, 9.0]}
T3 = 3.182446305284263


def runs_table(values=VALUES):
    rows = [
        {"rollout": name, "seed": 0, "replication": r, "metric": v}
        for name, column in values.items()
        for r, v in enumerate(column)
    ]
    return pd.DataFrame(rows)


def test_paired_differences_by_hand():
    table = paired_differences(runs_table(), "metric").set_index("strategy")
    assert table.index.tolist() == ["B", "C"]
    b, c = table.loc["B"], table.loc["C"]
    sd = math.sqrt(2 / 3)
    assert b["mean_difference"] == pytest.approx(2.0)
    assert b["sd_difference"] == pytest.approx(sd)
    assert (b["ci_low"], b["ci_high"]) == pytest.approx((2 - T3 * sd / 2, 2 + T3 * sd / 2))
    assert b["separated"] and b["pairs"] == 4 and b["dropped"] == 0
    assert b["p_value"] == pytest.approx(2 * student.sf(2 / (sd / 2), 3))
    assert c["mean_difference"] == 0.0 and not c["separated"]
    assert (c["ci_low"], c["ci_high"]) == pytest.approx((-T3 * sd / 2, T3 * sd / 2))
    assert b["reference"] == c["reference"] == "A"


def test_pairing_pairs_replications_not_rows():
    shuffled = runs_table().sample(frac=1.0, random_state=3)
    a = paired_differences(runs_table(), "metric", reference="A")
    b = paired_differences(shuffled, "metric", reference="A")
    order = ["strategy"]
    pd.testing.assert_frame_equal(
        a.sort_values(order, ignore_index=True), b.sort_values(order, ignore_index=True)
    )
    # Unpaired, B - A would have the same mean but a far wider interval: the spread of
    # the replications (sd about 1.3 and 1.9) instead of that of their differences.
    paired = a.set_index("strategy").loc["B"]
    assert paired["ci_high"] - paired["ci_low"] < 2.6


def test_missing_and_nan_replications_are_dropped_and_counted():
    runs = runs_table()
    runs = runs.drop(runs.index[(runs.rollout == "B") & (runs.replication == 3)])
    runs.loc[(runs.rollout == "C") & (runs.replication == 0), "metric"] = np.nan
    table = paired_differences(runs, "metric").set_index("strategy")
    assert table.loc["B", ["pairs", "dropped"]].tolist() == [3, 1]
    assert table.loc["B", "mean_difference"] == pytest.approx(2.0)  # (1 + 3 + 2) / 3
    assert table.loc["C", ["pairs", "dropped"]].tolist() == [3, 1]


def test_within_compares_inside_each_group_and_reference_is_chosen():
    first, second = runs_table().assign(culture="x"), runs_table().assign(culture="y")
    second["metric"] *= 2
    table = paired_differences(pd.concat([first, second]), "metric", reference="B",
                               within=["culture"])  # fmt: skip
    assert table[["culture", "strategy"]].values.tolist() == [
        ["x", "A"], ["x", "C"], ["y", "A"], ["y", "C"]
    ]  # fmt: skip
    assert table["mean_difference"].tolist() == pytest.approx([-2.0, -2.0, -4.0, -4.0])


def test_bad_input_names_the_problem():
    runs = runs_table()
    with pytest.raises(ValueError, match="no column 'other'"):
        paired_differences(runs, "other")
    with pytest.raises(ValueError, match="reference 'Z' is not among"):
        paired_differences(runs, "metric", reference="Z")
    with pytest.raises(ValueError, match=r"replication .* twice"):
        paired_differences(pd.concat([runs, runs.iloc[:1]]), "metric")
    apart = runs.copy()
    apart.loc[apart.rollout == "C", "replication"] += 10
    with pytest.raises(ValueError, match="'C' has no replication in common with 'A'"):
        paired_differences(apart, "metric")
    with pytest.raises(ValueError, match=r"'confidence' parameter .* \(0, 1\)"):
        paired_differences(runs, "metric", confidence=1.0)


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(-100, 100, allow_nan=False))
def test_shifting_a_strategy_shifts_its_difference_only(shift):
    shifted = {**VALUES, "B": [v + shift for v in VALUES["B"]]}
    a = paired_differences(runs_table(), "metric").set_index("strategy").loc["B"]
    b = paired_differences(runs_table(shifted), "metric").set_index("strategy").loc["B"]
    assert b["mean_difference"] == pytest.approx(a["mean_difference"] + shift, abs=1e-9)
    width = a["ci_high"] - a["ci_low"]
    assert b["ci_high"] - b["ci_low"] == pytest.approx(width, rel=1e-6, abs=1e-9)


def half_width(n, sd, confidence=0.95):
    return student.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)


def power(n, sd, difference, confidence=0.95):
    crit = student.ppf(1 - (1 - confidence) / 2, n - 1)
    shift = difference / sd * math.sqrt(n)
    return nct.sf(crit, n - 1, shift) + nct.cdf(-crit, n - 1, shift)


@pytest.mark.parametrize(("sd", "target"), [(1.0, 0.5), (2.0, 0.1), (0.3, 1.0)])
def test_replications_for_a_half_width(sd, target):
    n = replications_needed(sd, half_width=target)
    assert half_width(n, sd) <= target
    assert n == 2 or half_width(n - 1, sd) > target


def test_replications_for_a_half_width_by_hand():
    # sd 1, half-width 0.5: n = 18 gives 2.1098 / sqrt(18) = 0.4973, n = 17 gives 0.5142.
    assert replications_needed(1.0, half_width=0.5) == 18


@pytest.mark.parametrize(("sd", "difference"), [(1.0, 0.5), (1.0, -0.5), (2.0, 0.3)])
def test_replications_to_tell_a_difference(sd, difference):
    n = replications_needed(sd, difference=difference)
    assert power(n, sd, abs(difference)) >= 0.8
    assert n == 2 or power(n - 1, sd, abs(difference)) < 0.8
    # A larger difference needs fewer replications.
    assert replications_needed(sd, difference=2 * difference) < n


def test_replications_needed_rejects_bad_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        replications_needed(1.0)
    with pytest.raises(ValueError, match="exactly one"):
        replications_needed(1.0, half_width=0.1, difference=0.1)
    with pytest.raises(ValueError, match=r"'sd_difference' parameter .* \[0, inf"):
        replications_needed(-1.0, half_width=0.1)
    with pytest.raises(ValueError, match=r"'power' parameter .* \(0, 1\)"):
        replications_needed(1.0, difference=0.1, power=1.0)
    assert replications_needed(0.0, half_width=0.1) == 2


def test_separating_replications_uses_the_observed_spread():
    runs = runs_table()
    sd = math.sqrt(2 / 3)
    assert separating_replications(runs, "metric", "B", "A") == replications_needed(
        sd, difference=2.0
    )
    assert separating_replications(runs, "metric", "C", "A") is None  # no difference at all
