"""End-to-end: what the store guarantees to users of ``orgsim``, fault by fault."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from tests.helpers import BIN, ROOT, alive, children, orgsim, tables

TINY = ["org=startup", "replications=2", "steps=5"]


def _store(where, task="orgsim"):
    return where / "results" / task


def test_a_mixed_store_groups_right_in_pandas_and_duckdb(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    orgsim(tmp_path, *TINY)  # a plain run
    orgsim(tmp_path, "-m", *TINY, "rollout=company_wide,pilot",
           "culture.courage=0.2,0.5,0.8", "seed=range(0,3)")  # fmt: skip
    orgsim(tmp_path, "-m", *TINY, "culture.trust=0.3,0.7", "behavior=single")  # other keys
    more = ["org=startup", "replications=3", "steps=5"]  # more replications
    orgsim(tmp_path, "-m", *more, "rollout=company_wide,pilot", "culture.courage=0.2,0.5,0.8",
           "seed=range(0,3)")  # fmt: skip
    runs, timeseries = tables(tmp_path)
    assert not runs.duplicated(["config_hash", "seed", "replication"]).any()
    assert not timeseries.duplicated(["config_hash", "seed", "replication", "step",
                                      "behavior"]).any()  # fmt: skip
    # Every row says its scenario, whatever its command said.
    assert runs.rollout.notna().all() and runs["culture.courage"].notna().all()
    counts = runs.groupby(["rollout", "culture.courage"]).size()
    # The plain run (company_wide, courage 0.5, seed 0, 2 replications) and the sweep's
    # job with the same scenario and seed are one job: 3 replications, not 2 + 3.
    assert counts[("pilot", 0.2)] == 3 * 3
    assert counts[("company_wide", 0.5)] == 3 * 3 + 2 * 2  # + the two trust jobs
    assert set(runs.ladder) == {"social_intranet", "single"}
    sizes = duckdb.sql(
        f'SELECT rollout, "culture.courage" AS courage, count(*) AS n '
        f"FROM '{_store(tmp_path)}/jobs/*.runs.parquet' GROUP BY ALL"
    ).df()
    assert sizes.set_index(["rollout", "courage"]).n.to_dict() == counts.to_dict()
    weeks = duckdb.sql(
        f"SELECT count(*) AS n FROM '{_store(tmp_path)}/jobs/*.timeseries.parquet' WHERE step = 5"
    ).df()
    assert weeks.n[0] == (len(runs) - 4) * 3 + 4 * 1  # 'single' has one behavior


def test_an_edited_org_chart_runs_anew_and_rows_carry_its_hash_not_its_path(tmp_path):
    chart = (ROOT / "experiments" / "data" / "acme_org.csv").read_text()
    (tmp_path / "chart-of-Jane-Doe.csv").write_text(chart)
    args = ["org=from_csv", "org.path=chart-of-Jane-Doe.csv", "org.ties=null",
            "replications=1", "steps=3"]  # fmt: skip
    orgsim(tmp_path, *args)
    lines = chart.splitlines()
    lines[-1] = lines[-1].replace(lines[-1].split(",")[2], "Moved", 1)
    (tmp_path / "chart-of-Jane-Doe.csv").write_text("\n".join(lines) + "\n")
    orgsim(tmp_path, *args)
    runs, _ = tables(tmp_path)
    assert len(runs) == 2 and runs["org.path_sha256"].nunique() == 2
    assert runs.config_hash.nunique() == 2
    for table in ("runs", "timeseries"):
        frame = pd.read_parquet(_store(tmp_path) / f"{table}.parquet")
        assert not frame.isin(["chart-of-Jane-Doe.csv"]).any().any()
        assert not any("Jane" in str(v) for v in frame.select_dtypes(["object", "string"]).stack())
    # Job configs name the chart by its contents too (SHA-256), never by a person's name.
    configs = list((_store(tmp_path) / "jobs").glob("*.yaml"))
    assert len(configs) == 2
    assert not any("Jane" in p.read_text() for p in configs)
    assert {f"sha256:{h}" in p.read_text() for p in configs for h in runs["org.path_sha256"]} == {
        True, False}  # fmt: skip


def test_more_replications_run_only_the_new_ones(tmp_path):
    orgsim(tmp_path, "org=startup", "replications=2", "steps=5")
    jobs = _store(tmp_path) / "jobs"
    first = {p.name: p.stat().st_mtime_ns for p in jobs.iterdir()}
    orgsim(tmp_path, "org=startup", "replications=4", "steps=5")
    assert {n: t for n, t in ((p.name, p.stat().st_mtime_ns) for p in jobs.iterdir())
            if n in first} == first  # fmt: skip
    runs, _ = tables(tmp_path)
    assert runs.replication.tolist() == [0, 1, 2, 3]
    clean = tmp_path / "clean"
    clean.mkdir()
    orgsim(clean, "org=startup", "replications=4", "steps=5")
    pd.testing.assert_frame_equal(tables(clean)[0], runs)


def test_a_corrupt_job_is_named_set_aside_and_run_again(tmp_path):
    args = ["-m", *TINY, "seed=0,1"]
    orgsim(tmp_path, *args)
    good = tables(tmp_path)[0]
    victim = sorted((_store(tmp_path) / "jobs").glob("*-1-r0-2.timeseries.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    done = orgsim(tmp_path, *args)
    assert f"{victim} is corrupt" in done.stderr  # the file at fault, by its full path
    assert (_store(tmp_path) / "jobs" / "corrupt" / victim.name).exists()
    pd.testing.assert_frame_equal(tables(tmp_path)[0], good)


def test_a_corrupt_job_fails_the_merge_of_orgsim_results(tmp_path):
    orgsim(tmp_path, "-m", *TINY, "seed=0,1")
    victim = sorted((_store(tmp_path) / "jobs").glob("*-1-r0-2.runs.parquet"))[0]
    victim.write_bytes(b"PAR1" + b"\0" * 100 + b"PAR1")
    done = subprocess.run([str(BIN / "orgsim-results"), str(tmp_path / "results")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and f"{victim.name} is corrupt" in done.stderr
    assert "Traceback" not in done.stderr
    stray = subprocess.run([str(BIN / "orgsim-results"), str(tmp_path / "results")],
                           capture_output=True, text=True)  # fmt: skip
    assert stray.returncode == 0 and "1 jobs" in stray.stdout


def test_a_merge_that_cannot_write_exits_1_naming_the_file(tmp_path):
    (_store(tmp_path) / "runs.parquet").mkdir(parents=True)  # in the merge's way
    done = orgsim(tmp_path, *TINY, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("orgsim: error: cannot write ")
    assert "runs.parquet: is a directory" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB file system of its own (needs root); read-only with ``.remount(ro=True)``."""
    where = tmp_path / "disk"
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                          capture_output=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")

    class Disk:
        path = where

        def remount(self, ro):
            mode = "ro" if ro else "rw"
            subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)

    try:
        yield Disk()
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize("sweep", [[], ["-m", "seed=0,1"]], ids=["run", "sweep"])
def test_a_full_disk_stops_the_command_naming_the_file(tmp_path, tiny_disk, sweep):
    filler = tiny_disk.path / "filler"
    with filler.open("wb") as f:  # leave about 60 KiB: the first file fits, not all
        f.write(b"\0" * (1024 * 1024 - 60 * 1024))
    done = orgsim(tmp_path, *sweep, *TINY, "steps=52", f"paths.results={tiny_disk.path}",
                  check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("orgsim: error: cannot write ") and ": disk full" in done.stderr
    runs = list((tiny_disk.path / "orgsim" / "jobs").glob("*.runs.parquet"))
    assert runs == [] and not list(tiny_disk.path.rglob("*.tmp"))


def test_a_read_only_results_folder_is_refused_before_anything_runs(tmp_path, tiny_disk):
    tiny_disk.remount(ro=True)
    done = orgsim(tmp_path, *TINY, f"paths.results={tiny_disk.path}/results", check=False)
    assert done.returncode == 2
    assert done.stderr == (
        f"orgsim: error: paths.results: {tiny_disk.path} cannot be written (read-only file "
        "system).\n"
    )


def test_two_sweeps_into_one_store_both_finish_with_each_job_once(tmp_path):
    args = ["-m", "org=midsize", "replications=2", "steps=20", "seed=range(0,8)",
            "hydra.launcher.n_jobs=2"]  # fmt: skip
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    both = [
        subprocess.Popen([str(BIN / "orgsim"), *args], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    outs = [p.communicate(timeout=600) for p in both]
    assert [p.returncode for p in both] == [0, 0], outs
    chunks = sorted(p.name for p in (_store(tmp_path) / "jobs").glob("*.runs.parquet"))
    assert len(chunks) == 8  # computed once each, never twice
    clean = tmp_path / "clean"
    clean.mkdir()
    orgsim(clean, *args)
    for mine, theirs in zip(tables(tmp_path), tables(clean), strict=True):
        pd.testing.assert_frame_equal(mine, theirs)


def _terminal_signals():
    # As a terminal's foreground job: a shell without job control (a CI script's
    # background step) starts its children with Ctrl-C ignored, and Python keeps that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep(where, *args):
    return subprocess.Popen(
        [str(BIN / "orgsim"), "-m", "org=midsize", "replications=6", "seed=range(0,40)",
         "hydra.launcher.n_jobs=2", *args],
        cwd=where, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_terminal_signals,
    )  # fmt: skip


def _wait_for_jobs(where, k, sweep):
    jobs = _store(where) / "jobs"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and sweep.poll() is None:
        if jobs.is_dir() and len(list(jobs.glob("*.runs.parquet"))) >= k:
            return
        time.sleep(0.05)
    pytest.fail("the sweep finished no job in time")


def test_killing_orgsim_stops_its_workers(tmp_path):
    sweep = _start_sweep(tmp_path)
    _wait_for_jobs(tmp_path, 1, sweep)
    workers = children(sweep.pid)
    assert workers, "no worker processes"
    sweep.kill()  # orgsim alone, not its process group
    sweep.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers), "workers outlived orgsim"


def test_ctrl_c_says_how_many_jobs_finished_and_the_same_command_resumes(tmp_path):
    sweep = _start_sweep(tmp_path, "steps=20")
    _wait_for_jobs(tmp_path, 2, sweep)
    os.killpg(sweep.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 130, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (
        "orgsim: interrupted: " in err and " of 40 jobs finished; the same command resumes" in err
    )
    finished = int(err.split("interrupted: ")[1].split(" of")[0])
    assert finished >= 2


def test_ctrl_c_while_checking_the_command_says_nothing_was_written(tmp_path, monkeypatch, capsys):
    from sim import cli, workers

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "precheck", interrupted)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["orgsim", *TINY])
    for name in ("HYDRA_FULL_ERROR", workers.MAIN_PID):  # main sets them: restored after
        monkeypatch.setenv(name, "")
    handler = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as stop:
            cli.main()
    finally:
        signal.signal(signal.SIGTERM, handler)
    assert stop.value.code == 130
    said = capsys.readouterr().err
    assert said == "orgsim: interrupted: while checking the command; nothing was written\n"
    assert list(tmp_path.iterdir()) == []


def test_a_large_job_lands_in_chunks_of_bounded_size(tmp_path):
    """250 replications land as chunks of at most 100 (a worker never holds them all),
    with the numbers the replications give run in one piece."""
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register
    from sim.job import _ranges

    assert _ranges([0, 1, 2, 5, 6], 2) == [(0, 2), (2, 3), (5, 7)]
    args = ["org.headcount=60", "steps=3", "seed=4", "report=false"]
    orgsim(tmp_path, *args, "replications=250")
    jobs = sorted(p.name for p in (tmp_path / "results" / "orgsim" / "jobs").glob("*.runs.parquet"))
    assert [name.split("-r")[1] for name in jobs] == [
        "0-100.runs.parquet", "100-200.runs.parquet", "200-250.runs.parquet"]  # fmt: skip
    runs, _ = tables(tmp_path)
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        scenario = build(compose("config", overrides=args))
    whole, _ = scenario.run(4, 250)
    stored = runs.sort_values("replication").reset_index(drop=True)
    assert stored["final_fraction_consume"].equals(whole["final_fraction_consume"])
    assert stored["cost_total"].equals(whole["cost_total"])
