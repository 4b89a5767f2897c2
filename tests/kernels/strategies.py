"""Hypothesis strategies for small random networks and states."""

import numpy as np
from hypothesis import strategies as st

from sim import networks


@st.composite
def edge_lists(draw, max_nodes=24, max_edges=80, weighted=None):
    """(src, dst, weights or None, n): random ties, duplicates included, no self-ties."""
    n = draw(st.integers(2, max_nodes))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            max_size=max_edges,
        )
    )
    src = np.array([a for a, _ in pairs], dtype=np.int64)
    dst = np.array([b for _, b in pairs], dtype=np.int64)
    if weighted is None:
        weighted = draw(st.booleans())
    weights = None
    if weighted:
        weights = np.array(
            draw(
                st.lists(
                    st.floats(0.01, 10.0, allow_nan=False),
                    min_size=len(pairs),
                    max_size=len(pairs),
                )
            )
        )
    return src, dst, weights, n


@st.composite
def network_states(draw, weighted=None):
    """(network, adopted bool array, seed for further draws).

    ``weighted=False`` gives unit weights, True random weights, None either.
    """
    src, dst, weights, n = draw(edge_lists(weighted=weighted))
    # Unweighted lists keep unit weights: repeated ties merge by max, not sum.
    net = networks.from_edges(src, dst, n, weights, merge="max" if weights is None else "sum")
    adopted = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    seed = draw(st.integers(0, 2**32 - 1))
    return net, adopted, seed
