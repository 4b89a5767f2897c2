"""Ladder kernels against the obvious computation, at 1 and 2 threads."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kernels import (
    influence_strength,
    ladder_bounds,
    ladder_candidates,
    ladder_decide,
    ladder_loosen,
    ladder_loosen_team,
    ladder_pull,
    ladder_push,
    ladder_restage,
    ladder_tally,
    ladder_uniforms,
    lapse_cut,
    shared_steps,
    team_holders,
)
from sim.kernels.ladder_bounds import sigmoid_ceiling
from sim.kernels.ladder_parts import NO_CEILING, ceiling_of
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


#: Reinforcement demands (tally units) the tests draw from: none, the risky
#: rungs only, every rung.
DEMANDS = [np.zeros(B), np.array([0.0, 2.0, 3.5]), np.array([0.5, 1.0, 1.0])]


def slow_peer(tally, strength, demand, b, i):
    """The peer share of ``i`` for ``b``, or with a demand the squared share of it met."""
    if demand[b] > 0:
        return (min(max(tally[b, i], 0.0), demand[b]) / demand[b]) ** 2
    return tally[b, i] / strength[i] if strength[i] > 0 else 0.0


def slow_identity(identity, manager, stage, b, i):
    """``identity[i]`` times the others under ``i``'s manager who hold ``b``."""
    m = manager[i]
    if identity.shape[0] == 0 or m < 0:
        return 0.0
    mates = [j for j in range(stage.shape[0]) if j != i and manager[j] == m]
    return identity[i] * sum(stage[j] > b for j in mates)


def slow_decide(stage, access, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing,
                endorsement, team, identity, unit, shared, rate, noise, lapse_rate, churn,
                hysteresis, u, peak=None, return_rate=None, attention=None):  # fmt: skip
    def gap(i, b):
        m = manager[i]
        endorsed = m >= 0 and stage[m] > b and endorsing[m]
        peer = slow_peer(tally, strength, demand, b, i)
        return (
            peer_weight * peer
            + fixed_gap[b, i]
            + shared[b, unit[i]]
            + (endorsement[i] if endorsed else 0.0)
            + slow_identity(identity, manager, stage, b, i)
        )

    out = np.zeros(stage.shape[0], dtype=np.int8)
    for i in range(stage.shape[0]):
        if not access[i]:
            continue
        s = stage[i]
        draw = u[i]
        if s > 0 and gap(i, s - 1) < -hysteresis:
            if lapse_rate >= 1 or (lapse_rate > 0 and draw < lapse_rate):
                out[i] = -1
            continue
        if s > 0 and churn > 0:
            if churn >= 1 or draw < churn:
                out[i] = -1
                continue
            draw = (draw - churn) / (1 - churn)
        if s < B:
            g = gap(i, s)
            # A rung held before (below one's peak) is taken up at the return rate.
            r = rate if peak is None or s >= peak[i] else return_rate
            r *= 1.0 if attention is None else attention[i]
            p = (r if g >= 0 else 0.0) if noise == 0 else r / (1 + np.exp(-g / noise))
            if p >= 1 or (p > 0 and draw < p):
                out[i] = 1
    return out


def slow_gaps(stage, tally, strength, peer_weight, demand, fixed_gap, manager, endorsing,
              endorsement, identity, others_stage):  # fmt: skip
    """Each behavior's gap without its shared part, shape (B, n); the stages of managers
    and team-mates apart."""
    n = stage.shape[0]
    gap = np.empty((B, n))
    for i in range(n):
        m = manager[i]
        for b in range(B):
            endorsed = m >= 0 and others_stage[m] > b and endorsing[m]
            peer = slow_peer(tally, strength, demand, b, i)
            gap[b, i] = (peer_weight * peer + fixed_gap[b, i] + (endorsement[i] if endorsed else 0)
                         + slow_identity(identity, manager, others_stage, b, i))  # fmt: skip
    return gap


def random_inputs(net, seed):
    rng = np.random.default_rng(seed)
    n = net.n
    stage = rng.integers(0, B + 1, n).astype(np.int8)
    influence = rng.uniform(0.2, 3.0, n)
    return rng, stage, influence


@settings(max_examples=60, deadline=None)
@given(network_states(weighted=True), st.sampled_from([1, 2]), st.sampled_from(range(3)))
def test_tally_push_and_pull_agree_with_the_obvious_sum(case, threads, demands):
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
    manager = np.concatenate([[-1], rng.integers(0, np.arange(1, net.n))]).astype(np.int32)
    holders = np.array([np.bincount(unit[stage > b], minlength=2) for b in range(B)])
    expected = stage.copy()
    expected[changed] += change
    want = slow_tally(net, influence, expected)
    rung = np.where(change > 0, stage[changed], stage[changed] - 1).astype(np.int8)
    adopted_at = np.where(rng.random(net.n) < 0.5, 1, -1).astype(np.int32)
    first = adopted_at.copy()
    first[changed[(change > 0) & (rung == 0) & (adopted_at[changed] < 0)]] = 7
    counts = [
        np.bincount(rung[change > 0], minlength=B),
        np.bincount(rung[change < 0], minlength=B),
    ]

    def restage(stage, holders):
        noted = np.full(len(changed), -9, np.int8)
        new, lapses = np.full(B, -1), np.full(B, -1)
        when = adopted_at.copy()
        team = np.empty((B, net.n), np.int32)
        team_holders(stage, manager, team)
        peak = np.minimum(stage + rng.integers(0, 2, net.n), B).astype(np.int8)
        want_peak = np.maximum(peak, stage)
        want_peak[changed] = np.maximum(want_peak[changed], expected[changed])
        ladder_restage(changed, change, 7, stage, unit, holders, manager, team, when, noted, new,
                       lapses, peak)  # fmt: skip
        np.testing.assert_array_equal(peak, want_peak)
        want_team = np.empty_like(team)
        team_holders(stage, manager, want_team)  # the stages after the week, from scratch
        np.testing.assert_array_equal(team, want_team)
        np.testing.assert_array_equal(noted, rung)
        np.testing.assert_array_equal(new, counts[0])
        np.testing.assert_array_equal(lapses, counts[1])
        np.testing.assert_array_equal(when, first)

    pushed = [stage.copy(), tally.copy(), holders.copy()]
    restage(pushed[0], pushed[2])
    # Ceilings start exact (the peer term alone) and must stay at or above it.
    inverse = np.divide(1.0, strength, out=np.zeros(net.n), where=strength > 0)
    inverse = np.nextafter(inverse.astype(np.float32), np.float32(np.inf))
    peer_weight = 0.4
    demand = DEMANDS[demands]
    after = pushed[0].astype(np.int64)
    climbing = np.flatnonzero(after < B)
    ceiling = np.full(net.n, NO_CEILING, np.float32)
    for i in climbing:
        ceiling[i] = peer_weight * slow_peer(tally, strength, demand, after[i], i)
    ceiling = np.nextafter(ceiling, np.float32(np.inf))
    watch = np.zeros(net.n, np.uint8)
    ladder_push(net.indptr, net.indices, net.weights, net.unit_weights, influence, changed, rung,
                change, threads + 1, pushed[1], pushed[0], peer_weight, demand, inverse, ceiling,
                watch)  # fmt: skip
    for i in climbing:
        assert ceiling[i] >= peer_weight * slow_peer(want, strength, demand, after[i], i) - 1e-12
    lost = want < tally - 1e-12  # tallies that fell: their holders' top behavior is watched
    for b, i in zip(*np.nonzero(lost), strict=True):
        if after[i] == b + 1:
            assert watch[i] == 1
    pulled = [stage.copy(), tally.copy(), holders.copy()]
    code = np.zeros(net.n, np.int8)
    code[changed] = (rung + 1) * change
    restage(pulled[0], pulled[2])
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
    st.sampled_from(range(3)),
    st.booleans(),
    st.sampled_from([0.0, 0.05, 1.0]),
    st.sampled_from([1.0, 0.3, 0.0]),
)
def test_decide_equals_the_obvious_loop(case, threads, noise, rate, lapse_rate, demands,
                                        identifies, churn, returns):  # fmt: skip
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
    identity = rng.uniform(0.0, 0.15, n) if identifies else np.zeros(0)
    team = np.empty((B, n if identifies else 0), np.int32)
    team_holders(stage, manager, team)
    unit = rng.integers(0, 2, n).astype(np.int32)
    shared = rng.uniform(0, 0.2, (B, 2))
    deterministic = (noise == 0 and rate == 1 and lapse_rate in (0, 1) and churn in (0, 1)
                     and returns in (0, 1))  # fmt: skip
    # Some hold fewer rungs than they once did: they take one up again at the return rate.
    peak = np.minimum(stage + rng.integers(0, 2, n), B).astype(np.int8)
    return_rate = rate * returns
    # How often each one looks: some every week, others seldom.
    attention = np.ones(n) if deterministic else np.where(rng.random(n) < 0.5, 1.0, rng.random(n))
    key = rng.integers(2**64, dtype=np.uint64)
    u = np.empty(n)
    ladder_uniforms(key, u)
    demand = DEMANDS[demands]
    args = (stage, access, tally, strength, 0.4, demand, fixed_gap, manager, endorsing,
            endorsement, team, identity, unit, shared, rate, noise, lapse_rate, churn,
            0.1)  # fmt: skip
    # The exact bounds, then the candidates they let through: deciding only
    # them must give what deciding everyone gives.
    ceiling = np.empty(n, np.float32)
    watch = np.empty(n, np.uint8)
    ladder_bounds(stage, tally, strength, 0.4, demand, fixed_gap, manager, endorsing,
                  endorsement, team, identity, 0.1, ceiling, watch)  # fmt: skip
    candidates = np.empty(n, dtype=bool)
    ladder_candidates(access, stage, ceiling, watch, shared_steps(shared), rate, noise, churn, key,
                      not deterministic, lapse_cut(lapse_rate), candidates)  # fmt: skip
    ids = np.flatnonzero(candidates)
    some = np.full(ids.shape[0], 7, dtype=np.int8)
    ladder_decide(ids, *args[:1], *args[2:], key, not deterministic, some, ceiling, watch, peak,
                  return_rate, attention)  # fmt: skip
    out = np.zeros(n, dtype=np.int8)
    out[ids] = some
    np.testing.assert_array_equal(out, slow_decide(*args, u, peak, return_rate, attention))
    everyone = np.flatnonzero(access)
    decided = np.empty(everyone.shape[0], dtype=np.int8)
    ladder_decide(everyone, *args[:1], *args[2:], key, not deterministic, decided, ceiling, watch,
                  peak, return_rate, attention)  # fmt: skip
    every = np.zeros(n, dtype=np.int8)
    every[everyone] = decided
    np.testing.assert_array_equal(every, out)
    # The refreshed bounds hold for the stage each one holds after the week.
    after = stage + every
    gap = slow_gaps(after, tally, strength, 0.4, demand, fixed_gap, manager, endorsing,
                    endorsement, identity, stage)  # fmt: skip
    for i in range(n):
        if after[i] < B:
            assert ceiling[i] >= gap[after[i], i] - 1e-12
        else:
            assert ceiling[i] == np.float32(NO_CEILING)
        if after[i] > 0 and gap[after[i] - 1, i] < -0.1:
            assert watch[i] == 1
    assert (out[~access] == 0).all()
    assert (out[stage == B] <= 0).all() and (out[stage == 0] >= 0).all()


@pytest.mark.parametrize("gap", [-0.5, -0.17, -0.15, 0.0, 0.15, 0.17, 0.5])
def test_far_from_the_threshold_the_shortcut_matches_the_sigmoid(gap):
    """Around |gap / noise| = 8 the kernel switches between the shortcut and exp."""
    n = 200_000
    u = np.empty(n)
    ladder_uniforms(np.uint64(99), u)
    args = (np.zeros(n, np.int8), np.ones(n, bool), np.zeros((B, n)), np.ones(n), 0.4,
            np.zeros(B), np.full((B, n), gap), np.full(n, -1, np.int32), np.zeros(n, bool),
            np.zeros(n), np.zeros((B, 0), np.int32), np.zeros(0), np.zeros(n, np.int32),
            np.zeros((B, 1)), 0.5, 0.02, 0.0, 0.0, 0.1)  # fmt: skip
    out = np.empty(n, np.int8)
    ladder_decide(np.arange(n), *args[:1], *args[2:], np.uint64(99), True, out,
                  np.empty(n, np.float32), np.empty(n, np.uint8), np.zeros(n, np.int8),
                  0.5, np.ones(n))  # fmt: skip
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


@settings(max_examples=300, deadline=None)
@given(st.floats(-60.0, 0.0))
def test_sigmoid_ceiling_bounds_the_sigmoid(x):
    assert sigmoid_ceiling(x) >= 1.0 / (1.0 + np.exp(-x))
    # ... and stays within 1.7x of it down to the exact decision's tail at -8.
    assert sigmoid_ceiling(x) <= 1.7 * max(1.0 / (1.0 + np.exp(-x)), np.exp(-8.0))


@pytest.mark.parametrize(("rate", "noise"), [(0.5, 0.02), (1.0, 0.0), (0.3, 0.0), (1.0, 0.5)])
def test_candidates_keep_everyone_a_draw_can_move(rate, noise):
    """Against the chance itself: whoever's draw is below their chance is a candidate."""
    n = 100_000
    rng = np.random.default_rng(4)
    gap = rng.uniform(-0.6, 0.2, n)
    stage = rng.integers(0, B, n).astype(np.int8)
    shared = rng.uniform(0, 0.1, (B, 1))
    ceiling = (gap - shared[stage, 0]).astype(np.float32)  # rounded either way: below
    ceiling = np.nextafter(ceiling, np.float32(np.inf))
    u = np.empty(n)
    ladder_uniforms(np.uint64(5), u)
    out = np.empty(n, bool)
    ladder_candidates(np.ones(n, bool), stage, ceiling, np.zeros(n, np.uint8),
                      shared_steps(shared), rate, noise, 0.0, np.uint64(5), True, lapse_cut(0.0),
                      out)  # fmt: skip
    exact = ceiling.astype(float) + shared[stage, 0]
    if noise > 0:
        chance = rate / (1 + np.exp(-exact / noise))
    else:
        chance = np.where(exact >= 0, rate, 0.0)
    moves = u < chance
    assert moves.sum() > 100
    assert out[moves].all()
    # Few more: the bound is tight.
    assert out.sum() <= 1.6 * moves.sum() + 0.0005 * n


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([1, 2]))
def test_loosen_bounds_the_reports_of_managers_who_changed(seed, threads):
    """Against the gaps themselves: endorsement switched on or off by a manager's change."""
    set_threads(threads)
    rng = np.random.default_rng(seed)
    n = 60
    manager = np.concatenate([[-1], rng.integers(0, np.arange(1, n))])
    reports = np.argsort(manager, kind="stable")[1:]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(manager[1:], minlength=n))])
    before = rng.integers(0, B + 1, n).astype(np.int8)
    changed = np.sort(rng.choice(n, size=8, replace=False))
    change = np.where(before[changed] == 0, 1, np.where(before[changed] == B, -1,
                      rng.choice([-1, 1], 8))).astype(np.int8)  # fmt: skip
    after = before.copy()
    after[changed] += change
    endorsing = rng.random(n) < 0.7
    endorsement = rng.uniform(-0.2, 0.2, n)

    def endorsed_gap(stage_of_managers):  # the endorsement part of each behavior's gap
        boss = np.maximum(manager, 0)
        held = stage_of_managers[boss][None, :] > np.arange(B)[:, None]
        return np.where((manager >= 0) & endorsing[boss] & held, endorsement, 0.0)

    old = endorsed_gap(before)
    new = endorsed_gap(after)
    ceiling = np.zeros(n, np.float32)  # exact for the endorsement part under the old stages
    people = np.arange(n)
    climbing = after < B
    ceiling[climbing] = np.nextafter(
        old[after[climbing], people[climbing]].astype(np.float32), np.float32(np.inf)
    )
    watch = np.zeros(n, np.uint8)
    ladder_loosen(changed, change, after, indptr, reports, endorsing, endorsement, ceiling, watch)
    assert (ceiling[climbing] >= new[after[climbing], people[climbing]] - 1e-12).all()
    holding = np.flatnonzero(after > 0)
    fell = new[after[holding] - 1, holding] < old[after[holding] - 1, holding] - 1e-12
    assert watch[holding[fell]].all()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_loosen_team_bounds_the_team_mates_of_everyone_who_changed(seed):
    """Against the gaps themselves: the identity term moved by team-mates' changes, with
    small teams (several changers share one) and people who change themselves."""
    rng = np.random.default_rng(seed)
    n = 60
    manager = np.concatenate([[-1], rng.integers(0, np.arange(1, n) // 4 + 1)]).astype(np.int32)
    reports = np.argsort(manager, kind="stable")[1:]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(manager[1:], minlength=n))])
    before = rng.integers(0, B + 1, n).astype(np.int8)
    changed = np.sort(rng.choice(n, size=12, replace=False))
    change = np.where(before[changed] == 0, 1, np.where(before[changed] == B, -1,
                      rng.choice([-1, 1], 12))).astype(np.int8)  # fmt: skip
    after = before.copy()
    after[changed] += change
    identity = rng.uniform(0.0, 0.3, n)

    def identity_gap(stages):  # the identity part of each behavior's gap
        return np.array([[slow_identity(identity, manager, stages, b, i) for i in range(n)]
                         for b in range(B)])  # fmt: skip

    old = identity_gap(before)
    new = identity_gap(after)
    ceiling = np.zeros(n, np.float32)  # exact for the identity part under the old stages
    people = np.arange(n)
    climbing = after < B
    ceiling[climbing] = np.nextafter(
        old[after[climbing], people[climbing]].astype(np.float32), np.float32(np.inf)
    )
    watch = np.zeros(n, np.uint8)
    ladder_loosen_team(changed, change, after, manager, indptr, reports, identity, ceiling,
                       watch)  # fmt: skip
    # Changers too: decide bounds their new stage from the old counts, which leave them out.
    assert (ceiling[climbing] >= new[after[climbing], people[climbing]] - 1e-12).all()
    holding = np.flatnonzero(after > 0)
    fell = new[after[holding] - 1, holding] < old[after[holding] - 1, holding] - 1e-12
    assert watch[holding[fell]].all()
    # Nothing to do when nobody identifies.
    untouched = ceiling.copy()
    ladder_loosen_team(changed, change, after, manager, indptr, reports, np.zeros(0), ceiling,
                       watch)  # fmt: skip
    np.testing.assert_array_equal(ceiling, untouched)


def test_ceiling_of_rounds_up_to_float32():
    values = np.random.default_rng(1).normal(0, 1, 10_000) * 10.0 ** np.arange(-20, 20, 0.004)
    for y in values[:2000]:
        assert float(ceiling_of(y)) >= y


def test_draws_are_the_same_without_the_compiler():
    """week_bits as plain Python (NUMBA_DISABLE_JIT=1) gives the compiled draws."""
    from sim.kernels.ladder_parts import week_bits

    u = np.empty(500)
    ladder_uniforms(np.uint64(2**63 + 12345), u)
    plain = [(int(week_bits(np.uint64(2**63 + 12345), i)) >> 11) / 2**53 for i in range(500)]
    np.testing.assert_array_equal(u, plain)
