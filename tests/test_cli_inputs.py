"""End-to-end: inputs that pass the range checks yet could not run (issue 26, input side).

Each case is the ``orgsim`` command as a user types it: one line ``orgsim: error: <key>: ...``,
exit status 2, no traceback, nothing written.
"""

import pytest

from sim.rules import ThresholdLaw
from tests.test_cli import orgsim


def _tree(where):
    return sorted((str(p.relative_to(where)), p.stat().st_size) for p in where.rglob("*"))


def refused(tmp_path, *args, env=None):
    """Run ``orgsim``; check the one-line refusal, and return its line."""
    before = _tree(tmp_path)
    done = orgsim(tmp_path, *args, env=env, check=False)
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("orgsim: error: ")
    assert "Traceback" not in done.stderr + done.stdout
    assert _tree(tmp_path) == before
    return done.stderr


CLASSIC = ["rule=threshold", "rollout=company_wide_decentralized", "rule.absolute=true"]
OVERFLOW = [
    (["rollout.budget_per_person=1e308"], "rollout.budget_per_person: The 'budget_per_person' "
     "parameter of Rollout gives 50 people a budget of inf person-days"),
    (["rollout.budget=1e308", "rollout.budget_per_person=1e308"],
     "rollout.budget_per_person: The 'budget_per_person' parameter"),
    ([*CLASSIC, "rule.theta=1e308", "rule.spread=1e308", "rule.thresholds=evenly"],
     "rule.spread: The 'spread' parameter of ThresholdLaw must keep thresholds finite: "
     "theta + spread = inf"),
    ([*CLASSIC, "rule.theta=1e308", "rule.spread=1e307", "rule.thresholds=normal"],
     "rule.spread: The 'spread' parameter of ThresholdLaw must keep thresholds finite: "
     "theta + 64 x spread = inf"),
    ([*CLASSIC, "rule.theta=1e308", "rule.thresholds=same", "rule.moved=0", "rule.move=1e308"],
     "rule.move: The 'move' parameter of ThresholdLaw must keep the moved threshold finite"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), OVERFLOW, ids=[" ".join(a) for a, _ in OVERFLOW])
def test_values_that_would_overflow_later_are_refused_naming_the_key(tmp_path, args, message):
    assert message in refused(tmp_path, "org=startup", *args)


def test_a_zero_budget_is_refused_and_says_how_to_have_none(tmp_path):
    said = refused(tmp_path, "org=startup", "rollout=change_team", "rollout.budget_per_person=0")
    assert "rollout.budget_per_person: " in said and "budget_per_person=null" in said
    # null is no budget: the levers as given, whatever they cost.
    done = orgsim(tmp_path, "org=startup", "rollout=change_team", "rollout.budget_per_person=null",
                  "replications=1", "steps=2")  # fmt: skip
    assert done.returncode == 0


def test_a_threshold_law_s_range_stays_finite():
    with pytest.raises(ValueError, match="theta \\+ spread = inf"):
        ThresholdLaw(law="evenly", theta=1e308, spread=1e308, absolute=True)
    with pytest.raises(ValueError, match="theta \\+ 64 x spread = inf"):
        ThresholdLaw(law="normal", theta=1.0, spread=1e307, absolute=True)
    # Shares are clipped to [0, 1], so a wide normal law of shares is fine.
    ThresholdLaw(law="normal", theta=0.5, spread=1e307)


# -- an HR export's own headers: org.columns ------------------------------------------------

HR = (
    "Employee ID,Manager ID,Department,Full name\n"
    "E0001,,Exec,Ann\nE0002,E0001,Sales,Bob\nE0003,E0001,Sales,Cy\nE0004,E0002,Care,Di\n"
)
MAP = 'org.columns={employee_id: "Employee ID", manager_id: "Manager ID", unit: Department}'


def test_an_hr_export_runs_with_its_headers_mapped(tmp_path):
    import pandas as pd

    (tmp_path / "hr.csv").write_text(HR)
    orgsim(tmp_path, "org=from_csv", "org.path=hr.csv", MAP, "replications=1", "steps=2")
    runs = pd.read_parquet(tmp_path / "results" / "orgsim" / "runs.parquet")
    assert runs["org.columns"].tolist() == [
        '{"employee_id": "Employee ID", "manager_id": "Manager ID", "unit": "Department"}'
    ]
    # One key at a time is the same scenario: the store holds it already.
    orgsim(tmp_path, "org=from_csv", "org.path=hr.csv", "org.columns.unit=Department",
           "org.columns.employee_id=Employee ID", "org.columns.manager_id=Manager ID",
           "replications=1", "steps=2")  # fmt: skip
    assert len(pd.read_parquet(tmp_path / "results" / "orgsim" / "runs.parquet")) == 1


BAD_MAPPING = [
    (["org.columns={employee: Employee ID}"], "org.columns.employee: no such key (keys there: "
     "employee_id, manager_id, unit"),
    ([MAP.replace("Department", "Dept")], "hr.csv: no column 'Dept', which the column mapping "
     "names for 'unit' (the header has 'Employee ID', 'Manager ID', 'Department', 'Full name')"),
    ([MAP.replace('"Manager ID"', '"Employee ID"')], "org.columns: The 'columns' parameter of "
     "from_csv maps both 'employee_id' and 'manager_id' to the header 'Employee ID'"),
    ([], "hr.csv: missing column(s) 'employee_id', 'manager_id', 'unit'; the org chart needs "
     "employee_id, manager_id, unit (the header has 'Employee ID', 'Manager ID', 'Department', "
     "'Full name'); if yours has another name, map it: org.columns={employee_id: 'Your header'}"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD_MAPPING, ids=["unknown", "absent", "twice",
                                                                 "unmapped"])  # fmt: skip
def test_a_column_mapping_s_mistakes_in_one_line(tmp_path, args, message):
    (tmp_path / "hr.csv").write_text(HR)
    assert message in refused(tmp_path, "org=from_csv", "org.path=hr.csv", *args)


def test_a_generated_org_has_no_columns_to_map(tmp_path):
    said = refused(tmp_path, "org=startup", "org.columns.unit=Department")
    assert "org.columns: maps the columns of an org chart CSV (org=from_csv)" in said
