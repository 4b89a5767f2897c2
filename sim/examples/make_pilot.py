"""Write the example pilot's analytics: 12 weeks of Sales and Support on a generated company.

The company is orgsim's default generated one (2,000 people, 11 units); the pilot is the
``sales_support_pilot`` preset (Sales and Support first, managers endorse, 2 % champions,
trainers for 2 % of the company a week) with the rest of the company still waiting
(``rollout.expand_week=13``). The truth is one parameter set of the shipped posterior with
culture dials and an analytics detection rate, drawn from the calibration's prior with
``--seed``; it is written beside the file (``pilot_truth.json``) so that the documentation
can set the calibration's intervals against it. The output is deterministic.

    python3 experiments/data/make_pilot.py [--seed 3] [--weeks 12] [--out experiments/data]
    orgsim calibrate experiments/data/pilot_analytics.csv rollout=sales_support_pilot \\
        rollout.expand_week=13
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
#: The config the pilot ran with (as ``orgsim calibrate`` takes it).
OVERRIDES = ("rollout=sales_support_pilot", "rollout.expand_week=13")


def truth(study, seed) -> dict:
    """A parameter set drawn from the calibration's prior."""
    rng = np.random.default_rng(seed)
    frame = study.shipped
    weights = frame["weight"].to_numpy(dtype=float)
    found = {"draw": int(rng.choice(frame["draw"].to_numpy(), p=weights / weights.sum()))}
    for name, (low, high) in {**study.dials, "detection": study.detection}.items():
        found[name] = round(float(rng.uniform(low, high)), 3)
    return found


def study_of(overrides=OVERRIDES, seed=0):
    """The pilot's study, with no data yet."""
    from sim.calibrate.study import PilotStudy
    from sim.conf import compose_scenario

    scenario = compose_scenario(list(overrides))
    return PilotStudy(org=scenario.org, rule=scenario.rule, culture=scenario.culture,
                      rollout=scenario.rollout, seed=seed)  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--start", default="2026-01-05", help="the first week's date")
    parser.add_argument("--out", default=str(HERE))
    args = parser.parse_args(argv)
    study = study_of()
    planted = truth(study, args.seed)
    frame = study.synthetic(planted, args.weeks, start=args.start)
    out = Path(args.out)
    frame.to_csv(out / "pilot_analytics.csv", index=False)
    values = study.values(planted)
    record = {"truth": planted, "values": values, "overrides": list(OVERRIDES),
              "weeks": args.weeks, "seed": args.seed}  # fmt: skip
    (out / "pilot_truth.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"{len(frame)} rows ({args.weeks} weeks) to {out / 'pilot_analytics.csv'}; "
          f"truth: {planted}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
