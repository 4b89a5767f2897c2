"""The organizational rule: a ladder of behaviors driven by docs/model.md §3's signals.

Each week every person with access who holds behavior ``b - 1`` but not ``b``
compares a signal with a threshold::

    S_ib = peer_weight       * P_ib               # influence-weighted share of ties holding b
         + manager_weight    * E_i * g(trust_i)   # own manager holds b and endorses it
         + commitment_weight * c(t) * trust_i     # perceived organizational commitment
         + visibility_weight * V_b(i)             # share holding b among those i can see
         + content_weight    * C(t)               # content created so far
         + ownership_weight  * open * O(i)        # owners in one's unit pull it along
         + identity_weight   * id_i * G_ib        # one's own team holds b ("people like us")
    T_ib = (1 - voice_b) * theta_i + voice_b * (1 - voice_i) + difficulty_b
                   + risk_b * risk_aversion_i * (1 - safety) - training_effect * trained_i
                   - learning_effect * learning_i

and takes ``b`` up with probability ``rate * sigmoid((S - T) / noise)``. A
person whose top behavior's signal has fallen below ``T - hysteresis`` drops it
with probability ``lapse_rate`` instead; any other holder drops their top
behavior with probability ``churn`` whatever the signal (holding a rung is
doing it regularly; habits are given up) and otherwise decides as anyone; people
who lapsed may take it up again.

- ``g(trust) = (trust - reactance) / (1 - reactance)``: equal to ``trust`` when
  ``reactance = 0``, and negative (endorsement backfires) below ``reactance``;
- ``C(t) = 1 - exp(-generative * K(t))``, ``K(t)`` the sum over past weeks of
  the share of people holding the ladder's top behavior (content accumulates);
- ``c(t) = effort * coverage ** commitment_coverage``: the launch effort a
  person perceives once the message reached them, scaled by the share of the
  company with access to the power ``commitment_coverage`` (1: a pilot
  signals less commitment in proportion to its size; 0: the message alone);
- ``O(i)``: the share of one's unit (or company) with access who own the
  behavior, i.e. hold the ladder's second rung or higher (contributors and
  creators): in an open culture owners pull the people around them along;
- ``G_ib``: the share of one's team-mates (the manager's other reports) who hold
  ``b``, weighted by how strongly one identifies with the team (the trait
  ``identification``): collective identity, a norm of one's own group apart from
  what one sees of the unit;
- effort (per person while a message travels), access, training,
  endorsement, learning and a safety policy replacing ``safety`` come from the
  :class:`~sim.rollout.RolloutPlan`.

People without access cannot act and count as non-holders to their colleagues
(the denominator of ``P`` includes every tie), which is how a pilot dilutes
peer support. Every mechanism has its own weight; at 0 it has no effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._validation import check_choice, check_scalar
from sim.kernels import (
    content_share,
    ladder_bounds,
    ladder_bounds_serial,
    ladder_candidates,
    ladder_candidates_serial,
    ladder_decide,
    ladder_decide_serial,
    ladder_loosen,
    ladder_loosen_serial,
    ladder_loosen_team,
    lapse_cut,
    parallel_pays,
    shared_steps,
)
from sim.rules.base import Rule

__all__ = ["LADDER", "Behavior", "Organizational", "reinforcement_demand", "team_identity"]


@dataclass(frozen=True)
class Behavior:
    """One rung of the ladder.

    Parameters
    ----------
    name : str
        What it is called in results (``consume``).
    difficulty : float
        Added to everyone's threshold for it, in [0, 1]: effort and skill.
    risk : float
        Exposure, in [0, 1]: the threshold rises by
        ``risk * risk_aversion * (1 - safety)``.
    voice : float
        How much speaking up it takes, in [0, 1]: the share of a person's own
        threshold that is their reticence ``1 - voice_i`` rather than their
        base threshold ``theta_i``. A rung that demands a voice is taken up
        by the willing (participation inequality), not swept by a cascade over
        the people who read.
    reinforcement : float
        How many contacts holding it (influence-weighted ties of the network's
        mean weight) it takes for the peer share to count in full, >= 0
        (complex contagion, Centola & Macy 2007). With fewer, the peer share
        is scaled by ``ties / reinforcement``: one contact among many barely
        moves a risky rung, several who know each other do, so the network's
        clustering, bridges and champions' positions matter. 0: a simple
        contagion (the share alone).
    """

    name: str
    difficulty: float = 0.0
    risk: float = 0.0
    voice: float = 0.0
    reinforcement: float = 0.0

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"A Behavior's name must be a non-empty str. Got {self.name!r}.")
        for field in ("difficulty", "risk", "voice"):
            value = check_scalar(getattr(self, field), field, "Behavior", low=0.0, high=1.0)
            object.__setattr__(self, field, value)
        value = check_scalar(self.reinforcement, "reinforcement", "Behavior", low=0.0, high=1e6)
        object.__setattr__(self, "reinforcement", value)


def reinforcement_demand(ladder, network) -> np.ndarray:
    """Each rung's ``reinforcement`` in the units of a peer tally (float64 (B,)).

    A tally sums tie weights times influence (mean 1), so a contact counts
    the network's mean tie weight: demands mean the same on an edge list of
    message counts as on unweighted ties.
    """
    ties = network.weights
    unit = 1.0 if network.unit_weights or ties.shape[0] == 0 else float(ties.mean())
    return np.array([b.reinforcement * unit for b in ladder], dtype=np.float64)


#: The default ladder of social-intranet participation. Reading is easy and
#: exposes nothing; commenting takes a little effort and shows an opinion;
#: posting takes the most effort and exposure. Participation online falls off
#: by rung ("1 % create, 9 % contribute, 90 % lurk"), which the rising
#: difficulty and risk reproduce.
LADDER = (
    Behavior("consume", difficulty=0.0, risk=0.0, voice=0.0),
    Behavior("contribute", difficulty=0.05, risk=0.0, voice=0.994, reinforcement=2.114),
    Behavior("create", difficulty=0.151, risk=0.093, voice=0.833, reinforcement=2.776),
)


@dataclass(frozen=True, eq=False)
class Organizational(Rule):
    """Adoption of a ladder of behaviors in an organization (docs/model.md §3).

    Every weight is in [0, 1] and switches its mechanism off at 0. The
    weights of the peer share, managers, commitment, visibility, content and
    ownership, the rate and noise of decisions, and the default ladder's
    demands are fitted to stylised facts together with the population's
    constants (``experiments/fit_defaults.py``, docs/defaults.md): an
    S-shaped reading curve driven by imitation, Rogers' categories, "90-9-1"
    among users, months to half the company reading, and cultures that stay
    sensible on top. The other parameters
    keep the reasons given below.

    Parameters
    ----------
    ladder : tuple of Behavior, default LADDER
        The behaviors in the order they are taken up (consume, contribute, create).
    peer_weight : float, default 0.257
        Weight of the peer share ``P`` (in [0, 1]).
    manager_weight : float, default 0.011
        Weight of an endorsing manager who holds the behavior (Chelmis &
        Prasanna 2013: managers' example carries). The field figures barely
        hold it up: the refit put it near 0 (``fit_defaults.py --walk`` gives
        the range the facts allow; the robustness table runs both ends).
    commitment_weight : float, default 0.426
        Weight of perceived commitment ``c(t) * trust``.
    visibility_weight : float, default 0.779
        Weight of the share of holders among those one can see.
    content_weight : float, default 0.0
        Weight of the content created so far ``C(t)`` in [0, 1). The refit put
        it at 0: the facts and field figures ask for no pull of content.
    ownership_weight : float, default 0.0
        Weight of owners' pull ``open * O(i)``, in [0, 1]. The refit put it at 0
        as well: openness then acts through the network's ties alone.
    identity_weight : float, default 0.302
        Weight of collective identity ``identification_i * G_ib``, in [0, 1]: the
        share of one's team-mates holding the behavior, as strongly as one
        identifies with the team.
    commitment_coverage : float, default 0.5
        ``kappa`` in [0, 1]: how much perceived commitment follows the share
        of the company with access. Evidence for either end is thin (a pilot
        may read as a half-hearted launch, or the message alone may count),
        so the default sits in the middle and studies report both ends.
    safety : float, default 0.5
        How safe experimenting is, in [0, 1]: risk costs ``1 - safety`` of
        their full amount (a protected space inside the firewall, not graded).
    training_effect : float, default 0.1
        Threshold drop of a fully trained person, in [0, 1].
    learning_effect : float, default 0.1
        Threshold drop, in [0, 1], of a person whose wave starts with everything an
        earlier wave could learn (``learning_i = 1``): what a pilot finds out (use
        cases, answers, content, people who can help) eases every rung for later
        waves as training eases it for one person. The plan's ``learning`` is
        ``rollout.pilot_learning`` times the pilot's own organic adoption, so the drop
        grows with the pilot's length and success.
    reactance : float, default 0.25
        Trust below which endorsement from one's manager backfires, in [0, 1).
    hysteresis : float, default 0.1
        How far the signal must fall below the threshold before a holder
        lapses, in [0, 1] (habit: keeping a behavior is easier than starting).
    lapse_rate : float, default 0.1
        Weekly probability that a holder below ``T - hysteresis`` lapses.
    churn : float, default 0.196
        Weekly probability, in [0, 1], that any other holder drops their top
        behavior whatever the signal (busy weeks, a habit given up); they may
        take it up again. With it, a rung's share at maturity is an active
        share below its ceiling (roughly ``uptake / (uptake + churn)`` among the
        willing), not everyone who ever did it.
    return_share : float, default 0.443
        A rung one held and dropped is taken up again at ``return_share * rate``
        a week, in [0, 1], not at ``rate``: the curiosity of a first try is spent
        (Rogers' discontinuance: those who gave a practice up seldom come back
        soon). With ``churn`` it sets how much of the reach is active at once
        without slowing the first try, whose timing is the S-curve.
    rate : float, default 0.38
        Weekly probability of acting on a signal well above the threshold.
    noise : float, default 0.094
        Spread of individual decisions around the threshold (>= 0); 0 gives
        the deterministic threshold rule (with ``rate = 1``). At the fitted
        0.094 someone 0.1 below their threshold who looks every week still acts
        with a weekly probability of ``0.38 * sigmoid(-0.1 / 0.094)``, about
        10 %: the few who try early are what starts the S-curve.
    visibility : {"unit", "company"}, default "unit"
        Whom one sees on the platform: people of one's unit, or everyone.
    """

    ladder: tuple = LADDER
    peer_weight: float = 0.257
    manager_weight: float = 0.011
    commitment_weight: float = 0.426
    visibility_weight: float = 0.779
    content_weight: float = 0.0
    ownership_weight: float = 0.0
    identity_weight: float = 0.302
    commitment_coverage: float = 0.5
    safety: float = 0.5
    training_effect: float = 0.1
    learning_effect: float = 0.1
    reactance: float = 0.25
    hysteresis: float = 0.1
    lapse_rate: float = 0.1
    churn: float = 0.196
    return_share: float = 0.443
    rate: float = 0.38
    noise: float = 0.094
    visibility: str = "unit"

    needs_org = True

    def __post_init__(self):
        owner = "Organizational"
        ladder = tuple(self.ladder)
        if not ladder or not all(isinstance(b, Behavior) for b in ladder):
            raise TypeError(
                f"The 'ladder' parameter of {owner} must be a non-empty sequence of "
                f"rules.Behavior. Got {self.ladder!r} instead."
            )
        if len({b.name for b in ladder}) != len(ladder) or len(ladder) > 127:
            raise ValueError(
                f"The 'ladder' parameter of {owner} must hold 1 to 127 behaviors with "
                f"distinct names. Got {[b.name for b in ladder]}."
            )
        object.__setattr__(self, "ladder", ladder)
        unit_range = (
            "manager_weight",
            "commitment_weight",
            "visibility_weight",
            "content_weight",
            "ownership_weight",
            "identity_weight",
            "commitment_coverage",
            "peer_weight",
            "safety",
            "training_effect",
            "learning_effect",
            "hysteresis",
            "lapse_rate",
            "churn",
            "return_share",
            "rate",
        )
        for name in unit_range:
            value = check_scalar(getattr(self, name), name, owner, low=0.0, high=1.0)
            object.__setattr__(self, name, value)
        reactance = check_scalar(self.reactance, "reactance", owner, low=0.0, high=1.0)
        if reactance >= 1.0:
            raise ValueError(
                f"The 'reactance' parameter of {owner} must be a float in the range "
                f"[0, 1). Got {self.reactance!r} instead."
            )
        object.__setattr__(self, "reactance", reactance)
        object.__setattr__(self, "noise", check_scalar(self.noise, "noise", owner, low=0.0))
        check_choice(self.visibility, "visibility", owner, ("unit", "company"))

    @property
    def behaviors(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.ladder)

    @property
    def deterministic(self) -> bool:
        """Whether no decision needs a random draw."""
        return (
            self.noise == 0.0
            and self.rate == 1.0
            and self.lapse_rate in (0.0, 1.0)
            and self.churn in (0.0, 1.0)
            and self.return_share in (0.0, 1.0)
        )

    def certain(self, population) -> bool:
        """Whether no decision of these people needs a random draw: the rule is
        :attr:`deterministic` and everyone looks at the platform every week."""
        return self.deterministic and bool((population.attention == 1.0).all())

    def gain(self, trust) -> np.ndarray:
        """``g(trust)``: response to an endorsing manager, negative below ``reactance``."""
        return (np.asarray(trust, dtype=np.float64) - self.reactance) / (1.0 - self.reactance)

    def bind(self, org, population, culture, plan):
        """The weekly dynamics of this rule on ``org``, with its people and plan."""
        if org.network.complete:
            raise ValueError(
                "Organizational needs an org whose informal network has explicit ties; "
                "a complete (well-mixed) network has none."
            )
        return _OrganizationalDynamics(self, org, population, culture, plan)


def team_identity(weight, org, identification) -> np.ndarray:
    """Each person's weight of one team-mate holding a rung: ``weight * identification_i``
    over the number of their team-mates (float64 (n,); 0 for the top and for people
    without team-mates), or an empty array when ``weight`` is 0 (nobody identifies)."""
    if weight == 0.0:
        return np.zeros(0, dtype=np.float64)
    manager = org.manager
    mates = np.where(manager >= 0, org.span[np.maximum(manager, 0)] - 1, 0)
    return np.divide(weight * np.asarray(identification, dtype=np.float64), mates,
                     out=np.zeros(org.n), where=mates > 0)  # fmt: skip


class _OrganizationalDynamics:
    def __init__(self, rule, org, population, culture, plan):
        self.rule = rule
        self.org = org
        self.population = population
        self.plan = plan
        self.generative = culture.generative
        self.ownership = rule.ownership_weight * culture.open
        self.difficulty = np.array([b.difficulty for b in rule.ladder], dtype=np.float64)
        self.risk = np.array([b.risk for b in rule.ladder], dtype=np.float64)
        self.voice = np.array([b.voice for b in rule.ladder], dtype=np.float64)
        self.demand = reinforcement_demand(rule.ladder, org.network)
        self.endorsement = rule.manager_weight * rule.gain(population.trust)
        self.identity = team_identity(rule.identity_weight, org, population.identification)
        self.certain = rule.certain(population)
        self._manager = org.manager.astype(np.int32)  # half the bytes read each week
        self._week = None
        self._fixed_gap = None
        self._candidates = np.empty(org.n, dtype=np.bool_)
        self._lapse_cut = lapse_cut(rule.lapse_rate)
        self._fresh_week = None  # the plan week the bounds were last recomputed for
        self._endorsing = None  # who endorsed in the week last decided
        volunteers = population.volunteers
        self._volunteers = volunteers if volunteers.any() else None
        self._endorsing_of = (None, None)  # (plan week, who endorses in it)
        self.last_changes = None

    def endorsing_now(self, state):
        """Who endorses in the week last decided (week 0 before any)."""
        if self._endorsing is not None:
            return self._endorsing
        return self.endorsing(self.plan.week(0, state))

    def endorsing(self, week):
        """Who endorses in the plan's ``week``: the managers the rollout asks
        (``week.endorsing``) and, in any rollout, those with access who endorse unasked
        (``Population.volunteers``)."""
        if self._volunteers is None:
            return week.endorsing
        if self._endorsing_of[0] is not week:
            self._endorsing_of = (week, week.endorsing | (self._volunteers & week.access))
        return self._endorsing_of[1]

    def start(self, state):
        """Give week 0's access and compute what the first decisions read."""
        week = self.plan.week(0, state)
        state.grant_access(week.access, 0)
        self._refresh(state, week)

    def _refresh(self, state, week):
        """Everyone's bounds, exactly, for the plan's ``week``."""
        rule = self.rule
        bounds = ladder_bounds if self._big("bounds") else ladder_bounds_serial
        bounds(state.stage, state.tally, state.strength, rule.peer_weight, self.demand,
               self._fixed(week),
               self._manager, self.endorsing(week), self.endorsement, state.team, self.identity,
               rule.hysteresis, state.ceiling, state.watch)  # fmt: skip
        state.bounds_stale = False
        self._fresh_week = week

    def _big(self, kind):
        """Whether a pass of ``kind`` over everyone pays for a parallel region."""
        return parallel_pays(self.org.n, kind)

    def _fixed(self, week):
        """The parts of ``S - T`` fixed by the plan and the person, shape (B, n)."""
        if week is not self._week:
            rule, people = self.rule, self.population
            commitment = week.commitment * week.coverage**rule.commitment_coverage
            own = (
                rule.commitment_weight * commitment * people.trust
                + rule.training_effect * week.trained
                + rule.learning_effect * week.learning
            )
            safety = rule.safety if week.safety is None else week.safety
            exposure = people.risk_aversion * (1.0 - safety)
            reticence = 1.0 - people.voice
            # A new array per plan week: the bounds are recomputed from it.
            fixed = np.empty((self.difficulty.shape[0], own.shape[0]), dtype=np.float64)
            for b in range(self.difficulty.shape[0]):
                v = self.voice[b]
                fixed[b] = (
                    own
                    - ((1.0 - v) * people.threshold + v * reticence)
                    - self.difficulty[b]
                    - self.risk[b] * exposure
                )
            self._fixed_gap = fixed
            self._week = week
        return self._fixed_gap

    def step(self, state, rng, week):
        """Decide week ``week``: distinct ids that change and their +1/-1."""
        plan = self.plan.week(week, state)
        state.grant_access(plan.access, week)
        rule = self.rule
        if state.bounds_stale or not state.settled or plan is not self._fresh_week:
            self._refresh(state, plan)
        fixed = self._fixed(plan)
        # libm's exp, as the compiled run computes it (numpy's own differs in the last bit).
        content = content_share(self.generative, state.creator_weeks)
        seen = state.seen_share()
        shared = rule.visibility_weight * seen + rule.content_weight * content
        if self.ownership > 0.0 and seen.shape[0] > 1:
            shared = shared + self.ownership * seen[1]  # owners: the second rung's holders
        # One key a week from the run's generator; each person's draw is a
        # pure function of (key, person), computed inside the kernels.
        key = np.uint64(0) if self.certain else rng.integers(2**64, dtype=np.uint64)
        draws = not self.certain
        candidates = ladder_candidates if self._big("person") else ladder_candidates_serial
        candidates(plan.access, state.stage, state.ceiling, state.watch, shared_steps(shared),
                   rule.rate, rule.noise, rule.churn, key, draws, self._lapse_cut,
                   self._candidates)  # fmt: skip
        ids = np.flatnonzero(self._candidates)
        out = np.empty(ids.shape[0], dtype=np.int8)
        decide = ladder_decide if parallel_pays(ids.shape[0], "decision") else ladder_decide_serial
        decide(
            ids,
            state.stage,
            state.tally,
            state.strength,
            rule.peer_weight,
            self.demand,
            fixed,
            self._manager,
            self.endorsing(plan),
            self.endorsement,
            state.team,
            self.identity,
            state.unit,
            shared,
            rule.rate,
            rule.noise,
            rule.lapse_rate,
            rule.churn,
            rule.hysteresis,
            key,
            draws,
            out,
            state.ceiling,
            state.watch,
            state.peak,
            rule.rate * rule.return_share,
            self.population.attention,
        )
        moved = out != 0
        changed, change = ids[moved], out[moved]
        self._endorsing = self.endorsing(plan)
        self.last_changes = changed.shape[0]
        return changed, change

    def settle(self, state, changed, change):
        """Once the week's changes are applied: loosen the bounds of endorsing managers'
        reports and of the team-mates of everyone who changed."""
        if changed.shape[0]:
            org = self.org
            big = parallel_pays(changed.shape[0], "manager")
            loosen = ladder_loosen if big else ladder_loosen_serial
            loosen(changed, change, state.stage, org.reports_indptr, org.reports, self._endorsing,
                   self.endorsement, state.ceiling, state.watch)  # fmt: skip
            if self.identity.shape[0]:  # a kernel call costs microseconds a week: none to do
                ladder_loosen_team(changed, change, state.stage, self._manager,
                                   org.reports_indptr, org.reports, self.identity, state.ceiling,
                                   state.watch)  # fmt: skip
        state.settled = True

    def is_stationary(self, state):
        """Whether no later week can change anything (deterministic runs only)."""
        content = content_share(self.generative, state.creator_weeks)
        content_grows = (
            self.rule.content_weight > 0.0
            and self.generative > 0.0
            and state.holders[-1] > 0
            and content < 1.0
        )
        return self.certain and self.plan.static and self.last_changes == 0 and not content_grows
