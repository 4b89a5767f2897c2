"""Intervals, paired differences and power (sim.stats) against scipy, statsmodels and
values worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nct
from scipy.stats import t as student

from sim import stats
from sim.stats import replications_needed


def test_the_t_quantile_is_students_not_the_normals():
    # t(0.975, 29) = 2.0452 (tables), where the normal's 1.96 would claim more certainty.
    assert stats.t_quantile(0.95, 29) == pytest.approx(2.045229642132703, rel=1e-12)
    assert stats.t_quantile(0.9, 3) == pytest.approx(2.353363434801823, rel=1e-12)
    both = stats.t_quantile(0.95, np.array([1, 3]))
    np.testing.assert_allclose(both, [12.706204736, 3.182446305], rtol=1e-9)


def test_mean_interval_equals_scipys_t_interval():
    values = np.array([1.0, 2.0, 3.0, 4.0, 7.5])
    mean, low, high = stats.mean_interval(values)
    want = student.interval(0.95, 4, loc=values.mean(), scale=values.std(ddof=1) / math.sqrt(5))
    assert mean == pytest.approx(3.5)
    assert (low, high) == pytest.approx(want, rel=1e-12)
    # By hand: [1, 2, 3, 4]: mean 2.5, sd 1.2909944, 3.1824463 * 1.2909944 / 2 = 2.05426.
    _, low, high = stats.mean_interval([1.0, 2.0, 3.0, 4.0], confidence=0.95)
    assert high - 2.5 == pytest.approx(2.054260, abs=1e-6)
    assert low == pytest.approx(2.5 - 2.054260, abs=1e-6)


def test_mean_interval_below_two_values():
    assert stats.mean_interval([4.0])[0] == 4.0
    assert all(math.isnan(v) for v in stats.mean_interval([4.0])[1:])
    assert all(math.isnan(v) for v in stats.mean_interval([]))


def test_column_intervals_skip_nan_and_count_what_they_used():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0, np.nan, 7.0, np.nan],
                          "c": [1.0, np.nan, np.nan, np.nan]})  # fmt: skip
    table = stats.column_intervals(frame)
    assert table.loc["a", "ci95"] == pytest.approx(2.054260, abs=1e-6)
    # b: 5 and 7, sd sqrt(2), t(0.975, 1) = 12.7062: 12.7062 * sqrt(2) / sqrt(2).
    assert table.loc["b", "mean"] == 6.0
    assert table.loc["b", "ci95"] == pytest.approx(12.706204736, rel=1e-9)
    assert table["runs"].tolist() == [4, 2, 1]
    assert table.loc["c", "ci95"] == 0.0  # one value: no spread to draw
    assert list(stats.column_intervals(frame, ["b"]).index) == ["b"]


def test_group_intervals_per_group_equal_mean_interval():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"g": np.repeat([2, 1, 3], 6), "v": rng.normal(size=18)})
    frame.loc[17, "v"] = np.nan
    table = stats.group_intervals(frame, "g", "v", confidence=0.9)
    assert list(table.index) == [1, 2, 3]  # sorted
    for g, row in table.iterrows():
        values = frame.loc[frame["g"] == g, "v"].dropna().to_numpy()
        mean, _, high = stats.mean_interval(values, confidence=0.9)
        assert row["count"] == values.shape[0]
        assert row["mean"] == pytest.approx(mean, rel=1e-12)
        assert row["half"] == pytest.approx(high - mean, rel=1e-9)
    one = stats.group_intervals(pd.DataFrame({"g": [0], "v": [2.0]}), "g", "v")
    assert one["half"].tolist() == [0.0]


def test_paired_interval_equals_scipys_paired_t_test():
    from scipy.stats import ttest_rel

    a = np.array([11.0, 15.0, 13.0, 11.0, 12.5])
    b = np.array([10.0, 12.0, 11.0, 9.0, 12.0])
    found = stats.paired_interval(a - b)
    test = ttest_rel(a, b)
    assert found.p_value == pytest.approx(test.pvalue, rel=1e-10)
    want = test.confidence_interval(0.95)
    assert (found.low, found.high) == pytest.approx((want.low, want.high), rel=1e-10)
    assert found.mean == pytest.approx(1.7) and found.separated
    assert found.sd == pytest.approx(np.std(a - b, ddof=1))


def test_paired_interval_of_identical_and_of_too_few_differences():
    same = stats.paired_interval([2.0, 2.0, 2.0])
    assert (same.low, same.high, same.p_value, same.separated) == (2.0, 2.0, 0.0, True)
    zero = stats.paired_interval([0.0, 0.0])
    assert (zero.p_value, zero.separated) == (1.0, False)
    one = stats.paired_interval([1.5])
    assert one.mean == 1.5 and math.isnan(one.sd) and not one.separated


def test_power_known_values_and_statsmodels():
    from statsmodels.stats.power import TTestPower

    # G*Power, matched pairs, two-sided alpha 0.05: dz 0.5 with 34 pairs 0.8078, dz 0.8
    # with 15 pairs 0.8213.
    assert stats.power(34, 0.5, 1.0) == pytest.approx(0.8077775, abs=1e-6)
    assert stats.power(15, 1.6, 2.0) == pytest.approx(0.8213105, abs=1e-6)
    n = np.arange(2, 40)
    want = [TTestPower().power(effect_size=0.3, nobs=k, alpha=0.05) for k in n]
    np.testing.assert_allclose(stats.power(n, -0.6, 2.0), want, rtol=1e-6)


def test_wilson_interval_known_values_and_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    # Wilson (1927) for 5 of 10: 0.2366 to 0.7634; for 0 of 10: 0 to 0.2775.
    assert stats.wilson_interval(5, 10) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    assert stats.wilson_interval(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)
    for k, n in ((0, 7), (3, 7), (7, 7), (41, 200)):
        want = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert stats.wilson_interval(k, n) == pytest.approx(want, abs=1e-12)


def half_width(n, sd, confidence=0.95):
    return student.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)


def power(n, sd, difference, confidence=0.95):
    crit = student.ppf(1 - (1 - confidence) / 2, n - 1)
    shift = difference / sd * math.sqrt(n)
    # Two-sided: P(T > crit) + P(T < -crit); the lower tail by symmetry, P(T' > crit) with
    # noncentrality -shift, because nct.cdf gives NaN deep in that tail.
    lower = nct.cdf(-crit, n - 1, shift)
    assert np.isnan(lower) or lower == pytest.approx(nct.sf(crit, n - 1, -shift), abs=1e-12)
    return nct.sf(crit, n - 1, shift) + nct.sf(crit, n - 1, -shift)


@pytest.mark.parametrize(
    ("sd", "target", "confidence"),
    [(1.0, 0.5, 0.95), (2.0, 0.1, 0.95), (0.3, 1.0, 0.95), (1.0, 0.2, 0.9), (1.0, 6.533e-4, 0.95)],
)
def test_replications_for_a_half_width(sd, target, confidence):
    # The last case needs about 9.0 million pairs: above 2**23, below the 10**7 cap.
    n = replications_needed(sd, half_width=target, confidence=confidence)
    assert half_width(n, sd, confidence) <= target
    assert n == 2 or half_width(n - 1, sd, confidence) > target


def test_replications_for_a_half_width_by_hand():
    # sd 1, half-width 0.5: n = 18 gives 2.1098 / sqrt(18) = 0.4973, n = 17 gives 0.5142.
    assert replications_needed(1.0, half_width=0.5) == 18
    # A half-width as wide as the spread: n = 2 gives 12.706 / sqrt(2) = 8.98 > 1,
    # n = 7 gives 2.4469 / sqrt(7) = 0.9248, n = 6 gives 2.5706 / sqrt(6) = 1.0494.
    assert replications_needed(1.0, half_width=1.0) == 7


@pytest.mark.parametrize(("sd", "difference"), [(1.0, 0.5), (1.0, -0.5), (2.0, 0.3), (1.0, 3.0)])
def test_replications_to_tell_a_difference(sd, difference):
    n = replications_needed(sd, difference=difference)
    assert power(n, sd, abs(difference)) >= 0.8
    assert n == 2 or power(n - 1, sd, abs(difference)) < 0.8
    # A larger difference needs fewer replications (or the floor of 2).
    assert replications_needed(sd, difference=2 * difference) < n or n == 2


def test_large_differences_past_scipys_nan_lower_tail():
    # sd 1, difference 3: power 0.7453 at n = 3, 0.9670 at n = 4 -> 4.
    # difference 6: power 0.4944 at n = 2, 0.9951 at n = 3 -> 3. At n = 2 and 4,
    # nct.cdf(-crit, n - 1, 6 * sqrt(n)) is NaN, which must not read as "not enough".
    assert replications_needed(1.0, difference=3.0) == 4
    assert replications_needed(1.0, difference=6.0) == 3
    assert replications_needed(1.0, difference=50.0) == 2


def test_replications_to_tell_a_difference_known_value():
    # The textbook paired t-test size (G*Power, "means: difference from constant, matched
    # pairs"): effect size dz = 0.5, two-sided alpha 0.05, power 0.8 -> 34 pairs.
    assert replications_needed(1.0, difference=0.5) == 34
    assert replications_needed(2.0, difference=1.0) == 34  # only difference / sd counts
    assert replications_needed(1.0, difference=0.5, power=0.9) > 34


def test_replications_needed_rejects_bad_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        replications_needed(1.0)
    with pytest.raises(ValueError, match="exactly one"):
        replications_needed(1.0, half_width=0.1, difference=0.1)
    with pytest.raises(ValueError, match=r"'sd_difference' parameter .* \[0, inf\)"):
        replications_needed(-1.0, half_width=0.1)
    with pytest.raises(ValueError, match=r"'sd_difference' parameter .* Got nan"):
        replications_needed(math.nan, half_width=0.1)
    with pytest.raises(ValueError, match=r"'half_width' parameter .* \(0, inf\)"):
        replications_needed(1.0, half_width=0.0)
    with pytest.raises(ValueError, match=r"'half_width' parameter .* Got inf"):
        replications_needed(1.0, half_width=math.inf)
    with pytest.raises(ValueError, match=r"'difference' parameter .* non-zero"):
        replications_needed(1.0, difference=0.0)
    with pytest.raises(ValueError, match=r"'power' parameter .* \(0, 1\)"):
        replications_needed(1.0, difference=0.1, power=1.0)
    with pytest.raises(ValueError, match=r"'confidence' parameter .* \(0, 1\)"):
        replications_needed(1.0, half_width=0.1, confidence=0.0)
    with pytest.raises(ValueError, match="more than 10,000,000 replications"):
        replications_needed(1.0, half_width=1e-4)
    assert replications_needed(0.0, half_width=0.1) == 2
    assert replications_needed(0.0, difference=0.1) == 2
