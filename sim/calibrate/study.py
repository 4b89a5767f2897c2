"""A pilot's calibration and forecast: the shipped posterior updated by a company's own data.

The prior is the shipped posterior (``sim.posterior``: parameter sets the stylised facts and
field figures allow, by their ids and weights) times the company's culture dials (uniform on
``dials``, unknown until the pilot says) times the analytics' ``detection``: analytics
undercount (people who read through e-mail digests or a blocked tracker), so an active person
shows in the file with that probability, each one on its own (binomial thinning).

ABC-SMC moves the dials and ``detection``; the shipped parameter set is a latent variable: each
particle draws its own from the shipped posterior (by weight, on the particle's own seed,
:func:`sim.engine.variants.run_seed`), and the particles ABC accepts carry theirs, so the
accepted sets are the shipped posterior updated by the pilot. (Moving the set as a discrete
parameter as well made the importance weights degenerate: a quarter of the particles carried
the posterior, and its intervals covered the truth too rarely.) A particle runs the pilot's own
org and rollout for the pilot's weeks, once, and its distance to the file is
:func:`sim.calibrate.fit.distance`.

The forecast runs each candidate next step for ``draws`` particles of the posterior (taken by
weight) and ``replications`` each, with common random numbers: the candidates of one
particle and replication meet the same people and the same weekly draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import posterior
from sim.calibrate.abc import abc_smc
from sim.calibrate.fit import distance
from sim.calibrate.pilot import RUNGS, Pilot
from sim.engine.variants import run_seed, unit_curves, with_values

__all__ = ["DIALS", "PilotStudy"]

#: The culture dials a pilot calibrates by default, each uniform on [0, 1].
DIALS = ("culture.open", "culture.trust", "culture.generative", "culture.courage")


@dataclass
class PilotStudy:
    """What one calibration runs: the pilot's scenario, its data, the prior.

    Parameters
    ----------
    org, rule, culture, rollout
        The pilot as it ran (the config's; the rule and culture's values are replaced by each
        particle's).
    pilot : Pilot
        The observed counts.
    dials : dict
        ``{culture.dial: (low, high)}``: the culture's prior box.
    detection : (float, float)
        The prior range of the share of active people the analytics count.
    seed : int
    """

    org: object
    rule: object
    culture: object
    rollout: object
    pilot: Pilot | None = None
    dials: dict = field(default_factory=lambda: dict.fromkeys(DIALS, (0.0, 1.0)))
    detection: tuple = (0.6, 1.0)
    seed: int = 0
    shipped: pd.DataFrame = field(default_factory=posterior.load)

    def prior(self) -> dict:
        """The prior ABC-SMC moves (:func:`sim.calibrate.abc_smc`): the dials and
        ``detection``; the shipped set is drawn inside :meth:`simulate` (:meth:`draw_of`)."""
        return {**self.dials, "detection": tuple(self.detection)}

    def draw_of(self, particle) -> int:
        """The shipped parameter set a particle runs: its ``draw`` when it has one, else one
        drawn by weight on the particle's own seed (the same particle, the same set)."""
        if "draw" in particle and not pd.isna(particle["draw"]):
            return int(particle["draw"])
        moved = {name: float(particle[name]) for name in self.prior()}
        rng = np.random.default_rng([run_seed(moved, self.seed), 5])
        weights = self.shipped["weight"].to_numpy(dtype=float)
        return int(rng.choice(self.shipped["draw"].to_numpy(), p=weights / weights.sum()))

    def prior_sample(self, size, rng) -> pd.DataFrame:
        """``size`` particles of the prior, equally weighted, with every parameter's value."""
        frame = self.shipped
        weights = frame["weight"].to_numpy(dtype=float)
        sample = {"draw": rng.choice(frame["draw"].to_numpy(), size=size,
                                     p=weights / weights.sum())}  # fmt: skip
        for name, (low, high) in {**self.dials, "detection": self.detection}.items():
            sample[name] = rng.uniform(low, high, size)
        sample["weight"] = np.full(size, 1.0 / size)
        return self.table(pd.DataFrame(sample))

    def values(self, particle) -> dict:
        """The model's values of a particle: its draw's parameters and its dials."""
        row = self.shipped.loc[self.draw_of(particle)]
        out = {name: float(row[name]) for name in posterior.parameters(self.shipped)}
        out.update({name: float(particle[name]) for name in self.dials})
        return out

    def parameters(self) -> list[str]:
        """What the calibration reports on: the shipped parameters, the dials, detection."""
        return [*posterior.parameters(self.shipped), *self.dials, "detection"]

    def table(self, particles: pd.DataFrame) -> pd.DataFrame:
        """Particles (``draw``, dials, ``detection``, ...) with every parameter's value."""
        rows = self.shipped.loc[particles["draw"].astype(int), posterior.parameters(self.shipped)]
        out = particles.reset_index(drop=True).copy()
        return pd.concat([out, rows.reset_index(drop=True)], axis=1)

    def model(self, particle, rollout=None):
        rule, culture = with_values(self.rule, self.culture, self.values(particle))
        return rule, culture, self.rollout if rollout is None else rollout

    def curves(self, particle, weeks, rollout=None, replications=(0,)) -> np.ndarray:
        """People holding each rung by unit, int64 (replications, weeks + 1, rungs, units)."""
        rule, culture, rollout = self.model(particle, rollout)
        seed = run_seed(self.values(particle), self.seed)
        return unit_curves(self.org, rule, culture, rollout, seed, weeks, replications)

    def observe(self, holders, detection, rng) -> np.ndarray:
        """What the analytics would show of ``holders`` (weeks + 1, rungs, units) in the
        pilot's weeks: float (weeks, units, rungs), each person counted with probability
        ``detection``, a rung's counts never above the one below."""
        seen = holders[self.pilot.weeks].transpose(0, 2, 1)
        counts = rng.binomial(seen, float(detection)).astype(float)
        return np.minimum.accumulate(counts, axis=2)

    def simulate(self, particle, replication=0) -> dict:
        """One particle's pilot as the analytics would show it (``{"counts": array}``);
        the calibration runs replication 0, the checks fresh ones."""
        holders = self.curves(particle, self.pilot.last_week, replications=(replication,))[0]
        seed = run_seed(self.values(particle), self.seed)
        rng = np.random.default_rng([seed, 1, replication])
        return {
            "counts": self.observe(holders, particle["detection"], rng),
            "draw": self.draw_of(particle),
        }

    def distance(self, simulated, observed) -> float:
        return distance(simulated["counts"], observed["counts"], self.pilot.headcount)

    def observed(self) -> dict:
        return {"counts": self.pilot.counts}

    def calibrate(self, database, **options) -> pd.DataFrame:
        """The posterior by ABC-SMC (:func:`sim.calibrate.abc_smc`, its ``options``), resumed
        from ``database`` when it holds a run: a row per particle, its dials, ``detection``,
        the shipped ``draw`` it ran, ``weight`` and ``distance``."""
        return abc_smc(self.simulate, self.prior(), self.distance, self.observed(),
                       database=database, latent=("draw",), **options)  # fmt: skip

    def synthetic(self, particle, weeks, start=None) -> pd.DataFrame:
        """A pilot's file as the analytics would export it had ``particle`` been the truth:
        one row per week (1 .. ``weeks``, or dates a week apart from ``start``) and unit that
        anyone used, counts thinned by the particle's ``detection``."""
        holders = self.curves(particle, weeks)[0]
        rng = np.random.default_rng([run_seed(self.values(particle), self.seed), 2])
        counts = rng.binomial(holders[1:], float(particle["detection"]))
        counts = np.minimum.accumulate(counts, axis=1)  # (weeks, rungs, units)
        used = holders[1:, 0].max(axis=0) > 0
        rows = []
        for t in range(weeks):
            week = t + 1 if start is None else (pd.Timestamp(start) + pd.Timedelta(weeks=t))
            for u in np.flatnonzero(used):
                rows.append({"week": week if start is None else week.date().isoformat(),
                             "unit": self.org.unit_names[u],
                             **{r: int(counts[t, b, u]) for b, r in enumerate(RUNGS)}})  # fmt: skip
        return pd.DataFrame(rows)

    def pick(self, particles: pd.DataFrame, draws: int, rng) -> pd.DataFrame:
        """``draws`` particles taken by weight (without replacement while there are enough
        distinct ones), for the checks and forecasts."""
        weights = particles["weight"].to_numpy(dtype=float)
        weights = weights / weights.sum()
        replace = draws > int(np.count_nonzero(weights))
        chosen = rng.choice(len(particles), size=draws, replace=replace, p=weights)
        return particles.iloc[np.sort(chosen)].reset_index(drop=True)

    def predictive(self, particles: pd.DataFrame) -> np.ndarray:
        """The pilot as the analytics would show it under each particle, in a replication
        the calibration did not see (1): float (particles, weeks, units, rungs)."""
        return np.stack([self.simulate(p, 1)["counts"] for _, p in particles.iterrows()])

    def forecast(self, particles: pd.DataFrame, candidates: dict, weeks: int,
                 replications: int) -> np.ndarray:  # fmt: skip
        """People holding each rung by unit under each candidate rollout, for ``weeks`` weeks
        from the launch: int64 (particles, candidates, replications, weeks + 1, rungs,
        units). A particle's candidates share its seed and replications (common random
        numbers); replication 0 is the one its calibration saw."""
        runs = [[self.curves(p, weeks, rollout, range(replications))
                 for rollout in candidates.values()] for _, p in particles.iterrows()]  # fmt: skip
        return np.asarray(runs, dtype=np.int64)
