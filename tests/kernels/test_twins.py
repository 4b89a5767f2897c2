"""Serial twins of the parallel kernels, and the choice between them by a call's work.

A week's kernels run in parallel only when the work pays for a parallel
region (``sim.kernels._config.parallel_pays``); either way the bits must be
the same, at any thread count, and a small organization's weeks must not
enter a parallel region at all.
"""

import collections
import importlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import sim.kernels as kernels
import sim.kernels._config as config
from sim import OrgModel, rules
from sim import org as orgs
from tests.engine.test_organizational import Waves
from tests.helpers import make_org
from tests.kernels.conftest import set_threads

#: The callers that choose between a parallel kernel and its serial twin, and those kernels.
CHOOSERS = {
    "sim.rules.organizational": (
        "ladder_bounds",
        "ladder_candidates",
        "ladder_decide",
        "ladder_loosen",
    ),
    "sim.ladder": ("influence_strength", "ladder_tally", "ladder_push", "ladder_pull"),
    "sim.state": ("count_adopted_neighbours",),
    "sim.rules.classic": ("threshold_decide", "bass_decide"),
    "sim.kernels.centrality": ("_search_groups",),
}


def count_calls(monkeypatch):
    """A counter of the calls each caller makes to each parallel kernel and serial twin."""
    calls = collections.Counter()
    for module_name, names in CHOOSERS.items():
        module = importlib.import_module(module_name)
        for name in names:
            for variant in (name, name + "_serial"):
                kernel = getattr(module, variant)

                def counted(*args, _kernel=kernel, _variant=variant):
                    calls[_variant] += 1
                    return _kernel(*args)

                monkeypatch.setattr(module, variant, counted)
    return calls


def parallel_calls(calls):
    return {name: k for name, k in calls.items() if not name.endswith("_serial") and k}


def serial_calls(calls):
    return {name: k for name, k in calls.items() if name.endswith("_serial") and k}


def test_every_parallel_kernel_has_a_serial_twin_cached_apart():
    pairs = [
        (kernels.count_adopted_neighbours, kernels.count_adopted_neighbours_serial),
        (kernels.threshold_decide, kernels.threshold_decide_serial),
        (kernels.bass_decide, kernels.bass_decide_serial),
        (kernels.influence_strength, kernels.influence_strength_serial),
        (kernels.ladder_tally, kernels.ladder_tally_serial),
        (kernels.ladder_push, kernels.ladder_push_serial),
        (kernels.ladder_pull, kernels.ladder_pull_serial),
        (kernels.ladder_bounds, kernels.ladder_bounds_serial),
        (kernels.ladder_candidates, kernels.ladder_candidates_serial),
        (kernels.ladder_decide, kernels.ladder_decide_serial),
        (kernels.ladder_loosen, kernels.ladder_loosen_serial),
    ]
    for parallel, serial in pairs:
        assert parallel.targetoptions.get("parallel") is True
        assert not serial.targetoptions.get("parallel")
        # Numba's cache keys a function by name and line, not flags: the twin needs its own name.
        assert serial.py_func.__qualname__ == parallel.py_func.__qualname__ + "_serial"
        assert serial.py_func.__code__ is parallel.py_func.__code__


def test_the_cut_off_is_read_at_each_call(monkeypatch):
    assert config.parallel_pays(10**9, "tie") and not config.parallel_pays(1, "tie")
    monkeypatch.setattr(config, "PARALLEL_MIN_NS", 0.0)
    assert config.parallel_pays(0, "tie")
    monkeypatch.setattr(config, "PARALLEL_MIN_NS", np.inf)
    assert not config.parallel_pays(10**12, "decision")


def _organizational(rule, plan, initial):
    org = make_org(n=800, k=10, seed=5)
    model = OrgModel(org=org, rule=rule, plan=plan(org.n), initial_adopters=initial, seed=4)
    model.run(16)
    state = model._state
    return model, [state.stage, state.tally, state.ceiling, state.watch, state.adopted_at]


#: Rule and initial share. "random": lapses, reactance and endorsement move every
#: bound and push both ways; "sure": with many seeds, weeks big enough to pull.
ORGANIZATIONAL = {
    "random": (
        rules.Organizational(
            manager_weight=0.5,
            reactance=0.6,
            lapse_rate=0.5,
            hysteresis=0.0,
            noise=0.05,
            identity_weight=0.3,
        ),
        0.05,
    ),
    "sure": (
        rules.Organizational(
            noise=0.0, rate=1.0, lapse_rate=1.0, churn=0.0, return_share=1.0, peer_weight=0.5
        ),
        0.3,
    ),
}


@pytest.mark.parametrize("name", sorted(ORGANIZATIONAL))
def test_organizational_serial_and_parallel_paths_give_the_same_bits(monkeypatch, name):
    rule, initial = ORGANIZATIONAL[name]
    calls = count_calls(monkeypatch)
    runs = {}
    for path, cut_off, threads in [("serial", np.inf, 2), ("parallel", 0.0, 2),
                                   ("parallel, one thread", 0.0, 1)]:  # fmt: skip
        monkeypatch.setattr(config, "PARALLEL_MIN_NS", cut_off)
        set_threads(threads)
        calls.clear()
        runs[path] = _organizational(rule, Waves, initial)
        if path == "serial":
            assert not parallel_calls(calls)
            used = serial_calls(calls)
        else:
            assert not serial_calls(calls)
            used = parallel_calls(calls)
        expected = {"ladder_bounds", "ladder_candidates", "ladder_decide", "ladder_loosen",
                    "influence_strength", "ladder_tally", "ladder_push"}  # fmt: skip
        if name == "sure":
            expected.add("ladder_pull")
        assert {k.removesuffix("_serial") for k in used} >= expected
    model, arrays = runs["serial"]
    for path in ("parallel", "parallel, one thread"):
        other, others = runs[path]
        assert model.adoption.equals(other.adoption), path
        for mine, theirs in zip(arrays, others, strict=True):
            np.testing.assert_array_equal(mine, theirs, err_msg=path)
    assert model.adoption.lapses.sum() > 0 or name == "sure"


@pytest.mark.parametrize("rule", [rules.Threshold(0.25), rules.Bass(0.01, 0.4)], ids=repr)
def test_classic_serial_and_parallel_paths_give_the_same_bits(monkeypatch, rule):
    network = make_org(n=1500, k=10, seed=6).network  # weighted: shares summed over ties
    calls = count_calls(monkeypatch)
    tables = []
    for cut_off in (np.inf, 0.0):
        monkeypatch.setattr(config, "PARALLEL_MIN_NS", cut_off)
        calls.clear()
        model = OrgModel(network=network, rule=rule, initial_adopters=0.3, seed=2).run(12)
        tables.append((model.adoption, model.adopted_at.copy()))
        used = parallel_calls(calls) if cut_off == 0.0 else serial_calls(calls)
        assert used and not (serial_calls(calls) if cut_off == 0.0 else parallel_calls(calls))
    assert tables[0][0].equals(tables[1][0])
    np.testing.assert_array_equal(tables[0][1], tables[1][1])


def test_betweenness_serial_and_parallel_give_the_same_bits(monkeypatch):
    from sim.rollout.seeding import betweenness

    network = make_org(n=400, k=6, seed=7).network
    scores = []
    for cut_off in (np.inf, 0.0):
        monkeypatch.setattr(config, "PARALLEL_MIN_NS", cut_off)
        scores.append(betweenness(network))
    np.testing.assert_array_equal(scores[0], scores[1])
    assert scores[0].max() > 0


@pytest.mark.parametrize("initial", [0.01, 0.3])
def test_a_small_orgs_weeks_enter_no_parallel_region(monkeypatch, initial):
    """At the 2x2 study's size (2,000 people), quiet weeks and the busiest ones alike."""
    org = orgs.generate(2000, seed=3)
    calls = count_calls(monkeypatch)
    rule = (
        rules.Organizational(noise=0.0, rate=1.0, churn=0.0, return_share=1.0)
        if initial > 0.1
        else rules.Organizational()
    )
    OrgModel(org=org, rule=rule, initial_adopters=initial, seed=1).run(52)
    assert not parallel_calls(calls)
    assert calls["ladder_decide_serial"] > 0


_NO_REGION = """
import json, numba, numpy as np
from sim import OrgModel, rules, org
from sim.population import Culture
from sim.rollout import Rollout
company = org.generate(2000, seed=0)
rollout = Rollout(scope="pilot", direction="decentralized", champions=0.05,
                  champion_choice="degree")
rng = np.random.default_rng(0)
plan, first = rollout.plan(company, rng)
OrgModel(org=company, rule=rules.Organizational(), culture=Culture(), plan=plan,
         initial_adopters=first, rng=rng).run(52)
try:
    layer = numba.threading_layer()
except ValueError:  # no parallel kernel was ever loaded: no threading layer started
    layer = None
print(json.dumps({"layer": layer, "wait": __import__("os").environ.get("OMP_WAIT_POLICY")}))
"""


def test_a_small_orgs_run_never_starts_the_threading_layer():
    """In a fresh process: a 2,000-person rollout run loads no parallel kernel at all."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", _NO_REGION], capture_output=True, text=True,
                          check=True, env=env)  # fmt: skip
    assert json.loads(done.stdout) == {"layer": None, "wait": "passive"}


def test_a_wait_policy_the_user_set_is_kept():
    env = os.environ | {"OMP_WAIT_POLICY": "active"}
    script = "import os, sim.kernels; print(os.environ['OMP_WAIT_POLICY'])"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, env=env)  # fmt: skip
    assert done.stdout.strip() == "active"
