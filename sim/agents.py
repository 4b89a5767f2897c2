"""Mesa agents that are live, read-only views onto the model's arrays, built on demand."""

from __future__ import annotations

import mesa


class Employee(mesa.Agent):
    """One person of the organization, as a Mesa agent.

    An Employee holds no state of its own: every attribute reads the model's
    arrays, so it is always current and costs nothing to keep in sync. The
    weekly update happens in :meth:`sim.model.OrgModel.step` over arrays;
    agents exist so that Mesa's tools (``model.agents``, ``DataCollector``
    agent reporters, visualisation) can look at people one by one.

    Parameters
    ----------
    model : OrgModel
        The model this person belongs to.
    index : int
        Position of the person in the model's arrays (node id in the network);
        also the agent's ``unique_id``.
    """

    def __init__(self, model, index):
        super().__init__(model)
        self.index = int(index)
        # Mesa numbers agents from 1; use the node id, so that AgentID in a
        # DataCollector's frames joins with the network and the model's arrays.
        self.unique_id = self.index

    @property
    def adopted(self) -> bool:
        """Whether this person has adopted (holds the first behavior) now."""
        return self.model._stage_of(self.index) > 0

    @property
    def adopted_at(self) -> int | None:
        """Week in which this person adopted (0 = initial adopter), or None."""
        week = int(self.model.adopted_at[self.index])
        return None if week < 0 else week

    @property
    def stage(self) -> int:
        """How many behaviors of the ladder this person holds now."""
        return self.model._stage_of(self.index)

    @property
    def behaviors(self) -> tuple[str, ...]:
        """Names of the behaviors this person holds now, in ladder order."""
        return self.model.rule.behaviors[: self.stage]

    @property
    def unit(self) -> str | None:
        """Name of the person's unit (None on a bare network)."""
        org = self.model.org
        return None if org is None else org.unit_names[org.unit[self.index]]

    @property
    def level(self) -> int | None:
        """Level below the top (0 = top; None on a bare network)."""
        org = self.model.org
        return None if org is None else int(org.level[self.index])

    @property
    def label(self):
        """The person's original id (from the data), or their index if none."""
        labels = self.model.network.labels
        return self.index if labels is None else labels[self.index]

    @property
    def degree(self) -> int:
        """Number of informal ties."""
        return int(self.model.network.degrees[self.index])

    def neighbors(self) -> list[Employee]:
        """The Employees this person is tied to."""
        people = self.model.people
        return [people[j] for j in self.model.network.neighbors(self.index)]

    def step(self):
        """Nothing: the model updates everyone at once over arrays."""

    def __repr__(self):
        return f"<Employee {self.label!r} adopted={self.adopted}>"


class LazyAgents:
    """Mixin for a ``mesa.Model``: one :class:`Employee` per person, built on first use.

    Building agents costs about 10 µs each, far more than a week of the run,
    so a model that never looks at them never builds them. The model must
    have a ``network`` (its ``n`` is the number of people).
    """

    _people = None

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All people as :class:`Employee` agents (built on first access)."""
        self._build_agents()
        return super().agents

    @property
    def agents_by_type(self):
        self._build_agents()
        return super().agents_by_type

    @property
    def people(self) -> list[Employee]:
        """Employees in node order: ``model.people[i]`` is node ``i``."""
        self._build_agents()
        return self._people

    def _build_agents(self):
        if self._people is None:
            self._people = [Employee(self, i) for i in range(self.network.n)]
