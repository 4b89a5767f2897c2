"""The Network class and the loaders that turn user data into one.

A :class:`Network` is undirected: every tie is stored in both rows. Ties carry
positive finite weights (1 unless the source says otherwise). Node ``i`` is the
``i``-th person of the organization; ``labels`` keeps the ids the data came
with (names, employee ids, networkx nodes) without the engine ever using them.

Generators need no networkx, build their arrays with numpy and one Numba pass,
and take ``seed``: an int, or the run's :class:`numpy.random.Generator`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from sim._validation import check_choice, check_scalar
from sim.kernels import MERGE_MAX, MERGE_SUM, build_csr, row_sums

__all__ = ["Network", "from_edges", "from_networkx"]

_MAX_NODES = 2**32 - 1  # neighbour ids are stored as uint32


@dataclass(frozen=True, eq=False, repr=False)
class Network:
    """An undirected weighted network in compressed sparse row form.

    Build one with :func:`from_edges`, :func:`from_networkx` or a generator
    rather than by hand; the constructor trusts its arrays.

    Parameters
    ----------
    n : int
        Number of nodes (people).
    indptr : int64 ndarray of shape (n + 1,) or None
        Row pointers: the ties of node ``i`` are entries ``indptr[i]:indptr[i+1]``.
        None for a complete network.
    indices : uint32 ndarray of shape (nnz,) or None
        Neighbour of each entry, sorted within a row, no duplicates, no self-ties.
    weights : float64 ndarray of shape (nnz,) or None
        Weight of each entry (> 0); the same in both directions.
    labels : ndarray of shape (n,) or None
        The original id of each node, kept for the user; the engine ignores it.
    complete : bool
        Well mixed: everyone is tied to everyone else with weight 1. The ties
        are implicit (``indptr``, ``indices`` and ``weights`` are None), so a
        complete network of millions costs nothing; rules read the counts of
        adopters instead of visiting ties.

    Attributes
    ----------
    strength : float64 ndarray of shape (n,)
        Weighted degree of each node.
    unit_weights : bool
        Whether every tie has weight 1.
    """

    n: int
    indptr: np.ndarray | None
    indices: np.ndarray | None
    weights: np.ndarray | None
    labels: np.ndarray | None = None
    complete: bool = False
    strength: np.ndarray = field(init=False)
    unit_weights: bool = field(init=False)

    def __post_init__(self):
        if self.complete:
            strength = np.full(self.n, float(max(self.n - 1, 0)))
        else:
            for name in ("indptr", "indices", "weights"):
                getattr(self, name).flags.writeable = False
            strength = row_sums(self.indptr, self.weights)
        strength.flags.writeable = False
        object.__setattr__(self, "strength", strength)
        # Kernels count instead of reading weights when all are 1 (the usual case).
        unit = self.complete or bool(np.all(self.weights == 1.0))
        object.__setattr__(self, "unit_weights", unit)
        if self.labels is not None:
            self.labels.flags.writeable = False

    @property
    def degrees(self) -> np.ndarray:
        """Number of ties of each node, int64 array of shape (n,)."""
        if self.complete:
            return np.full(self.n, max(self.n - 1, 0), dtype=np.int64)
        return np.diff(self.indptr)

    @property
    def n_ties(self) -> int:
        """Number of undirected ties."""
        if self.complete:
            return self.n * (self.n - 1) // 2
        return int(self.indptr[-1]) // 2

    @property
    def mean_degree(self) -> float:
        return 2 * self.n_ties / self.n

    def neighbors(self, i: int) -> np.ndarray:
        """Ids of the nodes tied to node ``i`` (a read-only view for sparse networks)."""
        if not 0 <= i < self.n:
            raise IndexError(f"node {i} is out of range for a network of {self.n} nodes")
        if self.complete:
            return np.delete(np.arange(self.n), i)
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def to_scipy(self):
        """The weighted adjacency matrix as a ``scipy.sparse.csr_array``."""
        from scipy import sparse

        self._require_sparse("to_scipy")
        # int32 indices where they fit: scipy's own default and its fastest path.
        index_type = np.int32 if self.indices.shape[0] < 2**31 and self.n < 2**31 else np.int64
        return sparse.csr_array(
            (self.weights, self.indices.astype(index_type), self.indptr.astype(index_type)),
            shape=(self.n, self.n),
        )

    def to_networkx(self):
        """A ``networkx.Graph`` with the same nodes (labels if any) and weighted ties."""
        import networkx as nx

        self._require_sparse("to_networkx")
        names = list(range(self.n)) if self.labels is None else list(self.labels)
        rows = np.repeat(np.arange(self.n), self.degrees)
        upper = rows < self.indices
        graph = nx.Graph()
        graph.add_nodes_from(names)
        graph.add_weighted_edges_from(
            (names[a], names[b], w)
            for a, b, w in zip(
                rows[upper].tolist(),
                self.indices[upper].tolist(),
                self.weights[upper].tolist(),
                strict=True,
            )
        )
        return graph

    def _require_sparse(self, what):
        if self.complete:
            raise ValueError(
                f"{what}: this network is complete (well mixed) and keeps its "
                f"{self.n_ties} ties implicit; materialising them is not supported."
            )

    def __repr__(self):
        kind = "complete " if self.complete else ""
        return f"<{kind}Network with {self.n} nodes and {self.n_ties} ties>"


def _check_n(n, owner, low=1):
    return check_scalar(n, "n", owner, kind=int, low=low, high=_MAX_NODES)


def _as_ids(values, name):
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"from_edges: {name} must hold integer node ids. Got an array of dtype "
            f"{array.dtype} instead."
        )
    if array.ndim != 1:
        raise ValueError(f"from_edges: {name} must be 1-D. Got shape {array.shape} instead.")
    return array


def from_edges(src, dst, n, weights=None, *, labels=None, merge="sum") -> Network:
    """A network from an undirected edge list of node ids ``0..n-1``.

    Parameters
    ----------
    src, dst : array-like of int, shape (m,)
        The two ends of each tie. Direction is ignored: (a, b) and (b, a) are
        the same tie.
    n : int
        Number of nodes; nodes without ties are allowed.
    weights : array-like of float, shape (m,), optional
        Positive finite weight of each tie; 1 when omitted.
    labels : array-like of shape (n,), optional
        Original ids to keep beside the network.
    merge : {"sum", "max"}
        How duplicate ties combine. "sum" (default) adds their weights, which
        suits interaction logs (one row per message); note that an edge list
        that lists every tie in both directions then doubles every weight,
        which leaves shares unchanged. "max" keeps the largest.

    Raises
    ------
    ValueError
        Naming the first bad entry: an id out of range, a self-tie, a weight
        that is not finite or not positive; or mismatched lengths.
    TypeError
        Ids that are not integers, weights that are not numbers.
    """
    n = _check_n(n, "from_edges")
    check_choice(merge, "merge", "from_edges", ("sum", "max"))
    src = _as_ids(src, "src")
    dst = _as_ids(dst, "dst")
    if src.shape != dst.shape:
        raise ValueError(
            f"from_edges: src and dst must have the same length. Got {src.shape[0]} "
            f"and {dst.shape[0]} instead."
        )
    if weights is None:
        w = np.zeros(0, dtype=np.float64)
    else:
        w = np.asarray(weights)
        if w.dtype == bool or not np.issubdtype(w.dtype, np.number) or np.iscomplexobj(w):
            raise TypeError(f"from_edges: weights must be numbers. Got dtype {w.dtype} instead.")
        w = np.ascontiguousarray(w, dtype=np.float64)
        if w.shape != src.shape:
            raise ValueError(
                f"from_edges: weights must have one value per edge ({src.shape[0]}). "
                f"Got shape {w.shape} instead."
            )
    out_of_range = (src < 0) | (src >= n) | (dst < 0) | (dst >= n)
    bad = out_of_range | (src == dst)
    if w.size:
        bad |= ~np.isfinite(w) | (w <= 0)
    if bad.any():
        e = int(np.flatnonzero(bad)[0])
        a, b = int(src[e]), int(dst[e])
        if out_of_range[e]:
            node = a if not 0 <= a < n else b
            raise ValueError(
                f"from_edges: node id {node} (edge {e}) is out of range for n={n}; ids must "
                f"be 0..n-1 (relabel with networks.from_networkx)."
            )
        if a == b:
            raise ValueError(
                f"from_edges: edge {e} is a self-tie of node {a}; self-ties are not allowed."
            )
        raise ValueError(
            f"from_edges: the weight of edge {e} ({a}, {b}) is {float(w[e])!r}; weights must be "
            f"finite and > 0."
        )
    if labels is not None:
        labels = np.asarray(labels, dtype=object)
        if labels.shape != (n,):
            raise ValueError(
                f"from_edges: labels must have one entry per node ({n}). Got shape "
                f"{labels.shape} instead."
            )
    return _from_checked(src, dst, w, n, MERGE_SUM if merge == "sum" else MERGE_MAX, labels)


def _from_checked(src, dst, w, n, merge, labels=None):
    indptr, indices, weights = build_csr(
        np.ascontiguousarray(src, dtype=np.int64),
        np.ascontiguousarray(dst, dtype=np.int64),
        w,
        n,
        merge,
    )
    net = Network(n=n, indptr=indptr, indices=indices, weights=weights, labels=labels)
    if not np.isfinite(net.strength).all():
        i = int(np.flatnonzero(~np.isfinite(net.strength))[0])
        raise ValueError(
            f"from_edges: the weights of node {i}'s ties add up to infinity; rescale the "
            f"weights (only their ratios matter for shares)."
        )
    return net


def from_networkx(graph, *, weight="weight", nodelist=None) -> Network:
    """A network from a networkx graph, keeping its node labels.

    Parameters
    ----------
    graph : networkx.Graph
        Read as undirected: a directed graph's reciprocal ties (a to b and b to
        a) become one tie with the larger weight; a multigraph's parallel ties
        add their weights.
    weight : str or None
        Edge attribute holding the tie weight (missing means 1); None ignores
        weights.
    nodelist : sequence, optional
        Node order (node ``i`` of the network is ``nodelist[i]``); default
        ``list(graph)``.
    """
    if not all(hasattr(graph, a) for a in ("nodes", "edges", "is_directed")):
        raise TypeError(
            f"from_networkx: graph must be a networkx graph. Got {type(graph).__name__} instead "
            f"(for arrays of ids use networks.from_edges)."
        )
    if graph.number_of_nodes() == 0:
        raise ValueError("from_networkx: the graph has no nodes.")
    nodes = list(graph) if nodelist is None else list(nodelist)
    index = {node: i for i, node in enumerate(nodes)}
    if len(index) != len(nodes):
        raise ValueError("from_networkx: nodelist contains a node more than once.")
    extra = next((v for v in nodes if v not in graph), None)
    if extra is not None:
        raise ValueError(f"from_networkx: node {extra!r} of nodelist is not in the graph.")
    missing = next((v for v in graph if v not in index), None)
    if missing is not None:
        raise ValueError(f"from_networkx: node {missing!r} of the graph is not in nodelist.")
    src, dst, w = [], [], []
    for a, b, data in graph.edges(data=True):
        if a == b:
            raise ValueError(
                f"from_networkx: node {a!r} has a self-tie; self-ties are not allowed "
                f"(remove them with G.remove_edges_from(nx.selfloop_edges(G)))."
            )
        value = 1.0 if weight is None else data.get(weight, 1.0)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"from_networkx: the {weight!r} of edge ({a!r}, {b!r}) is {value!r}; "
                f"weights must be numbers (or pass weight=None to ignore them)."
            )
        src.append(index[a])
        dst.append(index[b])
        w.append(value)
    # A directed graph's reciprocal ties (a->b, b->a) are one tie: keep the larger
    # weight, as Graph.to_undirected would keep one. Parallel ties of a multigraph add up.
    merge = "max" if graph.is_directed() and not graph.is_multigraph() else "sum"
    return from_edges(
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int64),
        len(nodes),
        np.asarray(w, dtype=np.float64) if src else None,
        labels=_object_array(nodes),
        merge=merge,
    )


def _object_array(items):
    # Filled one by one: np.array would turn tuple labels into a 2-D array.
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        array[i] = item
    return array
