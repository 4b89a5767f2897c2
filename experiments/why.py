"""Why the winner wins: the 2x2's leader against its runner-up, one channel switched off at a time.

The four corners run with every channel on; the two best by the metric are then run again with
each channel off for both (``CHANNELS``: a weight or effect set to 0), on the same org, people
and weekly draws (common random numbers), and ``sim.results.attribute_lead`` says how much of
the lead each channel carries: the lead without it, the paired difference, its share. One
channel at a time: where channels act together, the shares need not sum to 1.

    python3 experiments/why.py [--culture humanized] [--replications 20] [--seed 0]
        [--headcount 2000] [--steps 104] [--metric auc_fraction_weeks_contribute]
        [--out results/why]

Writes ``why.csv`` to ``--out`` (atomically) and prints the table. The configs are composed
with Hydra as ``orgsim`` composes them.
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from sim.conf import compose_scenario
from sim.results.ranking import rank
from sim.results.why import attribute_lead
from sim.store import StoreError, write_csv

ROOT = Path(__file__).resolve().parent.parent
CORNERS = ("company_wide_hierarchical", "company_wide_decentralized", "pilot_hierarchical",
           "pilot_decentralized")  # fmt: skip

#: The channels of docs/model.md §1, each with the overrides that switch it off for everyone.
CHANNELS = {
    "peers": ["rule.peer_weight=0"],
    "managers' endorsement": ["rule.manager_weight=0"],
    "commitment": ["rule.commitment_weight=0"],
    "visibility": ["rule.visibility_weight=0"],
    "collective identity": ["rule.identity_weight=0"],
    "content": ["rule.content_weight=0"],
    "ownership": ["rule.ownership_weight=0"],
    "training": ["rule.training_effect=0"],
    "pilot learning": ["rule.learning_effect=0"],
}


def _runs(overrides, seed, replications, **labels) -> pd.DataFrame:
    return compose_scenario(overrides).run(seed, replications)[0].assign(seed=seed, **labels)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--culture", default="humanized")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--headcount", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=104)
    parser.add_argument("--metric", default="auc_fraction_weeks_contribute")
    parser.add_argument("--out", default=str(ROOT / "results" / "why"))
    args = parser.parse_args(argv)
    if args.replications < 2:
        print("why: --replications must be at least 2 (an interval needs two)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    common = [f"org.headcount={args.headcount}", f"steps={args.steps}",
              f"culture={args.culture}"]  # fmt: skip
    full = pd.concat([_runs([*common, f"rollout={c}"], args.seed, args.replications,
                            strategy=c, channel="none") for c in CORNERS])  # fmt: skip
    if args.metric not in full.columns:
        print(f"why: --metric {args.metric!r} is not a column of the runs", file=sys.stderr)
        return 2
    ranking = rank(full, args.metric)
    leader, runner_up = ranking["strategy"].iloc[0], ranking["strategy"].iloc[1]
    off = [_runs([*common, f"rollout={s}", *overrides], args.seed, args.replications,
                 strategy=s, channel=name)
           for name, overrides in CHANNELS.items() for s in (leader, runner_up)]  # fmt: skip
    runs = pd.concat([full[full["strategy"].isin([leader, runner_up])], *off])
    table = attribute_lead(runs, args.metric, leader, runner_up).assign(
        leader=leader, runner_up=runner_up, culture=args.culture, metric=args.metric,
        headcount=args.headcount, steps=args.steps, seed=args.seed)  # fmt: skip
    lead = table["lead"].iloc[0]
    print(f"{args.culture}: {leader} leads {runner_up} by {lead:+.3f} ({args.metric}, "
          f"{args.replications} paired replications)")  # fmt: skip
    for row in table.itertuples(index=False):
        print(
            f"  {row.channel:<24} without it {row.lead_without:+.3f}; gone {row.gone:+.3f} "
            f"[{row.gone_low:+.3f}, {row.gone_high:+.3f}] ({100 * row.share:.0f} % of the lead)"
        )
    out = Path(args.out)
    try:
        write_csv(table, out / "why.csv")
    except StoreError as error:
        print(f"why: {error}", file=sys.stderr)
        return 1
    print(f"table: {out / 'why.csv'} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
