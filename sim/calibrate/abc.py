"""ABC-SMC with pyABC: a box prior, a simulator, a distance, a database to resume from.

pyABC draws its particles and perturbations from numpy's global random state, so
:func:`abc_smc` seeds it; with a simulator that is a pure function of its parameters (common
random numbers across particles), the same seed gives the same posterior. Particles are
simulated one after another in this process: pyABC's multicore samplers fork, which Numba's
worker threads do not survive, and a simulator that uses Numba's threads has the cores already.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd


class CalibrationError(ValueError):
    """A calibration asked for something it cannot do (one line, naming what)."""


def _pyabc():
    try:
        import pyabc
    except ImportError:
        raise ImportError(
            "calibration needs pyABC: python3 -m pip install -e '.[calibrate]'"
        ) from None
    return pyabc


def box_prior(ranges: dict):
    """A uniform prior over ``{name: (low, high)}``, each parameter on its own."""
    if not ranges:
        raise CalibrationError("the prior needs at least one parameter range")
    pyabc = _pyabc()
    variables = {}
    for name, bounds in ranges.items():
        try:
            low, high = (float(v) for v in bounds)
        except (TypeError, ValueError):
            raise CalibrationError(
                f"prior of {name!r}: a range is (low, high), got {bounds!r}"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise CalibrationError(
                f"prior of {name!r}: need finite low < high, got ({low}, {high})"
            )
        variables[str(name)] = pyabc.RV("uniform", low, high - low)
    return pyabc.Distribution(**variables)


def abc_smc(simulate, ranges, distance, observed, *, database, population=200, generations=8,
            minutes=None, simulations=None, min_epsilon=0.0, min_acceptance=0.0, quantile=0.5,
            seed=0, progress=False, on_generation=None, latent=()) -> pd.DataFrame:  # fmt: skip
    """The weighted posterior of ABC-SMC, resumed from ``database`` when it holds a run.

    Parameters
    ----------
    simulate : callable
        ``simulate({name: value}) -> {statistic: float or array}``.
    ranges : dict
        ``{name: (low, high)}``: the uniform prior (:func:`box_prior`).
    distance : callable
        ``distance(simulated, observed) -> float``, 0 for a perfect match.
    observed : dict
        The observed statistics (the same keys as ``simulate`` returns).
    database : path
        pyABC's SQLite history. When it already holds a run, that run goes on from its last
        finished generation: none is sampled again.
    population : int
        Particles per generation.
    generations : int
        Generations in all, the finished ones of a resumed run included.
    minutes, simulations : float or int, optional
        Caps on this call's wall time and on the simulations of the whole run. A generation
        is not started when it would likely end past ``minutes`` (it is expected to take as
        long as the last one times the last one's growth over the one before: each costs
        more as acceptance falls), since a generation cut short is lost.
    min_epsilon : float
        Stop once the acceptance threshold is at or below it.
    min_acceptance : float
        Stop once a generation accepts less than this share of its simulations (pyABC's
        ``min_acceptance_rate``: a generation that would need more than ``population /
        min_acceptance`` simulations is abandoned): the threshold has come near what chance
        alone leaves between the model and the data, and each further generation costs far
        more than it narrows.
    quantile : float
        Each generation's threshold is this quantile of the last generation's distances
        (pyABC's ``QuantileEpsilon``; 0.5, the median, is its default): lower falls faster
        and accepts fewer.
    seed : int
        Seeds numpy's global random state, which pyABC draws from.
    progress : bool
        Log pyABC's own lines (epsilon, acceptance rate) to standard error.
    on_generation : callable, optional
        ``on_generation(generation, epsilon, acceptance, simulations, seconds)`` after each
        generation this call finishes (``simulations``: the whole run's so far). The
        generations then run one at a time; an interrupt loses only the one under way.
    latent : sequence of str
        Keys of what ``simulate`` returns that are not statistics but values it drew itself
        (a latent variable drawn from its own prior, such as which of an earlier posterior's
        parameter sets a particle ran): returned as columns beside the parameters
        (``distance`` must ignore them).

    Returns
    -------
    pandas.DataFrame
        One row per particle of the last generation: the parameters, ``weight`` (summing
        to 1) and ``distance``; ``attrs`` holds ``generations``, ``epsilon``,
        ``simulations`` and ``stopped``: what ended this call (``generations``, ``minutes``,
        ``min_acceptance``, ``min_epsilon`` or ``simulations``).
    """
    pyabc = _pyabc()
    if int(population) < 2:
        raise CalibrationError(f"population: need at least 2 particles, got {population}")
    if int(generations) < 1:
        raise CalibrationError(f"generations: need at least 1, got {generations}")
    if not 0 < float(quantile) < 1:
        raise CalibrationError(f"quantile: must be in (0, 1), got {quantile}")
    prior = box_prior(ranges)
    names = list(ranges)
    np.random.seed(seed)  # noqa: NPY002 - pyABC draws from the global state
    logging.getLogger("ABC").setLevel(logging.INFO if progress else logging.WARNING)

    def model(parameters):
        return simulate({name: float(parameters[name]) for name in names})

    abc = pyabc.ABCSMC(model, prior, lambda x, x0: float(distance(x, x0)),
                       population_size=int(population),
                       eps=pyabc.epsilon.QuantileEpsilon(alpha=float(quantile)),
                       sampler=pyabc.sampler.SingleCoreSampler())  # fmt: skip
    path = Path(database)
    url = f"sqlite:///{path.resolve()}"
    done = 0
    if path.exists() and path.stat().st_size > 0:
        history = abc.load(url, 1)
        done = history.max_t + 1
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        history = abc.new(url, observed)
    began = time.monotonic()
    cap = np.inf if simulations is None else int(simulations)
    durations, stopped = [], "generations"
    while done < generations:
        if done and _acceptance(history) < min_acceptance:
            stopped = "min_acceptance"
            break
        left = None if minutes is None else float(minutes) - (time.monotonic() - began) / 60
        expected = 0.0
        if durations:
            growth = durations[-1] / durations[-2] if len(durations) > 1 else 1.0
            expected = durations[-1] * max(1.0, growth) / 60
        if left is not None and (left <= 0 or expected > left):
            stopped = "minutes"
            break
        step = 1 if on_generation is not None else int(generations) - done
        started = time.monotonic()
        # pyABC caches the sample it calibrates a run's first threshold on (the prior's, at
        # first); a run that goes on must take it from its last generation instead
        abc._initial_population = None
        history = abc.run(minimum_epsilon=float(min_epsilon), max_nr_populations=step,
                          max_walltime=None if left is None else timedelta(minutes=left),
                          max_total_nr_simulations=cap,
                          min_acceptance_rate=float(min_acceptance))  # fmt: skip
        durations.append(time.monotonic() - started)
        if history.max_t + 1 == done:  # abandoned before finishing one (a cap)
            stopped = "simulations" if history.total_nr_simulations >= cap else "min_acceptance"
            break
        done = history.max_t + 1
        populations = history.get_all_populations()
        last = populations.iloc[-1]
        if on_generation is not None:
            sampled = int(last["samples"])
            seconds = time.monotonic() - started
            on_generation(done - 1, float(last["epsilon"]), population / max(sampled, 1),
                          int(history.total_nr_simulations), seconds)  # fmt: skip
        if float(last["epsilon"]) <= min_epsilon:
            stopped = "min_epsilon"
            break
        if history.total_nr_simulations >= cap:
            stopped = "simulations"
            break
        if step > 1:
            break  # pyABC ran all it would
    if history.max_t < 0:
        raise CalibrationError("no generation finished within the time budget")
    particles = history.get_population(t=history.max_t).particles
    out = pd.DataFrame([{**{n: float(p.parameter[n]) for n in names},
                         **{k: p.sum_stat[k] for k in latent},
                         "weight": p.weight, "distance": p.distance}
                        for p in particles])  # fmt: skip
    out["weight"] = out["weight"] / out["weight"].sum()
    populations = history.get_all_populations()
    out.attrs.update(generations=int(history.max_t + 1), stopped=stopped,
                     epsilon=float(populations["epsilon"].iloc[-1]),
                     simulations=int(history.total_nr_simulations))  # fmt: skip
    return out


def _acceptance(history) -> float:
    """The last finished generation's share of its simulations accepted."""
    last = history.get_all_populations().iloc[-1]
    return float(last["particles"]) / max(float(last["samples"]), 1.0)


def weighted_interval(values, weights, level=0.9) -> tuple[float, float]:
    """The central ``level`` interval of a weighted sample: numpy's weighted quantiles (the
    inverse of the weighted CDF) at ``(1 - level) / 2`` and ``(1 + level) / 2``."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if values.shape != weights.shape or values.size == 0:
        raise CalibrationError("weighted_interval: values and weights need one shape, not empty")
    if not 0 < level < 1:
        raise CalibrationError(f"weighted_interval: level must be in (0, 1), got {level}")
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2], weights=weights,
                            method="inverted_cdf")  # fmt: skip
    return float(low), float(high)
