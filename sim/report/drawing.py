"""What every figure of the report shares: the pairing columns, behaviors in words, the
required columns, a legend only where something is labelled, the strategy colours, panels,
and Student's t bands (:func:`sim.stats.group_intervals`, as the ranking's intervals)."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.metrics import BEHAVIOR_NAMES
from sim.results.keys import PAIR, pair_keys
from sim.results.labels import palette
from sim.stats import group_intervals

__all__ = [
    "PAIR",
    "behavior_name",
    "behaviors_drawn",
    "colours_for",
    "legend",
    "mean_interval",
    "need",
    "pair_keys",
    "panels",
]


def behavior_name(behavior) -> str:
    """A behavior in words (``consume`` -> reading); others as they are."""
    return BEHAVIOR_NAMES.get(behavior, str(behavior))


def need(frame, columns, owner):
    """Raise ValueError naming the first of ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{owner}: no column {missing[0]!r} in the table.")


def legend(ax, **options):
    """A legend when something is labelled (a panel with no data has nothing to name)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", **options)


def colours_for(given, strategies) -> dict:
    """The colours given, else each strategy's own (:func:`sim.results.palette`)."""
    return given if given is not None else palette(strategies)


def mean_interval(frame, by, value, confidence=0.95) -> pd.DataFrame:
    """Mean, Student's t half-width and count of ``value`` per ``by`` (NaN left out):
    :func:`sim.stats.group_intervals`."""
    return group_intervals(frame, by, value, confidence)


def behaviors_drawn(frame, behaviors) -> list:
    """The behaviors given, else those of ``frame`` in order of appearance."""
    return list(behaviors) if behaviors is not None else list(dict.fromkeys(frame["behavior"]))


def panels(n, width=4.6, height=3.6):
    """A figure of ``n`` panels side by side, and its axes."""
    fig = Figure(figsize=(width * n, height), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    return fig, axes
