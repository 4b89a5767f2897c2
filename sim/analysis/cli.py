"""``orgsim analyze DIR``: the analysis of a store's sampled design, printed and written.

It prints the design, the indices (which parameters drive the outcome) and,
with several strategies, their robustness and where each wins; then writes
the store's report (``report.html`` gains these sections) and the CSVs
(``sensitivity.csv``, ``robustness.csv``, ``regret.csv``, ``boxes.csv``).
A sweep over a design ends with the same on its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["analyze_main"]


def analyze_main(argv=None, prog="orgsim analyze") -> int:
    """``orgsim analyze DIR [--metric M] [--out DIR]``; returns the exit status."""
    from sim import store
    from sim.analysis.design import read_records
    from sim.report.cli import metric_help, stoppable, write_answer

    parser = argparse.ArgumentParser(
        prog=prog,
        description="Sensitivity indices (SALib: Morris, Sobol, RBD-FAST), regret across the "
        "sampled worlds and where each strategy wins (PRIM, CART) for the sampled design of a "
        "results store; written into its report.html and CSVs.",
        epilog="A design is a sweep with analysis.method and analysis.parameters, as in: "
        "orgsim -m +experiment=sensitivity_morris, or orgsim -m +experiment=robust_rollout.",
    )
    parser.add_argument("dir", type=Path, help="a store: results/<task_name>")
    parser.add_argument(
        "--metric",
        help="the outcome analysed (default: the design's "
        f"analysis.metric, else auc_fraction_weeks_contribute); one of {metric_help()}",
    )
    parser.add_argument(
        "--out", "--output", type=Path, help="where to write (default: the store itself)"
    )
    args = parser.parse_args(argv)
    found = store.stores(args.dir)
    try:
        designs = read_records(found[0]) if len(found) == 1 else None
    except store.StoreError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    if designs == []:
        print(
            f"{prog}: error: {found[0]}: no sampled design here (a sweep with "
            "analysis.method; orgsim report draws a plain sweep)",
            file=sys.stderr,
        )
        return 2
    with stoppable(prog) as stopped:
        return write_answer(args.dir, metric=args.metric, out=args.out, prog=prog)
    return stopped.status
