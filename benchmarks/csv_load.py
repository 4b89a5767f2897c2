"""Benchmark of reading a user's org chart: one command, one read and one parse per file.

Run by hand (not part of the test suite; it asserts nothing)::

    python benchmarks/csv_load.py                    # 200,000 people in 20,000 units
    python benchmarks/csv_load.py --people 20000 --units 2000

Issue 26: 200k people in 20,000 units took 166 s, the CSV built twice and opened four times
(the check, the run, and each digest). What is measured, on a chart written from
``sim.org.generate(people, units=units)`` (ids like ``E000001``, a name column ignored):

* ``from_csv_first_s`` and ``from_csv_again_s``: ``sim.org.from_csv`` of the chart, ties
  generated, in one process: the second call finds the org kept by the file's digest;
* ``opens``: how often that process opened the chart for the two loads and two digests;
* ``command_s``: ``orgsim org=from_csv org.path=CHART replications=1 steps=1`` from start to
  end (imports included), in a fresh folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_chart(path, people, units):
    import numpy as np
    import pandas as pd

    from sim import org as orgs

    made = orgs.generate(people, units=units, seed=1)
    ids = np.array([f"E{i:06d}" for i in range(made.n)], dtype=object)
    boss = np.where(made.manager >= 0, ids[np.maximum(made.manager, 0)], "")
    unit = np.array([f"Unit {u}" for u in made.unit], dtype=object)
    names = [f"Person {i}" for i in range(made.n)]
    pd.DataFrame({"employee_id": ids, "manager_id": boss, "unit": unit, "name": names}).to_csv(
        path, index=False
    )


def in_process(path) -> dict:
    import builtins

    import sim.org._csv
    from sim.columns import file_digest
    from sim.org import from_csv

    opens = []
    real = builtins.open

    def counting(name, *args, **kwargs):
        opens.append(str(name))
        return real(name, *args, **kwargs)

    sim.org._csv.open = counting  # the module's own name, as the tests do
    start = time.perf_counter()
    from_csv(path, seed=0)
    first = time.perf_counter() - start
    file_digest(path)
    start = time.perf_counter()
    from_csv(path, seed=0)
    again = time.perf_counter() - start
    file_digest(path)
    return {"from_csv_first_s": round(first, 3), "from_csv_again_s": round(again, 4),
            "opens": sum(o == str(path) for o in opens)}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        chart = Path(where) / "org.csv"
        write_chart(chart, args.people, args.units)
        record = {"people": args.people, "units": args.units, "bytes": chart.stat().st_size}
        record.update(in_process(chart))
        start = time.perf_counter()
        subprocess.run(
            [Path(sys.executable).parent / "orgsim", "org=from_csv", f"org.path={chart}",
             "replications=1", "steps=1"],
            cwd=where, check=True, capture_output=True, env={**os.environ},
        )  # fmt: skip
        record["command_s"] = round(time.perf_counter() - start, 2)
    text = json.dumps(record, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
