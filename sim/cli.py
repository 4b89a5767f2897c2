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

import logging
import os
import signal
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim import columns, store, sweep
from sim.conf import CONFIG_DIR, ConfigError, build, register
from sim.precheck import precheck

__all__ = ["DropJobConfigs", "main", "precheck", "results_main"]

log = logging.getLogger("orgsim")

register()

#: Hydra's flags that only show things: no job runs, so nothing is checked first.
_SHOW_ONLY = ("help", "hydra_help", "cfg", "info", "shell_completion", "resolve")


class DropJobConfigs(Callback):
    """Send a finished job back without Hydra's two copies of its config, and a failed
    write as :class:`sim.sweep.JobFailed` instead of an exception.

    The store keeps each job's resolved config beside its results already;
    pickling Hydra's copies back to the launching process cost a worker about
    0.1 s a job, more than a small job's simulation. A job that cannot write
    its results (:class:`~sim.store.StoreError`) comes back as a value, so
    that Hydra neither prints it with a traceback nor stops the sweep's other
    jobs; ``orgsim`` names it in one line at the end and exits 1.
    """

    def on_job_end(self, config, job_return, **kwargs):
        from hydra.core.utils import JobStatus

        job_return.cfg = None
        job_return.hydra_cfg = None
        error = getattr(job_return, "_return_value", None)
        if job_return.status == JobStatus.FAILED and isinstance(
            error, store.StoreError | MemoryError
        ):
            job_return.status = JobStatus.COMPLETED
            job_return.return_value = sweep.JobFailed(str(error))
            sweep.failures.append(str(error))  # seen here when the job ran in this process


def _hydra_args(argv):
    from hydra._internal.utils import get_args_parser

    return get_args_parser().parse_args(argv)


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
    if not experiment and not any(o.startswith("analysis.") for o in overrides):
        return None
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        design = cfg.get("analysis", {}).get("method") is not None
        if experiment and (cfg.hydra.sweeper.get("params") or design):
            return "experiment"
        return "design" if design else None
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
    if sys.argv[1:2] == ["report"]:
        from sim.report.cli import report_main

        sys.exit(report_main(sys.argv[2:]))
    if sys.argv[1:2] == ["analyze"]:
        from sim.analysis.cli import analyze_main

        sys.exit(analyze_main(sys.argv[2:]))
    if sys.argv[1:2] == ["app"]:
        from sim.app.cli import app_main  # says in one line when the app extra is missing

        sys.exit(app_main(sys.argv[2:]))
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        from sim._help import print_help

        print_help()
        return
    # For hydra/launcher=ray (harmless otherwise): without the first, Ray rewrites a
    # loopback address into the machine's external one and cannot reach a cluster
    # started on 127.0.0.1; Ray 2.60 turns token auth on unless told.
    # joblib's resource tracker (a process of its own) warns at exit about semaphores of
    # workers orgsim stopped on purpose; under load those lines broke the one-line errors.
    if "resource_tracker" not in os.environ.get("PYTHONWARNINGS", ""):
        extra = "ignore:resource_tracker:UserWarning"
        os.environ["PYTHONWARNINGS"] = ",".join(
            w for w in (os.environ.get("PYTHONWARNINGS"), extra) if w)  # fmt: skip
    for name, value in (
        ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0"),
        ("RAY_AUTH_MODE", "disabled"),
        ("RAY_USAGE_STATS_ENABLED", "0"),
    ):
        os.environ.setdefault(name, value)
    # configs/hydra/launcher/ray.yaml completes the Ray plugin's schema of the same
    # name on purpose (so that hydra/launcher=ray gets orgsim's settings).
    warnings.filterwarnings("ignore", message=r"(?s).*validated against ConfigStore schema")
    argv, verbose = _quiet_flags(_spelled(sys.argv[1:]))
    sys.argv[1:] = argv
    args = _hydra_args(sys.argv[1:])
    show_only = any(getattr(args, flag, None) for flag in _SHOW_ONLY)
    if show_only:
        try:
            _run()
        except ValueError as error:  # Hydra's own usage errors (-m with --cfg, ...)
            print(f"orgsim: error: {str(error).splitlines()[0]}", file=sys.stderr)
            sys.exit(2)
        return
    if not args.multirun:
        swept = _sweep_without_m(args.overrides)
        if swept is not None:
            print(f"orgsim: error: {swept} lists several values, a sweep: add -m to run one "
                  f"job per value, as in: orgsim -m {' '.join(args.overrides)}",
                  file=sys.stderr)  # fmt: skip
            sys.exit(2)
        kind = _sweeps(args.overrides)
        if kind == "design":
            print(f"orgsim: error: analysis.method draws a sample, one job per point: add -m, "
                  f"as in: orgsim -m {' '.join(args.overrides)}", file=sys.stderr)  # fmt: skip
            sys.exit(2)
        if kind == "experiment":
            print(f"orgsim: the experiment is a sweep: running orgsim -m "
                  f"{' '.join(args.overrides)}", file=sys.stderr)  # fmt: skip
            sys.argv.insert(1, "-m")
            args = _hydra_args(sys.argv[1:])
    # Hydra prints its own traceback for an error in a job unless told to re-raise
    # it: orgsim says what failed in one line instead (below).
    os.environ["HYDRA_FULL_ERROR"] = "1"
    os.environ[sweep.MAIN_PID] = str(os.getpid())
    signal.signal(signal.SIGTERM, _terminated)
    jobs = []
    try:
        if args.multirun:
            _start_workers(args.overrides)
        try:
            jobs = precheck(args.overrides, args.multirun)
        except ConfigError as error:
            _stop_workers()
            print(f"orgsim: error: {error}", file=sys.stderr)
            sys.exit(2)
        sweep.checked = True
        for note in jobs.notes:
            print(f"orgsim: {note}", file=sys.stderr)
        if jobs.design is not None:
            try:
                _record_design(jobs)
            except store.StoreError:
                _stop_workers()
                raise
        try:
            with _job_progress(jobs, args.multirun and not verbose):
                _run()
        finally:
            _stop_workers()
        problems = []
        changed = jobs.changed_inputs()
        if changed:
            problems.append(
                f"{changed[0]}: changed while the command ran, so its jobs did not all read the "
                f"same file; no ranking was made (the store holds runs of each version, by their "
                f"org.path_sha256): run the command again once the file stays as it is"
            )
        elif args.multirun and not sweep.failures and _finished(jobs) < len(jobs):
            problems.append(f"only {_finished(jobs)} of {len(jobs)} jobs hold their results; "
                            f"no ranking was made: the same command runs the others")  # fmt: skip
        if sweep.failures:
            more = len(sweep.failures) - 1
            also = f" (and {more} more job{'s' if more > 1 else ''} failed)" if more else ""
            problems.append(sweep.failures[0] + also)
        for where in dict.fromkeys(job.store for job in jobs):
            if not (where / "jobs").is_dir():
                continue
            try:
                counts = store.merge(where)
            except store.StoreError as error:  # the jobs' own failures stay named above it
                problems.append(str(error))
                continue
            if verbose:
                print(f"orgsim: {counts['runs']} runs in {where / 'runs.parquet'}",
                      file=sys.stderr)  # fmt: skip
        if args.multirun and not sweep.failures and not problems:
            from sim.report.cli import conclude

            problems += conclude(jobs)
        if problems:
            for problem in problems:
                print(f"orgsim: error: {problem}", file=sys.stderr)
            sys.exit(1)
    except (store.StoreError, MemoryError) as error:
        print(f"orgsim: error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt as stop:
        _stop_workers()
        if jobs:
            finished = _finished(jobs)
            said = f"{finished} of {len(jobs)} jobs finished; the same command resumes the others"
        else:
            said = "while checking the command; nothing was written"
        print(f"orgsim: interrupted: {said}", file=sys.stderr)
        sys.exit(143 if getattr(stop, "signal", None) == signal.SIGTERM else 130)


def _record_design(jobs):
    """Record the command's design in each store its jobs land in (before any job runs)."""
    from sim.analysis.design import write_record

    for where in dict.fromkeys(job.store for job in jobs):
        mine = [job for job in jobs if job.store == where]
        write_record(where, jobs.design, mine, [job.point for job in mine])


class _Terminated(KeyboardInterrupt):
    signal = signal.SIGTERM


def _terminated(signum, frame):
    raise _Terminated


def _finished(jobs) -> int:
    """How many of the command's jobs the store holds all replications of."""
    held = {}
    for where in dict.fromkeys(job.store for job in jobs):
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


def _start_workers(overrides):
    """Start joblib's workers while this process checks the command (they take seconds)."""
    from hydra import compose, initialize_config_dir

    from sim.sweep import warm_workers

    launcher = [o for o in overrides if o.lstrip("+~").startswith("hydra/launcher")]
    settings = [o for o in overrides if o.startswith("hydra.launcher.")]
    if launcher:  # only joblib has workers to warm, and only its defaults are known here
        return
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=settings, return_hydra_config=True)
        warm_workers(cfg.hydra.launcher)
    except Exception:  # the check that follows says what is wrong
        return


def _stop_workers():
    """Stop joblib's workers now (idle or not) instead of waiting for them at exit."""
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=False, kill_workers=True)


# -- one job ---------------------------------------------------------------------------


def _progress_bar(total, enabled):
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="run", file=sys.stderr, leave=False)
    return (lambda k: bar.update(k - bar.n)), bar.close


def _print_summary(runs, where):
    from sim.metrics import intervals
    from sim.report.results import format_interval, metric_label

    behaviors = [c.removeprefix("final_fraction_") for c in runs.columns
                 if c.startswith("final_fraction_")]  # fmt: skip
    shown = [f"{m}_{b}" for b in behaviors for m in ("final_fraction", "weeks_to_50pct")]
    shown += [c for c in ("auc_fraction_weeks_contribute", "units_above_50pct_consume",
                          "cost_total") if c in runs.columns]  # fmt: skip
    table = intervals(runs, shown)
    print(f"{len(runs)} replications (mean ± 95 % interval):")
    for metric, row in table.iterrows():
        print(f"  {metric_label(metric):<58} {format_interval(metric, row, len(runs))}")
    print(f"results: {where} (orgsim report {where} draws them)")


def _yaml(resolved):
    """The resolved config as YAML (what OmegaConf.to_yaml writes, in a tenth of the time)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(resolved, Dumper=dumper, sort_keys=False, allow_unicode=True)


def _ranges(indices):
    """Sorted indices as ``(first, stop)`` ranges of consecutive ones."""
    ranges = []
    for i in sorted(indices):
        if ranges and ranges[-1][1] == i:
            ranges[-1][1] = i + 1
        else:
            ranges.append([i, i + 1])
    return [tuple(r) for r in ranges]


def run_job(cfg):
    """Run one job (a scenario x its replications) into the store; return the headline.

    Only the replications the store does not hold yet are run, under the
    job's lock: a second sweep over the same job waits, then finds them done.
    """
    import pandas as pd
    from numba import set_num_threads

    from sim import __version__

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    sweep.as_worker()
    threads = cfg.threads if cfg.threads is not None else (1 if multirun else None)
    if threads is not None:
        set_num_threads(int(threads))
    resolved = OmegaConf.to_container(cfg, resolve=True)
    digests = columns.input_digests(resolved, hc.runtime.cwd)
    choices = dict(hc.runtime.choices)
    hashed = columns.hashed_config(resolved, digests, choices)
    digest, seed = store.config_hash(hashed), int(cfg.seed)
    target = Path(cfg.paths.store)
    wanted = range(int(cfg.replications))
    computed = []
    with store.job_lock(target, digest, seed):
        held = store.done(target, digest, seed)
        missing = sorted(set(wanted) - held)
        if missing:
            scenario = build(cfg, base_dir=hc.runtime.cwd)
            keys = {"config_hash": digest, "seed": seed, "version": __version__}
            keys.update(columns.scenario_values(resolved, choices, digests))
            schema = columns.scenario_schema()
            show = cfg.progress if cfg.progress is not None else (
                sys.stderr.isatty() and not multirun)  # fmt: skip
            progress, close = _progress_bar(len(missing), show)
            config = _yaml(sweep.without_input_paths(resolved, hc.runtime.cwd))
            try:
                for first, stop in _ranges(missing):
                    done = len([r for r in missing if r < first])
                    bar = (lambda k, d=done: progress(d + k)) if progress else None
                    runs, timeseries, groups = scenario.run(seed, range(first, stop), bar,
                                                            groups=True)  # fmt: skip
                    chunk = store.Chunk(digest, seed, first, stop)
                    store.write_chunk(target, chunk, runs, timeseries, config, keys,
                                      schema, groups)  # fmt: skip
                    computed.append(runs)
            finally:
                close()
        else:
            log.debug("job %s-%s finished before: skipped", digest, seed)
    # The job's rows: what was just computed, and what the store held before.
    runs = store.read_runs(target, digest, seed) if held else pd.concat(computed)
    runs = runs[runs.replication < len(wanted)]
    if not multirun:
        _print_summary(runs, target)
    first = next(c for c in runs.columns if c.startswith("final_fraction_"))
    return float(runs[first].mean())


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def _run(cfg):
    return run_job(cfg)


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
    from sim.report.results import ReportError, format_value, load

    try:
        results = load(where, quiet=True)
    except (ReportError, store.StoreError):
        return jobs
    shown = ["strategy", *results.axes]
    what = results.runs.drop_duplicates(["config_hash", "seed"])[["config_hash", "seed", *shown]]
    for column in results.axes:
        what[column] = what[column].map(format_value)
    return jobs.merge(what, on=["config_hash", "seed"], how="left")
