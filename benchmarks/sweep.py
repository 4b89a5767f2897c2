"""Benchmark: a 1,000-run sweep of a 1,000-person org, 52 weeks, with ``orgsim -m`` and joblib.

Two shapes of the same 1,000 runs:

- ``scenarios``: 20 scenarios (culture.trust x culture.courage) x 50 replications,
  one job per scenario (what a job is meant to be);
- ``one_run_jobs``: 1,000 jobs of one replication each (``seed=range(0,1000)``);

and, to show how the fixed start-up weighs less as a sweep grows,
``scenarios_2000_runs``: the same 20 scenarios x 100 replications. The sweeps
run with ``report=false``; ``report_s`` is ``orgsim report`` on the
20-scenario store (20 contexts: rankings, the first six drawn, the sweep's
figures).

``throughput``: runs per second through one ``orgsim -m`` command of at least
20,000 runs of a 1,000-person (and a 2,000-person) company x 52 weeks in the
budgeted 2x2 corner ``rollout=company_wide_decentralized`` (the change team's
levers and budget of ``experiment/rollout_2x2``), jobs of ``--throughput-replications``
runs each: ``runs_per_s`` counts the command's fixed start-up once,
``steady_runs_per_s`` leaves it out. Targets: 1,000 and 500 runs/s.

For each: the sweep's wall time from the command line (process start, the
whole-command check, Hydra, the launcher, the store and the merge included),
runs per minute, and the simulation time alone: the same scenarios built and
run in this process on one thread (org generation counted as simulation).
With ``cores`` workers the sweep could at best take ``simulation / cores``;
the rest is overhead, reported as a share of the total. It has two parts:

- a fixed start-up per command (``fixed_s``: Python and imports in the main
  process and in each worker, the whole-command check, the merge, the exit),
  measured as the wall time of a 2-job sweep of one run each, less its runs;
- the overhead per job (launcher + store: Hydra's job setup, pickling, the
  job's files), what is left divided among the jobs, in core-milliseconds,
  and as a share of a job's time (``job_overhead_share``).

Targets: fixed start-up <= 2 s, one-run jobs <= 10 ms of overhead each, overhead
<= 20 % of the 20-scenario sweep. The start-up is the best of ``--repeat`` tries.

    python3 benchmarks/sweep.py [--one-run-jobs 1000] [--throughput-runs 20000]
                                [--out benchmarks/sweep-DATE.json]
    python3 benchmarks/sweep.py --only throughput     # that part alone
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import pandas as pd

BIN = Path(sys.executable).parent
# The sweep alone (its report is timed on its own: ``report_s``).
COMMON = ["org.headcount=1000", "steps=52", "report=false"]
TRUST = "0.2,0.35,0.5,0.65,0.8"
COURAGE = "0.2,0.4,0.6,0.8"


def sweep(args, where):
    """Wall seconds of ``orgsim -m args`` run in ``where``; the merged runs table."""
    start = time.perf_counter()
    subprocess.run([str(BIN / "orgsim"), "-m", *args], cwd=where, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    wall = time.perf_counter() - start
    return wall, pd.read_parquet(Path(where) / "results" / "orgsim" / "runs.parquet")


def simulation_seconds(jobs):
    """Seconds to build and run ``jobs`` (override list, replications) here, on one thread."""
    from hydra import compose, initialize_config_dir
    from hydra.core.hydra_config import HydraConfig

    from sim.conf import CONFIG_DIR, build, register

    register()
    numba.set_num_threads(1)
    total = 0.0
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        warm = compose("config", overrides=COMMON, return_hydra_config=True)
        HydraConfig.instance().set_config(warm)
        build(warm).run(0, 1)  # compile / load Numba's cache first
        for overrides, replications in jobs:
            cfg = compose("config", overrides=overrides, return_hydra_config=True)
            start = time.perf_counter()
            scenario = build(cfg)
            scenario.run(int(cfg.seed), replications)
            total += time.perf_counter() - start
    return total


def measure(name, args, jobs, cores, fixed=0.0, repeat=1):
    walls = []
    for _ in range(repeat):
        where = Path(tempfile.mkdtemp(prefix=f"orgsim-bench-{name}-"))
        try:
            wall, runs = sweep(args, where)
        finally:
            shutil.rmtree(where, ignore_errors=True)
        walls.append(wall)
    wall = min(walls)
    simulated = simulation_seconds(jobs)
    overhead = wall - simulated / cores
    per_job = max(overhead - fixed, 0.0) * cores / len(jobs)
    result = {
        "jobs": len(jobs),
        "runs": len(runs),
        "wall_s": round(wall, 2),
        "runs_per_minute": round(len(runs) / wall * 60, 1),
        "simulation_s_one_core": round(simulated, 2),
        "overhead_s": round(overhead, 2),
        "overhead_share": round(overhead / wall, 3),
        "fixed_s": round(fixed, 2),
        "overhead_per_job_ms": round(per_job * 1000, 1),
        "job_overhead_share": round(per_job / (per_job + simulated / len(jobs)), 3),
        "target_overhead_under_half": bool(overhead / wall < 0.5),
        "target_overhead_under_20pct": bool(overhead / wall <= 0.2),
    }
    if repeat > 1:
        result["wall_s_tries"] = [round(w, 2) for w in walls]
    print(name, json.dumps(result), flush=True)
    return result


def report_seconds(args):
    """Wall seconds of ``orgsim report`` on the store of ``orgsim -m args`` (20 contexts)."""
    where = Path(tempfile.mkdtemp(prefix="orgsim-bench-report-"))
    try:
        sweep(args, where)
        start = time.perf_counter()
        subprocess.run([str(BIN / "orgsim"), "report", "results/orgsim"], cwd=where, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(where, ignore_errors=True)
    print("report", round(seconds, 2), flush=True)
    return round(seconds, 2)


def throughput(people, runs, replications, fixed):
    """Runs per second of one ``orgsim -m`` of ``runs`` runs of the budgeted 2x2 corner."""
    jobs = -(-runs // replications)
    args = [f"org.headcount={people}", "steps=52", "report=false",
            "rollout=company_wide_decentralized", f"replications={replications}",
            f"seed=range(0,{jobs})"]  # fmt: skip
    where = Path(tempfile.mkdtemp(prefix=f"orgsim-bench-throughput-{people}-"))
    try:
        wall, table = sweep(args, where)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    result = {
        "command": "orgsim -m " + " ".join(args),
        "people": people,
        "jobs": jobs,
        "runs": len(table),
        "wall_s": round(wall, 2),
        "runs_per_s": round(len(table) / wall, 1),
        "fixed_s": round(fixed, 2),
        "steady_runs_per_s": round(len(table) / max(wall - fixed, 1e-9), 1),
        "target_runs_per_s": 1000 if people <= 1000 else 500,
    }
    result["target_met"] = bool(result["runs_per_s"] >= result["target_runs_per_s"])
    print(f"throughput_{people}", json.dumps(result), flush=True)
    return result


def _machine():
    """The commit measured (``+`` when the tree differs from it) and the load before."""

    def git(*args):
        done = subprocess.run(["git", *args], cwd=Path(__file__).parent, text=True,
                              capture_output=True)  # fmt: skip
        return done.stdout.strip()

    dirty = "+" if git("status", "--porcelain", "--untracked-files=no") else ""
    return {"commit": git("rev-parse", "--short", "HEAD") + dirty,
            "load_before": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one-run-jobs", type=int, default=1000)
    parser.add_argument("--throughput-runs", type=int, default=20000, help="0: none")
    parser.add_argument("--throughput-replications", type=int, default=100,
                        help="runs per job of the throughput sweep")  # fmt: skip
    parser.add_argument("--throughput-people", default="1000,2000")
    parser.add_argument("--repeat", type=int, default=3, help="tries of the start-up")
    parser.add_argument("--only", choices=["start_up", "throughput"])
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    cores = os.cpu_count()
    record = {
        "benchmark": "sweep",
        "python": sys.version.split()[0],
        "cores": cores,
        "launcher": "joblib (n_jobs=-1)",
        "org": "generated, 1,000 people",
        "weeks": 52,
        **_machine(),
    }

    args = [*COMMON, "replications=1", "seed=0,1"]
    jobs = [([*COMMON, f"seed={s}"], 1) for s in range(2)]
    start_up = measure("start_up", args, jobs, cores, repeat=options.repeat)
    fixed = start_up["overhead_s"]
    record["fixed_s"] = fixed
    record["start_up"] = start_up

    if options.only != "throughput" and options.only != "start_up":
        _sweeps(record, options, cores, fixed)
    if options.only != "start_up" and options.throughput_runs > 0:
        for people in map(int, options.throughput_people.split(",")):
            record[f"throughput_{people}"] = throughput(
                people, options.throughput_runs, options.throughput_replications, fixed
            )
    record["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if options.out:
        options.out.write_text(json.dumps(record, indent=1) + "\n")


def _sweeps(record, options, cores, fixed):
    grid = [(t, c) for t in TRUST.split(",") for c in COURAGE.split(",")]
    per = 1000 // len(grid)
    args = [*COMMON, f"culture.trust={TRUST}", f"culture.courage={COURAGE}", f"replications={per}"]
    jobs = [([*COMMON, f"culture.trust={t}", f"culture.courage={c}"], per) for t, c in grid]
    record["scenarios"] = measure("scenarios", args, jobs, cores, fixed)

    record["report_s"] = report_seconds(args)

    # Twice the runs per job: where the fixed start-up stops mattering.
    args = [
        *COMMON,
        f"culture.trust={TRUST}",
        f"culture.courage={COURAGE}",
        f"replications={2 * per}",
    ]
    jobs = [(overrides, 2 * per) for overrides, _ in jobs]
    record["scenarios_2000_runs"] = measure("scenarios_2000_runs", args, jobs, cores, fixed)

    k = options.one_run_jobs
    args = [*COMMON, "replications=1", f"seed=range(0,{k})"]
    jobs = [([*COMMON, f"seed={s}"], 1) for s in range(k)]
    record["one_run_jobs"] = measure("one_run_jobs", args, jobs, cores, fixed)


if __name__ == "__main__":
    main()
