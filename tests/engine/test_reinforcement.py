"""Complex contagion: a rung that demands reinforcement needs several contacts who hold it,
so the network's clustering decides how far it spreads (Centola & Macy 2007; Centola 2010)."""

import dataclasses

import numpy as np
import pytest

from sim import OrgModel, networks, rules
from sim.org import Org
from sim.population import Culture, Population
from sim.rules.organizational import reinforcement_demand
from tests.helpers import OFF, SURE

N = 400


def ring_org(rewire=0.0, weights=None):
    """A ring lattice of 4 ties each (2 on either side), rewired at random by ``rewire``."""
    ring = networks.small_world(N, 4, 0.0, seed=0)
    src = np.repeat(np.arange(N), ring.degrees)
    dst = ring.indices.astype(np.int64)
    keep = src < dst
    net = networks.from_edges(src[keep], dst[keep], N, weights)
    return Org(manager=np.concatenate([[-1], np.zeros(N - 1, dtype=np.int64)]),
               unit=np.zeros(N, dtype=np.int64), unit_names=["All"],
               network=networks.rewired(net, rewire, seed=1))  # fmt: skip


def spread(org, reinforcement, threshold, weeks=300):
    """People holding the one rung after ``weeks``, from 4 neighbours on the ring."""
    rule = rules.Organizational(
        **{**OFF, "peer_weight": 1.0}, **SURE,
        ladder=(rules.Behavior("act", reinforcement=reinforcement),),
    )  # fmt: skip
    people = Population(threshold=np.full(N, threshold), risk_aversion=np.zeros(N),
                        trust=np.zeros(N), influence=np.ones(N))  # fmt: skip
    model = OrgModel(org=org, rule=rule, culture=Culture(), population=people,
                     initial_adopters=np.arange(4), seed=0)  # fmt: skip
    model.run(weeks)
    return int((np.asarray(model.stage) > 0).sum())


def test_a_rung_that_needs_two_contacts_spreads_on_a_clustered_network_only():
    # Demand 2, threshold 0.9: one contact gives (1/2)^2 = 0.25 of the signal, two give all of
    # it. On the ring every next neighbour has two who act; rewired, the seeds' contacts have one.
    assert spread(ring_org(), 2.0, 0.9) == N
    assert spread(ring_org(rewire=1.0), 2.0, 0.9) < N / 10


def test_a_simple_contagion_spreads_at_least_as_far_on_a_random_network():
    # Without a demand one contact of four is a share of 1/4: enough at a threshold of 0.2.
    assert spread(ring_org(), 0.0, 0.2) == N
    assert spread(ring_org(rewire=1.0), 0.0, 0.2) == N


def test_below_the_demand_the_signal_grows_with_the_square_of_the_contacts():
    # Threshold 0.3: one contact of demand 2 gives 0.25 (not enough), while a demand of 1.5
    # gives (1 / 1.5)^2 = 0.44 from one contact (enough). Rewired, a demand of 2 stalls where
    # no one knows two who act; a demand of 1.5 spreads from anyone's one contact.
    assert spread(ring_org(rewire=1.0), 2.0, 0.3) < 10
    assert spread(ring_org(rewire=1.0), 1.5, 0.3) > N / 2


def test_a_contact_counts_the_network_s_mean_tie_weight():
    # The same ring with every tie weighing 3: demands mean contacts, not weight units.
    heavy = ring_org(weights=np.full(2 * N, 3.0))
    assert heavy.network.weights.mean() == 3.0
    demand = reinforcement_demand((rules.Behavior("act", reinforcement=2.0),), heavy.network)
    np.testing.assert_array_equal(demand, [6.0])
    assert spread(heavy, 2.0, 0.9) == N
    assert spread(dataclasses.replace(heavy, network=networks.rewired(heavy.network, 1.0, seed=1)),
                  2.0, 0.9) < N / 10  # fmt: skip


@pytest.mark.parametrize("value", [-0.5, float("nan")])
def test_a_negative_demand_is_refused(value):
    with pytest.raises(ValueError, match="reinforcement"):
        rules.Behavior("act", reinforcement=value)
