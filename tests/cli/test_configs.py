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
    from sim.checks import guard

    def allocate():
        raise MemoryError("Unable to allocate 74.5 TiB for an array")

    with pytest.raises(ConfigError, match=r"^org: too large for this machine's memory$"):
        guard("org", allocate)


def _fields(cls, skip=()):
    import dataclasses
    import typing

    hints = typing.get_type_hints(cls)
    return [
        (f.name, hints[f.name], f.default) for f in dataclasses.fields(cls) if f.name not in skip
    ]


@pytest.mark.parametrize(
    ("schema", "domain", "skip"),
    [
        ("CultureConf", "sim.population.Culture", ()),
        ("OrganizationalConf", "sim.rules.Organizational", ("ladder", "name")),
        ("RolloutConf", "sim.rollout.Rollout", ()),
    ],
)
def test_a_schema_holds_its_domain_class_parameters_in_order_with_their_defaults(
    schema, domain, skip
):
    """sim.schema declares them (it imports no engine); the domain class is their source."""
    import importlib

    from sim import schema as schemas

    module, name = domain.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    mine = {n: (t, d) for n, t, d in _fields(getattr(schemas, schema), skip)}
    theirs = [(n, d) for n, _, d in _fields(cls, skip)]
    assert [(n, mine[n][1]) for n, _ in theirs] == theirs
    optional = [n for n, (t, _) in mine.items() if "None" in str(t)]
    assert list(mine) == optional + [n for n, _ in theirs if n not in optional]


def test_the_chart_columns_of_the_schema_are_those_sim_org_reads():
    import dataclasses

    from sim.org.load import COLUMNS
    from sim.schema import ColumnsConf

    assert tuple(f.name for f in dataclasses.fields(ColumnsConf)) == COLUMNS


def test_reading_the_schemas_and_columns_imports_no_hydra_and_no_engine():
    import subprocess
    import sys

    code = (
        "import sys, sim.columns, sim.schema; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('hydra', 'omegaconf', 'numba')"
        " or m in ('sim.conf', 'sim.model') or m.startswith('sim.kernels')]; "
        "print(bad); assert not bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
