"""The state of a run of the organizational rule: who holds which behaviors.

Besides each person's ``stage`` (how many behaviors of the ladder they hold),
the state keeps what the weekly decision reads, updated from each week's
changes only: the influence-weighted tally of each person's ties to holders of
each behavior, holders per unit, who has access. It also keeps the weekly
record and the log of changes that breakdowns by unit or level are built from.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads

from sim.kernels import (
    influence_strength,
    influence_strength_serial,
    ladder_pull,
    ladder_pull_serial,
    ladder_push,
    ladder_push_serial,
    ladder_restage,
    ladder_tally,
    ladder_tally_serial,
    parallel_pays,
    team_holders,
)

# Cost of pushing one changed person's tie, in reads of one stored tie by
# ladder_pull (which also makes the rule recompute everyone's bounds): on a
# generated 1e6-person org on 2 cores, 11-20 ns a pushed tie end (ceilings
# included) against 1.4-1.7 ns a tie read. The choice never changes results.
_PUSH_COST = 8

__all__ = ["LadderState"]


class LadderState:
    """Who holds which behaviors in one run, and what the week's decision reads.

    Parameters
    ----------
    org : Org
        The organization; its informal network carries the peer signal.
    influence : float64 ndarray of shape (n,)
        Weight of each person's example in their colleagues' peer share.
    n_behaviors : int
        Rungs of the ladder (B), at most 127.
    initial_adopters : int64 ndarray
        Distinct ids of the people who hold the first ``initial_rungs``
        behaviors at week 0.
    by_unit : bool
        Keep holders per unit (visibility within one's unit) rather than for
        the whole company.
    peer_weight : float
        Weight of the peer share in a gap: how far a push may raise a
        ``ceiling`` (see :mod:`sim.kernels.ladder_bounds`).
    demand : float64 ndarray of shape (B,), optional
        Each behavior's reinforcement demand in tally units (none by default),
        for the same bound.
    initial_rungs : int, optional
        Rungs the initial adopters hold (1..B); every rung by default.
    teams : bool, default False
        Keep ``team``, the holders of each rung among each manager's reports (what
        collective identity reads); off, ``team`` has no columns.

    Attributes
    ----------
    stage : int8 ndarray of shape (n,)
        Number of behaviors each person holds (0..B).
    tally : float64 ndarray of shape (B, n)
        ``tally[b, i]``: influence-weighted ties of ``i`` to holders of ``b``.
    strength : float64 ndarray of shape (n,)
        Influence-weighted strength; ``tally / strength`` is the peer share.
    holders : int64 ndarray of shape (B,)
        Number of people holding each behavior now.
    team : int32 ndarray of shape (B, n), or (B, 0) without ``teams``
        ``team[b, m]``: reports of ``m`` holding ``b``.
    adopted_at : int32 ndarray of shape (n,)
        Week in which each person first took up the first behavior; -1 if never.
    peak : int8 ndarray of shape (n,)
        The most behaviors each person has held so far (a rung below it is one
        they dropped and may take up again).
    access_since : int32 ndarray of shape (n,)
        Week from which each person has had access; -1 if never.
    ceiling : float32 ndarray of shape (n,)
        At least the gap of each person's next behavior, without its shared
        part (see :mod:`sim.kernels.ladder_bounds`).
    watch : uint8 ndarray of shape (n,)
        1 unless a person certainly keeps their top behavior this week.
        Ceilings and watches spare most people the exact decision.
        :meth:`apply` and the rule's ``settle`` keep them on the safe side; the
        rule recomputes them while ``bounds_stale`` or not ``settled``.
    inverse_strength : float32 ndarray of shape (n,)
        ``1 / strength`` rounded up (0 without ties).
    """

    def __init__(self, org, influence, n_behaviors, initial_adopters, by_unit=True,
                 peer_weight=1.0, demand=None, initial_rungs=None, teams=False):  # fmt: skip
        net = org.network
        n = org.n
        self.network = net
        self.n = n
        self._mean_degree = net.indptr[-1] / max(n, 1)
        self.stage = np.zeros(n, dtype=np.int8)
        rungs = n_behaviors if initial_rungs is None else min(int(initial_rungs), n_behaviors)
        self.stage[initial_adopters] = rungs
        self.adopted_at = np.full(n, -1, dtype=np.int32)
        self.adopted_at[initial_adopters] = 0
        self.peak = self.stage.copy()  # the most rungs each one has held
        self.unit = org.unit if by_unit else np.zeros(n, dtype=np.int32)
        n_groups = org.n_units if by_unit else 1
        self.influence = np.asarray(influence, dtype=np.float64)
        ties = int(net.indptr[-1])
        self.strength = np.empty(n, dtype=np.float64)
        strength = influence_strength if parallel_pays(ties, "tie") else influence_strength_serial
        strength(net.indptr, net.indices, net.weights, self.influence, self.strength)
        self.tally = np.empty((n_behaviors, n), dtype=np.float64)
        tally = ladder_tally if parallel_pays(ties, "pulled_tie") else ladder_tally_serial
        tally(net.indptr, net.indices, net.weights, self.influence, self.stage, self.tally)
        self.unit_holders = np.zeros((n_behaviors, n_groups), dtype=np.int64)
        seeded = np.bincount(self.unit[initial_adopters], minlength=n_groups)
        self.unit_holders[:rungs] = seeded
        self.holders = self.unit_holders.sum(axis=1)
        self.manager = org.manager
        self.team = np.zeros((n_behaviors, n if teams else 0), dtype=np.int32)
        team_holders(self.stage, self.manager, self.team)
        self.access_since = np.full(n, -1, dtype=np.int32)
        self.unit_access = np.zeros(n_groups, dtype=np.int64)
        self._access = None
        self._code = np.zeros(n, dtype=np.int8)
        self.peer_weight = float(peer_weight)
        self.demand = np.zeros(n_behaviors) if demand is None else np.asarray(demand, float)
        self.ceiling = np.empty(n, dtype=np.float32)
        with np.errstate(over="ignore"):  # tiny strengths: an infinite inverse is safe
            inverse = np.divide(1.0, self.strength, out=np.zeros(n), where=self.strength > 0)
            rounded = inverse.astype(np.float32)
        self.inverse_strength = np.where(
            rounded < inverse, np.nextafter(rounded, np.float32(np.inf)), rounded
        )
        self.watch = np.ones(n, dtype=np.uint8)
        self.bounds_stale = True
        #: False between an apply with changes and the rule's settle (managers' reports).
        self.settled = True
        #: Sum over past weeks of the share of people holding the top behavior.
        self.creator_weeks = 0.0
        # The record: one entry per week, week 0 being the initial state.
        self.weeks = [0]
        self.holders_by_week = [self.holders.copy()]
        self.new_by_week = [self.holders.copy()]
        self.lapses_by_week = [np.zeros(n_behaviors, dtype=np.int64)]
        self.access_by_week = [0]
        # The log of changes (who, which behavior, +1 or -1, when), for breakdowns.
        seeds = np.asarray(initial_adopters, dtype=np.int64)
        self._log = [
            (seeds, np.full(seeds.shape[0], b, dtype=np.int8), np.ones(seeds.shape[0], np.int8), 0)
            for b in range(rungs)
        ]
        self._end_week()

    @property
    def n_behaviors(self) -> int:
        return int(self.tally.shape[0])

    @property
    def with_access(self) -> int:
        return int(self.unit_access.sum())

    def grant_access(self, access, week):
        """Take this week's access array (bool, shape (n,)); record who is new to it."""
        if access is self._access:
            return
        had = self.access_since >= 0
        if (had & ~access).any():
            who = int(np.flatnonzero(had & ~access)[0])
            raise ValueError(
                f"The plan takes access away from person {who} in week {week}; access to "
                f"the platform can only grow."
            )
        self._access = access
        new = np.flatnonzero(access & ~had)
        if new.shape[0]:
            self.access_since[new] = week
            self.unit_access += np.bincount(self.unit[new], minlength=self.unit_access.shape[0])
        if week == self.weeks[-1]:
            self.access_by_week[-1] = self.with_access

    def seen_share(self) -> np.ndarray:
        """Share of each behavior's holders among the people with access one can see.

        float64 array of shape (B, U): per unit, or (B, 1) for the whole company.
        """
        return self.unit_holders / np.maximum(self.unit_access, 1)

    def apply(self, changed, change, week):
        """Record that ``changed`` (distinct int64 ids) moved by ``change`` (+1/-1) in ``week``."""
        net = self.network
        top = self.n_behaviors
        new = np.zeros(top, dtype=np.int64)
        lapses = np.zeros(top, dtype=np.int64)
        if changed.shape[0]:
            rung = np.empty(changed.shape[0], dtype=np.int8)  # the behavior that changes
            # Stages first: the push loosens bounds for the stages held after the week.
            ladder_restage(changed, change, week, self.stage, self.unit, self.unit_holders,
                           self.manager, self.team, self.adopted_at, rung, new,
                           lapses, self.peak)  # fmt: skip
            # Judged on the mean degree: counting the ties reads a scattered
            # row pointer per change, and the choice never changes results.
            pushed = changed.shape[0] * self._mean_degree
            if pushed * _PUSH_COST <= net.indptr[-1]:
                # One block per thread, or one block on one thread: the same sums.
                if parallel_pays(pushed, "pushed_tie"):
                    push, blocks = ladder_push, get_num_threads()
                else:
                    push, blocks = ladder_push_serial, 1
                push(net.indptr, net.indices, net.weights, net.unit_weights, self.influence,
                     changed, rung, change, blocks, self.tally, self.stage, self.peer_weight,
                     self.demand, self.inverse_strength, self.ceiling, self.watch)  # fmt: skip
            else:
                code = self._code
                code[changed] = (rung + 1) * change
                big = parallel_pays(net.indptr[-1], "pulled_tie")
                pull = ladder_pull if big else ladder_pull_serial
                pull(net.indptr, net.indices, net.weights, self.influence, code, self.tally)
                code[changed] = 0
                self.bounds_stale = True
            self.holders = self.unit_holders.sum(axis=1)
            self._log.append((changed, rung, change, week))
            self.settled = False
        self.weeks.append(week)
        self.holders_by_week.append(self.holders.copy())
        self.new_by_week.append(new)
        self.lapses_by_week.append(lapses)
        self.access_by_week.append(self.with_access)
        self._end_week()

    def _end_week(self):
        self.creator_weeks += self.holders[-1] / self.n

    def events(self):
        """The log of changes as flat arrays: ``ids, behavior, change, week``.

        ``change`` is +1 (took the behavior up) or -1 (lapsed); the initial
        adopters appear once per behavior, in week 0.
        """
        ids = np.concatenate([entry[0] for entry in self._log])
        sizes = [entry[0].shape[0] for entry in self._log]
        rungs = np.concatenate([entry[1] for entry in self._log]).astype(np.int64)
        changes = np.concatenate(
            [
                np.broadcast_to(np.asarray(e[2], dtype=np.int64), (k,))
                for e, k in zip(self._log, sizes, strict=True)
            ]
        )
        weeks = np.repeat(np.array([entry[3] for entry in self._log], dtype=np.int64), sizes)
        return ids, rungs, changes, weeks
