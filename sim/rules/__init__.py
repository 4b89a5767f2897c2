"""Adoption rules: validated parameters that select a kernel.

A rule is an immutable parameter object. Binding it to a run gives the
dynamics the model calls once a week. Every week is synchronous: decisions
read last week's state only. Random numbers are drawn from the run's generator
*before* a kernel runs, in an order that depends on the state alone, so
results do not depend on the number of threads.

- :class:`Threshold`, :class:`Bass`, :class:`IndependentCascade`: the classic
  rules, on any network;
- :class:`Organizational`: the ladder of behaviors of docs/model.md §3, on an
  :class:`~sim.org.Org`;
- :class:`ThresholdLaw`: how people's thresholds differ under the threshold
  rule (Granovetter's riot), drawn once per run.
"""

from sim.rules.base import Rule
from sim.rules.classic import Bass, IndependentCascade, Threshold
from sim.rules.organizational import LADDER, Behavior, Organizational
from sim.rules.thresholds import ThresholdLaw

__all__ = [
    "LADDER",
    "Bass",
    "Behavior",
    "IndependentCascade",
    "Organizational",
    "Rule",
    "Threshold",
    "ThresholdLaw",
]
