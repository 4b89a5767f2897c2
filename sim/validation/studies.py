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
    for name in ("watts_cascades", "bass_1969", "centola_macy"):
        if name in names:
            found[name] = runs[runs["experiment"] == name]
    return found


_BASS_BY = ["network", "rule.well_mixed"]


def _bass(results, runs):
    """The Bass comparison table (mean curve per variant beside the recursion and the
    closed form), its coefficients, and the largest error per variant."""
    from sim.validation import bass

    p, q = float(runs["rule.p"].iloc[0]), float(runs["rule.q"].iloc[0])
    from sim import store

    curves = store.load(results.store, tables=("timeseries",))["timeseries"]
    curves = curves[curves["config_hash"].isin(set(runs["config_hash"]))]
    table = bass.compare(curves, p, q, _BASS_BY)
    table["error"] = table["fraction"] - table["recursion"]
    errors = (
        table.groupby(_BASS_BY, sort=True)
        .agg(
            week_10=("fraction", lambda s: float(s.iloc[min(10, len(s) - 1)])),
            largest_error=("error", lambda e: float(e.abs().max())),
        )
        .reset_index()
    )
    return table, errors, p, q


def _bass_text(errors, p, q) -> str:
    from sim.validation import bass

    mixed = errors[errors["rule.well_mixed"]]
    rest = errors[~errors["rule.well_mixed"]]
    text = (f"p = {p:g}, q = {q:g}: at week 10 the discrete recursion gives "
            f"{bass.recursion(p, q, 10)[10]:.3f}, the continuous formula "
            f"{float(bass.closed_form(p, q, 10)):.3f}. ")  # fmt: skip
    if len(mixed):
        text += (f"Well mixed, orgsim gives {mixed['week_10'].mean():.3f} (largest gap to the "
                 f"recursion over the weeks: {mixed['largest_error'].max():.4f}). ")  # fmt: skip
    for row in rest.itertuples(index=False):
        text += (
            f"On the {row.network} network (imitation sees only one's ties): {row.week_10:.3f}. "
        )
    return text.strip()


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
        if name == "bass_1969":
            from sim.validation import bass

            table, errors, p, q = _bass(results, runs)
            blocks = [
                ("text", _bass_text(errors, p, q)),
                ("table", errors.round(4)),
                ("figure", "bass", lambda t=table, p=p, q=q: bass.figure(t, _BASS_BY, p, q),
                 "Mean share of adopters per week over the runs of each variant, beside the "
                 "discrete Bass recursion and the continuous closed form."),
            ]  # fmt: skip
            out.append(("Validation: Bass (1969), innovation and imitation", blocks))
        if name == "centola_macy":
            from sim.validation import contagion

            table = contagion.spread(runs)
            blocks = [
                ("text", _contagion_text(table)),
                ("table", table.round(3)),
                ("figure", "contagion", lambda t=table: contagion.figure(t),
                 "How far and how fast a behavior travels on a ring lattice as ties are rewired "
                 "at random: one adopting tie enough (simple) or two needed (complex)."),
            ]  # fmt: skip
            out.append(("Validation: Centola & Macy (2007), complex contagions", blocks))
    return out


def _contagion_text(table) -> str:
    parts = []
    for theta, own in table.groupby("theta", sort=True):
        first, last = own.iloc[0], own.iloc[-1]
        parts.append(f"needing {theta:g} adopting tie(s): {100 * first['final_share']:.0f} % "
                     f"adopt on the lattice (rewire {first['rewire']:g}), "
                     f"{100 * last['final_share']:.0f} % with every tie rewired "
                     f"(rewire {last['rewire']:g})")  # fmt: skip
    return "; ".join(parts) + "."


def print_studies(results, file=None) -> None:
    """One paragraph per validation study: what orgsim got beside what the paper found."""
    file = file or sys.stdout
    for name, runs in _found(results).items():
        if name == "watts_cascades":
            _, window = _watts(runs)
            print(f"Watts (2002): {_window_text(window)}", file=file)
        if name == "bass_1969":
            _, errors, p, q = _bass(results, runs)
            print(f"Bass (1969): {_bass_text(errors, p, q)}", file=file)
        if name == "centola_macy":
            from sim.validation import contagion

            print(f"Centola & Macy (2007): {_contagion_text(contagion.spread(runs))}", file=file)


def has_studies(results) -> bool:
    """Whether ``results`` hold runs of a validation study."""
    return bool(_found(results))
