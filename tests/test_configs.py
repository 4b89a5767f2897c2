"""The Hydra configs: every group option composes and builds; the whole-command check."""

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig

from sim.cli import precheck
from sim.conf import CONFIG_DIR, ConfigError, build
from sim.rollout import Rollout
from sim.scenario import Scenario

GROUPS = ("org", "network", "culture", "behavior", "rule", "rollout")


def _options(group):
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def _compose(overrides):
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=overrides, return_hydra_config=True)
        HydraConfig.instance().set_config(cfg)
        return cfg


CASES = [(g, o) for g in GROUPS for o in _options(g)]


@pytest.mark.parametrize(("group", "option"), CASES, ids=[f"{g}={o}" for g, o in CASES])
def test_every_option_composes_and_builds(group, option):
    extra = ["rollout=company_wide"] if group == "rule" and option != "organizational" else []
    if group == "network" and option in ("erdos_renyi", "small_world", "complete"):  # alone
        extra = ["rule=threshold", "rollout=company_wide_decentralized", "org.headcount=200"]
    cfg = _compose([f"{group}={option}", *extra])
    scenario = build(cfg)
    assert isinstance(scenario, Scenario) and isinstance(scenario.rollout, Rollout)


@pytest.mark.parametrize("name", _options("experiment"))
def test_every_experiment_composes_and_builds(name):
    cfg = _compose([f"+experiment={name}"])
    # An experiment sweeps: a grid, a sampled design, or both.
    assert cfg.task_name == name and (cfg.hydra.sweeper.params or cfg.analysis.method)
    build(cfg)


def test_the_2x2_covers_both_axes():
    cfg = _compose(["+experiment=rollout_2x2"])
    corners = cfg.hydra.sweeper.params.rollout.split(",")
    built = [build(_compose(["+experiment=rollout_2x2", f"rollout={c}"])).rollout for c in corners]
    assert {(r.scope, r.direction) for r in built} == {
        (s, d) for s in ("company_wide", "pilot") for d in ("hierarchical", "decentralized")
    }


def test_culture_presets_and_network_follow_culture():
    cfg = _compose(["culture=humanized"])
    assert cfg.culture.trust == 0.8 and cfg.network.openness == 0.8
    assert _compose(["culture=traditional", "network=silos"]).network.openness == 0.1


def test_small_org_runs_from_config():
    scenario = build(_compose(["org=startup", "steps=5"]))
    runs, timeseries = scenario.run(seed=1, replications=2)
    assert len(runs) == 2 and timeseries.step.max() == 5
    again, _ = build(_compose(["org=startup", "steps=5"])).run(seed=1, replications=2)
    assert runs.equals(again)


def test_precheck_passes_a_good_sweep_and_expands_experiment_params():
    precheck(["seed=range(0,50)", "culture.trust=0.2,0.8"], multirun=True)
    with pytest.raises(ConfigError, match=r"culture: The 'courage' parameter"):
        precheck(["+experiment=humanize_sweep", "culture.courage=1.2"], multirun=True)


def test_precheck_catches_a_bad_value_deep_in_a_sweep():
    with pytest.raises(ConfigError, match="'champions' parameter of Rollout"):
        precheck(["rollout.champions=0.1,0.5,1.0"], multirun=True)


def test_an_input_too_large_for_memory_is_one_line_naming_the_key():
    from sim.conf import ConfigError, _guard

    def allocate():
        raise MemoryError("Unable to allocate 74.5 TiB for an array")

    with pytest.raises(ConfigError, match=r"^org: too large for this machine's memory$"):
        _guard("org", allocate)
