"""Benchmark: a run against its floor, at 1,000 and 2,000 people, alone and through ``orgsim -m``.

For each size and each corner of the 2x2 (the main job's budgeted levers,
``+experiment=rollout_2x2 culture=default``), 52 weeks, one thread, warm
process:

- ``floor_ms``: the compiled call alone (``sim.engine.CompiledRuns.run``): the
  weeks of a replication with its draws already made, the kernel-only time of
  a run;
- ``full_ms``: ``Scenario.run`` per replication: the draws (plan, people,
  adopters, keys), the compiled call and the three tables a job writes
  (``runs``, ``timeseries``, ``groups``), batched as a job runs them;
- ``stepped_ms``: the same replications as Mesa models stepped week by week
  (the path before runs were compiled, kept for the app and for plans the
  compiled run does not take), tabled the same way;

each with its ratio to the floor. Then, for one corner (``--corner``), a sweep
through ``orgsim -m`` of ``--jobs`` jobs x ``--replications`` (20,000 runs by
default) in an empty folder, timed from the command line: ``sweep_ms`` per run
(its fixed start-up counted once), ``runs_per_s`` and the ratio to the floor.
Targets (issue 28): a full run within 3x the floor at 1,000 people; >= 1,000
runs/s through ``orgsim -m`` at 1,000 people and >= 500 at 2,000.

    python benchmarks/floor.py [--sizes 1000,2000] [--jobs 40] [--replications 500]
                               [--no-sweep] [--out benchmarks/floor-DATE.json]
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CORNERS = ("company_wide_hierarchical", "company_wide_decentralized", "pilot_hierarchical",
           "pilot_decentralized")  # fmt: skip
WEEKS = 52


def _load():
    return round(os.getloadavg()[0], 2)


def _scenario(n, corner):
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register

    register()
    overrides = ["+experiment=rollout_2x2", "culture=default", f"rollout={corner}",
                 f"org.headcount={n}", f"steps={WEEKS}"]  # fmt: skip
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return build(compose("config", overrides=overrides))


def _best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n, corner, replications, repeats):
    """Milliseconds per run: the floor, a full run, a stepped run."""
    from sim.engine import CompiledRuns
    from sim.records import batch_tables

    sc = _scenario(n, corner)
    sc.run(1, 2, groups=True)  # warm: Numba's cache, the org
    runs = CompiledRuns(sc.org, sc.rule, sc.culture, sc.rollout, 1, range(replications), WEEKS)
    runs.run(threads=1)
    floor = _best(lambda: runs.run(threads=1), repeats) / replications
    full = _best(lambda: sc.run(1, replications, groups=True), repeats) / replications
    few = max(replications // 5, 1)
    stepped = _best(lambda: batch_tables(sc._stepped(1, range(few))), 2) / few
    return {
        "floor_ms": round(floor * 1e3, 3),
        "full_ms": round(full * 1e3, 3),
        "stepped_ms": round(stepped * 1e3, 3),
        "full_to_floor": round(full / floor, 2),
        "stepped_to_floor": round(stepped / floor, 2),
    }


def sweep(n, corner, jobs, replications):
    """Wall seconds of a sweep of ``jobs`` x ``replications`` through ``orgsim -m``."""
    where = Path(tempfile.mkdtemp(prefix="orgsim-floor-"))
    args = [str(BIN / "orgsim"), "-m", "+experiment=rollout_2x2", "culture=default",
            f"rollout={corner}", f"org.headcount={n}", f"replications={replications}",
            f"seed=range(0,{jobs})", "report=false"]  # fmt: skip
    try:
        start = time.perf_counter()
        subprocess.run(args, cwd=where, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(where, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000")
    parser.add_argument("--replications", type=int, default=100,
                        help="replications per corner for the in-process timings")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--corner", default="company_wide_decentralized", choices=CORNERS)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--sweep-replications", type=int, default=500)
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from numba import set_num_threads

    set_num_threads(1)
    record = {"benchmark": "floor", "python": platform.python_version(),
              "cores": os.cpu_count(), "weeks": WEEKS, "load_before": _load(),
              "sizes": {}}  # fmt: skip
    for n in map(int, args.sizes.split(",")):
        size = record["sizes"][str(n)] = {}
        for corner in CORNERS:
            size[corner] = measure(n, corner, args.replications, args.repeats)
            print(n, corner, size[corner], flush=True)
        if not args.no_sweep:
            runs = args.jobs * args.sweep_replications
            wall = sweep(n, args.corner, args.jobs, args.sweep_replications)
            floor = size[args.corner]["floor_ms"]
            size["sweep"] = {
                "corner": args.corner,
                "jobs": args.jobs,
                "runs": runs,
                "wall_s": round(wall, 2),
                "runs_per_s": round(runs / wall, 1),
                "sweep_ms": round(wall / runs * 1e3, 3),
                "sweep_to_floor": round(wall / runs * 1e3 / floor, 2),
            }
            print(n, "sweep", size["sweep"], flush=True)
    record["load_after"] = _load()
    text = json.dumps(record, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
