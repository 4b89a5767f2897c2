"""The posterior orgsim ships (sim/data/posterior.csv): it loads, it is a sample of the fit's
parameters inside their ranges, and every draw meets the targets it was calibrated on within
the threshold ABC-SMC reached, re-measured here as ``experiments/posterior.py`` measured it
(a few draws in the default suite, all of them in a slow test)."""

import numpy as np
import pytest

from sim import posterior
from tests.helpers import experiment

#: How the shipped posterior was made (docs/defaults.md): the script's defaults.
ORGS = ((2000, 0), (2000, 1), (2000, 2), (500, 3), (500, 4))
REPLICATIONS = 4


@pytest.fixture(scope="module")
def shipped():
    return posterior.load()


def test_the_shipped_posterior_loads_with_its_weights_and_every_fitted_parameter(shipped):
    fit = experiment("fit_defaults")
    assert len(shipped) >= 200
    assert shipped["draw"].is_unique
    assert shipped["weight"].sum() == pytest.approx(1.0) and (shipped["weight"] >= 0).all()
    assert posterior.parameters() == [f"{w}.{n}" for w, n, *_ in fit.PARAMETERS]
    for where, name, low, high in fit.PARAMETERS:
        assert shipped[f"{where}.{name}"].between(low, high).all(), name
    assert (shipped["distance"] <= shipped["epsilon"]).all()
    assert shipped["epsilon"].nunique() == 1


def _remeasure(rows):
    script = experiment("posterior")
    facts = script.Facts(script._fit(), ORGS, REPLICATIONS)
    names = posterior.parameters()
    return [facts.distance(facts({n: float(row[n]) for n in names}))
            for _, row in rows.iterrows()]  # fmt: skip


def _check(rows):
    measured = np.array(_remeasure(rows))
    epsilon = float(rows["epsilon"].iloc[0])
    assert np.allclose(measured, rows["distance"].to_numpy(), rtol=1e-9, atol=1e-9)
    assert (measured <= epsilon + 1e-9).all()


def test_a_subsample_of_draws_meets_its_targets_on_a_re_measure(shipped):
    heaviest = shipped.sort_values("weight", ascending=False).head(2)
    _check(heaviest)
    _check(shipped.sample(1, random_state=0))


@pytest.mark.slow
def test_every_draw_meets_its_targets_on_a_re_measure(shipped):
    _check(shipped)


def test_single_runs_use_the_fit_which_the_posterior_s_threshold_admits(shipped):
    # docs/defaults.md: a run without a draw runs the schemas' defaults, the fit; the
    # posterior's final threshold admits it, so it is one of the models the evidence allows.
    fit = experiment("fit_defaults")
    script = experiment("posterior")
    facts = script.Facts(fit, ORGS, REPLICATIONS)
    values = {f"{where}.{name}": value for (where, name), value in fit.defaults().items()}
    assert facts.distance(facts(values)) <= float(shipped["epsilon"].iloc[0])
