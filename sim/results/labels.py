"""What people read: values as they were written, strategies and contexts by name,
intervals in their metric's unit, and one colour per strategy in every figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import format_metric, lookup

__all__ = [
    "CULTURE_DIALS",
    "FIXED",
    "HUES",
    "context_label",
    "culture_dials",
    "format_interval",
    "format_value",
    "palette",
    "strategy_labels",
]


def format_value(value) -> str:
    """A swept value as the user wrote it: ``0.3``, not ``0.30000000000000004``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "none"
        return format(float(value), ".12g")
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "none"
    return str(value)


def format_interval(metric, row, runs) -> str:
    """One metric of :func:`sim.metrics.intervals` (``row``) over ``runs`` runs, for people,
    in the metric's format (:data:`sim.metrics.METRICS`): shares in percent, cost in whole
    person-days, runs that never reached a share counted."""
    if row["runs"] == 0:
        return "never"
    found = lookup(metric)
    kind = found[0].format if found else "number"
    if kind == "person-days":
        return f"{row['mean']:,.0f} person-days"
    if kind == "percent":
        return f"{format_metric(metric, row['mean'])} ± {100 * row['ci95']:.1f}"
    value = f"{row['mean']:.3g} ± {row['ci95']:.2g}"
    if kind == "weeks" and row["runs"] < runs:
        value += f" ({runs - int(row['runs'])} never)"
    return value


def context_label(where: dict) -> str:
    """``culture=traditional, org.headcount=500`` for a context's axes and values."""
    return ", ".join(f"{axis}={format_value(value)}" for axis, value in where.items())


#: The dials a culture is made of (docs/model.md §1), named beside a culture's name.
CULTURE_DIALS = ("open", "trust", "generative", "courage")


def culture_dials(runs, where: dict) -> str:
    """``open 0.8, trust 0.8, generative 0.8, courage 0.8``: what the culture a context names
    means, read from its runs' ``culture.<dial>`` columns; empty when ``where`` has no
    ``culture`` axis, or a dial is missing or differs among the runs (then it is an axis
    of its own, or the name alone says nothing certain)."""
    if "culture" not in where or runs.empty:
        return ""
    said = []
    for dial in CULTURE_DIALS:
        column = f"culture.{dial}"
        if column not in runs or column in where:
            continue
        values = runs[column].dropna().unique()
        if len(values) != 1:
            continue
        said.append(f"{dial} {format_value(values[0])}")
    return ", ".join(said)


def strategy_labels(runs, levers) -> pd.Series:
    """Each run's strategy: its rollout preset, plus the lever values that vary
    among runs of one preset (``pilot (training_share=0.02)``)."""
    preset = runs["rollout"].astype(str) if "rollout" in runs else pd.Series("", index=runs.index)
    extra = [c for c in levers if c != "rollout"]
    if not extra:
        return preset
    parts = [
        runs[c].map(lambda v, c=c: f"{c.removeprefix('rollout.')}={format_value(v)}") for c in extra
    ]
    detail = parts[0]
    for part in parts[1:]:
        detail = detail + ", " + part
    return preset + " (" + detail + ")"


#: The shipped rollouts, each with its own colour of seaborn's colour-blind palette, the same
#: in every report whatever else a store holds (configs/rollout/; a new one goes last).
FIXED = ("company_wide", "pilot", "company_wide_hierarchical", "pilot_decentralized",
         "company_wide_decentralized", "pilot_hierarchical", "pilot_waves", "safe_space",
         "change_team", "top_down_campaign")  # fmt: skip
#: Other strategies (another preset, a preset with lever values) draw from this many hues.
HUES = 24


def palette(strategies) -> dict:
    """A colour per strategy, keyed by its name: the same strategy has the same colour in
    every report (:data:`FIXED` ones their own; any other a hue picked by its name, moved to
    the next free hue only where two names of one report pick the same)."""
    import zlib

    import seaborn as sns

    names = list(dict.fromkeys(strategies))
    fixed = dict(zip(FIXED, sns.color_palette("colorblind", len(FIXED)), strict=True))
    hues = sns.color_palette("husl", HUES)
    taken, colours = set(), {}
    for name in sorted(n for n in names if n not in fixed):
        hue = zlib.crc32(str(name).encode()) % HUES
        while hue in taken and len(taken) < HUES:
            hue = (hue + 1) % HUES
        taken.add(hue)
        colours[name] = hues[hue]
    return {name: fixed[name] if name in fixed else colours[name] for name in names}
