"""How people's thresholds differ under the threshold rule, drawn once per run.

Granovetter (1978) made his point with the distribution of thresholds, not
their mean: a crowd of 100 whose thresholds run 0, 1, ..., 99 riots to the
last person, and moving the one person with threshold 1 to 2 leaves the
instigator rioting alone. :class:`ThresholdLaw` says how a run's thresholds
are spread (everyone the same, evenly spaced, or normal) and whether one of
them is moved; :meth:`ThresholdLaw.draw` gives a run its thresholds from the
run's own generator, so replications differ and each is reproduced alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim._validation import check_scalar

__all__ = ["LAWS", "NORMAL_REACH", "ThresholdLaw"]

#: Standard deviations from the mean that bound a normal law's draws, for the range
#: check: numpy's normal sampler cannot reach 10 from 64-bit uniforms, 64 is ample.
NORMAL_REACH = 64.0

#: The laws of thresholds: what ``theta`` and ``spread`` mean under each.
LAWS = {
    "same": "everyone theta (spread must be 0)",
    "evenly": "evenly spaced from theta to theta + spread, in a random order over the people",
    "normal": "normal with mean theta and standard deviation spread, clipped to the domain",
}


@dataclass(frozen=True)
class ThresholdLaw:
    """The thresholds of one run's people.

    Parameters
    ----------
    law : {"same", "evenly", "normal"}
        ``same``: everyone ``theta``; ``evenly``: person thresholds evenly
        spaced from ``theta`` to ``theta + spread`` (Granovetter's uniform
        distribution: 0 to 99 in a crowd of 100), handed out in a random
        order; ``normal``: drawn from a normal law with mean ``theta`` and
        standard deviation ``spread``, clipped to the domain (a negative
        threshold acts as 0 does: that person acts unprompted).
    theta : float
        The lowest threshold (``evenly``), the mean (``normal``), everyone's
        (``same``): a share in [0, 1], or with ``absolute`` a count >= 0.
    spread : float
        Width (``evenly``) or standard deviation (``normal``), >= 0.
    moved : int or None
        Rank, from 0 for the lowest threshold, of the one person whose
        threshold moves by ``move`` (ties in the order of the people); None
        moves nobody.
    move : float
        How far that threshold moves (negative: down).
    absolute : bool
        Thresholds are counts of adopted neighbours, not shares.
    """

    law: str = "same"
    theta: float = 0.15
    spread: float = 0.0
    moved: int | None = None
    move: float = 1.0
    absolute: bool = False

    def __post_init__(self):
        owner = "ThresholdLaw"
        if self.law not in LAWS:
            raise ValueError(
                f"The 'law' parameter of {owner} must be one of {', '.join(LAWS)}. "
                f"Got {self.law!r} instead."
            )
        high = None if self.absolute else 1.0
        check_scalar(self.theta, "theta", owner, low=0.0, high=high)
        check_scalar(self.spread, "spread", owner, low=0.0)
        check_scalar(self.move, "move", owner)
        if self.moved is not None:
            check_scalar(self.moved, "moved", owner, kind=int, low=0)
        if self.law == "same" and self.spread != 0:
            raise ValueError(
                f"The 'spread' parameter of {owner} must be 0 when everyone has the same "
                f"threshold (law 'same'); use law 'evenly' or 'normal'. Got {self.spread:g}."
            )
        if self.law == "evenly" and high is not None and self.theta + self.spread > high:
            raise ValueError(
                f"The 'spread' parameter of {owner} must keep evenly spaced shares within "
                f"[0, 1]: theta + spread = {self.theta + self.spread:g}."
            )
        # Counts have no upper bound to clip to (shares do): their range must stay a float.
        reach = {"same": 0.0, "evenly": 1.0, "normal": NORMAL_REACH}[self.law]
        top = self.theta + reach * self.spread if high is None else 1.0
        if not math.isfinite(top):
            span = {"evenly": "theta + spread", "normal": f"theta + {NORMAL_REACH:g} x spread"}
            raise ValueError(
                f"The 'spread' parameter of {owner} must keep thresholds finite: "
                f"{span[self.law]} = {top:g}; give a smaller theta or spread."
            )
        if self.moved is not None and not math.isfinite(top + abs(self.move)):
            raise ValueError(
                f"The 'move' parameter of {owner} must keep the moved threshold finite: "
                f"{top:g} + {abs(self.move):g} = {top + abs(self.move):g}."
            )

    @property
    def varies(self) -> bool:
        """Whether people's thresholds differ (else the rule's one ``theta`` holds)."""
        return self.law != "same" or self.moved is not None

    def check(self, n):
        """Raise ValueError unless this law can give ``n`` people their thresholds."""
        if self.moved is not None and self.moved >= n:
            raise ValueError(
                f"The 'moved' parameter of ThresholdLaw must be a rank below the number of "
                f"people ({n}). Got {self.moved}."
            )
        if self.moved is not None and self.law != "normal":
            rank = self._spaced(n)[self.moved]  # ascending already
            moved = rank + self.move
            high = None if self.absolute else 1.0
            if moved < 0 or (high is not None and moved > high):
                domain = "[0, inf)" if high is None else "[0, 1]"
                raise ValueError(
                    f"The 'move' parameter of ThresholdLaw must keep the moved threshold in "
                    f"{domain}: {rank:g} + {self.move:g} = {moved:g}."
                )

    def _spaced(self, n):
        if self.law == "evenly":
            return np.linspace(self.theta, self.theta + self.spread, n)
        return np.full(n, float(self.theta))

    def draw(self, n, rng) -> np.ndarray:
        """The thresholds of ``n`` people, float64 of shape (n,), from ``rng``."""
        self.check(n)
        if self.law == "normal":
            theta = rng.normal(self.theta, self.spread, n)
            theta = np.clip(theta, 0.0, None if self.absolute else 1.0)
        elif self.law == "evenly":
            theta = self._spaced(n)[rng.permutation(n)]
        else:
            theta = self._spaced(n)
        if self.moved is not None:
            who = np.argsort(theta, kind="stable")[self.moved]
            theta[who] = theta[who] + self.move
            theta = np.clip(theta, 0.0, None if self.absolute else 1.0)
        return theta
