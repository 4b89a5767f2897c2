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

    def start():
        try:
            Parallel(**settings)(delayed(warm_up)() for _ in range(workers))
        except Exception:  # a warm-up is only ever an optimisation
            pass

    threading.Thread(target=start, name="orgsim-warm-workers", daemon=True).start()


def start_workers(overrides, config_dir):
    """Start joblib's workers while this process checks the command (they take seconds).

    ``overrides``: the command's; only the launcher's settings count. Nothing
    starts under another launcher (only joblib's defaults are known here).
    """
    from hydra import compose, initialize_config_dir

    launcher = [o for o in overrides if o.lstrip("+~").startswith("hydra/launcher")]
    settings = [o for o in overrides if o.startswith("hydra.launcher.")]
    if launcher:
        return
    try:
        with initialize_config_dir(str(config_dir), version_base="1.3"):
            cfg = compose("config", overrides=settings, return_hydra_config=True)
        warm_workers(cfg.hydra.launcher)
    except Exception:  # the check that follows says what is wrong
        return


def stop_workers():
    """Stop joblib's workers now (idle or not) instead of waiting for them at exit."""
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=False, kill_workers=True)
