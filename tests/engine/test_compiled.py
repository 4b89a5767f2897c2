"""The compiled run (sim.engine, sim.kernels.ladder_run) against the stepped Mesa model.

Every number a compiled replication gives must be the stepped run's, bit for bit:
the week's records, the records by unit and level, the final state and what the
schedule did (training, waves), for every rollout preset and the rule's variants.
"""

from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_dir

import sim.scenario
from sim.conf import CONFIG_DIR, build, register
from sim.engine import compilable, run_compiled

PRESETS = sorted(p.stem for p in (Path(CONFIG_DIR) / "rollout").glob("*.yaml"))
STEPS = 40


def scenario(*overrides):
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"steps={STEPS}", *overrides])
    return build(cfg)


def assert_as_stepped(sc, seed=3, replications=(0, 1), threads=1):
    """Compiled replications equal the stepped models' records, bit for bit."""
    runs = run_compiled(sc.org, sc.rule, sc.culture, sc.rollout, seed, replications, sc.steps,
                        threads=threads)  # fmt: skip
    b = len(sc.rule.ladder)
    for k, r in enumerate(replications):
        model = sc.model(seed, r).run(sc.steps)
        state = model._state
        expected = {
            "holders": np.array(state.holders_by_week),
            "new": np.array(state.new_by_week),
            "lapses": np.array(state.lapses_by_week),
            "with_access": np.array(state.access_by_week),
            "stage": state.stage,
            "adopted_at": state.adopted_at,
            "access_since": state.access_since,
            "unit_holders": model.adoption_by("unit")["adopters"].to_numpy().reshape(
                sc.steps + 1, b, -1),
            "level_holders": model.adoption_by("level")["adopters"].to_numpy().reshape(
                sc.steps + 1, b, -1),
        }  # fmt: skip
        for name, value in expected.items():
            got = getattr(runs, name)[k]
            assert got.dtype == value.dtype or name in ("holders", "new", "lapses"), name
            np.testing.assert_array_equal(got, value, err_msg=f"replication {r}: {name}")
        assert runs.trained[k][-1] == model.plan.trained_people
        np.testing.assert_array_equal(runs.trained[k], model.plan.trained_by_week(sc.steps))
        opened = runs.opened[k]
        assert list(opened[1 : 1 + opened[0]]) == model.plan.opened
    return runs


@pytest.mark.parametrize("rollout", PRESETS)
def test_every_rollout_preset_runs_as_stepped(rollout):
    assert_as_stepped(scenario("org.headcount=250", f"rollout={rollout}"))


@pytest.mark.parametrize(
    "overrides",
    [
        ("rollout=pilot_waves", "culture=humanized", "rule.visibility=company"),
        ("rollout=pilot_hierarchical", "culture=traditional"),
        # Collective identity: team counts kept, team-mates' bounds loosened.
        ("rollout=change_team", "rule.identity_weight=0.4", "culture.identification_mean=0.8"),
        # Active use: holders drop habits whatever the signal.
        ("rollout=pilot_waves", "rule.churn=0.05"),
        # Returning to a dropped rung more slowly than trying it first.
        ("rollout=change_team", "rule.churn=0.1", "rule.return_share=0.3"),
        # People who seldom look: their rate is scaled, and a certain rule draws anyway.
        (
            "rollout=pilot_waves",
            "culture.attention_mean=0.4",
            "culture.attention_concentration=0.5",
        ),
        (
            "rollout=company_wide",
            "rule.noise=0",
            "rule.rate=1",
            "rule.lapse_rate=1",
            "culture.attention_mean=0.5",
        ),
        (
            "rollout=company_wide",
            "rule.identity_weight=0.3",
            "rule.noise=0",
            "rule.rate=1",
            "rule.lapse_rate=1",
        ),
        # Deterministic decisions: no keys drawn, every draw 0.
        ("rollout=pilot_waves", "rule.noise=0", "rule.rate=1", "rule.lapse_rate=0"),
        ("rollout=company_wide", "rule.noise=0", "rule.rate=1", "rule.lapse_rate=1"),
        # One rung; and a ladder longer than the scan's four unrolled stages.
        ("rollout=company_wide", "behavior=single"),
        ("rollout=change_team", "rollout.budget_per_person=2.0", "culture=humanized"),
        (
            "rollout=pilot_decentralized",
            "rollout.training_priority=adopters",
            "rollout.training_share=0.02",
        ),
        ("rollout=pilot_waves", "rollout.expand_week=null", "rollout.expand_share=0.1"),
        ("rollout=company_wide_hierarchical", "rollout.first_rungs=1"),
        # Managers who endorse unasked: in a decentralized rollout, in waves, beside a mandate.
        ("rollout=company_wide_decentralized", "culture.endorse_share=0.6"),
        ("rollout=pilot_waves", "culture.endorse_share=0.3"),
        ("rollout=pilot_hierarchical", "culture.endorse_share=1.0"),
    ],
    ids=lambda o: " ".join(o),
)
def test_rule_and_lever_variants_run_as_stepped(overrides):
    assert_as_stepped(scenario("org.headcount=250", *overrides))


def test_a_long_ladder_runs_as_stepped():
    from dataclasses import replace

    from sim.rules import Behavior

    sc = scenario("org.headcount=200", "rollout=pilot_waves")
    ladder = tuple(Behavior(f"b{k}", difficulty=0.02 * k, risk=0.03 * k, voice=0.1 * k)
                   for k in range(6))  # fmt: skip
    sc.rule = replace(sc.rule, ladder=ladder)
    assert_as_stepped(sc)


def test_the_main_jobs_company_runs_as_stepped():
    assert_as_stepped(scenario("+experiment=rollout_2x2", "rollout=pilot_hierarchical"),
                      replications=(0, 7))  # fmt: skip


def test_batches_and_threads_change_no_number():
    sc = scenario("org.headcount=300", "rollout=pilot_waves")
    whole = run_compiled(sc.org, sc.rule, sc.culture, sc.rollout, 5, range(6), sc.steps,
                         threads=2)  # fmt: skip
    for r in range(6):
        alone = run_compiled(sc.org, sc.rule, sc.culture, sc.rollout, 5, [r], sc.steps,
                             threads=1)  # fmt: skip
        for name in ("holders", "unit_holders", "stage", "adopted_at", "trained"):
            np.testing.assert_array_equal(getattr(whole, name)[r], getattr(alone, name)[0])


def test_scenario_tables_are_the_stepped_ones(monkeypatch):
    sc = scenario("org.headcount=300", "rollout=change_team")
    compiled = sc.run(2, range(3, 6), groups=True)
    monkeypatch.setattr(sim.scenario, "compilable", lambda rule, org: False)
    stepped = sc.run(2, range(3, 6), groups=True)
    for a, b in zip(compiled, stepped, strict=True):
        assert a.equals(b)


def test_large_organizations_and_classic_rules_run_stepped():
    small = scenario("org.headcount=300")
    assert compilable(small.rule, small.org)
    big = scenario("org.headcount=20000")
    assert not compilable(big.rule, big.org)  # a week's kernels take parallel regions
    classic = scenario("rule=threshold", "org.headcount=300")
    assert not compilable(classic.rule, classic.org)


def test_no_replication_is_refused_in_one_line():
    sc = scenario("org.headcount=100")
    with pytest.raises(ValueError, match="names no replication"):
        sc.run(1, 0)
    with pytest.raises(ValueError, match="names no replication"):
        run_compiled(sc.org, sc.rule, sc.culture, sc.rollout, 1, [], sc.steps)
