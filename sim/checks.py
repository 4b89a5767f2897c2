"""Checks of a composed config that need no object built: keys, sizes, folders, launcher,
memory.

:func:`sim.conf.check` runs them around building a job's objects, so that a
value that cannot run stops the command with one line naming the key
(:class:`~sim.schema.ConfigError`) before anything is written.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from pathlib import Path

from omegaconf import OmegaConf

from sim.schema import RULES, BehaviorStepConf, Config, ConfigError, resolve_path

__all__ = [
    "MAX_INT",
    "NAME_MAX",
    "ConfigError",
    "check_launcher",
    "check_memory",
    "check_top_level",
    "check_where",
    "guard",
    "param_key",
]

#: The largest integer a key may hold: results, seeds and Parquet columns are 64-bit.
MAX_INT = 2**63 - 1
#: The longest folder name most file systems take (bytes).
NAME_MAX = 255


def guard(key, make):
    """``make()``, with a domain error turned into a ConfigError naming ``key``."""
    from sim.org import OrgError

    try:
        return make()
    except (ValueError, TypeError, OrgError) as error:
        raise ConfigError(f"{key}: {error}") from None
    except MemoryError:  # numpy says only "Unable to allocate ..."
        raise ConfigError(f"{key}: too large for this machine's memory") from None


def param_key(group, error, default=None) -> str:
    """The config key of ``group`` that an error in the template "The 'x' parameter of
    ..." is about (``group.default``, or ``group``, when it names none)."""
    import re

    named = re.search(r"The '(\w+)' parameter", str(error))
    name = named.group(1) if named else default
    return f"{group}.{name}" if name else group


def _unknown_keys(tree, schema, prefix=""):
    """Raise ConfigError for the first key of ``tree`` (plain dict) that ``schema`` lacks."""
    fields = typing.get_type_hints(schema)
    for key, value in tree.items():
        if key not in fields:
            where = f"keys there: {', '.join(fields)}" if prefix else f"keys: {', '.join(fields)}"
            raise ConfigError(f"{prefix}{key}: no such key ({where})")
        kind = fields[key]
        if key == "rule" and not prefix:
            kind = RULES.get(value.get("name")) if isinstance(value, dict) else None
        if key == "ladder" and prefix == "behavior." and isinstance(value, list):
            for i, step in enumerate(value):
                if isinstance(step, dict):
                    _unknown_keys(step, BehaviorStepConf, f"behavior.ladder[{i}].")
        elif dataclasses.is_dataclass(kind) and isinstance(value, dict):
            _unknown_keys(value, kind, f"{prefix}{key}.")


def _huge_ints(tree, prefix=""):
    """Raise ConfigError for the first integer beyond 64 bits."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree)
    for key, value in items:
        name = f"{prefix}{key}" if isinstance(tree, dict) else f"{prefix[:-1]}[{key}]"
        if isinstance(value, dict | list):
            _huge_ints(value, f"{name}.")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise ConfigError(f"{name}: {value} is too large (at most 2**63 - 1 = {MAX_INT}).")


def check_top_level(cfg):
    """Every key known, no integer past 64 bits, and the top-level values in range."""
    from numba import config as numba_config

    from sim._validation import check_scalar

    plain = OmegaConf.to_container(cfg, resolve=False)
    plain.pop("hydra", None)
    _unknown_keys(plain, Config)
    _huge_ints(plain)
    for name, low in (("seed", 0), ("replications", 1), ("steps", 0), ("threads", 1)):
        value = cfg[name]
        if value is not None:
            guard(
                name, lambda n=name, v=value, lo=low: check_scalar(v, n, "orgsim", kind=int, low=lo)
            )
    cores = numba_config.NUMBA_NUM_THREADS
    if cfg.threads is not None and cfg.threads > cores:
        raise ConfigError(
            f"threads: {cfg.threads} threads, but Numba may use at most {cores} here (the "
            f"machine's cores, or NUMBA_NUM_THREADS); use threads={cores} or fewer."
        )


def _folder_fault(path: Path) -> tuple[Path, str] | None:
    """Why ``path`` cannot be (made) a folder this process writes in: (where, why), or None."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        if existing.is_symlink():  # a dangling link: nothing to write through
            return existing, "is a broken link"
        existing = existing.parent
    if not existing.is_dir():
        return existing, "is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        readonly = os.statvfs(existing).f_flag & os.ST_RDONLY
        return existing, "cannot be written (read-only file system)" if readonly else (
            "cannot be written (permission denied)"
        )
    return None


def check_where(cfg):
    """The store must be a folder (``paths.store``, by default inside ``paths.results``)
    that can be written, and so must the folders orgsim keeps in it."""
    name = cfg.task_name
    if not name or name in (".", "..") or "/" in name or "\\" in name or name != name.strip():
        raise ConfigError(
            f"task_name: must name one folder inside paths.results (no '/', not '..'). "
            f"Got {name!r}."
        )
    if len(name.encode()) > NAME_MAX:
        raise ConfigError(
            f"task_name: at most {NAME_MAX} bytes (it names a folder). Got {len(name.encode())}."
        )
    for key in ("paths.results", "paths.store"):
        value = OmegaConf.select(cfg, key)
        if not value:
            raise ConfigError(f"{key}: must name a folder. Got {value!r}.")
        if str(value).startswith("~"):
            raise ConfigError(
                f"{key}: '~' is not expanded in a config file; write the full path. Got {value!r}."
            )
    results, where = Path(cfg.paths.results), Path(cfg.paths.store)
    for path in (where, where / "jobs", where / "jobs" / "corrupt", where / ".locks"):
        fault = _folder_fault(path)
        if fault is None:
            continue
        at, why = fault
        inside = at == results or at in results.parents
        key = "paths.results" if inside and results in (where, *where.parents) else "paths.store"
        raise ConfigError(f"{key}: {at} {why}.")


def check_launcher(hydra_cfg):
    """Launcher settings that would fail only once jobs are handed out."""
    launcher = hydra_cfg.get("launcher") or {}
    if "joblib" in str(launcher.get("_target_", "")) and launcher.get("n_jobs") == 0:
        raise ConfigError(
            "hydra.launcher.n_jobs: must be a number of processes, or -1 for one per core. "
            "Got 0 instead."
        )


def check_memory(cfg, base_dir, behaviors, org=None):
    """Refuse a job whose memory estimate (:mod:`sim._memory`) exceeds what it may use;
    ``behaviors``: the rungs each person climbs; ``org``: the CSV chart once read (its
    units and levels then count)."""
    from sim import _memory
    from sim.org import read_file

    o, files = cfg.org, {}
    if o.source == "csv" and cfg.network.kind == "informal":
        for key in ("path", "ties"):
            if o[key]:
                where = str(resolve_path(o[key], base_dir))
                files[key] = guard("org", lambda w=where: read_file(w)[0])
    said = _memory.too_large(*_memory.job(cfg, behaviors, files, org))
    if said is not None:
        raise ConfigError(said)
