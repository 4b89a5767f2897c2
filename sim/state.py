"""Who has adopted, and the bookkeeping that keeps a week's work small."""

from __future__ import annotations

import numpy as np

from sim.kernels import (
    ADOPTED,
    IN_CACHE_PEOPLE,
    PUSH_COST_PER_TIE,
    apply_adoptions,
    apply_adoptions_to_level,
    at_level,
    count_adopted_neighbours,
    count_adopted_neighbours_serial,
    parallel_pays,
    tie_count,
)

_EMPTY = np.zeros(0, dtype=np.int64)


class AdoptionState:
    """The adoption state of one run, owned by the model and updated weekly.

    Besides who has adopted, it keeps a tally per non-adopter: the number of
    their adopted neighbours (``counts``) or, for threshold rules on counts,
    how many more they need (``remaining``, with a ``level``). The tally comes
    from pushing each week's new adopters along their ties, which visits every
    tie at most once over a whole run and tells who must decide again. In the
    weeks at the height of a cascade where pushing would cost more than a
    recount of every non-adopter in parallel, the state recounts instead.

    Parameters
    ----------
    network : Network
        The network the run is on.
    initial_adopters : int64 ndarray
        Sorted, distinct ids of the people who have adopted at week 0.
    level : int32 ndarray of shape (n,), optional
        For threshold rules on counts: the number of adopted neighbours at
        which each person adopts (``kernels.threshold_levels``). The state
        then reports who reaches it (:meth:`reached`).

    Attributes
    ----------
    adopted : bool ndarray of shape (n,)
        Who has adopted now.
    adopted_at : int32 ndarray of shape (n,)
        Week in which each person adopted; -1 for non-adopters.
    frontier : int64 ndarray or None
        Who adopted in the latest week. None before the first week.
    adopters : int
        Number of adopters now.
    scratch : bool ndarray of shape (n,)
        Workspace for kernels that mark nodes; all False between calls.
    """

    def __init__(self, network, initial_adopters, level=None):
        n = network.n
        sparse = not network.complete
        self.network = network
        self.level = level
        self.adopted = np.zeros(n, dtype=np.bool_)
        self.adopted_at = np.full(n, -1, dtype=np.int32)
        self.adopted[initial_adopters] = True
        self.adopted_at[initial_adopters] = 0
        self.adopters = int(initial_adopters.shape[0])
        self.frontier = None
        self.scratch = np.zeros(n, dtype=np.bool_)
        self._seeds = initial_adopters
        self._undecided = np.flatnonzero(~self.adopted)
        self._stale = False
        # None: unknown, so everyone undecided may have to decide again.
        self._touched = None
        self._reached = None
        # The tally: adopted-neighbour counts, or with a level what remains to it.
        size = n if sparse else 0
        self._tally = np.zeros(size, dtype=np.int32) if level is None else level.copy()
        self._exact = False  # whether the tally is exact for every non-adopter
        self._stamp = np.full(size, -1, dtype=np.int32)
        self._push_cost = PUSH_COST_PER_TIE[n <= IN_CACHE_PEOPLE]
        self._undecided_ties = 0
        if sparse:
            seeded_ties = tie_count(network.indptr, initial_adopters)
            self._undecided_ties = int(network.indptr[-1]) - seeded_ties
            if seeded_ties * self._push_cost <= self._undecided_ties:
                # Few initial adopters: pushing them as week 0's adopters beats a
                # full recount (who they touch is not needed: week 1 decides for all).
                push = apply_adoptions if level is None else apply_adoptions_to_level
                push(*self._push_arrays(initial_adopters, 0))
                self._exact = True
            elif level is not None:
                self._tally[initial_adopters] = ADOPTED

    @property
    def last_adopters(self) -> np.ndarray:
        """Who adopted in the latest week (the initial adopters before week 1)."""
        return self._seeds if self.frontier is None else self.frontier

    def undecided(self) -> np.ndarray:
        """Ids of everyone who has not adopted, sorted (int64)."""
        if self._stale:
            self._undecided = self._undecided[~self.adopted[self._undecided]]
            self._stale = False
        return self._undecided

    @property
    def counts(self) -> np.ndarray:
        """Adopted neighbours of each person (int32, shape (n,); sparse networks).

        Exact for every non-adopter; entries of adopters are not kept up to
        date. Not kept for states with a ``level`` (see :meth:`reached`).
        """
        if self.level is not None:
            raise AttributeError("this state keeps what remains to each level, not counts")
        if not self._exact:
            self._recount()
        return self._tally

    def reached(self) -> np.ndarray:
        """Non-adopters whose adopted neighbours have reached their level (int64).

        For a state with a ``level``: exactly the people who adopt this week
        under a threshold rule.
        """
        if self._reached is None:
            if not self._exact:
                self._recount()
            self._reached = at_level(self._tally, self.undecided())
        return self._reached

    def _recount(self):
        """Make the tally exact for every non-adopter by counting their ties."""
        net = self.network
        nodes = self.undecided()
        big = parallel_pays(self._undecided_ties, "tie")
        count = count_adopted_neighbours if big else count_adopted_neighbours_serial
        count(net.indptr, net.indices, self.adopted, nodes, self._tally)
        if self.level is not None:
            self._tally[nodes] = self.level[nodes] - self._tally[nodes]
        self._exact = True

    def changed_neighbourhoods(self) -> np.ndarray:
        """Non-adopters whose neighbourhood changed in the latest week (int64).

        For a deterministic rule these are the only people whose decision can
        differ from last week's. Everyone undecided before the first week, and
        after a week in which the state recounted rather than pushed.
        """
        if self.network.complete:
            changed = self.frontier is None or self.frontier.shape[0] > 0
            return self.undecided() if changed else _EMPTY
        return self.undecided() if self._touched is None else self._touched

    def apply(self, new_adopters, week):
        """Record that ``new_adopters`` (distinct int64 ids) adopted in ``week`` (>= 1)."""
        self.frontier = new_adopters
        if new_adopters.shape[0] == 0:
            self._touched = self._reached = _EMPTY
            return
        self.adopters += int(new_adopters.shape[0])
        self._stale = True
        net = self.network
        if not net.complete:
            pushed = tie_count(net.indptr, new_adopters)
            self._undecided_ties -= pushed
            # A push keeps an exact tally exact, and finds who was touched either
            # way; a level is only reached from an exact tally.
            can_push = self._exact or self.level is None
            if can_push and pushed * self._push_cost <= self._undecided_ties:
                arrays = self._push_arrays(new_adopters, week)
                if self.level is None:
                    self._touched = apply_adoptions(*arrays)
                else:
                    self._reached = apply_adoptions_to_level(*arrays)
                return
            self._exact = False
            self._touched = self._reached = None
            if self.level is not None:
                self._tally[new_adopters] = ADOPTED
        self.adopted[new_adopters] = True
        self.adopted_at[new_adopters] = week

    def _push_arrays(self, new_adopters, week):
        net = self.network
        return (
            net.indptr,
            net.indices,
            new_adopters,
            week,
            self.adopted,
            self.adopted_at,
            self._tally,
            self._stamp,
        )
