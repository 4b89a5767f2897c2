"""The orgsim sweeper: job configs composed once per shape equal Hydra's own, key for key."""

import os
import signal
import sys

import pandas as pd
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
from tests.helpers import orgsim, tables

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


def _seed_shape(job):
    return tuple(o.split("=")[0] if o.startswith("seed=") else o for o in job)


def test_small_jobs_of_one_shape_are_chunked_in_order():
    jobs = [[f"seed={s}"] for s in range(10)] + [["rollout=pilot", f"seed={s}"] for s in range(3)]
    chunked = sweep.chunk_jobs(jobs, _seed_shape, lambda job: 1, workers=1, chunk_runs=4)
    firsts = [[o for o in job if sweep.CHUNK_KEY not in o] for job in chunked]
    # At most four runs a chunk, never two shapes in one, each led by its first job.
    assert firsts == [["seed=0"], ["seed=4"], ["seed=8"], ["rollout=pilot", "seed=0"]]
    assert sweep.chunk_jobs(jobs, _seed_shape, lambda job: 1, 1, chunk_runs=1) == jobs
    big = sweep.chunk_jobs(jobs, _seed_shape, lambda job: 5, workers=1, chunk_runs=4)
    assert big == jobs  # jobs of more runs than a chunk's run alone
    # Four chunks a worker at least: 13 jobs on two workers, two jobs a chunk.
    assert len(sweep.chunk_jobs(jobs, _seed_shape, lambda job: 1, 2, chunk_runs=100)) == 7


def test_a_chunk_composes_as_in_hydra_and_carries_its_other_jobs(loaders):
    hydra_loader, fast, master = loaders
    jobs = [["culture.trust=0.2", f"seed={s}"] for s in range(12)]
    chunk = sweep.chunk_jobs(jobs, fast.shape_of, lambda job: 1, workers=1)[0]
    assert chunk[:2] == jobs[0] and chunk[2].startswith(f"+hydra.job.env_set.{sweep.CHUNK_KEY}=")
    fast.load_sweep_config(master, ["culture.trust=0.5", "seed=9"])  # the shape, cached
    for loader in (fast, hydra_loader):
        cfg = loader.load_sweep_config(master, chunk)
        _same(cfg, hydra_loader.load_sweep_config(master, chunk))
        assert sweep.chunk_members(cfg.hydra) == jobs[1:3]
        assert list(cfg.hydra.overrides.task) == jobs[0]
    assert sweep.chunk_members(fast.load_sweep_config(master, jobs[0]).hydra) == []


def test_a_chunked_sweep_stores_what_one_job_at_a_time_does(tmp_path):
    args = ["-m", "-v", "org=startup", "replications=1", "steps=5", "seed=range(0,12)",
            "culture.trust=0.3,0.6", "hydra.launcher.n_jobs=2"]  # fmt: skip
    launched = {}
    for chunk_runs in (100, 1):
        where = tmp_path / str(chunk_runs)
        where.mkdir()
        done = orgsim(where, *args, f"hydra.sweeper.chunk_runs={chunk_runs}")
        launched[chunk_runs] = done.stderr.count("\t#")
    assert launched == {100: 8, 1: 24}  # four chunks a worker, three jobs each
    for chunked, alone in zip(tables(tmp_path / "100"), tables(tmp_path / "1"), strict=True):
        pd.testing.assert_frame_equal(chunked, alone)


def test_a_job_of_a_chunk_that_cannot_write_is_named_and_the_others_run(
    tmp_path, monkeypatch, capsys
):
    from sim import cli, store, workers

    write = store.write_chunk

    def full_for_seed_2(where, chunk, *args, **kwargs):
        if chunk.seed == 2:  # the first job of its chunk: the second runs all the same
            raise store.StoreError(f"cannot write {where}/seed-2: disk full")
        return write(where, chunk, *args, **kwargs)

    monkeypatch.setattr(store, "write_chunk", full_for_seed_2)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # chunks of two jobs: four a worker
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "orgsim",
            "-m",
            "org=startup",
            "replications=1",
            "steps=5",
            "seed=range(0,8)",
            "hydra/launcher=basic",
        ],
    )
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # pytest keeps its handlers
    monkeypatch.setenv("HYDRA_FULL_ERROR", "")  # orgsim sets them: restored after
    monkeypatch.setenv(workers.MAIN_PID, "")
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 1
    said = capsys.readouterr().err
    assert said.startswith("orgsim: error: cannot write ") and said.count("\n") == 1
    assert said.endswith("/seed-2: disk full\n")
    held = store.list_jobs(tmp_path / "results" / "orgsim")
    assert sorted(held.seed) == [0, 1, 3, 4, 5, 6, 7]


SETTINGS = ["seed=1", "hydra.launcher.n_jobs=1", "hydra.launcher.batch_size=4",
            "hydra.launcher.pre_dispatch=3"]  # fmt: skip


@pytest.mark.parametrize("overrides", [[], ["hydra.launcher.n_jobs=2"], SETTINGS])
def test_workers_start_with_the_launchers_own_settings_without_composing(overrides):
    from hydra import compose

    from sim import _hydra, workers

    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=overrides, return_hydra_config=True)
    known = workers.launcher_settings(overrides)
    assert _hydra.joblib_settings(known) == _hydra.joblib_settings(cfg.hydra.launcher)
    assert workers.launcher_settings(["hydra/launcher=basic", *overrides]) is None
