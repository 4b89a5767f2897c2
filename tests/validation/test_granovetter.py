"""Granovetter (1978): people's own thresholds from config, the riot, and normal crowds."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import OrgModel, networks, rules
from sim.cli import precheck  # as orgsim runs it: sim.cli stores the schemas in Hydra
from sim.rules import ThresholdLaw
from sim.schema import ConfigError
from sim.validation import granovetter
from tests.helpers import orgsim

# -- the law of thresholds ------------------------------------------------------------------


def test_evenly_spaced_thresholds_are_handed_out_in_a_random_order():
    law = ThresholdLaw(law="evenly", theta=0, spread=99, absolute=True)
    theta = law.draw(100, np.random.default_rng(1))
    np.testing.assert_array_equal(np.sort(theta), np.arange(100.0))
    assert not np.array_equal(theta, np.arange(100.0))  # shuffled over the people
    np.testing.assert_array_equal(theta, law.draw(100, np.random.default_rng(1)))


def test_moving_one_rank_moves_exactly_that_threshold():
    law = ThresholdLaw(law="evenly", theta=0, spread=99, moved=1, move=1, absolute=True)
    theta = law.draw(100, np.random.default_rng(3))
    expected = np.arange(100.0)
    expected[1] = 2
    np.testing.assert_array_equal(np.sort(theta), np.sort(expected))
    # Everyone the same, one moved: ties are broken in the order of the people.
    same = ThresholdLaw(theta=0.2, moved=0, move=0.1).draw(5, np.random.default_rng(0))
    np.testing.assert_allclose(same, [0.3, 0.2, 0.2, 0.2, 0.2])


def test_normal_thresholds_are_drawn_and_clipped_to_the_domain():
    law = ThresholdLaw(law="normal", theta=25, spread=10, absolute=True)
    theta = law.draw(200_000, np.random.default_rng(0))
    assert theta.min() == 0.0  # a negative threshold acts as 0 does
    unclipped = theta[theta > 0]
    assert abs(np.median(unclipped) - 25) < 0.1
    shares = ThresholdLaw(law="normal", theta=0.5, spread=0.4).draw(
        10_000, np.random.default_rng(0)
    )
    assert shares.min() == 0.0 and shares.max() == 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"law": "uniform"}, "'law' parameter of ThresholdLaw must be one of same, evenly, normal"),
        ({"spread": 0.1}, "'spread' parameter .* must be 0 when everyone has the same"),
        ({"law": "evenly", "theta": 0.5, "spread": 0.6}, "within \\[0, 1\\]"),
        ({"moved": -1}, "'moved' parameter"),
        ({"law": "normal", "spread": -1.0}, "'spread' parameter"),
    ],
)
def test_a_bad_law_names_its_parameter(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ThresholdLaw(**kwargs)


def test_a_moved_rank_must_exist_and_stay_in_the_domain():
    with pytest.raises(ValueError, match="below the number of people \\(100\\)"):
        ThresholdLaw(law="evenly", theta=0, spread=99, moved=100, absolute=True).check(100)
    with pytest.raises(ValueError, match=r"'move' parameter .* 0 \+ -1 = -1"):
        ThresholdLaw(law="evenly", theta=0, spread=99, moved=0, move=-1, absolute=True).check(100)


# -- the paper's arithmetic against the engine -------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=2, max_size=30))
def test_the_engine_riots_as_far_as_the_papers_arithmetic(thresholds):
    """Any crowd where everyone sees everyone: the engine's final rioters are the
    fixed point of the thresholds, computed the slow obvious way."""
    theta = np.asarray(thresholds)
    model = OrgModel(network=networks.complete(theta.shape[0]),
                     rule=rules.Threshold(theta=theta, absolute=True), seed=0).run(40)  # fmt: skip
    assert model.adopters == granovetter.riot_size(theta)


def test_riot_size_and_the_normal_equilibrium():
    assert granovetter.riot_size(np.arange(100)) == 100
    theta = np.arange(100)
    theta[1] = 2
    assert granovetter.riot_size(theta) == 1
    assert granovetter.riot_size([1, 1, 2]) == 0  # no instigator
    # Granovetter's figure 2: mean 25 of 100, the jump just above a spread of 12.2.
    critical = granovetter.critical_spread(100, 25)
    assert 12.1 < critical < 12.3
    assert granovetter.normal_equilibrium(100, 25, critical - 0.01) < 10
    assert granovetter.normal_equilibrium(100, 25, critical + 0.01) > 99


# -- the experiments, through orgsim ---------------------------------------------------------


def test_the_riot_experiment_stops_where_one_threshold_was_moved(tmp_path):
    done = orgsim(tmp_path, "-m", "+experiment=granovetter_riot", "rule.moved=null,0,1,10,50")
    store = tmp_path / "results" / "granovetter_riot"
    runs = pd.read_parquet(store / "runs.parquet")
    assert len(runs) == 5 and (runs["experiment"] == "granovetter_riot").all()
    table = granovetter.riot(runs)
    assert table["moved"].isna().tolist() == [True, False, False, False, False]
    assert table["rioters"].tolist() == [100, 0, 1, 10, 50]
    assert (table["rioters"] == table["paper"]).all()
    assert "Moving the threshold-1 person to 2: 1 riot (Granovetter: 1)" in done.stdout
    html = (store / "report.html").read_text()
    assert "Validation: Granovetter (1978), the riot" in html
    assert list((store / "figures").glob("*riot.png"))
    # The unmoved crowd riots one more person a week, to the last.
    curves = pd.read_parquet(store / "timeseries.parquet")
    unmoved = curves[curves["rule.moved"].isna()].sort_values("step")
    assert unmoved["adopters"].tolist()[:101] == list(range(101))


def test_normal_crowds_jump_from_a_handful_to_everyone(tmp_path):
    done = orgsim(tmp_path, "-m", "+experiment=granovetter_normal", "replications=40",
                  "rule.spread=6,13,20")  # fmt: skip
    runs = pd.read_parquet(tmp_path / "results" / "granovetter_normal" / "runs.parquet")
    table = granovetter.sensitivity(runs).set_index("spread")
    assert table.loc[6.0, "mean"] < 2 and table.loc[6.0, "most"] == 0
    assert table.loc[20.0, "mean"] > 90 and table.loc[20.0, "most"] > 0.9
    assert "the equilibrium jumps from" in done.stdout
    # Each replication drew its own crowd; the same seed draws the same crowds again.
    again = orgsim(tmp_path, "-m", "+experiment=granovetter_normal", "replications=40",
                   "rule.spread=6,13,20", "task_name=again")  # fmt: skip
    assert again.returncode == 0
    rerun = pd.read_parquet(tmp_path / "results" / "again" / "runs.parquet")
    key = ["config_hash", "replication"]
    pd.testing.assert_series_equal(
        runs.sort_values(key)["final_fraction_adopt"].reset_index(drop=True),
        rerun.sort_values(key)["final_fraction_adopt"].reset_index(drop=True),
    )
    assert runs.loc[runs["rule.spread"] == 13, "final_fraction_adopt"].nunique() > 5


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("rule.thresholds=uniform", "rule.thresholds: The 'law' parameter"),
        ("rule.moved=100", "rule.moved: The 'moved' parameter of ThresholdLaw must be a rank"),
        ("rule.spread=-2", "rule.spread: The 'spread' parameter"),
    ],
)
def test_bad_thresholds_in_config_say_which_key(override, message):
    # What orgsim checks first and prints in one line (tests/cli/test_cli.py runs that path).
    with pytest.raises(ConfigError) as refusal:
        precheck(["+experiment=granovetter_riot", "rule.moved=1", override])
    assert message in str(refusal.value) and "\n" not in str(refusal.value)
