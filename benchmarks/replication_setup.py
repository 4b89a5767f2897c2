"""Benchmark: the set-up of one replication against the draws it cannot do without.

What ``sim.engine.run_compiled`` does in Python for each replication before its
compiled weeks, as ``Scenario.model`` does it: the generator, the rollout's own
stream, ``Rollout.plan``, ``Population.draw``, ``choose_initial_adopters`` and a
key per week. For every rollout preset on the 2x2's company
(``+experiment=rollout_2x2 culture=default``), one thread, warm process (the
org's cached orders built by a warm-up), the best of ``--repeat`` chunks of 4
replications:

- ``setup_ms``: that set-up, per replication;
- ``draws_ms``: the generator calls alone (the seeding and spawning of the
  generators, a random pilot, who is willing, random champions (about as many
  as the 2x2's budget buys), the training permutation, the five traits' laws,
  the keys), nothing around them: about what no rewrite that keeps every draw
  bit for bit gets under.

    python benchmarks/replication_setup.py [--sizes 1000,2000] [--repeat 80]
                                           [--out benchmarks/replication_setup-DATE.json]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from floor import WEEKS, _scenario  # benchmarks/floor.py: the 2x2's scenario, 52 weeks

PRESETS = ("company_wide_hierarchical", "company_wide_decentralized", "pilot_hierarchical",
           "pilot_decentralized", "change_team", "company_wide", "pilot", "pilot_waves",
           "safe_space", "sales_support_pilot", "top_down_campaign")  # fmt: skip
CHUNK = 4


def _setup(scenario, r):
    from sim._inputs import choose_initial_adopters
    from sim.population import Population

    org, rollout, culture = scenario.org, scenario.rollout, scenario.culture
    rng = np.random.default_rng([0, r])
    (levers,) = rng.spawn(1)
    plan, first = rollout.plan(org, levers, culture)
    Population.draw(org, culture, rng)
    choose_initial_adopters(first, org.n, rng, among=plan.week(0).access)
    rng.integers(2**64, size=WEEKS, dtype=np.uint64)


def _draws(scenario, r):
    from scipy.special import ndtri

    org, rollout, c = scenario.org, scenario.rollout, scenario.culture
    n = org.n
    rng = np.random.default_rng([0, r])
    (levers,) = rng.spawn(1)
    if (
        rollout.scope == "pilot"
        and rollout.pilot_units is None
        and rollout.pilot_choice == "random"
    ):
        levers.choice(org.n_units, size=max(1, round(rollout.pilot_share * org.n_units)),
                      replace=False)  # fmt: skip
    if rollout.direction != "hierarchical":
        levers.random(n)
        if rollout.champion_choice == "random":
            levers.choice(np.arange(n // 2), size=n // 40, replace=False)
    if rollout.capacity(org) > 0 and rollout.training_priority in ("random", "adopters"):
        levers.permutation(n)
    threshold, risk, trust, influence, voice = rng.spawn(5)
    ndtri(threshold.random(n))
    voice.beta(c.voice_mean * c.voice_concentration,
               (1 - c.voice_mean) * c.voice_concentration, n)  # fmt: skip
    risk.beta((1 - c.courage) * c.concentration, c.courage * c.concentration, n)
    trust.beta(c.trust * c.concentration, (1 - c.trust) * c.concentration, n)
    influence.lognormal(-0.5 * c.influence_spread**2, c.influence_spread, n)
    rng.integers(2**64, size=WEEKS, dtype=np.uint64)


def _best_ms(work, scenario, repeat):
    for r in range(CHUNK):
        work(scenario, r)
    best = np.inf
    for k in range(repeat):
        start = time.perf_counter()
        for r in range(CHUNK):
            work(scenario, CHUNK * (k + 1) + r)
        best = min(best, (time.perf_counter() - start) / CHUNK)
    return round(best * 1e3, 4)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000")
    parser.add_argument("--repeat", type=int, default=80)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    record = {"benchmark": "replication_setup", "python": platform.python_version(),
              "numpy": np.__version__, "load_before": round(os.getloadavg()[0], 2),
              "results": []}  # fmt: skip
    for n in (int(s) for s in args.sizes.split(",")):
        for preset in PRESETS:
            scenario = _scenario(n, preset)  # the 2x2's company with this preset
            setup = _best_ms(_setup, scenario, args.repeat)
            draws = _best_ms(_draws, scenario, args.repeat)
            row = {"people": n, "preset": preset, "setup_ms": setup, "draws_ms": draws}
            record["results"].append(row)
            print(f"{n:>6} {preset:28s} setup {setup:.3f} ms  draws alone {draws:.3f} ms",
                  flush=True)  # fmt: skip
    record["load_after"] = round(os.getloadavg()[0], 2)
    text = json.dumps(record, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(f"load {record['load_before']} -> {record['load_after']}")


if __name__ == "__main__":
    main()
