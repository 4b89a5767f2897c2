"""Old import paths keep working and say where the name went and when they go."""

import importlib
import sys

import pytest

MOVED_MODULES = [
    ("sim.plan", "sim.rollout.plan", ["RolloutPlan", "Week"]),
    ("sim.schedule", "sim.rollout.schedule", ["RolloutSchedule", "TRAINING_PRIORITIES"]),
    ("sim.seeding", "sim.rollout.seeding", ["choose_champions", "betweenness"]),
]


@pytest.mark.parametrize(("old", "new", "names"), MOVED_MODULES)
def test_an_old_module_warns_naming_the_new_path_and_the_version_that_removes_it(
    old, new, names, monkeypatch
):
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=rf"^{old} is deprecated and will be removed in "
                      rf"0\.3: import {new} instead\.$"):  # fmt: skip
        shim = importlib.import_module(old)
    current = importlib.import_module(new)
    for name in names:
        assert getattr(shim, name) is getattr(current, name)


@pytest.mark.parametrize("name", ["MAIN_PID", "as_worker", "warm_up", "warm_workers"])
def test_a_name_that_left_sim_sweep_warns_and_is_the_new_one(name):
    from sim import sweep, workers

    with pytest.warns(
        DeprecationWarning, match=rf"sim\.sweep\.{name} .*0\.3.*sim\.workers\.{name}"
    ):
        old = getattr(sweep, name)
    assert old is getattr(workers, name)


def test_a_name_never_in_sim_sweep_is_still_an_attribute_error():
    from sim import sweep

    with pytest.raises(AttributeError, match="no_such_name"):
        sweep.no_such_name  # noqa: B018


def test_sim_cli_run_job_warns_and_names_the_job_module(monkeypatch):
    from sim import cli

    monkeypatch.setattr(cli, "task", lambda cfg: ("ran", cfg))
    with pytest.warns(DeprecationWarning, match=r"sim\.cli\.run_job .*0\.3.*sim\.job\.task"):
        assert cli.run_job("cfg") == ("ran", "cfg")
