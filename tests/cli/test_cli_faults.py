"""Faults around a sweep, each ending in one line: a launcher not installed, a full disk,
an input file edited while the sweep runs; and what a sweep tells and keeps private."""

import importlib.util
import os
import resource
import subprocess
import time

import pytest

from tests.helpers import BIN, ROOT, SMALL, orgsim

CHART = os.path.join(ROOT, "sim", "examples", "acme_org.csv")


def _one_line(done, status):
    assert done.returncode == status, done.stderr[-3000:]
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("orgsim: error: ")
    assert "Traceback" not in done.stderr


def _ray_installed():
    try:
        return importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None
    except ImportError:
        return False


@pytest.mark.skipif(_ray_installed(), reason="the ray extra is installed")
def test_a_launcher_not_installed_is_one_line_before_anything_runs(tmp_path):
    done = orgsim(tmp_path, "-m", "hydra/launcher=ray", *SMALL, "seed=0,1", check=False)
    _one_line(done, 2)
    assert "hydra/launcher=ray: its plugin is not installed (pip install 'orgsim[ray]')" in (
        done.stderr
    )
    assert list(tmp_path.iterdir()) == []


def test_more_workers_than_cores_is_said(tmp_path):
    workers = (os.cpu_count() or 1) + 1
    done = orgsim(tmp_path, "-m", *SMALL, "seed=0,1", "report=false",
                  f"hydra.launcher.n_jobs={workers}")  # fmt: skip
    assert f"hydra.launcher.n_jobs={workers}: {workers} worker processes share" in done.stderr
    quiet = orgsim(tmp_path, "-m", *SMALL, "seed=0,1", "report=false", "task_name=q")
    assert "worker processes share" not in quiet.stderr


def test_a_full_disk_while_the_sweep_is_recorded_is_one_line_and_no_half_file(tmp_path):
    def small_files():  # a write past 3,000 bytes fails as on a full disk (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))

    done = subprocess.run([str(BIN / "orgsim"), "-m", *SMALL, "seed=0,1"], cwd=tmp_path,
                          capture_output=True, text=True, preexec_fn=small_files,
                          timeout=300)  # fmt: skip
    _one_line(done, 1)
    assert "multirun.yaml" in done.stderr
    store = tmp_path / "results" / "orgsim"
    assert not (store / "multirun.yaml").exists()
    assert not [p for p in store.rglob("*") if p.is_file() and ".tmp" in p.name]


def test_the_sweep_records_no_input_file_name(tmp_path):
    (tmp_path / "chart-of-Jane-Doe.csv").write_text(open(CHART).read())
    orgsim(tmp_path, "-m", "org=from_csv", "org.path=chart-of-Jane-Doe.csv", "seed=0,1",
           "replications=1", "steps=3", "rollout.budget_per_person=1", "report=false")  # fmt: skip
    store = tmp_path / "results" / "orgsim"
    written = [p for p in store.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"multirun.yaml", "runs.parquet"}
    for path in written:
        assert b"Jane" not in path.read_bytes(), path
    assert "sha256:" in (store / "multirun.yaml").read_text()


def test_a_chart_edited_while_the_sweep_runs_gives_no_ranking(tmp_path):
    chart = tmp_path / "org.csv"
    chart.write_text(open(CHART).read())
    seeds = ",".join(str(s) for s in range(24))
    process = subprocess.Popen(
        [str(BIN / "orgsim"), "-m", "org=from_csv", "org.path=org.csv",
         "rollout=company_wide,pilot", f"seed={seeds}", "replications=2", "steps=20",
         "rollout.budget_per_person=1", "hydra.launcher.n_jobs=1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    jobs = tmp_path / "results" / "orgsim" / "jobs"
    deadline = time.monotonic() + 240
    while not list(jobs.glob("*.runs.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = chart.read_text().splitlines()
    chart.write_text("\n".join(lines[:-1]) + "\n")  # the last person has left
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1, err[-3000:]
    assert "org.csv: changed while the command ran" in err and "Traceback" not in err
    assert "Ranking" not in out


def test_a_job_out_of_memory_comes_back_as_one_line_not_a_traceback():
    from hydra.core.utils import JobReturn, JobStatus

    from sim import sweep

    job = JobReturn(status=JobStatus.FAILED)
    job._return_value = MemoryError("out of memory: lower org.headcount or replications")
    with sweep.running(sweep.Command()) as command:
        sweep.DropJobConfigs().on_job_end(None, job)
    assert job.status == JobStatus.COMPLETED
    assert isinstance(job.return_value, sweep.JobFailed)
    assert command.failures == ["out of memory: lower org.headcount or replications"]
    assert sweep.current() is not command  # orgsim's command ends with its run


def test_checking_many_jobs_is_said(capsys):
    from sim.precheck import _MANY_JOBS, _said

    assert list(_said(range(3), 3)) == [0, 1, 2] and capsys.readouterr().err == ""
    assert len(list(_said(range(_MANY_JOBS), _MANY_JOBS))) == _MANY_JOBS
    assert (
        capsys.readouterr().err == f"orgsim: checking {_MANY_JOBS:,} jobs before any of them runs\n"
    )


def test_hydras_usage_errors_are_one_line(tmp_path):
    done = orgsim(tmp_path, "-m", "seed=0,1", "--cfg", "job", check=False)
    _one_line(done, 2)
    assert "Only one of --run, --multirun, --cfg" in done.stderr


def test_precheck_alone_knows_the_schemas():
    """sim.precheck used on its own (without sim.cli imported first) composes and checks."""
    import sys

    code = (
        "from sim.precheck import precheck\n"
        "from sim.schema import ConfigError\n"
        "try:\n    precheck(['culture.trust=1.5'])\n"
        "except ConfigError as error:\n    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "The 'trust' parameter of Culture must be a float" in out.stdout, out.stderr[-2000:]
