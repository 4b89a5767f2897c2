"""Why a strategy wins: a channel that is the only difference between two strategies carries
the whole lead; one that favours the runner-up carries a negative share."""

import numpy as np
import pandas as pd
import pytest

from sim import rules
from sim.org import generate
from sim.population import Culture
from sim.results.why import WHY_COLUMNS, attribute_lead
from sim.rollout import Rollout
from sim.scenario import Scenario

METRIC = "auc_fraction_weeks_contribute"


def test_the_only_difference_between_two_strategies_carries_the_whole_lead():
    """Training is all that differs (the rollout's own random stream picks the trained, so
    the weekly draws are shared); with training's effect off both runs are the same."""
    company = generate(headcount=400, seed=3)
    frames = []
    for channel, rule in (("none", rules.Organizational()),
                          ("training", rules.Organizational(training_effect=0.0))):  # fmt: skip
        for name, share in (("trained", 0.05), ("untrained", 0.0)):
            scenario = Scenario(make_org=lambda: company, rule=rule, culture=Culture(),
                                rollout=Rollout(training_share=share), steps=30)  # fmt: skip
            runs, _ = scenario.run(0, 6)
            frames.append(runs.assign(seed=0, strategy=name, channel=channel))
    runs = pd.concat(frames, ignore_index=True)
    table = attribute_lead(runs, METRIC, "trained", "untrained")
    assert list(table.columns) == WHY_COLUMNS
    row = table.iloc[0]
    assert row["lead"] > 0  # training helps
    assert row["lead_without"] == 0.0 and row["share"] == pytest.approx(1.0)
    assert row["gone_low"] > 0 and row["replications"] == 6


def test_shares_follow_the_leads_and_a_channel_for_the_runner_up_is_negative():
    rows = []
    leads = {"none": 1.0, "a": 0.0, "b": 1.5}  # a carries the lead; b holds the leader back
    for channel, lead in leads.items():
        for r in range(5):
            noise = 0.01 * np.sin(r)
            rows += [{"channel": channel, "seed": 0, "replication": r, "strategy": "L",
                      METRIC: 2.0 + lead + noise},
                     {"channel": channel, "seed": 0, "replication": r, "strategy": "R",
                      METRIC: 2.0 + noise}]  # fmt: skip
    table = attribute_lead(pd.DataFrame(rows), METRIC, "L", "R").set_index("channel")
    assert list(table.index) == ["a", "b"]  # the largest part of the lead first
    assert table.loc["a", "share"] == pytest.approx(1.0)
    assert table.loc["b", "share"] == pytest.approx(-0.5)


def test_runs_without_every_channel_on_are_refused_by_name():
    runs = pd.DataFrame({"channel": ["peers"] * 2, "seed": 0, "replication": 0,
                         "strategy": ["L", "R"], METRIC: [1.0, 0.5]})  # fmt: skip
    with pytest.raises(ValueError, match="'none'"):
        attribute_lead(runs, METRIC, "L", "R")
    with pytest.raises(ValueError, match="'X'"):
        attribute_lead(runs.assign(channel="none"), METRIC, "X", "R")
