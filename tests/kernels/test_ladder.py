"""Ladder kernels against the obvious computation, at 1 and 2 threads."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kernels import (
    influence_strength,
    ladder_active,
    ladder_decide,
    ladder_pull,
    ladder_push,
    ladder_restage,
    ladder_tally,
    ladder_uniforms,
)
from tests.kernels.conftest import set_threads
from tests.kernels.strategies import network_states

B = 3


def slow_tally(net, influence, stage):
    tally = np.zeros((B, net.n))
    for i in range(net.n):
        for t in range(net.indptr[i], net.indptr[i + 1]):
            j = net.indices[t]
            for b in range(stage[j]):
                tally[b, i] += net.weights[t] * influence[j]
    return tally


def slow_decide(stage, access, tally, strength, peer_weight, fixed_gap, manager, endorsing,
                endorsement, unit, shared, rate, noise, lapse_rate, hysteresis, u):  # fmt: skip
    def gap(i, b):
        m = manager[i]
        endorsed = m >= 0 and stage[m] > b and endorsing[m]
        peer = tally[b, i] / strength[i] if strength[i] > 0 else 0.0
        return (
            peer_weight * peer
            + fixed_gap[b, i]
            + shared[b, unit[i]]
            + (endorsement[i] if endorsed else 0.0)
        )

    out = np.zeros(stage.shape[0], dtype=np.int8)
    for i in range(stage.shape[0]):
        if not access[i]:
            continue
        s = stage[i]
        if s > 0 and gap(i, s - 1) < -hysteresis:
            if lapse_rate >= 1 or (lapse_rate > 0 and u[i] < lapse_rate):
                out[i] = -1
            continue
        if s < B:
            g = gap(i, s)
            p = (rate if g >= 0 else 0.0) if noise == 0 else rate / (1 + np.exp(-g / noise))
            if p >= 1 or (p > 0 and u[i] < p):
                out[i] = 1
    return out


def random_inputs(net, seed):
    rng = np.random.default_rng(seed)
    n = net.n
    stage = rng.integers(0, B + 1, n).astype(np.int8)
    influence = rng.uniform(0.2, 3.0, n)
    return rng, stage, influence


@settings(max_examples=60, deadline=None)
@given(network_states(weighted=True), st.sampled_from([1, 2]))
def test_tally_push_and_pull_agree_with_the_obvious_sum(case, threads):
    set_threads(threads)
    net, _, seed = case
    rng, stage, influence = random_inputs(net, seed)
    tally = np.full((B, net.n), np.nan)
    ladder_tally(net.indptr, net.indices, net.weights, influence, stage, tally)
    np.testing.assert_allclose(tally, slow_tally(net, influence, stage), rtol=1e-12)
    strength = np.empty(net.n)
    influence_strength(net.indptr, net.indices, net.weights, influence, strength)
    np.testing.assert_allclose(strength, slow_tally(net, influence, np.full(net.n, 1))[0])
    # A week of changes, pushed or pulled, gives the same state as a fresh sum.
    movable = np.flatnonzero((stage < B) | (stage > 0))
    changed = np.sort(rng.choice(movable, size=min(len(movable), 5), replace=False))
    change = np.where(
        stage[changed] == 0, 1, np.where(stage[changed] == B, -1, rng.choice([-1, 1], len(changed)))
    ).astype(np.int8)
    unit = rng.integers(0, 2, net.n).astype(np.int32)
    holders = np.array([np.bincount(unit[stage > b], minlength=2) for b in range(B)])
    expected = stage.copy()
    expected[changed] += change
    want = slow_tally(net, influence, expected)
    rung = np.where(change > 0, stage[changed], stage[changed] - 1).astype(np.int8)
    pushed = [stage.copy(), tally.copy(), holders.copy()]
    ladder_push(net.indptr, net.indices, net.weights, influence, changed, rung, change,
                threads + 1, pushed[1])  # fmt: skip
    ladder_restage(changed, change, pushed[0], unit, pushed[2])
    pulled = [stage.copy(), tally.copy(), holders.copy()]
    code = np.zeros(net.n, np.int8)
    code[changed] = (rung + 1) * change
    ladder_restage(changed, change, pulled[0], unit, pulled[2])
    ladder_pull(net.indptr, net.indices, net.weights, influence, code, pulled[1])
    want_holders = np.array([np.bincount(unit[expected > b], minlength=2) for b in range(B)])
    for got in (pushed, pulled):
        np.testing.assert_array_equal(got[0], expected)
        np.testing.assert_allclose(got[1], want, rtol=1e-9, atol=1e-9)
        np.testing.assert_array_equal(got[2], want_holders)


@settings(max_examples=80, deadline=None)
@given(
    network_states(weighted=True),
    st.sampled_from([1, 2]),
    st.sampled_from([0.0, 0.01, 0.05, 0.5]),
    st.sampled_from([0.3, 1.0]),
    st.sampled_from([0.0, 0.2, 1.0]),
)
def test_decide_equals_the_obvious_loop(case, threads, noise, rate, lapse_rate):
    set_threads(threads)
    net, access, seed = case
    rng, stage, influence = random_inputs(net, seed)
    n = net.n
    tally = slow_tally(net, influence, stage)
    strength = slow_tally(net, influence, np.full(n, 1))[0]
    fixed_gap = rng.uniform(-0.6, 0.1, (B, n))
    manager = np.concatenate([[-1], rng.integers(0, np.arange(1, n))]).astype(np.int32)
    endorsing = rng.random(n) < 0.5
    endorsement = rng.uniform(-0.1, 0.2, n)
    unit = rng.integers(0, 2, n).astype(np.int32)
    shared = rng.uniform(0, 0.2, (B, 2))
    deterministic = noise == 0 and rate == 1 and lapse_rate in (0, 1)
    key = rng.integers(2**64, dtype=np.uint64)
    u = np.empty(n)
    ladder_uniforms(key, u)
    args = (stage, access, tally, strength, 0.4, fixed_gap, manager, endorsing, endorsement, unit,
            shared, rate, noise, lapse_rate, 0.1)  # fmt: skip
    active = np.empty(n, dtype=bool)
    ladder_active(access, key, not deterministic, rate, lapse_rate, active)
    ids = np.flatnonzero(active)
    some = np.full(ids.shape[0], 7, dtype=np.int8)
    ladder_decide(ids, *args[:1], *args[2:], key, not deterministic, some)
    out = np.zeros(n, dtype=np.int8)
    out[ids] = some
    np.testing.assert_array_equal(out, slow_decide(*args, u))
    assert (out[~access] == 0).all()
    assert (out[stage == B] <= 0).all() and (out[stage == 0] >= 0).all()


@pytest.mark.parametrize("gap", [-0.5, -0.17, -0.15, 0.0, 0.15, 0.17, 0.5])
def test_far_from_the_threshold_the_shortcut_matches_the_sigmoid(gap):
    """Around |gap / noise| = 8 the kernel switches between the shortcut and exp."""
    n = 200_000
    u = np.empty(n)
    ladder_uniforms(np.uint64(99), u)
    args = (np.zeros(n, np.int8), np.ones(n, bool), np.zeros((B, n)), np.ones(n), 0.4,
            np.full((B, n), gap), np.full(n, -1, np.int32), np.zeros(n, bool), np.zeros(n),
            np.zeros(n, np.int32), np.zeros((B, 1)), 0.5, 0.02, 0.0, 0.1)  # fmt: skip
    out = np.empty(n, np.int8)
    ladder_decide(np.arange(n), *args[:1], *args[2:], np.uint64(99), True, out)
    np.testing.assert_array_equal(out, slow_decide(*args, u))
    # Enough draws fall below the shortcut's bound to exercise the exact path.
    assert (u < 0.5 * 0.00033546262790251185).sum() > 10


def test_uniforms_are_uniform_and_independent_across_keys():
    n = 400_000
    a, b = np.empty(n), np.empty(n)
    ladder_uniforms(np.uint64(1), a)
    ladder_uniforms(np.uint64(2), b)
    assert ((a >= 0) & (a < 1)).all()
    assert abs(a.mean() - 0.5) < 0.003 and abs(a.var() - 1 / 12) < 0.001
    counts = np.bincount((a * 100).astype(int), minlength=100)
    chi2 = ((counts - n / 100) ** 2 / (n / 100)).sum()
    assert chi2 < 170  # 99 degrees of freedom: p < 1e-5 beyond this
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.01
    set_threads(1)
    c = np.empty(n)
    ladder_uniforms(np.uint64(1), c)
    np.testing.assert_array_equal(a, c)
