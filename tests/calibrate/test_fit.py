"""The arithmetic of a pilot's calibration against slow, obvious versions."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.calibrate import fit


def slow_distance(simulated, observed, headcount):
    total = 0.0
    for b in range(observed.shape[2]):
        num = den = mean = 0.0
        for t in range(observed.shape[0]):
            for u in range(observed.shape[1]):
                if np.isnan(observed[t, u, 0]):
                    continue
                people = max(headcount[u], 1)
                obs, sim = observed[t, u, b] / people, simulated[t, u, b] / people
                num += people * (sim - obs) ** 2
                den += people
                mean += people * obs
        total += np.sqrt(num / den) / max(mean / den, fit.FLOOR)
    return total


def test_distance_matches_a_loop_over_weeks_units_and_rungs():
    rng = np.random.default_rng(0)
    headcount = np.array([50, 20, 80, 10])
    observed = rng.integers(0, 10, size=(6, 4, 3)).astype(float)
    observed[:, 3] = np.nan  # a unit the file does not list
    observed[2, 1] = np.nan
    simulated = rng.integers(0, 10, size=(6, 4, 3)).astype(float)
    assert fit.distance(simulated, observed, headcount) == pytest.approx(
        slow_distance(simulated, observed, headcount)
    )
    assert fit.distance(np.nan_to_num(observed), observed, headcount) == 0.0


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 5)),
              elements=st.floats(-5, 5, allow_nan=False)))  # fmt: skip
def test_verdict_probabilities_sum_to_one_and_the_best_has_a_lead(values):
    scores = pd.DataFrame(values, columns=[f"c{j}" for j in range(values.shape[1])])
    table = fit.verdict(scores)
    assert table["p_best"].sum() == pytest.approx(1.0)
    assert (table["p_best"] >= 0).all()
    # a candidate's lead over the best other is positive exactly where it alone is best
    for row in table.itertuples(index=False):
        own = scores[row.candidate].to_numpy()
        rest = scores.drop(columns=row.candidate)
        other = rest.max(axis=1).to_numpy() if rest.shape[1] else np.zeros(len(own))
        assert row.lead == pytest.approx(float(np.mean(own - other)))


def test_a_candidate_best_in_every_model_has_probability_one():
    scores = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.5, 1.0, 2.9], "c": [0.0, 0.0, 0.0]})
    table = fit.verdict(scores).set_index("candidate")
    assert table.loc["a", "p_best"] == 1.0 and table.loc["b", "p_best"] == 0.0
    assert table.loc["a", "lead_low"] > 0


def test_compare_says_how_much_of_the_prior_the_data_removed():
    rng = np.random.default_rng(0)
    prior = pd.DataFrame({"x": rng.uniform(0, 1, 20_000), "weight": 1 / 20_000})
    narrow = pd.DataFrame({"x": rng.uniform(0.4, 0.5, 20_000), "weight": 1 / 20_000})
    table = fit.compare(prior, narrow, ["x"]).iloc[0]
    assert table["prior_low"] == pytest.approx(0.05, abs=0.01)
    assert table["posterior_median"] == pytest.approx(0.45, abs=0.01)
    assert table["narrowed"] == pytest.approx(0.9, abs=0.02)


def test_forecast_bands_are_quantiles_over_models_and_replications():
    rng = np.random.default_rng(1)
    runs = rng.integers(0, 20, size=(7, 2, 3, 5, 3, 4))  # (K, C, R, W + 1, B, U)
    headcount = np.array([20, 20, 30, 30])
    scopes = {"all": np.ones(4, bool), "two": np.array([False, False, True, True])}
    table = fit.forecast_table(runs, ["a", "b"], scopes, headcount, ["r0", "r1", "r2"])
    row = table[(table["candidate"] == "b") & (table["scope"] == "two") & (table["week"] == 3)
                & (table["rung"] == "r1")].iloc[0]  # fmt: skip
    values = runs[:, 1, :, 3, 1, 2:].sum(axis=-1).ravel() / 60
    assert row["median"] == pytest.approx(np.quantile(values, 0.5))
    assert row["q05"] == pytest.approx(np.quantile(values, 0.05))
    scores = fit.scores(runs, ["a", "b"], headcount, after=2, rung=1)
    expected = (runs[:, :, :, 3:, 1, :].sum(axis=-1) / 100).sum(axis=-1).mean(axis=-1)
    np.testing.assert_allclose(scores.to_numpy(), expected)


def test_the_bass_baseline_continues_a_planted_weekly_bass_curve():
    from sim import facts
    from sim.calibrate.report import bass_baseline

    curve = facts.bass_curve(0.05, 0.4, 0.6, 0.01, 40)  # weeks 1 .. 40
    weeks = np.arange(1, 16)
    steps, extended = bass_baseline(weeks, curve[:15], 40)
    assert steps[0] == 1 and steps[-1] == 40
    np.testing.assert_allclose(extended, curve, atol=1e-4)
    assert bass_baseline(weeks[:3], curve[:3], 40) is None  # too short to fit
