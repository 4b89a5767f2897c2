"""The one source of randomness of a run.

A run owns one :class:`numpy.random.Generator`; everything random in it, the
network generators and the kernels' draws included, takes that generator.
"""

import numbers

import numpy as np


def make_rng(seed=None):
    """Return a Generator for ``seed``.

    Parameters
    ----------
    seed : None, int, numpy.random.SeedSequence or numpy.random.Generator
        An existing Generator is returned as is (so callers can share a run's
        stream); anything else seeds a new one. None draws fresh OS entropy and
        is therefore not reproducible.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not (
        seed is None or isinstance(seed, numbers.Integral | np.random.SeedSequence)
    ):
        raise TypeError(
            "seed must be None, a non-negative int, a numpy SeedSequence or a "
            f"numpy.random.Generator. Got {seed!r} instead."
        )
    if isinstance(seed, numbers.Integral) and seed < 0:
        raise ValueError(f"seed must be a non-negative int. Got {seed!r} instead.")
    return np.random.default_rng(seed)
