"""Does ``orgsim calibrate`` tell the truth? Simulation-based calibration and held-out weeks.

For each of ``--cases`` companies drawn from the calibration's prior (a parameter set of the
shipped posterior, culture dials, an analytics detection rate), orgsim writes the pilot file
that company's analytics would show (its own seed, apart from the calibration's) and calibrates
on it as ``orgsim calibrate`` does:

- **coverage** (simulation-based calibration, Talts et al. 2018): how often each parameter's
  90 % interval holds the truth, with how much the pilot narrowed it; a calibration that tells
  the truth covers it in about 90 % of cases (80-97 % with 20-40 cases), and a parameter it
  barely narrows is one a pilot of that length cannot pin;
- **held-out weeks**: calibrated on the first ``--train`` weeks only, the posterior's predictive
  bands for the last weeks of the file (what the analytics will show), and how often they hold
  what the analytics did show.

    python3 experiments/pilot_validation.py [--cases 20] [--weeks 12] [--train 8]
        [--population 200] [--generations 10] [--min-acceptance 0.03] [--workers 2]
        [--out results/pilot_validation]

The calibrations are ``orgsim calibrate``'s defaults, without its time budget (which depends on
the machine).

Writes ``coverage.csv``, ``heldout.csv``, ``cases.csv`` and ``pilot-validation.png`` to
``--out`` and prints the tables (docs/calibrate.md shows them).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "experiments" / "data"))

OVERRIDES = ("rollout=sales_support_pilot", "rollout.expand_week=13")


def _study(seed=0, pilot=None):
    from make_pilot import study_of

    found = study_of(OVERRIDES, seed=seed)
    found.pilot = pilot
    return found


def _headcount(org):
    return {u: int(np.count_nonzero(org.unit == i)) for i, u in enumerate(org.unit_names)}


def _calibrate(study, database, population, generations, seed, min_acceptance):
    return study.calibrate(database, population=population, generations=generations, seed=seed,
                           min_acceptance=min_acceptance)  # fmt: skip


def one_case(case, weeks, train, population, generations, min_acceptance) -> dict:
    """Calibrate on case ``case``'s whole pilot and on its first ``train`` weeks."""
    from make_pilot import truth as draw_truth

    from sim.calibrate import fit
    from sim.calibrate.pilot import read_pilot

    began = time.monotonic()
    maker = _study(seed=10_000 + case)  # the truth's own draws
    planted = draw_truth(maker, seed=case)
    where = Path(tempfile.mkdtemp(prefix=f"case{case}-"))
    maker.synthetic(planted, weeks).to_csv(where / "pilot.csv", index=False)
    pilot = read_pilot(where / "pilot.csv", _headcount(maker.org))
    study = _study(pilot=pilot)
    particles = _calibrate(study, where / "all.db", population, generations, case,
                           min_acceptance)  # fmt: skip
    full = study.table(particles)
    values = study.values(planted) | {"detection": planted["detection"]}
    rows = []
    for name in study.parameters():
        low, high = fit.weighted_interval(full[name], full["weight"], 0.9)
        rows.append({"case": case, "parameter": name, "truth": values[name], "low": low,
                     "high": high, "inside": bool(low <= values[name] <= high)})  # fmt: skip
    # held out: the first weeks only, then the rest of the file predicted
    early = _study(pilot=pilot.truncated(train))
    head = _calibrate(early, where / "early.db", population, generations, case, min_acceptance)
    rng = np.random.default_rng([case, 7])
    picks = early.pick(head, 50, rng)
    later = _study(pilot=pilot)  # predicts every week of the file
    predicted = later.predictive(picks)
    check = fit.check_table(pilot, predicted)
    check = check[check["week"] > train]
    check["inside50"] = (check["q25"] <= check["observed"]) & (check["observed"] <= check["q75"])
    return {"case": case, "coverage": rows, "truth": planted,
            "heldout90": float(check["inside"].mean()),
            "heldout50": float(check["inside50"].mean()),
            "heldout_rows": len(check), "seconds": time.monotonic() - began,
            "simulations": int(particles.attrs["simulations"]),
            "generations": int(particles.attrs["generations"]),
            "epsilon": float(particles.attrs["epsilon"])}  # fmt: skip


def _run(job):
    return one_case(*job)


def summarise(results, prior_widths) -> tuple[pd.DataFrame, pd.DataFrame]:
    cases = pd.DataFrame([{k: v for k, v in r.items() if k not in ("coverage", "truth")}
                          for r in results])  # fmt: skip
    rows = pd.DataFrame([row for r in results for row in r["coverage"]])
    rows["width"] = rows["high"] - rows["low"]
    coverage = rows.groupby("parameter", sort=False).agg(
        coverage=("inside", "mean"), width=("width", "mean"), cases=("inside", "size")
    )
    coverage["narrowed"] = 1 - coverage["width"] / pd.Series(prior_widths)
    coverage = coverage.reset_index().sort_values("narrowed", ascending=False, ignore_index=True)
    return coverage, cases


def figure(coverage, cases):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 6.5), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(3, 1))
    y = np.arange(len(coverage))
    left.barh(y, 100 * coverage["coverage"], color="#4c72b0", height=0.6)
    left.axvspan(80, 97, color="0.9", zorder=0)
    left.set_yticks(y, [f"{p} ({100 * n:.0f} %)" for p, n in
                        zip(coverage["parameter"], coverage["narrowed"], strict=True)],
                    fontsize=7)  # fmt: skip
    left.invert_yaxis()
    left.set_xlabel("% of cases whose 90 % interval holds the truth")
    left.set_title("Coverage per parameter (in brackets: how much the pilot narrowed it)",
                   fontsize=9)  # fmt: skip
    right.boxplot([100 * cases["heldout90"], 100 * cases["heldout50"]],
                  tick_labels=["90 % band", "50 % band"])  # fmt: skip
    right.axhline(90, color="0.5", linestyle=":")
    right.axhline(50, color="0.5", linestyle=":")
    right.set_ylabel("% of held-out unit-weeks inside")
    right.set_title("Held-out weeks", fontsize=9)
    return fig


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--train", type=int, default=8)
    parser.add_argument("--population", type=int, default=200)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--min-acceptance", type=float, default=0.03)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "results" / "pilot_validation"))
    args = parser.parse_args(argv)
    if not 1 <= args.train < args.weeks:
        print("pilot_validation: need 1 <= --train < --weeks", file=sys.stderr)
        return 2
    jobs = [(c, args.weeks, args.train, args.population, args.generations, args.min_acceptance)
            for c in range(args.cases)]  # fmt: skip
    began = time.monotonic()
    results = []
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for found in pool.imap_unordered(_run, jobs):
            results.append(found)
            print(f"case {found['case']}: {sum(r['inside'] for r in found['coverage'])} of "
                  f"{len(found['coverage'])} inside; held out {100 * found['heldout90']:.0f} % "
                  f"({found['seconds']:.0f} s)", flush=True)  # fmt: skip
    results.sort(key=lambda r: r["case"])
    from make_pilot import study_of

    from sim.calibrate import fit

    study = study_of(OVERRIDES)
    prior = study.prior_sample(20_000, np.random.default_rng(0))
    widths = {}
    for name in study.parameters():
        low, high = fit.weighted_interval(prior[name], prior["weight"], 0.9)
        widths[name] = high - low
    coverage, cases = summarise(results, widths)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    coverage.to_csv(out / "coverage.csv", index=False)
    cases.to_csv(out / "cases.csv", index=False)
    (out / "truths.json").write_text(json.dumps([r["truth"] for r in results], indent=1))
    figure(coverage, cases).savefig(out / "pilot-validation.png", dpi=110)
    pd.set_option("display.width", 160)
    print(coverage.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"held out (weeks {args.train + 1}-{args.weeks}): 90 % bands hold "
          f"{100 * cases['heldout90'].mean():.0f} % of the unit-weeks, 50 % bands "
          f"{100 * cases['heldout50'].mean():.0f} %; {args.cases} cases in "
          f"{time.monotonic() - began:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
