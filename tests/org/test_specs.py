"""The org's and the network's specs: constructors store and check their parameters."""

import numpy as np
import pytest

from sim.networks import InvalidParameterError, NetworkSpec
from sim.org import OrgSpec


@pytest.mark.parametrize(
    ("kwargs", "parameter", "said"),
    [
        ({"kind": "lattice"}, "kind", "must be one of informal, erdos_renyi, small_world, "),
        ({"kind": "complete", "people": 1}, "people", "The 'headcount' parameter of org"),
        ({"kind": "small_world", "people": 10, "mean_degree": 3}, "mean_degree", "even number"),
        ({"kind": "small_world", "people": 10, "mean_degree": 4, "rewire": 2}, "rewire", "'p'"),
        ({"kind": "erdos_renyi", "people": 10, "mean_degree": 10}, "mean_degree", "range [0, 9]"),
    ],
)
def test_a_network_spec_names_the_parameter_it_refuses(kwargs, parameter, said):
    with pytest.raises(InvalidParameterError) as refused:
        NetworkSpec(**kwargs)
    assert refused.value.parameter == parameter and said in str(refused.value)


@pytest.mark.parametrize(
    ("kwargs", "parameter", "said"),
    [
        ({"source": "excel"}, "source", "must be 'generate' or 'csv'. Got 'excel'."),
        ({"source": "csv"}, "path", "the org chart CSV to read"),
        ({"headcount": 0}, "hierarchy", "The 'headcount' parameter of org"),
        ({"columns": {"unit": "Department"}}, "columns", "a generated org has none"),
        ({"network": NetworkSpec(openness=2)}, "ties", "The 'openness' parameter of network"),
    ],
)
def test_an_org_spec_names_the_parameter_it_refuses(kwargs, parameter, said):
    with pytest.raises(InvalidParameterError) as refused:
        OrgSpec(**kwargs)
    assert refused.value.parameter == parameter and said in str(refused.value)


def test_an_org_spec_makes_the_org_generate_makes():
    from sim.org import generate

    made = OrgSpec(headcount=60, seed=3, network=NetworkSpec(mean_degree=6)).make()
    same = generate(60, mean_degree=6, seed=3)
    assert np.array_equal(made.manager, same.manager)
    assert np.array_equal(made.network.indices, same.network.indices)


@pytest.mark.parametrize("kind", ["erdos_renyi", "small_world", "complete"])
def test_a_network_alone_is_everyone_at_the_top_of_one_unit_drawn_from_the_seed(kind):
    network = NetworkSpec(kind, mean_degree=4, rewire=0.3, people=30)
    spec = OrgSpec(headcount=30, seed=5, network=network)
    org, again = spec.make(), spec.make()
    assert org.n == 30 and (org.manager == -1).all() and org.unit_names == ("all",)
    assert np.array_equal(org.network.indices, again.network.indices)
    other = spec.make(np.random.default_rng(1))
    if kind != "complete":
        assert not np.array_equal(org.network.indices, other.network.indices)
