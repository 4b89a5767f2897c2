"""A run's records as tidy tables: one row per week and behavior (and group)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["adoption_by_group", "adoption_table"]


def adoption_table(weeks, behaviors, holders, new, lapses, with_access, n):
    """The adoption curve of a run.

    Parameters
    ----------
    weeks : int array of shape (W,)
    behaviors : sequence of str, length B
    holders, new, lapses : int arrays of shape (W, B)
        People holding each behavior at the end of each week, who took it up
        that week, who dropped it that week.
    with_access : int array of shape (W,)
    n : int
        Number of people.

    Returns
    -------
    DataFrame with columns ``step, behavior, adopters, new_adopters, fraction,
    lapses, with_access``, week-major (all behaviors of week 0 first).
    """
    weeks = np.asarray(weeks, dtype=np.int64)
    holders = np.asarray(holders, dtype=np.int64).reshape(weeks.shape[0], -1)
    n_behaviors = holders.shape[1]
    return pd.DataFrame(
        {
            "step": np.repeat(weeks, n_behaviors),
            "behavior": np.tile(np.asarray(behaviors, dtype=object), weeks.shape[0]),
            "adopters": holders.ravel(),
            "new_adopters": np.asarray(new, dtype=np.int64).ravel(),
            "fraction": holders.ravel() / n,
            "lapses": np.asarray(lapses, dtype=np.int64).ravel(),
            "with_access": np.repeat(np.asarray(with_access, dtype=np.int64), n_behaviors),
        }
    )


def adoption_by_group(events, access_since, group, names, by, behaviors, n_weeks):
    """The adoption curve of each group (unit, level, ...) from the log of changes.

    Parameters
    ----------
    events : tuple of int arrays (ids, behavior, change, week)
        Every change of the run: ``change`` is +1 (took the behavior up) or -1
        (dropped it); initial adopters appear in week 0.
    access_since : int array of shape (n,)
        Week from which each person had access, -1 for never.
    group : int array of shape (n,)
        Group of each person, 0..G-1.
    names : sequence, length G
        What the ``by`` column shows for each group.
    by : str
        Name of the group column.
    behaviors : sequence of str, length B
    n_weeks : int
        Weeks recorded (0..n_weeks-1).

    Returns
    -------
    DataFrame with columns ``step, behavior, <by>, people, with_access,
    adopters, new_adopters, lapses, fraction`` (``fraction`` = adopters /
    people of the group), one row per week, behavior and group.
    """
    ids, rung, change, week = events
    n_groups = len(names)
    n_behaviors = len(behaviors)
    cells = n_weeks * n_behaviors * n_groups
    where = (week * n_behaviors + rung) * n_groups + group[ids]
    shape = (n_weeks, n_behaviors, n_groups)
    up = change > 0
    new = np.bincount(where[up], minlength=cells).reshape(shape)
    lapses = np.bincount(where[~up], minlength=cells).reshape(shape)
    holders = np.cumsum(new - lapses, axis=0)
    people = np.bincount(group, minlength=n_groups)
    has_access = access_since >= 0
    opened = np.bincount(
        access_since[has_access] * n_groups + group[has_access], minlength=n_weeks * n_groups
    )
    with_access = np.cumsum(opened.reshape(n_weeks, n_groups), axis=0)
    return pd.DataFrame(
        {
            "step": np.repeat(np.arange(n_weeks, dtype=np.int64), n_behaviors * n_groups),
            "behavior": np.tile(np.repeat(np.asarray(behaviors, dtype=object), n_groups), n_weeks),
            by: np.tile(np.asarray(names), n_weeks * n_behaviors),
            "people": np.tile(people, n_weeks * n_behaviors),
            "with_access": np.repeat(with_access, n_behaviors, axis=0).ravel(),
            "adopters": holders.ravel(),
            "new_adopters": new.ravel(),
            "lapses": lapses.ravel(),
            "fraction": holders.ravel() / np.tile(np.maximum(people, 1), n_weeks * n_behaviors),
        }
    )
