"""experiments/posterior.py at a reduced size: particles judged on the fit's targets, the
posterior written, a bad company list refused in one line."""

import math

import pandas as pd
import pytest

from tests.helpers import experiment

pytest.importorskip("pyabc", reason="the calibration tests need pip install -e '.[calibrate]'")


def _script():
    return experiment("posterior")


def test_a_small_posterior_is_written_with_every_parameter_and_a_weight(tmp_path):
    script = _script()
    out = tmp_path / "posterior"
    assert script.main(["--population", "3", "--generations", "2", "--orgs", "200/0",
                        "--replications", "1", "--out", str(out)]) == 0  # fmt: skip
    sample = pd.read_csv(out / "posterior.csv")
    fit = script._fit()
    names = [f"{w}.{n}" for w, n, *_ in fit.PARAMETERS]
    assert list(sample.columns) == ["draw", *names, "weight", "distance", "epsilon"]
    assert len(sample) == 3 and sample["weight"].sum() == pytest.approx(1.0)
    assert list(sample["draw"]) == [0, 1, 2]
    assert (sample["distance"] <= sample["epsilon"]).all()
    # The shipped form: sim.posterior reads it as it reads sim/data/posterior.csv.
    from sim import posterior

    assert posterior.parameters(sample) == names
    for w, n, low, high in fit.PARAMETERS:
        assert sample[f"{w}.{n}"].between(low, high).all(), n
    assert (out / "abc.db").stat().st_size > 0


def test_the_distance_is_the_fit_s_loss_and_zero_when_every_target_is_met():
    script = _script()
    fit = script._fit()
    facts = script.Facts(fit, ((200, 0),), 1)
    met = {"cultures|read_without_social": 0.05, "cultures|cultures_ordered": 1.0}
    assert facts.distance(met) == 0.0
    missed = {**met, "cultures|read_without_social": 0.20}
    assert facts.distance(missed) == pytest.approx(1.0)  # 0.10 over a range 0.10 wide
    assert math.isinf(facts.distance({"refused": 1.0}))


@pytest.mark.parametrize("orgs", ["2000", "2000/x", "1/0", ""])
def test_a_bad_company_list_is_one_line_and_exit_2(tmp_path, capsys, orgs):
    script = _script()
    assert script.main(["--orgs", orgs, "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("posterior: --orgs")
    assert not (tmp_path / "p").exists()


def test_a_prior_around_a_fit_is_a_box_inside_the_ranges():
    script = _script()
    fit = script._fit()
    values = {f"{w}.{n}": v for (w, n), v in fit.defaults().items()}
    box = script.ranges(fit, values, width=0.1)
    for w, n, low, high in fit.PARAMETERS:
        lo, hi = box[f"{w}.{n}"]
        assert low <= lo <= values[f"{w}.{n}"] <= hi <= high
        assert hi - lo <= 0.2 * (high - low) + 1e-12
    # A value at its range's end (a weight of 0) gets a box on one side only.
    assert box["rule.content_weight"][0] == 0.0


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--around", "nope.json"], "--around nope.json"), (["--width", "0"], "--width"),
     (["--quantile", "1"], "--quantile")],
)  # fmt: skip
def test_a_bad_prior_option_is_one_line_and_exit_2(tmp_path, capsys, args, says):
    script = _script()
    assert script.main([*args, "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0]
    assert not (tmp_path / "p").exists()
