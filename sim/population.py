"""People's traits, drawn once per run from the organization's culture.

The culture is four dials in [0, 1] (docs/model.md §1): ``open``, ``trust``,
``generative`` and ``courage``, and the constants of the population they act
on (threshold location and scale, the law of voice, trait concentrations,
influence spread, managers' influence), fitted to stylised facts and set like
the dials. Each person gets a base threshold (innovativeness), a voice (the
propensity to speak up), a risk aversion, a trust in leadership and an
influence weight; no trait piles up at a bound. Traits given with the org
chart (``Org.traits``) replace the drawn ones.

Influence is relative: only the ratios of people's influences matter (peer
shares divide an influence-weighted sum of ties by another). Drawn influence has
mean 1 (managers' times a factor); influence given with the org chart is
rescaled by :func:`relative_influence` to a mean near 1, so that a column of
influences and the same column multiplied by any positive number give the same
results (exactly for a power of two, but for rounding otherwise), and no
weighted sum of ties overflows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

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
    "voice": (0.0, 1.0, "both"),
    "endorse": (0.0, 1.0, "both"),
    "identification": (0.0, 1.0, "both"),
    "attention": (0.0, 1.0, "both"),
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
    """The culture of an organization: four dials in [0, 1], and the constants of its people.

    The dials (docs/model.md §1) are what studies vary; the constants below them
    describe the population the dials act on. They are fitted to stylised
    facts together with the rule's weights (``experiments/fit_defaults.py``)
    and are config keys (``culture.threshold_mean=0.3``) like the dials, so
    that nothing that changes results hides in a function default.

    Parameters
    ----------
    open : float, default 0.5
        Decentralization, acting through ownership (holders of the ladder's
        upper rungs pull their unit along, ``Organizational.ownership_weight``)
        and, in the shipped network configs, the share of ties across units
        (``network.openness``). Two channels it used to have are off by default
        because their direction cannot be argued (docs/model.md §1): whom a
        rollout recruits as champions (``open_recruiting``) and how much a
        manager's example weighs against a colleague's (now
        ``manager_influence`` alone).
    trust : float, default 0.5
        Mean trust in leadership. Low trust turns endorsement from above into
        reactance (see ``Organizational.reactance``).
    generative : float, default 0.5
        How much content creators produce: content raises everyone's signal.
    courage : float, default 0.5
        Mean risk tolerance: risk aversion has mean ``1 - courage``.
    threshold_mean, threshold_sd : float, default 0.472 and 0.03
        Location and scale of the normal law of base thresholds, truncated
        to [0, 1] (no pile of people at 0 who act on no signal at all).
        A normal spread gives Rogers' categories: people more than two scales
        below the location are the innovators.
    concentration : float, default 8.0
        Concentration ``a + b`` (> 0) of the beta laws of risk aversion and
        trust: 8 gives a standard deviation of about 0.17 at mean 0.5.
    influence_spread : float, default 0.5
        Sigma (>= 0) of the lognormal spread of influence (mean 1).
    manager_influence : float, default 1.0
        Extra weight (>= 0) of a manager's example: managers' influence is
        ``1 + manager_influence`` times a colleague's, in every culture (2x,
        what the default culture had when openness scaled it).
    voice_mean, voice_concentration : float, default 0.408 and 2.303
        The propensity to speak up (contribute, create) is beta with this
        mean in (0, 1) and concentration (> 0): a small concentration gives
        the heavy tail of participation, most people near 0 and a few eager
        to write. A rung's ``voice`` demand is the share of one's threshold
        for it that is reticence ``1 - voice`` rather than the base threshold,
        so upper rungs are bounded by who is willing.
    endorse_share : float, default 0.325
        Share in [0, 1] of people who, as managers, endorse to their reports the
        rungs they hold without being asked (the trait ``endorse``). A
        hierarchical or hybrid rollout asks every manager its message reaches,
        whatever this share; in any rollout these managers endorse from the week
        they have access; with 0 only the asked managers endorse.
    identification_mean : float, default 0.5
        Mean in [0, 1] of how strongly people identify with their team (the trait
        ``identification``, beta with the concentration ``concentration``): how much
        their team-mates' example weighs as "people like us" (collective identity,
        ``rule.identity_weight``).
    attention_mean, attention_concentration : float, default 0.85 and 0.113
        How often people look at the platform (the trait ``attention``): beta with
        this mean in (0, 1] and concentration (> 0); a person's weekly rate of
        taking a rung up is ``rate * attention``. At mean 1 everyone looks every week
        (no spread); a small concentration gives the field's intensity (most users
        active less than once a fortnight, SWOOP 2016) and people who almost never
        look, whom the platform does not reach even when their colleagues use it.
    open_recruiting : bool, default False
        Whether openness decides who may be recruited as a champion (all
        managers, and each other person with probability ``open``); off,
        anyone may be. Off by default: a closed culture's champions are then
        mostly managers, whose example carries further (Chelmis & Prasanna
        2013), so the channel lowers adoption as openness rises, against the
        claim it was meant to carry, and its sign rests on who the managers are.
    """

    open: float = 0.5
    trust: float = 0.5
    generative: float = 0.5
    courage: float = 0.5
    threshold_mean: float = 0.472
    threshold_sd: float = 0.03
    concentration: float = 8.0
    influence_spread: float = 0.5
    manager_influence: float = 1.0
    voice_mean: float = 0.408
    voice_concentration: float = 2.303
    endorse_share: float = 0.325
    identification_mean: float = 0.5
    attention_mean: float = 0.85
    attention_concentration: float = 0.113
    open_recruiting: bool = False

    def __post_init__(self):
        for name in ("open", "trust", "generative", "courage", "threshold_mean", "endorse_share",
                     "identification_mean"):  # fmt: skip
            value = check_scalar(getattr(self, name), name, "Culture", low=0.0, high=1.0)
            object.__setattr__(self, name, value)
        ranges = {
            "threshold_sd": {"low": 0.0, "high": 1.0},
            "concentration": {"low": 0.0, "closed": "right"},
            "influence_spread": {"low": 0.0},
            "manager_influence": {"low": 0.0},
            "voice_mean": {"low": 0.0, "high": 1.0, "closed": "neither"},
            "voice_concentration": {"low": 0.0, "closed": "right"},
            "attention_mean": {"low": 0.0, "high": 1.0, "closed": "right"},
            "attention_concentration": {"low": 0.0, "closed": "right"},
        }
        for name, bounds in ranges.items():
            value = check_scalar(getattr(self, name), name, "Culture", **bounds)
            object.__setattr__(self, name, value)
        if not isinstance(self.open_recruiting, bool | np.bool_):
            raise TypeError(
                f"The 'open_recruiting' parameter of Culture must be a bool. "
                f"Got {self.open_recruiting!r} instead."
            )
        object.__setattr__(self, "open_recruiting", bool(self.open_recruiting))


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
    voice : ndarray, optional
        Propensity to speak up in [0, 1]: how willing one is to contribute
        and create. A rung's ``voice`` demand is the share of one's threshold
        for it that is reticence ``1 - voice`` rather than the base threshold.
        By default ``1 - threshold``: one's reticence is one's base threshold,
        so every rung has the same personal threshold whatever it demands.
    endorse : ndarray, optional
        1 for a person who, as a manager, endorses the rungs they hold to
        their reports without being asked, 0 for one who waits to be asked
        (values in between, given with an org, count as 1 from one half). By
        default 0 for everyone.
    identification : ndarray, optional
        How strongly a person identifies with their team, in [0, 1]: the weight of
        team-mates' example (collective identity). By default 0 for everyone.
    attention : ndarray, optional
        How often a person looks at the platform, in [0, 1]: their weekly rate of
        taking a rung up is ``rate * attention``. By default 1 for everyone.
    """

    threshold: np.ndarray
    risk_aversion: np.ndarray
    trust: np.ndarray
    influence: np.ndarray
    voice: np.ndarray | None = None
    endorse: np.ndarray | None = None
    identification: np.ndarray | None = None
    attention: np.ndarray | None = None

    def __post_init__(self):
        n = None
        for name, (low, high, closed) in TRAITS.items():
            given = getattr(self, name)
            if name == "voice" and given is None:
                given = 1.0 - self.threshold  # checked already: threshold comes first
            if name in ("endorse", "identification") and given is None:
                given = np.zeros_like(self.threshold, dtype=np.float64)
            if name == "attention" and given is None:
                given = np.ones_like(self.threshold, dtype=np.float64)
            values = check_per_node(given, name, "Population", low=low, high=high, closed=closed)
            n = values.shape[0] if n is None else n
            if values.shape[0] != n:
                raise ValueError(
                    f"Population: '{name}' has {values.shape[0]} values, 'threshold' {n}."
                )
            object.__setattr__(self, name, values)

    @property
    def n(self) -> int:
        return int(self.threshold.shape[0])

    @property
    def volunteers(self) -> np.ndarray:
        """Who endorses unasked, as a manager (bool, shape (n,)): ``endorse >= 0.5``."""
        return self.endorse >= 0.5

    @classmethod
    def draw(cls, org, culture=None, seed=None, **constants):
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
            The dials and the population's constants; ``Culture()`` by default.
        seed : int or numpy.random.Generator, optional
            The run's generator.
        **constants
            Any of the culture's constants (``threshold_mean``,
            ``threshold_sd``, ``concentration``, ``influence_spread``,
            ``manager_influence``, ``voice_mean``, ``voice_concentration``),
            replacing the culture's value.
        """
        culture = Culture() if culture is None else culture
        if not isinstance(culture, Culture):
            raise TypeError(
                f"The 'culture' parameter of Population.draw must be a Culture. "
                f"Got {type(culture).__name__} instead."
            )
        if constants:
            unknown = sorted(set(constants) - set(_CONSTANTS))
            if unknown:
                raise TypeError(
                    f"Population.draw got an unexpected keyword argument {unknown[0]!r} "
                    f"(constants: {', '.join(_CONSTANTS)})."
                )
            try:
                culture = replace(culture, **constants)
            except (TypeError, ValueError) as error:
                raise type(error)(str(error).replace("of Culture", "of Population.draw")) from None
        given = org.traits
        unknown = sorted(set(given) - set(TRAITS)) if given else ()
        if unknown:
            raise ValueError(
                f"The org's trait {unknown[0]!r} is not one of {', '.join(TRAITS)}; rename "
                f"or drop it."
            )
        # One child generator per trait: a trait's draws never shift another's,
        # whatever the dials (beta draws use a variable amount of randomness). A trait
        # the org gives is not drawn: its stream is spawned all the same.
        streams = dict(zip(TRAITS, make_rng(seed).spawn(len(_SPAWNED)), strict=False))
        # A trait added later is a child of the last one's stream: spawning from the run's
        # generator once more would shift every stream the run spawns after the traits.
        for name in TRAITS:
            if name not in streams:
                streams[name] = streams[_SPAWNED[-1]].spawn(1)[0]
        n = org.n
        c = culture
        laws = {
            "threshold": lambda r: _truncated_normal(r, c.threshold_mean, c.threshold_sd, n),
            "voice": lambda r: _beta(r, c.voice_mean, c.voice_concentration, n),
            "risk_aversion": lambda r: _beta(r, 1.0 - c.courage, c.concentration, n),
            "trust": lambda r: _beta(r, c.trust, c.concentration, n),
            "influence": lambda r: _influence(r, org, c),
            # Its own stream, last: the other traits and the run's draws stay as they were;
            # nothing drawn when nobody endorses unasked (the default).
            "endorse": lambda r: _endorsing(r, c.endorse_share, n),
            "identification": lambda r: _beta(r, c.identification_mean, c.concentration, n),
            # A child of the last stream too: nothing drawn at mean 1 (the default).
            "attention": lambda r: _beta(r, c.attention_mean, c.attention_concentration, n),
        }
        traits = {name: draw(streams[name]) for name, draw in laws.items() if name not in given}
        for name, values in given.items():
            traits[name] = relative_influence(values) if name == "influence" else values
        # What the org gives is checked in full; of what was drawn, only influence, whose
        # law can leave its range (a wide spread overflows): the others' laws keep them in
        # [0, 1]. A failure of the quick check falls back to the full one and its message.
        checked = {}
        for name, (low, high, closed) in TRAITS.items():
            values = traits[name]
            if name in given or (name not in _IN_RANGE and not _within(values, low, high, closed)):
                values = check_per_node(values, name, "Population", low=low, high=high,
                                        closed=closed)  # fmt: skip
                if values.shape[0] != n:
                    raise ValueError(
                        f"Population: '{name}' has {values.shape[0]} values, 'threshold' {n}."
                    )
            values.flags.writeable = False
            checked[name] = values
        people = object.__new__(cls)
        for name, values in checked.items():
            object.__setattr__(people, name, values)
        return people


def _influence(rng, org, culture):
    """Lognormal influence of mean 1, managers' times ``1 + manager_influence``."""
    spread = culture.influence_spread
    influence = rng.lognormal(-0.5 * spread**2, spread, org.n)
    factor = 1.0 + culture.manager_influence
    return np.multiply(influence, factor, out=influence, where=org.span > 0)


def _endorsing(rng, share, n):
    """1 for each person who endorses unasked (probability ``share``), else 0."""
    return (rng.random(n) < share).astype(np.float64) if share > 0 else np.zeros(n)


#: Traits whose law keeps every draw in range (a clipped normal, beta laws).
_IN_RANGE = ("threshold", "risk_aversion", "trust", "voice", "endorse", "identification",
             "attention")  # fmt: skip

#: The traits that get their own child of the run's generator, in this order.
_SPAWNED = ("threshold", "risk_aversion", "trust", "influence", "voice", "endorse")


def _within(values, low, high, closed) -> bool:
    """Whether every value is finite and in the range (as ``check_per_node`` checks it)."""
    least, most = values.min(), values.max()  # NaN in, NaN out: every comparison fails
    inside = least >= low if closed in ("both", "left") else least > low
    if high is None:
        return bool(inside and math.isfinite(most))
    return bool(inside and (most <= high if closed in ("both", "right") else most < high))


#: The culture's constants (not dials) that Population.draw also takes by keyword.
_CONSTANTS = (
    "threshold_mean",
    "threshold_sd",
    "concentration",
    "influence_spread",
    "manager_influence",
    "voice_mean",
    "voice_concentration",
    "endorse_share",
    "identification_mean",
    "attention_mean",
    "attention_concentration",
)


def _truncated_normal(rng, loc, scale, size):
    """Normal draws of ``loc`` and ``scale`` truncated to [0, 1], by inversion.

    Inversion keeps one uniform per person (the draws never shift with the
    parameters) and puts nobody exactly on a bound, unlike clipping, which
    piled people who act on no signal at all at 0.
    """
    from scipy.special import ndtri

    uniform = rng.random(size)
    if scale == 0.0:
        return np.full(size, loc)
    low, high = _bounds(loc, scale)
    # In place, in the order of ``clip(loc + scale * ndtri(low + uniform * (high - low)))``.
    p = uniform
    p *= high - low
    p += low
    x = ndtri(p, out=p)
    x *= scale
    x += loc
    return x.clip(0.0, 1.0, out=x)  # np.clip's own method, without its wrapper


@lru_cache(maxsize=64)
def _bounds(loc, scale):
    """The normal law's probabilities of 0 and 1 (the same for every replication)."""
    from scipy.special import ndtr

    return ndtr((0.0 - loc) / scale), ndtr((1.0 - loc) / scale)
