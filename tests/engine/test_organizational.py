"""The organizational rule: reference equality, each mechanism alone, determinism."""

import dataclasses

import numpy as np
import pytest

from sim import OrgModel, rules
from sim.population import Culture, Population
from sim.rollout.plan import RolloutPlan
from tests import reference
from tests.helpers import OFF, SURE, make_org

#: The population these tests run on: thresholds low enough for every mechanism
#: to show on a small org, whatever the fitted defaults (``Culture``) are.
# Everyone looks every week and nobody endorses unasked unless a test says so.
POPULATION = {"threshold_mean": 0.2, "threshold_sd": 0.2, "voice_mean": 0.8, "attention_mean": 1.0,
              "endorse_share": 0.0}  # fmt: skip


def culture_(*dials, **more):
    return Culture(*dials, **{**POPULATION, **more})


def run(org, rule, *, weeks=20, seed=1, culture=None, plan=None, population=None, initial=0.03):
    model = OrgModel(
        org=org,
        rule=rule,
        culture=culture_() if culture is None and population is None else culture,
        plan=plan,
        population=population,
        initial_adopters=initial,
        seed=seed,
    )
    return model.run(weeks)


def holders(model):
    """Final holders of each behavior."""
    table = model.adoption
    return table[table.step == table.step.max()].adopters.to_numpy()


def with_traits(model, **traits):
    """The model's population with some traits set to one value for everyone."""
    people = model.population
    return dataclasses.replace(people, **{k: np.full(people.n, v) for k, v in traits.items()})


def stages_of(model):
    return np.asarray(model.stage)


def assert_more(low, high):
    """``high`` holds at least what ``low`` holds, person by person, and more in all."""
    a, b = stages_of(low), stages_of(high)
    assert (b >= a).all()
    assert b.sum() > a.sum()


def assert_same(a, b):
    assert a.adoption.equals(b.adoption)
    np.testing.assert_array_equal(stages_of(a), stages_of(b))


# -- equal to the slow reference ------------------------------------------------------


@pytest.mark.parametrize("identity", [0.0, 0.3])
@pytest.mark.parametrize("visibility", ["unit", "company"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deterministic_runs_equal_the_reference(visibility, seed, identity):
    org = make_org(n=120, seed=seed)
    rng = np.random.default_rng(seed)
    access = rng.random(org.n) < 0.8
    plan = RolloutPlan(
        org.n,
        access=access,
        trained=rng.random(org.n) * (rng.random(org.n) < 0.3),
        endorsing=rng.random(org.n) < 0.7,
        learning=rng.random(org.n) * 0.5,
        commitment=0.6,
    )
    rule = rules.Organizational(noise=0.0, rate=1.0, lapse_rate=1.0, churn=0.0, return_share=1.0,
                                visibility=visibility, identity_weight=identity)  # fmt: skip
    culture = culture_(trust=0.4, generative=0.7)
    model = run(org, rule, weeks=15, seed=seed, culture=culture, plan=plan, initial=0.1)
    initial = np.flatnonzero(model.adopted_at == 0)
    history = reference.organizational_run(org, model.population, rule, culture, plan, initial, 15)
    table = model.adoption
    for week, stage in enumerate(history):
        got = table[table.step == week].adopters.to_numpy()
        want = [(stage > b).sum() for b in range(3)]
        np.testing.assert_array_equal(got, want, err_msg=f"week {week}")
    np.testing.assert_array_equal(model.stage, history[-1])


LONG_LADDER = tuple(rules.Behavior(f"step{k}", 0.01 * k, 0.02 * k) for k in range(20))


@pytest.mark.parametrize(
    "ladder", [rules.LADDER, (rules.Behavior("adopt"),), LONG_LADDER], ids=["3", "1", "20"]
)
def test_random_runs_equal_the_reference_with_the_same_draws(ladder):
    org = make_org(n=150, seed=4)
    rule = rules.Organizational(ladder, noise=0.05, lapse_rate=0.3, hysteresis=0.02,
                                identity_weight=0.25, churn=0.03, return_share=0.4)  # fmt: skip
    culture = culture_(0.6, 0.6, 0.6, 0.6, attention_mean=0.6, attention_concentration=0.8)
    model = run(org, rule, weeks=12, seed=9, culture=culture, initial=0.05)
    # Replay the run's generator: traits first, then the initial adopters, then weekly draws.
    rng = np.random.default_rng(9)
    people = Population.draw(org, culture, rng)
    np.testing.assert_array_equal(people.threshold, model.population.threshold)
    initial = np.sort(rng.choice(org.n, size=round(0.05 * org.n), replace=False))
    history = reference.organizational_run(
        org, people, rule, culture, RolloutPlan(org.n), initial, 12, rng
    )
    np.testing.assert_array_equal(model.stage, history[-1])
    assert model.adoption.lapses.sum() > 0  # the comparison covered lapses


# -- each mechanism alone moves adoption the way docs/model.md §1 says, and not at weight 0 ----


@pytest.fixture(scope="module")
def org():
    return make_org(n=600, seed=3)


def test_peer_share_spreads_adoption(org):
    base = rules.Organizational(**OFF, **SURE)
    assert_more(
        run(org, base), run(org, rules.Organizational(**{**OFF, "peer_weight": 0.5}, **SURE))
    )


def test_endorsement_helps_with_trust_and_backfires_below_reactance(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.4, "manager_weight": 0.3}, **SURE)
    nobody = RolloutPlan(org.n, endorsing=np.zeros(org.n, dtype=bool))
    trusting = culture_(trust=0.9)
    assert_more(run(org, rule, culture=trusting, plan=nobody), run(org, rule, culture=trusting))
    wary = rules.Organizational(
        **{**OFF, "peer_weight": 0.4, "manager_weight": 0.3, "reactance": 0.5}, **SURE
    )
    distrustful = culture_(trust=0.1, threshold_mean=0.1)
    assert_more(
        run(org, wary, culture=distrustful), run(org, wary, culture=distrustful, plan=nobody)
    )
    off = rules.Organizational(**{**OFF, "peer_weight": 0.4}, **SURE)
    assert_same(run(org, off, culture=trusting), run(org, off, culture=trusting, plan=nobody))


def test_commitment_works_through_trust(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.4, "commitment_weight": 0.3}, **SURE)
    weak, strong = RolloutPlan(org.n, commitment=0.1), RolloutPlan(org.n, commitment=0.9)
    assert_more(run(org, rule, plan=weak), run(org, rule, plan=strong))
    drawn = run(org, rule, weeks=0)
    low, high = with_traits(drawn, trust=0.2), with_traits(drawn, trust=0.8)
    assert_more(
        run(org, rule, plan=strong, population=low),
        run(org, rule, plan=strong, population=high),
    )
    off = rules.Organizational(**{**OFF, "peer_weight": 0.4}, **SURE)
    assert_same(run(org, off, plan=weak), run(org, off, plan=strong))


def test_visibility_adds_to_the_peer_signal(org):
    base = rules.Organizational(**{**OFF, "peer_weight": 0.35}, **SURE)
    seen = rules.Organizational(**{**OFF, "peer_weight": 0.35, "visibility_weight": 0.3}, **SURE)
    assert_more(run(org, base), run(org, seen))
    company = rules.Organizational(**{**OFF, "peer_weight": 0.35}, **SURE, visibility="company")
    assert_same(run(org, base), run(org, company))


def test_collective_identity_pulls_teams_along_as_strongly_as_people_identify(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.35, "identity_weight": 0.3}, **SURE)
    base = rules.Organizational(**{**OFF, "peer_weight": 0.35}, **SURE)
    assert_more(run(org, base), run(org, rule))
    drawn = run(org, rule, weeks=0)
    loose = with_traits(drawn, identification=0.1)
    close = with_traits(drawn, identification=0.9)
    assert_more(run(org, rule, population=loose), run(org, rule, population=close))
    # At weight 0 identification changes nothing.
    assert_same(run(org, base, population=loose), run(org, base, population=close))


def test_churn_makes_a_rung_an_active_share_below_everyone_who_ever_held_it(org):
    busy = rules.Organizational(**{**OFF, "peer_weight": 0.5, "churn": 0.1}, noise=0.05,
                                lapse_rate=0.0)  # fmt: skip
    model = run(org, busy, weeks=40)
    ever = (model.adopted_at >= 0).sum()
    now = (model.stage > 0).sum()
    assert 0 < now < 0.97 * ever  # people drop the habit, and some take it up again
    assert model.adoption.lapses.sum() > ever - now
    steady = rules.Organizational(**{**OFF, "peer_weight": 0.5}, noise=0.05, lapse_rate=0.0)
    kept = run(org, steady, weeks=40)
    assert kept.stage.sum() > model.stage.sum()
    assert kept.adoption.lapses.sum() == 0


def test_a_dropped_rung_is_taken_up_again_more_slowly_without_slowing_the_first_try(org):
    def rule(return_share):
        return rules.Organizational(**{**OFF, "peer_weight": 0.5, "churn": 0.1,
                                       "return_share": return_share},
                                    noise=0.05, lapse_rate=0.0)  # fmt: skip

    again, seldom = run(org, rule(1.0), weeks=40), run(org, rule(0.2), weeks=40)
    # Common draws: the first tries are the same until someone drops a rung.
    lapsed = again.adoption.groupby("step")["lapses"].sum()
    first = int(lapsed.index[lapsed.to_numpy() > 0][0])

    def early(model):
        return np.where((model.adopted_at >= 0) & (model.adopted_at <= first), model.adopted_at, -1)

    np.testing.assert_array_equal(early(again), early(seldom))
    assert (early(again) > 0).any()
    assert (seldom.stage > 0).sum() < (again.stage > 0).sum()
    # Who has ever read moves far less than who reads now.
    ever = (seldom.adopted_at >= 0).sum() / (again.adopted_at >= 0).sum()
    now = (seldom.stage > 0).sum() / (again.stage > 0).sum()
    assert now < ever
    with pytest.raises(ValueError, match="return_share"):
        rules.Organizational(return_share=1.5)


def test_people_who_seldom_look_are_reached_later_or_never(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.5}, noise=0.05, lapse_rate=0.0)
    every_week = run(org, rule, weeks=30)
    seldom = run(org, rule, weeks=30,
                 culture=culture_(attention_mean=0.3, attention_concentration=0.5))  # fmt: skip
    assert (seldom.adopted_at >= 0).sum() < (every_week.adopted_at >= 0).sum()
    looks = seldom.population.attention
    reached = seldom.adopted_at[seldom.adopted_at > 0]
    assert looks.std() > 0.2  # a small concentration: many near 0, some near 1
    # Among those who decided, the ones who never took it up looked less often.
    never = (seldom.adopted_at < 0) & (seldom.access_since >= 0)
    assert looks[never].mean() < looks[seldom.adopted_at > 0].mean()
    assert reached.shape[0] > 0
    # A certain rule still draws when people differ in how often they look.
    sure = rules.Organizational(**{**OFF, "peer_weight": 0.5}, **SURE)
    assert sure.certain(every_week.population) and not sure.certain(seldom.population)
    with pytest.raises(ValueError, match="attention_mean"):
        Culture(attention_mean=0.0)


def test_content_needs_creators_and_a_generative_culture(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.35, "content_weight": 0.4}, **SURE)
    barren, generative = culture_(generative=0.0), culture_(generative=1.0)
    assert_more(run(org, rule, culture=barren), run(org, rule, culture=generative))
    off = rules.Organizational(**{**OFF, "peer_weight": 0.35}, **SURE)
    assert_same(run(org, off, culture=barren), run(org, off, culture=generative))


def test_safety_matters_for_risky_behaviors_only(org):
    def rule(safety, ladder=rules.LADDER):
        return rules.Organizational(
            **{**OFF, "peer_weight": 0.5, "safety": safety}, **SURE, ladder=ladder
        )

    unsafe, safe = run(org, rule(0.0)), run(org, rule(1.0))
    assert_more(unsafe, safe)
    # "consume" carries no risk: safety does not change who consumes... until the
    # people who create pull their colleagues along; compare the first rung alone.
    first = (rules.Behavior("consume"),)
    assert_same(run(org, rule(0.0, first)), run(org, rule(1.0, first)))
    riskless = tuple(rules.Behavior(b.name, b.difficulty, 0.0) for b in rules.LADDER)
    assert_same(run(org, rule(0.0, riskless)), run(org, rule(1.0, riskless)))
    # With risk, courage (low risk aversion) helps; with full safety it does not matter.
    timid = with_traits(unsafe, risk_aversion=0.9)
    brave = with_traits(unsafe, risk_aversion=0.1)
    assert_more(run(org, rule(0.0), population=timid), run(org, rule(0.0), population=brave))
    assert_same(run(org, rule(1.0), population=timid), run(org, rule(1.0), population=brave))


def test_training_lowers_thresholds(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.4, "training_effect": 0.15}, **SURE)
    trained = RolloutPlan(org.n, trained=1.0)
    assert_more(run(org, rule), run(org, rule, plan=trained))
    off = rules.Organizational(**{**OFF, "peer_weight": 0.4}, **SURE)
    assert_same(run(org, off), run(org, off, plan=trained))


def test_learning_lowers_thresholds_and_nothing_at_effect_0(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.5, "learning_effect": 0.1}, **SURE)
    assert_more(run(org, rule), run(org, rule, plan=RolloutPlan(org.n, learning=1.0)))
    off = rules.Organizational(**{**OFF, "peer_weight": 0.5}, **SURE)
    assert_same(run(org, off), run(org, off, plan=RolloutPlan(org.n, learning=1.0)))


def test_no_access_no_adoption_and_no_support(org):
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.5}, **SURE)
    half = np.arange(org.n) % 2 == 0
    pilot = run(org, rule, plan=RolloutPlan(org.n, access=half), initial=[0, 2, 4, 6, 8, 10])
    everyone = run(org, rule, initial=[0, 2, 4, 6, 8, 10])
    assert (pilot.stage[~half] == 0).all()
    assert pilot.adoption.with_access.iloc[0] == half.sum()
    # Colleagues without access count as non-adopters: less support inside the pilot.
    assert (pilot.stage[half] <= everyone.stage[half]).all()
    assert pilot.stage[half].sum() < everyone.stage[half].sum()


def test_ladder_order_is_kept(org):
    model = run(org, rules.Organizational(), weeks=40, culture=culture_(0.7, 0.7, 0.7, 0.7))
    table = model.adoption.pivot(index="step", columns="behavior", values="adopters")
    assert (table.consume >= table.contribute).all()
    assert (table.contribute >= table.create).all()
    assert table.create.iloc[-1] > 0


def test_lapses_and_readoption():
    org = make_org(n=400, seed=5)
    # Pioneers without any support drop out at once when lapsing is certain ...
    # (No hysteresis: a willing speaker's gap on the upper rungs is small.)
    alone = rules.Organizational(**OFF, noise=0.0, rate=1.0, lapse_rate=1.0, hysteresis=0.0)
    people = with_traits(run(org, alone, weeks=0), threshold=0.3)
    model = run(org, alone, weeks=3, initial=[1, 2, 3], population=people)
    assert model.adoption.query("step == 1").lapses.tolist() == [0, 0, 3]
    assert model.adoption.query("step == 3").adopters.tolist() == [0, 0, 0]
    # ... and never when lapsing is off.
    sure = rules.Organizational(**OFF, **SURE)
    kept = run(org, sure, weeks=3, initial=[1, 2, 3], population=people)
    assert kept.adoption.query("step == 3").adopters.tolist() == [3, 3, 3]
    # People who lapsed take the behavior up again.
    noisy = rules.Organizational(noise=0.1, lapse_rate=0.5, hysteresis=0.0)
    ids, rung, change, _ = run(org, noisy, weeks=40, seed=2)._state.events()
    again = 0
    for person in np.unique(ids[(change < 0) & (rung == 0)]):
        mine = change[(ids == person) & (rung == 0)]
        again += bool(((mine[:-1] < 0) & (mine[1:] > 0)).any())
    assert again > 0


# -- determinism -----------------------------------------------------------------------


def test_same_seed_same_run_different_seed_different_run(org):
    rule = rules.Organizational()
    a, b, c = (run(org, rule, seed=s, weeks=30) for s in (5, 5, 6))
    assert_same(a, b)
    assert not a.adoption.equals(c.adoption)
    np.testing.assert_array_equal(a.population.trust, b.population.trust)


def test_rng_and_seed_give_the_same_run(org):
    rule = rules.Organizational()
    by_seed = run(org, rule, seed=11, weeks=10)
    by_rng = OrgModel(org=org, rule=rule, culture=culture_(), initial_adopters=0.03,
                      rng=np.random.default_rng(11))  # fmt: skip
    assert_same(by_seed, by_rng.run(10))


def test_deterministic_runs_stop_when_nothing_changes_and_lose_nothing():
    org = make_org(n=150, seed=6)
    rule = rules.Organizational(**{**OFF, "peer_weight": 0.5}, **SURE)
    model = run(org, rule, weeks=30)
    assert not model.running  # converged, so later weeks skipped the rule ...
    initial = np.flatnonzero(model.adopted_at == 0)
    history = reference.organizational_run(
        org, model.population, rule, culture_(), RolloutPlan(org.n), initial, 30
    )
    np.testing.assert_array_equal(model.stage, history[-1])  # ... and missed nothing
    # While content still grows, signals still change: no stop.
    growing = rules.Organizational(**{**OFF, "peer_weight": 0.5, "content_weight": 0.3}, **SURE)
    assert run(org, growing, weeks=30, culture=culture_(generative=0.05)).running


# -- breakdowns ------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["unit", "level"])
def test_breakdown_adds_up_to_the_whole(org, by):
    half = np.arange(org.n) < org.n // 2
    plan = RolloutPlan(org.n, access=half | (org.unit == 1))
    model = run(org, rules.Organizational(noise=0.05), weeks=25, plan=plan)
    parts = model.adoption_by(by)
    whole = model.adoption
    summed = parts.groupby(["step", "behavior"], sort=False)[
        ["adopters", "new_adopters", "lapses", "with_access"]
    ].sum()
    merged = whole.set_index(["step", "behavior"])[summed.columns]
    np.testing.assert_array_equal(summed.loc[merged.index].to_numpy(), merged.to_numpy())
    groups = org.unit_names if by == "unit" else range(org.n_levels)
    assert list(parts[by].unique()) == list(groups)
    sizes = parts[(parts.step == 0) & (parts.behavior == "consume")].people.to_numpy()
    expected = org.unit_sizes if by == "unit" else np.bincount(org.level)
    np.testing.assert_array_equal(sizes, expected)
    np.testing.assert_allclose(parts.fraction, parts.adopters / parts.people)


def test_breakdown_of_a_classic_rule_on_an_org(org):
    model = OrgModel(org=org, rule=rules.Threshold(0.2), initial_adopters=[0, 1, 2], seed=1)
    model.run(10)
    parts = model.adoption_by("unit")
    total = parts.groupby("step").adopters.sum().to_numpy()
    np.testing.assert_array_equal(total, model.adoption.adopters.to_numpy())
    assert (parts.with_access == parts.people).all()


def test_culture_moves_a_generated_company():
    """The fitted defaults on a generated company the fit never saw (3,000 people), a plain
    launch: the field figures of docs/model.md §7 at the default culture, ordered cultures."""
    from sim import org as orgs

    finals = {}
    for dial in (0.3, 0.5, 0.8):
        company = orgs.generate(3000, openness=dial, seed=1)
        culture = Culture(dial, dial, dial, dial)  # the fitted defaults, not POPULATION
        model = run(company, rules.Organizational(), weeks=52, culture=culture, initial=0.01)
        finals[dial] = holders(model) / company.n
    assert (finals[0.3] < finals[0.5]).all() and (finals[0.5] < finals[0.8]).all()
    read, contribute, create = finals[0.5]
    # Active reading 20-45 %, contributors 5-40 % and creators 0.3-3 % of those who read.
    assert 0.2 < read < 0.45 and 0.05 < contribute / read < 0.4 and 0.003 < create / read < 0.03
    assert finals[0.3][0] < 0.2 and finals[0.3][1] < 0.05
    assert finals[0.8][0] < 0.45  # best-in-class communities: about 45 % active
    assert finals[0.8][2] < finals[0.8][0] / 3  # inequality softens but does not invert


# -- exactness, changing plans, access --------------------------------------------------


def test_noise_zero_is_the_threshold_rule_even_at_exact_fractions():
    """Three of ten ties against a threshold of 0.3 adopts, as in rules.Threshold."""
    from sim import networks
    from sim.org import Org

    base = make_org(n=300)
    ring = Org(
        manager=base.manager,
        unit=base.unit,
        unit_names=base.unit_names,
        network=networks.ring_lattice(300, 10),
    )
    rule = rules.Organizational(
        ladder=(rules.Behavior("adopt"),), **{**OFF, "peer_weight": 1.0}, **SURE
    )
    ones = np.ones(300)
    people = Population(threshold=ones * 0.3, risk_aversion=ones, trust=ones, influence=ones)
    pioneers = list(range(20))
    ladder = run(ring, rule, weeks=40, population=people, initial=pioneers)
    classic = OrgModel(network=ring.network, rule=rules.Threshold(0.3), initial_adopters=pioneers)
    classic.run(40)
    assert ladder.adoption.adopters.tolist() == classic.adoption.adopters.tolist()
    assert ladder.adopters == classic.adopters > 200


class Waves(RolloutPlan):
    """Access for half the org from week 0, everyone from week 4; training grows."""

    def __init__(self, n):
        super().__init__(n, commitment=0.4)
        self.first = np.arange(n) % 2 == 0
        everyone = np.ones(n, dtype=bool)
        self.weeks = {
            t: RolloutPlan(
                n,
                access=self.first if t < 4 else everyone,
                trained=np.minimum(1.0, 0.1 * t) * self.first,
                commitment=0.4 if t < 4 else 0.7,
            ).week(0)
            for t in range(0, 13)
        }

    def week(self, t, state=None):
        return self.weeks[min(t, 12)]


def test_a_plan_that_changes_equals_the_reference_and_its_breakdown_adds_up():
    org = make_org(n=160, seed=8)
    plan = Waves(org.n)
    assert not plan.static and RolloutPlan(3).static
    rule = rules.Organizational(
        noise=0.0, rate=1.0, lapse_rate=1.0, churn=0.0, return_share=1.0, peer_weight=0.5
    )
    model = run(org, rule, weeks=14, plan=plan, initial=0.1, seed=3)
    assert (model.adopted_at[~plan.first] != 0).all()  # pioneers have access
    initial = np.flatnonzero(model.adopted_at == 0)
    history = reference.organizational_run(
        org, model.population, rule, culture_(), plan, initial, 14
    )
    np.testing.assert_array_equal(model.stage, history[-1])
    table = model.adoption
    assert table.with_access.iloc[0] == plan.first.sum()
    assert table[table.step == 4].with_access.iloc[0] == org.n
    parts = model.adoption_by("unit")
    summed = parts.groupby(["step", "behavior"], sort=False).with_access.sum()
    np.testing.assert_array_equal(summed.to_numpy(), table.with_access.to_numpy())
    assert model.running or model.adoption.step.max() == 14


def test_access_cannot_be_taken_away(org):
    class Revoke(RolloutPlan):
        def week(self, t, state=None):
            if t < 3:
                return super().week(t)
            return RolloutPlan(self.n, access=np.arange(self.n) < 10).week(t)

    model = OrgModel(org=org, rule=rules.Organizational(), plan=Revoke(org.n), seed=1)
    model.run(2)
    with pytest.raises(ValueError, match=r"takes access away from person 10 in week 3"):
        model.step()


def test_initial_adopters_must_have_access(org):
    pilot = RolloutPlan(org.n, access=org.unit == 0)
    with pytest.raises(ValueError, match=r"person \d+, who has no access at week 0"):
        OrgModel(org=org, rule=rules.Organizational(), plan=pilot, initial_adopters=[0, 599])
    model = OrgModel(org=org, rule=rules.Organizational(), plan=pilot, initial_adopters=0.2)
    pioneers = np.flatnonzero(model.adopted_at == 0)
    assert (org.unit[pioneers] == 0).all()
    assert len(pioneers) == round(0.2 * (org.unit == 0).sum())
