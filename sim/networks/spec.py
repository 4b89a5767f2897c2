"""A network alone, as validated parameters: who is tied to whom when there is no org chart.

The classic rules (Watts, Centola-Macy, Granovetter) run on a network of
``people`` and no hierarchy: an Erdős-Rényi graph, a small world or a complete
graph. :class:`NetworkSpec` stores and checks the parameters
(:class:`InvalidParameterError` names the one at fault), and :meth:`NetworkSpec.draw`
draws the network. Informal ties *beside* an org chart (``kind="informal"``)
are drawn with the org (:func:`sim.org.informal_ties`).
"""

from __future__ import annotations

from sim._validation import check_scalar
from sim.networks.core import Network
from sim.networks.generators import complete, erdos_renyi, small_world

__all__ = ["KINDS", "InvalidParameterError", "NetworkSpec"]

#: ``kind``: ties beside an org chart, or a network alone.
KINDS = ("informal", "erdos_renyi", "small_world", "complete")


class InvalidParameterError(ValueError):
    """A spec's parameter that cannot run; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def named(parameter, check):
    """``check()``, with its ValueError or TypeError as an InvalidParameterError naming
    ``parameter``."""
    try:
        return check()
    except InvalidParameterError:
        raise
    except (ValueError, TypeError) as error:
        raise InvalidParameterError(parameter, str(error)) from None


class NetworkSpec:
    """The informal network of a run: beside an org chart, or alone.

    Parameters
    ----------
    kind : {"informal", "erdos_renyi", "small_world", "complete"}
        ``informal``: ties beside an org's hierarchy (drawn with the org); the
        others: a network of ``people`` and no hierarchy.
    mean_degree : float
        Ties per person (a small world's even number of lattice neighbours).
    openness : float
        ``informal``: the share of cross-unit ties, relative to mixing as if no units.
    rewire : float
        In [0, 1]. ``informal``: how much of the informal network is rewired at
        random with every degree kept (:func:`sim.networks.rewired`: ``share *
        ties / 2`` swaps of two ties' ends), the structure a variant of a study
        removes; ``small_world``: the probability that a lattice tie's far end moves.
    people : int or None
        The headcount of a network alone (at least 2); unused for ``informal``.

    Raises
    ------
    InvalidParameterError
        For the first parameter out of range (``parameter``: ``kind``, ``people``,
        ``mean_degree`` or ``rewire``).
    """

    def __init__(self, kind="informal", *, mean_degree=20.0, openness=0.5, rewire=0.0,
                 people=None):  # fmt: skip
        self.kind = kind
        self.mean_degree = mean_degree
        self.openness = openness
        self.rewire = rewire
        self.people = people
        if kind not in KINDS:
            raise InvalidParameterError("kind", f"must be one of {', '.join(KINDS)}. Got {kind!r}.")
        if not self.alone:
            named("rewire", lambda: check_scalar(rewire, "rewire", "network", low=0.0, high=1.0))
            return
        n = named("people", lambda: check_scalar(people, "headcount", "org", kind=int, low=2))
        self.people = n
        if kind == "small_world":
            degree = mean_degree
            if degree != int(degree) or int(degree) % 2 or not 0 <= degree <= n - 1:
                raise InvalidParameterError(
                    "mean_degree",
                    f"a small world ties each person to an even number of lattice neighbours, "
                    f"at most org.headcount - 1. Got {degree!r}.",
                )
            named("rewire", lambda: small_world(2, 0, rewire))
        elif kind == "erdos_renyi":
            named("mean_degree", lambda: check_scalar(mean_degree, "mean_degree", "network",
                                                      low=0.0, high=n - 1))  # fmt: skip

    @property
    def alone(self) -> bool:
        """Whether the network stands alone (no org chart, no hierarchy)."""
        return self.kind != "informal"

    def draw(self, seed=None) -> Network:
        """The network alone, drawn from ``seed`` (an int or a numpy Generator)."""
        n = self.people
        if self.kind == "erdos_renyi":
            return erdos_renyi(n, self.mean_degree, seed=seed)
        if self.kind == "small_world":
            return small_world(n, int(self.mean_degree), self.rewire, seed=seed)
        if self.kind == "complete":
            return complete(n)
        raise ValueError("informal ties are drawn with their org (sim.org.informal_ties)")

    def __repr__(self):
        return (
            f"NetworkSpec({self.kind!r}, mean_degree={self.mean_degree!r}, openness="
            f"{self.openness!r}, rewire={self.rewire!r}, people={self.people!r})"
        )
