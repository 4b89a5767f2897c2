"""What each mechanism does, measured: a dial turned from one value to another, on common draws.

docs/model.md §1 asks that every dial move outcomes measurably through the mechanism it names. For
each mechanism below, replication ``r`` of both settings runs on the same org, the same people and
the same weekly draws, so the difference in contributor-weeks (or another metric) is paired, with a
95 % t interval over replications. A row says whether the interval excludes 0 and in which direction
the dial moves the outcome, beside the direction the model's claims argue for.

    python3 experiments/mechanisms.py [--only identity,rewire] [--replications 20] [--seed 0]
        [--headcount 2000] [--steps 52] [--culture default] [--out results/mechanisms]

Writes ``mechanisms.csv`` to ``--out`` (atomically; a finished file is replaced only by a finished
one) and prints the table. The configs are composed with Hydra as ``orgsim`` composes them.
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from sim.conf import compose_scenario
from sim.stats import paired_interval
from sim.store import StoreError, write_csv

ROOT = Path(__file__).resolve().parent.parent
METRIC = "auc_fraction_weeks_contribute"

#: name: (rollouts, off overrides, on overrides, the direction DESIGN §1 argues: +1 more, -1 less).
MECHANISMS = {
    "identity": (
        ("company_wide_decentralized", "company_wide_hierarchical"),
        ["rule.identity_weight=0"], ["rule.identity_weight=0.2"], +1,
    ),
    "identification": (
        ("company_wide_decentralized",),
        ["rule.identity_weight=0.2", "culture.identification_mean=0.2"],
        ["rule.identity_weight=0.2", "culture.identification_mean=0.8"], +1,
    ),
    "endorse_share": (
        ("company_wide_decentralized",),
        ["culture.endorse_share=0"], ["culture.endorse_share=0.5"], +1,
    ),
    "rewire": (
        ("company_wide_decentralized", "company_wide_hierarchical"),
        ["network.rewire=0"], ["network.rewire=1"], -1,
    ),
    "network_openness": (
        ("pilot_decentralized",),
        ["network.openness=0.2"], ["network.openness=0.8"], +1,
    ),
    "open": (
        ("company_wide_decentralized", "company_wide_hierarchical"),
        ["culture.open=0.2"], ["culture.open=0.8"], +1,
    ),
    "bridging_champions": (
        ("company_wide_decentralized",),
        ["rollout.champion_choice=random"], ["rollout.champion_choice=bridging"], +1,
    ),
    "pilot_learning": (
        ("pilot_decentralized",),
        ["rollout.pilot_learning=0"], ["rollout.pilot_learning=1"], +1,
    ),
}  # fmt: skip


def _runs(overrides, seed, replications):
    return compose_scenario(overrides).run(seed, replications)[0]


def measure(name, args) -> list[dict]:
    """The rows of one mechanism: one per rollout."""
    rollouts, off, on, argued = MECHANISMS[name]
    rows = []
    for rollout in rollouts:
        common = [f"org.headcount={args.headcount}", f"steps={args.steps}",
                  f"culture={args.culture}", f"rollout={rollout}"]  # fmt: skip
        a = _runs(common + off, args.seed, args.replications)
        b = _runs(common + on, args.seed, args.replications)
        iv = paired_interval(b[args.metric].to_numpy() - a[args.metric].to_numpy())
        clear = iv.low > 0 or iv.high < 0
        rows.append({
            "mechanism": name, "rollout": rollout, "culture": args.culture,
            "off": " ".join(off), "on": " ".join(on), "metric": args.metric,
            "mean_off": a[args.metric].mean(), "mean_on": b[args.metric].mean(),
            "difference": iv.mean, "low": iv.low, "high": iv.high,
            "replications": args.replications, "headcount": args.headcount,
            "steps": args.steps, "seed": args.seed, "clear": clear,
            "as_argued": clear and (iv.mean > 0) == (argued > 0),
        })  # fmt: skip
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(MECHANISMS))
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--headcount", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=52)
    parser.add_argument("--culture", default="default")
    parser.add_argument("--metric", default=METRIC)
    parser.add_argument("--out", default=str(ROOT / "results" / "mechanisms"))
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in MECHANISMS]
    if unknown:
        print(f"mechanisms: --only names {unknown[0]!r}, not one of {', '.join(MECHANISMS)}",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.replications < 2:
        print("mechanisms: --replications must be at least 2 (an interval needs two)",
              file=sys.stderr)  # fmt: skip
        return 2
    rows = []
    for name in names:
        started = time.perf_counter()
        for row in measure(name, args):
            rows.append(row)
            print(f"{row['mechanism']:<20} {row['rollout']:<28} {row['mean_off']:7.3f} -> "
                  f"{row['mean_on']:7.3f}  {row['difference']:+.3f} "
                  f"[{row['low']:+.3f}, {row['high']:+.3f}]"
                  f"{'  as argued' if row['as_argued'] else ('  AGAINST' if row['clear'] else '')}",
                  flush=True)  # fmt: skip
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    out = Path(args.out)
    frame = pd.DataFrame(rows)
    try:
        write_csv(frame, out / "mechanisms.csv")
    except StoreError as error:
        print(f"mechanisms: {error}", file=sys.stderr)
        return 1
    print(f"table: {out / 'mechanisms.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
