"""Benchmark of ``orgsim calibrate`` on the example pilot: 12 weeks of a 2,000-person company.

Run by hand (not part of the test suite; it asserts nothing)::

    python benchmarks/pilot_calibration.py [--busy] [--out benchmarks/pilot_calibration-DATE.json]

Target (issue "Your company, not a generic one"): under 10 minutes to a usable posterior on this
2-core machine. The command is the documentation's, with its defaults (200 particles, up to 10
generations, an 8-minute budget, stopping once a generation accepts under 3 %), in a fresh
folder; each generation's line is read as it is printed, so the record holds, per generation,
its threshold, acceptance, simulations and the wall time since the start. **Usable** is the
posterior the command stops at, the one ``experiments/pilot_validation.py`` validates (coverage
of the truth, held-out weeks), with the posterior predictive check of the pilot's own curves
(how many observed unit-weeks fall inside the 90 % band) from the finished command; the wall
time includes the checks, the forecast and the report. Simulations per second are the whole
run's. ``--busy`` runs it beside one ``python -c "while True: pass"``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "experiments" / "data" / "pilot_analytics.csv"
OVERRIDES = ["rollout=sales_support_pilot", "rollout.expand_week=13"]
LINE = re.compile(r"generation (\d+): threshold ([\d.]+), (\d+) % accepted, ([\d,]+) simulations")


def measure(extra=()) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "orgsim"), "calibrate", str(DATA), *OVERRIDES,
             "--out", "out", *extra],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        generations = []
        for line in process.stdout:
            found = LINE.search(line)
            if found:
                generations.append({"generation": int(found[1]), "epsilon": float(found[2]),
                                    "acceptance": int(found[3]) / 100,
                                    "simulations": int(found[4].replace(",", "")),
                                    "seconds": round(time.perf_counter() - began, 1)})  # fmt: skip
        process.wait()
        wall = time.perf_counter() - began
        if process.returncode:
            raise SystemExit(f"pilot_calibration: failed: {process.stderr.read()[-2000:]}")
        check = pd.read_csv(Path(folder) / "out" / "check.csv")
        verdict = pd.read_csv(Path(folder) / "out" / "verdict.csv")
    last = generations[-1]
    return {"wall_seconds": round(wall, 1), "generations": generations,
            "usable": last, "calibration_seconds": last["seconds"],
            "simulations": last["simulations"],
            "simulations_per_second": round(last["simulations"] / last["seconds"], 1),
            "check_inside_90": round(float(check["inside"].mean()), 3),
            "verdict": verdict[["candidate", "p_best"]].to_dict("records")}  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", action="store_true", help="beside one busy process")
    parser.add_argument("--out", help="the JSON record")
    args = parser.parse_args(argv)
    busy = None
    if args.busy:
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        load = os.getloadavg()[0]
        found = measure()
    finally:
        if busy is not None:
            busy.kill()
    record = {"benchmark": "pilot_calibration", "command": ["orgsim", "calibrate",
              str(DATA.relative_to(ROOT)), *OVERRIDES], "busy": args.busy,
              "load_at_start": round(load, 2), "machine": platform.platform(),
              "cpus": os.cpu_count(), "python": platform.python_version(), **found}  # fmt: skip
    text = json.dumps(record, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
