"""Who has adopted, and the bookkeeping that keeps a week's work small."""

from __future__ import annotations

import numpy as np

from sim.kernels import tie_count, undecided_neighbours


class AdoptionState:
    """The adoption state of one run, owned by the model and updated weekly.

    Parameters
    ----------
    network : Network
        The network the run is on.
    initial_adopters : int64 ndarray
        Sorted, distinct ids of the people who have adopted at week 0.

    Attributes
    ----------
    adopted : bool ndarray of shape (n,)
        Who has adopted now.
    adopted_at : int32 ndarray of shape (n,)
        Week in which each person adopted; -1 for non-adopters.
    frontier : int64 ndarray or None
        Who adopted in the latest week. None before the first week: then
        everyone's neighbourhood counts as changed.
    adopters : int
        Number of adopters now.
    scratch : bool ndarray of shape (n,)
        Workspace for kernels that mark nodes; all False between calls.
    """

    def __init__(self, network, initial_adopters):
        n = network.n
        self.network = network
        self.adopted = np.zeros(n, dtype=np.bool_)
        self.adopted_at = np.full(n, -1, dtype=np.int32)
        self.adopted[initial_adopters] = True
        self.adopted_at[initial_adopters] = 0
        self.adopters = int(initial_adopters.shape[0])
        self.frontier = None
        self._seeds = initial_adopters
        self._undecided = np.flatnonzero(~self.adopted)
        self._stale = False
        self.scratch = np.zeros(n, dtype=np.bool_)
        if network.complete:
            self._undecided_ties = 0
        else:
            self._undecided_ties = int(network.indptr[-1]) - tie_count(
                network.indptr, initial_adopters
            )

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

    def changed_neighbourhoods(self) -> np.ndarray:
        """Non-adopters with a tie to someone who adopted in the latest week, sorted.

        Before the first week everyone is returned. For a deterministic rule
        these are the only people whose decision can differ from last week's.
        Two ways give the same set: pushing from the new adopters along their
        ties, or scanning every non-adopter; the cheaper one, by number of ties
        visited, is taken.
        """
        if self.frontier is None:
            return self.undecided()
        if self.frontier.shape[0] == 0:
            return self.frontier
        net = self.network
        if net.complete:
            return self.undecided()
        pushed_ties = tie_count(net.indptr, self.frontier)
        # Pushing visits the frontier's ties, then the ties of each candidate
        # found (about mean_degree each) at scattered addresses; the scan
        # visits every undecided tie once, in order.
        if pushed_ties * (1.0 + net.mean_degree) < self._undecided_ties:
            return undecided_neighbours(
                net.indptr, net.indices, self.adopted, self.frontier, self.scratch
            )
        return self.undecided()

    def apply(self, new_adopters, week):
        """Record that ``new_adopters`` (sorted int64 ids) adopted in ``week``."""
        self.adopted[new_adopters] = True
        self.adopted_at[new_adopters] = week
        self.adopters += int(new_adopters.shape[0])
        self.frontier = new_adopters
        if new_adopters.shape[0]:
            self._stale = True
            if not self.network.complete:
                self._undecided_ties -= tie_count(self.network.indptr, new_adopters)
