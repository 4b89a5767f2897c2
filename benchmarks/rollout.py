"""Benchmark of rollout schedules: what a strategy's week-by-week plan costs a run.

Run by hand (not part of the test suite; it asserts nothing)::

    python benchmarks/rollout.py                      # 200,000 people, about a minute on 2 cores
    python benchmarks/rollout.py --n 1000000 --out benchmarks/rollout-DATE.json

On one generated org, 52 weeks of the organizational rule under each
strategy, after a warm-up of every strategy on a tiny org (Numba's cache):

* ``static``: the plain ``RolloutPlan`` (everyone has access, nothing changes);
* each preset of ``STRATEGIES`` built by ``Rollout.plan``, whose schedule
  works out access, training, endorsement, commitment and learning every week
  with numpy over everyone, and hands the rule a new ``Week`` when something
  changed (which makes the rule recompute everyone's bounds).

Reported per strategy: the plan's build time, the run's time, the time spent
inside ``schedule.week`` (the schedule's own work), the weeks in which the plan
changed, and the final adoption. Training capacity scales with the org
(1 % of people a week), so that training runs all year at any size.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from sim import org as orgs
from sim import rules
from sim.model import OrgModel
from sim.population import Culture
from sim.rollout import Rollout
from sim.rollout.plan import RolloutPlan

#: The defaults before the refit of 2026-12-07 (the records up to then ran with these), with the
#: mechanisms added since off: ``--parameters 2026-12-07`` times today's engine on that work.
PREVIOUS = {
    "rule": {"peer_weight": 0.254, "manager_weight": 0.368, "commitment_weight": 0.156,
             "visibility_weight": 0.357, "content_weight": 0.094, "ownership_weight": 0.116,
             "identity_weight": 0.0, "churn": 0.0, "return_share": 1.0, "rate": 0.306,
             "noise": 0.082},
    "ladder": (("consume", 0.0, 0.0, 0.0), ("contribute", 0.05, 0.125, 0.787),
               ("create", 0.05, 0.138, 0.459)),
    "culture": {"threshold_mean": 0.374, "threshold_sd": 0.091, "voice_mean": 0.365,
                "voice_concentration": 1.047, "endorse_share": 0.0, "attention_mean": 1.0},
    "rollout": {"cost_endorser": 0.0},
}  # fmt: skip


def parameters(name):
    """(rule, culture, rollout keywords) for ``--parameters``."""
    if name == "fitted":
        return rules.Organizational(), Culture(), {}
    ladder = tuple(rules.Behavior(*b) for b in PREVIOUS["ladder"])
    return (rules.Organizational(ladder, **PREVIOUS["rule"]), Culture(**PREVIOUS["culture"]),
            dict(PREVIOUS["rollout"]))  # fmt: skip


STRATEGIES = {
    "company_wide_hierarchical": {"direction": "hierarchical"},
    "company_wide_decentralized": {"direction": "decentralized", "champions": 0.05},
    "pilot_decentralized": {"scope": "pilot", "direction": "decentralized", "champions": 0.05},
    "pilot_waves_trained": {
        "scope": "pilot",
        "pilot_choice": "open",
        "expand_share": 0.5,
        "expand_week": 16,
        "wave_units": 2,
        "direction": "hybrid",
        "champion_choice": "bridging",
        "training_priority": "adopters",
    },
}


class _Timed:
    """Wraps a plan's ``week`` to time it and count the weeks it changed."""

    def __init__(self, plan):
        self.plan = plan
        self.seconds = 0.0
        self.changes = 0
        self._last = None
        week = plan.week

        def timed(t, state=None):
            started = time.perf_counter()
            result = week(t, state)
            self.seconds += time.perf_counter() - started
            if result is not self._last:
                self.changes += 1
                self._last = result
            return result

        plan.week = timed


def run(company, make_plan, seed, weeks, rule=None, culture=None):
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    plan, first = make_plan(company, rng)
    built = time.perf_counter() - started
    timer = _Timed(plan)
    model = OrgModel(org=company, rule=rule or rules.Organizational(), culture=culture or Culture(),
                     plan=plan, initial_adopters=first, rng=rng)  # fmt: skip
    started = time.perf_counter()
    model.run(weeks)
    ran = time.perf_counter() - started
    final = model.adoption.groupby("behavior", sort=False).fraction.last().round(4).to_dict()
    return {
        "plan_build_s": round(built, 4),
        "run_s": round(ran, 4),
        "schedule_week_s": round(timer.seconds, 4),
        "schedule_share": round(timer.seconds / ran, 4) if ran else None,
        "plan_changes": timer.changes,
        "final_fraction": final,
    }


def strategies(n, **rollout):
    capacity = max(1, n // 100)
    makers = {
        "static": lambda company, rng: (
            RolloutPlan(company.n),
            np.sort(rng.choice(company.n, size=max(1, company.n // 100), replace=False)),
        )
    }
    for name, kwargs in STRATEGIES.items():
        makers[name] = Rollout(training_capacity=capacity, **rollout, **kwargs).plan
    return makers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    parser.add_argument("--parameters", choices=("fitted", "2026-12-07"), default="fitted",
                        help="the shipped defaults, or those before the refit (the same work "
                             "as the records up to 2026-12-07)")  # fmt: skip
    args = parser.parse_args(argv)
    rule, culture, levers = parameters(args.parameters)

    tiny = orgs.generate(500, seed=1)
    for make in strategies(tiny.n, **levers).values():
        run(tiny, make, 0, 5, rule, culture)

    started = time.perf_counter()
    company = orgs.generate(args.n, seed=args.seed)
    report = {
        "n": args.n,
        "weeks": args.weeks,
        "org_build_s": round(time.perf_counter() - started, 2),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "parameters": args.parameters,
        "strategies": {},
    }
    for name, make in strategies(args.n, **levers).items():
        results = [run(company, make, args.seed + r, args.weeks, rule, culture)
                   for r in range(args.repeats)]  # fmt: skip
        best = min(results, key=lambda r: r["run_s"])
        best["run_s_all"] = [r["run_s"] for r in results]
        report["strategies"][name] = best
        print(
            f"{name:<28} run {best['run_s']:7.2f} s  schedule {best['schedule_week_s']:6.3f} s "
            f"({best['schedule_share']:.1%})  build {best['plan_build_s']:.3f} s  "
            f"{best['plan_changes']} plan weeks  final {best['final_fraction']}",
            flush=True,
        )
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(report, handle, indent=2)
    return report


if __name__ == "__main__":
    main()
