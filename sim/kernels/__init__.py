"""Numba kernels: pure functions over numpy arrays.

This package imports nothing from the rest of ``sim`` (nor Mesa, Hydra or
pandas), so the kernels can be tested, profiled and reused on their own.
"""

from sim.kernels.adoption import (
    bass_decide,
    threshold_decide,
    tie_count,
    undecided_neighbours,
)
from sim.kernels.cascade import cascade_attempts
from sim.kernels.graph import MERGE_MAX, MERGE_SUM, build_csr, row_sums

__all__ = [
    "MERGE_MAX",
    "MERGE_SUM",
    "bass_decide",
    "build_csr",
    "cascade_attempts",
    "row_sums",
    "threshold_decide",
    "tie_count",
    "undecided_neighbours",
]
