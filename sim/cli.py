"""The ``orgsim`` command (Hydra) and ``orgsim-results``.

::

    orgsim                                              # the default study
    orgsim org=enterprise rollout=pilot_decentralized culture.trust=0.3
    orgsim -m rollout=company_wide,pilot culture.courage=0.2,0.5,0.8 seed='range(0,30)'
    orgsim -m +experiment=rollout_2x2 hydra/launcher=ray
    orgsim --cfg job

Before Hydra runs anything, :func:`main` composes the config of every job of
the command (each distinct one once) and builds its objects, so that a wrong
key, a wrong type or a value out of range stops the whole command with one
line naming the key, exit status 2, and nothing written.
"""

from __future__ import annotations

import os
import signal
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from sim import _hydra, store, sweep, workers
from sim._moved import warn_moved
from sim.conf import CONFIG_DIR, register
from sim.job import hydra_main, task
from sim.precheck import precheck
from sim.schema import ConfigError
from sim.sweep import DropJobConfigs  # configs/config.yaml names it here

__all__ = ["DropJobConfigs", "main", "precheck", "results_main"]

register()

#: Hydra's flags that only show things: no job runs, so nothing is checked first.
_SHOW_ONLY = ("help", "hydra_help", "cfg", "info", "shell_completion", "resolve")


def _error(message, status):
    """End the command with one line on stderr."""
    print(f"orgsim: error: {message}", file=sys.stderr)
    sys.exit(status)


#: Keys whose value is a path: ``~`` there means the user's home, as in a shell.
_PATH_KEYS = ("paths.results", "paths.store", "org.path", "org.ties")


def _spelled(argv):
    """The command line as Hydra wants it: ``+experiment=x`` (not in the defaults list),
    ``++analysis.parameters...`` (a design's ranges are new keys, or replace an
    experiment's), and ``~`` expanded in paths (a shell does not expand it after ``key=``)."""
    spelled = []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if key == "experiment":
            arg = "+" + arg
        elif eq and key.startswith("analysis.parameters"):
            arg = "++" + arg
        elif eq and key.lstrip("+") in _PATH_KEYS and value.startswith("~"):
            arg = f"{key}={os.path.expanduser(value)}"
        spelled.append(arg)
    return spelled


def _sweep_without_m(overrides):
    """The first override that lists several values (``rollout=a,b``), if any."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except Exception:  # a malformed override: the check that follows names it
        return None
    return next((o.input_line for o in parsed if o.is_sweep_override()), None)


def _sweeps(overrides) -> str | None:
    """What makes the command a sweep without ``-m``: ``"experiment"`` when it names an
    experiment that sweeps (``hydra.sweeper.params`` or a design), ``"design"`` when it
    draws a sample (``analysis.method``) itself, else None."""
    experiment = any(o.lstrip("+").startswith("experiment=") for o in overrides)
    if not experiment and not any(o.startswith(("analysis.", "ensemble.")) for o in overrides):
        return None
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        design = cfg.get("analysis", {}).get("method") is not None
        ensemble = (cfg.get("ensemble", {}).get("draws") or 0) > 0
        if experiment and (cfg.hydra.sweeper.get("params") or design or ensemble):
            return "experiment"
        return "design" if design else "ensemble" if ensemble else None
    except Exception:  # the check that follows says what is wrong
        return None
    finally:
        GlobalHydra.instance().clear()


def _quiet_flags(argv):
    """``-v``/``--verbose`` out of ``argv``; Hydra's lines back in when it was there."""
    verbose = any(a in ("-v", "--verbose") for a in argv)
    argv = [a for a in argv if a not in ("-v", "--verbose")]
    if verbose and not any(a.startswith("hydra.hydra_logging.root.level=") for a in argv):
        argv.append("hydra.hydra_logging.root.level=INFO")
    return argv, verbose


def main():
    """Entry point of ``orgsim``: check the whole command, hand it to Hydra, merge the store."""
    _subcommand(sys.argv[1:])
    _environment()
    args, verbose = _parse()
    if any(getattr(args, flag, None) for flag in _SHOW_ONLY):
        _show()
        return
    if not args.multirun:
        args = _sweep_or_refuse(args)
    _run_command(args, verbose)


def _subcommand(argv):
    """``orgsim report|analyze|calibrate|app ...`` and ``orgsim --help``: run it and exit."""
    if argv[:1] == ["report"]:
        from sim.report.cli import report_main

        sys.exit(report_main(argv[1:]))
    if argv[:1] == ["analyze"]:
        from sim.report.cli import analyze_main

        sys.exit(analyze_main(argv[1:]))
    if argv[:1] == ["calibrate"]:
        from sim.calibrate.cli import calibrate_main  # says in one line when pyABC is missing

        sys.exit(calibrate_main(argv[1:]))
    if argv[:1] == ["app"]:
        from sim.app.cli import app_main  # says in one line when the app extra is missing

        sys.exit(app_main(argv[1:]))
    if any(a in ("-h", "--help") for a in argv):
        from sim._help import print_help

        print_help()
        sys.exit(0)


def _stores(jobs):
    """The stores the command's jobs land in, in order."""
    return list(dict.fromkeys(job.store for job in jobs))


def _environment():
    """What the command's processes need to be told before anything starts."""
    # For hydra/launcher=ray (harmless otherwise): without the first, Ray rewrites a
    # loopback address into the machine's external one and cannot reach a cluster
    # started on 127.0.0.1; Ray 2.60 turns token auth on unless told.
    workers.quiet_tracker()
    for name, value in (
        ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0"),
        ("RAY_AUTH_MODE", "disabled"),
        ("RAY_USAGE_STATS_ENABLED", "0"),
    ):
        os.environ.setdefault(name, value)
    # configs/hydra/launcher/ray.yaml completes the Ray plugin's schema of the same
    # name on purpose (so that hydra/launcher=ray gets orgsim's settings).
    warnings.filterwarnings("ignore", message=r"(?s).*validated against ConfigStore schema")


def _parse():
    """Hydra's arguments of the command line as orgsim spells it (``sys.argv`` rewritten
    for Hydra), and whether ``-v`` asked for Hydra's lines."""
    argv, verbose = _quiet_flags(_spelled(sys.argv[1:]))
    sys.argv[1:] = argv
    return _hydra.parse_args(sys.argv[1:]), verbose


def _show():
    """``--cfg``, ``--info`` and the like: Hydra shows; no job runs, nothing is checked."""
    try:
        hydra_main()
    except ValueError as error:  # Hydra's own usage errors (-m with --cfg, ...)
        _error(str(error).splitlines()[0], 2)


def _sweep_or_refuse(args):
    """A command without ``-m`` that is a sweep all the same: refused when it lists values
    or draws a design (it says how to run it), run as one when it names an experiment
    that sweeps."""
    swept = _sweep_without_m(args.overrides)
    command = " ".join(args.overrides)
    if swept is not None:
        _error(f"{swept} lists several values, a sweep: add -m to run one job per value, "
               f"as in: orgsim -m {command}", 2)  # fmt: skip
    kind = _sweeps(args.overrides)
    if kind == "design":
        _error(f"analysis.method draws a sample, one job per point: add -m, as in: "
               f"orgsim -m {command}", 2)  # fmt: skip
    if kind == "ensemble":
        _error(f"ensemble.draws runs each scenario on several parameter sets, one job per "
               f"draw: add -m, as in: orgsim -m {command} (draw=ID runs one)", 2)  # fmt: skip
    if kind == "experiment":
        print(f"orgsim: the experiment is a sweep: running orgsim -m {command}", file=sys.stderr)
        sys.argv.insert(1, "-m")
        args = _hydra.parse_args(sys.argv[1:])
    return args


def _run_command(args, verbose):
    """Check every job, run them (Hydra), merge the stores, rank a sweep; exit 1 with one
    line per problem, 130 or 143 when interrupted."""
    # Hydra prints its own traceback for an error in a job unless told to re-raise
    # it: orgsim says what failed in one line instead (below).
    os.environ["HYDRA_FULL_ERROR"] = "1"
    os.environ[workers.MAIN_PID] = str(os.getpid())
    signal.signal(signal.SIGTERM, _terminated)
    command, jobs = sweep.Command(), []
    try:
        jobs = _checked(args)
        command.checked = True
        try:
            with sweep.running(command), _job_progress(jobs, args.multirun and not verbose):
                hydra_main()
        finally:
            workers.stop_workers()
        problems = _problems(jobs, args.multirun, command.failures)
        problems += _merged(jobs, verbose)
        if args.multirun and not command.failures and not problems:
            from sim.report.cli import conclude

            problems += conclude(jobs)
        if problems:
            for problem in problems:
                print(f"orgsim: error: {problem}", file=sys.stderr)
            sys.exit(1)
    except (store.StoreError, MemoryError) as error:
        _error(error, 1)
    except KeyboardInterrupt as stop:
        workers.stop_workers()
        if jobs:
            finished = _finished(jobs)
            said = f"{finished} of {len(jobs)} jobs finished; the same command resumes the others"
        else:
            said = "while checking the command; nothing was written"
        print(f"orgsim: interrupted: {said}", file=sys.stderr)
        sys.exit(143 if getattr(stop, "signal", None) == signal.SIGTERM else 130)


def _checked(args):
    """The command's jobs, every one composed and built (:func:`precheck`), with joblib's
    workers starting meanwhile; exit 2 with one line at the first bad one."""
    if args.multirun:
        workers.start_workers(args.overrides, CONFIG_DIR)
    try:
        jobs = precheck(args.overrides, args.multirun)
    except ConfigError as error:
        workers.stop_workers()
        _error(error, 2)
    for note in jobs.notes:
        print(f"orgsim: {note}", file=sys.stderr)
    if jobs.design is not None:
        try:
            _record_design(jobs)
        except store.StoreError:
            workers.stop_workers()
            raise
    return jobs


def _problems(jobs, multirun, failures) -> list[str]:
    """What went wrong while the jobs ran: an input file that changed, jobs missing, jobs
    that failed (the first named)."""
    problems = []
    changed = jobs.changed_inputs()
    if changed:
        problems.append(
            f"{changed[0]}: changed while the command ran, so its jobs did not all read the "
            f"same file; no ranking was made (the store holds runs of each version, by their "
            f"org.path_sha256): run the command again once the file stays as it is"
        )
    elif multirun and not failures and (finished := _finished(jobs)) < len(jobs):
        problems.append(f"only {finished} of {len(jobs)} jobs hold their results; "
                        f"no ranking was made: the same command runs the others")  # fmt: skip
    if failures:
        more = len(failures) - 1
        also = f" (and {more} more job{'s' if more > 1 else ''} failed)" if more else ""
        problems.append(failures[0] + also)
    return problems


def _merged(jobs, verbose) -> list[str]:
    """Merge each store the jobs landed in; what failed to merge (the jobs' own failures
    stay named before it)."""
    problems = []
    for where in _stores(jobs):
        if not (where / "jobs").is_dir():
            continue
        try:
            counts = store.merge(where)
        except store.StoreError as error:
            problems.append(str(error))
            continue
        if verbose:
            print(f"orgsim: {counts['runs']} runs in {where / 'runs.parquet'}", file=sys.stderr)
    return problems


def _record_design(jobs):
    """Record the command's design in each store its jobs land in (before any job runs)."""
    from sim.analysis.design import write_record

    for where in _stores(jobs):
        mine = [job for job in jobs if job.store == where]
        write_record(where, jobs.design, mine, [job.point for job in mine])


class _Terminated(KeyboardInterrupt):
    signal = signal.SIGTERM


def _terminated(signum, frame):
    raise _Terminated


def _finished(jobs) -> int:
    """How many of the command's jobs the store holds all replications of."""
    held = {}
    for where in _stores(jobs):
        try:
            listed = store.list_jobs(where)
        except Exception:  # counting is only for the message
            continue
        held.update({(where, d, s): n for d, s, n in listed.itertuples(index=False)})
    return sum(held.get((j.store, j.digest, j.seed), 0) >= j.replications for j in jobs)


@contextmanager
def _job_progress(jobs, enabled):
    """A bar over the command's jobs on a terminal, counted from the store as they finish."""
    if not enabled or len(jobs) < 2 or not sys.stderr.isatty():
        yield
        return
    import threading

    from tqdm import tqdm

    bar = tqdm(total=len(jobs), unit="job", file=sys.stderr, leave=False)
    stop = threading.Event()

    def watch():
        while not stop.wait(0.5):
            bar.update(_finished(jobs) - bar.n)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        bar.close()


def run_job(cfg):
    """Deprecated: :func:`sim.job.task` (under Hydra) or :func:`sim.job.run_job`."""
    warn_moved("sim.cli.run_job", "sim.job.task")
    return task(cfg)


# -- orgsim-results ---------------------------------------------------------------------


def results_main(argv=None):
    """``orgsim-results DIR [--list]``: merge the stores under DIR and say what they hold."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="orgsim-results",
        description="Merge each store under DIR (a folder with jobs/) into runs.parquet and "
        "timeseries.parquet, and list what it holds.",
    )
    parser.add_argument("dir", type=Path, help="a store (results/<task_name>) or a folder of them")
    parser.add_argument("--list", action="store_true", help="one line per finished job")
    args = parser.parse_args(argv)
    found = store.stores(args.dir)
    if not found:
        print(
            f"orgsim-results: error: no store under {args.dir} (no jobs/ folder)", file=sys.stderr
        )
        return 2
    status = 0
    for where in found:
        try:
            counts = store.merge(where)
        except store.StoreError as error:
            print(f"orgsim-results: error: {error}", file=sys.stderr)
            status = 1
            continue
        jobs = store.list_jobs(where)
        print(
            f"{where}: {len(jobs)} jobs, {jobs.config_hash.nunique()} scenarios, "
            f"{counts['runs']} runs -> runs.parquet, "
            f"{counts['timeseries']} rows -> timeseries.parquet"
        )
        if args.list:
            print(_described(where, jobs).to_string(index=False))
    return status


def _described(where, jobs):
    """The job list with what each job is: its presets and the values that vary."""
    from sim.results import ReportError, format_value, load

    try:
        results = load(where, quiet=True)
    except (ReportError, store.StoreError):
        return jobs
    shown = ["strategy", *results.axes]
    what = results.runs.drop_duplicates(["config_hash", "seed"])[["config_hash", "seed", *shown]]
    for column in results.axes:
        what[column] = what[column].map(format_value)
    return jobs.merge(what, on=["config_hash", "seed"], how="left")
