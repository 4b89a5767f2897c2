"""Rollout strategies: how a change team launches the platform (docs/model.md §4).

A :class:`Rollout` is a lever, not an uncertainty: what the change team
decides. It turns into a :class:`~sim.rollout.RolloutSchedule` (who has
access, who has heard the launch, who is trained, which managers endorse,
week by week) and the people who adopt first. Two axes and the levers:

- **scope**: ``company_wide`` (everyone has access from week 0) or ``pilot``
  (some units first; the rest at a fixed week or once the pilot reaches a
  share of users, all at once or in waves of units);
- **direction**: ``hierarchical`` (the top levels adopt first, the launch
  message goes down the reporting lines a level a week, managers endorse),
  ``decentralized`` (champions chosen by a seeding policy adopt first and are
  trained; the message goes to everyone at once; managers do not endorse) or
  ``hybrid`` (leaders and champions first, managers endorse, the message goes
  to everyone at once);
- **levers**: training capacity (people or a share of the company a week)
  and its priority, champions' share, the safety policy, leadership
  role-modelling (``top_levels``), launch effort (``commitment``), the rung
  first movers start on (``first_rungs``), and a cost for each
  (:meth:`Rollout.cost`);
- **budget**: optionally, what it may spend in all, so that strategies
  compare at equal cost (the budget then sets champions and training).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np

from sim._validation import check_choice, check_scalar
from sim.rollout import _derived
from sim.rollout.schedule import TRAINING_PRIORITIES, RolloutSchedule
from sim.rollout.seeding import CHAMPION_CHOICES, choose_champions

__all__ = ["DIRECTIONS", "PILOT_CHOICES", "SCOPES", "Rollout", "unit_scores"]

#: Rollout scopes and directions (``Rollout.scope``, ``Rollout.direction``).
SCOPES = ("company_wide", "pilot")
DIRECTIONS = ("hierarchical", "decentralized", "hybrid")
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


@dataclass(frozen=True)
class Rollout:
    """How the platform is launched, and what it costs.

    Costs are in person-days (any unit works if all five are in it).

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
        Ties go to the unit listed first. Also the order of later waves.
        Pilot only.
    pilot_units : sequence of str, optional
        The pilot's units by name, instead of ``pilot_choice``. Pilot only.
    expand_week : int or None, default 8
        Week (>= 1) from which the rest get access at the latest; None to
        expand on ``expand_share`` only. Pilot only.
    expand_share : float, optional
        Expand the week after this share of the pilot's people, in (0, 1],
        use the platform (hold the first behavior), if that comes before
        ``expand_week``. Pilot only.
    wave_units : int, optional
        After the pilot, open this many units (>= 1) at a time, in the order
        of ``pilot_choice``; all at once by default. Pilot only.
    wave_weeks : int, default 4
        Weeks (>= 1) between waves after the first expansion. Pilot only.
    pilot_learning : float, default 0.5
        What the pilot learns lowers later waves' thresholds: each later wave
        starts with ``learning`` = ``pilot_learning`` times the pilot's organic
        adoption when it opens (share of the pilot's people, first movers aside,
        holding each behavior, averaged over the ladder), which lowers its
        thresholds by ``rule.learning_effect * learning``; in [0, 1]. Pilot only.
    direction : {"hierarchical", "decentralized", "hybrid"}, default "hierarchical"
        Who adopts first and how the word spreads (see the module docstring).
    top_levels : int, default 2
        Leadership role-modelling: levels (from the top, with access at
        week 0) that adopt first when hierarchical or hybrid, >= 0; also the
        levels the launch message reaches in its first week.
    first_rungs : int, default 2
        Rungs of the ladder the first movers (leaders, champions) hold at
        week 0, >= 1: by default they read and contribute; creating is theirs
        to take up like anyone's.
    champions : float, default 0.02
        Champions as a share of the whole company, in [0, 1), all placed
        among the people with access at week 0 (so a pilot concentrates
        them) who are willing (see ``Culture.open_recruiting``): fewer when
        too few are. Decentralized and hybrid.
    champion_choice : {"random", "degree", "betweenness", "bridging", "team"}, default "random"
        The seeding policy (:func:`sim.rollout.seeding.choose_champions`).
    training_capacity : int, default 0
        People trainers can train per week from week 1 (>= 0), among those
        with access; champions are trained at week 0 besides.
    training_share : float, default 0.0
        Trainers' capacity as a share of the company per week, in [0, 1],
        added to ``training_capacity``: a preset then means the same at 500
        and at 50,000 people.
    training_priority : {"random", "managers", "connected", "adopters"}, default "random"
        Who is trained first: in a random order, managers top down, the
        best connected, or those who use the most behaviors already.
    commitment : float, default 0.5
        Launch effort, in [0, 1]. Those the message reached perceive it times
        the share of the company with access to the power of the rule's
        ``commitment_coverage`` (kappa: 0, the message alone counts).
    safety : float, optional
        Safety policy in [0, 1] (how safe experimenting is made), replacing
        the rule's ``safety``; the rule's by default (and no cost).
    cost_champion : float, default 10.0
        Cost of one champion (their time over the rollout), >= 0.
    cost_trainee : float, default 1.0
        Cost of training one person, >= 0.
    cost_leader : float, default 2.0
        Cost of one leader role-modelling, >= 0.
    cost_launch : float, default 100.0
        Cost of the launch campaign at full effort (``commitment = 1``), >= 0.
    cost_safety : float, default 50.0
        Cost of a full safety policy (``safety = 1``), >= 0.
    cost_endorser : float, default 0.25
        Cost of asking one manager to endorse (their time: a two-hour briefing
        and a few posts to their team, a quarter of a person-day), >= 0, paid for
        each manager a hierarchical or hybrid rollout's message reaches; a
        budget sets it aside for every manager.
    budget : float, optional
        Person-days to spend in all (> 0), so that strategies compare at equal
        cost: what the launch, the safety policy and the leaders cost comes
        first; of the rest, ``champion_budget`` goes to champions (their time
        and training; replacing ``champions``) when the direction has them,
        and the remainder to training others, at the capacity above, until it
        is spent. None: the levers as given, whatever they cost. The classic
        rules pay for nothing (they have no plan): their budget is unused.
    budget_per_person : float, optional
        Person-days per person of the company added to ``budget`` (>= 0), so
        that a preset's budget means the same at 500 and at 50,000 people.
        None (the default) adds nothing; with ``budget`` None too there is no
        budget. A budget is what may be spent: one of 0 person-days in all
        (``budget_per_person=0`` and no ``budget``) would pay for nothing, so
        it is refused (:meth:`check_budget`) rather than read as "no budget".
    champion_budget : float, default 0.5
        Share of the budget left after launch, safety and leaders that goes
        to champions, in [0, 1]. With a budget only.
    """

    scope: str = "company_wide"
    pilot_share: float = 0.2
    pilot_choice: str = "random"
    pilot_units: tuple | None = None
    expand_week: int | None = 8
    expand_share: float | None = None
    wave_units: int | None = None
    wave_weeks: int = 4
    pilot_learning: float = 0.5
    direction: str = "hierarchical"
    top_levels: int = 2
    first_rungs: int = 2
    champions: float = 0.02
    champion_choice: str = "random"
    training_capacity: int = 0
    training_share: float = 0.0
    training_priority: str = "random"
    commitment: float = 0.5
    safety: float | None = None
    cost_champion: float = 10.0
    cost_trainee: float = 1.0
    cost_leader: float = 2.0
    cost_launch: float = 100.0
    cost_safety: float = 50.0
    cost_endorser: float = 0.25
    budget: float | None = None
    budget_per_person: float | None = None
    champion_budget: float = 0.5

    def __post_init__(self):
        check_choice(self.scope, "scope", "Rollout", SCOPES)
        check_choice(self.direction, "direction", "Rollout", DIRECTIONS)
        check_choice(self.pilot_choice, "pilot_choice", "Rollout", PILOT_CHOICES)
        check_choice(self.champion_choice, "champion_choice", "Rollout", CHAMPION_CHOICES)
        check_choice(self.training_priority, "training_priority", "Rollout", TRAINING_PRIORITIES)
        if self.pilot_units is not None:
            names = self.pilot_units
            if isinstance(names, str) or not all(isinstance(u, str) for u in names) or not names:
                raise ValueError(
                    "The 'pilot_units' parameter of Rollout must be a non-empty list of unit "
                    f"names. Got {names!r} instead."
                )
            object.__setattr__(self, "pilot_units", tuple(names))
        if self.expand_week is None and self.expand_share is None:
            raise ValueError(
                "Rollout: a pilot expands at 'expand_week', on 'expand_share', or both; "
                "both are None."
            )
        checks = {
            "pilot_share": {"low": 0.0, "high": 1.0, "closed": "right"},
            "expand_week": {"kind": int, "low": 1},
            "expand_share": {"low": 0.0, "high": 1.0, "closed": "right"},
            "wave_units": {"kind": int, "low": 1},
            "wave_weeks": {"kind": int, "low": 1},
            "pilot_learning": {"low": 0.0, "high": 1.0},
            "top_levels": {"kind": int, "low": 0},
            "first_rungs": {"kind": int, "low": 1},
            "champions": {"low": 0.0, "high": 1.0, "closed": "left"},
            "training_capacity": {"kind": int, "low": 0},
            "training_share": {"low": 0.0, "high": 1.0},
            "commitment": {"low": 0.0, "high": 1.0},
            "safety": {"low": 0.0, "high": 1.0},
            "cost_champion": {"low": 0.0},
            "cost_trainee": {"low": 0.0},
            "cost_leader": {"low": 0.0},
            "cost_launch": {"low": 0.0},
            "cost_safety": {"low": 0.0},
            "cost_endorser": {"low": 0.0},
            "budget": {"low": 0.0, "closed": "right"},
            "budget_per_person": {"low": 0.0},
            "champion_budget": {"low": 0.0, "high": 1.0},
        }
        for name, bounds in checks.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_scalar(value, name, "Rollout", **bounds))

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
        return np.sort(self._ranked(org)[:k])

    def _ranked(self, org):
        """Unit codes, best first by ``pilot_choice`` (not random); ties to the lower code."""

        def ranked():
            score = unit_scores(org, self.pilot_choice)
            return np.lexsort((np.arange(org.n_units), -score))

        return _derived.derived(org, ("ranked units", self.pilot_choice), ranked)

    def waves(self, org, rng) -> list[np.ndarray]:
        """Unit codes of each wave, the pilot (or everyone) first."""
        pilot = self.pilot(org, rng)
        later = np.ones(org.n_units, dtype=bool)
        later[pilot] = False
        rest = later.nonzero()[0]
        if rest.shape[0] == 0:
            return [pilot]
        if self.wave_units is None:
            return [pilot, rest]
        if self.pilot_choice == "random":
            rest = rest[rng.permutation(rest.shape[0])]
        else:
            ranked = self._ranked(org)
            rest = ranked[later[ranked]]
        k = self.wave_units
        return [pilot] + [rest[i : i + k] for i in range(0, rest.shape[0], k)]

    def capacity(self, org) -> int:
        """People trainers can train per week on ``org``."""
        return self.training_capacity + round(self.training_share * org.n)

    def _training_order(self, org, rng, capacity):
        """(training_order, tie_order) for the schedule; draws only if anyone is trained."""
        ids = _derived.ids(org)
        if capacity == 0:
            return ids, ids
        if self.training_priority == "random":
            order = rng.permutation(org.n)
            return order, order
        if self.training_priority == "managers":
            return _derived.managers_first(org), ids
        if self.training_priority == "connected":
            return _derived.connected_first(org), ids
        return None, rng.permutation(org.n)

    def _fixed_cost(self, leaders, managers=0):
        """What the launch, the safety policy, ``leaders`` role models and asking
        ``managers`` to endorse cost (the last only when the direction asks them)."""
        safety = 0.0 if self.safety is None else self.cost_safety * self.safety
        asked = self.cost_endorser * managers if self.asks_managers else 0.0
        return self.cost_launch * self.commitment + safety + self.cost_leader * leaders + asked

    @property
    def asks_managers(self) -> bool:
        """Whether the rollout's message asks the managers it reaches to endorse (a
        mandate: hierarchical and hybrid); managers who endorse unasked do in any."""
        return self.direction != "decentralized"

    def budget_on(self, n) -> float | None:
        """Person-days to spend on ``n`` people (``budget`` plus ``budget_per_person`` each),
        or None without a budget."""
        if self.budget is None and self.budget_per_person is None:
            return None
        return (self.budget or 0.0) + (self.budget_per_person or 0.0) * n

    def check_budget(self, n):
        """Raise ValueError unless a budget on ``n`` people is a finite number of person-days,
        above 0, that covers the launch and the safety policy."""
        budget = self.budget_on(n)
        if budget is None:
            return
        if not math.isfinite(budget):
            name = "budget_per_person" if self.budget_per_person else "budget"
            raise ValueError(
                f"The {name!r} parameter of Rollout gives {n} people a budget of {budget:g} "
                f"person-days (budget + budget_per_person x people), beyond what a float "
                f"holds; give a smaller number."
            )
        if budget == 0:
            raise ValueError(
                f"The 'budget_per_person' parameter of Rollout is {self.budget_per_person:g} "
                f"and 'budget' is None: a budget of 0 person-days pays for nothing. For no "
                f"budget (the levers as given, whatever they cost) use budget_per_person=null."
            )
        if budget < self._fixed_cost(0):
            raise ValueError(
                f"The 'budget' parameter of Rollout ({budget:g} person-days for {n} people) "
                f"does not cover the launch and the safety policy ({self._fixed_cost(0):g}); "
                f"raise budget or budget_per_person, or lower commitment or cost_launch."
            )

    def _budgeted(self, org, leaders):
        """(champions, training_limit) the budget pays for, or (None, None) without one.

        Leaders role-model whatever the budget: when they take what the launch and
        the safety policy leave, nothing is left for champions or training (the
        run's ``cost_total`` says what was spent).
        """
        budget = self.budget_on(org.n)
        if budget is None:
            return None, None
        self.check_budget(org.n)
        # Asking managers is set aside for all of them: every wave's message asks its own.
        managers = int(np.count_nonzero(_derived.is_manager(org)))
        flexible = max(0.0, budget - self._fixed_cost(leaders, managers))
        champion_days = self.champion_budget * flexible if self.direction != "hierarchical" else 0
        each = self.cost_champion + self.cost_trainee  # a champion's time and training
        # Counts beyond the company buy nothing more (and keep the arithmetic in range).
        champions = int(min(champion_days // each, org.n)) if each > 0 else 0
        rest = flexible - champions * each
        limit = int(min(rest // self.cost_trainee, org.n)) if self.cost_trainee > 0 else None
        return champions, limit

    def plan(self, org, rng, culture=None) -> tuple[RolloutSchedule, np.ndarray]:
        """The week-by-week schedule on ``org`` and the ids of the first adopters.

        Draws from ``rng`` in a fixed order: the pilot, the order of later
        waves, who is willing to champion, the champions, the training order
        (each only when needed). ``culture`` (a :class:`~sim.population.Culture`)
        decides who is willing to champion when its ``open_recruiting`` is on.
        """
        waves = self.waves(org, rng)
        first_units = np.zeros(org.n_units, dtype=bool)
        first_units[waves[0]] = True
        access = first_units[org.unit]
        leaders = np.zeros(0, dtype=np.int64)
        top = None
        if self.direction != "decentralized":
            top = access & _derived.above(org, self.top_levels)
            leaders = top.nonzero()[0]
        budget_champions, training_limit = self._budgeted(org, leaders.shape[0])
        champions = np.zeros(0, dtype=np.int64)
        if self.direction != "hierarchical":
            willing = access if top is None else access & ~top
            if culture is not None and culture.open_recruiting:
                # A closed culture recruits among managers, and fewer others say yes.
                willing = willing & (_derived.is_manager(org) | (rng.random(org.n) < culture.open))
            among = willing.nonzero()[0]
            k = round(self.champions * org.n) if budget_champions is None else budget_champions
            champions = choose_champions(org, k, among, self.champion_choice, rng)
        capacity = self.capacity(org)
        order, ties = self._training_order(org, rng, capacity)
        schedule = RolloutSchedule(
            org,
            waves,
            expand_week=self.expand_week,
            expand_share=self.expand_share,
            wave_weeks=self.wave_weeks,
            message="down" if self.direction == "hierarchical" else "broadcast",
            endorse=self.asks_managers,
            top_levels=self.top_levels,
            commitment=self.commitment,
            champions=champions,
            leaders=leaders,
            training_capacity=capacity,
            training_order=order,
            tie_order=ties,
            learning=self.pilot_learning,
            safety=self.safety,
            training_limit=training_limit,
        )
        # Leaders and champions are distinct (champions are never leaders): both, sorted.
        seeded = np.zeros(org.n, dtype=bool)
        seeded[leaders] = True
        seeded[champions] = True
        return schedule, seeded.nonzero()[0]

    def cost(self, schedule) -> dict[str, float]:
        """What the run of ``schedule`` cost so far, by lever (for ``metrics.summary``).

        ``champions``, ``training`` (everyone trained, champions included),
        ``leaders`` (role models), ``launch``, ``safety`` and ``endorsers`` (the
        managers the rollout's message has asked to endorse); always all six, so
        that runs of different strategies share columns.
        """
        return {
            "champions": self.cost_champion * schedule.champions.shape[0],
            "training": self.cost_trainee * schedule.trained_people,
            "leaders": self.cost_leader * schedule.leaders.shape[0],
            "launch": self.cost_launch * self.commitment,
            "safety": 0.0 if self.safety is None else self.cost_safety * self.safety,
            "endorsers": self.cost_endorser * schedule.asked,
        }

    def spending(self, schedule, trained, asked) -> np.ndarray:
        """Person-days spent by the end of each week (float64, like ``trained``).

        What :meth:`cost` counts, as it falls due: the launch, the safety policy, role
        models and champions at week 0, each person's training in the week they are
        trained and asking a manager in the week the message asks them. ``trained`` and
        ``asked`` are the counts by the end of each week (a schedule's
        ``trained_by_week`` and ``asked_by_week``). Added lever by lever as a run's
        ``cost_total`` is, so the last week equals it to the bit.
        """
        trained = np.asarray(trained, dtype=np.int64)
        levers = self.cost(SimpleNamespace(champions=schedule.champions,
                                           leaders=schedule.leaders, trained_people=trained,
                                           asked=np.asarray(asked, dtype=np.int64)))  # fmt: skip
        total = np.zeros(trained.shape[0])
        for amount in levers.values():
            total = total + amount
        return total

    def first_adopters(self, org, rng) -> np.ndarray:
        """The first adopters alone, for the classic rules (which take no plan)."""
        if self.scope != "company_wide":
            raise ValueError(
                "The 'scope' parameter of Rollout must be 'company_wide' for the classic "
                "rules, which give everyone access. Got 'pilot' instead."
            )
        # They pay for nothing (no plan, no costs), so a budget buys no champions either.
        # The budget-free copy is made once: every replication of a sweep asks for it.
        free = self.__dict__.get("_without_budget")
        if free is None:
            free = replace(self, budget=None, budget_per_person=None)
            object.__setattr__(self, "_without_budget", free)
        return free.plan(org, rng)[1]
