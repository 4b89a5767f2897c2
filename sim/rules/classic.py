"""The classic diffusion rules: threshold, Bass and independent cascade.

A rule is an immutable parameter object. :meth:`Rule.bind` ties it to one
network (broadcasting per-node parameters and checking their length) and gives
the dynamics the model calls once a week::

    new_adopters = dynamics.step(state, rng)

Every week is synchronous: decisions read last week's state only. Random
numbers are drawn from the run's generator *before* a kernel runs, in an order
that depends on the state alone, so results do not depend on the number of
threads or on which of two equivalent code paths ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._validation import broadcast_per_node, check_per_node, check_scalar
from sim.kernels import (
    bass_decide,
    bass_decide_counts,
    bass_decide_serial,
    cascade_attempts,
    parallel_pays,
    threshold_decide,
    threshold_decide_serial,
    threshold_levels,
    tie_count,
)
from sim.rules.base import Rule

__all__ = ["Bass", "IndependentCascade", "Threshold"]

_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Threshold(Rule):
    """Granovetter/Watts threshold rule: deterministic and synchronous.

    A non-adopter adopts in a week when the weighted share of its ties to
    people who had adopted by the end of last week is at least its threshold
    (or, with ``absolute=True``, when the number of its adopted neighbours
    is). People without ties never adopt by share. Adoption is permanent.

    Parameters
    ----------
    theta : float or array-like of shape (n,)
        Threshold of everyone, or of each person: a share in [0, 1], or with
        ``absolute=True`` a number of neighbours >= 0.
    absolute : bool
        Count adopted neighbours (ignoring weights) instead of weighing shares.
    """

    theta: float | np.ndarray
    absolute: bool = False

    def __post_init__(self):
        if not isinstance(self.absolute, bool | np.bool_):
            raise TypeError(
                f"The 'absolute' parameter of Threshold must be a bool. "
                f"Got {self.absolute!r} instead."
            )
        high = None if self.absolute else 1.0
        theta = check_per_node(self.theta, "theta", "Threshold", low=0.0, high=high)
        object.__setattr__(self, "_theta", theta)

    def bind(self, network):
        theta = broadcast_per_node(self._theta, network.n, "theta", "Threshold")
        return _ThresholdDynamics(network, theta, bool(self.absolute))


@dataclass(frozen=True, eq=False)
class Bass(Rule):
    """Bass diffusion: each week a non-adopter adopts with hazard ``p + q * share``.

    Parameters
    ----------
    p : float
        Innovation coefficient: weekly probability of adopting with no adopter
        around, in [0, 1].
    q : float
        Imitation coefficient: weekly probability added per unit share of
        adopters, in [0, 1]; ``p + q`` must not exceed 1.
    well_mixed : bool
        Share of adopters among everyone (the classic Bass model, whose
        expected path is ``F(t+1) = F(t) + (1 - F(t)) (p + q F(t))``) instead
        of the weighted share among one's own ties.
    """

    p: float
    q: float
    well_mixed: bool = False

    def __post_init__(self):
        object.__setattr__(self, "p", check_scalar(self.p, "p", "Bass", low=0.0, high=1.0))
        object.__setattr__(self, "q", check_scalar(self.q, "q", "Bass", low=0.0, high=1.0))
        if self.p + self.q > 1.0:
            raise ValueError(
                f"The 'p' and 'q' parameters of Bass must add up to at most 1, since "
                f"p + q is the weekly hazard when everyone has adopted. Got "
                f"p + q = {self.p + self.q:g} instead."
            )
        if not isinstance(self.well_mixed, bool | np.bool_):
            raise TypeError(
                f"The 'well_mixed' parameter of Bass must be a bool. "
                f"Got {self.well_mixed!r} instead."
            )

    def bind(self, network):
        return _BassDynamics(network, self.p, self.q, bool(self.well_mixed))


@dataclass(frozen=True, eq=False)
class IndependentCascade(Rule):
    """Independent cascade: each new adopter gets one chance per tie.

    In the week after a person adopts, they convert each non-adopting
    neighbour independently with probability ``p``, and never try again. Tie
    weights are ignored. The initial adopters make their attempts in week 1.

    Parameters
    ----------
    p : float
        Probability that one attempt succeeds, in [0, 1].
    """

    p: float

    def __post_init__(self):
        p = check_scalar(self.p, "p", "IndependentCascade", low=0.0, high=1.0)
        object.__setattr__(self, "p", p)

    def bind(self, network):
        return _CascadeDynamics(network, self.p)


class _Dynamics:
    #: For rules that adopt when a count of adopted neighbours reaches a level:
    #: that level per person (int32), handed to the state. None otherwise.
    level = None

    def __init__(self, network):
        self.network = network

    def _parallel(self, candidates):
        """Whether deciding for ``candidates`` is worth a parallel region."""
        return parallel_pays(candidates.shape[0] * self.network.mean_degree, "weighted_tie")

    def step(self, state, rng) -> np.ndarray:
        """Distinct int64 ids of who adopts this week, in a reproducible order."""
        raise NotImplementedError

    def is_stationary(self, state) -> bool:
        """Whether no later week can change anything."""
        return state.adopters == self.network.n


class _ThresholdDynamics(_Dynamics):
    def __init__(self, network, theta, absolute):
        super().__init__(network)
        self.theta = theta
        self.absolute = absolute
        if not network.complete and (absolute or network.unit_weights):
            # Counts decide: each person adopts once their count reaches a level.
            self.level = threshold_levels(network.strength, theta, absolute)

    def step(self, state, rng):
        net = self.network
        if net.complete:
            return self._step_well_mixed(state)
        if self.level is not None:
            return state.reached()
        # Weighted shares: only people whose neighbourhood changed can change.
        candidates = state.changed_neighbourhoods()
        if candidates.shape[0] == 0:
            return _EMPTY
        out = np.empty(candidates.shape[0], dtype=np.bool_)
        decide = threshold_decide if self._parallel(candidates) else threshold_decide_serial
        decide(
            net.indptr,
            net.indices,
            net.weights,
            net.strength,
            state.adopted,
            self.theta,
            candidates,
            out,
        )
        return candidates[out]

    def _step_well_mixed(self, state):
        # A non-adopter's neighbours are all the other people.
        candidates = state.changed_neighbourhoods()
        if candidates.shape[0] == 0:
            return _EMPTY
        others = state.adopters
        if self.absolute:
            return candidates[others >= self.theta[candidates]]
        if self.network.n < 2:
            return _EMPTY  # nobody to share with: never adopts by share
        return candidates[others / (self.network.n - 1) >= self.theta[candidates]]

    def is_stationary(self, state):
        return state.frontier is not None and state.frontier.shape[0] == 0


class _BassDynamics(_Dynamics):
    def __init__(self, network, p, q, well_mixed):
        super().__init__(network)
        self.p = p
        self.q = q
        self.well_mixed = well_mixed

    def step(self, state, rng):
        candidates = state.undecided()
        u = rng.random(candidates.shape[0])
        net = self.network
        if self.well_mixed or net.complete:
            if self.well_mixed:
                share = state.adopters / net.n
            else:
                share = state.adopters / (net.n - 1) if net.n > 1 else 0.0
            return candidates[u < self.p + self.q * share]
        out = np.empty(candidates.shape[0], dtype=np.bool_)
        if net.unit_weights:
            bass_decide_counts(state.counts, net.strength, self.p, self.q, candidates, u, out)
        else:
            decide = bass_decide if self._parallel(candidates) else bass_decide_serial
            decide(
                net.indptr,
                net.indices,
                net.weights,
                net.strength,
                state.adopted,
                self.p,
                self.q,
                candidates,
                u,
                out,
            )
        return candidates[out]

    def is_stationary(self, state):
        no_hazard = self.p == 0.0 and (self.q == 0.0 or state.adopters == 0)
        return no_hazard or state.adopters == self.network.n


class _CascadeDynamics(_Dynamics):
    def __init__(self, network, p):
        super().__init__(network)
        self.p = p

    def step(self, state, rng):
        frontier = state.last_adopters
        if frontier.shape[0] == 0:
            return _EMPTY
        net = self.network
        if net.complete:
            # Each of the f new adopters tries once on every non-adopter: a
            # non-adopter escapes all f attempts with probability (1 - p)^f.
            candidates = state.undecided()
            u = rng.random(candidates.shape[0])
            hit = 1.0 - (1.0 - self.p) ** frontier.shape[0]
            return candidates[u < hit]
        u = rng.random(tie_count(net.indptr, frontier))
        return cascade_attempts(
            net.indptr, net.indices, state.adopted, frontier, u, self.p, state.scratch
        )

    def is_stationary(self, state):
        return state.frontier is not None and state.frontier.shape[0] == 0
