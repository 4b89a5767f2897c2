"""The config schemas: what each config group may hold, as plain dataclasses.

Each config group of ``configs/`` (``org``, ``network``, ``culture``,
``behavior``, ``rule``, ``rollout``) merges into one of these dataclasses
(:func:`sim.conf.register` stores them in Hydra's ConfigStore), so a misspelt
key or a value of the wrong type fails while Hydra composes the config. Field
names equal the keyword arguments of the classes they build: one name from
YAML to Python. The scenario columns of every result row come from them
(:mod:`sim.columns`).

This module imports nothing from Hydra, OmegaConf or the engine: reading
results needs the schemas and nothing else. :class:`CultureConf` takes its
fields from :class:`~sim.population.Culture`. The fields of
:class:`OrganizationalConf` and :class:`RolloutConf` are declared here, a
deliberate twin of :class:`~sim.rules.Organizational`'s and
:class:`~sim.rollout.Rollout`'s (their packages import the Numba kernels),
in their order and with their defaults: ``tests/cli/test_configs.py`` holds them
equal, as it holds :class:`ColumnsConf`'s to ``sim.org.load.COLUMNS``.

In EMA Workbench's terms the ``rollout`` group holds the **levers** (what the
change team decides); ``org``, ``network``, ``culture`` and ``seed`` are the
**uncertainties**.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.population import Culture

__all__ = [
    "MISSING",
    "RULES",
    "AnalysisConf",
    "BassConf",
    "BehaviorConf",
    "BehaviorStepConf",
    "ColumnsConf",
    "Config",
    "ConfigError",
    "CultureConf",
    "EnsembleConf",
    "IndependentCascadeConf",
    "NetworkConf",
    "OrgConf",
    "OrganizationalConf",
    "PathsConf",
    "RolloutConf",
    "ThresholdConf",
    "WhyConf",
    "resolve_path",
]


class ConfigError(ValueError):
    """A config value that cannot run; the message names the key."""


#: OmegaConf's mark of a value that a config must give (``omegaconf.MISSING``).
MISSING = "???"

#: The columns of an org chart that orgsim reads (``sim.org.load.COLUMNS``).
_CHART_COLUMNS = (
    "employee_id",
    "manager_id",
    "unit",
    "threshold",
    "risk_aversion",
    "trust",
    "influence",
    "voice",
    "endorse",
    "identification",
    "attention",
)

#: ``org.columns``: the header of the org chart that holds each column orgsim reads, when
#: it is named otherwise (``org.columns.unit=Department``); null: the column's own name.
ColumnsConf = dataclasses.make_dataclass(
    "ColumnsConf", [(name, str | None, field(default=None)) for name in _CHART_COLUMNS]
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


def _schema(cls, title):
    """A schema with the fields and defaults of ``cls`` (one source for both)."""
    fields = [(f.name, type(f.default), field(default=f.default)) for f in dataclasses.fields(cls)]
    schema = dataclasses.make_dataclass(title, fields)
    # Importable by name, so that configs pickle by reference: by value, each job of a
    # sweep would ship the class.
    schema.__module__ = __name__
    return schema


#: :class:`sim.population.Culture`'s parameters (that module imports no engine).
CultureConf = _schema(Culture, "CultureConf")


@dataclass
class BehaviorStepConf:
    name: str = MISSING
    difficulty: float = 0.0
    risk: float = 0.0
    voice: float = 0.0
    reinforcement: float = 0.0


@dataclass
class BehaviorConf:
    ladder: list[BehaviorStepConf] = field(default_factory=list)


@dataclass
class OrganizationalConf:
    """:class:`sim.rules.Organizational`'s parameters; its ladder comes from ``behavior``."""

    name: str = "organizational"
    peer_weight: float = 0.257
    manager_weight: float = 0.011
    commitment_weight: float = 0.426
    visibility_weight: float = 0.779
    content_weight: float = 0.0
    ownership_weight: float = 0.0
    identity_weight: float = 0.302
    commitment_coverage: float = 0.5
    safety: float = 0.5
    training_effect: float = 0.1
    learning_effect: float = 0.1
    reactance: float = 0.25
    hysteresis: float = 0.1
    lapse_rate: float = 0.1
    churn: float = 0.196
    return_share: float = 0.443
    rate: float = 0.38
    noise: float = 0.094
    visibility: str = "unit"


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


@dataclass
class RolloutConf:
    """:class:`sim.rollout.Rollout`'s parameters (those that may be null first: the order
    of the scenario columns and of the hash's keys)."""

    pilot_units: list[str] | None = None
    expand_week: int | None = 8
    expand_share: float | None = None
    wave_units: int | None = None
    safety: float | None = None
    budget: float | None = None
    budget_per_person: float | None = None
    scope: str = "company_wide"
    pilot_share: float = 0.2
    pilot_choice: str = "random"
    wave_weeks: int = 4
    pilot_learning: float = 0.5
    direction: str = "hierarchical"
    top_levels: int = 2
    first_rungs: int = 2
    champions: float = 0.02
    champion_choice: str = "random"
    training_capacity: int = 0
    training_share: float = 0.0
    training_priority: str = "random"
    commitment: float = 0.5
    cost_champion: float = 10.0
    cost_trainee: float = 1.0
    cost_leader: float = 2.0
    cost_launch: float = 100.0
    cost_safety: float = 50.0
    cost_endorser: float = 0.25
    champion_budget: float = 0.5


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
class EnsembleConf:
    """Run each scenario of a sweep on posterior draws (sim.posterior, docs/model.md §3).

    Not part of a scenario: which draw a job runs is (``draw``), and its rows carry the
    draw's values.
    """

    draws: int = 0  # parameter sets of the shipped posterior per scenario; 0: the defaults
    replications: int | None = None  # per draw; null: ``replications``
    seed: int = 0  # which draws (weighted, without replacement; more draws keep the first)


@dataclass
class WhyConf:
    """Attribute a sweep's verdicts to channels (sim.channels): every strategy runs again
    with each listed channel off, on the first ``draws`` of the ensemble (or the defaults)
    with the same replications, so that the runs pair with the sweep's own.

    Not part of a scenario: which channel a job switches off is (``channel``).
    """

    channels: list[str] = field(default_factory=list)  # names of sim.channels.CHANNELS
    draws: int = 2  # of the ensemble's draws, the first this many (all when fewer)


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
    ensemble: EnsembleConf = field(default_factory=EnsembleConf)
    #: A draw of the shipped posterior (its ``draw`` id): its parameter values replace the
    #: defaults of the keys it calibrates, except those the command line sets; null: none.
    draw: int | None = None
    why: WhyConf = field(default_factory=WhyConf)
    #: A channel of sim.channels switched off for this scenario (its keys set to 0); null: none.
    channel: str | None = None


#: The schema of each rule, by ``rule.name``.
RULES = {
    "organizational": OrganizationalConf,
    "threshold": ThresholdConf,
    "bass": BassConf,
    "independent_cascade": IndependentCascadeConf,
}


def resolve_path(path, base_dir) -> Path:
    """Where a config's file path points: ``~`` expanded, a relative path read from
    ``base_dir`` (the folder ``orgsim`` was started in)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else Path(base_dir) / path
