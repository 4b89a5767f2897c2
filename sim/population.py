"""People's traits, drawn once per run from the organization's culture.

The culture is four dials in [0, 1] (DESIGN §1): ``open``, ``trust``,
``generative`` and ``courage``. Each person gets a base threshold
(innovativeness), a risk aversion, a trust in leadership and an influence
weight. Traits given with the org chart (``Org.traits``) replace the drawn ones.

Influence is relative: only the ratios of people's influences matter (peer
shares divide an influence-weighted sum of ties by another). Drawn influence has
mean 1 (managers' times a factor); influence given with the org chart is
rescaled by :func:`relative_influence` to a mean near 1, so that a column of
influences and the same column multiplied by any positive number give the same
results (exactly for a power of two, but for rounding otherwise), and no
weighted sum of ties overflows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._rng import make_rng
from sim._validation import check_per_node, check_scalar

__all__ = ["MAX_INFLUENCE_RATIO", "TRAITS", "Culture", "Population", "relative_influence"]

#: Trait names and their allowed ranges: (low, high or None, closed) as in
#: ``_validation.check_per_node``.
TRAITS = {
    "threshold": (0.0, 1.0, "both"),
    "risk_aversion": (0.0, 1.0, "both"),
    "trust": (0.0, 1.0, "both"),
    "influence": (0.0, None, "neither"),
}

#: Given influence may span at most this factor, largest to smallest: within
#: it, influence-weighted sums of ties neither overflow nor vanish.
MAX_INFLUENCE_RATIO = 1e100
_SQRT_HALF = 0.7071067811865476


def relative_influence(values):
    """Influence given with the data, rescaled by a power of two to a mean near 1.

    Influence is relative, so it is rescaled like drawn influence (mean 1):
    multiplied by the power of two that brings its mean into [0.71, 1.41).
    Multiplying by a power of two is exact, so every ratio stays as given
    (whole numbers stay exact in the ladder's running sums), values already
    of that scale are returned unchanged, and ``c * values`` gives the same
    array for any power of two ``c`` (for other ``c``, the same array times a
    constant, which gives the same peer shares but for rounding in the last
    bits). Computed without overflow,
    whatever the magnitude of the values.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Finite values > 0; the largest at most :data:`MAX_INFLUENCE_RATIO`
        times the smallest.

    Returns
    -------
    float64 ndarray of shape (n,)

    Raises
    ------
    ValueError
        A value that is not finite and > 0, or too small beside the largest.
    """
    x = check_per_node(values, "influence", "relative_influence", low=0.0, closed="neither")
    top = x.max()
    small = np.flatnonzero(x < top / MAX_INFLUENCE_RATIO)
    if small.shape[0]:
        i = int(small[0])
        raise ValueError(
            f"The 'influence' parameter of relative_influence must span at most a factor "
            f"{MAX_INFLUENCE_RATIO:g}; entry {i} is {float(x[i])!r}, the largest "
            f"{float(top)!r}. Influence is relative: raise the smallest values."
        )
    top_exp = int(np.frexp(top)[1])
    fraction, exp = np.frexp(np.ldexp(x, -top_exp).mean())  # a mean of values <= 1
    exp = int(exp) - (1 if fraction < _SQRT_HALF else 0)
    return np.ldexp(x, -(top_exp + exp))


@dataclass(frozen=True)
class Culture:
    """The culture of an organization, as four dials in [0, 1].

    Parameters
    ----------
    open : float, default 0.5
        Decentralization: how much a colleague's example weighs against a
        manager's (managers' influence is ``1 + manager_influence * (1 - open)``
        times a colleague's). Pass the same value as ``openness`` to
        :func:`sim.org.generate` for the share of ties across units.
    trust : float, default 0.5
        Mean trust in leadership. Low trust turns endorsement from above into
        reactance (see ``Organizational.reactance``).
    generative : float, default 0.5
        How much content creators produce: content raises everyone's signal.
    courage : float, default 0.5
        Mean risk tolerance: risk aversion has mean ``1 - courage``.
    """

    open: float = 0.5
    trust: float = 0.5
    generative: float = 0.5
    courage: float = 0.5

    def __post_init__(self):
        for name in ("open", "trust", "generative", "courage"):
            value = check_scalar(getattr(self, name), name, "Culture", low=0.0, high=1.0)
            object.__setattr__(self, name, value)


def _beta(rng, mean, concentration, size):
    """Beta draws with the given mean; the mean itself where it is 0 or 1."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, mean)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


@dataclass(frozen=True, eq=False)
class Population:
    """Per-person traits of one run, float64 arrays of shape (n,).

    Parameters
    ----------
    threshold : ndarray
        Base threshold ``theta_i`` in [0, 1]: how much signal a person needs
        before the easiest behavior (lower = more innovative).
    risk_aversion : ndarray
        In [0, 1]: how much a behavior's risk raises the threshold.
    trust : ndarray
        Trust in leadership in [0, 1]: filters commitment and endorsement.
    influence : ndarray
        Weight (> 0) of a person's example in their colleagues' peer share;
        relative (only ratios matter), of mean about 1 when drawn.
    """

    threshold: np.ndarray
    risk_aversion: np.ndarray
    trust: np.ndarray
    influence: np.ndarray

    def __post_init__(self):
        n = None
        for name, (low, high, closed) in TRAITS.items():
            values = check_per_node(
                getattr(self, name), name, "Population", low=low, high=high, closed=closed
            )
            n = values.shape[0] if n is None else n
            if values.shape[0] != n:
                raise ValueError(
                    f"Population: '{name}' has {values.shape[0]} values, 'threshold' {n}."
                )
            object.__setattr__(self, name, values)

    @property
    def n(self) -> int:
        return int(self.threshold.shape[0])

    @classmethod
    def draw(
        cls,
        org,
        culture=None,
        seed=None,
        *,
        threshold_mean=0.3,
        threshold_sd=0.2,
        concentration=8.0,
        influence_spread=0.5,
        manager_influence=2.0,
    ):
        """Draw everyone's traits from the culture, then apply the org's own traits.

        The org's ``influence`` replaces the drawn one whole (managers' factor
        included), rescaled by :func:`relative_influence` to a mean near 1 as
        drawn influence has: influence is relative.

        Each trait has its own child generator (spawned from ``seed``, which
        draws nothing from it), so traits given with the data, or a change of
        a dial, never shift the other traits or what the run draws later.

        Parameters
        ----------
        org : Org
            The organization (its size, managers and ``traits``).
        culture : Culture, optional
            The dials; ``Culture()`` (all 0.5) by default.
        seed : int or numpy.random.Generator, optional
            The run's generator.
        threshold_mean, threshold_sd : float
            Base thresholds are normal with these, clipped to [0, 1]. A normal
            spread puts 2.5 % of people more than two standard deviations below
            the mean (Rogers' innovators), 13.5 % between one and two (early
            adopters), 68 % within one (the majorities) and 16 % above
            (laggards). The default spread is wide enough that peer pressure
            does not tip everyone at once; it clips about 7 % of people at 0
            (people who try anything new).
        concentration : float
            Concentration ``a + b`` of the beta laws of risk aversion and
            trust: 8 gives a standard deviation of about 0.17 at mean 0.5.
        influence_spread : float
            Sigma of the lognormal spread of influence (mean 1).
        manager_influence : float
            Extra weight of a manager's example in a closed culture:
            managers' influence is multiplied by
            ``1 + manager_influence * (1 - culture.open)``.
        """
        culture = Culture() if culture is None else culture
        if not isinstance(culture, Culture):
            raise TypeError(
                f"The 'culture' parameter of Population.draw must be a Culture. "
                f"Got {type(culture).__name__} instead."
            )
        owner = "Population.draw"
        threshold_mean = check_scalar(threshold_mean, "threshold_mean", owner, low=0.0, high=1.0)
        threshold_sd = check_scalar(threshold_sd, "threshold_sd", owner, low=0.0, high=1.0)
        concentration = check_scalar(concentration, "concentration", owner, low=0.0)
        if concentration == 0.0:
            raise ValueError(
                f"The 'concentration' parameter of {owner} must be a float in the range "
                f"(0, inf). Got 0.0 instead."
            )
        influence_spread = check_scalar(influence_spread, "influence_spread", owner, low=0.0)
        manager_influence = check_scalar(manager_influence, "manager_influence", owner, low=0.0)
        unknown = sorted(set(org.traits) - set(TRAITS))
        if unknown:
            raise ValueError(
                f"The org's trait {unknown[0]!r} is not one of {', '.join(TRAITS)}; rename "
                f"or drop it."
            )
        # One child generator per trait: a trait's draws never shift another's,
        # whatever the dials (beta draws use a variable amount of randomness).
        streams = make_rng(seed).spawn(len(TRAITS))
        n = org.n
        threshold = np.clip(streams[0].normal(threshold_mean, threshold_sd, n), 0.0, 1.0)
        risk_aversion = _beta(streams[1], 1.0 - culture.courage, concentration, n)
        trust = _beta(streams[2], culture.trust, concentration, n)
        influence = streams[3].lognormal(-0.5 * influence_spread**2, influence_spread, n)
        influence[org.span > 0] *= 1.0 + manager_influence * (1.0 - culture.open)
        traits = {
            "threshold": threshold,
            "risk_aversion": risk_aversion,
            "trust": trust,
            "influence": influence,
        }
        for name, values in org.traits.items():
            if name in traits:
                traits[name] = relative_influence(values) if name == "influence" else values
        return cls(**traits)
