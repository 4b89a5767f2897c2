"""Rollout strategies: how a change team launches the platform (DESIGN §4).

A :class:`Rollout` is a lever, not an uncertainty: what the change team
decides. It turns into a :class:`~sim.plan.RolloutPlan` (who has access,
who is trained, which managers endorse, week by week) and the people who
adopt first. Two axes:

- **scope**: ``company_wide`` (everyone has access from week 0) or
  ``pilot`` (a share of units first, everyone from ``expand_week``);
- **direction**: ``hierarchical`` (the top levels adopt first and managers
  who adopt endorse to their reports) or ``decentralized`` (champions drawn
  at random adopt first, are trained, and managers do not endorse).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._validation import check_choice, check_scalar
from sim.plan import RolloutPlan, Week

__all__ = ["PILOT_CHOICES", "Rollout", "unit_scores"]

#: How a pilot's units may be chosen (``Rollout.pilot_choice``).
PILOT_CHOICES = ("random", "largest", "connected", "open")


def unit_scores(org, choice) -> np.ndarray:
    """Each unit's score for a pilot ``choice`` other than random, shape (n_units,).

    ``largest``: headcount; ``connected``: informal tie ends per person;
    ``open``: share of the unit's tie ends that reach another unit.
    """
    people = np.bincount(org.unit, minlength=org.n_units)
    if choice == "largest":
        return people.astype(np.float64)
    indptr, indices = org.network.indptr, org.network.indices
    degree = np.diff(indptr)
    ends = np.bincount(org.unit, weights=degree, minlength=org.n_units)
    if choice == "connected":
        return ends / np.maximum(people, 1)
    if choice == "open":
        source = np.repeat(org.unit, degree)
        leaving = np.bincount(source[org.unit[indices] != source], minlength=org.n_units)
        return leaving / np.maximum(ends, 1)
    raise ValueError(f"unit_scores: no score for {choice!r} (choices: largest, connected, open).")


class _PilotPlan(RolloutPlan):
    """A plan whose access grows from the pilot's people to everyone at ``expand_week``."""

    def __init__(self, n, pilot_access, expand_week, **kwargs):
        super().__init__(n, access=pilot_access, **kwargs)
        self.expand_week = expand_week
        everyone = np.ones(n, dtype=bool)
        everyone.flags.writeable = False
        self._expanded = self._week._replace(access=everyone)

    def week(self, t, state=None) -> Week:
        return self._expanded if t >= self.expand_week else self._week


@dataclass(frozen=True)
class Rollout:
    """How the platform is launched.

    Parameters
    ----------
    scope : {"company_wide", "pilot"}, default "company_wide"
        Everyone gets access at week 0, or a pilot first.
    pilot_share : float, default 0.2
        Share of units (at least one) in the pilot when it is chosen by
        ``pilot_choice``, in (0, 1]. Pilot only.
    pilot_choice : {"random", "largest", "connected", "open"}, default "random"
        How the pilot's units are chosen: at random with the run's generator,
        the largest (headcount), the best connected (informal ties per
        person) or the most open (share of their ties that leave the unit).
        Ties go to the unit listed first. Pilot only.
    pilot_units : sequence of str, optional
        The pilot's units by name, instead of ``pilot_choice``. Pilot only.
    expand_week : int, default 8
        Week from which everyone has access, >= 1. Pilot only.
    direction : {"hierarchical", "decentralized"}, default "hierarchical"
        Who adopts first: the top ``top_levels`` levels, whose adoption then
        flows down as endorsement; or champions, who are trained.
    top_levels : int, default 2
        Levels (from the top) that adopt first when hierarchical, >= 1.
    champions : float, default 0.02
        Share of people with access at week 0 who adopt first when
        decentralized, in [0, 1).
    commitment : float, default 0.5
        Perceived commitment ``c(t)`` of the launch, in [0, 1].
    """

    scope: str = "company_wide"
    pilot_share: float = 0.2
    pilot_choice: str = "random"
    pilot_units: tuple | None = None
    expand_week: int = 8
    direction: str = "hierarchical"
    top_levels: int = 2
    champions: float = 0.02
    commitment: float = 0.5

    def __post_init__(self):
        check_choice(self.scope, "scope", "Rollout", ("company_wide", "pilot"))
        check_choice(self.direction, "direction", "Rollout", ("hierarchical", "decentralized"))
        check_choice(self.pilot_choice, "pilot_choice", "Rollout", PILOT_CHOICES)
        if self.pilot_units is not None:
            names = self.pilot_units
            if isinstance(names, str) or not all(isinstance(u, str) for u in names) or not names:
                raise ValueError(
                    "The 'pilot_units' parameter of Rollout must be a non-empty list of unit "
                    f"names. Got {names!r} instead."
                )
            object.__setattr__(self, "pilot_units", tuple(names))
        checks = {
            "pilot_share": {"low": 0.0, "high": 1.0, "closed": "right"},
            "expand_week": {"kind": int, "low": 1},
            "top_levels": {"kind": int, "low": 1},
            "champions": {"low": 0.0, "high": 1.0, "closed": "left"},
            "commitment": {"low": 0.0, "high": 1.0},
        }
        for name, bounds in checks.items():
            value = check_scalar(getattr(self, name), name, "Rollout", **bounds)
            object.__setattr__(self, name, value)

    def pilot(self, org, rng) -> np.ndarray:
        """Unit codes of the pilot, sorted (all units for a company-wide launch)."""
        if self.scope == "company_wide":
            return np.arange(org.n_units)
        if self.pilot_units is not None:
            known = {name: code for code, name in enumerate(org.unit_names)}
            unknown = [u for u in self.pilot_units if u not in known]
            if unknown:
                raise ValueError(
                    f"The 'pilot_units' parameter of Rollout names units this org does not "
                    f"have: {', '.join(unknown)} (units: {', '.join(org.unit_names)})."
                )
            return np.unique([known[u] for u in self.pilot_units])
        k = max(1, round(self.pilot_share * org.n_units))
        if self.pilot_choice == "random":
            return np.sort(rng.choice(org.n_units, size=k, replace=False))
        score = unit_scores(org, self.pilot_choice)
        best = np.lexsort((np.arange(org.n_units), -score))[:k]
        return np.sort(best)

    def plan(self, org, rng) -> tuple[RolloutPlan, np.ndarray]:
        """The week-by-week plan on ``org`` and the ids of the first adopters."""
        access = np.isin(org.unit, self.pilot(org, rng))
        if self.direction == "hierarchical":
            first = np.flatnonzero(access & (org.level < self.top_levels))
            trained, endorsing = None, None
        else:
            among = np.flatnonzero(access)
            k = round(self.champions * org.n)
            first = np.sort(rng.choice(among, size=min(k, among.shape[0]), replace=False))
            trained = np.zeros(org.n)
            trained[first] = 1.0
            endorsing = False
        kwargs = {"trained": trained, "endorsing": endorsing, "commitment": self.commitment}
        if self.scope == "pilot" and not access.all():
            plan = _PilotPlan(org.n, access, self.expand_week, **kwargs)
        else:
            plan = RolloutPlan(org.n, **kwargs)
        return plan, first.astype(np.int64)

    def first_adopters(self, org, rng) -> np.ndarray:
        """The first adopters alone, for the classic rules (which take no plan)."""
        if self.scope != "company_wide":
            raise ValueError(
                "The 'scope' parameter of Rollout must be 'company_wide' for the classic "
                "rules, which give everyone access. Got 'pilot' instead."
            )
        return self.plan(org, rng)[1]
