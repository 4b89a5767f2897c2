"""The ranking, the report's reading of a store, and ``orgsim report`` end to end."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.compare import paired_differences, separating_replications
from sim.report import format_ranking, rank
from sim.results import format_value, metric_label, strategy_labels

METRIC = "auc_fraction_weeks_contribute"


def _runs(means, replications=30, spread=1.0, shared=3.0, seed=0, seeds=None):
    """Paired runs: replication r of every strategy shares a common draw (CRN)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, shared, replications)
    rows = []
    for k, (name, mean) in enumerate(means.items()):
        noise = rng.normal(0.0, spread, replications)
        for r in range(replications):
            rows.append({"strategy": name, "seed": 0 if seeds is None else seeds[k],
                         "replication": r, METRIC: mean + common[r] + noise[r],
                         "cost_total": 1000.0})  # fmt: skip
    return pd.DataFrame(rows)


def test_ranking_is_sorted_and_ties_are_the_paired_intervals_that_include_zero():
    runs = _runs({"a": 10.0, "b": 12.0, "c": 12.05, "d": 5.0})
    table = rank(runs, METRIC)
    assert list(table.strategy) == ["c", "b", "a", "d"] or list(table.strategy) == [
        "b", "c", "a", "d"]  # fmt: skip
    assert table["mean"].is_monotonic_decreasing
    for i in range(len(table) - 1):
        a, b = table.strategy[i], table.strategy[i + 1]
        diff = paired_differences(runs[runs.strategy.isin([a, b])], METRIC, by="strategy",
                                  reference=b).iloc[0]  # fmt: skip
        assert table.vs_next[i] == pytest.approx(diff.mean_difference)
        assert table.tied_with_next[i] == (diff.ci_low <= 0 <= diff.ci_high)
    # b and c tie, and share rank 1; a is third, d fourth.
    assert list(table["rank"]) == [1, 1, 3, 4]
    assert list(table["tie"]) == [True, True, False, False]
    tied = table.iloc[0]
    assert tied.replications_to_separate == separating_replications(
        runs, METRIC, tied.strategy, table.strategy[1], by="strategy"
    )
    assert math.isnan(table.replications_to_separate[2])
    text = format_ranking(table)
    assert "1=" in text and "replications would separate them" in text and "1,000" in text


def test_lower_is_better_for_weeks_and_unpaired_runs_compare_own_intervals():
    runs = _runs({"slow": 20.0, "fast": 8.0, "fast too": 8.2}, seeds=[1, 2, 3])
    runs = runs.rename(columns={METRIC: "weeks_to_50pct_consume"})
    table = rank(runs, "weeks_to_50pct_consume")
    assert list(table.strategy)[-1] == "slow"
    assert not table.paired.any()
    first, second = table.iloc[0], table.iloc[1]
    overlap = first.ci_low <= second.ci_high and second.ci_low <= first.ci_high
    assert first.tied_with_next == overlap


def test_never_reached_runs_are_counted_not_averaged():
    runs = _runs({"a": 10.0, "b": 3.0}, replications=6)
    runs.loc[runs.index[:2], METRIC] = np.nan
    table = rank(runs, METRIC).set_index("strategy")
    assert table.loc["a", "never"] == 2 and table.loc["a", "runs"] == 4


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=5), st.integers(2, 12),
       st.integers(0, 10**6))  # fmt: skip
def test_ties_exactly_when_the_interval_includes_zero(means, replications, seed):
    runs = _runs({f"s{i}": m for i, m in enumerate(means)}, replications, seed=seed)
    table = rank(runs, METRIC)
    assert (np.diff(table["mean"]) <= 1e-12).all()
    for row in table.iloc[:-1].itertuples():
        assert row.tied_with_next == (row.vs_next_low <= 0 <= row.vs_next_high)
    # A strategy's rank is the position of the first of its tie group.
    for i, row in enumerate(table.itertuples()):
        before = table.iloc[i - 1] if i else None
        expected = before["rank"] if before is not None and before.tied_with_next else i + 1
        assert row.rank == expected


def test_rank_within_contexts_and_errors():
    runs = pd.concat([_runs({"a": 1.0, "b": 5.0}).assign(culture="x"),
                      _runs({"a": 5.0, "b": 1.0}).assign(culture="y")])  # fmt: skip
    table = rank(runs, METRIC, within="culture")
    assert list(table[table.culture == "x"].strategy) == ["b", "a"]
    assert list(table[table.culture == "y"].strategy) == ["a", "b"]
    with pytest.raises(ValueError, match="no column 'nope'"):
        rank(runs, "nope")


def test_values_print_as_written_and_metrics_in_words():
    assert format_value(0.1 + 0.2) == "0.3"
    assert format_value(np.float64(1e-7)) == "1e-07"
    assert format_value(True) == "true"
    assert metric_label("weeks_to_50pct_consume") == "weeks to 50 % reading"
    assert metric_label("cost_total") == "cost (person-days)"
    runs = pd.DataFrame({"rollout": ["pilot", "pilot"], "rollout.training_share": [0.1 + 0.2, 0.5]})
    labels = strategy_labels(runs, ["rollout", "rollout.training_share"])
    assert list(labels) == ["pilot (training_share=0.3)", "pilot (training_share=0.5)"]
