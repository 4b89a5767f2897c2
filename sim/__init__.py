"""orgsim: how the people of an organization take up social behaviors.

The public contract::

    from sim import OrgModel, networks, rules, org
    from sim import Org, Culture, Population, RolloutPlan, Rollout, RolloutSchedule
    from sim import metrics

``networks``, ``rules``, ``org`` and ``metrics`` are plain modules; everything is imported
on first use, so that ``import sim.kernels`` or ``sim.networks`` does not pull
in Mesa and pandas.
"""

from importlib import import_module

__version__ = "0.1.0"

_LAZY = {
    "OrgModel": ("sim.model", "OrgModel"),
    "Employee": ("sim.agents", "Employee"),
    "networks": ("sim.networks", None),
    "rules": ("sim.rules", None),
    "org": ("sim.org", None),
    "Org": ("sim.org", "Org"),
    "Culture": ("sim.population", "Culture"),
    "Population": ("sim.population", "Population"),
    "RolloutPlan": ("sim.rollout", "RolloutPlan"),
    "Rollout": ("sim.rollout", "Rollout"),
    "RolloutSchedule": ("sim.rollout", "RolloutSchedule"),
    "metrics": ("sim.metrics", None),
}

__all__ = [
    "Culture",
    "Employee",
    "Org",
    "OrgModel",
    "Population",
    "Rollout",
    "RolloutPlan",
    "RolloutSchedule",
    "__version__",
    "metrics",
    "networks",
    "org",
    "rules",
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
