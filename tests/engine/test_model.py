"""OrgModel: the public snippet, reproducibility, the table, and Mesa integration."""

import mesa
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import Employee, OrgModel, networks, rules
from tests import reference
from tests.kernels.strategies import network_states


def test_readme_snippet():
    net = networks.from_networkx(nx.watts_strogatz_graph(10_000, 10, 0.1, seed=1))
    model = OrgModel(
        network=net, rule=rules.Threshold(theta=0.18), initial_adopters=[0, 1, 2], seed=7
    )
    model.run(steps=50)
    table = model.adoption
    assert list(table.columns[:5]) == ["step", "behavior", "adopters", "new_adopters", "fraction"]
    assert list(table.step) == list(range(51))
    assert table.adopters.iloc[0] == 3 and table.new_adopters.iloc[0] == 3
    assert (table.behavior == "adopt").all()
    np.testing.assert_array_equal(table.adopters.diff().iloc[1:], table.new_adopters.iloc[1:])
    np.testing.assert_allclose(table.fraction, table.adopters / 10_000)
    assert table.adopters.iloc[-1] == int(model.adopted.sum())
    curve, _ = reference.threshold_run(net, 0.18, [0, 1, 2], 50)
    assert list(table.adopters) == curve


@settings(max_examples=60, deadline=None)
@given(network_states(), st.booleans(), st.integers(0, 2**32 - 1))
def test_threshold_run_equals_full_recompute(case, absolute, seed):
    """Skipping people whose neighbourhood did not change loses nothing."""
    net, adopted, _ = case
    rng = np.random.default_rng(seed)
    theta = rng.integers(0, 4, net.n).astype(float) if absolute else rng.random(net.n) * 0.6
    initial = np.flatnonzero(adopted)
    model = OrgModel(
        network=net, rule=rules.Threshold(theta, absolute=absolute), initial_adopters=initial
    )
    model.run(8)
    curve, final = reference.threshold_run(net, theta, initial, 8, absolute=absolute)
    assert list(model.adoption.adopters) == curve
    np.testing.assert_array_equal(model.adopted, final)


def test_push_and_scan_paths_agree_on_a_large_run():
    """A run long enough to take both the push and the scan path matches the reference."""
    net = networks.small_world(3000, 6, 0.05, seed=11)
    rng = np.random.default_rng(5)
    theta = rng.uniform(0.1, 0.4, net.n)
    model = OrgModel(network=net, rule=rules.Threshold(theta), initial_adopters=[0, 1, 2, 3])
    model.run(60)
    curve, final = reference.threshold_run(net, theta, [0, 1, 2, 3], 60)
    assert list(model.adoption.adopters) == curve
    np.testing.assert_array_equal(model.adopted, final)


def _bass_model(seed):
    net = networks.small_world(2000, 6, 0.1, seed=3)
    return OrgModel(network=net, rule=rules.Bass(0.02, 0.4), initial_adopters=0.01, seed=seed)


def test_same_seed_same_table_different_seed_different():
    a = _bass_model(7).run(30).adoption
    b = _bass_model(7).run(30).adoption
    c = _bass_model(8).run(30).adoption
    assert a.equals(b)
    assert not a.equals(c)


def test_rng_instead_of_seed():
    a = OrgModel(
        network=networks.ring_lattice(100, 4),
        rule=rules.Bass(0.05, 0.3),
        rng=np.random.default_rng(3),
    ).run(10)
    b = OrgModel(network=networks.ring_lattice(100, 4), rule=rules.Bass(0.05, 0.3), seed=3).run(10)
    assert a.adoption.equals(b.adoption)


def test_initial_share_is_drawn_from_the_run_generator():
    net = networks.ring_lattice(1000, 4)
    a = OrgModel(network=net, rule=rules.Threshold(0.9), initial_adopters=0.05, seed=1)
    b = OrgModel(network=net, rule=rules.Threshold(0.9), initial_adopters=0.05, seed=1)
    assert a.adopters == 50
    np.testing.assert_array_equal(a.adopted, b.adopted)


def test_adopted_is_read_only(ring):
    model = OrgModel(network=ring, rule=rules.Threshold(0.2), initial_adopters=[0])
    with pytest.raises(ValueError, match="read-only"):
        model.adopted[3] = True
    np.testing.assert_array_equal(np.flatnonzero(model.adopted_at == 0), [0])


def test_run_keeps_going_after_convergence_but_running_flag_drops(ring):
    model = OrgModel(network=ring, rule=rules.Threshold(0.9), initial_adopters=[0])
    model.run(5)
    assert len(model.adoption) == 6 and not model.running
    assert model.steps == 5


def test_agents_are_lazy_live_views(star):
    model = OrgModel(network=star, rule=rules.IndependentCascade(1.0), initial_adopters=[0])
    assert model._people is None
    people = model.agents
    assert len(people) == 9 and all(isinstance(a, Employee) for a in people)
    leaf = model.people[4]
    assert leaf.index == 4 and not leaf.adopted and leaf.adopted_at is None
    model.step()
    assert leaf.adopted and leaf.adopted_at == 1  # reads the arrays, no copy
    assert leaf.degree == 1 and leaf.neighbors() == [model.people[0]]
    assert sum(a.adopted for a in model.agents) == model.adopters


def test_datacollector_with_agent_reporters(ring):
    model = OrgModel(network=ring, rule=rules.Threshold(0.25), initial_adopters=[0])
    collector = mesa.DataCollector(
        model_reporters={"adopters": "adopters"}, agent_reporters={"adopted": "adopted"}
    )
    collector.collect(model)
    for _ in range(3):
        model.step()
        collector.collect(model)
    agents = collector.get_agent_vars_dataframe()
    per_step = agents.groupby(level="Step")["adopted"].sum()
    assert list(per_step) == list(model.adoption.adopters)
    assert list(collector.get_model_vars_dataframe().adopters) == list(model.adoption.adopters)
    # The model's own collector, used by batch_run, matches too.
    assert list(model.datacollector.get_model_vars_dataframe().adopters) == list(per_step)


def test_batch_run_sweeps_seed():
    net = networks.small_world(300, 4, 0.1, seed=1)
    results = mesa.batch_run(
        OrgModel,
        parameters={
            "network": net,
            "rule": rules.Bass(0.05, 0.3),
            "initial_adopters": [[0]],
            "seed": [1, 2, 3],
        },
        iterations=1,
        max_steps=5,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    finals = {}
    for row in results:
        if row["Step"] == 5:
            finals[row["seed"]] = row["adopters"]
    assert sorted(finals) == [1, 2, 3]
    again = OrgModel(network=net, rule=rules.Bass(0.05, 0.3), initial_adopters=[0], seed=2).run(5)
    assert finals[2] == again.adopters


def _large_network(weighted):
    # Past IN_CACHE_PEOPLE, so the sorted-order and recount paths run too.
    net = networks.small_world(150_000, 8, 0.1, seed=21)
    if not weighted:
        return net
    # Small integer weights keep every sum exact in any order.
    rows = np.repeat(np.arange(net.n), net.degrees)
    upper = rows < net.indices
    weights = np.random.default_rng(2).integers(1, 4, int(upper.sum())).astype(float)
    return networks.from_edges(rows[upper], net.indices[upper].astype(np.int64), net.n, weights)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("initial_share", [0.002, 0.3])
@pytest.mark.parametrize("absolute", [False, True])
def test_large_threshold_runs_equal_the_reference(weighted, initial_share, absolute):
    net = _large_network(weighted)
    rng = np.random.default_rng(9)
    theta = rng.integers(1, 4, net.n).astype(float) if absolute else rng.uniform(0.1, 0.4, net.n)
    initial = np.flatnonzero(rng.random(net.n) < initial_share)
    model = OrgModel(
        network=net, rule=rules.Threshold(theta, absolute=absolute), initial_adopters=initial
    )
    model.run(25)
    curve, final = reference.threshold_run_vectorised(net, theta, initial, 25, absolute=absolute)
    assert list(model.adoption.adopters) == curve
    np.testing.assert_array_equal(model.adopted, final)
    assert curve[-1] > curve[0], "the run spreads, so the engine's paths are exercised"


@pytest.mark.parametrize("weighted", [False, True])
def test_large_bass_runs_equal_the_reference(weighted):
    net = _large_network(weighted)
    initial = np.arange(0, net.n, 97)
    model = OrgModel(network=net, rule=rules.Bass(0.01, 0.5), initial_adopters=initial, seed=4)
    model.run(12)
    curve, final = reference.bass_run_vectorised(
        net, 0.01, 0.5, initial, 12, np.random.default_rng(4)
    )
    assert list(model.adoption.adopters) == curve
    np.testing.assert_array_equal(model.adopted, final)


def test_employee_labels_come_from_the_data():
    graph = nx.Graph([("ann", "bob"), ("bob", "cy")])
    model = OrgModel(
        network=networks.from_networkx(graph), rule=rules.Threshold(0.5), initial_adopters=[0]
    )
    assert [person.label for person in model.people] == ["ann", "bob", "cy"]
    assert repr(model.people[0]) == "<Employee 'ann' adopted=True>"


_THREADS_SCRIPT = """
import json, numpy as np
from sim import OrgModel, networks, rules
net = networks.small_world(60_000, 10, 0.2, seed=3)
rows = np.repeat(np.arange(net.n), net.degrees)
upper = rows < net.indices
weights = np.random.default_rng(1).uniform(0.5, 2.0, int(upper.sum()))
weighted = networks.from_edges(rows[upper], net.indices[upper].astype(np.int64), net.n, weights)
theta = np.random.default_rng(2).uniform(0.05, 0.3, net.n)
curves = {}
for name, network, rule in [
    ("threshold", net, rules.Threshold(theta)),
    ("weighted_threshold", weighted, rules.Threshold(theta)),
    ("bass", weighted, rules.Bass(0.005, 0.4)),
]:
    model = OrgModel(network=network, rule=rule, initial_adopters=0.3, seed=5).run(15)
    curves[name] = model.adoption.adopters.tolist() + [int(model.adopted_at.sum())]
from sim import org
company = org.generate(60_000, seed=4)
for name, initial in [("organizational", 0.01), ("organizational_big_weeks", 0.3)]:
    model = OrgModel(org=company, rule=rules.Organizational(), initial_adopters=initial, seed=6)
    model.run(15)
    curves[name] = model.adoption.adopters.tolist() + [int(model.stage.astype(int).sum())]
print(json.dumps(curves))
"""


def test_same_numbers_at_any_thread_count():
    """Large enough weeks run the parallel kernels; one thread must agree exactly."""
    import json
    import os
    import subprocess
    import sys

    outputs = []
    for threads in ("1", "2"):
        env = os.environ | {"NUMBA_NUM_THREADS": threads}
        out = subprocess.run(
            [sys.executable, "-c", _THREADS_SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        outputs.append(json.loads(out.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["bass"][-2] > outputs[0]["bass"][0]


def test_numpy_seeds_work_like_ints():
    net = networks.small_world(300, 4, 0.1, seed=1)
    a = OrgModel(network=net, rule=rules.Bass(0.05, 0.3), seed=np.int64(3)).run(8)
    b = OrgModel(network=net, rule=rules.Bass(0.05, 0.3), seed=3).run(8)
    assert a.adoption.equals(b.adoption)


def test_rng_and_seed_give_the_same_mesa_randomness():
    net = networks.ring_lattice(200, 4)
    by_seed = OrgModel(network=net, rule=rules.Threshold(0.2), seed=7)
    by_rng = OrgModel(network=net, rule=rules.Threshold(0.2), rng=np.random.default_rng(7))
    assert by_seed.random.random() == by_rng.random.random()
    shuffled = [[a.index for a in m.agents.shuffle()[:5]] for m in (by_seed, by_rng)]
    assert shuffled[0] == shuffled[1]
    # Generators seeded from a list (one per replication) work too, reproducibly.
    listed = [
        OrgModel(network=net, rule=rules.Bass(0.1, 0.2), rng=np.random.default_rng([1, 2])).run(5)
        for _ in range(2)
    ]
    assert listed[0].adoption.equals(listed[1].adoption)
    assert listed[0].random.random() == listed[1].random.random()


def test_agent_ids_are_node_ids(ring):
    model = OrgModel(network=ring, rule=rules.Threshold(0.2), initial_adopters=[3])
    assert [a.unique_id for a in model.people] == list(range(10))
    collector = mesa.DataCollector(agent_reporters={"adopted": "adopted"})
    collector.collect(model)
    frame = collector.get_agent_vars_dataframe().reset_index()
    assert frame.loc[frame.adopted, "AgentID"].tolist() == [3]


def test_batch_run_reports_the_final_state():
    net = networks.small_world(200, 4, 0.1, seed=1)
    results = mesa.batch_run(
        OrgModel,
        parameters={"network": net, "rule": rules.Bass(0.05, 0.5), "initial_adopters": [[0]]},
        iterations=1,
        max_steps=100,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    assert results[-1]["adopters"] == 200
    # Stationary from the start: one row, the initial state.
    still = mesa.batch_run(
        OrgModel,
        parameters={"network": net, "rule": rules.Bass(0.0, 0.5)},
        iterations=1,
        max_steps=100,
        number_processes=1,
        display_progress=False,
    )
    assert [(row["Step"], row["adopters"]) for row in still] == [(0, 0)]


def test_subclass_may_bring_its_own_datacollector(ring):
    class Tracked(OrgModel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.datacollector = mesa.DataCollector(
                model_reporters={"adopters": "adopters"}, agent_reporters={"adopted": "adopted"}
            )
            self.datacollector.collect(self)

        def step(self):
            super().step()
            self.datacollector.collect(self)

    model = Tracked(network=ring, rule=rules.Threshold(0.25), initial_adopters=[0]).run(3)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame.adopters.tolist() == model.adoption.adopters.tolist()
