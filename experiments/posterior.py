"""Every model the evidence allows: the loose parameters' posterior by ABC-SMC (docs/model.md §3).

The parameters and their prior ranges are the fit's (``fit_defaults.PARAMETERS``: population
constants, rule weights, the ladder's demands; not the culture dials, not the levers), a uniform
box. A particle is run, with common random numbers, as a candidate of the fit is
(``fit_defaults.evaluate``: a plain launch on every company of ``--orgs``, the four corners with
their budgeted levers, the traditional and humanized cultures on top), and its distance is how far
its facts fall outside the targets of docs/model.md §7 (``sim.facts.loss`` against each group's
ranges: 0 when every target is met). ABC-SMC lowers the acceptance threshold generation by
generation; the particles of a generation whose threshold is 0 all meet every target.

    python3 experiments/posterior.py [--population 200] [--generations 12] [--minutes 600]
        [--simulations N] [--orgs 2000/0,2000/1,2000/2,500/3,500/4] [--replications 4]
        [--around experiments/fit_defaults.json --width 0.25] [--quantile 0.5]
        [--threads 1] [--seed 0] [--equal-weights] [--out results/posterior]

``--around`` narrows the prior to a box around a fit's values (``--width`` of each range on
either side): the fit used the same facts, so the box is where to look, and it must stay wide
enough that no marginal of the posterior presses against its edge (a marginal that does says the
box cut the evidence off, not that the evidence is tight).

Needs the ``calibrate`` extra (pyABC). Writes ``posterior.csv`` to ``--out`` (the last
generation: ``draw``, every parameter, its ``weight``, its ``distance`` and the generation's
threshold ``epsilon``; atomically, a finished file replaced only by a finished one) beside
``abc.db``, pyABC's history: the same command goes on from the last finished
generation after an interrupt or a cap, sampling none again. The posterior orgsim ships is
that file, copied to ``sim/data/posterior.csv`` (``sim.posterior``;
``tests/calibrate/test_shipped_posterior.py`` re-measures it).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fit():
    spec = importlib.util.spec_from_file_location("fit_defaults", ROOT / "experiments" /
                                                  "fit_defaults.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_orgs(text) -> tuple:
    """``2000/0,500/3`` -> ``((2000, 0), (500, 3))``."""
    orgs = []
    for part in text.split(","):
        size, _, seed = part.strip().partition("/")
        try:
            orgs.append((int(size), int(seed)))
        except ValueError:
            raise ValueError(
                f"--orgs: {part.strip()!r} is not headcount/seed (e.g. 2000/0)"
            ) from None
    if not orgs or any(size < 2 for size, _ in orgs):
        raise ValueError(f"--orgs: need at least one company of 2 or more people, got {text!r}")
    return tuple(orgs)


class Facts:
    """A particle's facts, flat (``group|fact``: value), and their distance to the targets."""

    def __init__(self, fit, orgs, replications, seed=0):
        self.fit, self.orgs, self.replications, self.seed = fit, orgs, replications, seed

    def __call__(self, parameters: dict) -> dict:
        values = {tuple(k.split(".", 1)): v for k, v in parameters.items()}
        try:
            measured = self.fit.evaluate(values, orgs=self.orgs, replications=self.replications,
                                         seed=self.seed)  # fmt: skip
        except ValueError:  # a combination the classes refuse: as far as can be
            return {"refused": 1.0}
        return {f"{group}|{fact}": float(value)
                for group, facts in measured.items() for fact, value in facts.items()}  # fmt: skip

    def distance(self, simulated: dict, observed=None) -> float:
        """How far the facts are from the targets (``sim.facts.loss``, group by group)."""
        from sim import facts

        if "refused" in simulated:
            return math.inf
        groups = {}
        for key, value in simulated.items():
            group, fact = key.split("|", 1)
            groups.setdefault(group, {})[fact] = value
        return sum(facts.loss(values, self.fit.targets_of(group))
                   for group, values in groups.items())  # fmt: skip


def ranges(fit, around=None, width=1.0) -> dict:
    """The prior box: the fit's ranges, or, ``around`` a set of values (``{name: value}``),
    ``width`` of each range on either side of its value, clipped to the range."""
    out = {}
    for w, n, lo, hi in fit.PARAMETERS:
        name = f"{w}.{n}"
        if around is None:
            out[name] = (lo, hi)
            continue
        if name not in around:
            raise ValueError(f"--around: no value for {name}")
        reach = width * (hi - lo)
        centre = min(max(float(around[name]), lo), hi)
        out[name] = (max(lo, centre - reach), min(hi, centre + reach))
    return out


#: The parameters of the pair plot: the weights of the channels a rollout pulls on.
PAIRS = ("rule.peer_weight", "rule.manager_weight", "rule.commitment_weight",
         "rule.visibility_weight", "rule.identity_weight", "rule.churn")  # fmt: skip


def describe(csv, fit, prior, out) -> int:
    """Draw a posterior's marginals and pairs, and print how far the evidence narrowed each
    parameter (``narrowing.csv``, ``posterior-marginals.png``, ``posterior-pairs.png``)."""
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from sim.calibrate.figures import marginals, narrowing, pairs
    from sim.store import StoreError, write_csv
    from sim.store.files import mkdir

    try:
        sample = pd.read_csv(csv)
    except (OSError, pd.errors.ParserError) as error:
        print(f"posterior: --describe {csv}: {error}", file=sys.stderr)
        return 2
    ranges = {f"{w}.{n}": (lo, hi) for w, n, lo, hi in fit.PARAMETERS}
    missing = [n for n in [*ranges, "weight"] if n not in sample.columns]
    if missing:
        print(f"posterior: --describe {csv}: no column {missing[0]!r}", file=sys.stderr)
        return 2
    table = narrowing(sample, ranges, prior)
    try:
        mkdir(out)
        write_csv(table, out / "narrowing.csv")
    except StoreError as error:
        print(f"posterior: {error}", file=sys.stderr)
        return 1
    marginals(sample, ranges, prior).savefig(out / "posterior-marginals.png", dpi=110)
    figure = pairs(sample, PAIRS)
    figure.savefig(out / "posterior-pairs.png", dpi=110, bbox_inches="tight")
    print(f"{len(sample)} parameter sets; the 90 % interval's share of the prior box:")
    for row in table.itertuples(index=False):
        print(
            f"  {row.parameter:<34} {row.median:8.3f}  [{row.low:.3f}, {row.high:.3f}]  "
            f"{100 * row.width:3.0f} % of [{row.prior_low:.3f}, {row.prior_high:.3f}]"
        )
    print(f"figures and narrowing.csv: {out}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=200)
    parser.add_argument("--generations", type=int, default=12)
    parser.add_argument("--minutes", type=float, default=None, help="this call's wall time")
    parser.add_argument("--simulations", type=int, default=None, help="the whole run's")
    parser.add_argument("--orgs", default="2000/0,2000/1,2000/2,500/3,500/4")
    parser.add_argument("--replications", type=int, default=4,
                        help="of each plain launch per company")  # fmt: skip
    parser.add_argument("--around", help="a fit.json: a prior box around its parameters")
    parser.add_argument("--width", type=float, default=0.25,
                        help="with --around: half the box, a share of each range")  # fmt: skip
    parser.add_argument("--quantile", type=float, default=0.5,
                        help="each threshold: this quantile of the last distances")  # fmt: skip
    parser.add_argument("--threads", type=int, default=1,
                        help="Numba threads per particle (same numbers)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "results" / "posterior"))
    parser.add_argument(
        "--equal-weights",
        action="store_true",
        help="weight every accepted set alike (pyABC's weights in abc_weight)",
    )
    parser.add_argument("--describe", metavar="CSV",
                        help="run nothing: draw this posterior.csv's marginals and pairs "
                             "into --out, with --around/--width as its prior box")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        orgs = parse_orgs(args.orgs)
    except ValueError as error:
        print(f"posterior: {error}", file=sys.stderr)
        return 2
    for name in ("population", "generations", "replications", "threads"):
        if getattr(args, name) < (2 if name == "population" else 1):
            print(f"posterior: --{name} is too small ({getattr(args, name)})", file=sys.stderr)
            return 2
    try:
        from sim.calibrate import abc_smc
    except ImportError as error:
        print(f"posterior: {error}", file=sys.stderr)
        return 2
    from sim.store import StoreError, write_csv
    from sim.store.files import mkdir

    fit = _fit()
    fit.THREADS = args.threads
    try:
        around = None
        if args.around:
            around = json.loads(Path(args.around).read_text())["parameters"]
        if not 0 < args.width <= 1:
            raise ValueError(f"--width must be in (0, 1], got {args.width}")
        if not 0 < args.quantile < 1:
            raise ValueError(f"--quantile must be in (0, 1), got {args.quantile}")
        prior = ranges(fit, around, args.width)
    except (OSError, KeyError, TypeError, json.JSONDecodeError) as error:
        print(f"posterior: --around {args.around}: not a fit.json with parameters ({error})",
              file=sys.stderr)  # fmt: skip
        return 2
    except ValueError as error:
        print(f"posterior: {error}", file=sys.stderr)
        return 2
    if args.describe:
        return describe(args.describe, fit, prior, Path(args.out))
    facts = Facts(fit, orgs, args.replications)
    out = Path(args.out)
    try:
        mkdir(out)
    except StoreError as error:
        print(f"posterior: {error}", file=sys.stderr)
        return 1
    sample = abc_smc(facts, prior, facts.distance, {}, database=out / "abc.db",
                     population=args.population, generations=args.generations,
                     minutes=args.minutes, simulations=args.simulations,
                     quantile=args.quantile, seed=args.seed, progress=True)  # fmt: skip
    target = out / "posterior.csv"
    # The shipped form (sim.posterior): an id per parameter set, the threshold it met.
    sample = sample.rename_axis("draw").reset_index().assign(epsilon=sample.attrs["epsilon"])
    if args.equal_weights:
        # Every accepted set meets the targets within epsilon; pyABC's importance weights are
        # kept beside (abc_weight), since after few generations in 25 dimensions a handful of
        # sets carry them (docs/defaults.md: the effective sample size).
        sample = sample.assign(abc_weight=sample["weight"], weight=1.0 / len(sample))
    try:
        write_csv(sample, target)
    except StoreError as error:
        print(f"posterior: {error}", file=sys.stderr)
        return 1
    attrs = sample.attrs
    print(f"{len(sample)} parameter sets after {attrs['generations']} generations "
          f"({attrs['simulations']} simulations), acceptance threshold {attrs['epsilon']:.4g} "
          f"(0: every target met): {target}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
