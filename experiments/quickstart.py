"""Quick start: a generated company takes up a social intranet, then the classics.

First the organizational rule (consume -> contribute -> create) on a generated
10,000-person company under three cultures, company-wide launch; then a
threshold, a Bass and an independent-cascade rule on one small world. Prints
how far and how fast each spread and writes the curves to
``results/quickstart/organization.csv`` and ``results/quickstart/adoption.csv``.

    python3 experiments/quickstart.py [--people 10000] [--weeks 52] [--seed 7]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim import Culture, OrgModel, networks, rules
from sim import org as orgs
from sim.store import write_atomic

ROOT = Path(__file__).resolve().parent.parent


def weeks_to(table, share):
    """First week at which the adopted fraction reaches ``share``, or None."""
    reached = table.loc[table.fraction >= share, "step"]
    return None if reached.empty else int(reached.iloc[0])


def write_csv(frame, target):
    """Write beside the target, then rename, as the store does (following the umask)."""
    write_atomic(Path(target), lambda path: frame.to_csv(path, index=False))


def organization(args):
    """The organizational rule on a generated company, under three cultures."""
    cultures = {"traditional": 0.3, "middling": 0.5, "humanized": 0.8}
    tables = []
    print(f"{'culture':<12} {'consume':>8} {'contribute':>11} {'create':>7} {'weeks to 50%':>13}")
    for name, dial in cultures.items():
        company = orgs.generate(args.people, openness=dial, seed=args.seed)
        model = OrgModel(
            org=company,
            rule=rules.Organizational(),
            culture=Culture(open=dial, trust=dial, generative=dial, courage=dial),
            initial_adopters=0.01,
            seed=args.seed,
        )
        table = model.run(args.weeks).adoption.assign(culture=name)
        tables.append(table)
        final = table[table.step == args.weeks].set_index("behavior").fraction
        consume = table[table.behavior == "consume"]
        print(
            f"{name:<12} {final['consume']:>8.1%} {final['contribute']:>11.1%} "
            f"{final['create']:>7.1%} {weeks_to(consume, 0.5)!s:>13}"
        )
    print(f"({company!r}, dials all set to the culture's value)\n")
    return pd.concat(tables, ignore_index=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "quickstart")
    args = parser.parse_args(argv)
    if args.people < 20 or args.weeks < 1:
        parser.error("--people must be at least 20 and --weeks at least 1")

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(organization(args), args.out / "organization.csv")

    rng = np.random.default_rng(args.seed)
    net = networks.small_world(args.people, 10, 0.1, seed=rng)
    theta = rng.uniform(0.05, 0.35, args.people)
    scenarios = {
        "threshold": rules.Threshold(theta=theta),
        "bass": rules.Bass(p=0.03, q=0.38),
        "independent_cascade": rules.IndependentCascade(p=0.2),
    }
    tables = []
    print(f"{net!r}, {args.weeks} weeks, 1% initial adopters, seed {args.seed}\n")
    print(f"{'rule':<20} {'adopted':>8} {'weeks to 50%':>13} {'weeks to 80%':>13}")
    for name, rule in scenarios.items():
        model = OrgModel(network=net, rule=rule, initial_adopters=0.01, rng=rng)
        table = model.run(args.weeks).adoption.assign(rule=name)
        tables.append(table)
        print(
            f"{name:<20} {table.fraction.iloc[-1]:>8.1%} "
            f"{weeks_to(table, 0.5)!s:>13} {weeks_to(table, 0.8)!s:>13}"
        )

    write_csv(pd.concat(tables, ignore_index=True), args.out / "adoption.csv")
    print(f"\nCurves written to {args.out / 'organization.csv'} and {args.out / 'adoption.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
