"""The 2x2 rollout study: pilot or company-wide x hierarchical or decentralized, per culture.

Runs the four corner presets (``configs/rollout/{company_wide,pilot}_{hierarchical,
decentralized}.yaml``, which share the same levers) on a generated 2,000-person
company (``org=midsize``), 30 replications each, under each culture of
``configs/culture/``; prints the metrics with 95 % confidence intervals and the
ranking of the strategies by the headline metric, and writes the table to
``results/rollout_2x2/summary.csv`` (every run to ``runs.csv``).

    python3 experiments/rollout_2x2.py [--cultures traditional,humanized]
        [--replications 30] [--seed 0] [--out results/rollout_2x2]

The configs are composed with Hydra exactly as ``orgsim`` composes them, so
``orgsim -m +experiment=rollout_2x2 culture=traditional,humanized`` runs the
same scenarios into a store.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from hydra import compose, initialize_config_dir

from sim.conf import CONFIG_DIR, build, register
from sim.metrics import intervals

ROOT = Path(__file__).resolve().parent.parent
CORNERS = (
    "company_wide_hierarchical",
    "company_wide_decentralized",
    "pilot_hierarchical",
    "pilot_decentralized",
)
#: The headline: contributor-weeks per person over the year (the share of people
#: who comment, summed over the weeks). It rewards reaching people early and far.
HEADLINE = "auc_fraction_weeks_contribute"
METRICS = {
    "final_fraction_consume": "reading at 12 mo",
    "final_fraction_contribute": "contributing at 12 mo",
    "weeks_to_50pct_consume": "weeks to 50 % reading",
    HEADLINE: "contributor-weeks",
    "lapses_consume": "drop-outs",
    "units_above_50pct_contribute": "units >= 50 % contributing",
    "unit_gini_contribute": "Gini across units",
    "cost_total": "cost (person-days)",
    "adopters_per_cost_contribute": "contributors per person-day",
}


def scenario(culture, corner, seed, replications):
    """The composed config's scenario for one culture and corner."""
    overrides = [
        "+experiment=rollout_2x2",
        f"culture={culture}",
        f"rollout={corner}",
        f"seed={seed}",
        f"replications={replications}",
    ]
    cfg = compose("config", overrides=overrides)
    return build(cfg)


def write_csv(frame, target):
    """Write beside the target, then rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".csv")
    with os.fdopen(fd, "w") as handle:
        frame.to_csv(handle, index=False)
    os.replace(tmp, target)


def study(cultures, replications, seed):
    """Every culture x corner: (runs, summary) DataFrames."""
    runs, rows = [], []
    for culture in cultures:
        for corner in CORNERS:
            started = time.perf_counter()
            result, _ = scenario(culture, corner, seed, replications).run(seed, replications)
            result.insert(0, "strategy", corner)
            result.insert(0, "culture", culture)
            runs.append(result)
            table = intervals(result, list(METRICS))
            for metric, row in table.iterrows():
                rows.append(
                    {"culture": culture, "strategy": corner, "metric": metric, "mean": row["mean"],
                     "ci95": row["ci95"], "runs": int(row["runs"])}
                )  # fmt: skip
            elapsed = time.perf_counter() - started
            print(f"  {culture:<12} {corner:<27} {replications} runs in {elapsed:.1f} s",
                  file=sys.stderr)  # fmt: skip
    return pd.concat(runs, ignore_index=True), pd.DataFrame(rows)


def show(summary):
    """Print one table per culture and the ranking by the headline metric."""
    for culture, table in summary.groupby("culture", sort=False):
        cells = table.assign(
            cell=[
                f"{m:.3g} ± {c:.2g}" if n else "never"
                for m, c, n in zip(table["mean"], table["ci95"], table["runs"], strict=True)
            ]
        )
        wide = cells.pivot(index="metric", columns="strategy", values="cell")
        wide = wide.loc[list(METRICS), list(CORNERS)]
        wide.index = [METRICS[m] for m in wide.index]
        wide.columns = [
            c.replace("company_wide", "company-wide").replace("_", " ") for c in CORNERS
        ]
        print(f"\nculture = {culture}  (mean ± 95 % CI over replications)")
        print(wide.to_string())
        head = table[table["metric"] == HEADLINE].set_index("strategy")["mean"]
        half = table[table["metric"] == HEADLINE].set_index("strategy")["ci95"]
        print(
            f"ranking by {METRICS[HEADLINE]}: {' > '.join(head.sort_values(ascending=False).index)}"
        )
        pilots = head[[c for c in CORNERS if c.startswith("pilot")]]
        company = head[[c for c in CORNERS if c.startswith("company_wide")]]
        best_pilot, best_company = pilots.idxmax(), company.idxmax()
        winner, loser = (best_pilot, best_company) if pilots.max() > company.max() else (
            best_company, best_pilot)  # fmt: skip
        apart = head[winner] - half[winner] > head[loser] + half[loser]
        scope = "pilot" if winner == best_pilot else "company-wide"
        how = (
            "the 95 % intervals do not overlap" if apart else "within the noise: intervals overlap"
        )
        print(f"{scope} wins: {winner} {head[winner]:.3g} vs {loser} {head[loser]:.3g} ({how})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cultures", default="traditional,humanized",
                        help="culture presets (configs/culture), comma-separated")  # fmt: skip
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "rollout_2x2")
    args = parser.parse_args(argv)
    cultures = [c.strip() for c in args.cultures.split(",") if c.strip()]
    known = sorted(p.stem for p in (CONFIG_DIR / "culture").glob("*.yaml"))
    unknown = [c for c in cultures if c not in known]
    if unknown or args.replications < 2:
        what = f"no culture preset {unknown[0]!r} (presets: {', '.join(known)})" if unknown else (
            "--replications must be at least 2 for a confidence interval")  # fmt: skip
        print(f"rollout_2x2: {what}", file=sys.stderr)
        return 2
    register()
    with initialize_config_dir(str(CONFIG_DIR), version_base=None):
        runs, summary = study(cultures, args.replications, args.seed)
    show(summary)
    write_csv(runs, args.out / "runs.csv")
    write_csv(summary, args.out / "summary.csv")
    print(f"\nwrote {args.out / 'summary.csv'} and {args.out / 'runs.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
