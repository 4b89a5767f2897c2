"""The parts a week of the ladder is made of, shared by its kernels.

Each person's weekly random bits (a counter-based hash), the parts of a gap
that are not shared by a unit, and the float32 rounding that keeps a
ceiling above the float64 value it bounds.
"""

from numba import float32, njit, uint64
from numba.extending import overload

# Weyl increment and splitmix64 finalizer constants (Steele, Lea & Flood 2014).
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1

#: Beyond FAR the sigmoid is within TAIL = e^-FAR of 0 or 1.
FAR = 8.0
TAIL = 0.00033546262790251185  # exp(-8)


#: A ceiling no gap reaches: people who hold the whole ladder.
NO_CEILING = -3.0e38
#: Slack between a bound and the gap it bounds: far above the rounding of the
#: float64 sums (~1e-15), far below anything a decision could turn on.
MARGIN = 1e-9
#: Relative rounding of a float64 sum, and a bit more.
ROUNDING = 2.0**-50


@njit(cache=True, inline="always")
def ceiling_of(y):
    """A float32 at or above the float64 ``y``: the nearest one up, or a step or two above."""
    # Adding 2^-22 |y| first makes round-to-nearest land at or above y.
    return float32(y + (abs(y) * 2.384185791015625e-07 + 1e-30))


def week_bits(key, i):
    """Person ``i``'s 64 random bits for the week keyed ``key`` (splitmix64).

    Compiled, uint64 arithmetic that wraps; as plain Python
    (``NUMBA_DISABLE_JIT=1``), the same numbers from Python integers, without
    numpy's overflow warnings.
    """
    z = (int(key) + int(i) * _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _MIX1) & _MASK
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK
    return uint64(z ^ (z >> 31))


@overload(week_bits, inline="always")
def _week_bits_compiled(key, i):
    def impl(key, i):
        z = key + uint64(i) * uint64(_GOLDEN)
        z = (z ^ (z >> uint64(30))) * uint64(_MIX1)
        z = (z ^ (z >> uint64(27))) * uint64(_MIX2)
        return z ^ (z >> uint64(31))

    return impl


@njit(cache=True, inline="always")
def week_uniform(key, i):
    """Person ``i``'s uniform in [0, 1) for the week keyed ``key``: the top 53 of :func:`week_bits`.

    A counter-based draw: a pure function of (key, i), so every thread gets
    the same number for the same person, and no array of n draws has to be
    made and read each week (that cost more than the rest of a week).
    """
    return float(week_bits(key, i) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def reinforced(t, d):
    """The reinforcement that a tally ``t`` of ties holding a rung gives against the
    rung's demand ``d > 0``: ``(min(t, d) / d) ** 2``, in [0, 1].

    Convex below the demand (each further contact makes the others' example
    more convincing, a smooth form of Centola & Macy's threshold of several
    contacts) and full from ``d`` contacts on. Nondecreasing in ``t`` (a tally
    rounded below 0 counts as 0), so a tie taking a rung up can only raise it.
    """
    x = min(max(t, 0.0), d) / d
    return x * x


@njit(cache=True, inline="always")
def peer_term(i, b, tally, strength, demand):
    """``P_ib``: the influence-weighted share of ``i``'s ties holding ``b``, or, for a rung
    that demands reinforcement, :func:`reinforced` of the tally (complex contagion:
    what counts is how many one knows who do it, not their share)."""
    d = demand[b]
    if d > 0.0:
        return reinforced(tally[b, i], d)
    return tally[b, i] / strength[i] if strength[i] > 0.0 else 0.0


@njit(cache=True, inline="always")
def gap_core(i, b, tally, strength, peer_weight, demand, fixed_gap):
    """The peer term and the fixed parts of ``S_ib - T_ib``."""
    return peer_weight * peer_term(i, b, tally, strength, demand) + fixed_gap[b, i]


@njit(cache=True, inline="always")
def endorsed(i, b, stage, manager, endorsing, endorsement):
    """``i``'s endorsement term for ``b``: 0 unless the manager holds ``b`` and endorses."""
    m = manager[i]
    if m >= 0 and stage[m] > b and endorsing[m]:
        return endorsement[i]
    return 0.0


@njit(cache=True, inline="always")
def identified(i, b, stage, manager, team, identity):
    """``i``'s collective-identity term for ``b``: ``identity[i]`` times the team-mates
    (the manager's other reports) who hold ``b``; 0 for the top, or when nobody identifies
    (``identity`` empty, ``team`` then unread).

    ``team[b, m]`` counts the reports of ``m`` holding ``b``, ``i`` among them when ``i``
    does: ``i``'s own holding is taken off, so the term is the same before and after ``i``
    takes ``b`` up, as a bound computed before the week's changes needs.
    """
    if identity.shape[0] == 0:
        return 0.0
    m = manager[i]
    if m < 0:
        return 0.0
    held = team[b, m] - (1 if stage[i] > b else 0)
    return identity[i] * held


@njit(cache=True, inline="always")
def formal(i, b, stage, manager, endorsing, endorsement, team, identity):
    """The parts of ``i``'s gap for ``b`` that come through the hierarchy: the manager's
    endorsement and the team's collective identity."""
    return endorsed(i, b, stage, manager, endorsing, endorsement) + identified(
        i, b, stage, manager, team, identity
    )
