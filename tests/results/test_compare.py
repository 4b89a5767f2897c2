"""Paired comparisons against hand-computed examples."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import t as student

from sim import stats
from sim.compare import paired_differences, replications_needed, separating_replications

# Three strategies, four replications each (seed 0).
#   B - A: 1, 3, 2, 2  -> mean 2, sd sqrt(((-1)^2 + 1^2 + 0 + 0) / 3) = sqrt(2/3)
#          = 0.816496580927726,
#          half-width t(0.975, 3) * sd / sqrt(4) = 3.182446305284263 * 0.816496580927726 / 2
#          = 1.299228263625111, interval [0.700771736374889, 3.299228263625111];
#          t = 2 / (sd / 2) = 4.898979485566356, two-sided p (3 df) = 0.016276603459428555.
#   C - A: 0, -1, 1, 0 -> mean 0, the same sd and half-width: [-1.299228..., 1.299228...], p = 1.
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
    table = paired_differences(runs_table(), "metric")
    assert table.columns.tolist() == [
        "strategy", "reference", "metric", "pairs", "dropped", "mean_difference",
        "sd_difference", "ci_low", "ci_high", "p_value", "separated",
    ]  # fmt: skip
    b, c = table.set_index("strategy").loc["B"], table.set_index("strategy").loc["C"]
    assert table["strategy"].tolist() == ["B", "C"]
    assert table["reference"].tolist() == ["A", "A"]  # the first strategy in row order
    assert table["metric"].tolist() == ["metric", "metric"]
    assert b["pairs"] == 4 and b["dropped"] == 0
    assert b["mean_difference"] == pytest.approx(2.0)
    assert b["sd_difference"] == pytest.approx(0.816496580927726)
    assert (b["ci_low"], b["ci_high"]) == pytest.approx((0.700771736374889, 3.299228263625111))
    assert b["p_value"] == pytest.approx(0.016276603459428555)
    assert b["separated"]
    assert c["mean_difference"] == 0.0 and not c["separated"]
    assert (c["ci_low"], c["ci_high"]) == pytest.approx((-1.299228263625111, 1.299228263625111))
    assert c["p_value"] == pytest.approx(1.0)
    # The literal constant and the half-width agree.
    assert student.ppf(0.975, 3) == pytest.approx(T3, rel=1e-12)


def test_reference_defaults_to_the_first_strategy_in_row_order():
    runs = runs_table()
    reordered = pd.concat([runs[runs.rollout == "C"], runs[runs.rollout != "C"]])
    table = paired_differences(reordered, "metric")
    assert table["reference"].unique().tolist() == ["C"]
    assert table["strategy"].tolist() == ["A", "B"]
    assert table["mean_difference"].tolist() == pytest.approx([0.0, 2.0])  # A - C, B - C


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
    assert table.loc["C", "mean_difference"] == pytest.approx(0.0)  # (-1 + 1 + 0) / 3


def test_fewer_than_two_pairs_give_nan_intervals_not_errors():
    runs = runs_table()
    runs = runs[(runs.rollout == "A") | (runs.replication == 1)]
    b = paired_differences(runs, "metric").set_index("strategy").loc["B"]
    assert b["pairs"] == 1 and b["dropped"] == 3 and b["mean_difference"] == 3.0
    assert np.isnan(b[["sd_difference", "ci_low", "ci_high", "p_value"]].astype(float)).all()
    assert not b["separated"]


def test_within_compares_inside_each_group_and_reference_is_chosen():
    first, second = runs_table().assign(culture="x"), runs_table().assign(culture="y")
    second["metric"] *= 2
    table = paired_differences(pd.concat([first, second]), "metric", reference="B",
                               within="culture")  # fmt: skip
    assert table[["culture", "strategy"]].values.tolist() == [
        ["x", "A"], ["x", "C"], ["y", "A"], ["y", "C"]
    ]  # fmt: skip
    assert table["mean_difference"].tolist() == pytest.approx([-2.0, -2.0, -4.0, -4.0])
    # Without `within`, the same (seed, replication) in two cultures is a duplicate.
    with pytest.raises(ValueError, match="twice"):
        paired_differences(pd.concat([first, second]), "metric")


def test_a_single_strategy_gives_an_empty_table_with_the_columns():
    runs = runs_table()
    table = paired_differences(runs[runs.rollout == "A"], "metric", within=["seed"])
    assert table.empty
    assert table.columns.tolist()[:3] == ["seed", "strategy", "reference"]


def test_bad_input_names_the_problem():
    runs = runs_table()
    with pytest.raises(ValueError, match="no column 'other'"):
        paired_differences(runs, "other")
    with pytest.raises(ValueError, match="no column 'culture'"):
        paired_differences(runs, "metric", within=["culture"])
    with pytest.raises(ValueError, match="reference 'Z' is not among"):
        paired_differences(runs, "metric", reference="Z")
    with pytest.raises(
        ValueError,
        match=r"replication \{'seed': 0, 'replication': 0, 'rollout': 'A'\} twice",
    ):
        paired_differences(pd.concat([runs, runs.iloc[:1]]), "metric")
    apart = runs.copy()
    apart.loc[apart.rollout == "C", "replication"] += 10
    with pytest.raises(ValueError, match="'C' has no replication in common with 'A'"):
        paired_differences(apart, "metric")
    with pytest.raises(ValueError, match=r"'confidence' parameter .* \(0, 1\)"):
        paired_differences(runs, "metric", confidence=1.0)


def test_a_strategy_absent_from_a_group_is_named_with_the_group():
    first = runs_table().assign(culture="x")
    second = runs_table().query("rollout != 'C'").assign(culture="y")
    with pytest.raises(ValueError, match=r"'C' has no replication .* in \{'culture': 'y'\}"):
        paired_differences(pd.concat([first, second]), "metric", within=["culture"])


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(-100, 100, allow_nan=False))
def test_shifting_a_strategy_shifts_its_difference_only(shift):
    shifted = {**VALUES, "B": [v + shift for v in VALUES["B"]]}
    a = paired_differences(runs_table(), "metric").set_index("strategy")
    b = paired_differences(runs_table(shifted), "metric").set_index("strategy")
    assert b.loc["B", "mean_difference"] == pytest.approx(
        a.loc["B", "mean_difference"] + shift, abs=1e-9
    )
    width = a.loc["B", "ci_high"] - a.loc["B", "ci_low"]
    assert b.loc["B", "ci_high"] - b.loc["B", "ci_low"] == pytest.approx(width, abs=1e-9)
    pd.testing.assert_series_equal(a.loc["C"], b.loc["C"])  # C - A untouched


def test_replications_needed_is_the_one_in_sim_stats():
    # Its home is sim.stats (tested there); sim.compare keeps the public name.
    assert replications_needed is stats.replications_needed


def test_separating_replications_uses_the_observed_spread():
    runs = runs_table()
    # B - A: mean 2, sd sqrt(2/3): dz = 2.449, so very few pairs.
    expected = replications_needed(math.sqrt(2 / 3), difference=2.0)
    assert separating_replications(runs, "metric", "B", "A") == expected
    assert separating_replications(runs, "metric", "A", "B") == expected  # the size counts
    assert separating_replications(runs, "metric", "C", "A") is None  # no difference at all


def test_separating_replications_rejects_what_it_cannot_answer():
    runs = runs_table()
    with pytest.raises(ValueError, match="a='Z' is not in"):
        separating_replications(runs, "metric", "Z", "A")
    with pytest.raises(ValueError, match="same strategy"):
        separating_replications(runs, "metric", "A", "A")
    with pytest.raises(ValueError, match="no column 'other'"):
        separating_replications(runs, "other", "B", "A")
    one = runs[(runs.rollout == "A") | (runs.replication == 1)]
    with pytest.raises(ValueError, match="share 1 complete pair"):
        separating_replications(one, "metric", "B", "A")
