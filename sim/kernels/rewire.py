"""Degree-preserving rewiring of an undirected tie list (double-edge swaps)."""

import numpy as np
from numba import njit, types
from numba.typed import Dict

__all__ = ["double_edge_swaps"]


@njit(cache=True)
def double_edge_swaps(src, dst, n, picks, flips, wanted):
    """Swap the ends of pairs of ties in place until ``wanted`` swaps succeed or the
    ``picks`` run out; return how many succeeded.

    Ties ``(a, b)`` and ``(c, d)`` become ``(a, d)`` and ``(c, b)`` (``(d, c)``
    first when ``flips[k]``), so every person keeps their number of ties. A swap
    that would tie someone to themselves or repeat an existing tie is skipped.
    ``picks`` (int64 (K, 2)) are the pairs of tie indices tried, in order; a
    tie's weight stays with its slot.
    """
    # A typed dict, not a set: Numba's sets probe forever once deletions fill them.
    ties = Dict.empty(key_type=types.int64, value_type=types.boolean)
    for e in range(src.shape[0]):
        a, b = src[e], dst[e]
        ties[min(a, b) * n + max(a, b)] = True
    done = 0
    for k in range(picks.shape[0]):
        if done >= wanted:
            break
        i, j = picks[k, 0], picks[k, 1]
        if i == j:
            continue
        a, b = src[i], dst[i]
        c, d = src[j], dst[j]
        if flips[k]:
            c, d = d, c
        if a == d or c == b:
            continue
        first = min(a, d) * n + max(a, d)
        second = min(c, b) * n + max(c, b)
        if first == second or first in ties or second in ties:
            continue
        ties.pop(min(a, b) * n + max(a, b))
        ties.pop(min(c, d) * n + max(c, d))
        ties[first] = True
        ties[second] = True
        src[i], dst[i] = a, d
        src[j], dst[j] = c, b
        done += 1
    return done


def _reference(src, dst, n, picks, flips, wanted):
    """The same swaps in plain Python (for tests)."""
    src, dst = list(src), list(dst)
    ties = {(min(a, b), max(a, b)) for a, b in zip(src, dst, strict=True)}
    done = 0
    for (i, j), flip in zip(picks, flips, strict=True):
        if done >= wanted:
            break
        if i == j:
            continue
        a, b, c, d = src[i], dst[i], src[j], dst[j]
        if flip:
            c, d = d, c
        new = {(min(a, d), max(a, d)), (min(c, b), max(c, b))}
        if a == d or c == b or len(new) < 2 or new & ties:
            continue
        ties -= {(min(a, b), max(a, b)), (min(c, d), max(c, d))}
        ties |= new
        src[i], dst[i], src[j], dst[j] = a, d, c, b
        done += 1
    return np.array(src), np.array(dst), done
