"""A sample of parameter values (Morris, Sobol, Latin hypercube) run as a Hydra sweep.

The ``analysis`` config section declares a design: a method and ranges,
``analysis.parameters: {culture.trust: [0, 1], rule.peer_weight: [0.2, 0.6]}``.
:meth:`Design.points` draws the sample with SALib and writes each point as
the overrides Hydra applies to a job (``culture.trust=0.4140625``); the
``orgsim`` sweeper crosses them with the sweep's own grid (the rollouts to
compare, say), so a sample runs through any launcher into the normal store,
resumably, each point a job. Every point runs the same seeds, so points share
their random numbers (common random numbers): an elementary effect or a
regret is a paired difference.

The sample, and which job ran which point, is recorded in the store
(``designs/<digest>.json``, :func:`write_record`): the analysis reads it back
(:mod:`sim.results.designs`: :class:`Record`, :func:`read_records`,
:func:`check_runs`, kept here by name), so it needs neither the config nor
floating-point matching of values.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.metrics import is_outcome
from sim.results.designs import (
    FOLDER,
    METHODS,
    Record,
    check_runs,
    points_of,
    read_records,
    salib_problem,
)

__all__ = [
    "MAX_POINTS",
    "METHODS",
    "Design",
    "Record",
    "check_runs",
    "points_of",
    "read_records",
    "write_record",
]

#: The most points a design may draw: each point is a job (four files in the store, and a
#: config checked before anything runs); beyond this a sweep is a cluster's work, split it.
MAX_POINTS = 100_000


def _fail(key, message):
    from sim.schema import ConfigError

    raise ConfigError(f"analysis.{key}: {message}")


def _flatten(tree, prefix=""):
    """``{a: {b: [0, 1]}}`` and ``{"a.b": [0, 1]}`` alike as ``{"a.b": [0, 1]}``."""
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def _numeric_columns() -> dict:
    """Scenario values a design may sample: ``{key: int | float}`` (no flags, no text)."""
    import pyarrow as pa

    from sim.columns import scenario_schema

    kinds = {pa.int64(): int, pa.float64(): float}
    return {f.name: kinds[f.type] for f in scenario_schema() if f.type in kinds}


@dataclass(frozen=True)
class Design:
    """A sample over declared ranges.

    Parameters
    ----------
    method : {"morris", "sobol", "latin"}
    parameters : dict
        ``{key: (low, high)}``: scenario values (``culture.trust``,
        ``rule.peer_weight``, ``org.seed``), in the order given. Integer keys
        (``org.seed``) take the floor of the value drawn.
    samples : int
        Morris: trajectories ``r``; Sobol: the base sample ``N`` (a power of
        2); Latin hypercube: points.
    levels : int, default 4
        Morris: the grid's levels (even, at least 2).
    second_order : bool, default False
        Sobol: also second-order indices (``N (2D + 2)`` points).
    seed : int, default 0
        The sample's own seed (the runs keep theirs).
    metric : str, optional
        The runs' column the analysis reports (default: the report's metric).
    threshold : float, default 0.8
        Scenario discovery: the least share of a box's worlds a strategy must
        win (PRIM's density threshold), in (0, 1].
    resamples : int, default 1000
        Bootstrap resamples behind the indices' intervals.
    """

    method: str
    parameters: dict
    samples: int
    levels: int = 4
    second_order: bool = False
    seed: int = 0
    metric: str | None = None
    threshold: float = 0.8
    resamples: int = 1000
    kinds: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_config(cls, analysis) -> Design | None:
        """The design of an ``analysis`` config section (None when ``method`` is null).

        Raises ConfigError naming the ``analysis.*`` key that cannot be sampled.
        """
        from omegaconf import DictConfig, OmegaConf

        if isinstance(analysis, DictConfig):
            analysis = OmegaConf.to_container(analysis, resolve=True)
        analysis = analysis or {}
        method = analysis.get("method")
        if method is None:
            if analysis.get("parameters"):
                _fail(
                    "method", f"parameters are declared but no method: one of {', '.join(METHODS)}"
                )
            return None
        if method not in METHODS:
            _fail("method", f"must be one of {', '.join(METHODS)}. Got {method!r}.")
        numeric = _numeric_columns()
        parameters, kinds = {}, {}
        for key, bounds in _flatten(analysis.get("parameters") or {}):
            where = f"parameters.{key}"
            if key not in numeric:
                near = [c for c in numeric if c.split(".")[-1] == key.split(".")[-1]]
                hint = f" (did you mean {near[0]}?)" if near else ""
                _fail(where, f"not a number of the scenario{hint}")
            if not (
                isinstance(bounds, list | tuple)
                and len(bounds) == 2
                and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
            ):
                _fail(where, f"must be a range [low, high]. Got {bounds!r}.")
            low, high = float(bounds[0]), float(bounds[1])
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                _fail(where, f"must be a range [low, high] with low < high. Got {bounds!r}.")
            parameters[key], kinds[key] = (low, high), numeric[key]
        if not parameters:
            _fail("parameters", "declare at least one range, as in {culture.trust: [0, 1]}")
        samples = analysis.get("samples", 10)
        if not isinstance(samples, int) or samples < 1:
            _fail("samples", f"must be a whole number >= 1. Got {samples!r}.")
        if method == "sobol" and samples & (samples - 1):
            lower = 1 << (samples.bit_length() - 1)
            _fail(
                "samples",
                f"Sobol's sample needs a power of 2 (its balance properties); "
                f"got {samples}, use {lower} or {2 * lower}",
            )
        if method == "morris" and len(parameters) > 1 and samples < 2:
            _fail("samples", "Morris needs at least 2 trajectories for sigma and intervals")
        levels = analysis.get("levels", 4)
        if not isinstance(levels, int) or levels < 2 or levels % 2:
            _fail("levels", f"must be an even whole number >= 2. Got {levels!r}.")
        seed = analysis.get("seed", 0)
        if not isinstance(seed, int) or seed < 0:
            _fail("seed", f"must be a whole number >= 0. Got {seed!r}.")
        metric = analysis.get("metric")
        if metric is not None and not is_outcome(metric):
            _fail("metric", f"must be an outcome metric of the runs, as in final_fraction_consume, "
                  f"auc_fraction_weeks_contribute or cost_total. Got {metric!r}.")  # fmt: skip
        threshold = analysis.get("threshold", 0.8)
        if not (isinstance(threshold, int | float) and 0 < threshold <= 1):
            _fail("threshold", f"must be a share in (0, 1]. Got {threshold!r}.")
        resamples = analysis.get("resamples", 1000)
        if not isinstance(resamples, int) or resamples < 10:
            _fail("resamples", f"must be a whole number >= 10. Got {resamples!r}.")
        size = points_of(method, samples, len(parameters), bool(analysis.get("second_order")))
        if size > MAX_POINTS:
            _fail(
                "samples",
                f"{samples} draws {size:,} points ({method} over {len(parameters)} parameters), "
                f"each a job; orgsim runs designs of up to {MAX_POINTS:,} points: lower "
                "analysis.samples, or split the ranges into several designs",
            )
        return cls(
            method,
            parameters,
            samples,
            levels,
            bool(analysis.get("second_order")),
            seed,
            metric,
            float(threshold),
            resamples,
            kinds,
        )

    @property
    def names(self) -> list:
        return list(self.parameters)

    def problem(self) -> dict:
        """The design as SALib's problem dictionary."""
        return salib_problem(self.parameters)

    def sample(self) -> np.ndarray:
        """The points, shape ``(points, parameters)``, in SALib's order (which its
        analysis needs); integer parameters floored."""
        from SALib.sample import latin, morris, sobol

        problem = self.problem()
        if self.method == "morris":
            x = morris.sample(problem, self.samples, num_levels=self.levels, seed=self.seed)
        elif self.method == "sobol":
            x = sobol.sample(
                problem, self.samples, calc_second_order=self.second_order, seed=self.seed
            )
        else:
            x = latin.sample(problem, self.samples, seed=self.seed)
        x = np.asarray(x, dtype=np.float64)
        for j, name in enumerate(self.names):
            if self.kinds.get(name) is int:
                x[:, j] = np.floor(x[:, j])
        return x

    def points(self) -> list[list[str]]:
        """Each point as the overrides of its job (``culture.trust=0.4140625``)."""
        return [overrides(self.names, row, self.kinds) for row in self.sample()]

    def settings(self) -> dict:
        return {
            "method": self.method,
            "parameters": {k: list(v) for k, v in self.parameters.items()},
            "samples": self.samples,
            "levels": self.levels,
            "second_order": self.second_order,
            "seed": self.seed,
            "metric": self.metric,
            "threshold": self.threshold,
            "resamples": self.resamples,
        }


def _number(value, kind) -> str:
    if kind is int:
        return str(int(value))
    return repr(float(value))  # exact: the job reads back the very same float


def overrides(names, row, kinds=None) -> list[str]:
    kinds = kinds or {}
    return [f"{n}={_number(v, kinds.get(n, float))}" for n, v in zip(names, row, strict=True)]


def write_record(store, design: Design, jobs, points) -> Path:
    """Record ``design`` and which of ``jobs`` ran which of its points in ``store``.

    ``jobs`` are :class:`sim.precheck.Job`, ``points`` the point each ran.
    The file is named by its contents, so the same command writes it once (and
    restores it when it was damaged); a failure raises StoreError naming the file.
    """
    from sim.store import write_atomic

    sample = design.sample()
    body = {
        "orgsim_design": 1,
        **design.settings(),
        "sample": sample.tolist(),
        "jobs": [
            {
                "config_hash": j.digest,
                "seed": int(j.seed),
                "replications": int(j.replications),
                "point": int(p),
            }
            for j, p in zip(jobs, points, strict=True)
        ],
    }
    text = json.dumps(body, indent=1)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    target = Path(store) / FOLDER / f"{digest}.json"
    try:
        whole = target.read_text() == text
    except (OSError, UnicodeDecodeError):
        whole = False
    if not whole:  # named by its contents: a file that differs was damaged, and is restored
        write_atomic(target, lambda p: Path(p).write_text(text))
    return target
