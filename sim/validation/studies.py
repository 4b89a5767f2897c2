"""The validation studies a store may hold, found by their experiment's name.

A run's row names the experiment it came from (the ``experiment`` column);
for each known study this module gives the report's section and the lines the
terminal prints at the end of its sweep, beside what the paper found.
"""

from __future__ import annotations

import sys

__all__ = ["STUDIES", "has_studies", "print_studies", "sections"]


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
    for name in STUDIES:
        if name in names:
            found[name] = runs[runs["experiment"] == name]
    return found


_BASS_BY = ["network", "rule.well_mixed"]


def _bass(results, runs):
    """The Bass comparison table (mean curve per variant beside the recursion and the
    closed form), its coefficients, and the largest error per variant."""
    from sim.validation import bass

    p, q = float(runs["rule.p"].iloc[0]), float(runs["rule.q"].iloc[0])
    curves = _curves(results, runs)
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


def _curves(results, runs, columns=None):
    """The time series of ``runs`` (only ``columns`` of it, when given)."""
    from sim import store

    wanted = None if columns is None else {"timeseries": ["config_hash", *columns]}
    curves = store.load(results.store, tables=("timeseries",), columns=wanted)["timeseries"]
    return curves[curves["config_hash"].isin(set(runs["config_hash"]))]


def _riot_text(table) -> str:
    nobody = table[table["moved"].isna()]
    moved = table.dropna(subset=["moved"])
    text = ""
    if len(nobody):
        row = nobody.iloc[0]
        text += (f"Thresholds evenly spaced over {int(row['people'])} people: {row['rioters']:.0f} "
                 f"riot (Granovetter: {int(row['paper'])}). ")  # fmt: skip
    if len(moved):
        agree = int((moved["rioters"] == moved["paper"]).sum())
        one = moved[moved["moved"] == 1]
        if len(one):
            row = one.iloc[0]
            text += (f"Moving the threshold-1 person to {row['moved_threshold']:g}: "
                     f"{row['rioters']:.0f} riot (Granovetter: {int(row['paper'])}). ")  # fmt: skip
        text += (f"Moving one person's threshold up, rank by rank, the riot stops where the "
                 f"paper's arithmetic says in {agree} of {len(moved)} cases.")  # fmt: skip
    return text.strip()


def _normal_text(table) -> str:
    from sim.validation import granovetter

    first = table.iloc[0]
    n, mean = int(first["people"]), float(first["theta"])
    critical = granovetter.critical_spread(n, mean)
    below = table[table["spread"] < critical]
    above = table[table["spread"] > critical]
    text = (f"Normal thresholds with mean {mean:g} among {n}: by Granovetter's arithmetic the "
            f"equilibrium jumps from {granovetter.normal_equilibrium(n, mean, critical - 0.05):.1f}"
            f" to {granovetter.normal_equilibrium(n, mean, critical + 0.05):.1f} rioters at a "
            f"spread of {critical:.2f}. ")  # fmt: skip
    if len(below) and len(above):
        lo, hi = below.iloc[-1], above.iloc[0]
        text += (
            f"orgsim, drawing {int(lo['runs'])} crowds per spread: most of the crowd riots "
            f"in {100 * lo['most']:.0f} % of them at spread {lo['spread']:g} and in "
            f"{100 * hi['most']:.0f} % at {hi['spread']:g}; a drawn crowd of {n} is not "
            "its expected distribution, so the jump is smeared over a range of spreads."
        )
    return text.strip()


def _stylised_text(table) -> str:
    sets = [c for c in table.columns if c.startswith("seed ")]
    missed = table.loc[~table["met"], "fact"].tolist()
    rows = table.set_index("fact")

    def values(fact, scale=1.0, digits=1):
        return " / ".join(f"{scale * rows.loc[fact, s]:.{digits}f}" for s in sets)

    text = (f"{len(sets)} sets of replications ({', '.join(sets)}): Bass fit of the mean reach "
            f"curve q/p = {values('bass_q_over_p')} (meta-analysis 12.7; imitation dominates); "
            f"Rogers' innovators {values('rogers_innovators', 100)} % (2.5 %), early adopters "
            f"{values('rogers_early_adopters', 100)} % (13.5 %), early majority "
            f"{values('rogers_early_majority', 100)} % (34 %), late majority "
            f"{values('rogers_late_majority', 100)} % (34 %), laggards "
            f"{values('rogers_laggards', 100)} % (16 %); contributors among users "
            f"{values('contributors_of_users', 100)} % and creators "
            f"{values('creators_of_users', 100)} % (\"90-9-1\": 9 % and 1 %); half the company "
            f"reading after {values('weeks_to_50pct_consume', digits=0)} weeks. ")  # fmt: skip
    if missed:
        return text + f"Outside their target ranges: {', '.join(missed)}."
    return text + "Every fact is within its target range in every set."


def _contagion_text(table) -> str:
    parts = []
    for theta, own in table.groupby("theta", sort=True):
        first, last = own.iloc[0], own.iloc[-1]
        parts.append(f"needing {theta:g} adopting tie(s): {100 * first['final_share']:.0f} % "
                     f"adopt on the lattice (rewire {first['rewire']:g}), "
                     f"{100 * last['final_share']:.0f} % with every tie rewired "
                     f"(rewire {last['rewire']:g})")  # fmt: skip
    return "; ".join(parts) + "."


# -- the studies: (the terminal's line, the report's blocks after it) --------------------


def _blocks(line, table, name, make, caption) -> list:
    """A study's section: its line, its table, its figure."""
    return [("text", line), ("table", table), ("figure", name, make, caption)]


def _watts_study(results, runs):
    from sim.validation import watts

    table, window = _watts(runs)
    shown = table.assign(frequency=table["frequency"].round(3), size=table["size"].round(3))
    line = _window_text(window)
    return line, [
        ("text", _WATTS_TEXT.format(cutoff=watts.CUTOFF) + line),
        ("table", window.round(3)),
        ("figure", "watts", lambda t=table: watts.figure(t), _WATTS_CAPTION),
        ("table", shown),
    ]


def _bass_study(results, runs):
    from sim.validation import bass

    table, errors, p, q = _bass(results, runs)
    line = _bass_text(errors, p, q)
    caption = (
        "Mean share of adopters per week over the runs of each variant, beside the "
        "discrete Bass recursion and the continuous closed form."
    )
    return line, _blocks(
        line,
        errors.round(4),
        "bass",
        lambda t=table, p=p, q=q: bass.figure(t, _BASS_BY, p, q),
        caption,
    )


def _contagion_study(results, runs):
    from sim.validation import contagion

    table = contagion.spread(runs)
    line = _contagion_text(table)
    caption = (
        "How far and how fast a behavior travels on a ring lattice as ties are rewired "
        "at random: one adopting tie enough (simple) or two needed (complex)."
    )
    return line, _blocks(
        line, table.round(3), "contagion", lambda t=table: contagion.figure(t), caption
    )


def _riot_study(results, runs):
    from sim.validation import granovetter

    table = granovetter.riot(runs)
    curves = _curves(results, runs, ["replication", "step", "adopters", "rule.moved"])
    line = _riot_text(table)
    caption = (
        "Rioters week by week, and where the riot stops when one person's threshold "
        "moves up, beside Granovetter's arithmetic on the same thresholds."
    )
    return line, _blocks(
        line, table, "riot", lambda t=table, c=curves: granovetter.riot_figure(t, c), caption
    )


def _normal_study(results, runs):
    from sim.validation import granovetter

    table = granovetter.sensitivity(runs)
    line = _normal_text(table)
    caption = (
        "Rioters at the end against the spread of normally distributed thresholds: "
        "drawn crowds in orgsim beside the expected distribution's equilibrium."
    )
    return line, _blocks(
        line,
        table.round(3),
        "riot_normal",
        lambda t=table: granovetter.sensitivity_figure(t),
        caption,
    )


def _stylised_study(results, runs):
    from sim.validation import stylised

    wanted = ["seed", "replication", "step", "behavior", "fraction", "reach"]
    curves = _curves(results, runs, wanted)
    measured = stylised.measure(runs, curves)
    table = stylised.table(measured)
    line = _stylised_text(table)
    caption = (
        "The facts the defaults are fitted to, per set of replications: the mean "
        "reach curve (who ever read) and its discrete Bass fit, Rogers' adopter categories, and "
        "participation among users; black: the literature, grey: the target range."
    )
    return line, _blocks(
        line,
        table.drop(columns="source").round(4),
        "facts",
        lambda m=measured, c=curves: stylised.figure(m, c),
        caption,
    )


#: Per experiment: the report's title, who the terminal's line quotes, and the study.
_STUDIES = {
    "watts_cascades": ("Watts (2002), global cascades on random networks", "Watts (2002)",
                       _watts_study),
    "bass_1969": ("Bass (1969), innovation and imitation", "Bass (1969)", _bass_study),
    "centola_macy": ("Centola & Macy (2007), complex contagions", "Centola & Macy (2007)",
                     _contagion_study),
    "granovetter_riot": ("Granovetter (1978), the riot", "Granovetter (1978)", _riot_study),
    "granovetter_normal": ("Granovetter (1978), normal thresholds", "Granovetter (1978)",
                           _normal_study),
    "stylised_facts": ("the stylised facts of the defaults", "Stylised facts", _stylised_study),
}  # fmt: skip
#: The studies, by the name of their experiment (``configs/experiment/<name>.yaml``).
STUDIES = tuple(_STUDIES)


def _studies(results):
    for name, runs in _found(results).items():
        title, who, study = _STUDIES[name]
        line, blocks = study(results, runs)
        yield f"Validation: {title}", who, line, blocks


def sections(results) -> list:
    """The report's sections for the validation studies among ``results``' runs."""
    return [(title, blocks) for title, _, _, blocks in _studies(results)]


def print_studies(results, file=None) -> None:
    """One paragraph per validation study: what orgsim got beside what the paper found."""
    file = file or sys.stdout
    for _, who, line, _ in _studies(results):
        print(f"{who}: {line}", file=file)


def has_studies(results) -> bool:
    """Whether ``results`` hold runs of a validation study."""
    return bool(_found(results))
