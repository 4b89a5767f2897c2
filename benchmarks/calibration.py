"""The record of a calibration run: per generation of ABC-SMC, its threshold, the simulations
it took, its acceptance rate, its wall time and its effective sample size.

Run by hand after ``experiments/posterior.py`` (not part of the test suite; it asserts
nothing)::

    python benchmarks/calibration.py results/posterior/abc.db \
        [--out benchmarks/calibration-2026-12-07.json]

Reads pyABC's SQLite history (the ``calibrate`` extra). Generation -1 is pyABC's calibration
sample from the prior, from which the first threshold is taken.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path


def record(database) -> dict:
    import numpy as np
    import pyabc

    history = pyabc.History(f"sqlite:///{Path(database).resolve()}")
    populations = history.get_all_populations()
    generations = []
    for row in populations.itertuples(index=False):
        if row.t < 0:
            generations.append({"t": int(row.t), "note": "calibration sample from the prior",
                                "simulations": int(row.samples),
                                "wall_s": round(float(row.wall_time), 1)})  # fmt: skip
            continue
        entry = {"t": int(row.t), "epsilon": None if np.isinf(row.epsilon) else float(row.epsilon),
                 "simulations": int(row.samples), "accepted": int(row.particles),
                 "acceptance": round(row.particles / row.samples, 4) if row.samples else None,
                 "wall_s": round(float(row.wall_time), 1)}  # fmt: skip
        _, weights = history.get_distribution(t=int(row.t))
        weights = np.asarray(weights, dtype=float)
        entry["effective_sample_size"] = round(float(weights.sum() ** 2 / (weights**2).sum()), 1)
        generations.append(entry)
    return {
        "database": str(database), "cores": os.cpu_count(), "machine": platform.machine(),
        "python": platform.python_version(), "pyabc": pyabc.__version__,
        "generations": generations,
        "simulations": int(populations["samples"].sum()),
        "wall_s": round(float(populations["wall_time"].sum()), 1),
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if not Path(args.database).is_file():
        print(f"calibration: {args.database}: no such file", file=sys.stderr)
        return 2
    text = json.dumps(record(args.database), indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
