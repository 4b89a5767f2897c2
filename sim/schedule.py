"""The old name of :mod:`sim.rollout.schedule` (kept: users' scripts import from it)."""

from sim.rollout.schedule import TRAINING_PRIORITIES, RolloutSchedule

__all__ = ["TRAINING_PRIORITIES", "RolloutSchedule"]
