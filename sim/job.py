"""One job of ``orgsim``: a scenario and its replications, run into the store.

:func:`task` is the function Hydra runs for each job (in ``orgsim``'s process,
or pickled by reference to a launcher's worker); it reads what it needs of
Hydra's state and calls :func:`run_job` with it, which knows nothing of Hydra.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim import _hydra, channels, columns, posterior, store, sweep
from sim.conf import CONFIG_DIR, build
from sim.workers import as_worker

__all__ = ["hydra_main", "run_job", "task"]

log = logging.getLogger("orgsim")


def _progress_bar(total, enabled):
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="run", file=sys.stderr, leave=False)
    return (lambda k: bar.update(k - bar.n)), bar.close


def _print_summary(runs, where):
    from sim.metrics import behaviors, entry, intervals
    from sim.results import format_interval, metric_label

    final, half = entry("final_fraction_<b>"), entry("weeks_to_50pct_<b>")
    shown = [m.name(b) for b in behaviors(runs) for m in (final, half)]
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


#: A chunk of the store holds at most this many replications, and about this many rows
#: of the unit and level table: a job of 500 replications of 1,000 people held 1.2 million
#: such rows at once, which grew a joblib worker past loky's 300 MB leak limit (it then
#: restarts the worker with a warning of many lines).
CHUNK_REPLICATIONS = 100
CHUNK_GROUP_ROWS = 250_000


def _ranges(indices, most=None):
    """Sorted indices as ``(first, stop)`` ranges of consecutive ones, each of at most
    ``most`` indices."""
    ranges = []
    for i in sorted(indices):
        if ranges and ranges[-1][1] == i and (most is None or i - ranges[-1][0] < most):
            ranges[-1][1] = i + 1
        else:
            ranges.append([i, i + 1])
    return [tuple(r) for r in ranges]


def _chunk_size(scenario) -> int:
    """Replications per chunk: CHUNK_REPLICATIONS, fewer when a replication has many rows
    by unit and level (a chart of many units)."""
    if not scenario.rule.needs_org or scenario.resample:
        return CHUNK_REPLICATIONS
    org = scenario.org
    rows = (scenario.steps + 1) * len(scenario.rule.behaviors) * (org.n_units + org.n_levels)
    return max(1, min(CHUNK_REPLICATIONS, CHUNK_GROUP_ROWS // max(rows, 1)))


def run_job(cfg, *, multirun, base_dir, choices, built=None, overridden=()) -> float:
    """Run one job (a scenario x its replications) into the store; return the headline.

    Only the replications the store does not hold yet are run, under the
    job's lock: a second sweep over the same job waits, then finds them done.

    Parameters
    ----------
    cfg : DictConfig
        The job's composed config.
    multirun : bool
        Whether the job is one of a sweep's (one Numba thread, no bar, no summary).
    base_dir : str or Path
        Where ``orgsim`` was started: relative input paths are read from there.
    choices : dict
        The preset chosen in each config group (Hydra's ``runtime.choices``).
    built : dict, optional
        Scenarios built by earlier jobs, by config hash (a chunk's jobs that differ in
        their seed alone share one: the hash covers all that builds it, input files'
        contents included); this job's is added.
    """
    import pandas as pd
    from numba import set_num_threads

    from sim import __version__

    as_worker()
    posterior.apply(cfg, overridden)
    channels.apply(cfg)
    threads = cfg.threads if cfg.threads is not None else (1 if multirun else None)
    if threads is not None:
        set_num_threads(int(threads))
    resolved = OmegaConf.to_container(cfg, resolve=True)
    digests = columns.input_digests(resolved, base_dir)
    hashed = columns.hashed_config(resolved, digests, choices)
    digest, seed = store.config_hash(hashed), int(cfg.seed)
    target = Path(cfg.paths.store)
    wanted = range(int(cfg.replications))
    computed = []
    with store.job_lock(target, digest, seed):
        held = store.done(target, digest, seed)
        missing = sorted(set(wanted) - held)
        if missing:
            scenario = built.pop(digest, None) if built is not None else None
            if built is not None:
                built.clear()  # one at a time: a large org is not held beside the next
            if scenario is None:
                scenario = build(cfg, base_dir=base_dir)
            if built is not None:
                built[digest] = scenario
            keys = {"config_hash": digest, "seed": seed, "version": __version__}
            keys.update(columns.scenario_values(resolved, choices, digests))
            schema = columns.scenario_schema()
            show = cfg.progress if cfg.progress is not None else (
                sys.stderr.isatty() and not multirun)  # fmt: skip
            progress, close = _progress_bar(len(missing), show)
            config = _yaml(columns.without_input_paths(resolved, base_dir))
            try:
                for first, stop in _ranges(missing, _chunk_size(scenario)):
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
    from sim.metrics import behaviors, entry

    first = entry("final_fraction_<b>").name(behaviors(runs)[0])
    return float(runs[first].mean())


def _keys(overrides) -> set:
    """The keys a list of overrides sets (``rule.peer_weight=0`` -> ``rule.peer_weight``)."""
    return {str(o).split("=", 1)[0].lstrip("+~") for o in overrides}


def task(cfg):
    """The function Hydra runs for each job: :func:`run_job` with Hydra's state of the job.

    A chunk of a sweep's jobs (:func:`sim.sweep.chunk_jobs`) runs each of them in turn,
    and returns their values (:class:`~sim.sweep.Chunked`); a job of it that cannot
    write its results is named there (:class:`~sim.sweep.JobFailed`) and the others run.
    """
    hc = HydraConfig.get()
    context = {
        "multirun": hc.mode == RunMode.MULTIRUN,
        "base_dir": hc.runtime.cwd,
        "choices": dict(hc.runtime.choices),
    }
    others = sweep.chunk_members(hc)
    if not others:
        return run_job(cfg, **context, overridden=_keys(hc.overrides.task))
    values, before, built = sweep.Chunked(), list(hc.overrides.task), {}
    for overrides in [before, *others]:
        # Jobs of one shape differ in values alone: set those that change, as Hydra sets
        # them on a composed config (a copy per job would cost what the chunk saves).
        changed = [o for o, was in zip(overrides, before, strict=True) if o != was]
        _hydra.apply_values(OverridesParser.create().parse_overrides(changed), cfg)
        before = overrides
        try:
            values.append(run_job(cfg, **context, built=built, overridden=_keys(overrides)))
        except (store.StoreError, MemoryError) as error:
            values.append(sweep.JobFailed(str(error)))
    return values


#: ``orgsim``'s Hydra application: run with ``sys.argv`` as Hydra's command line.
hydra_main = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")(task)
