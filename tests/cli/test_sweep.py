"""The orgsim sweeper: job configs composed once per shape equal Hydra's own, key for key."""

import pytest
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim import sweep
from sim._hydra import ConfigLoaderImpl
from sim.conf import CONFIG_DIR, register
from sim.sweep import SweepConfigLoader

register()


@pytest.fixture
def loaders(monkeypatch):
    """(Hydra's loader, orgsim's caching loader, a master config) with an empty cache."""
    monkeypatch.setattr(sweep, "_SHAPES", type(sweep._SHAPES)())
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        hydra_loader = GlobalHydra.instance().config_loader()
        master = hydra_loader.load_configuration(
            "config", overrides=["hydra.launcher.n_jobs=1"], run_mode=RunMode.MULTIRUN
        )
        yield hydra_loader, SweepConfigLoader.wrapping(hydra_loader), master


def _same(a, b):
    assert OmegaConf.to_yaml(a) == OmegaConf.to_yaml(b)
    assert OmegaConf.is_struct(a) == OmegaConf.is_struct(b)
    assert OmegaConf.is_readonly(a.hydra) == OmegaConf.is_readonly(b.hydra)
    assert OmegaConf.get_type(a.culture) is OmegaConf.get_type(b.culture)


JOBS = [
    ["org.headcount=300", "culture.trust=0.2", "seed=0"],
    ["org.headcount=300", "culture.trust=0.8", "seed=7"],
    ["org.headcount=300", "culture.trust=0.5", "seed=3"],
    ["rollout=pilot", "culture.trust=0.8", "seed=1"],
    ["rollout=pilot", "culture.trust=0.3", "seed=2"],
    ["+experiment=rollout_2x2", "rollout=pilot_hierarchical", "seed=4"],
    ["+experiment=rollout_2x2", "rollout=pilot_hierarchical", "seed=5"],
    ["rule=threshold", "rollout=company_wide", "rule.theta=0.1", "task_name='two words'"],
    ["rule=threshold", "rollout=company_wide", "rule.theta=0.3", "task_name=other"],
    ["threads=2", "seed=1"],
    ["threads=null", "seed=1"],
]


def test_every_job_equals_hydras_own_composition(loaders):
    hydra_loader, fast, master = loaders
    for job in JOBS:
        _same(fast.load_sweep_config(master, job), hydra_loader.load_sweep_config(master, job))
    # ...also when a shape is met again after others.
    for job in reversed(JOBS):
        _same(fast.load_sweep_config(master, job), hydra_loader.load_sweep_config(master, job))


def test_composes_once_per_shape(loaders, monkeypatch):
    _, fast, master = loaders
    composed = []
    original = ConfigLoaderImpl.load_sweep_config

    def counting(self, master_config, sweep_overrides):
        composed.append(list(sweep_overrides))
        return original(self, master_config, sweep_overrides)

    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config", counting)
    for seed in range(5):
        for trust in (0.2, 0.5):
            fast.load_sweep_config(master, [f"culture.trust={trust}", f"seed={seed}"])
    fast.load_sweep_config(master, ["rollout=pilot", "seed=1"])
    fast.load_sweep_config(master, ["rollout=pilot", "seed=2"])
    assert composed == [["culture.trust=0.2", "seed=0"], ["rollout=pilot", "seed=1"]]


def test_a_copy_each_time(loaders):
    _, fast, master = loaders
    first = fast.load_sweep_config(master, ["seed=1"])
    first.hydra.job.num = 99
    second = fast.load_sweep_config(master, ["seed=2"])
    assert second.seed == 2 and first.seed == 1
    assert OmegaConf.is_missing(second.hydra.job, "num")


@pytest.mark.parametrize(
    "job",
    [["culture.trust=[0.1]"], ["+extra=1"], ["~network"], ["hydra.job.chdir=true"]],
    ids=["list", "add", "delete", "hydra key"],
)
def test_anything_but_a_plain_value_is_composed_by_hydra(loaders, job):
    _, fast, _ = loaders
    assert not any(fast._is_value(o) for o in _parsed(job))


def _parsed(job):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_overrides(job)


def test_group_choices_are_not_values(loaders):
    _, fast, _ = loaders
    flags = [fast._is_value(o) for o in _parsed(["rollout=pilot", "culture=humanized", "seed=1"])]
    assert flags == [False, False, True]


def test_a_bad_value_fails_as_in_hydra(loaders):
    _, fast, master = loaders
    fast.load_sweep_config(master, ["culture.trust=0.2"])
    with pytest.raises(Exception, match=r"culture\.trust"):
        fast.load_sweep_config(master, ["culture.trust=high"])


def test_the_sweeper_is_found_and_chosen():
    names = [f"{c.__module__}.{c.__name__}" for c in Plugins.instance().discover(Sweeper)]
    assert "hydra_plugins.orgsim_sweeper.orgsim_sweeper.OrgsimSweeper" in names
    assert "override hydra/sweeper: orgsim" in (CONFIG_DIR / "config.yaml").read_text()
