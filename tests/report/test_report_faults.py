"""End to end, fault by fault: what ``orgsim report``, ``orgsim analyze`` and
``orgsim-results`` do with a damaged store, a bad metric or a stop signal: one line, the
right exit status, nothing half-written, nothing left running."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import alive, children, orgsim

BIN = Path(sys.executable).parent
# Two seeds of three replications: six pairs per strategy.
SWEEP = ["-m", "org=startup", "org.headcount=300", "steps=8", "replications=3", "seed=0,1",
         "rollout=company_wide,pilot", "report=false"]  # fmt: skip


def run(command, *args, cwd):
    return subprocess.run([str(BIN / command), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=dict(os.environ), timeout=300)  # fmt: skip


def report(*args, cwd):
    return run("orgsim", "report", *args, cwd=cwd)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    where = tmp_path_factory.mktemp("built")
    orgsim(where, *SWEEP)
    return where / "results" / "orgsim"


@pytest.fixture
def store(built, tmp_path):
    copy = tmp_path / "results" / "orgsim"
    shutil.copytree(built, copy)
    return copy


def _one_line(done, status, says):
    assert done.returncode == status, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in done.stderr, done.stderr


def test_the_ranking_counts_the_pairs_it_used_and_shows_shares_in_percent(store, tmp_path):
    done = report(store, "--out", tmp_path / "a", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "6 paired replications" in done.stdout and "3 paired" not in done.stdout
    shares = report(store, "--metric", "final_fraction_contribute", "--out", tmp_path / "b",
                    cwd=tmp_path)  # fmt: skip
    ranked = [line for line in shares.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert len(ranked) == 2
    for line in ranked:  # "1  company_wide  17.7 %  [9.3 %, 26.0 %] ..." as in the summaries
        assert line.count("%") >= 3, line
    assert " pp [" in ranked[0]
    text = (tmp_path / "b" / "report.md").read_text()
    assert " pp [" in text and "6 paired replications" in text


@pytest.mark.parametrize("metric", ["rollout", "version", "seed", "culture.trust"])
def test_a_setting_is_no_metric_and_nothing_is_written(store, tmp_path, metric):
    out = tmp_path / "out"
    done = report(store, "--metric", metric, "--out", out, cwd=tmp_path)
    _one_line(done, 2, f"--metric {metric}: not an outcome metric")
    assert not out.exists()
    analyzed = run("orgsim", "analyze", store, "--metric", metric, cwd=tmp_path)
    assert analyzed.returncode == 2 and "Traceback" not in analyzed.stderr


def test_help_lists_the_outcome_metrics(tmp_path):
    for command in (["report"], ["analyze"]):
        done = run("orgsim", *command, "--help", cwd=tmp_path)
        text = " ".join(done.stdout.split())
        assert done.returncode == 0
        for name in ("final_fraction_<b>", "auc_fraction_weeks_<b>", "cost_total",
                     "weeks_to_50pct_<b>"):  # fmt: skip
            assert name in text, (command, name)


def _flip(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x04
    path.write_bytes(bytes(data))


def test_a_damaged_merged_table_is_never_believed_and_is_rebuilt(store, tmp_path):
    fine = report(store, "--out", tmp_path / "fine", cwd=tmp_path)
    assert fine.returncode == 0, fine.stderr
    expected = pd.read_csv(tmp_path / "fine" / "runs.csv")
    runs, timeseries = store / "runs.parquet", store / "timeseries.parquet"
    good = {p: p.read_bytes() for p in (runs, timeseries)}
    _flip(runs)
    # The report reads the jobs' numbers and says why, in one line.
    done = report(store, "--out", tmp_path / "flipped", cwd=tmp_path)
    assert done.returncode == 0
    _one_line(done, 0, f"{runs} is corrupt")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "flipped" / "runs.csv"), expected)
    # orgsim-results rebuilds it from jobs/, byte for byte, and says so.
    merged = run("orgsim-results", store, cwd=tmp_path)
    _one_line(merged, 0, "rebuilt from jobs/")
    assert runs.read_bytes() == good[runs]
    # A truncated merged table: no traceback, rebuilt (by a rerun as by orgsim-results).
    timeseries.write_bytes(good[timeseries][: len(good[timeseries]) // 2])
    again = orgsim(tmp_path, *SWEEP)
    assert "Traceback" not in again.stderr and "rebuilt from jobs/" in again.stderr
    assert timeseries.read_bytes() == good[timeseries]


def test_a_damaged_merged_table_without_its_jobs_is_named_exit_1(store, tmp_path):
    assert run("orgsim-results", store, cwd=tmp_path).returncode == 0
    for path in (store / "jobs").iterdir():
        path.unlink()
    _flip(store / "runs.parquet")
    done = run("orgsim-results", store, cwd=tmp_path)
    _one_line(done, 1, "runs.parquet is corrupt")
    assert "cannot be rebuilt" in done.stderr


@pytest.mark.skipif(not Path("/proc").is_dir() or (os.cpu_count() or 1) < 2,
                    reason="drawing workers need two cores and /proc to be seen")  # fmt: skip
def test_a_report_stopped_by_sigterm_leaves_no_worker_and_no_temporary_file(store, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([str(BIN / "orgsim"), "report", str(store), "--out", str(out)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    workers = set()
    deadline = time.monotonic() + 120
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = children(process.pid)
        time.sleep(0.01)
    if not workers:
        process.kill()
        pytest.fail("the report drew its figures without workers: nothing to stop")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "terminated" in lines[0] and "Traceback" not in err
    time.sleep(0.5)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left == []
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_command_among_a_stores_runs_gets_its_own_report(store, tmp_path):
    whole = report(store, cwd=tmp_path)
    assert whole.returncode == 0 and (store / "report.html").is_file()
    before = (store / "report.html").read_bytes()
    # Another command's sweep into the same store (a CSV run of the same task, a sweep
    # beside it): its report is its own and leaves the store's.
    other = orgsim(tmp_path, "-m", "org=startup", "org.headcount=300", "steps=8",
                   "replications=2", "seed=3", "rollout=pilot,safe_space")  # fmt: skip
    [own] = list((store / "reports").glob("pilot-safe-space-*"))
    assert f"report: {own / 'report.html'}" in other.stdout
    assert (store / "report.html").read_bytes() == before
    text = (own / "report.md").read_text()
    assert "(one command's, of the 16 the store holds)" in text
    assert set(pd.read_csv(own / "runs.csv")["strategy"]) == {"pilot", "safe_space"}
    # A report by another metric is named by it, and replaces neither.
    by = report(store, "--metric", "final_fraction_consume", cwd=tmp_path)
    assert f"report: {store / 'reports' / 'by-final_fraction_consume' / 'report.html'}" in (
        by.stdout)  # fmt: skip
    assert (store / "report.html").read_bytes() == before


def test_unit_and_level_figures_from_some_runs_say_so(store, tmp_path):
    [gone, *_] = sorted((store / "jobs").glob("*.groups.parquet"))
    gone.unlink()
    done = report(store, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0
    assert f"{gone} is missing: the unit and level figures leave out job" in done.stderr
    text = (tmp_path / "out" / "report.md").read_text()
    assert "Drawn from 9 of the 12 runs: the others' unit and level tables are missing" in text


def test_a_stop_swallowed_on_the_way_still_ends_with_status_143(capsys):
    """SIGTERM's exception can be lost where Python ignores exceptions (an at-fork hook, a
    finalizer); the command then finishes, but it still says it was stopped and exits 143."""
    from sim.report.cli import stoppable

    with stoppable("orgsim report") as stopped:
        try:
            signal.raise_signal(signal.SIGTERM)
        except KeyboardInterrupt:
            pass  # what an ignoring caller does
    assert stopped.status == 143
    assert "terminated" in capsys.readouterr().err
