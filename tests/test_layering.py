"""Imports point one way: kernels and networks stay free of Mesa, Hydra and pandas."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "sim.kernels",
        "sim.networks",
        "sim.rules",
        "sim.org",
        "sim.population",
        "sim.plan",
        "sim.rollout",
    ],
)
def test_no_heavy_imports(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('mesa', 'hydra', 'omegaconf', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_contract():
    import sim
    from sim import OrgModel, networks, rules

    assert OrgModel.__module__ == "sim.model"
    for name in ("from_edges", "from_networkx", "small_world", "erdos_renyi", "ring_lattice"):
        assert callable(getattr(networks, name))
    for name in ("Threshold", "Bass", "IndependentCascade", "Organizational", "Behavior"):
        assert isinstance(getattr(rules, name), type)
    from sim import Culture, Org, Population, RolloutPlan, org

    assert Org is org.Org and callable(org.generate) and callable(org.from_csv)
    assert {Culture.__module__, Population.__module__} == {"sim.population"}
    assert RolloutPlan.__module__ == "sim.rollout.plan"
    # The rollout's modules moved into sim.rollout; their old names still work.
    from sim.plan import RolloutPlan as old_plan
    from sim.rollout import Rollout, RolloutSchedule
    from sim.schedule import RolloutSchedule as old_schedule
    from sim.seeding import choose_champions

    assert old_plan is RolloutPlan and old_schedule is RolloutSchedule
    assert callable(choose_champions) and Rollout.__module__ == "sim.rollout.strategy"
    assert callable(OrgModel.adoption_by)
    assert callable(OrgModel.run) and callable(OrgModel.step)
    assert isinstance(OrgModel.adoption, property)
    with pytest.raises(AttributeError):
        sim.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    "module", ["sim.analysis.study", "sim.analysis.sections", "sim.analysis.cli"]
)
def test_the_analysis_reads_the_store_not_the_engine(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('mesa', 'sim.model', 'sim.scenario', 'sim.state') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
