"""The columns that pair runs, and the rows of one context: what every reader of results
shares (:mod:`sim.results.runs` re-exports them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PAIR", "in_context", "missing", "pair_keys"]

#: The columns that pair runs across strategies: the same replication of the same seed.
PAIR = ["seed", "replication"]


def pair_keys(frame) -> list:
    """The columns that pair ``frame``'s runs across strategies: :data:`PAIR`, and the
    posterior draw first where the runs ran on several (an ensemble: common random numbers
    per draw and replication)."""
    if "draw" in frame.columns and frame["draw"].notna().any():
        return ["draw", *PAIR]
    return list(PAIR)


def in_context(frame, where: dict) -> pd.DataFrame:
    """The rows of ``frame`` whose axes hold ``where``'s values (unset matches unset)."""
    mask = np.ones(len(frame), dtype=bool)
    for axis, value in where.items():
        column = frame[axis]
        mask &= column.isna().to_numpy() if missing(value) else (column == value).to_numpy()
    return frame[mask]


def missing(value) -> bool:
    """Whether an axis's value is unset (None, NaN or NA): such values match each other."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))
