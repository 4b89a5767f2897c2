"""Parameter checks with one error template, after scikit-learn's.

"The 'theta' parameter of Threshold must be a float in the range [0, 1]. Got
1.5 instead." Every public constructor validates through these helpers, so
users see the same shape of message everywhere.
"""

import math
import numbers

import numpy as np


def _bound_text(x):
    # Integral bounds in full (4294967295, not 4.29497e+09), others compactly.
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else f"{x:g}"


def _range_text(low, high, closed):
    left = "[" if closed in ("both", "left") else "("
    right = "]" if closed in ("both", "right") else ")"
    lo = "-inf" if low is None else _bound_text(low)
    hi = "inf" if high is None else _bound_text(high)
    if low is None:
        left = "("
    if high is None:
        right = ")"
    return f"{left}{lo}, {hi}{right}"


def _inside(x, low, high, closed):
    if low is not None and (x < low or (x == low and closed in ("right", "neither"))):
        return False
    return not (high is not None and (x > high or (x == high and closed in ("left", "neither"))))


def check_scalar(value, name, owner, *, kind=float, low=None, high=None, closed="both"):
    """Return ``value`` as ``kind`` if it is a finite number within the range.

    Parameters
    ----------
    value : object
        What the user passed.
    name, owner : str
        Parameter and class (or function) names, for the message.
    kind : {float, int}
        ``int`` accepts integral numbers only; ``float`` any real number.
    low, high : float or None
        Bounds; None means unbounded.
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the range.

    Raises
    ------
    TypeError
        ``value`` is not a number of the right kind (bools are not numbers here).
    ValueError
        ``value`` is NaN, infinite or outside the range.
    """
    ok_type = isinstance(value, numbers.Integral if kind is int else numbers.Real)
    if isinstance(value, bool | np.bool_) or not ok_type:
        raise TypeError(_scalar_message(value, name, owner, kind, low, high, closed))
    given, value = value, kind(value)
    if not math.isfinite(value) or not _inside(value, low, high, closed):
        raise ValueError(_scalar_message(given, name, owner, kind, low, high, closed))
    return value


def _scalar_message(value, name, owner, kind, low, high, closed):
    # Written only when a check fails: every constructor checks its parameters.
    what = "an int" if kind is int else "a float"
    return (
        f"The {name!r} parameter of {owner} must be {what} in the range "
        f"{_range_text(low, high, closed)}. Got {value!r} instead."
    )


def check_per_node(value, name, owner, *, low=None, high=None, closed="both"):
    """Return a number or a 1-D array of numbers as a float64 array.

    A scalar gives an array of shape (1,); the caller broadcasts it once the
    number of nodes is known (see :func:`broadcast_per_node`).

    Raises
    ------
    TypeError
        Not numeric.
    ValueError
        Not one-dimensional, empty, or an entry NaN, infinite or outside the
        range (the message names the first bad entry).
    """
    if np.ndim(value) == 0:
        return np.array([check_scalar(value, name, owner, low=low, high=high, closed=closed)])
    array = np.asarray(value)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise TypeError(
            f"The {name!r} parameter of {owner} must be a float or an array of floats. "
            f"Got an array of dtype {array.dtype} instead."
        )
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"The {name!r} parameter of {owner} must be a float or a non-empty 1-D array "
            f"with one value per node. Got an array of shape {array.shape} instead."
        )
    # A private copy: the caller's array stays theirs (and writeable).
    array = np.array(array, dtype=np.float64, order="C", copy=True)
    bad = ~np.isfinite(array)
    if low is not None:
        bad |= (array < low) if closed in ("both", "left") else (array <= low)
    if high is not None:
        bad |= (array > high) if closed in ("both", "right") else (array >= high)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"The {name!r} parameter of {owner} must hold floats in the range "
            f"{_range_text(low, high, closed)}; entry {k} is {float(array[k])!r}."
        )
    array.flags.writeable = False
    return array


def broadcast_per_node(array, n, name, owner):
    """Broadcast a per-node parameter from :func:`check_per_node` to ``n`` nodes."""
    if array.shape[0] == 1:
        return np.full(n, array[0])
    if array.shape[0] != n:
        raise ValueError(
            f"The {name!r} parameter of {owner} has {array.shape[0]} values but the "
            f"network has {n} nodes; give one value per node or a single number."
        )
    return array


def check_choice(value, name, owner, choices):
    """Return ``value`` if it is one of ``choices``, else raise a ValueError."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(
            f"The {name!r} parameter of {owner} must be one of {allowed}. Got {value!r} instead."
        )
    return value
