"""Benchmark of synthetic organizations and of the organizational rule.

Run by hand (not part of the test suite; it asserts nothing)::

    python benchmarks/org.py                 # 1e6 people, about 2 minutes on 2 cores
    python benchmarks/org.py --n 100000      # quicker
    python benchmarks/org.py --out benchmarks/org-2026-11-23.json

Targets (issue #3): a generated 1,000,000-person org builds in under 20 s; 52
weekly steps of the organizational rule with 3 behaviors take under 3x the
time of 52 steps of the threshold rule on the same network.

What is measured
----------------
Each measurement runs in a fresh subprocess so that its peak RSS is its own.

* ``build``: ``sim.org.generate(n, seed=...)`` after a tiny warm-up build (so
  the Numba cache is loaded): wall time and peak RSS, and the org's shape
  (levels, units, ties, share of ties across units).
* ``rules``: on one generated org, after a warm-up of both rules on a tiny
  org, ``--repeats`` fresh models of each rule, each timed over
  ``model.run(52)`` from 1 % initial adopters drawn by the run's seed (model
  construction timed apart): the threshold rule ``Threshold(theta=0.15)`` and
  ``Organizational()`` with the default culture and plan (everyone has access),
  and the same with a one-behavior ladder (consume) for scale.
  Reported: median times, the ratio organizational / threshold, and the final
  adoption, which must be the same in every repeat. ``phases``: one more
  run of the organizational rule with each kernel timed, and the work behind
  it (changes, tie ends pushed, people decided exactly). For context,
  ``threshold_full_pass_s`` times ``--weeks`` full recounts of everyone's
  adopted neighbours (what a threshold week costs in an engine that does not
  track changes).
* ``small``: the organizational rule on a generated 1,000-person company,
  52 weeks, model construction included: best of 5 batches of 20 runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def worker_build(args) -> dict:
    import numpy as np

    from sim import org as orgs

    orgs.generate(200, seed=0)  # load the Numba cache
    start = time.perf_counter()
    org = orgs.generate(args.n, seed=args.seed)
    seconds = time.perf_counter() - start
    net = org.network
    rows = np.repeat(np.arange(org.n), net.degrees)
    cross = float((org.unit[rows] != org.unit[net.indices]).mean())
    return {
        "n": org.n,
        "seconds": round(seconds, 3),
        "peak_rss_gib": round(_peak_rss_gib(), 3),
        "levels": org.n_levels,
        "units": org.n_units,
        "ties": net.n_ties,
        "mean_degree": round(net.mean_degree, 2),
        "cross_unit_share": round(cross, 3),
    }


#: The organizational rule's parameters before they were fitted to stylised facts
#: (the records up to 2026-11-23 ran with these): ``--parameters 2026-11-23`` times
#: today's engine on that work, so that a change of speed is told apart from a
#: change of the model's dynamics (how many people change, and how often).
BEFORE_FIT = {
    "rule": {"peer_weight": 0.4, "manager_weight": 0.15, "commitment_weight": 0.2,
             "visibility_weight": 0.1, "content_weight": 0.1, "ownership_weight": 0.0,
             "rate": 0.5, "noise": 0.02,
             # Mechanisms added since, off as they were (the same work on any tree).
             "identity_weight": 0.0, "churn": 0.0, "return_share": 1.0},
    "ladder": (("consume", 0.0, 0.0), ("contribute", 0.05, 0.2), ("create", 0.1, 0.4)),
    "culture": {"threshold_mean": 0.3, "threshold_sd": 0.2, "voice_mean": 0.365,
                "voice_concentration": 1.047, "endorse_share": 0.0, "attention_mean": 1.0},
}  # fmt: skip


def _model_parameters(args):
    """(rule keywords, ladder, culture) for ``args.parameters``."""
    from sim import rules
    from sim.population import Culture

    if args.parameters == "fitted":
        return {}, rules.LADDER, Culture()
    ladder = tuple(rules.Behavior(*b) for b in BEFORE_FIT["ladder"])
    return dict(BEFORE_FIT["rule"]), ladder, Culture(**BEFORE_FIT["culture"])


def _time_rule(org, rule, seed, weeks, culture=None):
    from sim import OrgModel

    start = time.perf_counter()
    culture = culture if rule.needs_org else None
    model = OrgModel(org=org, rule=rule, culture=culture, initial_adopters=0.01, seed=seed)
    built = time.perf_counter() - start
    start = time.perf_counter()
    model.run(weeks)
    ran = time.perf_counter() - start
    table = model.adoption
    final = table[table.step == weeks].fraction.round(4).tolist()
    return built, ran, final


def _phases(org, rule, args) -> dict:
    """Where a run of the organizational rule spends its time: one more run, each kernel timed.

    Also the work behind it: the changes pushed along ties (tie ends visited)
    and the people decided exactly.
    """
    import numpy as np

    import sim.ladder
    import sim.rules.organizational as organizational
    from sim import OrgModel

    seconds = {}
    decided = [0]

    def timed(module, name):
        kernel = getattr(module, name)

        def wrapper(*a):
            start = time.perf_counter()
            kernel(*a)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
            if name == "ladder_decide":
                decided[0] += a[0].shape[0]

        setattr(module, name, wrapper)
        return module, name, kernel

    kernels = ("ladder_candidates", "ladder_decide", "ladder_bounds", "ladder_loosen")
    patched = [timed(organizational, name) for name in kernels]
    applying = ("ladder_push", "ladder_pull", "ladder_restage")
    patched += [timed(sim.ladder, name) for name in applying]
    try:
        culture = _model_parameters(args)[2]
        model = OrgModel(org=org, rule=rule, culture=culture, initial_adopters=0.01,
                         seed=args.seed)  # fmt: skip
        start = time.perf_counter()
        model.run(args.weeks)
        total = time.perf_counter() - start
    finally:
        for module, name, kernel in patched:
            setattr(module, name, kernel)
    ids, _, _, weeks = model._state.events()
    later = weeks > 0
    degrees = np.diff(org.network.indptr)
    result = {name: round(t, 4) for name, t in sorted(seconds.items())}
    result["everything_else_s"] = round(total - sum(seconds.values()), 4)
    result["total_s"] = round(total, 4)
    result["changes"] = int(later.sum())
    result["tie_ends_pushed"] = int(degrees[ids[later]].sum())
    result["people_decided"] = decided[0]
    return result


def worker_rules(args) -> dict:
    from sim import org as orgs
    from sim import rules

    weights, ladder, culture = _model_parameters(args)
    workloads = {
        "threshold": rules.Threshold(theta=0.15),
        "organizational": rules.Organizational(ladder, **weights),
        # One rung (consume) for scale: what a behavior of the ladder costs.
        "organizational_one_behavior": rules.Organizational(ladder[:1], **weights),
    }
    tiny = orgs.generate(500, seed=1)
    for rule in workloads.values():  # warm-up: Numba cache and first calls
        _time_rule(tiny, rule, 0, 5, culture)
    org = orgs.generate(args.n, seed=args.seed)
    out = {}
    for name, rule in workloads.items():
        builds, runs, finals = [], [], []
        for _ in range(args.repeats):
            built, ran, final = _time_rule(org, rule, args.seed, args.weeks, culture)
            builds.append(built)
            runs.append(ran)
            finals.append(final)
        out[name] = {
            "run_s": [round(t, 4) for t in runs],
            "median_run_s": round(statistics.median(runs), 4),
            "median_construct_s": round(statistics.median(builds), 4),
            "final_fraction": finals[0],
            "same_result_every_repeat": all(f == finals[0] for f in finals),
        }
    out["organizational"]["phases"] = _phases(org, workloads["organizational"], args)
    # Context: what the threshold rule would cost if it recounted every
    # person's adopted neighbours every week (a full pass over every tie), as
    # simpler engines do; ours only revisits what changed.
    import numpy as np

    from sim.kernels import count_adopted_neighbours

    adopted = np.random.default_rng(args.seed).random(org.n) < 0.3
    everyone = np.arange(org.n, dtype=np.int64)
    counts = np.zeros(org.n, dtype=np.int32)
    count_adopted_neighbours(org.network.indptr, org.network.indices, adopted, everyone, counts)
    start = time.perf_counter()
    for _ in range(args.weeks):
        count_adopted_neighbours(org.network.indptr, org.network.indices, adopted, everyone, counts)
    out["threshold_full_pass_s"] = round(time.perf_counter() - start, 4)
    out["ratio_organizational_to_full_pass"] = round(
        out["organizational"]["median_run_s"] / out["threshold_full_pass_s"], 2
    )
    out["ratio_one_behavior_to_threshold"] = round(
        out["organizational_one_behavior"]["median_run_s"] / out["threshold"]["median_run_s"], 2
    )
    out["ratio_organizational_to_threshold"] = round(
        out["organizational"]["median_run_s"] / out["threshold"]["median_run_s"], 2
    )
    out["peak_rss_gib"] = round(_peak_rss_gib(), 3)
    return out


def worker_small(args) -> dict:
    """A 1,000-person company, 52 weeks, construction included: what one run of a sweep costs."""
    from sim import OrgModel, rules
    from sim import org as orgs

    org = orgs.generate(1000, seed=args.seed)
    weights, ladder, culture = _model_parameters(args)
    rule = rules.Organizational(ladder, **weights)
    warm = OrgModel(org=org, rule=rule, culture=culture, initial_adopters=0.01, seed=0)
    warm.run(args.weeks)
    per_run = []
    for _ in range(5):
        start = time.perf_counter()
        for seed in range(20):
            OrgModel(org=org, rule=rule, culture=culture, initial_adopters=0.01,
                     seed=seed).run(args.weeks)  # fmt: skip
        per_run.append((time.perf_counter() - start) / 20)
    return {
        "n": org.n,
        "per_run_ms": [round(1e3 * t, 2) for t in per_run],
        "best_per_run_ms": round(1e3 * min(per_run), 2),
    }


WORKERS = {"build": worker_build, "rules": worker_rules, "small": worker_small}


def _spawn(kind, args) -> dict:
    command = [sys.executable, __file__, "--worker", kind, "--n", str(args.n)]
    command += ["--seed", str(args.seed), "--weeks", str(args.weeks)]
    command += ["--repeats", str(args.repeats), "--parameters", args.parameters]
    print(f"[org benchmark] {kind} at n={args.n} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="people (default 1e6)")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--parameters", choices=("fitted", "2026-11-23"), default="fitted",
                        help="the defaults, or those of the records before the fit")  # fmt: skip
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return 0
    import numba
    import numpy

    result = {
        "benchmark": "org",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "threads": numba.config.NUMBA_NUM_THREADS,
        "build": _spawn("build", args),
        "rules": _spawn("rules", args),
        "small": _spawn("small", args),
    }
    result["targets"] = {
        "build_under_20_s": result["build"]["seconds"] < 20.0,
        "organizational_under_3x_threshold": result["rules"]["ratio_organizational_to_threshold"]
        < 3.0,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
