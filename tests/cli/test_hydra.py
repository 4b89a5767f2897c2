"""Hydra's private API is reached from sim._hydra alone, for the versions pinned."""

import importlib.metadata
import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from sim import _hydra
from tests.helpers import ROOT


def _pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {Requirement(line).name: Requirement(line) for line in project["dependencies"]}
    return {name: wanted[name] for name in _hydra.SUPPORTED}


def outside(name, installed, requirement) -> str | None:
    """Why ``installed`` is not a version ``requirement`` allows (None if it is)."""
    if requirement.specifier.contains(Version(installed), prereleases=True):
        return None
    return (
        f"{name} {installed} is installed, but sim._hydra was tested with {name}"
        f"{requirement.specifier} (pyproject.toml): read sim._hydra against {name} "
        f"{installed}'s private API, run the tests, then widen the pin"
    )


@pytest.mark.parametrize("name", sorted(_hydra.SUPPORTED))
def test_pyproject_pins_the_range_sim_hydra_was_tested_with(name):
    assert str(_pinned()[name].specifier) == str(
        Requirement(f"{name}{_hydra.SUPPORTED[name]}").specifier
    )


@pytest.mark.parametrize("name", sorted(_hydra.SUPPORTED))
def test_the_installed_hydra_is_inside_the_pinned_range(name):
    said = outside(name, importlib.metadata.version(name), _pinned()[name])
    assert said is None, said


def test_a_hydra_outside_the_range_is_named_with_what_to_do():
    said = outside("hydra-core", "1.4.0", Requirement("hydra-core>=1.3.2,<1.4"))
    assert said.startswith("hydra-core 1.4.0 is installed, but sim._hydra was tested with ")
    assert "<1.4" in said and ">=1.3.2" in said
    assert outside("hydra-core", "1.3.8", Requirement("hydra-core>=1.3.2,<1.4")) is None


def test_no_module_but_sim_hydra_reaches_into_hydra_internals():
    private = re.compile(r"hydra\._internal|get_args_parser|_return_value|process_joblib_cfg")
    found = [
        str(path.relative_to(ROOT))
        for folder in ("sim", "hydra_plugins")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "_hydra.py" and private.search(path.read_text())
    ]
    assert found == []
