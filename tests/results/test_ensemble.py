"""Verdicts over a posterior ensemble: how often each strategy is best and clearly so, the
leader's lead across draws, and its spread split into evidence and chance."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.results.ensemble import LEAD_COLUMNS, lead_across_draws, verdict_probabilities

METRIC = "auc_fraction_weeks_contribute"


def ensemble(effects, replications=10, noise=0.1, seed=0, culture="default"):
    """Runs of strategies A, B (and C) on draws: ``effects[d]`` is each strategy's mean in
    draw ``d``; replication ``r`` shares a draw of noise across strategies (common random
    numbers) plus a smaller one of its own."""
    rng = np.random.default_rng(seed)
    rows = []
    for d, means in enumerate(effects):
        shared = rng.normal(0, noise, replications)
        for s, mean in means.items():
            own = rng.normal(0, noise / 4, replications)
            for r in range(replications):
                rows.append({"culture": culture, "draw": d, "seed": 0, "replication": r,
                             "strategy": s, METRIC: mean + shared[r] + own[r]})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_strategy_best_in_three_draws_of_four_has_p_best_three_quarters():
    runs = ensemble([{"A": 2.0, "B": 1.0}] * 3 + [{"A": 1.0, "B": 2.0}])
    table = verdict_probabilities(runs, METRIC).set_index("strategy")
    assert table.loc["A", "p_best"] == 0.75 and table.loc["B", "p_best"] == 0.25
    assert table.loc["A", "p_clear"] == 0.75 and table.loc["B", "p_clear"] == 0.25
    assert (table["models"] == 4).all()
    assert list(verdict_probabilities(runs, METRIC)["strategy"]) == ["A", "B"]


def test_best_by_a_hair_is_best_but_not_clearly():
    runs = ensemble([{"A": 1.0, "B": 1.0}] * 4, noise=0.0)
    swings = np.tile([1.0, -1.0], 5) + 0.001  # A a thousandth ahead on average, +-1 each time
    runs.loc[runs["strategy"] == "A", METRIC] += np.tile(swings, 4)
    table = verdict_probabilities(runs, METRIC).set_index("strategy")
    assert table.loc["A", "p_best"] == 1.0
    assert table.loc["A", "p_clear"] == 0.0


def test_a_tie_for_best_splits_the_draw_and_less_is_better_where_the_metric_says():
    runs = ensemble([{"A": 1.0, "B": 1.0}], noise=0.0)
    assert verdict_probabilities(runs, METRIC)["p_best"].tolist() == [0.5, 0.5]
    weeks = ensemble([{"A": 10.0, "B": 20.0}]).rename(columns={METRIC: "weeks_to_50pct_consume"})
    table = verdict_probabilities(weeks, "weeks_to_50pct_consume").set_index("strategy")
    assert table.loc["A", "p_best"] == 1.0  # fewer weeks to half the company is better


def test_each_context_is_its_own_ensemble():
    runs = pd.concat([ensemble([{"A": 2.0, "B": 1.0}] * 2, culture="humanized"),
                      ensemble([{"A": 1.0, "B": 2.0}] * 2, culture="traditional")])  # fmt: skip
    table = verdict_probabilities(runs, METRIC, within="culture")
    assert list(table.columns) == ["culture", "strategy", "p_best", "p_clear", "models"]
    best = table[table["p_best"] == 1.0].set_index("culture")["strategy"]
    assert best.to_dict() == {"humanized": "A", "traditional": "B"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
                min_size=1, max_size=6), st.integers(0, 1000))  # fmt: skip
def test_p_best_sums_to_one_per_context(levels, seed):
    effects = [{"A": a, "B": b, "C": c} for a, b, c in levels]  # ties happen often
    runs = ensemble(effects, replications=3, noise=0.0 if seed % 2 else 0.2, seed=seed)
    table = verdict_probabilities(runs, METRIC)
    assert table["p_best"].sum() == pytest.approx(1.0)
    assert (table["p_clear"] <= table["p_best"] + 1e-12).all()


def test_the_lead_splits_into_evidence_and_chance():
    # The draws disagree on the size of A's lead, the replications barely do: evidence.
    runs = ensemble([{"A": 1.0 + lead, "B": 1.0} for lead in (0.2, 0.6, 1.0, 1.4)], noise=0.01)
    lead = lead_across_draws(runs, METRIC).iloc[0]
    assert list(lead.index) == LEAD_COLUMNS
    assert (lead["leader"], lead["runner_up"]) == ("A", "B")
    assert lead["lead"] == pytest.approx(0.8, abs=0.01)
    assert lead["lead_low"] < 0.4 < 1.2 < lead["lead_high"]
    assert lead["evidence_share"] > 0.99 and lead["models"] == 4
    # Every draw agrees, the replications are noisy: chance.
    same = lead_across_draws(ensemble([{"A": 1.5, "B": 1.0}] * 4, noise=0.4), METRIC).iloc[0]
    assert same["between_sd"] < same["within_sd"]


def test_a_missing_column_is_named():
    with pytest.raises(ValueError, match="'draw'"):
        verdict_probabilities(ensemble([{"A": 1.0, "B": 2.0}]).drop(columns="draw"), METRIC)
