"""What an analysis refuses before it misleads: a setting taken for an outcome, a design too
big to check, a design file that is not what its runs ran, indices a sample is too small for."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.analysis import study
from sim.analysis.design import MAX_POINTS, Design, Record, check_runs, read_records, write_record
from sim.conf import ConfigError
from sim.metrics import is_outcome, outcome_metrics
from sim.results import Results
from sim.store import StoreError

PARAMETERS = {"culture.open": [0, 1], "culture.trust": [0, 1], "culture.courage": [0, 1]}


@pytest.mark.parametrize(
    "name",
    [
        "rollout",
        "seed",
        "version",
        "replication",
        "culture.trust",
        "final_fraction_",
        "config_hash",
        "strategy",
    ],
)
def test_a_setting_is_not_an_outcome(name):
    assert not is_outcome(name)
    with pytest.raises(ConfigError, match=r"analysis\.metric: must be an outcome metric"):
        Design.from_config({"method": "latin", "metric": name, "samples": 10,
                            "parameters": {"culture.trust": [0, 1]}})  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "final_fraction_consume",
        "auc_fraction_weeks_contribute",
        "weeks_to_50pct_create",
        "cost_total",
        "cost_training",
        "rogers_laggards",
        "organic_creators",
        "unit_gini_consume",
    ],
)
def test_outcomes_are_outcomes(name):
    assert is_outcome(name)
    runs = pd.DataFrame({"rollout": ["a"], "seed": [0], name: [0.5], "note": ["x"]})
    assert outcome_metrics(runs) == [name]
    assert not is_outcome(name, runs.rename(columns={name: "other"}))


def _results(design, y, strategy="a"):
    x = design.sample()
    points = len(x)
    jobs = pd.DataFrame({"config_hash": [f"h{i}" for i in range(points)], "seed": 0,
                         "replications": 1, "point": range(points)})  # fmt: skip
    record = Record(Path("designs/t.json"), design.settings(), x, jobs)
    runs = pd.DataFrame({"config_hash": jobs["config_hash"], "seed": 0, "replication": 0,
                         "version": "x", "rollout": "a", "strategy": strategy, "design": "t",
                         "point": range(points), "final_fraction_consume": y(x)})  # fmt: skip
    return Results(store=Path("."), runs=runs, designs=[record], behaviors=["consume"]), record


def test_analyze_refuses_a_setting_for_its_metric():
    design = Design.from_config({"method": "latin", "samples": 20, "parameters": PARAMETERS})
    results, record = _results(design, lambda x: x[:, 0])
    for metric in ("rollout", "seed"):
        with pytest.raises(study.AnalysisError, match=f"--metric {metric}: not an outcome"):
            study.analyze(results, record, metric)


def test_first_order_indices_summing_beyond_one_are_said_to_be_too_few():
    def additive(x):  # first-order indices that sum to 0.9: what a big sample finds
        return x[:, 0] + x[:, 1] + x[:, 2] + 2 * x[:, 0] * x[:, 1]

    small = Design.from_config({"method": "sobol", "samples": 4, "seed": 3,
                                "parameters": PARAMETERS})  # fmt: skip
    found = study.analyze(*_results(small, additive), "final_fraction_consume")
    assert found.indices["S1"].sum() > 1.1
    [note] = found.notes
    assert "sum to 1.83, more than 1" in note and "analysis.samples=4" in note
    big = Design.from_config({"method": "sobol", "samples": 1024, "seed": 3,
                              "parameters": PARAMETERS})  # fmt: skip
    assert study.analyze(*_results(big, additive), "final_fraction_consume").notes == []


def test_a_design_beyond_the_cap_is_refused_before_it_is_drawn():
    for method, samples in (("latin", 1_000_000), ("morris", MAX_POINTS // 3), ("sobol", 32768)):
        with pytest.raises(ConfigError, match=r"analysis.samples: .* points .* up to 100,000"):
            Design.from_config({"method": method, "samples": samples, "parameters": PARAMETERS})
    assert Design.from_config({"method": "latin", "samples": MAX_POINTS,
                               "parameters": PARAMETERS}) is not None  # fmt: skip


# -- a design file read back -------------------------------------------------------------


def _recorded(store):
    """A Morris design recorded in ``store`` and the runs its jobs ran (with their values)."""
    design = Design.from_config({"method": "morris", "samples": 2, "parameters": PARAMETERS})
    x = design.sample()
    jobs = [SimpleNamespace(digest=f"h{i}", seed=0, replications=1) for i in range(len(x))]
    path = write_record(store, design, jobs, range(len(x)))
    runs = pd.DataFrame({"config_hash": [j.digest for j in jobs], "seed": 0, "replication": 0,
                         **{name: x[:, k] for k, name in enumerate(design.names)}})  # fmt: skip
    return path, runs


def _edit(path, change):
    body = json.loads(path.read_text())
    body = change(body)
    path.write_text(json.dumps(body))


def _without(key):
    def change(body):
        del body[key]
        return body

    return change


def _rows(n):
    def change(body):
        body["sample"] = body["sample"][:n]
        return body

    return change


@pytest.mark.parametrize(("change", "says"), [
    (lambda body: [1, 2], "a JSON list, not an object"),
    (_without("sample"), "no 'sample'"),
    (_without("jobs"), "no 'jobs'"),
    (_rows(5), "5 points in its sample, where morris with samples=2 over 3 parameters draws 8"),
    (lambda body: {**body, "sample": [[0.5, "x", 0.5]] * 8}, "sample must be rows of 3 numbers"),
    (lambda body: {**body, "sample": [[0.5, 7.0, 0.5]] * 8}, "culture.trust=7, outside"),
    (lambda body: {**body, "jobs": [{"config_hash": "h0", "seed": 0, "replications": 1,
                                     "point": 8}]}, "points below 8"),
    (lambda body: {**body, "metric": "rollout"}, "metric 'rollout' is not an outcome"),
])  # fmt: skip
def test_a_damaged_design_file_is_named_in_one_line(tmp_path, change, says):
    path, _ = _recorded(tmp_path)
    _edit(path, change)
    with pytest.raises(StoreError) as error:
        read_records(tmp_path)
    message = str(error.value)
    assert message.startswith(f"{path}: not a design orgsim wrote") and says in message
    assert "\n" not in message


def test_a_file_that_is_not_json_is_named(tmp_path):
    path, _ = _recorded(tmp_path)
    path.write_text('{"orgsim_design": 1, ')
    with pytest.raises(StoreError, match=r"not a design orgsim wrote \(not JSON"):
        read_records(tmp_path)


def test_a_design_whose_points_are_not_what_its_runs_ran_is_refused(tmp_path):
    path, runs = _recorded(tmp_path)
    [record] = read_records(tmp_path)
    check_runs(record, runs)  # as written: the runs ran its points
    # Sampled x replaced by 1 - x: the effect's sign would flip without a word.
    _edit(path, lambda body: {**body, "sample": [[1 - v for v in row] for row in body["sample"]]})
    [flipped] = read_records(tmp_path)
    says = r"point 0 says culture.open=.*, but job h0-0 that it names ran culture.open=.*: "
    with pytest.raises(StoreError, match=says + "the design does not match its runs"):
        check_runs(flipped, runs)
    with pytest.raises(StoreError, match=r"samples culture\.open, which its runs do not record"):
        check_runs(record, runs.drop(columns="culture.open"))


def test_the_sweep_that_wrote_a_design_restores_it(tmp_path):
    path, _ = _recorded(tmp_path)
    whole = path.read_text()
    _edit(path, _rows(5))
    again, _ = _recorded(tmp_path)
    assert again == path and path.read_text() == whole
    assert np.asarray(read_records(tmp_path)[0].sample).shape == (8, 3)


def test_a_point_on_its_range_edge_as_the_sampler_scaled_it_is_read(tmp_path):
    """SALib scales 0.078 + 0.156 x 1 to 0.23400000000000001, above 0.234 (the Morris study)."""
    ranges = {"rule.commitment_weight": [0.078, 0.234], "culture.trust": [0.1, 0.9]}
    design = Design.from_config({"method": "morris", "samples": 4, "parameters": ranges})
    x = design.sample()
    assert (x[:, 0] > 0.234).any()  # the sampler's own rounding, which the check must allow
    jobs = [SimpleNamespace(digest=f"h{i}", seed=0, replications=1) for i in range(len(x))]
    write_record(tmp_path, design, jobs, range(len(x)))
    [record] = read_records(tmp_path)
    assert np.array_equal(np.asarray(record.sample), x)
