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
"""

from __future__ import annotations

import copy
import os
from collections import OrderedDict

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import OverrideType, ValueType
from omegaconf import DictConfig, OmegaConf, open_dict

__all__ = [
    "JobFailed",
    "SweepConfigLoader",
    "as_worker",
    "expand",
    "failures",
    "warm_up",
    "warm_workers",
    "without_input_paths",
]

#: Environment variable that tells a job which process is ``orgsim``'s own.
MAIN_PID = "ORGSIM_MAIN_PID"

#: What failed jobs of this command said (one line each), in ``orgsim``'s process.
failures: list[str] = []


class JobFailed(str):
    """The value a job returns when it could not write its results: the one-line reason."""


#: Set by ``orgsim`` once it has composed and built every job of the command
#: (:func:`sim.cli.precheck`): Hydra's own check of each batch would repeat it.
checked = False

#: Composed configs by shape, most recently used last; per process.
_SHAPES: OrderedDict = OrderedDict()
_MAX_SHAPES = 64

_PRIMITIVE = (str, int, float, bool, type(None))


class SweepConfigLoader(ConfigLoaderImpl):
    """Hydra's config loader, with :meth:`load_sweep_config` cached by shape."""

    @classmethod
    def wrapping(cls, loader: ConfigLoaderImpl) -> SweepConfigLoader:
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

    def load_sweep_config(
        self, master_config: DictConfig, sweep_overrides: list[str]
    ) -> DictConfig:
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
        ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
        app_overrides = [o for o in parsed if not o.is_hydra_override()]
        naming = cfg.hydra.job.config.override_dirname
        with open_dict(cfg.hydra):
            cfg.hydra.overrides.task = [o.input_line for o in app_overrides]
            cfg.hydra.job.override_dirname = get_overrides_dirname(
                overrides=app_overrides,
                kv_sep=naming.kv_sep,
                item_sep=naming.item_sep,
                exclude_keys=naming.exclude_keys,
            )
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg


def expand(grid, analysis):
    """The jobs of a sweep: its ``grid`` (override lists) crossed with a design's points.

    Returns ``(jobs, points, design)``: each job's overrides, the point of the
    design it runs (None without a design) and the
    :class:`~sim.analysis.design.Design` (None when ``analysis.method`` is
    null). Points go outermost, so that a sweep stopped half-way has every
    strategy of the worlds it reached.
    """
    from sim.analysis.design import Design
    from sim.conf import ConfigError

    design = Design.from_config(analysis)
    if design is None:
        return [list(job) for job in grid], [None] * len(grid), None
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
        for job in grid:
            jobs.append([*job, *point])
            points.append(p)
    return jobs, points, design


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
    """Import what a job imports and load Numba's cached kernels (run in a fresh worker)."""
    as_worker()
    import sim.cli  # noqa: F401  (what unpickling a job imports)
    from sim.model import OrgModel
    from sim.org import generate
    from sim.population import Culture
    from sim.rules import Organizational

    org = generate(40, seed=0)
    OrgModel(
        org=org, rule=Organizational(), culture=Culture(), initial_adopters=[0, 1], seed=0
    ).run(4)
    return os.getpid()


def warm_workers(launcher_config) -> None:
    """Start joblib's workers now, with the launcher's own settings, and warm them.

    Joblib reuses a pool whose settings are the same, so the launcher's jobs
    later land on workers that have already paid their start-up. Runs in a
    background thread; a worker that is not ready yet only makes jobs wait.
    """
    import threading

    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg
    from joblib import Parallel, delayed, effective_n_jobs

    settings = {k: v for k, v in OmegaConf.to_container(launcher_config).items() if k != "_target_"}
    settings["backend"] = "loky"
    process_joblib_cfg(settings)
    workers = effective_n_jobs(settings["n_jobs"])

    def start():
        try:
            Parallel(**settings)(delayed(warm_up)() for _ in range(workers))
        except Exception:  # a warm-up is only ever an optimisation
            pass

    threading.Thread(target=start, name="orgsim-warm-workers", daemon=True).start()


#: The config keys that name a user's input files.
_INPUT_KEYS = (("org", "path"), ("org", "ties"))


def without_input_paths(tree, base_dir="."):
    """``tree`` (a config as plain dicts and lists) with every mention of the user's input
    files (``org.path``, ``org.ties``) replaced by ``sha256:<hex>`` of their contents.

    A file's name may be a person's (``chart-of-Jane-Doe.csv``) and its folder a home
    directory; the store identifies an input by its contents, as the runs' rows do. Values
    that are interpolations (the shipped example's ``${orgsim_examples:}``) stay as they are.
    """
    from sim.columns import file_digest

    named = {}
    for group, key in _INPUT_KEYS:
        value = (tree.get(group) or {}).get(key)
        if isinstance(value, str) and value and not value.startswith("${"):
            try:
                digest = file_digest(os.path.join(base_dir, os.path.expanduser(value)))
            except OSError:
                digest = "unreadable"
            named[value] = f"sha256:{digest}"

    def clean(node):
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items()}
        if isinstance(node, list):
            return [clean(v) for v in node]
        if isinstance(node, str):
            for value, digest in named.items():
                node = node.replace(value, digest)
        return node

    return clean(tree) if named else tree
