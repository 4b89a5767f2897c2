"""orgsim's worker processes: started early and warmed, watching their parent, stopped.

A sweep's jobs run in joblib's workers (Hydra's joblib launcher). Starting a
worker and importing what a job imports takes seconds, so ``orgsim`` starts
them (:func:`start_workers`) while it checks the command, and stops them
(:func:`stop_workers`) as soon as the command is over, idle or not. Each
worker leaves Ctrl-C to ``orgsim`` and dies with it (:func:`as_worker`).
"""

from __future__ import annotations

import os

from sim import _hydra

__all__ = [
    "MAIN_PID",
    "as_worker",
    "launcher_settings",
    "quiet_tracker",
    "start_workers",
    "stop_workers",
    "warm_up",
    "warm_workers",
]

#: Environment variable that tells a job which process is ``orgsim``'s own.
MAIN_PID = "ORGSIM_MAIN_PID"

#: Whether this process watches its parent already (once per worker).
_watching = False


def as_worker():
    """In one of ``orgsim``'s own worker processes: leave Ctrl-C to ``orgsim``, die with it.

    A terminal's Ctrl-C reaches every process of the group; ``orgsim`` alone
    answers it (one line, then it stops the workers), so a worker ignores it
    rather than print a traceback. And a worker whose ``orgsim`` was killed
    outright has nobody to report to: it exits at once instead of finishing
    its job (an unfinished job leaves no file the store believes). No-op in
    ``orgsim``'s own process and in workers it did not start (Ray's).
    """
    global _watching
    main = os.environ.get(MAIN_PID)
    if _watching or main is None or os.getppid() != int(main):
        return
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch(parent=int(main)):
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="orgsim-watch-parent", daemon=True).start()
    _hydra.keep_plugins()
    _watching = True


def warm_up():
    """Import what a job imports and load Numba's cached kernels (run in a fresh worker):
    a small job's scenario, composed and built as a job's is, runs once."""
    as_worker()
    from importlib import import_module

    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    for name in ("sim.columns", "sim.store"):  # what sim.job imports, beside Hydra
        import_module(name)
    from sim.conf import CONFIG_DIR, build, register

    register()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=["org.headcount=40", "steps=4"])
    finally:
        GlobalHydra.instance().clear()
    build(cfg).run(0, 1, groups=True)
    return os.getpid()


def warm_workers(launcher_config) -> None:
    """Start joblib's workers now, with the launcher's own settings, and warm them.

    Joblib reuses a pool whose settings are the same, so the launcher's jobs
    later land on workers that have already paid their start-up. Runs in a
    background thread; a worker that is not ready yet only makes jobs wait.
    """
    import threading

    from joblib import Parallel, delayed, effective_n_jobs

    settings = _hydra.joblib_settings(launcher_config)
    workers = effective_n_jobs(settings["n_jobs"])
    if workers < 2:
        # joblib runs one job at a time in this process: a warm-up would compose beside
        # the check, in its Hydra.
        return

    def start():
        try:
            Parallel(**settings)(delayed(warm_up)() for _ in range(workers))
        except Exception:  # a warm-up is only ever an optimisation
            pass

    threading.Thread(target=start, name="orgsim-warm-workers", daemon=True).start()


def launcher_settings(overrides):
    """The joblib launcher's config for a command's ``overrides``, without composing one:
    joblib's schema as orgsim's config leaves it, with the command's ``hydra.launcher.*``
    set; None under another launcher (only joblib's defaults are known here)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf
    from omegaconf import OmegaConf

    if any(o.lstrip("+~").startswith("hydra/launcher") for o in overrides):
        return None
    settings = OmegaConf.structured(JobLibLauncherConf)
    lines = [o for o in overrides if o.startswith("hydra.launcher.")]
    for override in OverridesParser.create().parse_overrides(lines):
        key = override.key_or_group.removeprefix("hydra.launcher.")
        OmegaConf.update(settings, key, override.value(), merge=False)
    return settings


#: Whether this process has started joblib's workers for its command.
_started = False


def start_workers(overrides, config_dir=None):
    """Start joblib's workers while this process checks the command (they take seconds).

    ``overrides``: the command's; only the launcher's settings count
    (:func:`launcher_settings`; ``config_dir`` is no longer read). Once per
    command: ``orgsim -m`` starts them before it imports the rest of itself, and
    the check's own call then does nothing.
    """
    global _started
    if _started:
        return
    try:
        settings = launcher_settings(overrides)
        if settings is None:
            return
        quiet_tracker()
        # Before any worker starts: each one learns which process is orgsim (as_worker).
        os.environ[MAIN_PID] = str(os.getpid())
        warm_workers(settings)
        _started = True
    except Exception:  # the check that follows says what is wrong
        return


def quiet_tracker():
    """Silence joblib's resource tracker (a process of its own, started with the workers):
    at exit it warns about semaphores of workers orgsim stopped on purpose, lines that
    broke orgsim's one-line errors under load."""
    if "resource_tracker" not in os.environ.get("PYTHONWARNINGS", ""):
        extra = "ignore:resource_tracker:UserWarning"
        os.environ["PYTHONWARNINGS"] = ",".join(
            w for w in (os.environ.get("PYTHONWARNINGS"), extra) if w)  # fmt: skip


def stop_workers():
    """Stop joblib's workers now (idle or not) instead of waiting for them at exit."""
    global _started
    from joblib.externals.loky import reusable_executor

    _started = False
    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=False, kill_workers=True)
