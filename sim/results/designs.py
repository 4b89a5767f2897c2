"""Designs read back from a store (``designs/<digest>.json``), and checked before they are
believed.

A design (:mod:`sim.analysis.design` draws and writes it) records its sample
and which job ran which point; the analysis reshapes the sample by the
method's rules and reads each point's outcome off the runs its jobs name. A
file damaged, edited or mixed up with another store's would turn the analysis
around without a word, so its shape is checked on reading
(:func:`parse_record`) and its points against the values the runs carry
(:func:`check_runs`); either failure is one line naming the file
(:class:`sim.store.StoreError`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.metrics import is_outcome

__all__ = [
    "FOLDER",
    "METHODS",
    "Record",
    "check_runs",
    "parse_record",
    "points_of",
    "read_records",
    "salib_problem",
]

#: The designs a sample can follow, and what each is analysed with.
METHODS = {
    "morris": "Morris elementary effects (mu*, sigma): screening, r (D + 1) points",
    "sobol": "Sobol first- and total-order indices: N (D + 2) points, N a power of 2",
    "latin": "a Latin hypercube of N points (regret and scenario discovery; RBD-FAST indices)",
}

#: Where a store keeps its designs.
FOLDER = "designs"


def points_of(method, samples, dimensions, second_order=False) -> int:
    """How many points SALib draws for a design (what its analysis reshapes them into)."""
    if method == "morris":
        return samples * (dimensions + 1)
    if method == "sobol":
        return samples * (2 * dimensions + 2 if second_order else dimensions + 2)
    return samples


def salib_problem(parameters) -> dict:
    """SALib's problem dictionary of ``{key: (low, high)}``."""
    return {
        "num_vars": len(parameters),
        "names": list(parameters),
        "bounds": [list(b) for b in parameters.values()],
    }


@dataclass(frozen=True)
class Record:
    """A design as run into a store: its settings, its sample and which job ran which point.

    ``jobs`` is a DataFrame with ``config_hash``, ``seed``, ``replications``
    and ``point`` (the row of ``sample``), one row per job of the command.
    """

    path: Path
    settings: dict
    sample: np.ndarray
    jobs: object

    @property
    def method(self) -> str:
        return self.settings["method"]

    @property
    def names(self) -> list:
        return list(self.settings["parameters"])

    @property
    def digest(self) -> str:
        return self.path.stem

    @property
    def metric(self) -> str | None:
        return self.settings.get("metric")

    def problem(self) -> dict:
        return salib_problem(self.settings["parameters"])


def read_records(store) -> list[Record]:
    """The designs recorded in ``store``, oldest first (none for a plain sweep).

    Raises :class:`sim.store.StoreError`, one line naming the file, for a file
    in ``designs/`` that is not a whole design (:func:`parse_record`).
    """
    from sim.store import StoreError

    folder = Path(store) / FOLDER
    records = []
    paths = sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    for path in paths if folder.is_dir() else []:
        try:
            body = json.loads(path.read_text())
        except OSError as error:
            raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
        except ValueError as error:
            _damaged(path, f"not JSON: {error}")
        records.append(parse_record(path, body))
    return records


def _damaged(path, problem):
    from sim.store import StoreError

    raise StoreError(f"{path}: not a design orgsim wrote ({problem}); {_REMEDY}")


#: What to do about a design file that cannot be believed.
_REMEDY = "the sweep that wrote it writes it again, or remove it"


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value, least=0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def parse_record(path, body) -> Record:
    """The :class:`Record` of a design file's ``body`` (parsed JSON), its shape checked.

    Raises :class:`sim.store.StoreError` naming ``path`` and what is wrong.
    """
    import pandas as pd

    if not isinstance(body, dict):
        _damaged(path, f"a JSON {type(body).__name__}, not an object")
    if body.get("orgsim_design") != 1:
        _damaged(path, "no orgsim_design: 1")
    missing = [k for k in ("method", "parameters", "samples", "sample", "jobs") if k not in body]
    if missing:
        _damaged(path, f"no {missing[0]!r}")
    if body["method"] not in METHODS:
        _damaged(path, f"method {body['method']!r}, not one of {', '.join(METHODS)}")
    parameters = body["parameters"]
    if (
        not isinstance(parameters, dict)
        or not parameters
        or not all(
            isinstance(b, list) and len(b) == 2 and all(map(_is_number, b)) and b[0] < b[1]
            for b in parameters.values()
        )
    ):
        _damaged(path, "parameters must map each name to a range [low, high]")
    if not _whole(body["samples"], 1):
        _damaged(path, f"samples {body['samples']!r}, not a whole number >= 1")
    metric = body.get("metric")
    if metric is not None and not is_outcome(metric):
        _damaged(path, f"metric {metric!r} is not an outcome metric")
    dimensions, sample = len(parameters), body["sample"]
    if not (isinstance(sample, list) and all(
        isinstance(row, list) and len(row) == dimensions and all(map(_is_number, row))
        for row in sample
    )):  # fmt: skip
        _damaged(path, f"sample must be rows of {dimensions} numbers")
    rows = points_of(body["method"], body["samples"], dimensions,
                           bool(body.get("second_order")))  # fmt: skip
    if len(sample) != rows:
        method, samples = body["method"], body["samples"]
        _damaged(path, f"{len(sample)} points in its sample, where {method} with samples="
                 f"{samples} over {dimensions} parameters draws {rows}")  # fmt: skip
    x = np.asarray(sample, dtype=np.float64).reshape(rows, dimensions)
    for j, (name, (low, high)) in enumerate(parameters.items()):
        # A sampler's scaling rounds: 0.078 + 0.156 * 1.0 is 0.23400000000000001 > 0.234.
        slack = 1e-9 * max(abs(low), abs(high), 1.0)
        outside = (x[:, j] < math.floor(low) - slack) | (x[:, j] > high + slack)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            _damaged(path, f"point {i} has {name}={x[i, j]:.6g}, outside its range "
                     f"[{low:.6g}, {high:.6g}]")  # fmt: skip
    jobs, keys = body["jobs"], ("config_hash", "seed", "replications", "point")
    if not isinstance(jobs, list) or not all(
        isinstance(j, dict) and isinstance(j.get("config_hash"), str) and _whole(j.get("seed"))
        and _whole(j.get("replications"), 1) and _whole(j.get("point")) and j["point"] < rows
        for j in jobs
    ):  # fmt: skip
        _damaged(path, f"jobs must be a list of {{{', '.join(keys)}}} with points below {rows}")
    settings = {k: v for k, v in body.items() if k not in ("orgsim_design", "sample", "jobs")}
    return Record(Path(path), settings, x, pd.DataFrame(list(jobs), columns=list(keys)))


def check_runs(record, runs) -> None:
    """Raise :class:`sim.store.StoreError` naming the design's file when a run it claims
    (by ``config_hash`` and ``seed``) did not run the values of its point.

    The runs carry the values they ran (:mod:`sim.columns`), so a design file
    edited or mixed up with another store's cannot turn an analysis around.
    """
    from sim.store import StoreError

    claimed = record.jobs.merge(runs.drop_duplicates(["config_hash", "seed"]),
                                on=["config_hash", "seed"], how="inner")  # fmt: skip
    if claimed.empty:
        return
    for j, name in enumerate(record.names):
        if name not in claimed:
            raise StoreError(
                f"{record.path}: samples {name}, which its runs do not record; {_REMEDY}"
            )
        wanted = record.sample[claimed["point"].to_numpy(), j]
        ran = claimed[name].to_numpy(dtype=np.float64)
        wrong = ~np.isclose(ran, wanted, rtol=1e-9, atol=1e-12)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            row = claimed.iloc[i]
            raise StoreError(
                f"{record.path}: point {int(row['point'])} says {name}={wanted[i]:.6g}, but job "
                f"{row['config_hash']}-{int(row['seed'])} that it names ran {name}={ran[i]:.6g}: "
                f"the design does not match its runs; {_REMEDY}"
            )
