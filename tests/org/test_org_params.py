"""Parameter checks of the organizational pieces: one message naming the parameter."""

import numpy as np
import pytest

from sim import OrgModel, networks, rules
from sim.population import Culture, Population
from sim.rollout.plan import RolloutPlan
from tests.helpers import make_org


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"peer_weight": -0.1}, ValueError, r"'peer_weight' parameter of Organizational"),
        ({"manager_weight": 1.5}, ValueError, r"'manager_weight' .* range \[0, 1\]"),
        ({"safety": "high"}, TypeError, r"'safety' parameter"),
        ({"reactance": 1.0}, ValueError, r"'reactance' .* range \[0, 1\)"),
        ({"noise": -1.0}, ValueError, r"'noise' .* range \[0, inf\)"),
        ({"rate": np.nan}, ValueError, r"'rate'"),
        ({"lapse_rate": 2}, ValueError, r"'lapse_rate'"),
        ({"visibility": "team"}, ValueError, r"'visibility' .* 'unit', 'company'"),
        ({"ladder": ()}, TypeError, r"'ladder' .* non-empty sequence of rules.Behavior"),
        ({"ladder": ("consume",)}, TypeError, r"'ladder'"),
        (
            {"ladder": (rules.Behavior("a"), rules.Behavior("a"))},
            ValueError,
            r"distinct names",
        ),
    ],
)
def test_organizational_rejects(kwargs, error, message):
    with pytest.raises(error, match=message):
        rules.Organizational(**kwargs)


def test_behavior_rejects():
    with pytest.raises(ValueError, match=r"'difficulty' parameter of Behavior"):
        rules.Behavior("post", difficulty=1.2)
    with pytest.raises(TypeError, match="non-empty str"):
        rules.Behavior("")


def test_rule_reports_its_behaviors():
    assert rules.Organizational().behaviors == ("consume", "contribute", "create")
    assert rules.Organizational(
        noise=0.0, rate=1.0, lapse_rate=0.0, churn=0.0, return_share=1.0
    ).deterministic
    assert not rules.Organizational().deterministic


@pytest.mark.parametrize("dial", ["open", "trust", "generative", "courage"])
def test_culture_dials_are_in_unit_range(dial):
    with pytest.raises(ValueError, match=rf"The '{dial}' parameter of Culture .* \[0, 1\]"):
        Culture(**{dial: 1.2})


def test_population_draw():
    org = make_org(n=2000)
    people = Population.draw(org, Culture(trust=0.8, courage=0.3), 1)
    assert abs(people.trust.mean() - 0.8) < 0.02
    assert abs(people.risk_aversion.mean() - 0.7) < 0.02
    assert abs(people.influence[org.span == 0].mean() - 1.0) < 0.05
    assert people.influence[org.span > 0].mean() > 1.5 * people.influence[org.span == 0].mean()
    # The threshold is normal (truncated to [0, 1], here far from the bounds):
    # Rogers' categories by standard deviation.
    middle = Population.draw(org, Culture(threshold_mean=0.5, threshold_sd=0.12), 1)
    z = (middle.threshold - 0.5) / 0.12
    assert abs((z < -1).mean() - 0.16) < 0.03 and abs((z > 1).mean() - 0.16) < 0.03
    assert abs((z < -2).mean() - 0.023) < 0.01
    # Extreme dials give the dial itself, and the stream stays aligned.
    sure = Population.draw(org, Culture(trust=1.0, courage=1.0), 1)
    assert (sure.trust == 1.0).all() and (sure.risk_aversion == 0.0).all()
    np.testing.assert_array_equal(sure.threshold, people.threshold)
    # Managers weigh 1 + manager_influence times a colleague, in any culture; 0: the same.
    for open_ in (0.0, 1.0):
        spread = Population.draw(org, Culture(open=open_), 1, influence_spread=0.0)
        np.testing.assert_allclose(spread.influence, np.where(org.span > 0, 2.0, 1.0))
    flat = Population.draw(org, Culture(), 1, influence_spread=0.0, manager_influence=0.0)
    assert np.allclose(flat.influence, 1.0)


def test_thresholds_pile_at_no_bound():
    """Truncated, not clipped: nobody sits on 0 acting on no signal at all."""
    from scipy import stats

    org = make_org(n=2000)
    people = Population.draw(org, Culture(threshold_mean=0.1, threshold_sd=0.2), 5)
    assert people.threshold.min() > 0.0 and people.threshold.max() < 1.0
    law = stats.truncnorm((0 - 0.1) / 0.2, (1 - 0.1) / 0.2, loc=0.1, scale=0.2)
    assert stats.kstest(people.threshold, law.cdf).pvalue > 0.01
    # The old clipped draw put about 31 % exactly on 0 here.
    assert np.count_nonzero(people.threshold < 1e-3) < 0.01 * org.n


def test_voice_is_heavy_tailed():
    """Most people barely speak up, a few are eager: participation inequality."""
    org = make_org(n=2000)
    voice = Population.draw(org, Culture(voice_mean=0.1, voice_concentration=1.0), 2).voice
    assert abs(voice.mean() - 0.1) < 0.02
    assert np.median(voice) < 0.5 * voice.mean()  # skewed: the median far below the mean
    from scipy import stats

    eager = stats.beta.sf(0.6, 0.1, 0.9)  # Beta(mean * concentration, (1 - mean) * ...)
    assert abs(np.mean(voice > 0.6) - eager) < 0.015


def test_culture_constants_reach_the_draw():
    org = make_org(n=500)
    shifted = Population.draw(org, Culture(threshold_mean=0.2), 3)
    base = Population.draw(org, Culture(), 3)
    assert shifted.threshold.mean() < base.threshold.mean() - 0.2
    # A keyword of draw replaces the culture's constant.
    np.testing.assert_array_equal(
        Population.draw(org, Culture(), 3, threshold_mean=0.2).threshold, shifted.threshold
    )
    # Changing one constant never shifts another trait's draws.
    np.testing.assert_array_equal(shifted.trust, base.trust)
    np.testing.assert_array_equal(shifted.voice, base.voice)


def test_org_traits_override_drawn_ones():
    base = make_org(n=50)
    trust = np.linspace(0, 1, 50)
    org = type(base)(
        manager=base.manager,
        unit=base.unit,
        unit_names=base.unit_names,
        network=base.network,
        traits={"trust": trust},
    )
    people = Population.draw(org, Culture(), 3)
    np.testing.assert_array_equal(people.trust, trust)
    drawn = Population.draw(base, Culture(), 3)
    np.testing.assert_array_equal(people.threshold, drawn.threshold)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold_sd": -1}, r"'threshold_sd' parameter of Population.draw"),
        ({"concentration": 0.0}, r"'concentration' .* \(0, inf\)"),
        ({"manager_influence": -1}, r"'manager_influence'"),
        ({"voice_mean": 1.0}, r"'voice_mean' parameter of Population.draw .* \(0, 1\)"),
    ],
)
def test_population_draw_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Population.draw(make_org(n=20), Culture(), 1, **kwargs)


def test_population_rejects_bad_traits():
    ok = np.full(3, 0.5)
    with pytest.raises(
        ValueError, match=r"'trust' parameter of Population .* \[0, 1\]; entry 1 is 1.5"
    ):
        Population(threshold=ok, risk_aversion=ok, trust=[0.5, 1.5, 0.2], influence=ok)
    with pytest.raises(
        ValueError, match=r"'influence' parameter of Population .* \(0, inf\); entry 0 is 0.0"
    ):
        Population(threshold=ok, risk_aversion=ok, trust=ok, influence=[0.0, 1, 1])
    with pytest.raises(ValueError, match="'risk_aversion' has 2 values"):
        Population(threshold=ok, risk_aversion=ok[:2], trust=ok, influence=ok)


def test_plan_rejects():
    with pytest.raises(ValueError, match=r"'access' parameter of RolloutPlan .* one value per"):
        RolloutPlan(4, access=np.ones(3, bool))
    with pytest.raises(TypeError, match=r"'access' .* bool array"):
        RolloutPlan(4, access=np.ones(4))
    with pytest.raises(
        ValueError, match=r"'trained' parameter of RolloutPlan .* \[0, 1\]; entry 2 is 2.0"
    ):
        RolloutPlan(4, trained=[0, 0, 2, 0])
    with pytest.raises(ValueError, match=r"'commitment' parameter of RolloutPlan"):
        RolloutPlan(4, commitment=1.5)
    plan = RolloutPlan(4, trained=0.5)
    assert (plan.week(3).trained == 0.5).all() and plan.week(3).access.all()
    with pytest.raises(ValueError, match="read-only"):
        plan.week(1).access[0] = False


def test_model_rejects_mismatched_inputs():
    org = make_org(n=30)
    with pytest.raises(TypeError, match="needs an org"):
        OrgModel(network=org.network, rule=rules.Organizational())
    with pytest.raises(TypeError, match="needs an 'org' or a 'network'"):
        OrgModel(rule=rules.Threshold(0.2))
    with pytest.raises(ValueError, match=r"either 'org' .* or 'network'"):
        OrgModel(org=org, network=networks.ring_lattice(30, 2), rule=rules.Threshold(0.2))
    with pytest.raises(TypeError, match=r"'org' parameter of OrgModel must be a sim.org.Org"):
        OrgModel(org=org.network, rule=rules.Organizational())
    with pytest.raises(ValueError, match="'culture' only apply to the Organizational rule"):
        OrgModel(org=org, rule=rules.Threshold(0.2), culture=Culture())
    with pytest.raises(TypeError, match="'culture' parameter of OrgModel"):
        OrgModel(org=org, rule=rules.Organizational(), culture={"trust": 0.5})
    with pytest.raises(ValueError, match=r"'plan' parameter of OrgModel .* 30 people"):
        OrgModel(org=org, rule=rules.Organizational(), plan=RolloutPlan(31))
    with pytest.raises(ValueError, match="'population' parameter"):
        people = Population.draw(make_org(n=31), Culture(), 1)
        OrgModel(org=org, rule=rules.Organizational(), population=people)
    with pytest.raises(ValueError, match="needs an org"):
        OrgModel(network=org.network, rule=rules.Threshold(0.2)).adoption_by("unit")
    with pytest.raises(ValueError, match="'unit' or 'level'"):
        OrgModel(org=org, rule=rules.Organizational()).adoption_by("team")


def test_employees_show_their_place_and_behaviors():
    org = make_org(n=40)
    model = OrgModel(org=org, rule=rules.Organizational(), initial_adopters=[3], seed=1)
    person = model.people[3]
    assert person.stage == 3 and person.behaviors == ("consume", "contribute", "create")
    assert person.unit == org.unit_names[org.unit[3]] and person.level == 1
    assert model.people[0].level == 0


def test_model_rejects_wrong_types_and_int_initial_adopters():
    org = make_org(n=30)
    with pytest.raises(TypeError, match=r"'plan' parameter of OrgModel must be a sim.rollout.plan"):
        OrgModel(org=org, rule=rules.Organizational(), plan={"access": None})
    with pytest.raises(TypeError, match=r"'population' parameter .* Got dict"):
        OrgModel(org=org, rule=rules.Organizational(), population={})
    with pytest.raises(TypeError, match=r"sequence of node ids \(e.g. \[0\]\) or a float share"):
        OrgModel(org=org, rule=rules.Organizational(), initial_adopters=0)


def test_traits_do_not_shift_each_other():
    org = make_org(n=500)
    a = Population.draw(org, Culture(trust=0.5, courage=0.2), 4)
    b = Population.draw(org, Culture(trust=1.0, courage=0.9), 4)
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.influence, b.influence)
    assert not np.array_equal(a.trust, b.trust)


def test_unknown_org_traits_are_refused():
    base = make_org(n=20)
    org = type(base)(
        manager=base.manager,
        unit=base.unit,
        unit_names=base.unit_names,
        network=base.network,
        traits={"trusts": np.full(20, 0.5)},
    )
    with pytest.raises(ValueError, match=r"trait 'trusts' is not one of threshold, risk_aversion"):
        Population.draw(org, Culture(), 1)


def test_relative_influence_is_a_power_of_two_away():
    from sim.population import relative_influence

    x = np.array([1.0, 2.0, 3.0, 10.0])  # mean 4: divided by 4
    np.testing.assert_array_equal(relative_influence(x), x / 4)
    same = np.array([0.75, 1.0, 1.25])
    np.testing.assert_array_equal(relative_influence(same), same)
    rng = np.random.default_rng(0)
    for values in (rng.lognormal(0, 3, 1000), np.full(10_000, 1.7e308), np.array([5e-324])):
        out = relative_influence(values)
        assert 2**-0.5 <= out.mean() < 2**0.5
        shift = int(np.frexp(out[0])[1] - np.frexp(values[0])[1])
        np.testing.assert_array_equal(np.ldexp(values, shift), out)  # one power of two
        np.testing.assert_array_equal(relative_influence(out), out)  # idempotent
        shifted = np.ldexp(values, -40 if values.max() > 1 else 40)
        np.testing.assert_array_equal(relative_influence(shifted), out)


def test_relative_influence_rejects():
    from sim.population import relative_influence

    with pytest.raises(
        ValueError,
        match=r"'influence' parameter of relative_influence must span at most a factor 1e\+100; "
        r"entry 1 is 1e-101, the largest 1.0",
    ):
        relative_influence([1.0, 1e-101])
    with pytest.raises(ValueError, match=r"'influence' .* \(0, inf\); entry 0 is inf"):
        relative_influence([np.inf, 1.0])


def test_org_influence_replaces_drawn_influence_rescaled():
    base = make_org(n=50)
    given = np.linspace(1, 50, 50) * 3e306
    org = type(base)(
        manager=base.manager,
        unit=base.unit,
        unit_names=base.unit_names,
        network=base.network,
        traits={"influence": given},
    )
    people = Population.draw(org, Culture(open=0.0), 3)
    # Managers' factor is not applied on top: the given column is the whole influence.
    np.testing.assert_allclose(people.influence / people.influence[0], np.arange(1, 51))
    assert 2**-0.5 <= people.influence.mean() < 2**0.5
    model = OrgModel(rule=rules.Organizational(), org=org, population=people, seed=1)
    model.run(5)
    assert np.isfinite(model._state.strength).all()
