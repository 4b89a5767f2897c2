"""Who has adopted, and the bookkeeping that keeps a week's work small."""

from __future__ import annotations

import numpy as np

from sim.kernels import (
    IN_CACHE_PEOPLE,
    PARALLEL_MIN_TIES,
    PUSH_COST_PER_TIE,
    add_to_counts,
    apply_adoptions,
    apply_adoptions_to_level,
    count_adopted_neighbours,
    count_adopted_neighbours_serial,
    tie_count,
)

_EMPTY = np.zeros(0, dtype=np.int64)


class AdoptionState:
    """The adoption state of one run, owned by the model and updated weekly.

    Besides who has adopted, it keeps how many adopted neighbours each
    non-adopter has, and who among them saw that number change in the latest
    week. Both come from pushing each week's new adopters along their ties,
    which visits every tie at most once over a whole run; in the few weeks at
    the height of a cascade where that would cost more than recounting every
    non-adopter in parallel, it recounts instead.

    Parameters
    ----------
    network : Network
        The network the run is on.
    initial_adopters : int64 ndarray
        Sorted, distinct ids of the people who have adopted at week 0.
    level : int32 ndarray of shape (n,), optional
        For threshold rules on counts: the count at which each person adopts.
        The state then reports who reached it (:meth:`reached`) instead of who
        had their neighbourhood changed.

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
        # None: everyone undecided may have a changed neighbourhood.
        self._touched = None
        self.level = level
        self._reached = None
        self._counts = np.zeros(n if sparse else 0, dtype=np.int32)
        self._counts_valid = False
        self._stamp = np.zeros(n if sparse else 0, dtype=np.int32)
        self._undecided_ties = 0
        self._push_cost = PUSH_COST_PER_TIE[n <= IN_CACHE_PEOPLE]
        if sparse:
            seeded_ties = tie_count(network.indptr, initial_adopters)
            self._undecided_ties = int(network.indptr[-1]) - seeded_ties
            if seeded_ties * self._push_cost <= self._undecided_ties:
                # Few initial adopters: counting from them beats a full recount.
                add_to_counts(network.indptr, network.indices, initial_adopters, self._counts)
                self._counts_valid = True

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

        Exact for every non-adopter; entries of adopters are not kept up to date.
        """
        if not self._counts_valid:
            net = self.network
            nodes = self.undecided()
            count = (
                count_adopted_neighbours
                if self._undecided_ties >= PARALLEL_MIN_TIES
                else count_adopted_neighbours_serial
            )
            count(net.indptr, net.indices, self.adopted, nodes, self._counts)
            self._counts_valid = True
        return self._counts

    def changed_neighbourhoods(self) -> np.ndarray:
        """Non-adopters whose neighbourhood changed in the latest week (int64).

        For a deterministic rule these are the only people whose decision can
        differ from last week's. Everyone undecided before the first week, and
        after a week in which the state recounted rather than pushed. Sorted.
        """
        if self.network.complete:
            changed = self.frontier is None or self.frontier.shape[0] > 0
            return self.undecided() if changed else _EMPTY
        return self.undecided() if self._touched is None else self._touched

    def reached(self):
        """Non-adopters whose count reached their ``level`` in the latest week.

        None when unknown (before the first week, after a recount week): then
        compare :attr:`counts` with the level for everyone undecided.
        """
        return self._reached

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
            # Pushing keeps valid counts valid and finds who was touched either
            # way; levels are only reached from valid counts.
            can_push = self._counts_valid or self.level is None
            if can_push and pushed * self._push_cost <= self._undecided_ties:
                arrays = (
                    net.indptr,
                    net.indices,
                    new_adopters,
                    week,
                    self.adopted,
                    self.adopted_at,
                    self._counts,
                )
                if self.level is None:
                    self._touched = apply_adoptions(*arrays, self._stamp)
                else:
                    self._reached = apply_adoptions_to_level(*arrays, self.level, self._stamp)
                return
            self._counts_valid = False
            self._touched = self._reached = None
        self.adopted[new_adopters] = True
        self.adopted_at[new_adopters] = week
