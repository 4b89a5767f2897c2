"""The stylised facts of the defaults as a study: per-run facts in the store, the same
numbers as sim.facts on the same runs, a report section with its figure."""

import math

import pandas as pd
import pytest

from sim import facts, rules
from sim.org import generate
from sim.population import Culture
from sim.rollout import Rollout
from sim.scenario import Scenario
from sim.validation import stylised
from tests.helpers import orgsim

PEOPLE, REPLICATIONS, WEEKS = 400, 4, 40


def test_every_organizational_run_records_its_peoples_facts():
    scenario = Scenario(make_org=lambda: generate(headcount=300, seed=0),
                        rule=rules.Organizational(), rollout=Rollout(), culture=Culture(),
                        steps=30)  # fmt: skip
    runs, _ = scenario.run(seed=0, replications=2)
    models = [scenario.model(0, r).run(30) for r in range(2)]
    for r, model in enumerate(models):
        expected = facts.people_facts(model.stage, model.adopted_at, model.rule.behaviors)
        assert set(expected) == {
            *(f"rogers_{name}" for name in facts.ROGERS),
            "contributors_of_users",
            "creators_of_users",
            "organic_creators",
        }
        row = runs.iloc[r]
        for name, value in expected.items():
            assert row[name] == pytest.approx(value, nan_ok=True)
    rogers = runs[[f"rogers_{name}" for name in facts.ROGERS]].sum(axis=1)
    assert rogers.to_numpy() == pytest.approx(1.0)
    # The classic rules have no ladder of people's voices: no such columns.
    classic = Scenario(make_org=lambda: generate(headcount=300, seed=0),
                       rule=rules.Threshold(theta=0.2), rollout=Rollout(direction="decentralized"),
                       culture=Culture(), steps=10)  # fmt: skip
    runs, _ = classic.run(seed=0, replications=1)
    assert "rogers_innovators" not in runs


def test_the_study_measures_what_sim_facts_measures_on_the_same_runs(tmp_path):
    done = orgsim(tmp_path, "-m", "+experiment=stylised_facts", f"org.headcount={PEOPLE}",
                  f"replications={REPLICATIONS}", f"steps={WEEKS}", "seed=1,2")  # fmt: skip
    store = tmp_path / "results" / "stylised_facts"
    runs = pd.read_parquet(store / "runs.parquet")
    curves = pd.read_parquet(store / "timeseries.parquet")
    assert (runs["experiment"] == "stylised_facts").all() and len(runs) == 2 * REPLICATIONS
    measured = stylised.measure(runs, curves).set_index("seed")
    # The slow way: the same scenario built by hand, its models measured by sim.facts.
    scenario = Scenario(make_org=lambda: generate(headcount=PEOPLE, seed=0),
                        rule=rules.Organizational(), rollout=Rollout(), culture=Culture(),
                        steps=WEEKS)  # fmt: skip
    for seed in (1, 2):
        models = [scenario.model(seed, r).run(WEEKS) for r in range(REPLICATIONS)]
        expected = facts.measure_mean(models)
        for fact in facts.TARGETS:
            got, want = measured.loc[seed, fact], expected[fact]
            assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want), fact
    table = stylised.table(measured.reset_index())
    assert list(table["fact"]) == list(facts.TARGETS)
    assert {"seed 1", "seed 2", "literature", "low", "high", "met"} <= set(table.columns)
    assert table.set_index("fact").loc["rogers_innovators", "literature"] == 0.025
    assert "Stylised facts: 2 sets of replications" in done.stdout
    html = (store / "report.html").read_text()
    assert "Validation: the stylised facts of the defaults" in html
    assert list((store / "figures").glob("*facts.png"))


def test_a_fact_outside_its_range_is_named():
    measured = pd.DataFrame([{"seed": 1, "bass_q_over_p": 1.5, **dict.fromkeys(
        [f"rogers_{n}" for n in facts.ROGERS], 0.2), "contributors_of_users": 0.09,
        "creators_of_users": 0.01, "weeks_to_50pct_consume": 20.0,
        "organic_creators": 0.9}])  # fmt: skip
    table = stylised.table(measured).set_index("fact")
    assert not table.loc["bass_q_over_p", "met"] and table.loc["creators_of_users", "met"]
    from sim.validation.studies import _stylised_text

    text = _stylised_text(table.reset_index())
    assert "Outside their target ranges: bass_q_over_p, rogers_innovators" in text
