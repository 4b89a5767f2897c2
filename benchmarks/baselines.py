"""Reference implementations of the threshold-adoption workload, for benchmarking.

The workload is the Granovetter/Watts threshold rule: a node adopts at step
``t + 1`` when the share of its neighbours that had adopted at step ``t`` is
``>= theta[node]``; adoption is permanent, the update is synchronous (every
node looks at the previous step's state) and isolated nodes never adopt.

Three baselines are provided, none of which depends on the ``sim`` package:

* :func:`mesa_threshold` - an idiomatic Mesa 3.3 agent-per-node model
  (``Network`` cell space, one ``CellAgent`` per node, ``step``/``advance``
  for the synchronous update, a ``DataCollector`` counting adopters),
  written the way mesa's own ``examples/basic/virus_on_network`` is.
* :func:`ndlib_threshold` - NDlib's ``ThresholdModel`` configured with the
  exact per-node thresholds and initial adopters.
* :func:`scipy_matvec` - one sparse ``A @ x`` on the same CSR arrays, the
  cost floor for any engine that touches every tie once per step.

Each simulation baseline returns a :class:`BaselineResult` holding the build
time, the per-step wall times (build excluded) and the adopter trajectory,
where ``trajectory[0]`` is the initial number of adopters and
``trajectory[k]`` the number after step ``k`` (the same convention as
``OrgModel.adoption``, whose row with ``step == 0`` is the initial state).

Run this file directly for a standalone self-check on a small
Watts-Strogatz graph: both simulation baselines must produce the same
trajectory, and that trajectory must match a tiny NumPy reference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = [
    "BaselineResult",
    "graph_from_edges",
    "mesa_threshold",
    "ndlib_threshold",
    "numpy_threshold",
    "scipy_matvec",
]


@dataclass
class BaselineResult:
    """Timings and adopter trajectory of one baseline run.

    Attributes:
        name: which baseline produced this result.
        build_time_s: seconds spent building the model (graph conversion,
            agents/configuration, initial data collection), not part of
            ``step_times_s``.
        step_times_s: wall time of each simulated step, in order.
        trajectory: adopter counts, ``trajectory[0]`` being the initial state
            and ``trajectory[k]`` the count after step ``k``.
        extra: baseline-specific additional numbers.
    """

    name: str
    build_time_s: float
    step_times_s: list[float]
    trajectory: list[int]
    extra: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of timed steps."""
        return len(self.step_times_s)

    def summary(self) -> dict:
        """JSON-friendly summary (per-step times reduced to mean/median/total)."""
        t = np.asarray(self.step_times_s, dtype=float)
        return {
            "name": self.name,
            "build_time_s": self.build_time_s,
            "steps": self.steps,
            "step_time_mean_s": float(t.mean()) if t.size else None,
            "step_time_median_s": float(np.median(t)) if t.size else None,
            "step_time_total_s": float(t.sum()),
            "final_adopters": self.trajectory[-1] if self.trajectory else None,
            **self.extra,
        }


def graph_from_edges(edges: Iterable[Sequence[int]], n: int) -> nx.Graph:
    """Build an undirected ``networkx.Graph`` with nodes ``0..n-1``.

    Nodes are added explicitly first so that isolated nodes exist (and so that
    node iteration order is ``0..n-1``, which keeps the Mesa cell order and the
    agent order aligned with node ids).
    """
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(u), int(v)) for u, v in edges)
    return g


def _as_graph(g_or_edges, n: int) -> nx.Graph:
    """Accept a networkx graph as is, or build one from an ``(m, 2)`` edge list."""
    if isinstance(g_or_edges, nx.Graph):
        return g_or_edges
    return graph_from_edges(g_or_edges, n)


def _check_inputs(theta, initial) -> tuple[np.ndarray, np.ndarray]:
    theta = np.asarray(theta, dtype=np.float64)
    initial = np.unique(np.asarray(initial, dtype=np.int64))
    if theta.ndim != 1:
        raise ValueError("theta must be a 1-d array with one threshold per node")
    if initial.size and (initial[0] < 0 or initial[-1] >= theta.size):
        raise ValueError("initial adopters must be node ids in 0..n-1")
    return theta, initial


# --------------------------------------------------------------------------
# Mesa
# --------------------------------------------------------------------------

# Imported lazily: ``import mesa`` is slow-ish and switches multiprocessing to
# the spawn start method, which callers that never use Mesa should not pay for.
_MESA_CLASSES: tuple | None = None


def _mesa_classes():
    """Define the Mesa agent and model classes on first use."""
    global _MESA_CLASSES
    if _MESA_CLASSES is not None:
        return _MESA_CLASSES

    import mesa
    from mesa.discrete_space import CellAgent, Network

    class ThresholdAgent(CellAgent):
        """A person who adopts once enough of their contacts have adopted."""

        def __init__(self, model, theta, adopted, cell):
            super().__init__(model)
            self.theta = theta
            self.adopted = adopted
            self.next_adopted = adopted
            self.cell = cell

        def step(self):
            """Decide the next state from the neighbours' current state."""
            if self.adopted:
                # Adoption is permanent.
                self.next_adopted = True
                return
            neighbours = list(self.cell.neighborhood.agents)
            if not neighbours:
                # Isolated people have nobody to follow and never adopt.
                self.next_adopted = False
                return
            share = sum(1 for a in neighbours if a.adopted) / len(neighbours)
            self.next_adopted = share >= self.theta

        def advance(self):
            """Apply the state decided in :meth:`step` (synchronous update)."""
            self.adopted = self.next_adopted

    def count_adopters(model):
        return model.agents.agg("adopted", sum)

    class ThresholdModel(mesa.Model):
        """Threshold adoption on a fixed network, one agent per node."""

        def __init__(self, graph, theta, initial, seed=None):
            super().__init__(seed=seed)
            self.grid = Network(graph, capacity=1, random=self.random)
            n = graph.number_of_nodes()
            adopted = np.zeros(n, dtype=bool)
            adopted[initial] = True
            # Cells are created in graph-node order; the graph's nodes are
            # 0..n-1 in order, so agent i sits on node i.
            ThresholdAgent.create_agents(
                self,
                n,
                theta=[float(t) for t in theta],
                adopted=[bool(a) for a in adopted],
                cell=list(self.grid.all_cells),
            )
            self.datacollector = mesa.DataCollector(model_reporters={"Adopters": count_adopters})
            self.running = True
            self.datacollector.collect(self)

        def step(self):
            # Two phases so that every agent decides from the same
            # (previous-step) state: decide all, then apply all.
            self.agents.do("step")
            self.agents.do("advance")
            self.datacollector.collect(self)

    _MESA_CLASSES = (ThresholdAgent, ThresholdModel)
    return _MESA_CLASSES


def mesa_threshold(g_or_edges, theta, initial, steps: int, seed: int = 0) -> BaselineResult:
    """Run the threshold rule as an idiomatic Mesa 3.3 agent-per-node model.

    Args:
        g_or_edges: a ``networkx.Graph`` with nodes ``0..n-1`` (in that
            iteration order), or an iterable of ``(u, v)`` ties.
        theta: per-node thresholds, length ``n``.
        initial: node ids that have adopted at step 0.
        steps: number of steps to run and time.
        seed: Mesa model seed (the rule is deterministic; only Mesa's own
            RNG plumbing uses it).

    Returns:
        A :class:`BaselineResult`. ``build_time_s`` includes building the
        ``Network`` space, the agents and the initial ``DataCollector``
        collection (plus the networkx graph when an edge list is given);
        each step time includes the ``DataCollector`` collection, as in a
        normal Mesa run.
    """
    theta, initial = _check_inputs(theta, initial)
    t0 = time.perf_counter()
    graph = _as_graph(g_or_edges, theta.size)
    if graph.number_of_nodes() != theta.size:
        raise ValueError("theta must have one entry per graph node")
    _, model_cls = _mesa_classes()
    model = model_cls(graph, theta, initial, seed=seed)
    build = time.perf_counter() - t0

    step_times = []
    for _ in range(steps):
        t = time.perf_counter()
        model.step()
        step_times.append(time.perf_counter() - t)

    df = model.datacollector.get_model_vars_dataframe()
    trajectory = [int(v) for v in df["Adopters"]]
    return BaselineResult("mesa", build, step_times, trajectory)


# --------------------------------------------------------------------------
# NDlib
# --------------------------------------------------------------------------


def ndlib_threshold(g, theta, initial, steps: int) -> BaselineResult:
    """Run the threshold rule with NDlib's ``ThresholdModel``.

    Args:
        g: a ``networkx.Graph`` with nodes ``0..n-1`` (or an iterable of
            ``(u, v)`` ties, converted to one).
        theta: per-node thresholds, length ``n``.
        initial: node ids that have adopted ("Infected") at step 0.
        steps: number of steps to run and time.

    Returns:
        A :class:`BaselineResult`. ``build_time_s`` covers the model
        constructor and ``set_initial_status`` with the per-node
        configuration (plus the networkx graph when an edge list is given).
        NDlib's first ``iteration()`` call only reports the initial state
        without simulating, so it is run untimed and its count becomes
        ``trajectory[0]``; its cost is reported as
        ``extra["initial_iteration_s"]``.

    Notes:
        NDlib's ``DiffusionModel`` reseeds NumPy's *global* RNG in its
        constructor (``np.random.seed(seed)``). The threshold rule itself is
        deterministic once thresholds and initial adopters are fixed, so this
        does not affect the trajectory; it only matters to callers relying on
        the global RNG, which this benchmark does not.
    """
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    theta, initial = _check_inputs(theta, initial)
    t0 = time.perf_counter()
    graph = _as_graph(g, theta.size)
    if graph.number_of_nodes() != theta.size:
        raise ValueError("theta must have one entry per graph node")
    model = ep.ThresholdModel(graph)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", [int(i) for i in initial])
    for node, value in enumerate(theta.tolist()):
        config.add_node_configuration("threshold", node, value)
    model.set_initial_status(config)
    build = time.perf_counter() - t0

    # Iteration 0 just reports the configured initial state.
    t = time.perf_counter()
    first = model.iteration(node_status=False)
    initial_iteration = time.perf_counter() - t
    trajectory = [int(first["node_count"][1])]

    step_times = []
    for _ in range(steps):
        t = time.perf_counter()
        # node_status=False: the per-node delta dict is not needed, and
        # skipping it is the fastest way NDlib offers to step.
        out = model.iteration(node_status=False)
        step_times.append(time.perf_counter() - t)
        trajectory.append(int(out["node_count"][1]))

    return BaselineResult(
        "ndlib",
        build,
        step_times,
        trajectory,
        extra={"initial_iteration_s": initial_iteration},
    )


# --------------------------------------------------------------------------
# Plain NumPy/SciPy reference (correctness only) and the mat-vec floor
# --------------------------------------------------------------------------


def numpy_threshold(indptr, indices, theta, initial, steps: int) -> list[int]:
    """Vectorised reference trajectory, used only to cross-check baselines.

    Works on an unweighted CSR adjacency (both directions of each tie
    stored). The share is computed as ``adopted_neighbours / degree`` in
    float64, the same arithmetic as the Mesa and NDlib baselines.
    """
    theta, initial = _check_inputs(theta, initial)
    n = theta.size
    indptr = np.asarray(indptr, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    a = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    degree = np.diff(indptr)
    adopted = np.zeros(n, dtype=bool)
    adopted[initial] = True
    trajectory = [int(adopted.sum())]
    has_neighbours = degree > 0
    safe_degree = np.where(has_neighbours, degree, 1)
    for _ in range(steps):
        share = (a @ adopted.astype(np.float64)) / safe_degree
        adopted = adopted | (has_neighbours & (share >= theta))
        trajectory.append(int(adopted.sum()))
    return trajectory


def scipy_matvec(indptr, indices, weights, n: int, repeats: int = 21) -> dict:
    """Time one sparse mat-vec ``A @ x`` on the given CSR arrays.

    This is the cost floor of one full pass over every stored tie: any
    engine step that reads each neighbour list once should be within a
    small factor of it.

    Args:
        indptr, indices, weights: CSR arrays (both directions of each tie).
        n: number of nodes.
        repeats: number of timed repetitions (after one untimed warm-up).

    Returns:
        ``{"matvec_median_s", "matvec_min_s", "repeats", "nnz", "build_s"}``;
        ``build_s`` (constructing the ``csr_matrix``, which may convert the
        index dtype) is not part of the mat-vec times.
    """
    t0 = time.perf_counter()
    a = sp.csr_matrix((np.asarray(weights, dtype=np.float64), indices, indptr), shape=(n, n))
    build = time.perf_counter() - t0
    x = np.random.default_rng(0).random(n)
    a @ x  # warm-up: first touch of the arrays, page faults for the output
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        a @ x
        times.append(time.perf_counter() - t)
    return {
        "matvec_median_s": float(np.median(times)),
        "matvec_min_s": float(np.min(times)),
        "repeats": repeats,
        "nnz": int(a.nnz),
        "build_s": build,
    }


# --------------------------------------------------------------------------
# Standalone self-check
# --------------------------------------------------------------------------


def workload(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds U[0.05, 0.35] and 1 % initial adopters, drawn from ``rng``.

    ``rng`` is a ``numpy.random.Generator`` or a seed for
    ``np.random.default_rng``. The draws are made in a fixed order
    (thresholds first, then the adopters without replacement), so separate
    processes given the same generator state get the same workload; the
    engine benchmark relies on this to compare trajectories across processes.
    """
    rng = np.random.default_rng(rng)
    theta = rng.uniform(0.05, 0.35, size=n)
    initial = rng.choice(n, size=max(1, n // 100), replace=False)
    return theta, initial


def _self_check(n: int, steps: int, seed: int) -> dict:
    g = nx.watts_strogatz_graph(n, 10, 0.1, seed=seed)
    # Two isolated nodes to exercise the "isolated nodes never adopt" branch.
    g.remove_edges_from(list(g.edges(0)) + list(g.edges(1)))
    theta, initial = workload(n, seed)
    mesa_res = mesa_threshold(g, theta, initial, steps)
    ndlib_res = ndlib_threshold(g, theta, initial, steps)
    csr = nx.to_scipy_sparse_array(g, nodelist=range(n), format="csr")
    ref = numpy_threshold(csr.indptr, csr.indices, theta, initial, steps)
    mv = scipy_matvec(csr.indptr, csr.indices, np.ones(csr.nnz), n)
    return {
        "n": n,
        "steps": steps,
        "mesa": mesa_res.summary(),
        "ndlib": ndlib_res.summary(),
        "scipy_matvec": mv,
        "trajectory": mesa_res.trajectory,
        "same_trajectory": mesa_res.trajectory == ndlib_res.trajectory == ref,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Self-check: Mesa, NDlib and NumPy trajectories agree on a small graph."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    out = _self_check(args.n, args.steps, args.seed)
    print(json.dumps(out, indent=2))
    return 0 if out["same_trajectory"] else 1


if __name__ == "__main__":
    sys.exit(main())
