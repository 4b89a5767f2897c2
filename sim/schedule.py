"""Deprecated: the old name of :mod:`sim.rollout.schedule`; importing it warns (removed in 0.3)."""

from sim._moved import warn_moved
from sim.rollout.schedule import TRAINING_PRIORITIES, RolloutSchedule

__all__ = ["TRAINING_PRIORITIES", "RolloutSchedule"]

warn_moved("sim.schedule", "sim.rollout.schedule", stacklevel=2)
