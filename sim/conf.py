"""Typed config schemas (Hydra's ConfigStore) and the config -> objects step.

Each config group of ``configs/`` (``org``, ``network``, ``culture``,
``behavior``, ``rule``, ``rollout``) merges into one of these dataclasses, so
a misspelt key or a value of the wrong type fails while Hydra composes the
config. Ranges are checked by :func:`check`, which builds every object a job
would build (the org's parameters only, unless it is read from CSV) and
raises :class:`ConfigError` naming the key. Field names equal the keyword
arguments of the classes they build: one name from YAML to Python.

In EMA Workbench's terms the ``rollout`` group holds the **levers** (what the
change team decides); ``org``, ``network``, ``culture`` and ``seed`` are the
**uncertainties**.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf

from sim.org.load import COLUMNS, check_columns
from sim.population import Culture
from sim.rollout import Rollout
from sim.rules import Organizational

__all__ = ["CONFIG_DIR", "ConfigError", "build", "check", "register"]

#: The Hydra configs shipped with orgsim (package data: an installed wheel has them too;
#: ``configs/`` at the top of a checkout links here).
CONFIG_DIR = Path(str(resources.files("sim") / "configs"))
#: The fictional example company (``${orgsim_examples:}`` in configs).
EXAMPLES_DIR = Path(str(resources.files("sim") / "examples"))


def sample_ties(org_path) -> str | None:
    """The sample company's ties, for the sample company's chart only.

    ``org=from_csv`` runs the shipped example with its collaboration ties; a user's own
    chart (any other ``org.path``) gets no shipped ties: its informal ties are generated
    from the chart, unless ``org.ties`` names a file. Pairing a user's chart with the
    sample's ties would run the wrong company without a word.
    """
    if org_path is None:
        return None
    sample = {(EXAMPLES_DIR / name).resolve() for name in ("acme_org.csv", "acme_org_traits.csv")}
    try:
        mine = Path(os.path.expanduser(str(org_path))).resolve()
    except (OSError, RuntimeError):
        return None
    return str(EXAMPLES_DIR / "acme_ties.csv") if mine in sample else None


class ConfigError(ValueError):
    """A config value that cannot run; the message names the key."""


#: ``org.columns``: the header of the org chart that holds each column orgsim reads, when
#: it is named otherwise (``org.columns.unit=Department``); null: the column's own name.
ColumnsConf = dataclasses.make_dataclass(
    "ColumnsConf", [(name, str | None, field(default=None)) for name in COLUMNS]
)
ColumnsConf.__module__ = __name__


@dataclass
class OrgConf:
    """A generated company (``source: generate``) or one read from CSV (``source: csv``)."""

    source: str = "generate"
    headcount: int = 2000
    span_median: float = 5.5
    span_mean: float = 10.5
    units: int | None = None
    path: str | None = None  # the org chart CSV (relative to where orgsim runs)
    ties: str | None = None  # optional ties CSV; generated from the chart without one
    # The chart's headers for the columns orgsim reads, when named otherwise:
    # {employee_id: Employee ID, unit: Department} (sim.org.from_csv's columns).
    columns: ColumnsConf = field(default_factory=ColumnsConf)
    allow_forest: bool = False
    seed: int = 0  # the org is an uncertainty held fixed across replications


@dataclass
class NetworkConf:
    """Informal ties generated beside the hierarchy, or a network alone (the classics)."""

    mean_degree: float = 20.0
    openness: float = 0.5  # share of cross-unit ties, relative to mixing as if no units
    # informal: ties beside the org's hierarchy. erdos_renyi, small_world, complete: a network
    # of org.headcount people and no hierarchy, for the classic rules (Watts, Centola-Macy).
    kind: str = "informal"
    rewire: float = 0.0  # small_world: probability that a lattice tie's far end moves
    resample: bool = False  # a network alone: a new one per replication (else one per job)


@dataclass
class BehaviorStepConf:
    name: str = MISSING
    difficulty: float = 0.0
    risk: float = 0.0
    voice: float = 0.0


@dataclass
class BehaviorConf:
    ladder: list[BehaviorStepConf] = field(default_factory=list)


@dataclass
class ThresholdConf:
    name: str = "threshold"
    theta: float = 0.15  # everyone's; the lowest (thresholds=evenly) or the mean (=normal)
    absolute: bool = False
    thresholds: str = "same"  # how they differ: same, evenly or normal (sim.rules.ThresholdLaw)
    spread: float = 0.0  # evenly: from theta to theta + spread; normal: standard deviation
    moved: int | None = None  # rank (0: the lowest) of the one person whose threshold moves
    move: float = 1.0  # how far it moves


@dataclass
class BassConf:
    name: str = "bass"
    p: float = 0.03
    q: float = 0.38
    well_mixed: bool = False


@dataclass
class IndependentCascadeConf:
    name: str = "independent_cascade"
    p: float = 0.1


def _schema(cls, title, /, skip=(), **extra):
    """A schema with the fields and defaults of ``cls`` (one source for both), less ``skip``."""
    fields = [(k, t, field(default=v)) for k, (t, v) in extra.items()]
    fields += [
        (f.name, type(f.default), field(default=f.default))
        for f in dataclasses.fields(cls)
        if f.name not in skip
    ]
    schema = dataclasses.make_dataclass(title, fields)
    # Importable by name (it is bound to ``title`` here), so that configs pickle
    # by reference: by value, each job of a sweep would ship the class.
    schema.__module__ = __name__
    return schema


CultureConf = _schema(Culture, "CultureConf")
# The ladder comes from the behavior group.
OrganizationalConf = _schema(Organizational, "OrganizationalConf", skip=("ladder",),
                             name=(str, "organizational"))  # fmt: skip
# Fields whose default is None have no default to take a type from.
_OPTIONAL_ROLLOUT = {
    "pilot_units": list[str] | None,
    "expand_week": int | None,
    "expand_share": float | None,
    "wave_units": int | None,
    "safety": float | None,
    "budget": float | None,
    "budget_per_person": float | None,
}
RolloutConf = _schema(
    Rollout,
    "RolloutConf",
    skip=tuple(_OPTIONAL_ROLLOUT),
    **{name: (kind, getattr(Rollout, name)) for name, kind in _OPTIONAL_ROLLOUT.items()},
)


@dataclass
class PathsConf:
    results: str = "${hydra:runtime.cwd}/results"
    store: str = "${paths.results}/${task_name}"


@dataclass
class AnalysisConf:
    """A sample to draw instead of (or crossed with) the sweep's grid (sim.analysis.design).

    Not part of a scenario: each point's values are, and the rows carry them.
    """

    method: str | None = None  # morris | sobol | latin; null: the sweep is its grid alone
    parameters: dict[str, Any] = field(default_factory=dict)  # {key: [low, high]}
    samples: int = 10  # Morris: trajectories r; Sobol: N (a power of 2); latin: points
    levels: int = 4  # Morris: levels of the grid (even)
    second_order: bool = False  # Sobol: second-order indices too (N (2D + 2) points)
    seed: int = 0  # the sample's own seed
    metric: str | None = None  # what the analysis reports (default: the report's metric)
    threshold: float = 0.8  # scenario discovery: the least share of wins a box must hold
    resamples: int = 1000  # bootstrap resamples of the indices' intervals


@dataclass
class Config:
    seed: int = 0
    replications: int = 10
    steps: int = 52
    task_name: str = "orgsim"
    threads: int | None = None  # Numba threads per job; None: all for a run, 1 in a sweep
    progress: bool | None = None  # None: a bar on a terminal, none under a launcher
    report: bool = True  # a sweep ends by writing the store's report (sim.report)
    org: OrgConf = field(default_factory=OrgConf)
    network: NetworkConf = field(default_factory=NetworkConf)
    culture: CultureConf = field(default_factory=CultureConf)
    behavior: BehaviorConf = field(default_factory=BehaviorConf)
    rule: Any = MISSING
    rollout: RolloutConf = field(default_factory=RolloutConf)
    paths: PathsConf = field(default_factory=PathsConf)
    analysis: AnalysisConf = field(default_factory=AnalysisConf)


_RULES = {
    "organizational": OrganizationalConf,
    "threshold": ThresholdConf,
    "bass": BassConf,
    "independent_cascade": IndependentCascadeConf,
}


def register():
    """Store the schemas in Hydra's ConfigStore (``base_<group>`` names)."""
    if not OmegaConf.has_resolver("orgsim_examples"):
        OmegaConf.register_new_resolver("orgsim_examples", lambda: str(EXAMPLES_DIR))
    if not OmegaConf.has_resolver("orgsim_sample_ties"):
        OmegaConf.register_new_resolver("orgsim_sample_ties", sample_ties)
    cs = ConfigStore.instance()
    cs.store(name="base_config", node=Config)
    for group, node in (
        ("org", OrgConf),
        ("network", NetworkConf),
        ("culture", CultureConf),
        ("behavior", BehaviorConf),
        ("rollout", RolloutConf),
    ):
        cs.store(group=group, name=f"base_{group}", node=node)
    for name, node in _RULES.items():
        cs.store(group="rule", name=f"base_rule_{name}", node=node)


# -- config -> objects --------------------------------------------------------------


def _plain(cfg, key):
    return OmegaConf.to_container(cfg[key], resolve=True)


def _guard(key, make):
    """``make()``, with a domain error turned into a ConfigError naming ``key``."""
    from sim.org import OrgError

    try:
        return make()
    except (ValueError, TypeError, OrgError) as error:
        raise ConfigError(f"{key}: {error}") from None
    except MemoryError:  # numpy says only "Unable to allocate ..."
        raise ConfigError(f"{key}: too large for this machine's memory") from None


#: The largest integer a key may hold: results, seeds and Parquet columns are 64-bit.
MAX_INT = 2**63 - 1


def _unknown_keys(tree, schema, prefix=""):
    """Raise ConfigError for the first key of ``tree`` (plain dict) that ``schema`` lacks."""
    import typing

    fields = typing.get_type_hints(schema)
    for key, value in tree.items():
        if key not in fields:
            where = f"keys there: {', '.join(fields)}" if prefix else f"keys: {', '.join(fields)}"
            raise ConfigError(f"{prefix}{key}: no such key ({where})")
        kind = fields[key]
        if key == "rule" and not prefix:
            kind = _RULES.get(value.get("name")) if isinstance(value, dict) else None
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


def _top_level(cfg):
    from numba import config as numba_config

    from sim._validation import check_scalar

    plain = OmegaConf.to_container(cfg, resolve=False)
    plain.pop("hydra", None)
    _unknown_keys(plain, Config)
    _huge_ints(plain)
    for name, low in (("seed", 0), ("replications", 1), ("steps", 0), ("threads", 1)):
        value = cfg[name]
        if value is not None:
            _guard(
                name, lambda n=name, v=value, lo=low: check_scalar(v, n, "orgsim", kind=int, low=lo)
            )
    cores = numba_config.NUMBA_NUM_THREADS
    if cfg.threads is not None and cfg.threads > cores:
        raise ConfigError(
            f"threads: {cfg.threads} threads, but Numba may use at most {cores} here (the "
            f"machine's cores, or NUMBA_NUM_THREADS); use threads={cores} or fewer."
        )


def _rule(cfg):
    from sim import rules

    params = _plain(cfg, "rule")
    name = params.pop("name", None)
    if name not in _RULES:
        raise ConfigError(f"rule.name: must be one of {', '.join(_RULES)}. Got {name!r}.")
    if name == "organizational":
        ladder = _plain(cfg, "behavior")["ladder"]
        if not ladder:
            raise ConfigError("behavior.ladder: must hold at least one behavior.")
        steps = tuple(_guard("behavior.ladder", lambda s=s: rules.Behavior(**s)) for s in ladder)
        return _guard("rule", lambda: rules.Organizational(ladder=steps, **params))
    if name == "threshold":
        for key in _LAW_KEYS:
            params.pop(key)
    classes = {
        "threshold": rules.Threshold,
        "bass": rules.Bass,
        "independent_cascade": rules.IndependentCascade,
    }
    return _guard("rule", lambda: classes[name](**params))


#: Keys of the threshold rule that say how people's thresholds differ (``ThresholdLaw``).
_LAW_KEYS = {"thresholds": "law", "spread": "spread", "moved": "moved", "move": "move"}


def _threshold_law(cfg):
    """The law of people's thresholds, when the threshold rule's people differ; else None."""
    from sim.rules import ThresholdLaw

    params = _plain(cfg, "rule")
    if params.get("name") != "threshold":
        return None
    law = {field: params[key] for key, field in _LAW_KEYS.items()}
    try:
        law = ThresholdLaw(theta=params["theta"], absolute=params["absolute"], **law)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{_law_key(error)}: {error}") from None
    return law if law.varies else None


def _param_key(group, error, default=None) -> str:
    """The config key of ``group`` that an error in the template "The 'x' parameter of
    ..." is about (``group.default``, or ``group``, when it names none)."""
    import re

    named = re.search(r"The '(\w+)' parameter", str(error))
    name = named.group(1) if named else default
    return f"{group}.{name}" if name else group


def _law_key(error) -> str:
    """The config key a :class:`~sim.rules.ThresholdLaw` error is about."""
    keys = {field: key for key, field in _LAW_KEYS.items()}
    key = _param_key("rule", error)
    return f"rule.{keys.get(key[5:], key[5:])}" if key != "rule" else key


def _resolve(path, base_dir):
    path = Path(path).expanduser()
    return path if path.is_absolute() else Path(base_dir) / path


def _org_maker(cfg, base_dir, load_now):
    """``make_org()`` for the config; a CSV org is read now when ``load_now``."""
    from sim import org as orgs
    from sim.org.generate import _check_hierarchy, _check_ties

    o, net = _plain(cfg, "org"), _plain(cfg, "network")
    if net["kind"] != "informal":
        return _network_maker(o, net)
    ties = {"mean_degree": net["mean_degree"], "openness": net["openness"], "seed": o["seed"]}
    if o["source"] == "csv":
        if not o["path"]:
            raise ConfigError("org.path: the org chart CSV to read (org.source=csv). Got none.")
        path = _resolve(o["path"], base_dir)
        ties_path = _resolve(o["ties"], base_dir) if o["ties"] else None
        _guard("network", lambda: _check_ties(net["mean_degree"], net["openness"], 1, "network"))
        mapped = {k: v for k, v in o["columns"].items() if v is not None}
        columns = _guard("org.columns", lambda: check_columns(mapped))

        def make():
            return orgs.from_csv(path, ties_path, allow_forest=o["allow_forest"],
                                 columns=columns, **ties)  # fmt: skip

        if load_now:
            loaded = _guard("org", make)
            return lambda: loaded
        return make
    if o["source"] != "generate":
        raise ConfigError(f"org.source: must be 'generate' or 'csv'. Got {o['source']!r}.")
    if any(v is not None for v in o["columns"].values()):
        raise ConfigError(
            "org.columns: maps the columns of an org chart CSV (org=from_csv); a generated "
            "org has none. Leave it out."
        )
    hierarchy = {k: o[k] for k in ("headcount", "span_median", "span_mean", "units")}
    checked = _guard("org", lambda: _check_hierarchy(**hierarchy, owner="org"))
    _guard(
        "network", lambda: _check_ties(net["mean_degree"], net["openness"], checked[0], "network")
    )
    return lambda: orgs.generate(**hierarchy, **ties)


#: Networks that stand alone (no hierarchy): ``network.kind`` -> what it draws.
NETWORK_KINDS = ("informal", "erdos_renyi", "small_world", "complete")


def _network_maker(o, net):
    """``make_org(rng=None)`` for a network alone: ``org.headcount`` people, everyone at
    the top of one unit, tied as ``network.kind`` says; drawn from ``org.seed``, or from
    ``rng`` (a replication's own stream, ``network.resample``)."""
    from sim import networks
    from sim.org import Org

    kind = net["kind"]
    if kind not in NETWORK_KINDS:
        raise ConfigError(f"network.kind: must be one of {', '.join(NETWORK_KINDS)}. Got {kind!r}.")
    n = _guard("org.headcount", lambda: _check_people(o["headcount"]))
    if kind == "small_world":
        degree = net["mean_degree"]
        if degree != int(degree) or int(degree) % 2 or not 0 <= degree <= n - 1:
            raise ConfigError(
                f"network.mean_degree: a small world ties each person to an even number of "
                f"lattice neighbours, at most org.headcount - 1. Got {degree!r}."
            )
        _guard("network.rewire", lambda: networks.small_world(2, 0, net["rewire"]))
    elif kind == "erdos_renyi":
        _guard("network.mean_degree", lambda: _check_range(net["mean_degree"], "mean_degree",
                                                           0.0, n - 1))  # fmt: skip

    def make(rng=None):
        seed = o["seed"] if rng is None else rng
        if kind == "erdos_renyi":
            ties = networks.erdos_renyi(n, net["mean_degree"], seed=seed)
        elif kind == "small_world":
            ties = networks.small_world(n, int(net["mean_degree"]), net["rewire"], seed=seed)
        else:
            ties = networks.complete(n)
        return Org(manager=np.full(n, -1), unit=np.zeros(n, dtype=np.int64),
                   unit_names=("all",), network=ties, allow_forest=True)  # fmt: skip

    return make


def _check_people(n):
    from sim._validation import check_scalar

    return check_scalar(n, "headcount", "org", kind=int, low=2)


def _check_range(value, name, low, high):
    from sim._validation import check_scalar

    return check_scalar(value, name, "network", low=low, high=high)


def build(cfg, base_dir=".", load_org=False):
    """The :class:`~sim.scenario.Scenario` a job runs, from a composed config.

    Relative CSV paths are read from ``base_dir`` (where ``orgsim`` was
    started). Raises :class:`ConfigError` (one line naming the key) for any
    value out of range.
    """
    from sim.population import Culture
    from sim.rollout import Rollout
    from sim.scenario import Scenario

    _top_level(cfg)
    culture = _guard("culture", lambda: Culture(**_plain(cfg, "culture")))
    rule = _rule(cfg)
    rollout = _guard("rollout", lambda: Rollout(**_plain(cfg, "rollout")))
    if not rule.needs_org and rollout.scope != "company_wide":
        raise ConfigError(
            f"rollout.scope: the {type(rule).__name__} rule gives everyone access at once; "
            "use rollout=company_wide (a pilot needs rule=organizational)."
        )
    make_org = _org_maker(cfg, base_dir, load_org)
    alone = cfg.network.kind != "informal"
    if alone and rule.needs_org:
        raise ConfigError(
            f"network.kind: {cfg.network.kind} is a network without an org chart, for the "
            "classic rules: use rule=threshold, rule=bass or rule=independent_cascade"
        )
    if alone and rollout.direction != "decentralized":
        raise ConfigError(
            f"rollout.direction: a network alone ({cfg.network.kind}) has no hierarchy to go "
            "down; its initial adopters are champions: use rollout=company_wide_decentralized"
        )
    resample = alone and bool(cfg.network.resample)
    return Scenario(make_org=make_org, rule=rule, rollout=rollout, culture=culture,
                    steps=int(cfg.steps), resample=resample,
                    thresholds=_threshold_law(cfg))  # fmt: skip


#: The longest folder name most file systems take (bytes).
NAME_MAX = 255


def _folder_fault(path: Path) -> tuple[Path, str] | None:
    """Why ``path`` cannot be (made) a folder this process writes in: (where, why), or None."""
    import os

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


def _where(cfg):
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


def _launcher(hydra_cfg):
    """Launcher settings that would fail only once jobs are handed out."""
    launcher = hydra_cfg.get("launcher") or {}
    if "joblib" in str(launcher.get("_target_", "")) and launcher.get("n_jobs") == 0:
        raise ConfigError(
            "hydra.launcher.n_jobs: must be a number of processes, or -1 for one per core. "
            "Got 0 instead."
        )


def _fits(cfg, base_dir, scenario, org=None):
    """Refuse a job whose memory estimate (:mod:`sim._memory`) exceeds what it may use;
    ``org``: the CSV chart once read (its units and levels then count)."""
    from sim import _memory
    from sim.org import read_file

    o, files = cfg.org, {}
    if o.source == "csv" and cfg.network.kind == "informal":
        for key in ("path", "ties"):
            if o[key]:
                where = str(_resolve(o[key], base_dir))
                files[key] = _guard("org", lambda w=where: read_file(w)[0])
    behaviors = len(cfg.behavior.ladder) if scenario.rule.needs_org else 1
    said = _memory.too_large(*_memory.job(cfg, behaviors, files, org))
    if said is not None:
        raise ConfigError(said)


def check(cfg, base_dir="."):
    """Raise :class:`ConfigError` unless ``cfg`` can run.

    Reads a CSV org; generates an org only to check pilot units named in the
    config (their names come with the org).
    """
    import numpy as np

    scenario = build(cfg, base_dir)
    _fits(cfg, base_dir, scenario)  # before anything large is read or built
    if cfg.org.source == "csv" and cfg.network.kind == "informal":
        _fits(cfg, base_dir, scenario, _guard("org", lambda: scenario.org))
    _where(cfg)
    if "hydra" in cfg:
        _launcher(cfg.hydra)
    rollout = scenario.rollout
    n = scenario.org.n if cfg.org.source == "csv" else int(cfg.org.headcount)
    if scenario.rule.needs_org:  # the classic rules pay for nothing
        try:
            rollout.check_budget(n)
        except ValueError as error:
            raise ConfigError(f"{_param_key('rollout', error, 'budget')}: {error}") from None
    if scenario.thresholds is not None:
        try:
            scenario.thresholds.check(n)
        except ValueError as error:
            raise ConfigError(f"{_law_key(error)}: {error}") from None
    if rollout.scope == "pilot" and rollout.pilot_units is not None:
        _guard("rollout.pilot_units", lambda: rollout.pilot(scenario.org, np.random.default_rng(0)))
