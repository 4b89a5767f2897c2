"""Stylised facts: the measures on synthetic data, a smoke run, and the fitted defaults."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import facts
from sim.facts import (
    NAN_PENALTY,
    ROGERS,
    TARGETS,
    BassFit,
    bass_fit,
    check,
    loss,
    measure,
    measure_mean,
    participation,
    reach_curve,
    rogers_categories,
)
from tests.helpers import experiment


def bass_curve(p, q, m, weeks=53, start=0.0):
    """The discrete recursion, written out independently of sim.facts."""
    curve = [start]
    for _ in range(weeks - 1):
        f = curve[-1]
        curve.append(f + (p + q * f / m) * (m - f))
    return np.array(curve)


# -- Bass ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "q", "m"), [(0.03, 0.38, 0.9), (0.01, 0.2, 0.6), (0.002, 0.3, 1.0)])
def test_bass_fit_recovers_the_recursion(p, q, m):
    fit = bass_fit(bass_curve(p, q, m))
    assert (fit.p, fit.q, fit.m) == pytest.approx((p, q, m), rel=1e-3)
    assert fit.q_over_p == pytest.approx(q / p, rel=2e-3)
    assert fit.rmse < 1e-6


def test_bass_fit_from_a_nonzero_start_and_on_sampled_weeks():
    curve = bass_curve(0.01, 0.2, 0.6, weeks=61, start=0.02)
    fit = bass_fit(curve[::3], weeks=np.arange(0, 61, 3))
    assert (fit.p, fit.q, fit.m) == pytest.approx((0.01, 0.2, 0.6), rel=1e-3)
    # A stretch that starts later: the recursion starts from that week's share.
    late = bass_fit(curve[10:40], weeks=range(10, 40))
    assert (late.p, late.q, late.m) == pytest.approx((0.01, 0.2, 0.6), rel=1e-3)


def test_bass_fit_of_pure_external_influence():
    fit = bass_fit(bass_curve(0.05, 0.0, 0.8))
    assert fit.q_over_p == pytest.approx(0.0, abs=1e-3)
    assert fit.p == pytest.approx(0.05, rel=1e-3)


def test_bass_fit_dataclass():
    assert BassFit(0.0, 0.3, 1.0, 0.0).q_over_p == math.inf
    fit = BassFit(0.02, 0.4, 0.9, 0.0)
    assert fit.q_over_p == pytest.approx(20.0)
    with pytest.raises(AttributeError):
        fit.p = 0.1


@pytest.mark.parametrize(
    ("args", "kwargs", "name"),
    [
        (([0.1, 0.2],), {}, "fraction"),
        (([0.0, 0.1, math.nan, 0.3],), {}, "fraction"),
        ((np.zeros((4, 2)),), {}, "fraction"),
        (([0.0, 0.1, 0.2, 0.3],), {"weeks": [0, 1, 2]}, "weeks"),
        (([0.0, 0.1, 0.2, 0.3],), {"weeks": [0, 2, 1, 3]}, "weeks"),
        (([0.0, 0.1, 0.2, 0.3],), {"weeks": [0, 0.5, 1, 2]}, "weeks"),
    ],
)
def test_bass_fit_names_the_bad_parameter(args, kwargs, name):
    with pytest.raises(ValueError, match=f"'{name}' parameter of bass_fit"):
        bass_fit(*args, **kwargs)


# -- Rogers --------------------------------------------------------------------------------


def test_rogers_categories_by_hand():
    # Organic adopters at weeks 1..10, each once, plus a first mover (0) and a never (-1):
    # mean 5.5, sd 2.8723 (population); z of week 1 is -1.567, so weeks 1-2 are early
    # adopters, 3-5 early majority, 6-8 late majority, 9-10 laggards (z of 9 is 1.219).
    at = np.array([0, -1, *range(1, 11)])
    shares = rogers_categories(at)
    assert shares["adopters"] == 10
    assert [shares[k] for k in ROGERS] == pytest.approx([0.0, 0.2, 0.3, 0.3, 0.2])
    with_seed = rogers_categories(at, organic_only=False)
    assert with_seed["adopters"] == 11 and with_seed["innovators"] == 0.0


def test_rogers_categories_all_five():
    # mean 10.6, sd 4.1400: week 1 has z = -2.319 (innovator), weeks 5-6 z = -1.353 and
    # -1.111 (early adopters), 7-10 early majority (7 people), 11-14 late majority (6),
    # 15-18 laggards (z of 15 is 1.063): 1, 2, 7, 6, 4 of 20.
    at = np.array([1, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 14, 15, 16, 17, 18])
    shares = rogers_categories(at, organic_only=True)
    assert [shares[k] for k in ROGERS] == pytest.approx([0.05, 0.10, 0.35, 0.30, 0.20])
    assert sum(shares[k] for k in ROGERS) == pytest.approx(1.0)


def test_rogers_ties_fall_on_the_edges():
    # Weeks 1 and 3: z = -1 and +1 exactly; each edge belongs to the category above it.
    shares = rogers_categories(np.array([1, 3], dtype=np.int32))
    assert [shares[k] for k in ROGERS] == [0.0, 0.0, 0.5, 0.0, 0.5]
    # Weeks 1, 2, 3: the middle one has z = 0, a late majority.
    shares = rogers_categories(np.array([1, 2, 3]))
    assert [shares[k] for k in ROGERS] == [0.0, 1 / 3, 0.0, 1 / 3, 1 / 3]


@pytest.mark.parametrize("at", [[], [-1, -1], [0, 0, 4], [3, 3, -1], [0, 5, 5]])
def test_rogers_categories_without_spread_are_nan(at):
    shares = rogers_categories(np.array(at, dtype=np.int32))
    assert all(math.isnan(shares[k]) for k in ROGERS)
    assert shares["adopters"] == sum(1 for a in at if a > 0)


def test_rogers_categories_names_the_bad_parameter():
    with pytest.raises(TypeError, match="'adopted_at' parameter of rogers_categories"):
        rogers_categories(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="'adopted_at' parameter of rogers_categories"):
        rogers_categories(np.array([[1, 2]]))
    with pytest.raises(TypeError, match="'organic_only' parameter of rogers_categories"):
        rogers_categories(np.array([1, 2]), organic_only="yes")


# -- participation -------------------------------------------------------------------------


def test_participation_by_hand():
    stage = np.array([0, 1, 1, 1, 1, 1, 1, 2, 2, 3], dtype=np.int8)
    parts = participation(stage, ("consume", "contribute", "create"))
    assert parts["users"] == 9
    assert (parts["lurkers"], parts["contributors"], parts["creators"]) == pytest.approx(
        (6 / 9, 2 / 9, 1 / 9)
    )
    assert participation(stage, 3) == parts
    # A fourth rung counts as creating.
    four = participation(np.array([1, 4, 3, 2]), ("a", "b", "c", "d"))
    assert (four["lurkers"], four["contributors"], four["creators"]) == (0.25, 0.25, 0.5)


def test_participation_short_ladders_and_no_users():
    two = participation(np.array([0, 1, 2, 2]), ["read", "write"])
    assert (two["lurkers"], two["contributors"]) == (1 / 3, 2 / 3)
    assert math.isnan(two["creators"])
    one = participation(np.array([0, 1, 1]), ("adopt",))
    assert one["lurkers"] == 1.0 and math.isnan(one["contributors"])
    nobody = participation(np.zeros(5, dtype=np.int8), 3)
    assert nobody["users"] == 0 and all(math.isnan(nobody[k]) for k in ("lurkers", "creators"))


def test_participation_names_the_bad_parameter():
    with pytest.raises(ValueError, match="'stage' parameter of participation"):
        participation(np.array([0, 1, 3]), ("a", "b"))
    with pytest.raises(ValueError, match="'stage' parameter of participation"):
        participation(np.array([-1, 1]), 3)
    with pytest.raises(TypeError, match="'stage' parameter of participation"):
        participation(np.array([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match="'behaviors' parameter of participation"):
        participation(np.array([0, 1]), ())


# -- targets, check, loss ------------------------------------------------------------------


def test_targets_are_the_issues_ranges():
    assert TARGETS["bass_q_over_p"] == (3.0, math.inf)
    for name, share in ROGERS.items():
        low, high = TARGETS[f"rogers_{name}"]
        assert high == pytest.approx(share + 0.05)
        assert low == pytest.approx(0.01 if name == "innovators" else share - 0.05)
    assert TARGETS["contributors_of_users"] == (0.05, 0.20)
    assert TARGETS["creators_of_users"] == (0.005, 0.02)
    assert TARGETS["weeks_to_50pct_consume"] == (8, 26)
    low, high = TARGETS["organic_creators"]
    assert 0 < low < 1e-6 and high == 1.0


def inside():
    """Facts in the middle of every target (10 for the Bass ratio)."""
    return {f: 10.0 if math.isinf(hi) else (lo + hi) / 2 for f, (lo, hi) in TARGETS.items()}


def test_check_table():
    table = check(inside())
    assert list(table.columns) == ["fact", "value", "low", "high", "met"]
    assert list(table["fact"]) == list(TARGETS) and table["met"].all()
    facts_ = {**inside(), "creators_of_users": math.nan}
    del facts_["rogers_laggards"]
    met = check(facts_).set_index("fact")["met"]
    assert not met["creators_of_users"] and not met["rogers_laggards"]
    assert met.drop(["creators_of_users", "rogers_laggards"]).all()
    # Bounds are inclusive; an infinite ratio (p = 0) meets q/p >= 3.
    edges = {**inside(), "contributors_of_users": 0.05, "bass_q_over_p": math.inf}
    assert check(edges)["met"].all()
    own = check({"x": 1.0}, {"x": (2.0, 3.0)})
    assert not own.loc[0, "met"]


def test_loss_is_zero_exactly_when_met():
    assert loss(inside()) == 0.0
    assert loss({**inside(), "bass_q_over_p": math.inf}) == 0.0
    worse = {**inside(), "creators_of_users": 0.03}
    assert loss(worse) == pytest.approx((0.01 / 0.015) ** 2)
    assert loss({**inside(), "creators_of_users": 0.05}) > loss(worse) > 0
    below = {**inside(), "weeks_to_50pct_consume": 4.0}
    assert loss(below) == pytest.approx((4 / 18) ** 2)


def test_loss_of_the_bass_ratio_is_in_log_units():
    half = loss({**inside(), "bass_q_over_p": 1.5})
    assert half == pytest.approx((math.log(2) / math.log(3)) ** 2)
    assert loss({**inside(), "bass_q_over_p": 0.75}) == pytest.approx(4 * half)
    assert math.isfinite(loss({**inside(), "bass_q_over_p": 0.0}))


def test_loss_penalises_nan_and_missing():
    assert loss({**inside(), "rogers_innovators": math.nan}) == NAN_PENALTY
    missing = inside()
    del missing["organic_creators"]
    assert loss(missing) == NAN_PENALTY
    assert loss({}) == NAN_PENALTY * len(TARGETS)
    # A zero-width range is scaled by its bound.
    assert loss({"x": 0.5}, {"x": (1.0, 1.0)}) == pytest.approx(0.25)


# -- measure on stand-in runs --------------------------------------------------------------


def fake_run(curves, adopted_at, stage):
    """What measure reads of a finished OrgModel: adoption, adopted_at, stage, rule."""
    behaviors = tuple(curves)
    rows = [
        {"step": t, "behavior": b, "fraction": f}
        for b in behaviors
        for t, f in enumerate(curves[b])
    ]
    table = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # order must not matter
    return SimpleNamespace(
        adoption=table,
        adopted_at=np.asarray(adopted_at, dtype=np.int32),
        stage=np.asarray(stage, dtype=np.int8),
        rule=SimpleNamespace(behaviors=behaviors),
    )


def who_took_up(reach, n):
    """Weeks of first adoption of ``n`` people whose reach curve is ``reach`` (rounded)."""
    ever = np.round(np.asarray(reach) * n).astype(np.int64)
    at = np.searchsorted(ever, np.arange(n), side="right")
    return np.where(np.arange(n) < ever[-1], at, -1)


CROWD = 200_000


def stand_in(reach, adopted_at, stage):
    """Hand-made people and a crowd who read once and dropped it (stage 0), whose first
    weeks make ``reach`` the run's reach curve; the holders' curves fall below it."""
    crowd = who_took_up(reach, CROWD)
    curves = {"consume": reach * 0.4, "contribute": reach / 5, "create": reach / 50}
    at = np.concatenate([adopted_at, crowd])
    return fake_run(curves, at, np.concatenate([stage, np.zeros(CROWD, np.int8)])), curves


def test_measure_of_a_stand_in_run():
    reach = bass_curve(0.03, 0.38, 0.9, start=0.01)
    # Ten people: a seeded creator, an organic creator, two contributors, four lurkers.
    adopted_at = [0, 3, 0, 4, 5, 6, 7, 8, -1, -1]
    stage = [3, 3, 2, 2, 1, 1, 1, 1, 0, 0]
    run, curves = stand_in(reach, adopted_at, stage)
    out = measure(run)
    assert set(TARGETS) <= set(out)
    # Diffusion on the reach, not on the holders (who are 40 % of it).
    assert out["bass_q_over_p"] == pytest.approx(0.38 / 0.03, rel=2e-3)
    assert out["bass_m"] == pytest.approx(0.9, rel=1e-3)
    assert out["weeks_to_50pct_consume"] == float(np.flatnonzero(reach >= 0.5)[0])
    assert out["contributors_of_users"] == pytest.approx(2 / 8)
    assert out["creators_of_users"] == pytest.approx(2 / 8)
    assert out["organic_creators"] == pytest.approx(0.5)
    assert out["rogers_early_majority"] == rogers_categories(run.adopted_at)["early_majority"]
    for b, curve in curves.items():
        assert out[f"final_fraction_{b}"] == curve[-1]


def test_measure_mean_fits_the_mean_curve_and_averages_the_rest():
    slow = bass_curve(0.01, 0.2, 0.6)
    fast = bass_curve(0.03, 0.38, 0.9)
    a, _ = stand_in(slow, [0, 2, 3, 4, -1], [3, 1, 1, 1, 0])  # only a seeded creator
    b, _ = stand_in(fast, [0, 2, 3, 4, 9], [1, 3, 2, 1, 1])  # one organic creator
    out = measure_mean([a, b])
    weeks = slow.shape[0] - 1
    mean = (reach_curve(a.adopted_at, weeks) + reach_curve(b.adopted_at, weeks)) / 2
    np.testing.assert_allclose(mean, (slow + fast) / 2, atol=1e-4)
    assert out["bass_q_over_p"] == bass_fit(mean).q_over_p
    assert out["bass_q_over_p"] != pytest.approx(bass_fit((slow + fast) / 5).q_over_p)
    reached = np.flatnonzero(mean >= 0.5)
    assert out["weeks_to_50pct_consume"] == (float(reached[0]) if reached.size else math.nan)
    assert out["creators_of_users"] == pytest.approx((1 / 4 + 1 / 5) / 2)
    assert out["contributors_of_users"] == pytest.approx((0 + 1 / 5) / 2)
    assert out["organic_creators"] == pytest.approx(0.5)
    assert out["final_fraction_create"] == pytest.approx((slow[-1] + fast[-1]) / 100)
    # Never half the company: NaN; no creators anywhere: NaN, so not met.
    low = {"consume": slow * 0.5, "contribute": slow / 9, "create": slow * 0}
    none = measure(fake_run(low, [0, 1, -1, -1, -1], [2, 1, 2, 0, 0]))  # reach 40 %
    assert math.isnan(none["weeks_to_50pct_consume"]) and math.isnan(none["organic_creators"])
    assert not check(none).set_index("fact").loc["organic_creators", "met"]


def test_measure_mean_names_the_bad_parameter():
    with pytest.raises(ValueError, match="'models' parameter of measure_mean"):
        measure_mean([])
    c = bass_curve(0.01, 0.2, 0.6)
    short = fake_run({"consume": c[:20]}, [0, 1], [1, 1])
    long = fake_run({"consume": c}, [0, 1], [1, 1])
    with pytest.raises(ValueError, match="'models' parameter of measure_mean"):
        measure_mean([short, long])


# -- a real run ----------------------------------------------------------------------------


def test_measure_smoke_on_a_tiny_model():
    """Types and keys only: the model's numbers change as it is refitted."""
    from sim import OrgModel, org, rules

    company = org.generate(300, seed=1)
    models = [
        OrgModel(org=company, rule=rules.Organizational(), initial_adopters=0.05, seed=s).run(12)
        for s in (1, 2)
    ]
    for out in (measure(models[0]), measure_mean(models)):
        first = models[0].rule.behaviors[0]
        expected = (
            {f"rogers_{k}" for k in ROGERS}
            | {
                "bass_q_over_p",
                "contributors_of_users",
                "creators_of_users",
                "organic_creators",
                f"weeks_to_50pct_{first}",
            }
            | {f"final_fraction_{b}" for b in models[0].rule.behaviors}
        )
        assert expected <= set(out)
        assert all(isinstance(v, float) for v in out.values())
        assert 0 <= out[f"final_fraction_{first}"] <= 1
        table = check(out)
        assert len(table) == len(TARGETS) and table["met"].dtype == bool
        assert loss(out) >= 0 and math.isfinite(loss(out))


def _fit_script():
    return experiment("fit_defaults")


def test_the_defaults_meet_the_stylised_facts():
    """The stylised facts of a plain company-wide launch on the default company (the org the
    shipped values were fitted on), 10 replications on a seed the fit never saw."""
    fit = _fit_script()
    measured = fit.evaluate(fit.defaults(), orgs=((2000, 0),), replications=10, seed=11)
    table = check(measured["plain 2000/0"], TARGETS)
    assert table["met"].all(), table.loc[~table["met"]].to_string()


@pytest.mark.xfail(strict=True, reason="the refit meets 145 of 148 targets on the fitted orgs "
                   "(docs/defaults.md): the flat 500-person company (three levels, so the plain "
                   "launch seeds 7 %) has no innovators and too large an early majority, one "
                   "500-person pilot reads 19 %")  # fmt: skip
def test_the_defaults_meet_every_target_on_every_org_and_corner():
    fit = _fit_script()
    table = fit.table(fit.evaluate(fit.defaults(), seed=11))
    assert table["met"].all(), table.loc[~table["met"]].to_string()


def test_module_exports():
    assert set(facts.__all__) <= set(dir(facts))


# -- reach and active shares of compiled runs ----------------------------------------------


def test_reach_counts_first_adoptions_up_to_each_week():
    adopted_at = np.array([0, 2, 2, -1, 5, 9], dtype=np.int32)
    np.testing.assert_allclose(facts.reach_curve(adopted_at, 6),
                               np.array([1, 1, 3, 3, 3, 4, 4]) / 6)  # fmt: skip


def test_measure_runs_takes_diffusion_from_reach_and_shares_from_holders():
    """Churn lowers the holders, never the reach: the Bass fit is the reach's."""
    from sim import rules
    from sim.engine.organizational import run_compiled
    from sim.org import generate
    from sim.population import Culture
    from sim.rollout import Rollout

    org = generate(headcount=400, seed=2)
    rule = rules.Organizational(churn=0.08)
    runs = run_compiled(org, rule, Culture(), Rollout(), 0, range(3), 40)
    out = facts.measure_runs(runs, rule.behaviors)
    reach = np.mean([facts.reach_curve(a, 40) for a in runs.adopted_at], axis=0)
    assert out["bass_q_over_p"] == bass_fit(reach).q_over_p
    assert out["reach_consume"] == pytest.approx(reach[-1])
    active = runs.holders[:, -1, 0].mean() / org.n
    assert out["active_consume"] == pytest.approx(active)
    assert out["active_consume"] < out["reach_consume"]  # people dropped the habit
    assert set(facts.FIELD) <= set(out)


def test_the_fit_script_names_a_parameter_it_cannot_walk(tmp_path, capsys):
    fit = _fit_script()
    assert fit.main(["--walk", "rule.nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--walk 'rule.nope' is not a fitted parameter" in err and "rule.manager_weight" in err
    assert not list(tmp_path.iterdir())  # nothing written
