"""The old name of :mod:`sim.rollout.seeding` (kept: users' scripts import from it)."""

from sim.rollout.seeding import (
    BETWEENNESS_EXACT_MAX,
    CHAMPION_CHOICES,
    betweenness,
    choose_champions,
)

__all__ = ["BETWEENNESS_EXACT_MAX", "CHAMPION_CHOICES", "betweenness", "choose_champions"]
