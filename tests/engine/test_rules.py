"""Rules validate every parameter with a message that names it and its range."""

import numpy as np
import pytest

from sim import OrgModel, networks, rules


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: rules.Threshold(theta=1.5),
            ValueError,
            r"^The 'theta' parameter of Threshold must be a float in the range \[0, 1\]\. "
            r"Got 1\.5 instead\.$",
        ),
        (lambda: rules.Threshold(theta=-0.1), ValueError, r"'theta' .* \[0, 1\]"),
        (lambda: rules.Threshold(theta=float("nan")), ValueError, r"'theta' .* Got nan"),
        (lambda: rules.Threshold(theta="high"), TypeError, r"'theta' .* Got 'high'"),
        (lambda: rules.Threshold(theta=True), TypeError, r"'theta' parameter of Threshold"),
        (
            lambda: rules.Threshold(theta=[0.1, 0.2, 1.2]),
            ValueError,
            r"'theta' parameter of Threshold must hold floats in the range \[0, 1\]; "
            r"entry 2 is 1\.2\.",
        ),
        (lambda: rules.Threshold(theta=[[0.1]]), ValueError, r"1-D array"),
        (lambda: rules.Threshold(theta=[]), ValueError, r"non-empty 1-D array"),
        (lambda: rules.Threshold(theta=-1, absolute=True), ValueError, r"range \[0, inf\)"),
        (lambda: rules.Threshold(theta=np.inf, absolute=True), ValueError, r"Got inf"),
        (lambda: rules.Threshold(theta=[0.1, np.inf]), ValueError, r"entry 1 is inf"),
        (lambda: rules.Threshold(theta=[0.1j]), TypeError, r"array of floats"),
        (lambda: rules.Threshold(theta=0.2, absolute=1), TypeError, r"'absolute' .* bool"),
        (lambda: rules.Bass(p=-0.1, q=0.3), ValueError, r"'p' parameter of Bass .* \[0, 1\]"),
        (lambda: rules.Bass(p=0.1, q=1.3), ValueError, r"'q' parameter of Bass .* \[0, 1\]"),
        (lambda: rules.Bass(p=0.5, q=0.6), ValueError, r"add up to at most 1.* 1\.1"),
        (lambda: rules.Bass(p=0.1, q=0.3, well_mixed="yes"), TypeError, r"'well_mixed'"),
        (
            lambda: rules.IndependentCascade(p=2),
            ValueError,
            r"'p' parameter of IndependentCascade must be a float in the range \[0, 1\]",
        ),
    ],
)
def test_rules_reject(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_absolute_theta_may_exceed_one():
    assert rules.Threshold(theta=3, absolute=True).absolute


def test_per_node_theta_must_match_the_network(ring):
    rule = rules.Threshold(theta=np.full(7, 0.2))
    with pytest.raises(ValueError, match=r"'theta' .* has 7 values but the network has 10 nodes"):
        OrgModel(network=ring, rule=rule)


def test_rule_parameters_are_frozen():
    rule = rules.Bass(p=0.03, q=0.38)
    with pytest.raises(AttributeError):
        rule.p = 0.5
    assert rules.Bass(p=0, q=1).p == 0.0  # ints are accepted and stored as floats


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"initial_adopters": [0, 10]}, ValueError, r"node id 10, out of range .* 10 nodes"),
        ({"initial_adopters": [-1]}, ValueError, r"node id -1"),
        ({"initial_adopters": 1.5}, ValueError, r"share in \[0, 1\)"),
        ({"initial_adopters": ["a"]}, TypeError, r"sequence of int node ids"),
        ({"seed": 1.5}, TypeError, r"'seed' parameter of OrgModel must be a non-negative int"),
        ({"seed": -1}, ValueError, r"'seed' parameter of OrgModel must be a non-negative int"),
        ({"rng": 5}, TypeError, r"'rng' parameter of OrgModel must be a numpy.random.Generator"),
        (
            {"seed": 1, "rng": np.random.default_rng(1)},
            ValueError,
            r"either 'seed' or 'rng', not both",
        ),
        ({"network": "ring"}, TypeError, r"'network' .* sim.networks.Network"),
        ({"rule": "threshold"}, TypeError, r"'rule' .* rules.Threshold"),
    ],
)
def test_model_rejects(ring, kwargs, error, message):
    args = {"network": ring, "rule": rules.Threshold(theta=0.2)} | kwargs
    with pytest.raises(error, match=message):
        OrgModel(**args)


def test_model_keyword_only(ring):
    with pytest.raises(TypeError):
        OrgModel(ring, rules.Threshold(theta=0.2))


def test_well_mixed_network_accepts_every_rule():
    net = networks.complete(50)
    for rule in (rules.Threshold(0.1), rules.Bass(0.1, 0.2), rules.IndependentCascade(0.1)):
        model = OrgModel(network=net, rule=rule, initial_adopters=[0, 1], seed=1).run(5)
        assert model.adoption.adopters.is_monotonic_increasing


def test_theta_array_stays_the_callers():
    theta = np.array([0.1, 0.2, 0.3])
    rules.Threshold(theta=theta)
    theta[0] = 0.5  # still writeable, and the rule kept its own copy
    assert theta[0] == 0.5


@pytest.mark.parametrize(
    ("steps", "error"), [(2.5, TypeError), ("3", TypeError), (True, TypeError), (-1, ValueError)]
)
def test_run_rejects_bad_steps(ring, steps, error):
    model = OrgModel(network=ring, rule=rules.Threshold(0.2))
    with pytest.raises(error, match=r"run: steps must be an int >= 0"):
        model.run(steps)
