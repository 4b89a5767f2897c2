"""One scenario under other parameter values: a posterior's draw, a company's culture dials.

A calibration or a forecast runs the same org and rollout thousands of times with other
values of the rule's weights, the population's constants and the ladder's demands. Values are
named as the posterior names them (``rule.peer_weight``, ``culture.trust``,
``contribute.voice``: a rung's demand by the rung's name); :func:`with_values` makes the
rule and culture that carry them (the classes check each value as a config would), and
:func:`unit_curves` runs them, compiled, and returns people holding each rung by unit.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.engine.organizational import run_compiled

__all__ = ["run_seed", "unit_curves", "unit_opening", "with_values"]


def with_values(rule, culture, values: dict):
    """``(rule, culture)`` with ``values`` set; a name the rule, culture and ladder lack is an
    error naming it."""
    rule_kw, culture_kw, rungs = {}, {}, {}
    ladder = [b.name for b in rule.ladder]
    for name, value in values.items():
        where, _, field = name.partition(".")
        if where == "rule":
            rule_kw[field] = float(value)
        elif where == "culture":
            culture_kw[field] = float(value)
        elif where in ladder:
            rungs.setdefault(where, {})[field] = float(value)
        else:
            raise ValueError(f"{name}: neither a rule's, a culture's nor a rung's parameter")
    if rungs:
        rule_kw["ladder"] = tuple(dataclasses.replace(b, **rungs.get(b.name, {}))
                                  for b in rule.ladder)  # fmt: skip
    return dataclasses.replace(rule, **rule_kw), dataclasses.replace(culture, **culture_kw)


def run_seed(values: dict, seed: int) -> int:
    """A seed of its own for each set of values (the same values, the same seed): a
    calibration's particles are independent draws of the model, and reproduced exactly."""
    numbers = np.array([float(values[k]) for k in sorted(values)], dtype=np.float64)
    entropy = [int(seed), *np.frombuffer(numbers.tobytes(), dtype=np.uint32).tolist()]
    return int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0] >> 1)


def unit_curves(org, rule, culture, rollout, seed, weeks, replications=(0,)) -> np.ndarray:
    """People holding each rung by unit: int64 (replications, weeks + 1, rungs, units), week 0
    the launch. One thread: a calibration's particles run one after another."""
    runs = run_compiled(org, rule, culture, rollout, seed, list(replications), int(weeks),
                        threads=1)  # fmt: skip
    return runs.unit_holders


def unit_opening(org, rule, culture, rollout, seed, weeks) -> np.ndarray:
    """The week each unit's first people get access (-1: not within ``weeks``), in
    replication 0: int64 (units,)."""
    runs = run_compiled(org, rule, culture, rollout, seed, [0], int(weeks), threads=1)
    since = runs.access_since[0].astype(np.int64)
    has = since >= 0
    never = np.iinfo(np.int64).max
    opened = np.full(org.n_units, never, dtype=np.int64)
    np.minimum.at(opened, np.asarray(org.unit, dtype=np.int64)[has], since[has])
    opened[opened == never] = -1
    return opened
