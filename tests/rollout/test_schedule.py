"""The week-by-week rollout schedule on a small hand-made org, checked by hand.

Every expected value below is worked out by hand from the drawing of the org
(the comment block under the imports), not recomputed with the code under test.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim import networks, rules
from sim.metrics import summary
from sim.model import OrgModel
from sim.org import Org
from sim.rollout import Rollout

# The hand-made org: 15 people, 4 units, 4 levels.
#
# Reporting lines (each person under their manager), [unit]:
#
#   level 0                          0 [HQ]
#                       ______________|______________
#                      |              |              |
#   level 1          1 [HQ]       2 [Sales]        3 [Ops]
#                      |          /       \        /       \
#   level 2         14 [HQ]   4 [Sales] 5 [Sales] 8 [Ops]  11 [Lab]
#                             /     \            /    \     /     \
#   level 3               6 [Sales] 7 [Sales] 9 [Ops] 10 [Ops] 12 [Lab] 13 [Lab]
#
# Units (code, name, people): 0 HQ {0, 1, 14} (3); 1 Sales {2, 4, 5, 6, 7} (5);
#   2 Ops {3, 8, 9, 10} (4); 3 Lab {11, 12, 13} (3). Lab sits under Ops' head 3.
# Levels: 0 {0}; 1 {1, 2, 3}; 2 {4, 5, 8, 11, 14}; 3 {6, 7, 9, 10, 12, 13}.
# Managers (span): 0 (3), 1 (1), 2 (2), 3 (2), 4 (2), 8 (2), 11 (2); the other 8 have none.
#
# Informal ties (18 of them), a "cactus" of single ties and triangles with no longer cycle:
#
#     7---6          0--------1             10
#      \ /          /          \           /  \
#       4----------2            14-------9-----8---3
#        \        /              \
#         `--5---'                12---11
#                                   \  /
#                                    13
#
#   HQ: 0-1, 1-14. Sales: 2-4, 2-5, 4-5 and 4-6, 4-7, 6-7 (two triangles).
#   Ops: 3-8 and 8-9, 8-10, 9-10 (a triangle). Lab: 11-12, 11-13, 12-13 (a triangle).
#   Across units: 0-2 (HQ-Sales), 14-9 (HQ-Ops), 14-12 (HQ-Lab).
#
# Degree (ties): 4 has 4; 2, 8, 9, 12, 14 have 3; 3 has 1; the other 8 people have 2.
# Bridging (ties to another unit): 14 has 2 (to 9 and 12); 0, 2, 9, 12 have 1; the rest 0.
# Betweenness: a triangle's two other corners are tied directly, so no shortest path goes
#   round one; a person is on the shortest path of exactly the pairs that removing them
#   separates. Removing 14 leaves {0,1,2,4,5,6,7} (7), {3,8,9,10} (4), {11,12,13} (3):
#   7*4 + 7*3 + 4*3 = 61 pairs. Likewise 1: 6 * 8 = 48; 0: 5 * 9 = 45; 2: 4 * 10 = 40;
#   9: 3 * 11 = 33; 4: 2 * 12 = 24; 12: 2 * 12 = 24; 8: 1 * 13 = 13; everyone else 0.
# Pilot scores per unit (HQ, Sales, Ops, Lab): largest = headcount (3, 5, 4, 3), ranked
#   Sales, Ops, HQ, Lab (HQ before Lab on the tie); connected = tie ends per person
#   (7/3, 13/5, 9/4, 7/3), ranked Sales, HQ, Lab, Ops; open = share of tie ends leaving
#   the unit (3/7, 1/13, 1/9, 1/7), ranked HQ, Lab, Ops, Sales.
EDGES = [
    (0, 1), (1, 14), (2, 4), (2, 5), (4, 5), (4, 6), (4, 7), (6, 7), (3, 8), (8, 9), (8, 10),
    (9, 10), (11, 12), (11, 13), (12, 13), (0, 2), (9, 14), (12, 14),
]  # fmt: skip
MANAGER = [-1, 0, 0, 0, 2, 2, 4, 4, 3, 8, 8, 3, 11, 11, 1]
UNIT = [0, 0, 1, 2, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0]

EVERYONE = list(range(15))
HQ, SALES, OPS, LAB = [0, 1, 14], [2, 4, 5, 6, 7], [3, 8, 9, 10], [11, 12, 13]
LEVELS = [[0], [1, 2, 3], [4, 5, 8, 11, 14], [6, 7, 9, 10, 12, 13]]


@pytest.fixture(scope="module")
def org():
    src, dst = (np.array(side) for side in zip(*EDGES, strict=True))
    return Org(
        manager=np.array(MANAGER),
        unit=np.array(UNIT),
        unit_names=["HQ", "Sales", "Ops", "Lab"],
        network=networks.from_edges(src, dst, 15),
    )


class FakeState:
    """What a schedule reads from a run: each person's stage on a ladder of behaviors."""

    def __init__(self, n=15, n_behaviors=3):
        self.stage = np.zeros(n, dtype=np.int8)
        self.n_behaviors = n_behaviors


def plan_of(org, seed=0, **kwargs):
    return Rollout(**kwargs).plan(org, np.random.default_rng(seed))


def ids(mask):
    return np.flatnonzero(mask).tolist()


def union(*groups):
    return sorted(set().union(*groups))


def test_the_org_is_as_drawn(org):
    # The drawing above is what every hand computation starts from.
    assert [ids(org.level == level) for level in range(4)] == LEVELS
    assert [ids(org.unit == u) for u in range(4)] == [HQ, SALES, OPS, LAB]
    assert ids(org.span > 0) == [0, 1, 2, 3, 4, 8, 11]
    assert np.diff(org.network.indptr).tolist() == [2, 2, 3, 1, 4, 2, 2, 2, 3, 3, 2, 2, 3, 2, 3]


# -- access: who has the platform in which week -------------------------------------------


def test_company_wide_gives_everyone_access_at_week_0(org):
    plan, first = plan_of(org, scope="company_wide")
    for t in range(6):
        assert ids(plan.week(t).access) == EVERYONE
    assert plan.opened == [0]
    assert plan.expanded_at is None
    # Hierarchical by default, top_levels=2: the first adopters are levels 0 and 1.
    assert first.tolist() == [0, 1, 2, 3]


def test_pilot_by_name_opens_the_rest_at_expand_week(org):
    plan, _ = plan_of(org, scope="pilot", pilot_units=["Sales"], expand_week=3)
    for t in (0, 1, 2):
        assert ids(plan.week(t).access) == SALES
    assert plan.expanded_at is None and plan.opened == [0]
    for t in (3, 4, 10):
        assert ids(plan.week(t).access) == EVERYONE
    assert plan.expanded_at == 3 and plan.opened == [0, 3]


def test_pilot_of_two_units_by_name(org):
    plan, _ = plan_of(org, scope="pilot", pilot_units=["Lab", "HQ"], expand_week=2)
    assert ids(plan.week(1).access) == union(HQ, LAB)
    assert ids(plan.week(2).access) == EVERYONE


@pytest.mark.parametrize(
    ("choice", "waves"),
    [
        # One unit in the pilot (round(0.25 * 4) = 1), then one unit a wave by score.
        ("largest", [[1], [2], [0], [3]]),
        ("connected", [[1], [0], [3], [2]]),
        ("open", [[0], [3], [2], [1]]),
    ],
)
def test_waves_follow_the_pilot_choice_scores(org, choice, waves):
    plan, _ = plan_of(
        org, scope="pilot", pilot_choice=choice, pilot_share=0.25, wave_units=1, expand_week=3
    )
    assert [w.tolist() for w in plan.waves] == waves


def test_waves_open_at_expand_week_then_every_wave_weeks(org):
    # Largest first: Sales (pilot), then Ops at 3, HQ at 3 + 2 = 5, Lab at 5 + 2 = 7.
    plan, _ = plan_of(
        org,
        scope="pilot",
        pilot_choice="largest",
        pilot_share=0.25,
        wave_units=1,
        wave_weeks=2,
        expand_week=3,
    )
    expected = {
        0: SALES,
        2: SALES,
        3: union(SALES, OPS),
        4: union(SALES, OPS),
        5: union(SALES, OPS, HQ),
        6: union(SALES, OPS, HQ),
        7: EVERYONE,
        12: EVERYONE,
    }
    for t, people in expected.items():
        assert ids(plan.week(t).access) == people, t
    assert plan.opened == [0, 3, 5, 7]
    assert plan.expanded_at == 3


def test_waves_of_two_units(org):
    # After Sales: Ops and HQ (the next two by headcount) at 3, then Lab at 3 + 4 = 7.
    plan, _ = plan_of(
        org,
        scope="pilot",
        pilot_choice="largest",
        pilot_share=0.25,
        wave_units=2,
        wave_weeks=4,
        expand_week=3,
    )
    assert [w.tolist() for w in plan.waves] == [[1], [2, 0], [3]]
    assert ids(plan.week(2).access) == SALES
    assert ids(plan.week(3).access) == union(SALES, OPS, HQ)
    assert ids(plan.week(6).access) == union(SALES, OPS, HQ)
    assert ids(plan.week(7).access) == EVERYONE
    assert plan.opened == [0, 3, 7]


# -- the share trigger --------------------------------------------------------------------


def share_plan(org, **kwargs):
    settings = dict(scope="pilot", pilot_units=["Sales"], expand_week=None, expand_share=0.5)
    return plan_of(org, direction="decentralized", **{**settings, **kwargs})


def test_share_trigger_opens_the_next_wave_on_the_next_call(org):
    plan, _ = share_plan(org)
    state = FakeState()
    plan.week(0, state)
    # Half of Sales' 5 people is 2.5: the rest open once 3 of them use the platform.
    # People outside the pilot never count, however far up the ladder they are.
    state.stage[union(HQ, OPS, LAB)] = 3
    state.stage[[2, 4]] = [1, 3]
    for t in (1, 2, 3):
        assert ids(plan.week(t, state).access) == SALES
    assert plan.expanded_at is None and plan.opened == [0]
    state.stage[6] = 2  # the third user in Sales: 3 >= 2.5
    assert ids(plan.week(4, state).access) == EVERYONE
    assert plan.expanded_at == 4 and plan.opened == [0, 4]
    # Earlier weeks keep what they were.
    assert ids(plan.week(3, state).access) == SALES


def test_share_trigger_is_reached_at_the_share_exactly(org):
    # 0.4 * 5 = 2: two users are enough.
    plan, _ = share_plan(org, expand_share=0.4)
    state = FakeState()
    plan.week(0, state)
    state.stage[[5, 7]] = 1
    assert ids(plan.week(1, state).access) == EVERYONE
    assert plan.expanded_at == 1


def test_share_trigger_without_a_state_never_fires(org):
    plan, _ = share_plan(org)
    assert ids(plan.week(30).access) == SALES
    assert plan.expanded_at is None


def test_expand_week_is_the_deadline_when_the_share_never_comes(org):
    plan, _ = share_plan(org, expand_week=4)
    state = FakeState()  # nobody ever uses the platform
    plan.week(0, state)
    assert ids(plan.week(3, state).access) == SALES
    assert ids(plan.week(4, state).access) == EVERYONE
    assert plan.expanded_at == 4


def test_share_before_the_deadline_opens_early(org):
    plan, _ = share_plan(org, expand_week=6)
    state = FakeState()
    plan.week(0, state)
    plan.week(1, state)
    state.stage[[2, 4, 5]] = 1
    assert ids(plan.week(2, state).access) == EVERYONE
    assert plan.opened == [0, 2]


def test_later_waves_follow_a_share_triggered_expansion(org):
    # Largest: Sales is the pilot; Ops, HQ and Lab follow one at a time every 2 weeks.
    plan, _ = share_plan(
        org,
        pilot_units=None,
        pilot_choice="largest",
        pilot_share=0.25,
        wave_units=1,
        wave_weeks=2,
    )
    state = FakeState()
    plan.week(0, state)
    plan.week(1, state)
    state.stage[[2, 4, 6]] = 1
    plan.week(2, state)  # Ops
    plan.week(9, state)
    assert plan.opened == [0, 2, 4, 6]


@pytest.mark.parametrize(
    ("share", "people", "users"), [(0.28, 25, 7), (0.14, 50, 7), (0.07, 100, 7)]
)
def test_share_trigger_at_an_exact_share(share, people, users):
    # share * people lands just above a whole number in floating point
    # (0.28 * 25 = 7.000000000000001): exactly `users` of them must be enough.
    src = np.arange(people)
    org = Org(
        manager=np.array([-1] + [0] * people),
        unit=np.array([0] * people + [1]),
        unit_names=["Big", "Small"],
        network=networks.from_edges(src, src + 1, people + 1),
    )
    plan, _ = plan_of(
        org,
        scope="pilot",
        pilot_units=["Big"],
        expand_week=None,
        expand_share=share,
        direction="decentralized",
    )
    state = FakeState(n=people + 1)
    plan.week(0, state)
    state.stage[: users - 1] = 1
    plan.week(1, state)
    assert plan.expanded_at is None
    state.stage[users - 1] = 1
    plan.week(2, state)
    assert plan.expanded_at == 2


def test_a_new_state_at_week_0_starts_the_schedule_over(org):
    plan, _ = share_plan(org, training_capacity=2, training_priority="managers")
    first = FakeState()
    plan.week(0, first)
    first.stage[SALES] = 1
    plan.week(3, first)
    assert plan.opened == [0, 1] and plan.trained_people == 6
    second = FakeState()  # a new run: nobody uses the platform yet
    assert ids(plan.week(0, second).access) == SALES
    assert plan.opened == [0] and plan.trained_people == 0
    assert ids(plan.week(3, second).access) == SALES


# -- leaders, champions and the first adopters --------------------------------------------


@pytest.mark.parametrize(
    ("choice", "share", "champions"),
    [
        # 0.2 * 15 = 3 champions among everyone (company-wide, decentralized).
        # Degree: 4 (4 ties), then the lowest ids with 3 ties: 2 and 8.
        ("degree", 0.2, [2, 4, 8]),
        # Bridging: 14 (2 ties across), then the lowest ids with 1: 0 and 2.
        ("bridging", 0.2, [0, 2, 14]),
        # Betweenness: 14 (61), 1 (48), 0 (45).
        ("betweenness", 0.2, [0, 1, 14]),
        # Team, round(0.47 * 15) = 7 champions for 7 teams (a manager's reports): each
        # team's best connected, ties to the lower id. Teams of 0: {1, 2, 3} -> 2;
        # of 1: {14} -> 14; of 2: {4, 5} -> 4; of 3: {8, 11} -> 8; of 4: {6, 7} -> 6;
        # of 8: {9, 10} -> 9; of 11: {12, 13} -> 12. Every team drawn: no chance left.
        ("team", 0.47, [2, 4, 6, 8, 9, 12, 14]),
        # 9 champions: the 7 team leads, then the best connected of the rest
        # (0, 1, 3, 5, 7, 10, 11, 13: all 2 ties but 3): 0 and 1.
        ("team", 0.6, [0, 1, 2, 4, 6, 8, 9, 12, 14]),
    ],
)
def test_decentralized_champions_by_choice(org, choice, share, champions):
    plan, first = plan_of(org, direction="decentralized", champions=share, champion_choice=choice)
    assert plan.champions.tolist() == champions
    assert plan.leaders.tolist() == []
    assert first.tolist() == champions


def test_team_champions_are_one_per_team_drawn_with_the_seed(org):
    # 3 champions for 7 teams: 3 of the team leads (2, 14, 4, 8, 6, 9, 12), teams at random.
    leads_by_manager = {0: 2, 1: 14, 2: 4, 3: 8, 4: 6, 8: 9, 11: 12}
    drawn = set()
    for seed in range(8):
        plan, _ = plan_of(
            org, seed=seed, direction="decentralized", champions=0.2, champion_choice="team"
        )
        champions = plan.champions.tolist()
        managers = [MANAGER[c] for c in champions]
        assert len(set(managers)) == 3
        assert all(leads_by_manager[m] == c for m, c in zip(managers, champions, strict=True))
        again, _ = plan_of(
            org, seed=seed, direction="decentralized", champions=0.2, champion_choice="team"
        )
        assert again.champions.tolist() == champions
        drawn.add(tuple(champions))
    assert len(drawn) > 1  # the teams are drawn, not fixed


def test_random_champions_follow_the_seed_and_stay_in_the_pilot(org):
    kwargs = dict(
        scope="pilot",
        pilot_units=["Sales", "Ops"],
        direction="decentralized",
        champions=0.2,
        champion_choice="random",
    )
    drawn = set()
    for seed in range(8):
        plan, first = plan_of(org, seed=seed, **kwargs)
        champions = plan.champions.tolist()
        assert len(champions) == 3 and set(champions) <= set(SALES + OPS)
        assert champions == sorted(champions) and first.tolist() == champions
        assert plan_of(org, seed=seed, **kwargs)[0].champions.tolist() == champions
        drawn.add(tuple(champions))
    assert len(drawn) > 1


def test_decentralized_pilot_places_champions_in_the_pilot(org):
    # Among Sales only: 4 (4 ties), 2 (3), then 5 (2 ties, the lowest id of 5, 6, 7).
    plan, _ = plan_of(
        org,
        scope="pilot",
        pilot_units=["Sales"],
        direction="decentralized",
        champions=0.2,
        champion_choice="degree",
    )
    assert plan.champions.tolist() == [2, 4, 5]


def test_hybrid_first_adopters_are_leaders_and_champions(org):
    # top_levels=1: the leader is 0; champions among the others by betweenness:
    # 14 (61), 1 (48), then 2 (40) since 0 (45) leads already.
    plan, first = plan_of(
        org, direction="hybrid", top_levels=1, champions=0.2, champion_choice="betweenness"
    )
    assert plan.leaders.tolist() == [0]
    assert plan.champions.tolist() == [1, 2, 14]
    assert first.tolist() == [0, 1, 2, 14]


# -- the message: endorsement and commitment ----------------------------------------------


@pytest.mark.parametrize(
    ("top_levels", "leaders", "reached", "static_from"),
    [
        # Person at level L hears the message at week max(0, L - max(top_levels, 1) + 1).
        # top_levels 0 and 1: a level a week from the top; 0 has no leaders.
        (0, [], [LEVELS[0], LEVELS[0] + LEVELS[1], EVERYONE[:4] + LEVELS[2]], 3),
        (1, [0], [LEVELS[0], LEVELS[0] + LEVELS[1], EVERYONE[:4] + LEVELS[2]], 3),
        # top_levels 2: levels 0-1 at week 0, level 2 at week 1, level 3 at week 2.
        (2, [0, 1, 2, 3], [[0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 8, 11, 14]], 2),
        # top_levels 3: levels 0-2 at week 0, level 3 at week 1.
        (3, [0, 1, 2, 3, 4, 5, 8, 11, 14], [[0, 1, 2, 3, 4, 5, 8, 11, 14]], 1),
        # top_levels 4: everyone at week 0.
        (4, EVERYONE, [], 0),
    ],
)
def test_hierarchical_message_goes_down_a_level_a_week(
    org, top_levels, leaders, reached, static_from
):
    plan, first = plan_of(org, direction="hierarchical", top_levels=top_levels, commitment=0.6)
    assert plan.leaders.tolist() == leaders
    assert plan.champions.tolist() == []
    assert first.tolist() == leaders
    by_week = [*reached, EVERYONE, EVERYONE]
    for t, people in enumerate(by_week):
        week = plan.week(t)
        assert ids(week.endorsing) == people, t
        # Everyone has access: perceived commitment is the full 0.6 once reached.
        assert week.commitment.tolist() == [0.6 if i in people else 0.0 for i in EVERYONE], t
        assert plan.static == (t >= static_from), t


def test_hierarchical_pilot_message_and_commitment(org):
    # Sales (5 of 15) first, top_levels=2: 2 (level 1) hears at 0, 4 and 5 (level 2) at 1,
    # 6 and 7 (level 3) at 2. The rest get access at 3: 0, 1, 3 hear at 3, 8, 11, 14 at 4,
    # 9, 10, 12, 13 at 5. The launch effort 0.6 reaches whom the message reached; the share
    # with access, 5/15 for the pilot, then 1, scales it as the rule's kappa says.
    plan, first = plan_of(
        org,
        scope="pilot",
        pilot_units=["Sales"],
        expand_week=3,
        direction="hierarchical",
        top_levels=2,
        commitment=0.6,
    )
    assert plan.leaders.tolist() == [2]  # the pilot's only person above level 2
    assert first.tolist() == [2]
    expected = [
        ([2], 5 / 15),
        ([2, 4, 5], 5 / 15),
        ([2, 4, 5, 6, 7], 5 / 15),
        ([0, 1, 2, 3, 4, 5, 6, 7], 1.0),
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 14], 1.0),
        (EVERYONE, 1.0),
    ]
    for t, (people, coverage) in enumerate(expected):
        week = plan.week(t)
        assert ids(week.endorsing) == people, t
        want = [0.6 if i in people else 0.0 for i in EVERYONE]
        assert week.commitment.tolist() == pytest.approx(want), t
        assert week.coverage == pytest.approx(coverage), t
        assert plan.static == (t == 5), t


def test_decentralized_nobody_endorses_and_everyone_hears_at_once(org):
    plan, _ = plan_of(
        org,
        scope="pilot",
        pilot_units=["Ops"],
        expand_week=2,
        direction="decentralized",
        commitment=0.6,
    )
    for t in range(4):
        assert not plan.week(t).endorsing.any()
    # Broadcast: the pilot (4 of 15) hears the launch (0.6) from week 0, at coverage 4/15.
    want = [0.6 if i in OPS else 0.0 for i in EVERYONE]
    assert plan.week(0).commitment.tolist() == pytest.approx(want)
    assert plan.week(0).coverage == pytest.approx(4 / 15)
    assert plan.week(2).commitment.tolist() == pytest.approx([0.6] * 15)
    assert plan.week(2).coverage == 1.0


def test_hybrid_endorses_from_the_access_week(org):
    # HQ and Sales first (8 of 15), top_levels=2: leaders 0, 1, 2; 3 champions among
    # 4, 5, 6, 7, 14 by bridging: 14 (2 ties across), then 4 and 5 (0, lowest ids).
    plan, first = plan_of(
        org,
        scope="pilot",
        pilot_units=["HQ", "Sales"],
        expand_week=3,
        direction="hybrid",
        top_levels=2,
        champions=0.2,
        champion_choice="bridging",
        commitment=0.6,
    )
    assert plan.leaders.tolist() == [0, 1, 2]
    assert plan.champions.tolist() == [4, 5, 14]
    assert first.tolist() == [0, 1, 2, 4, 5, 14]
    pilot = union(HQ, SALES)
    for t in (0, 1, 2):
        week = plan.week(t)
        assert ids(week.endorsing) == pilot
        want = [0.6 if i in pilot else 0.0 for i in EVERYONE]
        assert week.commitment.tolist() == pytest.approx(want)
        assert week.coverage == pytest.approx(8 / 15)
    assert ids(plan.week(3).endorsing) == EVERYONE
    assert plan.week(3).commitment.tolist() == pytest.approx([0.6] * 15)


# -- training -----------------------------------------------------------------------------


def trained_by_week(plan, weeks, state=None):
    """People newly trained each week, and the running count."""
    new, counts, before = [], [], set()
    for t in range(weeks):
        now = set(ids(plan.week(t, state).trained > 0))
        assert now >= before  # training is never taken back
        new.append(sorted(now - before))
        counts.append(plan.trained_people)
        before = now
    return new, counts


def test_training_managers_first_by_level_then_id(org):
    # Managers 0; 1, 2, 3; 4, 8, 11; then the others by level: 5, 14; 6, 7, 9, 10, 12, 13.
    plan, _ = plan_of(org, training_capacity=2, training_priority="managers")
    new, counts = trained_by_week(plan, 10)
    assert new == [[], [0, 1], [2, 3], [4, 8], [5, 11], [6, 14], [7, 9], [10, 12], [13], []]
    assert counts == [0, 2, 4, 6, 8, 10, 12, 14, 15, 15]
    assert plan.week(3).trained.tolist() == [
        1.0 if i in (0, 1, 2, 3, 4, 8) else 0.0 for i in EVERYONE
    ]
    # The message is down by week 2; training is over only at week 8.
    fresh, _ = plan_of(org, training_capacity=2, training_priority="managers")
    fresh.week(7)
    assert not fresh.static
    fresh.week(8)
    assert fresh.static


def test_training_most_connected_first(org):
    # Ties: 4 (4); 2, 8, 9, 12, 14 (3); 0, 1, 5, 6, 7, 10, 11, 13 (2); 3 (1).
    plan, _ = plan_of(
        org, direction="decentralized", training_capacity=4, training_priority="connected"
    )
    new, counts = trained_by_week(plan, 6)
    assert new == [[], [2, 4, 8, 9], [0, 1, 12, 14], [5, 6, 7, 10], [3, 11, 13], []]
    assert counts == [0, 4, 8, 12, 15, 15]


def test_training_adopters_first_reads_the_state(org):
    plan, _ = plan_of(org, training_capacity=2, training_priority="adopters")
    state = FakeState()
    plan.week(0, state)
    state.stage[[10, 5, 13]] = [3, 2, 1]
    assert ids(plan.week(1, state).trained > 0) == [5, 10]
    # 10 and 5 are trained already: now 7 (stage 3) and 13 (stage 1) lead.
    state.stage[7] = 3
    assert ids(plan.week(2, state).trained > 0) == [5, 7, 10, 13]
    assert plan.trained_people == 4


def test_training_random_follows_the_seed(org):
    def run(seed):
        plan, _ = plan_of(org, seed=seed, training_capacity=3, training_priority="random")
        return trained_by_week(plan, 7)

    new, counts = run(4)
    assert counts == [0, 3, 6, 9, 12, 15, 15]
    assert all(len(people) == 3 for people in new[1:6])
    assert sorted(i for people in new for i in people) == EVERYONE
    assert run(4) == (new, counts)
    assert run(5)[0] != new


def test_training_waits_for_access_and_champions_train_at_week_0(org):
    # Sales first, champion 4 (round(0.07 * 15) = 1, most ties in Sales), trained at week 0.
    # Managers order among Sales: 2, 5, 6, 7. Then nobody with access is left until the
    # rest open at 4: 0, 1; 3, 8; 11, 14; 9, 10; 12, 13.
    plan, first = plan_of(
        org,
        scope="pilot",
        pilot_units=["Sales"],
        expand_week=4,
        direction="decentralized",
        champions=0.07,
        champion_choice="degree",
        training_capacity=2,
        training_priority="managers",
    )
    assert first.tolist() == [4]
    new, counts = trained_by_week(plan, 10)
    assert new == [[4], [2, 5], [6, 7], [], [0, 1], [3, 8], [11, 14], [9, 10], [12, 13], []]
    assert counts == [1, 3, 5, 5, 7, 9, 11, 13, 15, 15]


# -- pilot learning -----------------------------------------------------------------------


def test_later_waves_start_with_what_the_pilot_learned(org):
    # Sales first, then Ops at 2, HQ at 4, Lab at 6; pilot_learning 0.5, 3 behaviors.
    plan, _ = plan_of(
        org,
        scope="pilot",
        pilot_choice="largest",
        pilot_share=0.25,
        wave_units=1,
        wave_weeks=2,
        expand_week=2,
        pilot_learning=0.5,
    )
    state = FakeState(n_behaviors=3)
    plan.week(0, state)
    plan.week(1, state)
    assert not plan.week(1, state).learning.any()
    # Person 2 is the pilot's leader (seeded): what the pilot learns comes from 4, 5, 6, 7,
    # who hold 2 + 1 + 0 + 0 = 3 behaviors, 3/4 = 0.75 each, 0.25 of the ladder: Ops starts
    # with 0.5 * 0.25 = 0.125 learned. The leader's and HQ's 3 behaviors do not count.
    state.stage[[2, 4, 5, 0]] = [3, 2, 1, 3]
    want = [0.125 if i in OPS else 0.0 for i in EVERYONE]
    assert plan.week(2, state).learning.tolist() == pytest.approx(want)
    assert plan.week(3, state).learning.tolist() == pytest.approx(want)
    # All of Sales at the top by week 4: HQ starts with 0.5 * 1 = 0.5; Ops keeps 0.125.
    state.stage[SALES] = 3
    want = [0.125 if i in OPS else 0.5 if i in HQ else 0.0 for i in EVERYONE]
    assert plan.week(4, state).learning.tolist() == pytest.approx(want)
    # Only the seeded leader at the top by week 6: Lab learns nothing from him.
    state.stage[SALES] = [3, 0, 0, 0, 0]
    want = [0.125 if i in OPS else 0.5 if i in HQ else 0.0 for i in EVERYONE]
    assert plan.week(6, state).learning.tolist() == pytest.approx(want)


# -- costs ---------------------------------------------------------------------------------


def test_cost_by_hand_and_in_the_summary(org):
    rollout = Rollout(
        scope="pilot",
        pilot_units=["HQ", "Sales"],
        expand_week=3,
        direction="hybrid",
        top_levels=2,
        champions=0.2,
        champion_choice="bridging",
        training_capacity=2,
        training_priority="managers",
        commitment=0.6,
        safety=0.4,
        cost_champion=10.0,
        cost_trainee=1.0,
        cost_leader=2.0,
        cost_launch=100.0,
        cost_safety=50.0,
        cost_endorser=3.0,
    )
    plan, _ = rollout.plan(org, np.random.default_rng(0))
    # Leaders 0, 1, 2; champions 4, 5, 14 trained at week 0; then among the pilot by the
    # managers order: 0, 1 at week 1; 2, 6 at week 2: 7 trained.
    plan.week(2)
    assert plan.trained_people == 7
    cost = rollout.cost(plan)
    assert cost == {
        "champions": 3 * 10.0,
        "training": 7 * 1.0,
        "leaders": 3 * 2.0,
        "launch": 100.0 * 0.6,
        "safety": 50.0 * 0.4,
        # A hybrid rollout asks the managers its message reaches, at once: 0, 1, 2 and 4
        # of the pilot's units.
        "endorsers": 4 * 3.0,
    }
    assert plan.week(2).safety == 0.4
    adoption = pd.DataFrame(
        {
            "step": [0, 1],
            "behavior": ["consume", "consume"],
            "adopters": [6, 9],
            "fraction": [6 / 15, 9 / 15],
            "lapses": [0, 0],
        }
    )
    record = summary(adoption, cost=cost)
    assert record["cost_total"] == pytest.approx(30 + 7 + 6 + 60 + 20 + 12)
    assert record["cost_champions"] == 30.0 and record["cost_safety"] == pytest.approx(20.0)
    assert record["adopters_per_cost_consume"] == pytest.approx(9 / 135)
    # Training goes on as the rest open at 3: 3 and 8 that week; their managers 3, 8, 11
    # are asked too.
    plan.week(3)
    assert rollout.cost(plan)["training"] == 9.0 and rollout.cost(plan)["endorsers"] == 21.0
    # Nobody asks managers in a decentralized rollout.
    quiet = replace(rollout, direction="decentralized")
    quiet_plan, _ = quiet.plan(org, np.random.default_rng(0))
    quiet_plan.week(3)
    assert quiet.cost(quiet_plan)["endorsers"] == 0.0


def test_cost_without_a_safety_policy(org):
    rollout = Rollout()  # hierarchical, top_levels 2, no champions (round(0.3) = 0)
    plan, _ = rollout.plan(org, np.random.default_rng(0))
    assert rollout.cost(plan) == {
        "champions": 0.0,
        "training": 0.0,
        "leaders": 4 * 2.0,
        "launch": 100.0 * 0.5,
        "safety": 0.0,
        "endorsers": 0.25 * plan.asked,  # a quarter of a person-day per manager asked so far
    }
    assert plan.asked == 4  # the top two levels, asked at week 0
    assert plan.week(0).safety is None


# -- static plans and shared weeks ----------------------------------------------------------


def test_a_settled_plan_returns_the_same_week(org):
    # Company-wide, broadcast, no training: nothing ever changes.
    plan, _ = plan_of(org, direction="decentralized")
    assert plan.static
    assert plan.week(7) is plan.week(0)


def test_a_new_week_only_when_something_changed(org):
    plan, _ = plan_of(org, direction="hierarchical", top_levels=2)
    w0, w1, w2, w3 = (plan.week(t) for t in range(4))
    assert w1 is not w0 and w2 is not w1
    assert w3 is w2 and plan.week(9) is w2
    # The parts that did not change are the same arrays.
    assert w1.access is w0.access and w1.trained is w0.trained
    assert w1.endorsing is not w0.endorsing
    with pytest.raises(ValueError):
        w1.access[0] = False  # read-only


def test_a_pilot_is_static_once_the_last_wave_opened(org):
    plan, _ = plan_of(org, scope="pilot", pilot_units=["Sales"], expand_week=3,
                      direction="decentralized")  # fmt: skip
    w0 = plan.week(0)
    assert plan.week(1) is w0 and plan.week(2) is w0
    assert not plan.static
    w3 = plan.week(3)
    assert w3 is not w0 and plan.static
    assert plan.week(4) is w3 and plan.week(1) is w0


# -- a run --------------------------------------------------------------------------------

# Sales first, everyone once 0.6 of its 5 people (3) use the platform; the
# champion is Sales' best-connected person.
SALES_ON_SHARE = dict(
    scope="pilot",
    pilot_units=["Sales"],
    expand_week=None,
    expand_share=0.6,
    direction="decentralized",
    champions=0.07,
    champion_choice="degree",
)


def test_a_run_opens_access_at_the_expansion_week(org):
    plan, first = plan_of(org, scope="pilot", pilot_units=["Sales"], expand_week=6)
    model = OrgModel(org=org, rule=rules.Organizational(), plan=plan, initial_adopters=first,
                     seed=0).run(20)  # fmt: skip
    table = model.adoption
    access = table.groupby("step")["with_access"].first()
    assert access.index.tolist() == list(range(21))
    assert access.tolist() == [5] * 6 + [15] * 15


def test_a_run_expands_the_week_after_the_pilot_reaches_the_share(org):
    # 0.6 of Sales' 5 people is 3 users. No lapses: someone uses the platform in week w
    # if they first adopted by w.
    plan, first = plan_of(org, **SALES_ON_SHARE)
    model = OrgModel(org=org, rule=rules.Organizational(lapse_rate=0.0), plan=plan,
                     initial_adopters=first, seed=0).run(20)  # fmt: skip
    e = plan.expanded_at
    assert e is not None
    at = model.adopted_at[SALES]

    def users(week):
        return int(np.count_nonzero((at >= 0) & (at <= week)))

    assert users(e - 1) >= 3 and users(e - 2) < 3
    access = model.adoption.groupby("step")["with_access"].first().tolist()
    assert access == [5] * e + [15] * (21 - e)


def test_the_same_plan_serves_two_runs_alike(org):
    plan, first = plan_of(org, **SALES_ON_SHARE, training_capacity=1, training_priority="adopters")

    def run():
        model = OrgModel(org=org, rule=rules.Organizational(), plan=plan, initial_adopters=first,
                         seed=0).run(15)  # fmt: skip
        return model.adoption, plan.opened, plan.trained_people

    table, opened, trained = run()
    again, opened_again, trained_again = run()
    pd.testing.assert_frame_equal(table, again)
    assert (opened, trained) == (opened_again, trained_again)


# -- bad parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"expand_week": None, "expand_share": None}, "expand_week"),
        ({"wave_units": 0}, "wave_units"),
        ({"wave_weeks": 0}, "wave_weeks"),
        ({"champion_choice": "x"}, "champion_choice"),
        ({"training_priority": "x"}, "training_priority"),
        ({"direction": "x"}, "direction"),
        ({"training_capacity": -1}, "training_capacity"),
        ({"safety": 2}, "safety"),
        ({"cost_champion": -1}, "cost_champion"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Rollout(scope="pilot", **kwargs)
