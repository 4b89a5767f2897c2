"""Deprecated: the old name of :mod:`sim.rollout.plan`; importing it warns (removed in 0.3)."""

from sim._moved import warn_moved
from sim.rollout.plan import RolloutPlan, Week

__all__ = ["RolloutPlan", "Week"]

warn_moved("sim.plan", "sim.rollout.plan", stacklevel=2)
