"""Checking a whole ``orgsim`` command before anything runs.

:func:`precheck` composes the config of every job of a command (each
distinct one once) and builds its objects, so that a wrong key, a wrong type,
a value out of range or a broken input file stops the whole command with one
line naming the key, exit status 2, and nothing written. It returns the
command's jobs (where each lands and what identifies it there), which
``orgsim`` merges at the end and counts when interrupted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from sim import _hydra, channels, columns, posterior, store
from sim.conf import CONFIG_DIR, check, first_line, register
from sim.schema import ConfigError
from sim.sweep import expand

__all__ = ["Job", "Jobs", "first_line", "precheck"]


def _jobs(overrides, multirun):
    """The override lists of every job the command runs (as orgsim's sweeper makes them),
    the design point each runs and the design (:func:`sim.sweep.expand`)."""
    from hydra import compose
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    parsed = parser.parse_overrides(overrides)
    if not multirun:
        return [list(overrides)], [None], None
    # Hydra composes the non-sweep overrides on their own first (a key must exist
    # in the default choice of its group, whatever the sweep chooses later).
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    base = compose("config", overrides=fixed, return_hydra_config=True)
    params = base.hydra.sweeper.get("params") or {}
    every = [f"{k}={v}" for k, v in params.items()] + list(overrides)
    jobs, points, design = expand(_hydra.grid(parser.parse_overrides(every)), base.get("analysis"),
                                  base.get("ensemble"), base.get("why"))  # fmt: skip
    if design is not None and "orgsim_sweeper" not in str(base.hydra.sweeper.get("_target_")):
        raise ConfigError(
            "analysis.method: a design is drawn by orgsim's sweeper; drop hydra/sweeper=... "
            "(or set hydra/sweeper=orgsim)"
        )
    return jobs, points, design


#: Top-level keys that hold a value (the other top-level keys name config groups).
_VALUE_KEYS = ("seed", "replications", "steps", "task_name", "threads", "progress", "report",
               "draw", "channel")  # fmt: skip


def _key(line):
    return line.split("=", 1)[0]


def _is_value(line):
    """Whether an override sets a value (``culture.trust=0.3``), not a group or a new key."""
    key = _key(line)
    return not key.startswith(("+", "~")) and ("." in key or key in _VALUE_KEYS)


# A plain number, which Hydra's grammar reads as Python does: an int (no leading zeros:
# Hydra reads "007" as text), or a float with digits after its point or an exponent.
_NUMBER = re.compile(
    r"^(?P<key>[A-Za-z_][\w.]*)="
    r"(?:(?P<int>-?(?:0|[1-9][0-9]*))|(?P<real>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?))$",
    re.ASCII,
)


def _values(lines, parser):
    """``(key, value)`` of each value override in ``lines``, typed as Hydra types it.

    A design's points set a dozen numbers each: read here as Python reads them, which is
    what Hydra's grammar gives for a plain number, rather than through the grammar's
    parser (14 ms a point). Anything else goes through the parser.
    """
    numbers = [_NUMBER.match(line) for line in lines]
    others = [line for line, m in zip(lines, numbers, strict=True) if m is None]
    parsed = iter(parser.parse_overrides(others))
    found = []
    for number in numbers:
        if number is None:
            override = next(parsed)
            found.append((override.key_or_group, override.value()))
        else:
            whole = number["int"]
            found.append((number["key"], int(whole) if whole else float(number["real"])))
    return found


def _in_design(error, design) -> ConfigError:
    """``error``, naming the design's range that reaches the value it refuses."""
    if design is None:
        return error
    import re

    text = str(error)
    named = [k for k in design.parameters if re.search(rf"\b{k.rsplit('.', 1)[-1]}\b", text)]
    if not named:
        return error
    low, high = design.parameters[named[0]]
    return ConfigError(f"{text} (the design's range analysis.parameters.{named[0]}: "
                       f"[{low:g}, {high:g}])")  # fmt: skip


class Job(NamedTuple):
    """One job of a command: where it lands and what identifies it there."""

    store: Path
    digest: str
    seed: int
    replications: int
    report: bool = True
    point: int | None = None  # the point of the command's design it runs


class Jobs(list):
    """A command's jobs, in order, the design they sample (``design``: None for a grid) and
    what the user should know before they run (``notes``: one line each, said once)."""

    design = None

    def __init__(self, *args):
        super().__init__(*args)
        self.notes = []
        #: ``{path: SHA-256}`` of the input files the jobs were checked with.
        self.inputs = {}

    def changed_inputs(self) -> list[str]:
        """The input files whose contents are no longer those the jobs were checked with."""
        from sim.columns import file_digest

        changed = []
        for path, digest in self.inputs.items():
            try:
                now = file_digest(path)
            except OSError:
                now = None
            if now != digest:
                changed.append(str(path))
        return changed


#: From this many jobs on, checking them takes seconds: say so, and show a bar on a terminal.
_MANY_JOBS = 2000


def _said(items, count):
    """``items``, with a line (and on a terminal a bar) when checking them takes a while."""
    import sys

    if count < _MANY_JOBS:
        return items
    print(f"orgsim: checking {count:,} jobs before any of them runs", file=sys.stderr)
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, total=count, unit="job", file=sys.stderr, leave=False)


def _check_metric(cfg):
    """``analysis.metric`` names an outcome, with or without a design (a setting such as
    ``rollout`` or ``seed`` ranks nothing, and would fail only after every job ran)."""
    from sim.metrics import is_outcome

    metric = (cfg.get("analysis") or {}).get("metric")
    if metric is not None and not is_outcome(metric):
        raise ConfigError(f"analysis.metric: {metric!r} is not an outcome of a run, as "
                          f"final_fraction_contribute or cost_total are (orgsim report --help "
                          f"lists them)")  # fmt: skip


def _launcher_faults(cfg) -> list[str]:
    """Refuse a launcher that is not installed; say when a sweep oversubscribes the cores.

    Hydra would find a missing launcher plugin only once the sweep starts, with a traceback.
    """
    import importlib.util

    launcher = cfg.hydra.get("launcher") or {}
    target = str(launcher.get("_target_", ""))
    module = target.rpartition(".")[0]
    try:
        found = importlib.util.find_spec(module) is not None if module else True
    except ImportError:
        found = False
    if not found:
        name = cfg.hydra.runtime.choices.get("hydra/launcher", target)
        extra = f" (pip install 'orgsim[{name}]')" if name == "ray" else ""
        raise ConfigError(f"hydra/launcher={name}: its plugin is not installed{extra}")
    if "joblib" not in target or launcher.get("n_jobs") is None:
        return []
    cores = os.cpu_count() or 1
    n_jobs = int(launcher.get("n_jobs"))
    if n_jobs <= cores:
        return []
    return [f"hydra.launcher.n_jobs={n_jobs}: {n_jobs} worker processes share {cores} cores, "
            f"so each job runs slower and the sweep no faster (-1 is one per core)"]  # fmt: skip


def _notes(cfg) -> list[str]:
    """What a job does that the command line does not say: a chart without its own ties."""
    if cfg.org.source != "csv" or cfg.org.ties:
        return []
    return [f"org.path={cfg.org.path}: no org.ties given, so the informal ties are generated "
            f"from the chart (network.mean_degree={cfg.network.mean_degree:g}, "
            f"network.openness={cfg.network.openness:g}); org.ties=FILE uses your own"]  # fmt: skip


def _without_hydra(cfg) -> dict:
    """``OmegaConf.to_container(cfg, resolve=True)`` less its ``hydra`` node, resolved key
    by key: Hydra's own node is most of a composed config, and resolving it cost a
    320-point design about a third of its check."""
    return {
        key: OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value
        for key, value in ((k, cfg[k]) for k in cfg if k != "hydra")
    }


def _identify(cfg, base_dir, inputs):
    """The :class:`Job` of a composed (and checked) config; its input files' digests are
    added to ``inputs`` (``{path: SHA-256}``)."""
    choices = dict(cfg.hydra.runtime.choices)
    resolved = _without_hydra(cfg)
    digests = columns.input_digests(resolved, base_dir)
    for key, digest in digests.items():
        group, name = key.split(".")
        inputs[Path(base_dir, os.path.expanduser(resolved[group][name]))] = digest
    digest = store.config_hash(columns.hashed_config(resolved, digests, choices))
    return Job(Path(resolved["paths"]["store"]), digest, resolved["seed"],
               resolved["replications"], bool(resolved.get("report", True)))  # fmt: skip


def precheck(overrides, multirun=False, base_dir=None) -> Jobs:
    """Compose and build every job of a command; raise ConfigError at the first bad one.

    Returns the command's jobs. Composing costs Hydra about 0.1 s, so jobs
    that differ only in swept values share one composed config, into which
    each job's values are set (typed: a wrong type fails as it would in
    Hydra). Seeds change nothing that is built, so each scenario is built once.
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser

    base_dir = os.getcwd() if base_dir is None else base_dir
    parser = OverridesParser.create()
    register()  # the schemas, for a caller that has not imported sim.cli
    GlobalHydra.instance().clear()
    found = Jobs()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3", job_name="orgsim"):
            jobs, points, found.design = _jobs(overrides, multirun)
            varying = {_key(o) for job in jobs for o in job if _is_value(o)}
            varying = {k for k in varying if len({o for j in jobs for o in j if _key(o) == k}) > 1}
            composed, seen, hydra_set = {}, {}, None
            for job, point in _said(zip(jobs, points, strict=True), len(jobs)):
                scenario = tuple(o for o in job if _key(o).lstrip("+~") != "seed")
                seeds = [o.split("=", 1)[1] for o in job if _key(o) == "seed"]
                if scenario in seen and all(s.isdigit() for s in seeds):
                    same = seen[scenario]._replace(point=point)
                    found.append(same._replace(seed=int(seeds[-1])) if seeds else same)
                    continue
                fixed = tuple(o for o in job if not (_is_value(o) and _key(o) in varying))
                if fixed not in composed:
                    composed[fixed] = compose(
                        "config", overrides=list(fixed), return_hydra_config=True
                    )
                cfg = composed[fixed]
                if multirun and not found and not seen:
                    found.notes += _launcher_faults(cfg)
                for key, value in _values([o for o in job if o not in fixed], parser):
                    OmegaConf.update(cfg, key, value, merge=False)
                posterior.apply(cfg, {_key(o) for o in job})
                channels.apply(cfg)
                if cfg is not hydra_set:
                    # Hydra's node is copied whole (16 ms); swept values never change it.
                    HydraConfig.instance().set_config(cfg)
                    hydra_set = cfg
                try:
                    check(cfg, base_dir)
                    _check_metric(cfg)
                except ConfigError as error:
                    raise _in_design(error, found.design) from None
                found.notes += [n for n in _notes(cfg) if n not in found.notes]
                seen[scenario] = _identify(cfg, base_dir, found.inputs)
                found.append(seen[scenario]._replace(point=point))
    except ConfigError:
        raise
    except Exception as error:  # Hydra's and OmegaConf's composition errors
        raise ConfigError(first_line(error)) from None
    finally:
        GlobalHydra.instance().clear()
    return found
