"""ABC-SMC through sim.calibrate recovers a known model: a stochastic Bass diffusion whose
innovation p and imitation q were planted, and a resumed run samples no generation twice."""

import numpy as np
import pytest

pytest.importorskip("pyabc", reason="the calibration tests need pip install -e '.[calibrate]'")

from sim.calibrate import CalibrationError, abc_smc, box_prior, weighted_interval

PEOPLE, WEEKS = 2000, 30
TRUTH = {"p": 0.01, "q": 0.4}
RANGES = {"p": (0.0, 0.05), "q": (0.0, 1.0)}


def bass(parameters, seed=0):
    """The share who adopted by each week: binomial draws of a discrete Bass model, on draws
    fixed by ``seed`` (common random numbers across particles)."""
    rng = np.random.default_rng(seed)
    adopted, curve = 0, []
    for _ in range(WEEKS):
        hazard = min(1.0, parameters["p"] + parameters["q"] * adopted / PEOPLE)
        adopted += rng.binomial(PEOPLE - adopted, hazard)
        curve.append(adopted / PEOPLE)
    return {"curve": np.array(curve)}


def distance(simulated, observed):
    return float(np.sqrt(np.mean((simulated["curve"] - observed["curve"]) ** 2)))


@pytest.fixture(scope="module")
def posterior(tmp_path_factory):
    database = tmp_path_factory.mktemp("abc") / "bass.db"
    observed = bass(TRUTH, seed=99)  # the "field data": other draws than the simulator's
    return abc_smc(bass, RANGES, distance, observed, database=database, population=200,
                   generations=6, seed=1)  # fmt: skip


def test_the_planted_parameters_lie_inside_their_90_percent_intervals(posterior):
    assert posterior["weight"].sum() == pytest.approx(1.0)
    for name, truth in TRUTH.items():
        low, high = weighted_interval(posterior[name], posterior["weight"])
        assert low <= truth <= high, (name, low, high)
        width = RANGES[name][1] - RANGES[name][0]
        assert high - low < 0.35 * width, (name, low, high)  # the data narrowed the prior


def test_a_run_says_how_far_it_went(posterior):
    assert posterior.attrs["generations"] == 6
    assert posterior.attrs["simulations"] >= 6 * 200
    assert posterior.attrs["epsilon"] > 0


def test_a_resumed_run_goes_on_from_its_last_generation(tmp_path):
    import pyabc

    database = tmp_path / "bass.db"
    observed = bass(TRUTH, seed=99)
    first = abc_smc(bass, RANGES, distance, observed, database=database, population=50,
                    generations=2, seed=1)  # fmt: skip
    url = f"sqlite:///{database.resolve()}"
    before = pyabc.History(url).get_all_populations()
    more = abc_smc(bass, RANGES, distance, observed, database=database, population=50,
                   generations=4, seed=2)  # fmt: skip
    after = pyabc.History(url).get_all_populations()
    assert first.attrs["generations"] == 2 and more.attrs["generations"] == 4
    # The two finished generations are the same rows, not sampled again.
    kept = after[after["t"].isin(before["t"])]
    assert kept[["t", "epsilon", "samples"]].to_numpy().tolist() == (
        before[["t", "epsilon", "samples"]].to_numpy().tolist()
    )
    # Asking for no more generations than the database holds samples nothing.
    again = abc_smc(bass, RANGES, distance, observed, database=database, population=50,
                    generations=4, seed=3)  # fmt: skip
    assert again.attrs["simulations"] == more.attrs["simulations"]


@pytest.mark.parametrize(
    ("ranges", "says"),
    [({}, "at least one"), ({"p": (0.5, 0.1)}, "'p'"), ({"p": "wide"}, "'p'"),
     ({"q": (0.0, float("inf"))}, "'q'")],
)  # fmt: skip
def test_a_bad_prior_names_its_parameter(ranges, says):
    with pytest.raises(CalibrationError, match=says):
        box_prior(ranges)


def test_a_threshold_quantile_outside_0_1_is_refused(tmp_path):
    with pytest.raises(CalibrationError, match="quantile"):
        abc_smc(bass, RANGES, distance, bass(TRUTH), database=tmp_path / "x.db", quantile=1.0)
    assert not (tmp_path / "x.db").exists()


def test_the_weighted_interval_of_an_even_sample_is_its_quantiles():
    values = np.arange(1000, dtype=float)
    low, high = weighted_interval(values, np.ones(1000), level=0.9)
    expected = np.quantile(values, [0.05, 0.95], method="inverted_cdf")
    assert (low, high) == tuple(expected) and 48 <= low <= 50 and 949 <= high <= 951
    # Weight on one value pulls both ends to it.
    weights = np.full(1000, 1e-9)
    weights[500] = 1.0
    assert weighted_interval(values, weights) == (500.0, 500.0)
