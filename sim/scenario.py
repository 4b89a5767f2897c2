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
from types import SimpleNamespace

import numpy as np
import pandas as pd

from sim.engine import compilable, run_compiled
from sim.engine.classic import classic_compilable, classic_tables, run_classic_compiled
from sim.metrics import summary
from sim.records import GROUP_COLUMNS, RunBatch, batch_tables
from sim.rollout.plan import endorsers

__all__ = ["Scenario"]

#: Replications run and tabled together hold about this many person-replications
#: (some 250 bytes each: traits, plans, records; ~25 MB), at most BATCH of them (the
#: progress bar moves once per batch).
BATCH_PEOPLE = 100_000
BATCH = 100


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
        which = range(replications) if isinstance(replications, int) else list(replications)
        if len(which) == 0:
            raise ValueError("Scenario.run: 'replications' names no replication to run.")
        if self.rule.needs_org:
            compiled = not self.resample and compilable(self.rule, self.org)
            size = max(1, min(BATCH, BATCH_PEOPLE // self.org.n))

            def tables(chosen):
                batch = self._compiled(seed, chosen) if compiled else self._stepped(seed, chosen)
                return batch_tables(batch, groups)

        elif classic_compilable(self.rule, None if self.resample else self.org):
            size = BATCH

            def tables(chosen):
                found = classic_tables(self._classic_compiled(seed, chosen))
                return (*found, _no_groups()) if groups else found

        else:
            return self._run_classic(seed, which, progress, groups)
        parts, done = [], 0
        for first in range(0, len(which), size):
            chosen = which[first : first + size]
            parts.append(tables(chosen))
            done += len(chosen)
            if progress is not None:
                progress(done)
        if len(parts) == 1:
            return parts[0]
        return tuple(pd.concat(tables, ignore_index=True) for tables in zip(*parts, strict=True))

    def _classic_compiled(self, seed, which):
        """Replications ``which`` of a classic rule, each one compiled call
        (:func:`sim.engine.classic.run_classic_compiled`)."""
        org, make_org = (None, self.make_org) if self.resample else (self.org, None)
        return run_classic_compiled(org, self.rule, self.rollout, seed, which, self.steps,
                                    thresholds=self.thresholds, make_org=make_org)  # fmt: skip

    def _compiled(self, seed, which) -> RunBatch:
        """Replications ``which`` in one compiled call (:func:`sim.engine.run_compiled`)."""
        org, rule = self.org, self.rule
        runs = run_compiled(org, rule, self.culture, self.rollout, seed, which, self.steps)
        # What Rollout.cost reads of a finished schedule: its champions, leaders, how many
        # it trained (the compiled run kept the count) and how many managers it asked (from
        # when each person got access, as the stepped schedule counts them).
        costs = [self.rollout.cost(SimpleNamespace(
                     champions=plan.champions, leaders=plan.leaders,
                     trained_people=int(trained[-1]), asked=plan.asked_by(since, self.steps)))
                 for plan, trained, since in zip(runs.schedules, runs.trained, runs.access_since,
                                                 strict=True)]  # fmt: skip
        spent = [self.rollout.spending(plan, trained, plan.asked_by_week(since, self.steps))
                 for plan, trained, since in zip(runs.schedules, runs.trained, runs.access_since,
                                                 strict=True)]  # fmt: skip
        holding = [endorsers(org, plan.endorsing_by(since, self.steps, volunteers), stage)
                   for plan, since, volunteers, stage in zip(runs.schedules, runs.access_since,
                                                             runs.volunteers, runs.stage,
                                                             strict=True)]  # fmt: skip
        return RunBatch(
            replications=runs.replications,
            behaviors=rule.behaviors,
            n=org.n,
            holders=runs.holders,
            new=runs.new,
            lapses=runs.lapses,
            with_access=runs.with_access,
            unit_names=np.asarray(org.unit_names, dtype=object),
            unit_people=np.bincount(org.unit, minlength=org.n_units).astype(np.int64),
            unit_holders=runs.unit_holders,
            level_people=np.bincount(org.level, minlength=org.n_levels).astype(np.int64),
            level_holders=runs.level_holders,
            stage=runs.stage,
            adopted_at=runs.adopted_at,
            cost={k: np.array([c[k] for c in costs], dtype=np.float64) for k in costs[0]},
            endorsers=np.array(holding, dtype=np.int64),
            spent=np.stack(spent),
        )

    def _stepped(self, seed, which) -> RunBatch:
        """Replications ``which`` as Mesa models, week by week (plans the compiled run
        does not take, big organizations, a new org per replication)."""
        models = [self.model(seed, r).run(self.steps) for r in which]
        costs = [self.rollout.cost(model.plan) for model in models]
        spent = [self.rollout.spending(model.plan, model.plan.trained_by_week(self.steps),
                                       model.plan.asked_by_week(model.access_since, self.steps))
                 for model in models]  # fmt: skip
        return RunBatch.from_models(which, models, costs, spent)

    def _run_classic(self, seed, which, progress, groups):
        """The classic rules stepped (what the compiled run does not take): a summary of
        each run's curve (no org, no plan, no costs)."""
        records, curves = [], []
        for done, r in enumerate(which, 1):
            adoption = self.model(seed, r).run(self.steps).adoption
            records.append({"replication": r, **summary(adoption)})
            curves.append(adoption.assign(replication=r))
            if progress is not None:
                progress(done)
        runs = pd.DataFrame.from_records(records)
        timeseries = pd.concat(curves, ignore_index=True)
        order = ["replication"] + [c for c in timeseries.columns if c != "replication"]
        if not groups:
            return runs, timeseries[order]
        return runs, timeseries[order], _no_groups()


def _no_groups() -> pd.DataFrame:
    """The groups table of runs without an org: its columns, no rows."""
    types = ["int64", "int64", "str", "str", "str", "int64", "int64", "float64"]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(GROUP_COLUMNS, types, strict=True)})
