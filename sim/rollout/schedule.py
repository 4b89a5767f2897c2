"""A plan that unfolds: waves of access, a message down the lines, training by capacity.

:class:`RolloutSchedule` is the :class:`~sim.rollout.plan.RolloutPlan` that
:meth:`sim.rollout.Rollout.plan` builds. Each week it works out, with numpy
over whole arrays, what changed since the week before:

- **access** opens by waves of units: the first wave (the pilot, or everyone)
  at week 0, the second at ``expand_week`` or as soon as the first wave's
  share of users reaches ``expand_share``, the later ones every
  ``wave_weeks`` weeks after it;
- **the launch message**: a person perceives the launch's commitment once it
  has reached them. Sent down the reporting lines, it reaches the top
  ``top_levels`` levels of a wave when the wave opens and one more level each
  week after; broadcast, it reaches everyone with access at once. Perceived
  commitment is the launch effort scaled by the share of the company with
  access (``Week.coverage``, to the rule's ``commitment_coverage``), so a
  pilot may signal less than a company-wide launch;
- **endorsement**: managers endorse to their reports from the week the
  message reaches them, when the direction has them endorse;
- **training**: ``training_capacity`` people a week, those with access and
  not yet trained, in the order of ``training_priority``, until
  ``training_limit`` people (champions aside) have been trained;
- **learning**: what the first wave learns accrues week by week from its own
  adoption, that of the people who took behaviors up during the pilot (the
  seeded first movers teach nothing by being seeded): when a later wave
  opens, its people start with ``learning * (that adoption so far)`` learned
  (which lowers their thresholds by the rule's ``learning_effect`` times it),
  so a longer or more successful pilot teaches more.

The schedule draws nothing at run time (orders are fixed when it is built), so
it is reproducible and reads the run's state only for the share trigger, the
learning and the ``adopters`` training priority. One schedule serves one run
at a time: a run that starts with another state starts it over.
"""

from __future__ import annotations

import numpy as np

from sim._validation import check_scalar
from sim.rollout import _derived
from sim.rollout.plan import RolloutPlan, Week

__all__ = ["TRAINING_PRIORITIES", "RolloutSchedule"]

#: Who is trained first when capacity is short (``Rollout.training_priority``).
TRAINING_PRIORITIES = ("random", "managers", "connected", "adopters")


def _frozen(array):
    array.flags.writeable = False
    return array


class RolloutSchedule(RolloutPlan):
    """Access, message, endorsement, training and learning, week by week.

    Parameters
    ----------
    org : Org
        The organization (units, levels, managers).
    waves : list of int arrays
        Unit codes of each wave, in order; the first opens at week 0.
    expand_week : int or None
        Week the second wave opens at the latest (None: only on the share).
    expand_share : float or None
        Share of the first wave's people using the platform (holding the
        ladder's first behavior) that opens the second wave the week after it
        is reached (None: only at ``expand_week``).
    wave_weeks : int
        Weeks between the later waves.
    message : {"down", "broadcast"}
        How the launch message travels (see the module docstring).
    endorse : bool
        Whether managers endorse to their reports, from the week the message
        reaches them.
    top_levels : int
        Levels reached when a wave opens, when the message goes down.
    commitment : float
        The launch effort, in [0, 1].
    champions : int array
        Ids trained at week 0 (they count among ``trained_people``).
    leaders : int array
        Ids of the leaders who adopt first as role models (for costs).
    training_capacity : int
        People trained per week from week 1.
    training_limit : int or None
        People trained at most over the run, champions aside (a budget);
        None for no limit.
    training_order : int array or None
        Everyone's ids in training priority order; None for the
        ``adopters`` priority (most behaviors held first, ties in
        ``tie_order``).
    tie_order : int array
        Everyone's ids in the order used to break ties of ``adopters``.
    learning : float
        Share of the difficulty later waves lose per unit of the first wave's
        organic adoption (the share of its people other than the first movers
        holding each behavior, averaged over the ladder), in [0, 1].
    safety : float or None
        The rollout's safety policy (see :class:`~sim.rollout.plan.RolloutPlan`).
    """

    def __init__(self, org, waves, *, expand_week, expand_share, wave_weeks, message,
                 endorse, top_levels, commitment, champions, leaders, training_capacity,
                 training_order, tie_order, learning, safety=None,
                 training_limit=None):  # fmt: skip
        if np.ndim(commitment) == 0:
            # The checks of RolloutPlan.__init__, without the static week it builds and a
            # schedule never reads.
            self.n = check_scalar(org.n, "n", "RolloutPlan", kind=int, low=1)
            check_scalar(commitment, "commitment", "RolloutPlan", low=0.0, high=1.0)
            if safety is not None:
                check_scalar(safety, "safety", "RolloutPlan", low=0.0, high=1.0)
        else:
            super().__init__(org.n, commitment=commitment, safety=safety)
        self.org = org
        self.waves = [np.asarray(w, dtype=np.int64) for w in waves]
        self.expand_week = expand_week
        self.expand_share = expand_share
        self.wave_weeks = wave_weeks
        self.message = message
        self.endorse = endorse
        self.commitment = commitment
        self.champions = np.asarray(champions, dtype=np.int64)
        self.leaders = np.asarray(leaders, dtype=np.int64)
        self.training_capacity = training_capacity
        self.training_limit = training_limit
        self.training_order = training_order
        self.tie_order = tie_order
        self.learning = learning
        self.safety = safety
        wave_of_unit = np.empty(org.n_units, dtype=np.int64)
        for k, units in enumerate(self.waves):
            wave_of_unit[units] = k
        self._wave_of = wave_of_unit[org.unit]
        first_wave = self._wave_of == 0
        self._first_wave = first_wave.nonzero()[0]
        # Who learns for later waves: the first wave less its seeded first movers.
        first_wave[self.champions] = False
        first_wave[self.leaders] = False
        self._learners = first_wave.nonzero()[0]
        # The delays depend on the org alone: one read-only array per org, shared by plans.
        if message == "down":
            reached = max(top_levels, 1)
            self._delay = _derived.derived(org, ("delay", reached), lambda: np.maximum(
                org.level.astype(np.int64) - reached + 1, 0))  # fmt: skip
        else:
            self._delay = _derived.derived(org, "no delay", lambda: np.zeros(org.n, np.int64))
        self._state = None
        self._restart()

    # -- what a run reads ---------------------------------------------------------------

    def week(self, t, state=None) -> Week:
        if t == 0 and state is not None and state is not self._state:
            self._restart()
            self._state = state
        while self._t < t:
            self._advance(self._t + 1, state)
        if t < self._t:
            return self._history[t]
        return self._current

    @property
    def static(self) -> bool:
        """True once every wave has opened, the message has arrived and training is over."""
        return self._settled

    # -- what happened (for tests, costs and reports) -------------------------------------

    @property
    def opened(self) -> list[int]:
        """Week each wave opened so far (the first at 0)."""
        return list(self._opened)

    @property
    def expanded_at(self) -> int | None:
        """Week the second wave opened, or None (not yet, or a single wave)."""
        return self._opened[1] if len(self._opened) > 1 else None

    @property
    def trained_people(self) -> int:
        """People trained so far, champions included."""
        return int(np.count_nonzero(self._trained))

    def trained_by_week(self, weeks) -> np.ndarray:
        """People trained by the end of each week 0..``weeks`` (int64, ``weeks + 1``;
        champions included), as a compiled run records them. A model that went stationary
        stopped asking for weeks; nobody is trained after that, so the last count holds."""
        counts = [np.count_nonzero(w.trained) for w in self._history[: weeks + 1]]
        counts += [counts[-1] if counts else 0] * (weeks + 1 - len(counts))
        return np.array(counts, dtype=np.int64)

    def asked_by_week(self, access_since, weeks) -> np.ndarray:
        """Managers asked by the end of each week 0..``weeks`` (int64, ``weeks + 1``), when
        people got access in ``access_since``: :meth:`asked_by` at every week at once."""
        if not self.endorse:
            return np.zeros(weeks + 1, dtype=np.int64)
        managers = (access_since >= 0) & _derived.is_manager(self.org)
        when = np.minimum(access_since[managers] + self._delay[managers], weeks + 1)
        return np.cumsum(np.bincount(when, minlength=weeks + 2)[: weeks + 1]).astype(np.int64)

    @property
    def asked(self) -> int:
        """Managers the message has asked to endorse so far (none when it asks nobody)."""
        return self.asked_by(self._access_week, self._t)

    def asked_by(self, access_since, week) -> int:
        """Managers asked by ``week`` when people got access in ``access_since`` (-1:
        never), as a run records it: those the message has reached, when it asks."""
        if not self.endorse:
            return 0
        return int(
            np.count_nonzero(self._asked(access_since, week) & _derived.is_manager(self.org))
        )

    def endorsing_by(self, access_since, week, volunteers) -> np.ndarray:
        """Who endorses in ``week`` (bool, (n,)): those the message has asked, and the
        ``volunteers`` with access (``Organizational.endorsing`` for a run's week)."""
        has = access_since >= 0
        endorsing = volunteers & has
        if self.endorse:
            endorsing |= self._asked(access_since, week)
        return endorsing

    def _asked(self, access_since, week):
        return (access_since >= 0) & (week >= access_since + self._delay)

    # -- the unfolding --------------------------------------------------------------------

    def _restart(self):
        n = self.n
        self._t = 0
        self._opened = [0]
        self._access_week = np.zeros(n, dtype=np.int64)  # the first wave at week 0
        self._access_week[self._wave_of != 0] = -1  # the others not yet
        self._learned = np.zeros(n, dtype=np.float64)
        self._trained = np.zeros(n, dtype=bool)
        self._trained[self.champions] = True
        self._settled = False
        self._current = None
        self._history = []
        self._compose(0)

    def _compose(self, t):
        """This week's ``Week``: last week's object when nothing changed, else a new one
        that shares last week's arrays for the parts that did not change."""
        previous = self._current
        has_access = self._access_week >= 0
        arrived = t >= self._access_week + self._delay
        reached = has_access & arrived
        with_access = np.count_nonzero(has_access)
        coverage = with_access / self.n
        parts = {
            "access": has_access,
            "trained": self._trained.astype(np.float64),
            "endorsing": reached if self.endorse else np.zeros(self.n, dtype=bool),
            "learning": self._learned.copy(),
            "commitment": np.where(reached, self.commitment, 0.0),
        }
        for name, value in parts.items():
            old = None if previous is None else getattr(previous, name)
            parts[name] = old if old is not None and np.array_equal(value, old) else _frozen(value)
        if previous is not None and previous.coverage == coverage:
            coverage = previous.coverage  # the same object: an unchanged week stays the same
        week = Week(**parts, safety=self.safety, coverage=coverage)
        if previous is not None and all(a is b for a, b in zip(week, previous, strict=True)):
            week = previous
        self._current = week
        self._history.append(week)
        # Everyone with access has heard the message when those it reached are all of them.
        message_done = np.count_nonzero(reached) == with_access
        self._settled = (
            len(self._opened) == len(self.waves)
            and message_done
            and not self._can_train(has_access)
        )

    def _can_train(self, has_access):
        return self._capacity_left() > 0 and bool((has_access & ~self._trained).any())

    def _capacity_left(self):
        """People trainers may still train this week."""
        if self.training_limit is None:
            return self.training_capacity
        left = self.training_limit - (self.trained_people - self.champions.shape[0])
        return max(0, min(self.training_capacity, left))

    def _advance(self, t, state):
        """Work out week ``t`` from week ``t - 1`` and the run's ``state``."""
        self._t = t
        if self._settled:
            self._history.append(self._current)
            return
        self._open_waves(t, state)
        self._train(state)
        self._compose(t)

    def _open_waves(self, t, state):
        while len(self._opened) < len(self.waves):
            k = len(self._opened)
            if k == 1:
                due = self.expand_week is not None and t >= self.expand_week
                if not due and self.expand_share is not None and state is not None:
                    using = np.count_nonzero(state.stage[self._first_wave] > 0)
                    # A share against a share: 7/25 equals the literal 0.28, while
                    # 0.28 * 25 is 7.000000000000001 and would wait for an 8th user.
                    with np.errstate(invalid="ignore"):  # a first wave of nobody: NaN, never due
                        due = using / self._first_wave.shape[0] >= self.expand_share
            else:
                due = t >= self._opened[-1] + self.wave_weeks
            if not due:
                break
            people = self._wave_of == k
            self._access_week[people] = t
            if self.learning > 0.0 and state is not None and self._learners.shape[0]:
                # The pilot's organic adoption so far: share of its learners
                # holding each behavior, averaged over the ladder.
                held = state.stage[self._learners].mean() / state.n_behaviors
                self._learned[people] = self.learning * held
            self._opened.append(t)

    def _train(self, state):
        capacity = self._capacity_left()
        if capacity == 0:
            return
        waiting = (self._access_week >= 0) & ~self._trained
        if self.training_order is not None:
            order = self.training_order
            chosen = order[waiting[order]][:capacity]
        else:
            order = self.tie_order[waiting[self.tie_order]]
            stage = state.stage[order] if state is not None else np.zeros(order.shape[0])
            # Stable: equal stages keep the tie order.
            chosen = order[np.argsort(-stage, kind="stable")[:capacity]]
        self._trained[chosen] = True

    def __repr__(self):
        return (
            f"<RolloutSchedule: {len(self.waves)} wave(s), opened at {self._opened}, "
            f"{self.trained_people} trained by week {self._t}>"
        )
