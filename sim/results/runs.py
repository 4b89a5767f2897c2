"""A store's finished runs, with each run's strategy and the axes that were swept.

The store's rows carry the whole scenario (:mod:`sim.columns`); a report
needs to know which of those columns the user varied, and which of them are
*levers* (the rollout: what the change team decides) and which are
*uncertainties* (culture, org, network, rule: the world it decides in). A
run's **strategy** is its rollout preset, with the rollout values that vary
among runs of the same preset written beside it; the **axes** are the other
columns that vary, leaving out the values a varied preset already names
(``culture=traditional,humanized`` is one axis, ``culture``, not eleven).
Strategies are compared within each combination of the axes' values (a
*context*).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import store
from sim.columns import PRESETS
from sim.metrics import behaviors as measured_behaviors
from sim.metrics import entry, is_outcome, outcome_metrics
from sim.results.keys import PAIR, in_context, missing, pair_keys
from sim.results.labels import context_label, culture_dials, strategy_labels

__all__ = [
    "PAIR",
    "ReportError",
    "Results",
    "assemble",
    "check_metric",
    "in_context",
    "load",
    "missing",
    "pair_keys",
]

#: Row keys, not scenario: never an axis.
_KEYS = ("config_hash", "seed", "replication", "version")


class ReportError(ValueError):
    """What a report cannot be made of; the message is one line for the user."""


@dataclass
class Results:
    """The finished runs of a store, ready to rank and draw.

    Attributes
    ----------
    store : Path
    runs : DataFrame
        One row per run: the store's columns and ``strategy``.
    curves : DataFrame
        One row per run, week and behavior (``strategy``, the axes, ``seed``,
        ``replication``, ``config_hash``, ``step``, ``behavior``, ``fraction``).
    groups : DataFrame
        The same per unit and level (``by``, ``group``, ``people``), empty for
        stores written before orgsim recorded them or for classic rules.
    levers : list of str
        The rollout columns that name a strategy.
    axes : list of str
        The other columns that vary: each combination of their values is a
        context within which strategies are compared.
    behaviors : list of str
        The ladder's behaviors, bottom rung first.
    designs : list of Record
        The sampled designs (:mod:`sim.results.designs`) whose runs are here;
        their runs carry ``design`` (its digest) and ``point``, and the values
        a design samples are not axes (each point would be a context).
    """

    store: Path
    runs: pd.DataFrame
    levers: list = field(default_factory=list)
    axes: list = field(default_factory=list)
    behaviors: list = field(default_factory=list)
    read_tables: object = field(default=None, repr=False)  # () -> {"timeseries", "groups"}
    designs: list = field(default_factory=list)
    #: The runs the store holds, and, when these are only a command's jobs among them, a
    #: digest of those jobs (its report is named by it: :func:`sim.report.writing.report_folder`).
    held: int = 0
    subset: str | None = None
    #: The runs with a channel switched off (``channel``: a sweep's ``why.channels``), kept
    #: apart: they attribute the verdicts, they are not ranked (None when there are none).
    channel_runs: pd.DataFrame | None = None

    def _tables(self):
        # Read on first use: a ranking needs the runs alone, a report the curves too.
        cache = self.__dict__.setdefault("_read", {})
        if not cache:
            cache.update(self.read_tables() if self.read_tables else {})
        return cache

    @property
    def curves(self) -> pd.DataFrame:
        return self._tables().get("timeseries", pd.DataFrame())

    @property
    def groups(self) -> pd.DataFrame:
        return self._tables().get("groups", pd.DataFrame())

    @property
    def strategies(self) -> list:
        """Sorted by name, so that a strategy keeps its colour from report to report."""
        return sorted(self.runs["strategy"].unique())

    @property
    def numeric_axes(self) -> list:
        """Axes whose values are numbers (a parameter swept over a range)."""
        return [a for a in self.axes if pd.api.types.is_numeric_dtype(self.runs[a])]

    def contexts(self):
        """``(label, where)`` per combination of the axes' values, in the order run.

        ``where`` maps each axis to its value; the label reads
        ``culture=traditional, org.headcount=500`` (empty without axes).
        """
        if not self.axes:
            return [("", {})]
        seen = self.runs[self.axes].drop_duplicates().sort_values(self.axes, ignore_index=True)
        out = []
        for row in seen.itertuples(index=False):
            where = dict(zip(self.axes, row, strict=True))
            out.append((context_label(where), where))
        return out

    def title(self, label: str, where: dict) -> str:
        """A context's label with what its culture means: ``culture=traditional (open 0.2,
        trust 0.3, generative 0.2, courage 0.3)``; the label alone without a culture axis."""
        dials = culture_dials(self.select("runs", where), where)
        return f"{label} ({dials})" if dials else label

    def select(self, table: str, where: dict) -> pd.DataFrame:
        """The rows of ``runs``, ``curves`` or ``groups`` in one context."""
        return in_context(getattr(self, table), where)

    @property
    def versions(self) -> list:
        return sorted(self.runs["version"].dropna().unique().tolist())

    def ranking(self, metric=None):
        """:func:`sim.results.rank` of the runs by ``metric`` within the axes (computed once)."""
        from sim.results.ranking import rank

        metric = metric or self.default_metric()
        cache = self.__dict__.setdefault("_rankings", {})
        if metric not in cache:
            cache[metric] = rank(self.runs, metric, within=self.axes,
                                 pair_on=pair_keys(self.runs))  # fmt: skip
        return cache[metric]

    @property
    def draws(self) -> int:
        """How many posterior draws the runs ran on (0: the defaults alone, no ensemble)."""
        if "draw" not in self.runs:
            return 0
        return int(self.runs["draw"].nunique())

    def _over_draws(self, name, metric, columns):
        """``name`` of :mod:`sim.results.ensemble` within the axes, by ``metric`` (computed
        once); empty, with ``columns``, without draws."""
        from sim.results import ensemble

        metric = metric or self.default_metric()
        cache = self.__dict__.setdefault(f"_{name}", {})
        if metric not in cache:
            cache[metric] = (
                getattr(ensemble, name)(self.runs, metric, within=self.axes)
                if self.draws
                else pd.DataFrame(columns=[*self.axes, *columns])
            )
        return cache[metric]

    def verdict_probabilities(self, metric=None):
        """:func:`sim.results.verdict_probabilities` of an ensemble's runs within the axes."""
        from sim.results.ensemble import VERDICT_COLUMNS

        return self._over_draws("verdict_probabilities", metric, VERDICT_COLUMNS)

    def lead_across_draws(self, metric=None):
        """:func:`sim.results.lead_across_draws` within the axes."""
        from sim.results.ensemble import LEAD_COLUMNS

        return self._over_draws("lead_across_draws", metric, LEAD_COLUMNS)

    def why(self, metric=None):
        """:func:`sim.results.why.why_table` of these results (computed once)."""
        from sim.results.why import why_table

        metric = metric or self.default_metric()
        cache = self.__dict__.setdefault("_why", {})
        if metric not in cache:
            cache[metric] = why_table(self, metric)
        return cache[metric]

    def horizon_verdicts(self):
        """:func:`sim.results.horizons.horizon_verdicts` of these results (computed once: the
        terminal and the report both say it)."""
        from sim.results.horizons import horizon_verdicts

        cache = self.__dict__
        if "_horizons" not in cache:
            cache["_horizons"] = horizon_verdicts(self)
        return cache["_horizons"]

    def plateau_weeks(self):
        """:func:`sim.results.horizons.plateau_weeks` of these results (computed once)."""
        from sim.results.horizons import plateau_weeks

        cache = self.__dict__
        if "_plateaus" not in cache:
            cache["_plateaus"] = plateau_weeks(self)
        return cache["_plateaus"]

    def outside_designs(self) -> Results | None:
        """The runs that no sampled design ran, as Results of their own (None when none)."""
        if not self.designs:
            return self
        plain = self.runs[self.runs["design"].isna()]
        if plain.empty:
            return None
        columns = [c for c in plain.columns if c not in ("strategy", "design", "point")]
        return assemble(self.store, plain[columns].reset_index(drop=True), designs=False)

    def default_metric(self) -> str:
        """The time-integrated contributing share, or the nearest the ladder has."""
        weeks = entry("auc_fraction_weeks_<b>")
        candidates = [weeks.name(b) for b in ("contribute", *self.behaviors)]
        return next(c for c in candidates if c in self.runs.columns)


def _varies(frame, column) -> bool:
    return frame[column].nunique(dropna=False) > 1


def _determined(frame, by, column) -> bool:
    """Whether ``column`` holds one value within each combination of ``by``."""
    if not by:
        return not _varies(frame, column)
    counts = frame.groupby(list(by), dropna=False, sort=False)[column].nunique(dropna=False)
    return bool((counts <= 1).all())


def _scenario_columns(runs) -> list:
    """The scenario columns of the runs table, in the store's order (:mod:`sim.columns`)."""
    from sim.columns import scenario_schema

    return [name for name in scenario_schema().names if name in runs.columns]


def _minimal(frame, presets, values) -> list:
    """Varied presets, then varied values that no chosen column already determines."""
    chosen = [p for p in presets if _varies(frame, p)]
    for column in values:
        if _varies(frame, column) and not _determined(frame, chosen, column):
            chosen.append(column)
    return chosen


def load(where, *, metric=None, jobs=None, quiet=False) -> Results:
    """The finished runs of the store at ``where`` (a store or a folder holding one).

    ``jobs`` (:class:`sim.precheck.Job`, optional: anything with ``digest``, ``seed``
    and ``replications``) keeps only their
    replications: what one command ran, in a store that may hold more.

    Raises :class:`ReportError` (one line) when there is no store or no
    finished run, when a store holds several results folders, or when
    ``metric`` is not a column of its runs.
    """
    where = Path(where)
    found = store.stores(where)
    if not found:
        raise ReportError(f"{where}: no results here (no jobs/ folder); run orgsim first")
    if len(found) > 1:
        names = ", ".join(str(p) for p in found)
        raise ReportError(f"{where} holds several stores ({names}); name one of them")
    path = found[0]
    runs = store.load(path, tables=("runs",))["runs"]
    held = len(runs)
    if jobs is not None and not runs.empty:
        wanted = {(j.digest, int(j.seed)): int(j.replications) for j in jobs}
        keys = zip(runs["config_hash"], runs["seed"].astype(int), runs["replication"], strict=True)
        mask = [r < wanted.get((d, s), 0) for d, s, r in keys]
        runs = runs[mask].reset_index(drop=True)
    if runs.empty:
        raise ReportError(f"{path}: no finished run yet; wait for a job to finish")
    results = assemble(path, runs, metric=metric)
    results.held = held
    if len(runs) < held:
        keys = sorted({(j.digest, int(j.seed)) for j in jobs})
        results.subset = hashlib.sha256(repr(keys).encode()).hexdigest()[:8]
    if not quiet and runs["version"].nunique() > 1:
        versions = ", ".join(map(str, sorted(runs["version"].unique())))
        print(f"orgsim: note: {path} holds runs of orgsim {versions}", file=sys.stderr)
    return results


def assemble(path, runs, *, metric=None, designs=True) -> Results:
    """:class:`Results` of the runs of the store at ``path`` (read by :func:`load`):
    strategies, axes and, with ``designs``, the sampled designs they ran."""
    runs, designs = _points(path, runs) if designs else (runs, [])
    off = None
    if "channel" in runs and runs["channel"].notna().any():
        off = runs[runs["channel"].notna()].reset_index(drop=True)
        runs = runs[runs["channel"].isna()].reset_index(drop=True)
        if runs.empty:
            raise ReportError(f"{path}: only runs with a channel switched off (channel=...); "
                              "their strategies' own runs are not finished yet")  # fmt: skip
    scenario = _scenario_columns(runs)
    lever_values = [c for c in scenario if c.startswith("rollout.")]
    levers = _minimal(runs, ["rollout"] if "rollout" in runs else [], lever_values)
    if designs:  # a sampled lever describes the world a strategy met, not the strategy
        levers = [c for c in levers if not _determined(runs, ["design", "point"], c)]
    if "rollout" in runs and "rollout" not in levers:
        levers.insert(0, "rollout")
    presets = [c for c in PRESETS.values() if c in runs and c != "rollout"]
    others = [c for c in scenario if c not in presets and not c.startswith("rollout")]
    axes = _minimal(runs, presets, others)
    if designs:  # a sampled value (or one that follows it) is the world, not a context
        axes = [a for a in axes if not _determined(runs, ["design", "point"], a)]
    if "draw" in runs and runs["draw"].notna().any():
        # A posterior draw's values (and the draw) are the model a run met, not a context.
        axes = [a for a in axes if a != "draw" and not _determined(runs, ["draw"], a)]
    runs = runs.assign(strategy=strategy_labels(runs, levers))
    if off is not None:
        off = off.assign(strategy=strategy_labels(off, levers))
    if metric is not None:
        check_metric(metric, runs)
    behaviors = measured_behaviors(runs)
    keep = ["config_hash", "seed", "replication", "strategy", *axes]
    if "draw" in runs and runs["draw"].notna().any():
        keep.insert(1, "draw")
    columns = {
        "timeseries": [
            "config_hash",
            "seed",
            "replication",
            "step",
            "behavior",
            "fraction",
            "spent",
        ],
        "groups": [
            "config_hash",
            "seed",
            "replication",
            "step",
            "behavior",
            "by",
            "group",
            "people",
            "fraction",
        ],
    }
    labels = runs[keep]

    def read_tables():
        tables = store.load(path, tables=("timeseries", "groups"), columns=columns)
        on = ["config_hash", "seed", "replication"]
        return {name: _attach(table, labels, on) for name, table in tables.items()}

    return Results(store=path, runs=runs, levers=levers, axes=axes, behaviors=behaviors,
                   read_tables=read_tables, designs=designs, channel_runs=off)  # fmt: skip


def check_metric(metric, runs, option="--metric") -> None:
    """Raise :class:`ReportError` unless ``metric`` is a numeric outcome column of ``runs``
    (:func:`sim.metrics.is_outcome`): a setting (``rollout``, ``seed``) ranks nothing."""
    if is_outcome(metric, runs):
        return
    known = ", ".join(outcome_metrics(runs)[:6])
    if not is_outcome(metric):
        why = " (it says what was set, not what happened)" if metric in runs.columns else ""
        raise ReportError(f"{option} {metric}: not an outcome metric{why}; rank by one of "
                          f"{known}, ... (--help lists them)")  # fmt: skip
    raise ReportError(f"{option} {metric}: not a column of the runs (e.g. {known})")


def _points(path, runs):
    """``runs`` with the ``design`` and ``point`` each ran (NaN outside any design), and
    the designs recorded in the store that some of them ran (latest first wins a run)."""
    from sim.results.designs import check_runs, read_records

    records = read_records(path)
    if not records:
        return runs, []
    for record in records:
        check_runs(record, runs)
    keys = pd.MultiIndex.from_arrays([runs["config_hash"], runs["seed"].astype(np.int64)])
    design = pd.Series(np.nan, index=runs.index, dtype=object)
    point = pd.Series(np.nan, index=runs.index, dtype=np.float64)
    used = []
    for record in reversed(records):
        jobs = record.jobs.drop_duplicates(["config_hash", "seed"])
        at = pd.MultiIndex.from_arrays([jobs["config_hash"], jobs["seed"].astype(np.int64)])
        index = at.get_indexer(keys)
        hit = index >= 0
        wanted = np.where(hit, jobs["replications"].to_numpy()[index], 0)
        hit &= (runs["replication"].to_numpy() < wanted) & design.isna().to_numpy()
        if hit.any():
            design[hit] = record.digest
            point[hit] = jobs["point"].to_numpy()[index[hit]]
            used.append(record)
    if not used:
        return runs, []
    return runs.assign(design=design, point=point), used[::-1]


def _attach(table, labels, on):
    """``table`` with each row's strategy and axes, matched on the run's keys."""
    if table.empty:
        return table
    return table.merge(labels, on=on, how="inner", validate="many_to_one")
