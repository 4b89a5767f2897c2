"""The shipped posterior: every parameter set the evidence allows (docs/model.md §3).

``experiments/posterior.py`` calibrates the model's loose parameters (population constants,
rule weights, the ladder's demands; not the culture dials, not the levers) against the
stylised facts and field figures by ABC-SMC, and its last generation ships with the package
as ``sim/data/posterior.csv``: one row per parameter set (``draw``, its id), a column per
parameter (``culture.threshold_mean``, ``rule.peer_weight``, ``contribute.voice``: a rung's
demand is named by the rung), its importance ``weight`` and its ``distance`` to the targets.

A config's ``draw`` key runs one of them: :func:`apply` sets the draw's values on the config,
except on the keys the command line set (a study that switches a channel off keeps it off),
so a job's resolved config, its hash and its rows carry the values it ran. Single runs set no
draw and run the defaults of the schemas (the fit, docs/defaults.md). A sweep with
``ensemble.draws: K`` runs each scenario on K draws (:func:`choose`).

Reading it needs neither pyABC nor the engine.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
import pandas as pd

from sim.schema import ConfigError

__all__ = ["FILE", "apply", "choose", "config_key", "load", "parameters"]

#: The shipped posterior, in the package.
FILE = "data/posterior.csv"
#: Columns of the file that are not parameters.
_NOT_PARAMETERS = ("draw", "weight", "abc_weight", "distance", "epsilon")


@functools.cache
def load() -> pd.DataFrame:
    """The shipped posterior (read once): ``draw``, a column per parameter, ``weight``
    (summing to 1) and ``distance``, indexed by ``draw``."""
    with resources.files("sim").joinpath(FILE).open("r") as handle:
        frame = pd.read_csv(handle)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    return frame.set_index("draw", drop=False)


def parameters(posterior=None) -> list[str]:
    """The calibrated parameters' names, in the file's order."""
    frame = load() if posterior is None else posterior
    return [c for c in frame.columns if c not in _NOT_PARAMETERS]


def choose(draws: int, seed: int = 0, posterior=None) -> list[int]:
    """``draws`` distinct draw ids, each taken in proportion to its weight.

    Weighted sampling without replacement by exponential keys (Efraimidis and Spirakis):
    every id gets ``-log(u) / weight`` from one generator seeded by ``seed``, and the
    smallest keys win, so a larger ``draws`` keeps the ids of a smaller one (a study grown
    from 10 draws to 40 reruns none of the first 10).
    """
    frame = load() if posterior is None else posterior
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 0:
        raise ConfigError(f"ensemble.draws: must be a whole number >= 0. Got {draws!r}.")
    if draws > len(frame):
        raise ConfigError(
            f"ensemble.draws: the posterior holds {len(frame)} parameter sets; got {draws}"
        )
    rng = np.random.default_rng(seed)
    weights = frame["weight"].to_numpy(dtype=float)
    keys = np.full(len(frame), np.inf)
    positive = weights > 0
    keys[positive] = rng.exponential(size=len(frame))[positive] / weights[positive]
    order = np.argsort(keys, kind="stable")[:draws]
    return [int(d) for d in frame["draw"].to_numpy()[order]]


def config_key(name: str, ladder_names) -> str:
    """The config key of a calibrated parameter: ``rule.peer_weight`` and
    ``culture.threshold_mean`` as they are; a rung's (``contribute.voice``) the position of
    that rung in the ladder (``behavior.ladder.1.voice``)."""
    where, _, field = name.partition(".")
    if where in ("rule", "culture"):
        return name
    names = list(ladder_names)
    if where not in names:
        raise ConfigError(
            f"draw: the posterior calibrates the rung {where!r}, which this ladder lacks "
            f"({', '.join(names)}); run its draws with behavior=social_intranet"
        )
    return f"behavior.ladder.{names.index(where)}.{field}"


def values(draw: int, ladder_names, posterior=None) -> dict:
    """``{config key: value}`` of one draw."""
    frame = load() if posterior is None else posterior
    if draw not in frame.index:
        ids = frame["draw"]
        raise ConfigError(
            f"draw: {draw!r} is not a parameter set of the posterior (ids {ids.min()}-{ids.max()})"
        )
    row = frame.loc[draw]
    return {config_key(name, ladder_names): float(row[name]) for name in parameters(frame)}


def apply(cfg, overridden=()) -> None:
    """Set the values of ``cfg.draw``'s parameter set on ``cfg`` (in place), except on the
    keys in ``overridden`` (what the command line set); nothing without a draw.

    The classic rules have none of the calibrated keys: a draw is refused there.
    """
    draw = cfg.get("draw")
    if draw is None:
        return
    from omegaconf import OmegaConf

    if cfg.rule.get("name") != "organizational":
        raise ConfigError(
            f"draw: the posterior calibrates the organizational rule; rule={cfg.rule.name} "
            "has none of its parameters"
        )
    ladder = [step.name for step in cfg.behavior.ladder]
    skip = {key.lstrip("+~") for key in overridden}
    for key, value in values(int(draw), ladder).items():
        if key not in skip:
            OmegaConf.update(cfg, key, value, merge=False)
