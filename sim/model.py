"""The Mesa model: arrays in, kernels weekly, a tidy adoption table out."""

from __future__ import annotations

import numbers

import mesa
import numpy as np
import pandas as pd

from sim._inputs import choose_initial_adopters, stdlib_seed
from sim._validation import check_scalar
from sim.agents import LazyAgents
from sim.ladder import LadderState
from sim.networks import Network
from sim.org import Org
from sim.population import Culture, Population
from sim.rollout.plan import RolloutPlan, endorsers
from sim.rules import Rule
from sim.state import AdoptionState
from sim.tables import adoption_by_group, adoption_table


class OrgModel(LazyAgents, mesa.Model):
    """Adoption of behaviors in an organization or on a network, one step per week.

    The state lives in numpy arrays and each :meth:`step` runs the rule's
    kernels over them; nothing loops over people in Python. Mesa agents
    (:class:`~sim.agents.Employee`) are read-only views onto those arrays,
    built on first access to ``model.agents`` (about 10 µs each: for 100,000
    people that is 1.1 s, nine times a 52-week run that never looks at them).

    Parameters
    ----------
    org : Org, optional
        The organization (:mod:`sim.org`): hierarchy, units and informal
        network. Needed by :class:`~sim.rules.Organizational`; give ``org`` or
        ``network``.
    network : Network, optional
        Who is tied to whom (:mod:`sim.networks`), for the classic rules.
    rule : Rule
        How people adopt (:mod:`sim.rules`).
    culture : Culture, optional
        The culture dials (:class:`~sim.population.Culture`) the people's
        traits are drawn from; ``Culture()`` by default. Organizational rule only.
    population : Population, optional
        Everyone's traits, instead of drawing them from ``culture``.
    plan : RolloutPlan, optional
        Access, training, endorsement and commitment week by week; by default
        everyone has access from week 0 (:class:`~sim.rollout.RolloutPlan`).
    initial_adopters : sequence of int or float, default ()
        Ids (0..n-1) of the people who have adopted at week 0, or a share in
        [0, 1) of people chosen at random with the run's generator.
    initial_rungs : int, optional
        How many behaviors of a ladder the initial adopters hold (>= 1; the
        rollout's ``first_rungs``); every behavior by default.
    seed : int, optional
        Seed of the run's ``numpy.random.Generator`` (``model.rng``), the one
        source of randomness of the run. An ordinary keyword, so that
        ``mesa.batch_run`` can sweep it.
    rng : numpy.random.Generator, optional
        Use this generator instead of seeding one (give ``seed`` or ``rng``).

    Attributes
    ----------
    adoption : pandas.DataFrame
        One row per week and behavior, week 0 being the initial state.
    datacollector : mesa.DataCollector
        ``adopters`` and ``fraction`` of every week so far (for ``batch_run``);
        filled from the model's own records when read, so do not call its
        ``collect``. A subclass may assign its own DataCollector instead (the
        Mesa idiom) and then collects into it itself.
    running : bool
        Mesa's flag: turns False one week after nothing can change any more,
        so that ``batch_run`` stops with the final state as its last row.
    """

    def __init__(
        self,
        *,
        rule,
        org=None,
        network=None,
        culture=None,
        population=None,
        plan=None,
        initial_adopters=(),
        initial_rungs=None,
        seed=None,
        rng=None,
    ):
        if seed is not None:
            if isinstance(seed, bool | np.bool_) or not isinstance(seed, numbers.Integral):
                raise TypeError(
                    f"The 'seed' parameter of OrgModel must be a non-negative int. Got {seed!r}."
                )
            if seed < 0:
                raise ValueError(
                    f"The 'seed' parameter of OrgModel must be a non-negative int. Got {seed!r}."
                )
            seed = int(seed)  # numpy ints (e.g. from np.arange in batch_run) -> int
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(
                "The 'rng' parameter of OrgModel must be a numpy.random.Generator. "
                f"Got {type(rng).__name__}."
            )
        if seed is not None and rng is not None:
            raise ValueError("OrgModel takes either 'seed' or 'rng', not both.")
        # Mesa would draw from a given generator to seed its stdlib Random. Seed
        # Mesa from the generator's seed sequence instead (without drawing), then
        # take the generator over untouched: rng=default_rng(s) and seed=s give
        # the same run, Mesa's own shuffles included.
        super().__init__(seed=seed if rng is None else stdlib_seed(rng))
        if rng is not None:
            self.rng = rng
            self._rng = rng.bit_generator.state
        self.org, self.network = self._check_org_and_network(org, network)
        if not isinstance(rule, Rule):
            raise TypeError(
                "The 'rule' parameter of OrgModel must be a rule from sim.rules, e.g. "
                f"rules.Threshold(theta=0.2). Got {type(rule).__name__}."
            )
        self.rule = rule
        self._ladder = rule.needs_org
        self._custom_collector = None
        self._collector = mesa.DataCollector(
            model_reporters={"adopters": "adopters", "fraction": "fraction"}
        )
        if initial_rungs is not None:
            initial_rungs = check_scalar(initial_rungs, "initial_rungs", "OrgModel", kind=int,
                                         low=1)  # fmt: skip
        if self._ladder:
            self._start_ladder(culture, population, plan, initial_adopters, initial_rungs)
        else:
            self._start_classic(culture, population, plan, initial_adopters)

    @staticmethod
    def _check_org_and_network(org, network):
        if org is not None:
            if not isinstance(org, Org):
                raise TypeError(
                    "The 'org' parameter of OrgModel must be a sim.org.Org (from "
                    f"sim.org.generate or sim.org.from_csv). Got {type(org).__name__}."
                )
            if network is not None and network is not org.network:
                raise ValueError(
                    "OrgModel takes either 'org' (which brings its informal network) "
                    "or 'network', not both."
                )
            return org, org.network
        if network is None:
            raise TypeError("OrgModel needs an 'org' or a 'network' to run on.")
        if not isinstance(network, Network):
            raise TypeError(
                "The 'network' parameter of OrgModel must be a sim.networks.Network "
                f"(use networks.from_networkx for a networkx graph). Got {type(network).__name__}."
            )
        return None, network

    def _start_classic(self, culture, population, plan, initial_adopters):
        given = [k for k, v in (("culture", culture), ("population", population), ("plan", plan))
                 if v is not None]  # fmt: skip
        if given:
            raise ValueError(
                f"OrgModel: {', '.join(map(repr, given))} only apply to the Organizational "
                f"rule; {type(self.rule).__name__} does not use them."
            )
        network = self.network
        self._dynamics = self.rule.bind(network)
        self._state = AdoptionState(
            network, self._initial_adopters(initial_adopters), level=self._dynamics.level
        )
        self._weeks = [0]
        self._adopters = [self._state.adopters]
        self._new = [self._state.adopters]
        self._stationary = self._dynamics.is_stationary(self._state)

    def _stage_of(self, i):
        """Behaviors person ``i`` holds now (cheap: for agents)."""
        if self._ladder:
            return int(self._state.stage[i])
        return int(self._state.adopted[i])

    def _start_ladder(self, culture, population, plan, initial_adopters, initial_rungs=None):
        org = self.org
        if org is None:
            raise TypeError(
                f"The {type(self.rule).__name__} rule needs an org (hierarchy, units, "
                "informal ties): pass org=sim.org.generate(...) or sim.org.from_csv(...)."
            )
        culture = Culture() if culture is None else culture
        if not isinstance(culture, Culture):
            raise TypeError(
                "The 'culture' parameter of OrgModel must be a sim.population.Culture. "
                f"Got {type(culture).__name__}."
            )
        for name, value, kind in (
            ("population", population, Population),
            ("plan", plan, RolloutPlan),
        ):
            if value is not None and not isinstance(value, kind):
                raise TypeError(
                    f"The {name!r} parameter of OrgModel must be a {kind.__module__}."
                    f"{kind.__name__}. Got {type(value).__name__} instead."
                )
        if population is None:
            population = Population.draw(org, culture, self.rng)
        elif population.n != org.n:
            raise ValueError(
                f"The 'population' parameter of OrgModel must be a Population of the "
                f"org's {org.n} people."
            )
        if plan is None:
            plan = RolloutPlan(org.n)
        elif plan.n != org.n:
            raise ValueError(
                f"The 'plan' parameter of OrgModel must be a RolloutPlan for the org's "
                f"{org.n} people."
            )
        self.culture = culture
        self.population = population
        self.plan = plan
        self._dynamics = self.rule.bind(org, population, culture, plan)
        self._state = LadderState(
            org,
            population.influence,
            len(self.rule.ladder),
            self._initial_adopters(initial_adopters, among=plan.week(0).access),
            by_unit=self.rule.visibility == "unit",
            peer_weight=self.rule.peer_weight,
            demand=self._dynamics.demand,
            initial_rungs=initial_rungs,
            teams=self._dynamics.identity.shape[0] > 0,
        )
        self._dynamics.start(self._state)
        self._stationary = False

    def _initial_adopters(self, initial, among=None):
        return choose_initial_adopters(initial, self.network.n, self.rng, among)

    # -- the weekly update ------------------------------------------------------------

    def step(self):
        """Advance one week: the rule decides for everyone at once."""
        if self._ladder:
            self._step_ladder()
            return
        self._weeks.append(self.steps)
        self._adopters.append(self._state.adopters)
        if self._stationary:
            # Nothing can change any more: a week costs only its record. Tell
            # batch_run to stop only now, since it reports up to the previous
            # week: this way its last row is the final state.
            self._new.append(0)
            self.running = False
            return
        new = self._dynamics.step(self._state, self.rng)
        self._state.apply(new, self.steps)
        self._adopters[-1] = self._state.adopters
        self._new.append(int(new.shape[0]))
        if self._dynamics.is_stationary(self._state):
            # run() goes on, recording the same numbers; batch_run stops next week.
            self._stationary = True

    def _step_ladder(self):
        empty = np.zeros(0, dtype=np.int64)
        if self._stationary:
            self._state.apply(empty, empty.astype(np.int8), self.steps)
            self.running = False
            return
        changed, change = self._dynamics.step(self._state, self.rng, self.steps)
        self._state.apply(changed, change, self.steps)
        self._dynamics.settle(self._state, changed, change)
        if self._dynamics.is_stationary(self._state):
            self._stationary = True

    def run(self, steps):
        """Advance ``steps`` weeks (even once nothing changes) and return the model."""
        if isinstance(steps, bool | np.bool_) or not isinstance(steps, numbers.Integral):
            raise TypeError(f"run: steps must be an int >= 0. Got {steps!r} instead.")
        if steps < 0:
            raise ValueError(f"run: steps must be an int >= 0. Got {steps!r} instead.")
        for _ in range(int(steps)):
            self.step()
        return self

    # -- what users read ----------------------------------------------------------------

    @property
    def adopted(self) -> np.ndarray:
        """Who has adopted (the first behavior) now: read-only bool array of shape (n,)."""
        adopted = self._state.stage > 0 if self._ladder else self._state.adopted.view()
        adopted.flags.writeable = False
        return adopted

    @property
    def adopted_at(self) -> np.ndarray:
        """Week each person first adopted (0 = initial), -1 if not: read-only int32 array."""
        view = self._state.adopted_at.view()
        view.flags.writeable = False
        return view

    @property
    def access_since(self) -> np.ndarray:
        """Week from which each person has had access, -1 if never (read-only int32; the
        organizational rule, else everyone from week 0)."""
        if not self._ladder:
            return np.zeros(self.network.n, dtype=np.int32)
        view = self._state.access_since.view()
        view.flags.writeable = False
        return view

    @property
    def stage(self) -> np.ndarray:
        """How many behaviors of the ladder each person holds now (read-only int8)."""
        stage = self._state.stage.view() if self._ladder else self._state.adopted.astype(np.int8)
        stage.flags.writeable = False
        return stage

    @property
    def endorsers(self) -> int:
        """Managers who endorse a rung they hold now (the organizational rule; else 0)."""
        if not self._ladder:
            return 0
        return endorsers(self.org, self._dynamics.endorsing_now(self._state), self._state.stage)

    @property
    def adopters(self) -> int:
        """Number of people who hold the first behavior now."""
        return int(self._state.holders[0]) if self._ladder else self._state.adopters

    @property
    def fraction(self) -> float:
        """Share of people who hold the first behavior now."""
        return self.adopters / self.network.n

    @property
    def adoption(self) -> pd.DataFrame:
        """The adoption curves: one row per week (0 = initial state) and behavior.

        Columns: ``step`` (week), ``behavior``, ``adopters`` (people who hold
        it), ``new_adopters`` (who took it up that week), ``fraction``
        (adopters / people), ``lapses`` (who dropped it that week),
        ``with_access`` (people who could use the platform).
        """
        if self._ladder:
            state = self._state
            weeks, holders = state.weeks, state.holders_by_week
            new, lapses, access = state.new_by_week, state.lapses_by_week, state.access_by_week
        else:
            weeks, holders, new = self._weeks, self._adopters, self._new
            lapses = np.zeros(len(weeks), dtype=np.int64)
            access = np.full(len(weeks), self.network.n)
        return adoption_table(
            weeks, self.rule.behaviors, holders, new, lapses, access, self.network.n
        )

    def adoption_by(self, by) -> pd.DataFrame:
        """The adoption curves broken down by ``"unit"`` or ``"level"``.

        One row per week, behavior and group, with the group's ``people``,
        ``with_access``, ``adopters``, ``new_adopters``, ``lapses`` and
        ``fraction`` (adopters / people of the group). Units appear by name,
        levels as numbers (0 = top). Needs an org.
        """
        if by not in ("unit", "level"):
            raise ValueError(f"adoption_by: 'by' must be 'unit' or 'level'. Got {by!r} instead.")
        if self.org is None:
            raise ValueError(
                "adoption_by needs an org (units and levels); this model runs on a bare network."
            )
        org = self.org
        if by == "unit":
            group, names = org.unit, org.unit_names
        else:
            group, names = org.level, np.arange(org.n_levels)
        if self._ladder:
            events = self._state.events()
            access_since = self._state.access_since
        else:
            at = self._state.adopted_at
            ids = np.flatnonzero(at >= 0)
            zeros = np.zeros(ids.shape[0], dtype=np.int64)
            events = (ids, zeros, zeros + 1, at[ids].astype(np.int64))
            access_since = np.zeros(org.n, dtype=np.int64)
        return adoption_by_group(
            events, access_since, group, names, by, self.rule.behaviors, self.steps + 1
        )

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's view of the adoption curve (see the class docstring)."""
        if self._custom_collector is not None:
            return self._custom_collector
        # Filled here rather than by collect() each week: the records exist
        # already, and a week of a converged run costs about as much as collect().
        collected = self._collector.model_vars["adopters"]
        known = len(collected)
        if self._ladder:
            adopters = [int(h[0]) for h in self._state.holders_by_week[known:]]
        else:
            adopters = self._adopters[known:]
        collected.extend(adopters)
        n = self.network.n
        self._collector.model_vars["fraction"].extend(a / n for a in adopters)
        return self._collector

    @datacollector.setter
    def datacollector(self, collector):
        # The Mesa idiom: a subclass sets its own collector and calls collect().
        self._custom_collector = collector

    def __repr__(self):
        return (
            f"<OrgModel week {self.steps}: {self.adopters}/{self.network.n} adopted, "
            f"{type(self.rule).__name__} on {self.network!r}>"
        )
