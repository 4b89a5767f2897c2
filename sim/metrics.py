"""Summaries of a run's adoption table (DESIGN §5), one flat record per run.

Names carry their unit: ``weeks_to_50pct_consume`` is a number of weeks,
``final_fraction_consume`` a share of everyone. A threshold never reached
gives NaN weeks, so that means over replications skip it visibly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SHARES", "summary"]

#: Shares of everyone for the ``weeks_to_*`` metrics.
SHARES = (0.25, 0.5, 0.8)


def summary(adoption) -> dict:
    """One flat record from ``model.adoption`` (columns step, behavior, fraction, lapses).

    Per behavior: ``final_fraction``, ``peak_fraction``, ``weeks_to_25pct``,
    ``weeks_to_50pct``, ``weeks_to_80pct`` (first week the share is reached,
    NaN if never), ``mean_fraction`` (area under the curve over the weeks
    after week 0, divided by their number) and ``lapses`` (total drop-outs).
    """
    record = {}
    for behavior, curve in adoption.groupby("behavior", sort=False):
        steps = curve["step"].to_numpy()
        fraction = curve["fraction"].to_numpy()
        record[f"final_fraction_{behavior}"] = float(fraction[-1])
        record[f"peak_fraction_{behavior}"] = float(fraction.max())
        for share in SHARES:
            reached = np.flatnonzero(fraction >= share)
            weeks = float(steps[reached[0]]) if reached.shape[0] else float("nan")
            record[f"weeks_to_{round(share * 100)}pct_{behavior}"] = weeks
        later = fraction[steps > 0]
        record[f"mean_fraction_{behavior}"] = (
            float(later.mean()) if later.shape[0] else float("nan")
        )
        record[f"lapses_{behavior}"] = int(curve["lapses"].sum())
    return record


def intervals(runs, columns=None):
    """Mean and 95 % confidence half-width (normal approximation) of ``runs``' metrics.

    Returns a DataFrame indexed by metric with columns ``mean``, ``ci95`` and
    ``runs`` (replications that reached a value: NaN weeks are left out).
    """
    import pandas as pd

    columns = [c for c in runs.columns if c != "replication"] if columns is None else columns
    values = runs[columns].astype(float)
    count = values.count()
    spread = values.std(ddof=1).fillna(0.0)
    half = 1.96 * spread / np.sqrt(count.clip(lower=1))
    return pd.DataFrame({"mean": values.mean(), "ci95": half, "runs": count})
