"""Every draw of a replication's set-up, frozen: the same seed gives the same plan, traits,
first adopters and weekly keys as the code of 2026-12-07 (before its set-up was sped up).

``frozen_draws.json`` holds a digest of each array (dtype, shape and bytes) that
:meth:`sim.rollout.Rollout.plan`, :meth:`sim.population.Population.draw`,
:func:`sim._inputs.choose_initial_adopters` and the run's keys give for the rollout presets,
the seeding policies, training priorities and pilot choices, three cultures and an org with
traits of its own, as ``Scenario.model`` and ``sim.engine.run_compiled`` draw them; and of
every week of the plan over a stepped run (with which parts each week shares with the week
before, which the run relies on). Any change to what is drawn, or how, changes a digest.

The reference was written by the code before the change, commit 786ebd8 (its ``sim``
unpacked beside the checkout, so that it is the ``sim`` imported)::

    mkdir /tmp/before && git archive 786ebd8 sim | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python tests/rollout/test_frozen_draws.py --write

A change that means to change the draws rewrites it the same way from its own tree, and
says so. Rewritten on 2026-12-07 when the trait ``endorse`` got its own stream, spawned
after the others': every digest stayed the same but ``later_child`` (the next spawn is one
further on) and the new trait's. Rewritten again on 2026-12-07 when openness stopped setting
managers' influence and, by default, whom a rollout recruits as champions (docs/model.md §1):
the influence of cultures other than the default and the champions of decentralized and hybrid
presets changed; nothing else did. Rewritten again on 2026-12-07 with the refitted defaults: the
culture's constants changed, so did the thresholds, voices and unasked endorsers drawn from them,
and what follows from the people (the stepped run's stages, what a pilot learns, whom training
reaches first); the plans' other draws, the first adopters and the weekly keys stayed the same.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).with_name("frozen_draws.json")
ACME = Path(__file__).resolve().parents[2] / "experiments" / "data"
PRESETS = ("change_team", "company_wide", "company_wide_decentralized",
           "company_wide_hierarchical", "pilot", "pilot_decentralized", "pilot_hierarchical",
           "pilot_waves", "safe_space", "sales_support_pilot", "top_down_campaign")  # fmt: skip
#: Levers beside the presets': (preset, changes).
EXTRAS = {
    "pilot cluster": ("pilot_decentralized", {"champion_choice": "cluster"}),
    "pilot degree": ("pilot_decentralized", {"champion_choice": "degree"}),
    "pilot team": ("pilot_decentralized", {"champion_choice": "team", "champions": 0.3}),
    "pilot bridging hybrid": ("pilot", {"champion_choice": "bridging", "direction": "hybrid"}),
    "waves random": ("pilot", {"wave_units": 1, "training_share": 0.02}),
    "waves largest managers": ("pilot", {"wave_units": 2, "pilot_choice": "largest",
                                         "training_priority": "managers", "training_share": 0.02}),
    "waves connected": ("pilot_decentralized", {"wave_units": 3, "pilot_choice": "connected",
                                                "training_priority": "connected"}),
    "pilot units": ("pilot_hierarchical", {"pilot_units": ("Sales", "Support"), "top_levels": 0}),
    "everyone pilot": ("pilot", {"pilot_share": 1.0}),
    "no champions": ("company_wide_decentralized", {"champions": 0.0, "budget_per_person": None}),
    "no budget": ("company_wide_decentralized", {"budget_per_person": None,
                                                 "training_share": 0.05}),
    "adopters priority": ("pilot_hierarchical", {"training_priority": "adopters"}),
    "share expansion": ("pilot_hierarchical", {"expand_share": 0.1, "expand_week": None}),
}  # fmt: skip
CULTURES = ("default", "traditional", "humanized")
#: (seed, replication) of each case.
SEEDS = ((0, 0), (0, 1), (11, 3))
STEPPED_WEEKS = 14


def _digest(array) -> str:
    a = np.ascontiguousarray(array)
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()[:12]


@cache
def _scenario(preset, culture="default", headcount=300, steps=STEPPED_WEEKS):
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register

    register()
    overrides = [f"rollout={preset}", f"culture={culture}", f"org.headcount={headcount}",
                 f"steps={steps}"]  # fmt: skip
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return build(compose("config", overrides=overrides))


@cache
def _acme():
    from sim.org.load import from_csv

    return from_csv(ACME / "acme_org_traits.csv", ACME / "acme_ties.csv")


def _plan_arrays(plan, first):
    week = plan.week(0)
    arrays = {
        "waves": np.concatenate(plan.waves),
        "wave_sizes": np.array([w.shape[0] for w in plan.waves]),
        "champions": plan.champions,
        "leaders": plan.leaders,
        "training_order": np.zeros(0) if plan.training_order is None else plan.training_order,
        "tie_order": plan.tie_order,
        "wave_of": plan._wave_of,
        "delay": plan._delay,
        "first_wave": plan._first_wave,
        "learners": plan._learners,
        "first": first,
        "settings": np.array(_settings(plan), dtype=np.float64),
    }
    arrays.update(_week_arrays(week, "week0_"))
    return arrays


def _number(x):
    return np.nan if x is None else x


def _settings(plan):
    return [_number(plan.expand_week), _number(plan.expand_share), plan.wave_weeks, plan.endorse,
            plan.commitment, plan.training_capacity, _number(plan.training_limit), plan.learning,
            _number(plan.safety), plan.training_order is None]  # fmt: skip


def _week_arrays(week, prefix):
    return {
        f"{prefix}access": week.access,
        f"{prefix}trained": week.trained,
        f"{prefix}endorsing": week.endorsing,
        f"{prefix}learning": week.learning,
        f"{prefix}commitment": np.asarray(week.commitment),
        f"{prefix}scalars": np.array([week.coverage, _number(week.safety)]),
    }


def _setup(org, rollout, culture, seed, replication, steps=52):
    """What ``run_compiled`` draws for one replication, in its order."""
    from sim._inputs import choose_initial_adopters
    from sim.population import Population

    rng = np.random.default_rng([seed, replication])
    (levers,) = rng.spawn(1)
    plan, first = rollout.plan(org, levers, culture)
    arrays = _plan_arrays(plan, first)
    people = Population.draw(org, culture, rng)
    for name in ("threshold", "risk_aversion", "trust", "influence", "voice", "endorse"):
        arrays[f"people_{name}"] = getattr(people, name)
    arrays["adopters"] = choose_initial_adopters(first, org.n, rng, among=plan.week(0).access)
    arrays["keys"] = rng.integers(2**64, size=steps, dtype=np.uint64)
    # Whatever spawns from the run's generator later gets the children it got.
    arrays["later_child"] = rng.spawn(1)[0].random(4)
    return arrays


def _stepped(preset):
    """Every week of the plan over a stepped run, and what each shares with the one before."""
    scenario = _scenario(preset)
    model = scenario.model(5, 2)
    for _ in range(STEPPED_WEEKS):
        model.step()
    plan = model.plan
    arrays, shared = {}, []
    previous = None
    for t in range(STEPPED_WEEKS + 1):
        week = plan.week(t)
        arrays.update(_week_arrays(week, f"week{t}_"))
        if previous is not None:
            shared.append([week is previous] + [a is b for a, b in zip(week, previous,
                                                                        strict=True)])  # fmt: skip
        previous = week
    arrays["shared"] = np.array(shared)
    arrays["stage"] = model.stage
    return arrays


def cases():
    """Case name -> a function giving its arrays."""
    out = {}
    for preset in PRESETS:
        for culture in (
            CULTURES if preset in ("company_wide_decentralized", "pilot") else ("default",)
        ):
            for seed, r in SEEDS:

                def one(preset=preset, culture=culture, seed=seed, r=r):
                    s = _scenario(preset, culture)
                    return _setup(s.org, s.rollout, s.culture, seed, r)

                out[f"{preset} {culture} {seed}/{r}"] = one
        out[f"{preset} stepped"] = lambda preset=preset: _stepped(preset)
    for name, (preset, changes) in EXTRAS.items():
        for seed, r in SEEDS:

            def extra(preset=preset, changes=changes, seed=seed, r=r):
                s = _scenario(preset)
                return _setup(s.org, replace(s.rollout, **changes), s.culture, seed, r)

            out[f"{name} {seed}/{r}"] = extra
    for preset in ("company_wide_decentralized", "sales_support_pilot", "pilot_waves",
                   "safe_space"):  # fmt: skip
        for seed, r in SEEDS[:2]:

            def acme(preset=preset, seed=seed, r=r):
                s = _scenario(preset)
                closed = replace(s.culture, open_recruiting=False, voice_mean=0.5)
                rollout = replace(s.rollout, budget_per_person=None)  # too small a company
                return _setup(_acme(), rollout, closed, seed, r)

            out[f"acme traits {preset} {seed}/{r}"] = acme
    return out


CASES = cases()


@cache
def _reference():
    return json.loads(REFERENCE.read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_draws_are_frozen(case):
    frozen = _reference()[case]
    now = {name: _digest(a) for name, a in CASES[case]().items()}
    changed = sorted(
        name for name in frozen.keys() | now.keys() if frozen.get(name) != now.get(name)
    )
    assert not changed, f"{case}: changed {', '.join(changed)}"


def test_the_reference_covers_every_case():
    assert sorted(_reference()) == sorted(CASES)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    digests = {case: {k: _digest(a) for k, a in make().items()} for case, make in CASES.items()}
    lines = (f"{json.dumps(case)}: {json.dumps(d, sort_keys=True)}" for case, d in
             sorted(digests.items()))  # fmt: skip
    REFERENCE.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {len(digests)} cases to {REFERENCE}")
