"""What the change team does, week by week, as arrays the kernels read.

A :class:`RolloutPlan` answers, for each week: who has access to the platform,
who has been trained, which managers endorse what they use to their reports,
how strongly leadership signals commitment, and what earlier waves have
already learned (lowering thresholds). The organizational rule
reads these arrays; nothing loops over people in Python.

The plain :class:`RolloutPlan` is static (the same every week); rollout
strategies build plans that change over time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim._validation import broadcast_per_node, check_per_node, check_scalar

__all__ = ["RolloutPlan", "Week", "endorsers"]


class Week(NamedTuple):
    """One week of a plan (arrays of shape (n,), read-only)."""

    access: np.ndarray  # bool: may use the platform
    trained: np.ndarray  # float64 in [0, 1]: share of the training received
    endorsing: np.ndarray  # bool: a manager who holds a behavior endorses it
    learning: np.ndarray  # float64 in [0, 1]: what earlier waves learned (rule.learning_effect)
    commitment: float | np.ndarray  # c(t) in [0, 1], one for all or per person (float64)
    safety: float | None = None  # the safety policy in [0, 1]; None: the rule's own
    coverage: float = 1.0  # share of the company with access (perceived commitment scales by it)


def _per_person(value, n, name, dtype, default):
    """One read-only value per person: ``default`` for None, a number broadcast."""
    if value is None:
        array = np.full(n, default, dtype=dtype)
    elif dtype is np.bool_:
        array = np.array(np.broadcast_to(value, (n,)) if np.ndim(value) == 0 else value)
        if array.dtype != np.bool_:
            raise TypeError(
                f"The {name!r} parameter of RolloutPlan must be a bool array. "
                f"Got dtype {array.dtype} instead."
            )
        if array.shape != (n,):
            raise ValueError(
                f"The {name!r} parameter of RolloutPlan must have one value per person "
                f"({n}). Got shape {array.shape} instead."
            )
    else:
        checked = check_per_node(value, name, "RolloutPlan", low=0.0, high=1.0)
        array = broadcast_per_node(checked, n, name, "RolloutPlan").copy()
    array.flags.writeable = False
    return array


class RolloutPlan:
    """A static plan: the same access, training and endorsement every week.

    Parameters
    ----------
    n : int
        Number of people.
    access : bool array of shape (n,), optional
        Who can use the platform; everyone by default (a company-wide launch).
    trained : float array of shape (n,) or float, optional
        Training received, in [0, 1]; a trained person's thresholds are lower
        by the rule's ``training_effect``. Nobody by default.
    endorsing : bool array of shape (n,), optional
        Which managers endorse the behaviors they hold; all by default.
    learning : float array of shape (n,) or float, optional
        What earlier waves have learned, in [0, 1]: lowers thresholds by the
        rule's ``learning_effect`` times it. None by default.
    commitment : float or float array of shape (n,), default 0.5
        The launch effort: how strongly leadership signals that the change
        matters, in [0, 1]; a launch with visible backing is around 0.5. Per
        person when the message has not reached everyone yet. People perceive
        it scaled by the share with access (``Week.coverage``) to the rule's
        ``commitment_coverage``.
    safety : float, optional
        The rollout's safety policy in [0, 1], replacing the rule's ``safety``
        (how much of a behavior's risk people feel); the rule's by default.
    """

    def __init__(
        self,
        n,
        *,
        access=None,
        trained=None,
        endorsing=None,
        learning=None,
        commitment=0.5,
        safety=None,
    ):
        n = check_scalar(n, "n", "RolloutPlan", kind=int, low=1)
        if np.ndim(commitment) == 0:
            commitment = check_scalar(commitment, "commitment", "RolloutPlan", low=0.0, high=1.0)
        else:
            commitment = _per_person(commitment, n, "commitment", np.float64, 0.0)
        if safety is not None:
            safety = check_scalar(safety, "safety", "RolloutPlan", low=0.0, high=1.0)
        self.n = n
        access = _per_person(access, n, "access", np.bool_, True)
        self._week = Week(
            access=access,
            trained=_per_person(trained, n, "trained", np.float64, 0.0),
            endorsing=_per_person(endorsing, n, "endorsing", np.bool_, True),
            learning=_per_person(learning, n, "learning", np.float64, 0.0),
            commitment=commitment,
            safety=safety,
            coverage=np.count_nonzero(access) / n,
        )

    @property
    def static(self) -> bool:
        """Whether every week is the same (lets a converged deterministic run stop).

        True only for the plain plan: a subclass that overrides :meth:`week`
        is taken to change over time unless it says otherwise.
        """
        return type(self).week is RolloutPlan.week

    def week(self, t, state=None) -> Week:
        """The plan for week ``t`` (0 is the initial state, decisions start at 1).

        Access may only grow from week to week: a run refuses a plan that
        takes it away.

        ``state`` (the run's :class:`~sim.ladder.LadderState`) lets adaptive
        plans react to adoption so far, e.g. expand a pilot once it reaches a
        share; the static plan ignores it.

        Return a new ``Week`` when anything in it changes, never the same one
        changed in place: a run recomputes what it derives from a week (the
        fixed parts of each gap, everyone's bounds) only for a new object.
        """
        return self._week

    def __repr__(self):
        w = self._week
        return (
            f"<RolloutPlan: {int(w.access.sum())}/{self.n} with access, "
            f"{int((w.trained > 0).sum())} trained, commitment {np.mean(w.commitment):g}>"
        )


def endorsers(org, endorsing, stage) -> int:
    """Managers who endorse a rung they hold: those of ``endorsing`` (bool, (n,)) with
    reports and ``stage > 0`` (a run's ``endorsers_final``, stepped or compiled)."""
    from sim.rollout._derived import is_manager

    return int(np.count_nonzero(endorsing & is_manager(org) & (stage > 0)))
