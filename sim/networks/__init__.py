"""Informal networks: an immutable CSR representation, loaders and generators.

A :class:`Network` is undirected: every tie is stored in both rows. Ties carry
positive finite weights (1 unless the source says otherwise). Node ``i`` is the
``i``-th person of the organization; ``labels`` keeps the ids the data came
with (names, employee ids, networkx nodes) without the engine ever using them.
"""

from sim.networks.core import Network, from_edges, from_networkx
from sim.networks.generators import complete, erdos_renyi, rewired, ring_lattice, small_world
from sim.networks.spec import InvalidParameterError, NetworkSpec

__all__ = [
    "InvalidParameterError",
    "Network",
    "NetworkSpec",
    "complete",
    "erdos_renyi",
    "from_edges",
    "from_networkx",
    "rewired",
    "ring_lattice",
    "small_world",
]
