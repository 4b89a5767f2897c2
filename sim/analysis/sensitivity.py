"""Which parameters drive an outcome: SALib's indices over a recorded design.

A design's point ran ``R`` replications on the same seeds as every other
point (common random numbers), so its output is the mean over them and an
elementary effect is a paired difference. SALib computes the indices and
their bootstrap intervals:

- **Morris** (``mu_star``, ``mu``, ``sigma``, ``mu_star_conf``): an elementary
  effect is the change of the outcome when one parameter moves by ``delta``
  of its range (``delta = levels / (2 (levels - 1))``), divided by ``delta``:
  so ``mu_star`` is in the outcome's units per whole range, comparable
  across parameters. orgsim adds ``noise``: the mean standard error of a
  parameter's elementary effects across replications (paired), the size of
  effect that replication noise alone would show. ``mu_star`` within about
  twice ``noise`` is indistinguishable from no effect.
- **Sobol** (``S1``, ``ST`` and their ``_conf``): shares of the outcome's
  variance due to a parameter alone and with all its interactions.
- **Latin hypercube**: RBD-FAST first-order indices (``S1``, ``S1_conf``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["indices", "outputs"]

#: Columns of :func:`indices` per method, after ``parameter``.
COLUMNS = {
    "morris": ["mu_star", "mu_star_conf", "mu", "sigma", "noise"],
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "latin": ["S1", "S1_conf"],
}


class AnalysisError(ValueError):
    """What an analysis cannot be made of; one line for the user."""


def outputs(runs, record, metric, by=()) -> pd.DataFrame:
    """Each run of ``record``'s jobs with its point: ``point``, ``replication``, ``by``
    columns and ``value`` (the ``metric``).

    Only the replications a job was asked for count (a store may hold more).
    """
    if metric not in runs.columns:
        raise AnalysisError(f"{metric}: not a column of the runs")
    jobs = record.jobs[["config_hash", "seed", "replications", "point"]]
    keep = ["config_hash", "seed", "replication", *by, metric]
    joined = runs[keep].merge(jobs, on=["config_hash", "seed"], how="inner")
    joined = joined[joined["replication"] < joined["replications"]]
    never = int(joined[metric].isna().sum())
    if never:
        raise AnalysisError(
            f"{metric}: {never} of {len(joined)} runs have no value (a share never reached); "
            "analyse a share or a time-integrated share (final_fraction_*, auc_fraction_weeks_*)"
        )
    out = joined[["point", "replication", *by]].copy()
    out["value"] = joined[metric].to_numpy(dtype=np.float64)
    return out.drop_duplicates(["point", "replication", *by]).reset_index(drop=True)


def _by_point(values, points) -> tuple[np.ndarray, np.ndarray]:
    """(mean over replications per point (NaN where none ran), replications x points matrix)."""
    wide = values.pivot_table(
        index="replication", columns="point", values="value", aggfunc="mean"
    ).reindex(columns=range(points))
    return wide.mean(axis=0).to_numpy(), wide.to_numpy()


def indices(record, values, *, resamples=None, confidence=0.95, seed=0) -> pd.DataFrame:
    """The design's indices for one outcome (``values``: :func:`outputs` of one context).

    Returns one row per parameter, most influential first, with
    ``parameter`` and :data:`COLUMNS` of the method, plus ``points`` (how many
    points entered). Raises AnalysisError when the points that finished do
    not make a sample the method can use (Sobol needs every point; Morris
    whole trajectories).
    """
    from SALib.analyze import morris, rbd_fast, sobol

    resamples = int(resamples or record.settings.get("resamples", 1000))
    # A generator, not the int: SALib's Sobol analysis ignores a seed of 0 (``if seed:``)
    # and would draw its bootstrap from numpy's global state.
    seed = np.random.default_rng(seed)
    x = record.sample
    y, wide = _by_point(values, x.shape[0])
    problem = record.problem()
    dims = len(record.names)
    done = ~np.isnan(y)
    if record.method == "morris":
        size = dims + 1
        whole = done.reshape(-1, size).all(axis=1)
        if whole.sum() < 2:
            raise AnalysisError(
                f"Morris needs 2 whole trajectories; {whole.sum()} of "
                f"{whole.shape[0]} have finished"
            )
        rows = np.repeat(whole, size)
        found = morris.analyze(
            problem,
            x[rows],
            y[rows],
            num_resamples=resamples,
            conf_level=confidence,
            num_levels=record.settings["levels"],
            seed=seed,
        )
        table = pd.DataFrame(
            {
                k: np.asarray(found[k], dtype=np.float64)
                for k in ("mu_star", "mu_star_conf", "mu", "sigma")
            }
        )
        table["noise"] = _morris_noise(record, x[rows], wide[:, rows])
        order = "mu_star"
        used = int(rows.sum())
    elif record.method == "sobol":
        if not done.all():
            raise AnalysisError(
                f"Sobol needs every point; {int(done.sum())} of {done.shape[0]} "
                "have finished (the same command resumes the others)"
            )
        found = sobol.analyze(
            problem,
            y,
            calc_second_order=record.settings["second_order"],
            num_resamples=resamples,
            conf_level=confidence,
            seed=seed,
        )
        table = pd.DataFrame(
            {k: np.asarray(found[k], dtype=np.float64) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        )
        order, used = "ST", int(done.sum())
    else:
        n = int(done.sum())
        if n < max(2 * dims + 2, 9):
            raise AnalysisError(
                f"RBD-FAST needs more points than twice the parameters; {n} have finished"
            )
        # RBD-FAST's harmonics: 10 as SALib's default where the points allow, and never
        # more than a quarter of the points (its bias correction divides by 1 - 2M/N).
        harmonics = min(10, (n - 1) // 4)
        found = rbd_fast.analyze(problem, x[done], y[done], M=harmonics, num_resamples=resamples,
                                 conf_level=confidence, seed=seed)  # fmt: skip
        table = pd.DataFrame({k: np.asarray(found[k], dtype=np.float64) for k in ("S1", "S1_conf")})
        order, used = "S1", int(done.sum())
    table.insert(0, "parameter", record.names)
    table["points"] = used
    return table.sort_values(order, ascending=False, kind="stable", ignore_index=True)


def _morris_noise(record, x, wide) -> np.ndarray:
    """Per parameter, the mean standard error of its elementary effects over replications.

    Consecutive points of a trajectory differ in one parameter; the
    replications of both ran on the same draws, so each elementary effect's
    spread is that of a paired difference.
    """
    bounds = np.asarray(record.problem()["bounds"], dtype=np.float64)
    unit = (x - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    levels = record.settings["levels"]
    delta = levels / (2.0 * (levels - 1))
    dims = unit.shape[1]
    errors = [[] for _ in range(dims)]
    replications = wide.shape[0]
    for start in range(0, unit.shape[0], dims + 1):
        for k in range(start, start + dims):
            step = unit[k + 1] - unit[k]
            j = int(np.argmax(np.abs(step)))
            effect = (wide[:, k + 1] - wide[:, k]) / (delta if step[j] > 0 else -delta)
            effect = effect[~np.isnan(effect)]
            if effect.shape[0] >= 2:
                errors[j].append(effect.std(ddof=1) / np.sqrt(effect.shape[0]))
            elif replications < 2:
                errors[j].append(np.nan)
    return np.array([np.mean(e) if e else np.nan for e in errors])
