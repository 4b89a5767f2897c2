"""Watts (2002): the window of mean degree in which one seed can start a global cascade.

On a random graph where a node of degree ``k`` adopts once a share ``phi`` of
its neighbours has, a node is *vulnerable* when a single adopting neighbour
suffices: ``k <= floor(1 / phi)``. Global cascades are possible when the
vulnerable nodes percolate, which for a degree distribution ``p_k`` is
Watts's condition (his eq. 8 with ``rho_k`` the vulnerable share of degree
``k``)::

    sum_k k (k - 1) rho_k p_k = z        (z: the mean degree)

The left side minus ``z`` is positive inside the window. For an Erdős–Rényi
graph ``p_k`` is Poisson with mean ``z``, and :func:`cascade_window` finds
both edges as the roots of the condition, computed here rather than typed in.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["cascade_condition", "cascade_window"]


def cascade_condition(z, phi) -> float:
    """``sum_k k (k - 1) rho_k p_k - z`` on an Erdős–Rényi graph of mean degree ``z``;
    positive where global cascades are possible."""
    if not 0 < phi <= 1:
        raise ValueError(f"The 'phi' parameter of cascade_condition must be in (0, 1]. Got {phi}.")
    if z <= 0:
        return 0.0
    vulnerable = math.floor(1.0 / phi)
    k = np.arange(2, vulnerable + 1, dtype=np.float64)
    log_p = -z + k * math.log(z) - np.array([math.lgamma(x + 1) for x in k])
    return float(np.sum(k * (k - 1) * np.exp(log_p)) - z)


def cascade_window(phi, z_max=60.0, step=0.01) -> tuple[float, float]:
    """The lower and upper mean degree between which the cascade condition holds.

    Scans ``(0, z_max]`` by ``step`` for sign changes and refines each with
    Brent's method. Raises ValueError when there is no window (``phi`` above
    1/2: nobody is vulnerable with two or more ties).
    """
    from scipy.optimize import brentq

    grid = np.arange(step, z_max + step, step)
    values = np.array([cascade_condition(z, phi) for z in grid])
    crossings = np.flatnonzero(np.sign(values[:-1]) != np.sign(values[1:]))
    if crossings.shape[0] < 2:
        raise ValueError(f"No cascade window for phi = {phi}: nobody is vulnerable enough.")
    low, high = (
        brentq(cascade_condition, grid[i], grid[i + 1], args=(phi,)) for i in crossings[[0, -1]]
    )
    return float(low), float(high)
