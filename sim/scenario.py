"""One scenario (org, culture, rule, rollout) run for several replications.

A :class:`Scenario` is plain Python: the CLI builds it from a Hydra config
(:func:`sim.conf.build`), scripts and benchmarks build it directly. The org is
built once per scenario from its own seed (an uncertainty held fixed across
replications); each replication ``r`` of seed ``s`` runs with its own
generator ``default_rng([s, r])``, so a replication is reproduced alone.

Common random numbers: the rollout draws (pilot, champions, training order)
from a child generator spawned from the run's, and the people's traits and
the weekly draws come from the run's own, so replication ``r`` of any two
rollouts (or any two levers) meets the same people and the same weekly draws
and their difference is paired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.facts import people_facts
from sim.metrics import summary

__all__ = ["Scenario"]


@dataclass
class Scenario:
    """What one job runs.

    Parameters
    ----------
    make_org : callable
        ``make_org() -> Org``; called once, on first use.
    rule : Rule
    rollout : Rollout
    culture : Culture
        Used by the organizational rule only.
    steps : int
        Weeks per run.
    resample : bool
        Draw a new org (its network) for every replication: ``make_org(rng)``
        with a generator spawned from the replication's own, after the
        rollout's (so the rollout's draws stay what they are without it).
        For the classics on random networks (Watts: each run on its own graph).
    thresholds : ThresholdLaw, optional
        People's own thresholds under the threshold rule, drawn for every
        replication from a generator spawned after the rollout's and the
        network's (Granovetter's riot); None: the rule's one ``theta``.
    """

    make_org: Callable
    rule: object
    rollout: object
    culture: object
    steps: int = 52
    resample: bool = False
    thresholds: object = None
    _org: object = field(default=None, init=False, repr=False)

    @property
    def org(self):
        if self._org is None:
            self._org = self.make_org()
        return self._org

    def model(self, seed, replication):
        """The model of one replication, at week 0."""
        from sim.model import OrgModel

        rng = np.random.default_rng([seed, replication])
        # The rollout's own stream: what it draws never shifts the run's draws.
        (levers,) = rng.spawn(1)
        org = self.make_org(rng.spawn(1)[0]) if self.resample else self.org
        if self.rule.needs_org:
            plan, first = self.rollout.plan(org, levers, self.culture)
            return OrgModel(org=org, rule=self.rule, culture=self.culture, plan=plan,
                            initial_adopters=first, initial_rungs=self.rollout.first_rungs,
                            rng=rng)  # fmt: skip
        first = self.rollout.first_adopters(org, levers)
        rule = self.rule
        if self.thresholds is not None:
            theta = self.thresholds.draw(org.n, rng.spawn(1)[0])
            rule = replace(rule, theta=theta)
        return OrgModel(org=org, rule=rule, initial_adopters=first, rng=rng)

    def run(self, seed, replications=1, progress=None, *, groups=False):
        """Run replications; return ``(runs, timeseries)`` DataFrames (and ``groups``).

        ``replications`` is a number (replications ``0 .. replications - 1``)
        or the replication indices to run (each runs on its own generator, so
        running 10 to 19 after 0 to 9 gives what running 0 to 19 gives).

        ``runs`` has one row per replication (``replication`` and the
        :func:`sim.metrics.summary` columns, per-unit and cost ones included);
        ``timeseries`` one row per
        replication, week and behavior (``replication`` and the columns of
        ``model.adoption``). ``progress(k)`` is called after each replication.

        With ``groups=True`` a third DataFrame follows: one row per
        replication, week, behavior and unit or level (``replication``,
        ``step``, ``behavior``, ``by`` ("unit" or "level"), ``group`` (the
        unit's name or the level as text, 0 the top), ``people``,
        ``adopters``, ``fraction``), where a rollout stalls; empty for the
        classic rules, which have no org.
        """
        try:
            return self._run(seed, replications, progress, groups)
        except MemoryError:  # numpy says only "Unable to allocate ..."
            raise MemoryError(self._out_of_memory(replications)) from None

    def _out_of_memory(self, replications) -> str:
        """One line: what ran out of memory, and the config keys that make it smaller."""
        n = replications if isinstance(replications, int) else len(list(replications))
        org = self._org
        if org is None:
            what = "building the org"
        else:
            ends = 0 if org.network.indices is None else org.network.indices.shape[0]
            what = f"running {org.n:,} people with {ends:,} tie ends"
        return (
            f"out of memory {what} ({n} replications of {self.steps} weeks); lower "
            f"org.headcount (or use a smaller org.path), network.mean_degree, replications "
            f"or steps"
        )

    def _run(self, seed, replications, progress, groups):
        records, curves, parts = [], [], []
        which = range(replications) if isinstance(replications, int) else list(replications)
        for done, r in enumerate(which, 1):
            model = self.model(seed, r).run(self.steps)
            adoption = model.adoption
            by_unit = model.adoption_by("unit") if model.org is not None else None
            # The classic rules run without a plan, so a rollout's costs do not apply.
            cost = self.rollout.cost(model.plan) if self.rule.needs_org else None
            record = {"replication": r, **summary(adoption, by_unit=by_unit, cost=cost)}
            if self.rule.needs_org:  # Rogers' categories, "90-9-1": what the people did
                record.update(people_facts(model.stage, model.adopted_at, model.rule.behaviors))
            records.append(record)
            curves.append(adoption.assign(replication=r))
            if groups and by_unit is not None:
                parts.append(_groups(r, by_unit, model.adoption_by("level")))
            if progress is not None:
                progress(done)
        runs = pd.DataFrame.from_records(records)
        timeseries = pd.concat(curves, ignore_index=True)
        order = ["replication"] + [c for c in timeseries.columns if c != "replication"]
        if not groups:
            return runs, timeseries[order]
        return runs, timeseries[order], _group_table(parts)


_GROUP_COLUMNS = ["replication", "step", "behavior", "by", "group", "people", "adopters",
                  "fraction"]  # fmt: skip


def _groups(replication, by_unit, by_level) -> dict:
    """One replication's adoption per unit and per level, as arrays of the table's columns."""
    n = len(by_unit) + len(by_level)
    units = by_unit["unit"].to_numpy(dtype=object)
    levels = by_level["level"].astype(str).to_numpy(dtype=object)
    columns = {"replication": np.full(n, replication, dtype=np.int64),
               "by": np.array(["unit"] * len(units) + ["level"] * len(levels), dtype=object),
               "group": np.concatenate([units, levels])}  # fmt: skip
    for name in ("step", "behavior", "people", "adopters", "fraction"):
        columns[name] = np.concatenate([by_unit[name].to_numpy(), by_level[name].to_numpy()])
    return columns


def _group_table(parts) -> pd.DataFrame:
    """The replications' group arrays as one table (built once: a frame per replication
    costs more than the rest of the record)."""
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            _GROUP_COLUMNS, ["int64", "int64", "str", "str", "str", "int64", "int64",
                             "float64"], strict=True)})  # fmt: skip
    return pd.DataFrame({c: np.concatenate([part[c] for part in parts]) for c in _GROUP_COLUMNS})
