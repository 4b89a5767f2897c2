"""What makes a sweep of many small jobs cheap: compose once per scenario shape.

Hydra composes every job of a sweep from scratch, twice: once in the main
process to check the batch, once in the worker that runs it. Composing
orgsim's config takes about 0.1 s, as long as a 1,000-person run's 52 weeks
take ten times over. Most jobs of a sweep differ only in values (a seed, a
trust level), not in config-group choices, so :class:`SweepConfigLoader`
composes each *shape* (the group choices and the keys of the swept values)
once per process and derives every other job of that shape by setting its
values on a copy, exactly as Hydra applies a command-line value. The result
equals Hydra's own composition (tested key for key, Hydra's node included).

The ``orgsim`` sweeper (``hydra_plugins/orgsim_sweeper``) installs it; it is
Hydra's basic sweeper otherwise. Workers keep their shapes across jobs
(:data:`_SHAPES` is per process), so a worker composes each shape once.

It also holds what ``orgsim``'s process knows of the command it runs
(:class:`Command`: whether every job was checked before Hydra started, what
failed jobs said), shared by its three parties: ``orgsim`` (:mod:`sim.cli`),
which owns it for the command's length (:func:`running`), the sweeper, and the
callback that turns a job's failure to write into a value
(:class:`DropJobConfigs`).
"""

from __future__ import annotations

import copy
import os
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType, ValueType
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict

from sim import _hydra
from sim._moved import moved_names

__all__ = [
    "CHUNK_KEY",
    "CHUNK_RUNS",
    "Chunked",
    "Command",
    "DropJobConfigs",
    "JobFailed",
    "SweepConfigLoader",
    "chunk_jobs",
    "chunk_members",
    "current",
    "expand",
    "running",
]

#: Names that moved to :mod:`sim.workers` (they warn here).
__getattr__ = moved_names(
    __name__, {name: "sim.workers" for name in ("MAIN_PID", "as_worker", "warm_up", "warm_workers")}
)


class JobFailed(str):
    """The value a job returns when it could not write its results: the one-line reason."""


class Chunked(list):
    """What a chunk of jobs returns (:func:`chunk_jobs`): each job's value, a
    :class:`JobFailed` for a job that could not write its results."""


@dataclass
class Command:
    """What ``orgsim``'s process knows of the command it runs.

    ``checked``: ``orgsim`` composed and built every job of the command before
    Hydra started (:func:`sim.precheck.precheck`), so the sweeper need not
    check each batch again. ``failures``: what failed jobs said, one line each.
    """

    checked: bool = False
    failures: list[str] = field(default_factory=list)


_command: Command | None = None


@contextmanager
def running(command: Command):
    """``command`` is the one :func:`current` gives while Hydra runs it (``orgsim`` owns it)."""
    global _command
    before, _command = _command, command
    try:
        yield command
    finally:
        _command = before


def current() -> Command:
    """The command ``orgsim`` runs in this process; a fresh one elsewhere (a worker, or
    Hydra run without ``orgsim``: nobody reads it)."""
    return _command if _command is not None else Command()


class DropJobConfigs(Callback):
    """Send a finished job back without Hydra's two copies of its config, and a failed
    write as :class:`JobFailed` instead of an exception.

    The store keeps each job's resolved config beside its results already;
    pickling Hydra's copies back to the launching process cost a worker about
    0.1 s a job, more than a small job's simulation. A job that cannot write
    its results (:class:`~sim.store.StoreError`) comes back as a value, so
    that Hydra neither prints it with a traceback nor stops the sweep's other
    jobs; ``orgsim`` names it in one line at the end and exits 1.
    """

    def on_job_end(self, config, job_return, **kwargs):
        from hydra.core.utils import JobStatus

        from sim.store import StoreError

        job_return.cfg = None
        job_return.hydra_cfg = None
        error = _hydra.job_error(job_return)
        if job_return.status == JobStatus.FAILED and isinstance(error, StoreError | MemoryError):
            job_return.status = JobStatus.COMPLETED
            job_return.return_value = JobFailed(str(error))
            current().failures.append(str(error))  # seen here when the job ran in this process


#: Composed configs by shape, most recently used last; per process.
_SHAPES: OrderedDict = OrderedDict()
_MAX_SHAPES = 64

_PRIMITIVE = (str, int, float, bool, type(None))


class SweepConfigLoader(_hydra.ConfigLoaderImpl):
    """Hydra's config loader, with :meth:`load_sweep_config` cached by shape."""

    @classmethod
    def wrapping(cls, loader: _hydra.ConfigLoaderImpl) -> SweepConfigLoader:
        """The same loader (search path, repository), with the cache."""
        new = cls.__new__(cls)
        new.__dict__.update(loader.__dict__)
        return new

    def _is_value(self, override) -> bool:
        """Whether Hydra would apply ``override`` as a plain value after composing."""
        key = override.key_or_group
        return (
            override.type == OverrideType.CHANGE
            and override.package is None
            and override.value_type == ValueType.ELEMENT
            and not override.is_hydra_override()
            and isinstance(override.value(), _PRIMITIVE)
            and not self.repository.group_exists(key.replace(".", "/"))
        )

    def shape_of(self, overrides) -> tuple:
        """What jobs of one shape share: their config groups, and the keys they set values of."""
        parsed = OverridesParser.create().parse_overrides(list(overrides))
        return tuple(o.key_or_group if self._is_value(o) else o.input_line for o in parsed)

    def load_sweep_config(
        self, master_config: DictConfig, sweep_overrides: list[str]
    ) -> DictConfig:
        # A chunk's other jobs (a string in the Hydra node) make no new shape: set after.
        chunk = [o for o in sweep_overrides if o.startswith(_CHUNK_OVERRIDE)]
        cfg = self._load_shaped(master_config, [o for o in sweep_overrides if o not in chunk])
        if chunk:
            _hydra.apply_values(OverridesParser.create().parse_overrides(chunk), cfg)
            with open_dict(cfg.hydra):
                cfg.hydra.overrides.hydra.extend(chunk)
        return cfg

    def _load_shaped(self, master_config, sweep_overrides):
        hydra_overrides = list(OmegaConf.to_container(master_config.hydra.overrides.hydra))
        parsed = OverridesParser.create().parse_overrides(hydra_overrides + list(sweep_overrides))
        is_value = [self._is_value(o) for o in parsed]
        values = [o for o, value in zip(parsed, is_value, strict=True) if value]
        if not values:
            return super().load_sweep_config(master_config, sweep_overrides)
        shape = (
            master_config.hydra.job.config_name,
            os.getcwd(),
            tuple(
                o.key_or_group if value else o.input_line
                for o, value in zip(parsed, is_value, strict=True)
            ),
        )
        composed = _SHAPES.get(shape)
        if composed is None:
            composed = super().load_sweep_config(master_config, sweep_overrides)
            _SHAPES[shape] = copy.deepcopy(composed)
            if len(_SHAPES) > _MAX_SHAPES:
                _SHAPES.popitem(last=False)
            return composed
        _SHAPES.move_to_end(shape)
        cfg = copy.deepcopy(composed)
        _hydra.apply_values(values, cfg)
        app_overrides = [o for o in parsed if not o.is_hydra_override()]
        naming = cfg.hydra.job.config.override_dirname
        with open_dict(cfg.hydra):
            cfg.hydra.overrides.task = [o.input_line for o in app_overrides]
            cfg.hydra.job.override_dirname = _hydra.overrides_dirname(app_overrides, naming)
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg


#: The key of ``hydra.job.env_set`` that carries the other jobs of a chunk (:func:`chunk_jobs`).
CHUNK_KEY = "ORGSIM_CHUNK"
_CHUNK_OVERRIDE = f"+hydra.job.env_set.{CHUNK_KEY}="

#: A sweep's jobs of fewer runs than this are run in chunks of about this many runs
#: (``hydra.sweeper.chunk_runs``; 1 runs every job as a Hydra job of its own). A
#: Hydra job costs a worker ~50 ms whatever it runs; at ~2 ms a run of a
#: 1,000-person company, 100-run jobs one Hydra job each spent a fifth of a sweep
#: there (2026-12-07: 20,000 runs in 54 s against 46 s at 1,000).
CHUNK_RUNS = 1000


def chunk_jobs(jobs, shape_of, runs_of, workers, chunk_runs=CHUNK_RUNS) -> list[list[str]]:
    """``jobs`` (override lists), consecutive small jobs of one shape made one Hydra job each.

    A Hydra job costs a worker tens of milliseconds whatever it runs (its config
    copied thrice, Hydra's plugins scanned, the job pickled), more than a one-run
    job's simulation. A chunk is one Hydra job: the first job's overrides, and the
    others' as ``hydra.job.env_set.ORGSIM_CHUNK`` (:func:`chunk_members` reads them back;
    :func:`sim.job.task` runs each job of the chunk into the store, under its own lock,
    as it would alone). Jobs of one shape (``shape_of``: the same config groups and
    keys, only values differ) are chunked while the chunk holds at most ``chunk_runs``
    runs (``runs_of`` a job); every worker gets four chunks at least.
    """
    if chunk_runs <= 1 or len(jobs) < 2:
        return [list(job) for job in jobs]
    most = -(-len(jobs) // (4 * max(1, workers)))
    chunks, shapes, runs = [], [], []
    for job in jobs:
        shape, size = shape_of(job), runs_of(job)
        if (not chunks or shapes[-1] != shape or len(chunks[-1]) >= most
                or runs[-1] + size > chunk_runs):  # fmt: skip
            chunks.append([]), shapes.append(shape), runs.append(0)
        chunks[-1].append(list(job))
        runs[-1] += size
    return [_one_job(chunk) for chunk in chunks]


def _one_job(chunk):
    if len(chunk) == 1:
        return chunk[0]
    import base64
    import json

    # Base64: any override text passes Hydra's grammar inside quotes.
    others = base64.b64encode(json.dumps(chunk[1:]).encode()).decode()
    return [*chunk[0], f"{_CHUNK_OVERRIDE}'{others}'"]


def chunk_members(hydra_config) -> list[list[str]]:
    """The override lists of the other jobs of the chunk a Hydra job runs (none alone)."""
    import base64
    import json

    others = (hydra_config.job.get("env_set") or {}).get(CHUNK_KEY)
    return json.loads(base64.b64decode(others)) if others else []


def expand(grid, analysis, ensemble=None, why=None):
    """The jobs of a sweep: its ``grid`` (override lists) crossed with a design's points and
    with the draws of the posterior an ensemble runs on.

    Returns ``(jobs, points, design)``: each job's overrides, the point of the
    design it runs (None without a design) and the
    :class:`~sim.analysis.design.Design` (None when ``analysis.method`` is
    null). Points go outermost, then draws (``ensemble.draws``: ``draw=ID``, with
    ``ensemble.replications`` when set), so that a sweep stopped half-way has every
    strategy of the worlds and models it reached; the jobs that switch a channel off
    (``why.channels``, on the first ``why.draws`` draws) come last.
    """
    from sim.analysis.design import Design
    from sim.schema import ConfigError

    design = Design.from_config(analysis)
    draws = _draws(ensemble, grid)
    if design is None:
        jobs = [[*job, *d] for d in draws for job in grid]
        jobs += _channel_jobs(why, draws, grid)
        return jobs, [None] * len(jobs), None
    if (why or {}).get("channels"):
        raise ConfigError("why.channels: a sampled design's runs are not attributed to "
                          "channels; set why.channels=[] or drop analysis.method")  # fmt: skip
    for job in grid:
        for line in job:
            key = line.split("=", 1)[0].lstrip("+~")
            if key in design.parameters:
                raise ConfigError(
                    f"analysis.parameters.{key}: sampled, and also set by {line}; "
                    "a value cannot be both (drop one)"
                )
    jobs, points = [], []
    for p, point in enumerate(design.points()):
        for d in draws:
            for job in grid:
                jobs.append([*job, *point, *d])
                points.append(p)
    return jobs, points, design


def _channel_jobs(why, draws, grid) -> list[list[str]]:
    """Every job of the grid again with each of ``why.channels`` off, on the first
    ``why.draws`` draws (the same replications: they pair with the grid's own runs)."""
    from sim.channels import CHANNELS, check_names
    from sim.schema import ConfigError

    why = why or {}
    names = check_names(why.get("channels"))
    if not names:
        return []
    if any(line.split("=", 1)[0].lstrip("+~") == "channel" for job in grid for line in job):
        raise ConfigError("channel: set by the command, and by why.channels (drop one)")
    first = why.get("draws", 2)
    if not isinstance(first, int) or first < 1:
        raise ConfigError(f"why.draws: must be a whole number >= 1. Got {first!r}.")
    # The channel's keys as overrides of their own: the jobs of one channel share a shape,
    # and a value one channel zeroes is never left zeroed for the next (sim.channels).
    return [[*job, *d, f"channel={name}", *(f"{k}={v}" for k, v in CHANNELS[name].items())]
            for name in names for d in draws[:first] for job in grid]  # fmt: skip


def _draws(ensemble, grid) -> list[list[str]]:
    """The overrides each draw of an ensemble adds to a job (``[[]]`` without one)."""
    from sim import posterior
    from sim.schema import ConfigError

    ensemble = ensemble or {}
    count = ensemble.get("draws") or 0
    if not count:
        return [[]]
    if any(line.split("=", 1)[0].lstrip("+~") == "draw" for job in grid for line in job):
        raise ConfigError("draw: set by the command, and drawn by ensemble.draws; a job runs "
                          "one parameter set (drop one)")  # fmt: skip
    replications = ensemble.get("replications")
    if replications is not None and (not isinstance(replications, int) or replications < 1):
        raise ConfigError(
            f"ensemble.replications: must be a whole number >= 1 (or null). Got {replications!r}."
        )
    extra = [] if replications is None else [f"replications={replications}"]
    seed = ensemble.get("seed", 0)
    return [[f"draw={d}", *extra] for d in posterior.choose(count, seed)]
