"""A pilot's calibration at reduced size: a planted company is recovered within its intervals,
an interrupted calibration goes on without repeating a finished generation, and the forecast's
bands hold the planted company's own future."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc", reason="the calibration tests need pip install -e '.[calibrate]'")

from sim.calibrate import abc_smc, fit
from sim.calibrate.pilot import RUNGS, read_pilot
from sim.calibrate.report import candidates
from sim.calibrate.study import PilotStudy
from sim.conf import compose_scenario

OVERRIDES = ["org.headcount=400", "rollout=sales_support_pilot", "rollout.expand_week=9"]
WEEKS = 8
TRUTH = {"draw": 42, "culture.open": 0.3, "culture.trust": 0.7, "culture.generative": 0.4,
         "culture.courage": 0.6, "detection": 0.75}  # fmt: skip


def study(pilot=None, seed=0):
    scenario = compose_scenario(OVERRIDES)
    return PilotStudy(org=scenario.org, rule=scenario.rule, culture=scenario.culture,
                      rollout=scenario.rollout, pilot=pilot, seed=seed)  # fmt: skip


def headcount(org):
    return {u: int(np.count_nonzero(org.unit == i)) for i, u in enumerate(org.unit_names)}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The planted company's pilot file (the truth's study seeded apart from the fit's)."""
    where = tmp_path_factory.mktemp("pilot")
    truth_study = study(seed=12345)
    frame = truth_study.synthetic(TRUTH, WEEKS)
    frame.to_csv(where / "pilot.csv", index=False)
    pilot = read_pilot(where / "pilot.csv", headcount(truth_study.org))
    return where, pilot, truth_study


@pytest.fixture(scope="module")
def calibrated(planted):
    where, pilot, _ = planted
    fitted = study(pilot)
    particles = fitted.calibrate(where / "abc.db", population=100, generations=4, seed=1)
    return fitted, particles


def test_the_planted_company_lies_inside_its_intervals(calibrated):
    fitted, particles = calibrated
    full = fitted.table(particles)
    truth = fitted.values(TRUTH) | {"detection": TRUTH["detection"]}
    inside = {}
    for name in fitted.parameters():
        low, high = fit.weighted_interval(full[name], full["weight"], 0.9)
        inside[name] = low <= truth[name] <= high
    # the analytics' detection rate is what an 8-week pilot pins best
    assert inside["detection"]
    # 90 % intervals: about one parameter in ten may miss by chance
    assert sum(inside.values()) >= 0.8 * len(inside), {k: v for k, v in inside.items() if not v}


def test_the_pilot_narrows_what_it_shows(calibrated):
    fitted, particles = calibrated
    prior = fitted.prior_sample(4000, np.random.default_rng(0))
    table = fit.compare(prior, fitted.table(particles), fitted.parameters())
    # the prior against itself narrows nothing; the pilot pins at least one parameter
    assert table["narrowed"].max() > 0.3
    itself = fit.compare(prior, fitted.prior_sample(4000, np.random.default_rng(1)),
                         fitted.parameters())  # fmt: skip
    assert itself["narrowed"].max() < 0.1


def test_the_forecast_bands_hold_the_planted_company_s_future(planted, calibrated):
    _, pilot, truth_study = planted
    fitted, particles = calibrated
    options = candidates(fitted.rollout, pilot.last_week + 1, 9, None, 3)
    chosen = {"expand now": options["expand now"]}
    horizon = pilot.last_week + 30
    runs = fitted.forecast(fitted.pick(particles, 30, np.random.default_rng(0)), chosen,
                           horizon, 2)  # fmt: skip
    everyone = np.ones(len(pilot.units), dtype=bool)
    table = fit.forecast_table(runs, chosen, {"the company": everyone}, pilot.headcount, RUNGS)
    real = truth_study.curves(TRUTH, horizon, rollout=chosen["expand now"])[0]
    share = fit.shares(real, everyone, pilot.headcount)  # (weeks + 1, rungs)
    inside = []
    for b, rung in enumerate(RUNGS[:2]):  # creators: too few in 400 people to band
        part = table[table["rung"] == rung].sort_values("week")
        after = part["week"].to_numpy() > pilot.last_week
        low, high = part["q05"].to_numpy()[after], part["q95"].to_numpy()[after]
        truth_curve = share[pilot.last_week + 1 :, b]
        inside.append((low - 1e-9 <= truth_curve) & (truth_curve <= high + 1e-9))
    assert np.concatenate(inside).mean() >= 0.8


def test_an_interrupted_calibration_goes_on_without_repeating_a_generation(planted, tmp_path):
    _, pilot, _ = planted
    fitted = study(pilot)
    database = tmp_path / "abc.db"
    seen = []

    def interrupting(particle):
        if len(seen) == 2:  # two generations finished: Ctrl-C in the third
            raise KeyboardInterrupt
        return fitted.simulate(particle)

    with pytest.raises(KeyboardInterrupt):
        abc_smc(interrupting, fitted.prior(), fitted.distance, fitted.observed(),
                database=database, population=40, generations=4,
                on_generation=lambda *a: seen.append(a))  # fmt: skip
    assert [g for g, *_ in seen] == [0, 1]
    import pyabc

    before = pyabc.History(f"sqlite:///{database}").get_all_populations()
    again = []
    particles = abc_smc(fitted.simulate, fitted.prior(), fitted.distance, fitted.observed(),
                        database=database, population=40, generations=4,
                        on_generation=lambda *a: again.append(a))  # fmt: skip
    assert [g for g, *_ in again] == [2, 3]
    after = pyabc.History(f"sqlite:///{database}").get_all_populations()
    kept = after[after["t"] <= 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[["t", "epsilon", "samples"]],
                                  before[before["t"] <= 1].reset_index(drop=True)[
                                      ["t", "epsilon", "samples"]])  # fmt: skip
    # the simulations of the finished generations are counted once, not sampled again
    third = int(after.loc[after["t"] == 2, "samples"].iloc[0])
    assert again[0][3] == seen[-1][3] + third
    assert particles.attrs["generations"] == 4
