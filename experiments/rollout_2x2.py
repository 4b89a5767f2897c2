"""The 2x2 rollout study: pilot or company-wide x hierarchical or decentralized, per culture.

A fair comparison (docs/model.md §1): the four corner presets
(``configs/rollout/{company_wide,pilot}_{hierarchical,decentralized}.yaml``) spend
the same budget (``change_team``: half a person-day per person), and replication
``r`` of every corner runs on the same org, the same people and the same weekly
draws (common random numbers), so the differences between corners are paired.
On a generated 2,000-person company (``org=midsize``), 30 replications each,
under each culture of ``configs/culture/``; prints every metric with its 95 %
interval, the paired differences against company-wide hierarchical, and the
verdict: which corner leads, and whether the best pilot and the best
company-wide launch can be told apart (how many replications would separate
them when they cannot). ``--robustness`` adds the verdict under each of
``VARIANTS`` (other org sizes and seeds, horizons, no pilot learning, kappa 0 and
1, manager weight at both ends of its range, champions by degree, a one-week
pilot, a rewired network), marking the variants that break it, as a table for
docs/rollout.md (``robustness.md``).

    python3 experiments/rollout_2x2.py [--cultures traditional,default,humanized]
        [--replications 30] [--seed 0] [--robustness] [--out results/rollout_2x2]

Writes ``summary.csv``, ``differences.csv``, ``runs.csv`` (and ``robustness.csv``, ``.md``)
to ``--out``. The configs are composed with Hydra exactly as ``orgsim`` composes
them, so ``orgsim -m +experiment=rollout_2x2 culture=traditional,default,humanized``
runs the same scenarios into a store.
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from hydra import compose, initialize_config_dir

from sim.compare import paired_differences, separating_replications
from sim.conf import CONFIG_DIR, build, register
from sim.metrics import intervals, metric_label
from sim.store import StoreError, write_atomic

ROOT = Path(__file__).resolve().parent.parent
CORNERS = (
    "company_wide_hierarchical",
    "company_wide_decentralized",
    "pilot_hierarchical",
    "pilot_decentralized",
)
REFERENCE = "company_wide_hierarchical"
#: The headline: contributor-weeks per person over the run (the share of people who
#: comment, summed over the weeks). It rewards reaching people early and far.
HEADLINE = "auc_fraction_weeks_contribute"
#: The share contributing at the end only: a verdict should hold on both.
FINAL = "final_fraction_contribute"
#: The table's metrics, in its order, in words (sim.metrics' vocabulary, as every report).
METRICS = {
    name: metric_label(name, short=True)
    for name in (
        "final_fraction_consume",
        FINAL,
        "final_fraction_create",
        "weeks_to_50pct_consume",
        HEADLINE,
        "units_above_50pct_consume",
        "cost_total",
        "adopters_per_cost_contribute",
    )
}
#: Variants of the robustness table: name -> config overrides (DESIGN §1: other org sizes and
#: seeds, horizons, kappa at both ends, no pilot learning, manager weight at the ends of the
#: range the facts allow, champions by degree, a one-week pilot, a rewired network).
VARIANTS = {
    "as configured": [],
    "500 people": ["org.headcount=500"],
    "20,000 people": ["org.headcount=20000"],
    "org seed 1": ["org.seed=1"],
    "org seed 2": ["org.seed=2"],
    "26 weeks": ["steps=26"],
    "52 weeks": ["steps=52"],
    "no pilot learning": ["rollout.pilot_learning=0"],
    "kappa 0 (the message alone)": ["rule.commitment_coverage=0"],
    "kappa 1 (commitment by coverage)": ["rule.commitment_coverage=1"],
    # The range the facts allow (python3 experiments/fit_defaults.py --walk rule.manager_weight):
    # from 0 to between the shipped 0.011 and 0.1, where Rogers' innovators go on one company.
    "manager weight 0": ["rule.manager_weight=0"],
    "manager weight 0.1": ["rule.manager_weight=0.1"],
    "champions by degree": ["rollout.champion_choice=degree"],
    "one-week pilot": ["rollout.expand_week=1"],
    "rewired network": ["network.rewire=1"],
}


def scenario(culture, corner, seed, replications, extra=()):
    """The composed config's scenario for one culture and corner."""
    overrides = [
        "+experiment=rollout_2x2",
        f"culture={culture}",
        f"rollout={corner}",
        f"seed={seed}",
        f"replications={replications}",
        *extra,
    ]
    return build(compose("config", overrides=overrides))


def write_csv(frame, target):
    """Write beside the target, then rename, as the store does (StoreError on failure)."""
    write_atomic(Path(target), lambda path: frame.to_csv(path, index=False))


def run_all(cultures, replications, seed, extra=(), quiet=False):
    """Every culture x corner: one DataFrame of runs (``culture``, ``strategy`` first)."""
    runs = []
    for culture in cultures:
        for corner in CORNERS:
            started = time.perf_counter()
            result, _ = scenario(culture, corner, seed, replications, extra).run(seed, replications)
            result.insert(0, "strategy", corner)
            result.insert(0, "culture", culture)
            runs.append(result)
            if not quiet:
                elapsed = time.perf_counter() - started
                print(f"  {culture:<12} {corner:<27} {replications} runs in {elapsed:.1f} s",
                      file=sys.stderr)  # fmt: skip
    return pd.concat(runs, ignore_index=True)


def summarize(runs):
    """Mean and 95 % interval of every metric per culture and corner (long format)."""
    rows = []
    for (culture, corner), group in runs.groupby(["culture", "strategy"], sort=False):
        for metric, row in intervals(group, list(METRICS)).iterrows():
            rows.append({"culture": culture, "strategy": corner, "metric": metric,
                         "mean": row["mean"], "ci95": row["ci95"],
                         "runs": int(row["runs"])})  # fmt: skip
    return pd.DataFrame(rows)


def differences(runs):
    """Paired differences of each corner against the reference, per culture and metric."""
    tables = [
        paired_differences(
            runs,
            metric,
            by="strategy",
            reference=REFERENCE,
            pair_on=("replication",),
            within=["culture"],
        )
        for metric in (HEADLINE, FINAL)
    ]
    return pd.concat(tables, ignore_index=True)


def verdict(runs, culture):
    """One culture's verdict: (best corner, scope verdict line, row of numbers)."""
    mine = runs[runs["culture"] == culture]
    means = mine.groupby("strategy")[HEADLINE].mean()
    best = means.idxmax()
    pilot = means[[c for c in CORNERS if c.startswith("pilot")]].idxmax()
    company = means[[c for c in CORNERS if c.startswith("company_wide")]].idxmax()
    rows = {}
    for metric in (HEADLINE, FINAL):
        table = paired_differences(mine, metric, by="strategy", reference=company,
                                   pair_on=("replication",))  # fmt: skip
        rows[metric] = table.set_index("strategy").loc[pilot]
    head = rows[HEADLINE]
    if head["separated"]:
        scope = "pilot" if head["mean_difference"] > 0 else "company-wide"
        line = f"{scope} first"
    else:
        need = separating_replications(mine, HEADLINE, pilot, company, by="strategy",
                                       pair_on=("replication",))  # fmt: skip
        line = "pilot and company-wide cannot be told apart" + (
            f" ({need} paired replications would separate them)" if need else ""
        )
    final = rows[FINAL]
    agree = "; on contributing at the end too" if final["separated"] and (
        (final["mean_difference"] > 0) == (head["mean_difference"] > 0)) else (
        "; not on contributing at the end" if head["separated"] else "")  # fmt: skip
    numbers = {
        "culture": culture,
        "best": best,
        "best_pilot": pilot,
        "best_company_wide": company,
        "pilot_minus_company_wide": head["mean_difference"],
        "ci_low": head["ci_low"],
        "ci_high": head["ci_high"],
        "final_difference": final["mean_difference"],
        "final_ci_low": final["ci_low"],
        "final_ci_high": final["ci_high"],
        "verdict": line + (agree if head["separated"] else ""),
    }
    return numbers


def show(summary, diffs, verdicts):
    """Print one table per culture, the paired differences and the verdict."""
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
        wide.columns = [c.replace("company_wide", "company-wide").replace("_", " ")
                        for c in CORNERS]  # fmt: skip
        print(f"\nculture = {culture}  (mean ± 95 % CI over replications, equal budget)")
        print(wide.to_string())
        mine = diffs[(diffs["culture"] == culture) & (diffs["metric"] == HEADLINE)]
        print(f"paired differences against {REFERENCE} ({METRICS[HEADLINE]}, 95 % CI):")
        for _, row in mine.iterrows():
            mark = "" if row["separated"] else "  (cannot be told apart)"
            print(f"  {row['strategy']:<27} {row['mean_difference']:+.3g} "
                  f"[{row['ci_low']:+.3g}, {row['ci_high']:+.3g}]{mark}")  # fmt: skip
        v = next(v for v in verdicts if v["culture"] == culture)
        print(f"verdict: {v['verdict']}: best pilot ({v['best_pilot']}) minus best company-wide "
              f"({v['best_company_wide']}) {v['pilot_minus_company_wide']:+.3g} "
              f"[{v['ci_low']:+.3g}, {v['ci_high']:+.3g}] {METRICS[HEADLINE]}; "
              f"leading corner {v['best']}")  # fmt: skip


def robustness(cultures, replications, seed):
    """The verdict of each culture under each variant (``VARIANTS``), with ``breaks``: the
    leading corner or the scope verdict differs from the one as configured."""
    rows = []
    for name, extra in VARIANTS.items():
        started = time.perf_counter()
        runs = run_all(cultures, replications, seed, extra, quiet=True)
        for culture in cultures:
            rows.append({"variant": name, **verdict(runs, culture)})
        print(f"  robustness: {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return mark_breaks(pd.DataFrame(rows))


def mark_breaks(table):
    """``breaks``: the leading corner or the scope verdict (pilot first, company-wide first,
    or cannot be told apart, whatever replications would separate them) differs from the
    one as configured."""

    def scope(verdicts):
        return verdicts.str.split(";").str[0].str.split(" (", regex=False).str[0]

    base = table[table["variant"] == "as configured"].set_index("culture")
    table["breaks"] = (table["best"] != table["culture"].map(base["best"])) | (
        scope(table["verdict"]) != table["culture"].map(scope(base["verdict"])))  # fmt: skip
    return table


def robustness_markdown(table) -> str:
    """The robustness table as docs/rollout.md shows it: a row per variant, a column per
    culture (the leading corner, the pilot-minus-company-wide difference), broken verdicts
    in bold."""
    cultures = list(dict.fromkeys(table["culture"]))
    lines = ["| variant | " + " | ".join(cultures) + " |",
             "|---|" + "---|" * len(cultures)]  # fmt: skip
    for variant, rows in table.groupby("variant", sort=False):
        cells = []
        for culture in cultures:
            row = rows[rows["culture"] == culture].iloc[0]
            text = (f"{row['best'].replace('_', ' ')}; pilot − company-wide "
                    f"{row['pilot_minus_company_wide']:+.2f} [{row['ci_low']:+.2f}, "
                    f"{row['ci_high']:+.2f}]")  # fmt: skip
            cells.append(f"**{text} (breaks)**" if row["breaks"] else text)
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cultures", default="traditional,default,humanized",
                        help="culture presets (configs/culture), comma-separated")  # fmt: skip
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--robustness", action="store_true",
                        help="also the verdict under each variant (a few minutes)")  # fmt: skip
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
        runs = run_all(cultures, args.replications, args.seed)
        summary, diffs = summarize(runs), differences(runs)
        verdicts = [verdict(runs, c) for c in cultures]
        show(summary, diffs, verdicts)
        tables = {"runs.csv": runs, "summary.csv": summary, "differences.csv": diffs}
        if args.robustness:
            table = robustness(cultures, args.replications, args.seed)
            print("\nrobustness: the verdict under each variant")
            print(table[["variant", "culture", "best", "verdict", "breaks"]].to_string(index=False))
            tables["robustness.csv"] = table
    try:
        for name, frame in tables.items():
            write_csv(frame, args.out / name)
        if "robustness.csv" in tables:
            text = robustness_markdown(tables["robustness.csv"])
            write_atomic(args.out / "robustness.md", lambda path: Path(path).write_text(text))
    except StoreError as error:
        print(f"rollout_2x2: {error}", file=sys.stderr)
        return 1
    print(f"\nwrote {', '.join(tables)} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
