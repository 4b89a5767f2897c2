"""Benchmark of a busy machine: the 2x2 study alone and beside a CPU-bound process.

Run by hand (not part of the test suite; it asserts nothing)::

    python benchmarks/busy.py                       # about 2 minutes on 2 cores
    python benchmarks/busy.py --replications 10     # quicker
    python benchmarks/busy.py --out benchmarks/busy-2026-12-03.json

Target (issue #13): the study beside one other CPU-bound process takes at
most 1.5x its time alone, on a 2-core machine with the default thread count.

What is measured
----------------
The work of ``experiments/rollout_2x2.py`` (every culture x corner on the
2,000-person company, ``--replications`` each), called in-process through the
script's own ``study``, so that start-up and writing CSVs are left out. Each
measurement runs in a fresh subprocess, after a warm-up study of two
replications (Numba's cache, first calls, the org's betweenness); the timed
study builds its orgs anew, so it pays for the betweenness again.

* ``idle``: nothing else started by the benchmark runs;
* ``busy``: while one ``python -c "while True: pass"`` runs beside it;
* ``busy_one_thread``: the same with ``NUMBA_NUM_THREADS=1``: what a run
  costs when it never waits for a second thread (the floor to compare with).

The three alternate ``--repeats`` times; reported are every wall time, the
medians, their spread (max - min), ``ratio = busy / idle`` of the medians, and
the process's CPU time (threads added up): work that waits or spins shows as
CPU time that grows with the neighbour, a smaller share of a core as wall
time that grows alone. Other users of the machine add noise (the busy process
cannot be told from them): the load average at the start and end is recorded,
and ``busy / busy_one_thread`` shows what parallel code costs beyond any
serial program's share of the cores.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSY = "while True: pass"
#: Settings of the environment that change how threads wait, recorded with the result.
_ENVIRONMENT = ("NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def _study_module():
    path = ROOT / "experiments" / "rollout_2x2.py"
    spec = importlib.util.spec_from_file_location("rollout_2x2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker(args) -> dict:
    """One timed study in this process, after a warm-up; prints nothing else to stdout."""
    import contextlib

    import numba
    from hydra import initialize_config_dir

    from sim.conf import CONFIG_DIR, register

    module = _study_module()
    cultures = args.cultures.split(",")
    register()
    quiet = contextlib.redirect_stderr(io.StringIO())  # the study's progress lines
    with initialize_config_dir(str(CONFIG_DIR), version_base=None), quiet:
        module.run_all(cultures, 2, args.seed, quiet=True)  # warm-up
        start, cpu = time.perf_counter(), time.process_time()
        module.run_all(cultures, args.replications, args.seed, quiet=True)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel region ran: no layer was started
        layer = None
    return {
        "seconds": round(seconds, 3),
        "cpu_s": round(cpu, 3),
        "threads": numba.get_num_threads(),
        "layer": layer,
        # What sim.kernels left it at: its default unless the environment set it.
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }


def _measure(args, busy, threads=None) -> dict:
    env = dict(os.environ)
    if threads is not None:
        env["NUMBA_NUM_THREADS"] = str(threads)
    command = [sys.executable, __file__, "--worker", "--cultures", args.cultures]
    command += ["--replications", str(args.replications), "--seed", str(args.seed)]
    hog = subprocess.Popen([sys.executable, "-c", BUSY]) if busy else None
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
    return json.loads(done.stdout.splitlines()[-1])


def _summary(samples) -> dict:
    times = [s["seconds"] for s in samples]
    cpu = [s["cpu_s"] for s in samples]
    return {
        "seconds": times,
        "median_s": round(statistics.median(times), 3),
        "spread_s": round(max(times) - min(times), 3),
        "cpu_s": cpu,
        "median_cpu_s": round(statistics.median(cpu), 3),
        "threads": samples[0]["threads"],
        "threading_layer": samples[0]["layer"],
        "omp_wait_policy": samples[0]["omp_wait_policy"],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cultures", default="traditional,humanized")
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    import numba
    import numpy

    cultures = args.cultures.split(",")
    variants = {"idle": (False, None), "busy": (True, None), "busy_one_thread": (True, 1)}
    samples = {name: [] for name in variants}
    load_before = os.getloadavg()
    for repeat in range(args.repeats):
        for name, (busy, threads) in variants.items():
            print(f"[busy benchmark] {name} {repeat + 1}/{args.repeats} ...", file=sys.stderr,
                  flush=True)  # fmt: skip
            samples[name].append(_measure(args, busy, threads))
    result = {
        "benchmark": "busy",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "cores": os.cpu_count(),
        "study": {
            "cultures": cultures,
            "replications": args.replications,
            "runs": 4 * len(cultures) * args.replications,
        },
        "environment": {k: os.environ.get(k) for k in _ENVIRONMENT},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    result.update({name: _summary(found) for name, found in samples.items()})
    result["ratio_busy_to_idle"] = round(result["busy"]["median_s"] / result["idle"]["median_s"], 2)
    result["ratio_busy_to_busy_one_thread"] = round(
        result["busy"]["median_s"] / result["busy_one_thread"]["median_s"], 2
    )
    result["targets"] = {"busy_at_most_1_5x_idle": result["ratio_busy_to_idle"] <= 1.5}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
