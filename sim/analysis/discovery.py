"""Scenario discovery: the regions of the uncertainty space where something happens,
described as boxes (ranges of a few parameters) with their coverage and density.

- :func:`prim_box` — PRIM (Friedman & Fisher 1999) from EMA Workbench, the
  field's reference implementation (the ``analysis`` extra): peel the
  sampled worlds down to a box where the outcome of interest (a strategy
  wins) is frequent. orgsim picks the box on PRIM's peeling trajectory with
  the highest coverage among those whose density reaches ``threshold``,
  then drops each restriction whose quasi-p-value (EMA's ``qp``) exceeds
  ``significance``: a bound that a random box would draw as often explains
  nothing.
- :func:`cart_leaves` — a classification tree from scikit-learn, where PRIM
  does not fit: several outcomes at once (which strategy wins, among all),
  each leaf a box.

*Coverage* is the share of all the worlds of interest that fall in the box;
*density* the share of the box's worlds that are of interest.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Box", "cart_leaves", "prim_available", "prim_box"]


@dataclass(frozen=True)
class Box:
    """A box of the uncertainty space.

    Attributes
    ----------
    limits : DataFrame
        One row per restricted parameter: ``parameter``, ``low``, ``high``
        (inclusive) and ``qp`` (PRIM's quasi-p-value of the restriction, NaN
        for CART).
    coverage, density : float
        Share of the worlds of interest inside; share of the inside of interest.
    worlds, hits : int
        Worlds inside the box, and how many of them are of interest.
    method : str
        ``"prim"`` or ``"cart"``.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    worlds: int
    hits: int
    method: str

    def describe(self, fmt=lambda v: f"{v:.3g}") -> str:
        """``culture.trust <= 0.42 and culture.open >= 0.31`` (``anywhere sampled`` when the
        box restricts nothing)."""
        parts = []
        for row in self.limits.itertuples(index=False):
            lower, upper = row.low_restricted, row.high_restricted
            if lower and upper:
                parts.append(f"{fmt(row.low)} <= {row.parameter} <= {fmt(row.high)}")
            elif lower:
                parts.append(f"{row.parameter} >= {fmt(row.low)}")
            elif upper:
                parts.append(f"{row.parameter} <= {fmt(row.high)}")
        return " and ".join(parts) if parts else "anywhere sampled"


def prim_available() -> bool:
    """Whether EMA Workbench's PRIM can be imported (the ``analysis`` extra)."""
    try:
        _prim()
    except ImportError:
        return False
    return True


def _prim():
    import logging

    with warnings.catch_warnings():
        # EMA Workbench announces optional parallel back ends it does not find.
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.ERROR)
    return prim


def _limits(x, low, high, qp=None) -> pd.DataFrame:
    """The restricted parameters of a box given by per-column ``low``/``high`` arrays."""
    lo_all, hi_all = x.min().to_numpy(), x.max().to_numpy()
    rows = []
    for j, name in enumerate(x.columns):
        low_r, high_r = bool(low[j] > lo_all[j]), bool(high[j] < hi_all[j])
        if low_r or high_r:
            rows.append(
                {
                    "parameter": name,
                    "low": float(low[j]),
                    "high": float(high[j]),
                    "low_restricted": low_r,
                    "high_restricted": high_r,
                    "qp": np.nan if qp is None else float(qp.get(name, np.nan)),
                }
            )
    return pd.DataFrame(
        rows, columns=["parameter", "low", "high", "low_restricted", "high_restricted", "qp"]
    )


def _inside(x, low, high) -> np.ndarray:
    values = x.to_numpy(dtype=np.float64)
    return np.all((values >= low) & (values <= high), axis=1)


def prim_box(x, y, *, threshold=0.8, significance=0.05, mass_min=0.05) -> Box | None:
    """The PRIM box of the worlds ``x`` (DataFrame, a column per uncertainty) where ``y``
    (bool per world) holds; None when no box on the trajectory reaches ``threshold``
    density or ``y`` never holds."""
    x = x.reset_index(drop=True).astype(np.float64)
    y = np.asarray(y, dtype=bool)
    if not y.any():
        return None
    prim = _prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, threshold=threshold, mass_min=mass_min)
        box = finder.find_box()
        trajectory = box.peeling_trajectory
        good = trajectory[trajectory["density"] >= threshold]
        if good.empty:
            return None
        best = good.sort_values(["coverage", "res_dim"], ascending=[False, True], kind="stable")
        i = int(best.index[0])
        box.select(i)
        _, limits = box.inspect(i, style="data")[0]
        qp = limits.xs("qp value", axis=1, level=1)
        worst = qp.min(axis=1, skipna=True)  # the stronger of a dimension's two bounds
        for name, p in worst.items():
            if p > significance:
                box.drop_restriction(name)
        lims = box.box_lim
    low, high = lims.iloc[0].to_numpy(dtype=np.float64), lims.iloc[1].to_numpy(dtype=np.float64)
    low = pd.Series(low, index=lims.columns).reindex(x.columns).to_numpy()
    high = pd.Series(high, index=lims.columns).reindex(x.columns).to_numpy()
    inside = _inside(x, low, high)
    kept = {name: float(worst.get(name, np.nan)) for name in x.columns}
    return Box(
        _limits(x, low, high, kept),
        float(y[inside].sum() / y.sum()),
        float(y[inside].mean()) if inside.any() else 0.0,
        int(inside.sum()),
        int(y[inside].sum()),
        "prim",
    )


def cart_leaves(x, labels, *, max_depth=3, min_share=0.05, seed=0) -> pd.DataFrame:
    """A classification tree of ``labels`` (one per world) over ``x``: one row per leaf.

    Columns: ``label`` (the leaf's most frequent label), ``box``
    (:class:`Box` of the leaf, coverage and density for that label),
    ``coverage``, ``density``, ``worlds``. Leaves hold at least ``min_share``
    of the worlds (and 5), so that a leaf is a region, not a world.
    """
    from sklearn.tree import DecisionTreeClassifier

    x = x.reset_index(drop=True).astype(np.float64)
    labels = np.asarray(labels).astype(str)
    leaf_size = max(5, int(np.ceil(min_share * x.shape[0])))
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=leaf_size, random_state=seed
    ).fit(x.to_numpy(), labels)
    t = tree.tree_
    leaf_of = tree.apply(x.to_numpy())
    rows = []

    def walk(node, low, high):
        if t.children_left[node] == -1:
            inside = leaf_of == node
            counts = pd.Series(labels[inside]).value_counts()
            label = counts.index[0]
            hits = int(counts.iloc[0])
            total = int((labels == label).sum())
            box = Box(
                _limits(x, low, high),
                hits / total,
                hits / int(inside.sum()),
                int(inside.sum()),
                hits,
                "cart",
            )
            rows.append(
                {
                    "label": label,
                    "box": box,
                    "coverage": box.coverage,
                    "density": box.density,
                    "worlds": box.worlds,
                }
            )
            return
        j, cut = t.feature[node], t.threshold[node]
        left_high = high.copy()
        left_high[j] = min(high[j], cut)
        walk(t.children_left[node], low, left_high)
        right_low = low.copy()
        right_low[j] = max(low[j], np.nextafter(cut, np.inf))
        walk(t.children_right[node], right_low, high)

    walk(0, x.min().to_numpy().copy(), x.max().to_numpy().copy())
    table = pd.DataFrame(rows, columns=["label", "box", "coverage", "density", "worlds"])
    return table.sort_values(["label", "density"], ascending=[True, False], ignore_index=True)
