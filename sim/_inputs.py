"""Checks and draws for OrgModel's inputs: Mesa's seed and the initial adopters."""

import numbers

import numpy as np


def stdlib_seed(rng):
    """A seed for Mesa's stdlib Random derived from ``rng``'s seed, drawing nothing.

    ``default_rng(s)`` gives ``s`` itself, as ``OrgModel(seed=s)`` would use.
    """
    sequence = rng.bit_generator.seed_seq
    entropy = getattr(sequence, "entropy", None)
    if isinstance(entropy, numbers.Integral) and not getattr(sequence, "spawn_key", ()):
        return int(entropy)
    if isinstance(sequence, np.random.SeedSequence):
        return int(sequence.generate_state(2, np.uint64)[0])
    return None  # a generator built without a seed sequence: Mesa draws from the OS


def choose_initial_adopters(initial, n, rng, among=None):
    """The initial adopters of a run as sorted, distinct int64 ids.

    ``initial`` is a sequence of ids or a share in [0, 1) drawn with ``rng``;
    ``among`` (bool, shape (n,)), when given, is who may be one (access at
    week 0): a share is drawn among them, and ids outside are refused.
    """
    if isinstance(initial, numbers.Integral) and not isinstance(initial, bool | np.bool_):
        raise TypeError(
            "The 'initial_adopters' parameter of OrgModel must be a sequence of node ids "
            f"(e.g. [{initial}]) or a float share in [0, 1) (e.g. 0.01). Got the int "
            f"{initial!r}."
        )
    if isinstance(initial, numbers.Real) and not isinstance(initial, numbers.Integral):
        share = float(initial)
        if not 0.0 <= share < 1.0:
            raise ValueError(
                "The 'initial_adopters' parameter of OrgModel must be a share in "
                f"[0, 1) or a sequence of node ids. Got {initial!r} instead."
            )
        if among is None:
            count = round(share * n)
            return np.sort(rng.choice(n, size=count, replace=False)).astype(np.int64)
        # A share of the people who can use the platform at week 0.
        eligible = np.flatnonzero(among)
        count = round(share * eligible.shape[0])
        return np.sort(rng.choice(eligible, size=count, replace=False)).astype(np.int64)
    ids = np.asarray(initial)
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    if ids.ndim != 1 or ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(
            "The 'initial_adopters' parameter of OrgModel must be a sequence of int "
            f"node ids or a share in [0, 1). Got {initial!r} instead."
        )
    # Already sorted and distinct (a plan's first movers): the ends give the range.
    ordered = ids.shape[0] > 1 and bool((ids[1:] > ids[:-1]).all())
    if ordered:
        bad = ids[0] < 0 or ids[-1] >= n
    else:
        bad = bool(((ids < 0) | (ids >= n)).any())
    if bad:
        outside = ids[(ids < 0) | (ids >= n)]
        raise ValueError(
            f"The 'initial_adopters' parameter of OrgModel holds node id "
            f"{int(outside[0])}, out of range for a network of {n} nodes (ids 0..{n - 1})."
        )
    ids = ids.astype(np.int64) if ordered else np.unique(ids).astype(np.int64)
    if among is not None and not among[ids].all():
        outside = int(ids[~among[ids]][0])
        raise ValueError(
            f"The 'initial_adopters' parameter of OrgModel holds person {outside}, who has "
            f"no access at week 0 under the plan; initial adopters use the platform."
        )
    return ids
