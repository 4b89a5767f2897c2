"""Benchmark of the main job as a user runs it: ``orgsim -m +experiment=rollout_2x2``.

Run by hand (not part of the test suite; it asserts nothing)::

    python benchmarks/main_job.py [--repeats 2] [--out benchmarks/main_job-2026-12-07.json]

Target (issue "Every model the evidence allows"): under 30 s warm on this 2-core machine, over
the posterior ensemble (``ensemble.draws`` x ``replications`` per scenario, and the channel
runs of ``why.channels``).

Each measurement is the whole command in a fresh temporary folder (a new store: every run is
computed, the report written), timed from start to exit:

* ``cold``: once, with an empty Numba cache folder (``NUMBA_CACHE_DIR``): a first run on a
  fresh machine compiles the kernels;
* ``idle``: warm (the same cache), nothing else started by the benchmark;
* ``busy``: warm, beside one ``python -c "while True: pass"``.

Idle and busy alternate ``--repeats`` times; every wall time, the medians and the load average
at the start and end are recorded, with the command's runs and jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["-m", "+experiment=rollout_2x2"]


def _once(cache, extra=()) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "orgsim"), *COMMAND, *extra],
            cwd=folder, capture_output=True, text=True,
            env={**os.environ, "NUMBA_CACHE_DIR": cache},
        )  # fmt: skip
        wall = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"main_job: orgsim failed: {done.stderr[-2000:]}")
        store = Path(folder) / "results" / "rollout_2x2"
        runs = len(pd.read_parquet(store / "runs.parquet", columns=["seed"]))
        jobs = len({p.name.split(".")[0] for p in (store / "jobs").iterdir()})
    return wall, runs, jobs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    record = {"command": "orgsim " + " ".join(COMMAND), "machine": platform.machine(),
              "cores": os.cpu_count(), "python": platform.python_version(),
              "date": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    with tempfile.TemporaryDirectory() as cache:
        cold, runs, jobs = _once(cache)
        record.update(cold_s=round(cold, 2), runs=runs, jobs=jobs)
        idle, busy = [], []
        for _ in range(args.repeats):
            idle.append(round(_once(cache)[0], 2))
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            try:
                busy.append(round(_once(cache)[0], 2))
            finally:
                spinner.kill()
                spinner.wait()
    record.update(idle_s=idle, busy_s=busy, idle_median_s=statistics.median(idle),
                  busy_median_s=statistics.median(busy),
                  ratio=round(statistics.median(busy) / statistics.median(idle), 3),
                  load_before=[round(x, 2) for x in load_before],
                  load_after=[round(x, 2) for x in os.getloadavg()])  # fmt: skip
    text = json.dumps(record, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
