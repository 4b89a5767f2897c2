"""Stylised facts: the measures on synthetic data, and the fitted defaults against them."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from sim import facts
from sim.facts import (
    TARGETS,
    bass_fit,
    check,
    loss,
    participation,
    rogers_categories,
)

ROOT = Path(__file__).resolve().parent.parent


def bass_curve(p, q, m, weeks=53, start=0.0):
    curve = [start]
    for _ in range(weeks - 1):
        f = curve[-1]
        curve.append(f + (p + q * f / m) * (m - f))
    return np.array(curve)


@pytest.mark.parametrize(("p", "q", "m"), [(0.03, 0.38, 0.9), (0.01, 0.2, 0.6), (0.002, 0.3, 1.0)])
def test_bass_fit_recovers_the_recursion(p, q, m):
    fit = bass_fit(bass_curve(p, q, m))
    assert (fit.p, fit.q, fit.m) == pytest.approx((p, q, m), rel=1e-3)
    assert fit.q_over_p == pytest.approx(q / p, rel=2e-3)
    assert fit.rmse < 1e-6


def test_bass_fit_of_pure_external_influence():
    fit = bass_fit(bass_curve(0.05, 0.0, 0.8))
    assert fit.q_over_p == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(ValueError, match="'fraction' parameter of bass_fit"):
        bass_fit([0.1, 0.2])


def test_rogers_categories_by_hand():
    # Organic adopters at weeks 1..10, each once, plus a first mover (0) and a never (-1):
    # mean 5.5, sd 2.8723; z of week 1 is -1.567 (early adopters), weeks 1-2 early adopters,
    # 3-5 early majority, 6-8 late majority, 9-10 laggards (z >= 1.218 is above 1).
    at = np.array([0, -1, *range(1, 11)])
    shares = rogers_categories(at)
    assert shares["adopters"] == 10
    assert [shares[k] for k in facts.ROGERS] == pytest.approx([0.0, 0.2, 0.3, 0.3, 0.2])
    with_seed = rogers_categories(at, organic_only=False)
    assert with_seed["adopters"] == 11 and with_seed["innovators"] == 0.0
    assert math.isnan(rogers_categories(np.array([3, 3, -1]))["innovators"])


def test_participation_by_hand():
    stage = np.array([0, 1, 1, 1, 1, 1, 1, 2, 2, 3])
    parts = participation(stage)
    assert parts["users"] == 9
    assert (parts["lurkers"], parts["contributors"], parts["creators"]) == pytest.approx(
        (6 / 9, 2 / 9, 1 / 9)
    )
    assert math.isnan(participation(np.array([0, 1, 1]), 1)["creators"])


def test_check_and_loss():
    inside = {fact: (low if math.isinf(high) else (low + high) / 2) + (1 if math.isinf(high)
              else 0) for fact, (low, high) in TARGETS.items()}  # fmt: skip
    assert check(inside)["met"].all()
    assert loss(inside) == 0.0
    worse = {**inside, "creators_of_users": 0.05}
    assert not check(worse).set_index("fact").loc["creators_of_users", "met"]
    assert loss(worse) > 0
    assert loss({**inside, "creators_of_users": 0.1}) > loss(worse)
    assert loss({**inside, "bass_q_over_p": math.nan}) == pytest.approx(10.0)


def _fit_script():
    spec = importlib.util.spec_from_file_location(
        "fit_defaults", ROOT / "experiments" / "fit_defaults.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_defaults_meet_the_stylised_facts():
    """The README's table at reduced size: 10 replications of the default company and a
    plain company-wide launch (5 of each other culture), on a seed the fit never saw."""
    from sim.org import generate

    fit = _fit_script()
    measured = fit.evaluate(fit.defaults(), generate(headcount=2000, seed=0), seed=11)
    table = check(measured, fit.targets())
    assert table["met"].all(), table.loc[~table["met"]].to_string()
