"""The rollout: what the change team decides and how it unfolds (docs/model.md §4).

- :mod:`sim.rollout.strategy`: :class:`Rollout`, the levers (scope, direction,
  champions, training, budget, costs), which plans a run;
- :mod:`sim.rollout.schedule`: :class:`RolloutSchedule`, the plan as it unfolds
  week by week (waves of access, the launch message, training, learning);
- :mod:`sim.rollout.plan`: :class:`RolloutPlan` and :class:`Week`, what the
  organizational rule reads each week;
- :mod:`sim.rollout.seeding`: who the champions are.

``sim.plan``, ``sim.schedule`` and ``sim.seeding`` remain as the old names of
the last three.
"""

from sim.rollout.plan import RolloutPlan, Week
from sim.rollout.schedule import TRAINING_PRIORITIES, RolloutSchedule
from sim.rollout.seeding import CHAMPION_CHOICES, choose_champions
from sim.rollout.strategy import DIRECTIONS, PILOT_CHOICES, SCOPES, Rollout, unit_scores

__all__ = [
    "CHAMPION_CHOICES",
    "DIRECTIONS",
    "PILOT_CHOICES",
    "SCOPES",
    "TRAINING_PRIORITIES",
    "Rollout",
    "RolloutPlan",
    "RolloutSchedule",
    "Week",
    "choose_champions",
    "unit_scores",
]
