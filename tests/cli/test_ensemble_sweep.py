"""Studies over the posterior ensemble: which draws, how a draw's values reach a job, the jobs
a sweep expands to (draws, channels), and what the results make of them."""

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim import channels, posterior
from sim.schema import ConfigError
from sim.sweep import expand

LADDER = ["consume", "contribute", "create"]


def small_posterior(n=50, seed=0):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.1, 1.0, n)
    return pd.DataFrame({
        "draw": np.arange(n) + 100, "rule.peer_weight": rng.uniform(0, 1, n),
        "culture.threshold_mean": rng.uniform(0.2, 0.5, n),
        "contribute.voice": rng.uniform(0.5, 1.0, n),
        "weight": weights / weights.sum(), "distance": 0.0,
    }).set_index("draw", drop=False)  # fmt: skip


@pytest.fixture
def shipped(monkeypatch):
    frame = small_posterior()
    monkeypatch.setattr(posterior, "load", lambda: frame)
    return frame


def test_draws_are_distinct_weighted_and_a_larger_ensemble_keeps_a_smaller_ones():
    frame = small_posterior()
    ten = posterior.choose(10, seed=3, posterior=frame)
    assert len(set(ten)) == 10 and set(ten) <= set(frame["draw"])
    assert posterior.choose(30, seed=3, posterior=frame)[:10] == ten
    assert posterior.choose(10, seed=4, posterior=frame) != ten
    # Heavier draws come first more often: over many seeds, the first draw's mean weight is
    # above the mean weight.
    firsts = [posterior.choose(1, seed=s, posterior=frame)[0] for s in range(400)]
    assert frame.loc[firsts, "weight"].mean() > 1.2 * frame["weight"].mean()


def test_a_zero_weight_draw_is_never_chosen_before_the_others():
    frame = small_posterior(5)
    frame.loc[frame.index[0], "weight"] = 0.0
    assert frame["draw"].iloc[0] not in posterior.choose(4, seed=0, posterior=frame)


@pytest.mark.parametrize("bad", [-1, 1.5, True, 51])
def test_an_impossible_number_of_draws_is_named(bad):
    with pytest.raises(ConfigError, match=r"ensemble\.draws"):
        posterior.choose(bad, posterior=small_posterior())


def config(**top):
    return OmegaConf.create({
        "rule": {"name": "organizational", "peer_weight": 0.25, "training_effect": 0.1},
        "culture": {"threshold_mean": 0.3},
        "behavior": {"ladder": [{"name": b, "voice": 0.0} for b in LADDER]},
        "draw": None, "channel": None, **top,
    })  # fmt: skip


def test_a_draw_sets_its_values_except_the_keys_the_command_set(shipped):
    row = shipped.iloc[7]
    cfg = config(draw=int(row["draw"]))
    posterior.apply(cfg, overridden={"rule.peer_weight"})
    assert cfg.rule.peer_weight == 0.25  # the command's
    assert cfg.culture.threshold_mean == pytest.approx(row["culture.threshold_mean"])
    assert cfg.behavior.ladder[1].voice == pytest.approx(row["contribute.voice"])
    plain = config()
    posterior.apply(plain)
    assert plain.rule.peer_weight == 0.25 and plain.behavior.ladder[1].voice == 0.0


def test_a_draw_that_is_not_there_or_a_ladder_without_its_rung_is_one_line(shipped):
    with pytest.raises(ConfigError, match=r"draw: 3 is not a parameter set .*100-149"):
        posterior.apply(config(draw=3))
    cfg = config(draw=100)
    cfg.behavior.ladder = [{"name": "read", "voice": 0.0}]
    with pytest.raises(ConfigError, match="rung 'contribute', which this ladder lacks"):
        posterior.apply(cfg)
    cfg = config(draw=100)
    cfg.rule.name = "bass"
    with pytest.raises(ConfigError, match="rule=bass"):
        posterior.apply(cfg)


def test_a_channel_switches_its_keys_off_and_an_unknown_one_is_named():
    cfg = config(channel="training")
    channels.apply(cfg)
    assert cfg.rule.training_effect == 0.0 and cfg.rule.peer_weight == 0.25
    with pytest.raises(ConfigError, match="'fun' is not a channel"):
        channels.apply(config(channel="fun"))


GRID = [["rollout=company_wide_hierarchical"], ["rollout=pilot_decentralized"]]


def test_an_ensemble_crosses_every_job_with_each_draw_draws_outermost(shipped):
    jobs, points, design = expand(GRID, None, {"draws": 3, "replications": 2, "seed": 0})
    draws = posterior.choose(3, 0)
    assert design is None and points == [None] * 6
    assert jobs == [[*job, f"draw={d}", "replications=2"] for d in draws for job in GRID]
    assert expand(GRID, None, {"draws": 0})[0] == GRID


def test_channel_jobs_come_last_on_the_first_draws_with_the_channels_keys(shipped):
    jobs, _, _ = expand(GRID, None, {"draws": 3, "seed": 0},
                        {"channels": ["peers", "training"], "draws": 2})  # fmt: skip
    first = posterior.choose(2, 0)
    assert len(jobs) == 3 * 2 + 2 * 2 * 2
    tail = jobs[6:]
    assert tail[0] == [*GRID[0], f"draw={first[0]}", "channel=peers", "rule.peer_weight=0.0"]
    assert {j[-2] for j in tail} == {"channel=peers", "channel=training"}
    assert {j[1] for j in tail} == {f"draw={d}" for d in first}
    # Without an ensemble, the channels run on the defaults.
    plain, _, _ = expand(GRID, None, None, {"channels": ["safety"]})
    assert plain[2:] == [[*job, "channel=safety", "rule.safety=0.0"] for job in GRID]


@pytest.mark.parametrize(("ensemble", "why", "says"), [
    ({"draws": 2, "replications": 0}, None, "ensemble.replications"),
    ({"draws": 2}, {"channels": ["peer"]}, "'peer' is not a channel"),
    ({"draws": 2}, {"channels": ["peers"], "draws": 0}, "why.draws"),
])  # fmt: skip
def test_a_bad_ensemble_or_why_is_named(shipped, ensemble, why, says):
    with pytest.raises(ConfigError, match=says):
        expand(GRID, None, ensemble, why)


def test_a_draw_set_by_the_command_and_by_the_ensemble_is_refused(shipped):
    with pytest.raises(ConfigError, match="draw: set by the command"):
        expand([["draw=101"]], None, {"draws": 2})
