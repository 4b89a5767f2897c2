"""``orgsim calibrate``: a pilot's analytics update the shipped posterior, and the next step's
forecast follows with credible bands.

    orgsim calibrate PILOT.csv [key=value ...] [--out DIR] [--minutes 8] [--population 200]
        [--generations 10] [--weeks 52] [--draws 40] [--replications 2] [--seed 0] ...

``key=value`` are the ordinary config's (the pilot as it ran: ``org=from_csv org.path=...``,
``rollout=sales_support_pilot rollout.expand_week=13``, ``culture=...`` as a starting point is
replaced by the calibrated dials). Everything lands in ``--out`` (default
``results/calibrate/<file name>``): ``abc.db`` (pyABC's history: the same command goes on from
its last finished generation after a Ctrl-C or the time budget), ``posterior.csv``,
``narrowing.csv``, ``check.csv``, ``forecast.csv``, ``verdict.csv``, figures and
``report.html`` / ``report.md``. See docs/calibrate.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

from sim.calibrate.abc import CalibrationError
from sim.calibrate.pilot import PilotDataError
from sim.schema import ConfigError

__all__ = ["calibrate_main"]

PROG = "orgsim calibrate"


def _parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    p.add_argument("data", help="the pilot's analytics: week, unit, readers, contributors, "
                   "creators")  # fmt: skip
    p.add_argument("overrides", nargs="*", help="the pilot's config, as orgsim takes it")
    p.add_argument("--out", help="where it lands (default results/calibrate/<file name>)")
    p.add_argument("--minutes", type=float, default=8.0, help="time budget of the calibration")
    p.add_argument("--population", type=int, default=200, help="particles per generation")
    p.add_argument("--generations", type=int, default=10, help="generations in all")
    p.add_argument("--min-acceptance", type=float, default=0.03,
                   help="stop once a generation accepts less than this share")  # fmt: skip
    p.add_argument("--quantile", type=float, default=0.5,
                   help="each threshold: this quantile of the last distances")  # fmt: skip
    p.add_argument("--detection", default="0.6,1.0",
                   help="prior range of the share of active people counted")  # fmt: skip
    p.add_argument("--dials", default="open,trust,generative,courage",
                   help="the culture dials to calibrate, each uniform on [0, 1]")  # fmt: skip
    p.add_argument("--weeks", type=int, default=52, help="weeks forecast after the pilot")
    p.add_argument("--draws", type=int, default=40, help="posterior particles forecast")
    p.add_argument("--replications", type=int, default=2, help="per particle and candidate")
    p.add_argument("--waves", type=int, default=3, help="waves of the 'in waves' candidate")
    p.add_argument("--budget-per-person", type=float, default=None,
                   help="every candidate's budget, person-days per person (default: the "
                        "pilot's own budget keys)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    return p


def calibrate_main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        setup = _setup(args)  # the whole input checked, with or without pyABC
    except (ConfigError, PilotDataError, CalibrationError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted before the calibration began", file=sys.stderr)
        return 130
    try:
        import pyabc  # noqa: F401 - before anything is written
    except ImportError:
        print(f"{PROG}: calibration needs pyABC: python3 -m pip install -e '.[calibrate]' "
              "(or pip install 'orgsim[calibrate]')", file=sys.stderr)  # fmt: skip
        return 1
    try:
        _claim(setup.out, args, setup.dials, setup.study.detection)
    except ConfigError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    from sim.calibrate.report import finish
    from sim.store import StoreError

    try:
        particles = _calibrate(setup, args)
    except KeyboardInterrupt:
        kept = setup.out / "abc.db"
        print(f"\n{PROG}: interrupted; the finished generations are kept in {kept}: the same "
              "command goes on from there", file=sys.stderr)  # fmt: skip
        return 130
    except CalibrationError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    try:
        finish(setup, particles, args)
    except StoreError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted while forecasting; the posterior is in "
              f"{setup.out}: the same command forecasts again", file=sys.stderr)  # fmt: skip
        return 130
    return 0


class Setup:
    """What the command resolved: the study, its folder, the pilot's units."""

    def __init__(self, study, out, dials, pilot_units):
        self.study, self.out, self.dials, self.pilot_units = study, out, dials, pilot_units


def _range(text, name):
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(f"--{name}: a range is LOW,HIGH (e.g. 0.6,1.0), got {text!r}") from None
    if not (0 <= low < high <= 1):
        raise ConfigError(f"--{name}: need 0 <= LOW < HIGH <= 1, got {text!r}")
    return low, high


def _check_numbers(args):
    for name, least in (("population", 2), ("generations", 1), ("weeks", 1), ("draws", 1),
                        ("replications", 1), ("waves", 1)):  # fmt: skip
        if getattr(args, name) < least:
            raise ConfigError(f"--{name}: at least {least}, got {getattr(args, name)}")
    if not 0 < args.quantile < 1:
        raise ConfigError(f"--quantile: in (0, 1), got {args.quantile}")
    if not 0 <= args.min_acceptance < 1:
        raise ConfigError(f"--min-acceptance: in [0, 1), got {args.min_acceptance}")
    if not (math.isfinite(args.minutes) and args.minutes > 0):
        raise ConfigError(f"--minutes: a positive number, got {args.minutes}")
    bpp = args.budget_per_person
    if bpp is not None and not (math.isfinite(bpp) and bpp > 0):
        raise ConfigError(f"--budget-per-person: a positive number, got {args.budget_per_person}")


def _compose(overrides):
    """The scenario the overrides compose, its org read (one line on any fault)."""
    from sim.checks import guard
    from sim.conf import compose_scenario

    bad = [o for o in overrides if "=" not in o or o.split("=", 1)[0].lstrip("+~") in
           ("draw", "channel", "ensemble", "why")]  # fmt: skip
    if bad:
        raise ConfigError(f"{bad[0]}: a pilot's config is key=value, without draw, channel, "
                          "ensemble or why (the calibration chooses the draws)")  # fmt: skip
    scenario = compose_scenario(overrides)
    org = guard("org", lambda: scenario.org)
    if not scenario.rule.needs_org or [b.name for b in scenario.rule.ladder] != [
        "consume", "contribute", "create"]:  # fmt: skip
        raise ConfigError("rule: a pilot calibrates the organizational rule with its ladder "
                          "(rule=organizational behavior=social_intranet)")  # fmt: skip
    return scenario, org


def _setup(args) -> Setup:
    import dataclasses

    import numpy as np

    from sim.calibrate.pilot import read_pilot
    from sim.calibrate.study import PilotStudy
    from sim.engine.variants import unit_opening

    _check_numbers(args)
    detection = _range(args.detection, "detection")
    dials = [d.strip() for d in args.dials.split(",") if d.strip()]
    allowed = ("open", "trust", "generative", "courage")
    for dial in dials:
        if dial not in allowed:
            raise ConfigError(f"--dials: {dial!r} is not a culture dial ({', '.join(allowed)})")
    scenario, org = _compose(args.overrides)
    headcount = {u: int(np.count_nonzero(org.unit == i)) for i, u in enumerate(org.unit_names)}
    pilot = read_pilot(args.data, headcount)
    rollout = scenario.rollout
    pilot_units = None
    if rollout.scope == "pilot":
        pilot_units = rollout.pilot_units
        if pilot_units is None:  # the file says which units had it
            active = np.nansum(pilot.counts[:, :, 0], axis=0) > 0
            pilot_units = tuple(u for u, a in zip(pilot.units, active, strict=True) if a)
            if not pilot_units:
                raise PilotDataError(f"{args.data}: nobody reads in any unit; name the pilot's "
                                     "units with rollout.pilot_units=[...]")  # fmt: skip
            rollout = dataclasses.replace(rollout, pilot_units=pilot_units)
        if rollout.expand_share is None:  # the plan is fixed: activity before access is a fault
            opened = unit_opening(org, scenario.rule, scenario.culture, rollout, args.seed,
                                  pilot.last_week)  # fmt: skip
            read_pilot(args.data, headcount, opened)
    study = PilotStudy(org=org, rule=scenario.rule, culture=scenario.culture, rollout=rollout,
                       pilot=pilot, dials={f"culture.{d}": (0.0, 1.0) for d in dials},
                       detection=detection, seed=args.seed)  # fmt: skip
    out = Path(args.out) if args.out else Path("results") / "calibrate" / Path(args.data).stem
    return Setup(study, out, dials, pilot_units)


def _claim(out, args, dials, detection):
    """Write ``calibration.json`` (what this folder calibrates) or check it: a folder that
    holds another pilot's or another prior's calibration is refused, not mixed."""
    from sim.store import StoreError
    from sim.store.files import mkdir, write_atomic

    what = {"data_sha256": hashlib.sha256(Path(args.data).read_bytes()).hexdigest(),
            "overrides": list(args.overrides), "dials": dials, "detection": list(detection),
            "population": args.population, "quantile": args.quantile,
            "seed": args.seed}  # fmt: skip
    path = out / "calibration.json"
    if path.exists():
        try:
            before = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise ConfigError(f"{path}: cannot be read ({error}); name another --out") from None
        changed = [k for k in what if before.get(k) != what[k]]
        if changed:
            differ = ", ".join(changed)
            raise ConfigError(f"{out} holds the calibration of another pilot or prior "
                              f"({differ} differ, {path}); name another --out")  # fmt: skip
        return
    try:
        mkdir(out)
        write_atomic(path, lambda p: Path(p).write_text(json.dumps(what, indent=1) + "\n"))
    except StoreError as error:
        raise ConfigError(str(error)) from None


def _calibrate(setup, args):
    study = setup.study
    pilot = study.pilot
    print(f"Calibrating on {pilot.path}: {len(pilot.weeks)} weeks, "
          f"{len(pilot.observed_units())} units observed ({', '.join(pilot.observed_units())}); "
          f"{len(study.parameters())} parameters; history in {setup.out / 'abc.db'}")  # fmt: skip

    def line(generation, epsilon, acceptance, simulations, seconds):
        print(f"  generation {generation}: threshold {epsilon:.3f}, {100 * acceptance:.0f} % "
              f"accepted, {simulations:,} simulations so far ({seconds:.0f} s)",
              flush=True)  # fmt: skip

    particles = study.calibrate(setup.out / "abc.db", population=args.population,
                                generations=args.generations, minutes=args.minutes,
                                min_acceptance=args.min_acceptance, quantile=args.quantile,
                                seed=args.seed, on_generation=line)  # fmt: skip
    print(f"  {STOPPED[particles.attrs['stopped']]}")
    return particles


#: Why a calibration ended, in words, and what would make it go on.
STOPPED = {
    "generations": "stopped: the generations asked for are done (--generations adds more)",
    "minutes": "stopped: the next generation would pass the time budget (--minutes gives more; "
               "the same command goes on)",
    "min_acceptance": "stopped: a generation accepted less than --min-acceptance of its "
                      "simulations; the threshold is near what chance alone leaves",
    "min_epsilon": "stopped: the threshold reached its minimum",
    "simulations": "stopped: the simulations allowed are spent",
}  # fmt: skip
