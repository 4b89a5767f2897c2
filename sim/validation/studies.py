"""The validation studies a store may hold, found by their experiment's name.

A run's row names the experiment it came from (the ``experiment`` column);
for each known study this module gives the report's section and the lines the
terminal prints at the end of its sweep, beside what the paper found.
"""

from __future__ import annotations

import sys

__all__ = ["has_studies", "print_studies", "sections"]


def _watts(runs):
    from sim.validation import watts

    table = watts.cascades(runs)
    return table, watts.observed_window(table)


def _window_text(window) -> str:
    parts = [
        f"phi = {r.phi:g}: global cascades observed for z from {r.observed_low:g} to "
        f"{r.observed_high:g}; Watts's condition gives {r.analytic_low:.2f} to "
        f"{r.analytic_high:.2f}"
        for r in window.itertuples(index=False)
    ]
    return "; ".join(parts) + "."


def _found(results) -> dict:
    runs = results.runs
    if "experiment" not in runs:
        return {}
    names = set(runs["experiment"].dropna())
    found = {}
    if "watts_cascades" in names:
        found["watts_cascades"] = runs[runs["experiment"] == "watts_cascades"]
    return found


_WATTS_TEXT = (
    "Erdős–Rényi networks (a new one per run), one random initial adopter, everyone with "
    "threshold phi. A run is a global cascade when it passes {cutoff:.0%} of the people. "
)
_WATTS_CAPTION = (
    "How often one seed starts a global cascade (95 % Wilson band) and how large it grows, "
    "against the mean degree z; shaded: the window Watts's cascade condition gives for each phi."
)


def sections(results) -> list:
    """The report's sections for the validation studies among ``results``' runs."""
    from sim.validation import watts

    out = []
    for name, runs in _found(results).items():
        if name == "watts_cascades":
            table, window = _watts(runs)
            shown = table.assign(frequency=table["frequency"].round(3), size=table["size"].round(3))
            text = _WATTS_TEXT.format(cutoff=watts.CUTOFF) + _window_text(window)
            blocks = [
                ("text", text),
                ("table", window.round(3)),
                ("figure", "watts", lambda t=table: watts.figure(t), _WATTS_CAPTION),
                ("table", shown),
            ]
            out.append(("Validation: Watts (2002), global cascades on random networks", blocks))
    return out


def print_studies(results, file=None) -> None:
    """One paragraph per validation study: what orgsim got beside what the paper found."""
    file = file or sys.stdout
    for name, runs in _found(results).items():
        if name == "watts_cascades":
            _, window = _watts(runs)
            print(f"Watts (2002): {_window_text(window)}", file=file)


def has_studies(results) -> bool:
    """Whether ``results`` hold runs of a validation study."""
    return bool(_found(results))
