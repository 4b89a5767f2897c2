"""Centola & Macy (2007): long ties speed simple contagions and stop complex ones.

A behavior that needs two adopting ties (a complex contagion) crosses from
one neighbourhood to the next only over wide bridges: the overlapping ties
of a clustered lattice. Rewiring ties at random makes the network smaller
(short paths) but thins those bridges; a simple contagion (one tie enough)
gains from the shortcuts, a complex one loses.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["figure", "spread"]


def spread(runs) -> pd.DataFrame:
    """Per threshold and rewiring: the final share (mean), weeks to half the people
    (mean over the runs that got there) and how many runs got there."""
    out = runs.groupby(["rule.theta", "network.rewire"], sort=True).agg(
        runs=("final_fraction_adopt", "size"),
        final_share=("final_fraction_adopt", "mean"),
        weeks_to_half=("weeks_to_50pct_adopt", "mean"),
        reached_half=("weeks_to_50pct_adopt", "count"),
    )
    return out.reset_index().rename(columns={"rule.theta": "theta", "network.rewire": "rewire"})


def figure(table):
    """Final share and weeks to half against the share of ties rewired, per threshold."""
    import seaborn as sns
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.2), layout="constrained")
    far, fast = figure.subplots(1, 2, sharex=True)
    thetas = sorted(table["theta"].unique())
    colours = dict(zip(thetas, sns.color_palette("colorblind", len(thetas)), strict=True))
    for theta, own in table.groupby("theta", sort=True):
        label = f"needs {theta:g} adopting tie{'s' if theta != 1 else ''}"
        far.plot(own["rewire"], 100 * own["final_share"], "o-", color=colours[theta], label=label)
        fast.plot(own["rewire"], own["weeks_to_half"], "o-", color=colours[theta], label=label)
    for ax in (far, fast):
        ax.set_xscale("symlog", linthresh=1e-3)
        ax.set_xlabel("share of ties rewired at random")
    far.set_ylabel("adopters at the end (% of people)")
    fast.set_ylabel("weeks to half the people (runs that got there)")
    far.legend(fontsize="small")
    return figure
