"""Inputs that pass the range checks yet could not run (issue 26, input side).

Refused as ``orgsim`` refuses them: one line ``orgsim: error: <key>: ...``, exit status 2, no
traceback, nothing written. The messages are checked in-process through ``precheck`` (what
``orgsim`` runs first); one command per kind of fault runs ``orgsim`` as a user types it, and
the memory limits stay subprocesses (an address-space limit on this process would hold for all).
"""

import os
import resource
import subprocess

import pytest

from sim.cli import precheck  # as orgsim runs it: sim.cli stores the schemas in Hydra
from sim.rules import ThresholdLaw
from sim.schema import ConfigError
from tests.helpers import BIN, orgsim


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


def rejected(tmp_path, *args):
    """Check ``orgsim``'s arguments in-process, in ``tmp_path``; return the refusal's line."""
    before = _tree(tmp_path)
    with pytest.raises(ConfigError) as refusal:
        precheck(list(args), base_dir=str(tmp_path))
    said = str(refusal.value)
    assert "\n" not in said
    assert _tree(tmp_path) == before
    return said


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
    assert message in rejected(tmp_path, "org=startup", *args)


def test_a_zero_budget_is_refused_and_says_how_to_have_none(tmp_path):
    said = rejected(tmp_path, "org=startup", "rollout=change_team", "rollout.budget_per_person=0")
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
    assert message in rejected(tmp_path, "org=from_csv", "org.path=hr.csv", *args)


def test_an_unmapped_header_as_the_user_sees_it(tmp_path):
    (tmp_path / "hr.csv").write_text(HR)
    said = refused(tmp_path, "org=from_csv", "org.path=hr.csv", *BAD_MAPPING[1][0])
    assert said.startswith("orgsim: error: org: ") and BAD_MAPPING[1][1] in said


def test_a_generated_org_has_no_columns_to_map(tmp_path):
    said = rejected(tmp_path, "org=startup", "org.columns.unit=Department")
    assert "org.columns: maps the columns of an org chart CSV (org=from_csv)" in said


# -- memory: estimated before anything large is allocated -----------------------------------

LIMIT = 2 * 2**30  # bytes of address space: orgsim itself takes about 0.8 GiB of it


def limited(tmp_path, *args):
    """``orgsim`` under an address-space limit (RLIMIT_AS), as ``ulimit -v`` sets it."""

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    before = _tree(tmp_path)
    done = subprocess.run([str(BIN / "orgsim"), *args], cwd=tmp_path, capture_output=True,
                          text=True, preexec_fn=cap, timeout=300, env={**os.environ})  # fmt: skip
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("orgsim: error: ")
    assert "Traceback" not in done.stderr + done.stdout
    assert _tree(tmp_path) == before
    return done.stderr


TOO_LARGE = [
    # Fits this machine (4.4 GiB estimated), not the limit: a MemoryError traceback before.
    (["org.headcount=3000000", "replications=1", "steps=1"], "network.mean_degree: this job "
     "would need about 4.4 GiB of memory (people 1.7 GiB, ties 2.7 GiB; sim._memory "
     "estimates), more than "),
    (["org.headcount=100000000"], "network.mean_degree: this job would need about 145.5 GiB"),
    ([*CLASSIC[:2], "network=complete", "org.headcount=100000000"], "org.headcount: this job "
     "would need about 55.9 GiB of memory (people 55.9 GiB; "),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), TOO_LARGE, ids=["3M", "100M", "complete"])
def test_a_job_too_large_for_memory_is_refused_before_it_allocates(tmp_path, args, message):
    said = limited(tmp_path, *args)
    assert message in said and "(left under the address-space limit, ulimit -v); lower" in said


def test_the_estimate_names_the_largest_part_and_the_limit(monkeypatch):
    from sim import _memory

    monkeypatch.setattr(_memory, "available", lambda: (2**30, "this machine's memory"))
    keys = {"people": "org.headcount", "ties": "network.mean_degree", "groups": "replications"}
    assert _memory.too_large(_memory.estimate(1000, 20_000, 5000), keys) is None
    said = _memory.too_large(_memory.estimate(10**6, 10**6, 10**7), keys)
    assert said == (
        "replications: this job would need about 6.2 GiB of memory (groups 5.6 GiB; "
        "sim._memory estimates), more than 1.0 GiB (this machine's memory); lower replications"
    )


def test_a_memory_error_while_running_says_what_to_lower():
    from sim.population import Culture
    from sim.rollout import Rollout
    from sim.rules import Organizational
    from sim.scenario import Scenario

    def make_org():
        raise MemoryError  # what numpy raises: "Unable to allocate ..."

    scenario = Scenario(make_org=make_org, rule=Organizational(), rollout=Rollout(),
                        culture=Culture(), steps=3)  # fmt: skip
    with pytest.raises(MemoryError) as info:
        scenario.run(0, 2)
    assert str(info.value) == (
        "out of memory building the org (2 replications of 3 weeks); lower org.headcount (or "
        "use a smaller org.path), network.mean_degree, replications or steps"
    )


def test_a_chart_s_job_is_estimated_with_its_units_once_read(tmp_path):
    (tmp_path / "hr.csv").write_text(HR)
    said = rejected(tmp_path, "org=from_csv", "org.path=hr.csv", MAP, "replications=100000000")
    # 4 people in 3 units and 3 levels: 100,000,000 x 53 weeks x 3 behaviors x 6 groups rows,
    # 600 B each.
    assert said.startswith("replications: this job would need about 53308.9 GiB")
