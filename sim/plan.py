"""The old name of :mod:`sim.rollout.plan` (kept: users' scripts import from it)."""

from sim.rollout.plan import RolloutPlan, Week

__all__ = ["RolloutPlan", "Week"]
