"""Deprecated: the old name of :mod:`sim.rollout.seeding`; importing it warns (removed in 0.3)."""

from sim._moved import warn_moved
from sim.rollout.seeding import (
    BETWEENNESS_EXACT_MAX,
    CHAMPION_CHOICES,
    betweenness,
    choose_champions,
)

__all__ = ["BETWEENNESS_EXACT_MAX", "CHAMPION_CHOICES", "betweenness", "choose_champions"]

warn_moved("sim.seeding", "sim.rollout.seeding", stacklevel=2)
