"""Benchmark: Morris screening through ``orgsim -m``, as a researcher runs it.

``orgsim -m +experiment=sensitivity_morris``: 15 parameters, r = 20 trajectories
(320 points), 10 paired replications each, a 2,000-person company over 52
weeks: 3,200 runs through Hydra's joblib launcher into the store, then the
analysis (SALib's indices with 1,000 bootstrap resamples) and the report.
Target: under 10 minutes on a 2-core machine.

Measured:

- ``wall_s``: the whole command from the command line (start-up, the check of
  every job, the sweep, the merge, the analysis and the report);
- ``analyze_s``: ``orgsim analyze`` on the finished store alone (indices,
  figures, report, CSVs);
- ``simulation_s_one_core``: building and running the jobs in this process on
  one thread (org generation counted as simulation), measured on every
  ``--every``-th point and scaled to all of them;
- ``not_simulation_share``: ``1 - simulation / cores / wall``, the share of the
  wall time that is not simulation (Hydra, the launcher, the store, the
  analysis, the report, and cores left idle).

With ``--busy``, the sweep is timed again beside a CPU-bound process
(``python -c "while True: pass"``, as ``benchmarks/busy.py``): ``busy_wall_s``
and ``ratio_busy_to_idle`` say what a user's laptop that runs something else
costs.

    python3 benchmarks/sensitivity.py [--every 5] [--busy] [--out benchmarks/sensitivity-DATE.json]
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
EXPERIMENT = "+experiment=sensitivity_morris"


def simulation_seconds(store, every):
    """One-thread seconds to build and run the design's jobs, from every ``every``-th point."""
    from hydra import compose, initialize_config_dir
    from hydra.core.hydra_config import HydraConfig

    from sim.analysis.design import overrides, read_records
    from sim.conf import CONFIG_DIR, build, register

    register()
    numba.set_num_threads(1)
    record = read_records(store)[0]
    kinds = {n: float for n in record.names}
    total, timed = 0.0, 0
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        base = compose("config", overrides=[EXPERIMENT], return_hydra_config=True)
        HydraConfig.instance().set_config(base)
        build(base).run(0, 1)  # compile / load Numba's cache first
        for point in range(0, record.sample.shape[0], every):
            values = overrides(record.names, record.sample[point], kinds)
            cfg = compose("config", overrides=[EXPERIMENT, *values], return_hydra_config=True)
            start = time.perf_counter()
            build(cfg).run(int(cfg.seed), int(cfg.replications))
            total += time.perf_counter() - start
            timed += 1
    return total * record.sample.shape[0] / timed


def busy_wall(cores):
    """Wall seconds of the same command beside a CPU-bound process."""
    where = Path(tempfile.mkdtemp(prefix="orgsim-bench-morris-busy-"))
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        start = time.perf_counter()
        subprocess.run([str(BIN / "orgsim"), "-m", EXPERIMENT], cwd=where, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        return time.perf_counter() - start
    finally:
        hog.kill()
        shutil.rmtree(where, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=5, help="time every k-th point alone")
    parser.add_argument("--busy", action="store_true", help="also beside a CPU-bound process")
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    cores = os.cpu_count()
    load_before = os.getloadavg()[0]
    where = Path(tempfile.mkdtemp(prefix="orgsim-bench-morris-"))
    try:
        start = time.perf_counter()
        subprocess.run([str(BIN / "orgsim"), "-m", EXPERIMENT], cwd=where, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        wall = time.perf_counter() - start
        store = where / "results" / "sensitivity_morris"
        runs = pd.read_parquet(store / "runs.parquet")
        start = time.perf_counter()
        subprocess.run([str(BIN / "orgsim"), "analyze", str(store)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        analyze = time.perf_counter() - start
        simulated = simulation_seconds(store, options.every)
        indices = pd.read_csv(store / "sensitivity.csv")
    finally:
        shutil.rmtree(where, ignore_errors=True)
    record = {
        "benchmark": "sensitivity_morris",
        "command": f"orgsim -m {EXPERIMENT}",
        "python": sys.version.split()[0],
        "cores": cores,
        "load_before": load_before,
        "points": 320,
        "runs": len(runs),
        "people": 2000,
        "weeks": 52,
        "wall_s": round(wall, 1),
        "target_under_600_s": bool(wall < 600),
        "analyze_s": round(analyze, 1),
        "simulation_s_one_core": round(simulated, 1),
        "not_simulation_share": round(1 - simulated / cores / wall, 3),
        "indices": indices[["parameter", "mu_star", "mu_star_conf", "sigma", "noise"]]
        .round(4)
        .to_dict("records"),
    }
    if options.busy:
        busy = busy_wall(cores)
        record["busy_wall_s"] = round(busy, 1)
        record["ratio_busy_to_idle"] = round(busy / wall, 2)
    print(json.dumps(record, indent=1))
    if options.out:
        options.out.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
