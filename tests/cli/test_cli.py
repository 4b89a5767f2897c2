"""End-to-end: the ``orgsim`` and ``orgsim-results`` commands, run as users run them."""

import os
import signal
import socket
import subprocess
import time

import pandas as pd
import pytest

from tests.helpers import BIN, CORES, SMALL, orgsim, tables


def test_single_run_writes_the_store(tmp_path):
    done = orgsim(tmp_path, *SMALL, "culture=humanized")
    runs, timeseries = tables(tmp_path)
    assert len(runs) == 2 and list(runs.replication) == [0, 1]
    assert {"config_hash", "seed", "version", "culture"} <= set(runs.columns)
    assert (runs.culture == "humanized").all() and (runs.seed == 0).all()
    assert len(timeseries) == 2 * 13 * 3  # replications x (weeks + week 0) x behaviors
    assert "final_fraction_consume" in runs.columns
    assert "share reading at the end" in done.stdout and "results:" in done.stdout
    jobs = sorted(p.name for p in (tmp_path / "results" / "orgsim" / "jobs").iterdir())
    stem = f"{runs.config_hash[0]}-0-r0-2"
    assert jobs == [f"{stem}.{t}" for t in ("groups.parquet", "runs.parquet",
                                            "timeseries.parquet", "yaml")]  # fmt: skip
    assert (
        "humanized" not in (tmp_path / "results" / "orgsim" / "jobs" / f"{stem}.yaml").read_text()
    )
    assert "trust: 0.8" in (tmp_path / "results" / "orgsim" / "jobs" / f"{stem}.yaml").read_text()


def test_same_command_twice_gives_identical_numbers_and_no_duplicates(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    args = ["-m", *SMALL, "rollout=company_wide,pilot", "seed=3,4", "hydra.launcher.n_jobs=2"]
    orgsim(first, *args)
    orgsim(second, *args)
    a, b = tables(first), tables(second)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert len(a[0]) == 8 and set(a[0].rollout) == {"company_wide", "pilot"}
    # Again in the same place: every job is skipped, nothing is rewritten or doubled.
    jobs = first / "results" / "orgsim" / "jobs"
    before = {p.name: p.stat().st_mtime_ns for p in jobs.iterdir()}
    orgsim(first, *args)
    assert {p.name: p.stat().st_mtime_ns for p in jobs.iterdir()} == before
    pd.testing.assert_frame_equal(tables(first)[0], a[0])


def test_experiment_sweep_from_its_config(tmp_path):
    orgsim(
        tmp_path, "-m", "+experiment=classic_cascade", "org=startup", "replications=1", "steps=5"
    )
    runs, _ = tables(tmp_path, "classic_cascade")
    assert sorted(runs["rule.theta"]) == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    assert "final_fraction_adopt" in runs.columns


def _finished_jobs(jobs):
    return sorted(jobs.glob("*.runs.parquet")) if jobs.is_dir() else []


def test_killed_sweep_resumes_without_losing_or_doubling_rows(tmp_path):
    args = ["-m", "org=midsize", "replications=4", "seed=range(0,24)", "hydra.launcher.n_jobs=2"]
    jobs = tmp_path / "results" / "orgsim" / "jobs"
    sweep = subprocess.Popen(
        [str(BIN / "orgsim"), *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while len(_finished_jobs(jobs)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(sweep.pid, signal.SIGKILL)  # the launcher and its workers, mid-write or not
    sweep.wait()
    survivors = {p.name: p.stat().st_mtime_ns for p in _finished_jobs(jobs)}
    assert 4 <= len(survivors) < 24, "the sweep was not stopped half way"
    orgsim(tmp_path, *args)
    runs, timeseries = tables(tmp_path)
    assert len(runs) == 24 * 4
    assert not runs.duplicated(["config_hash", "seed", "replication"]).any()
    assert sorted(runs.seed.unique()) == list(range(24))
    assert len(timeseries) == 24 * 4 * 53 * 3
    assert {n: t for n, t in survivors.items() if (jobs / n).exists()} == survivors
    assert not [p for p in jobs.iterdir() if p.name.startswith(".")], "temporary files left"
    # The resumed sweep equals one that was never interrupted.
    clean = tmp_path / "clean"
    clean.mkdir()
    orgsim(clean, *args)
    pd.testing.assert_frame_equal(tables(clean)[0], runs)


# One command per kind of fault, as a user types it: the full table of messages is checked
# in-process (test_bad_config.py, through sim.precheck.precheck, which orgsim runs).
BAD = [
    (["rule.thetta=0.2"], "rule.thetta: no such key"),
    (["culture.trust=1.5"], "The 'trust' parameter of Culture must be a float in the range [0, 1]"),
    (["-m", "culture.trust=0.5,1.5"], "The 'trust' parameter of Culture"),
    (["org=from_csv", "org.path=nope.csv"], "nope.csv"),
    (["experiment=nope"], "experiment=nope: no such option"),  # orgsim spells +experiment
    (["seed=range(0,3)"], "add -m"),  # refused by orgsim itself, before precheck
    (["task_name=../../x"], "task_name: must name one folder inside paths.results"),
    (["-m", "seed=0,1", "paths.results=taken"], "paths.results: "),
    (["-m", "hydra.launcher._target_=nowhere.Launcher", "seed=0,1"], "its plugin is not inst"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_config_one_line_exit_2_nothing_written(tmp_path, args, message):
    (tmp_path / "taken").write_text("a file where the results would go")
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "jobs").write_text("a file where the store's jobs would go")
    before = _tree(tmp_path)
    done = orgsim(tmp_path, *args, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("orgsim: error: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _tree(tmp_path) == before


def _tree(where):
    return sorted((str(p.relative_to(where)), p.stat().st_size) for p in where.rglob("*"))


def test_broken_csv_names_file_and_row(tmp_path):
    chart = tmp_path / "org.csv"
    chart.write_text("employee_id,manager_id,unit\nA,,x\nB,A,x\nB,A,y\n")
    done = orgsim(tmp_path, "org=from_csv", "org.path=org.csv", "org.ties=null", check=False)
    assert done.returncode == 2
    assert "org.csv, row 4: duplicate employee_id 'B'" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org.csv"]


def test_a_tilde_in_a_path_on_the_command_line_means_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    orgsim(tmp_path, *SMALL, "replications=1", "paths.results=~/studies", env={"HOME": str(home)})
    assert (home / "studies" / "orgsim" / "runs.parquet").is_file()
    assert not (tmp_path / "~").exists()


def test_own_org_chart_runs(tmp_path):
    orgsim(tmp_path, "org=from_csv", "replications=1", "steps=5")
    runs, _ = tables(tmp_path)
    assert runs.org.tolist() == ["from_csv"]


def test_behavior_group_on_the_command_line_just_works(tmp_path):
    orgsim(tmp_path, *SMALL, "behavior=single")
    runs, timeseries = tables(tmp_path)
    assert (runs.ladder == "single").all() and set(timeseries.behavior) == {"use"}
    assert "final_fraction_use" in runs.columns


def test_threads_up_to_the_cores_run(tmp_path):
    orgsim(tmp_path, *SMALL, f"threads={CORES}")
    assert len(tables(tmp_path)[0]) == 2


def test_show_config_runs_nothing(tmp_path):
    done = orgsim(tmp_path, "--cfg", "job")
    assert "culture:" in done.stdout and "replications: 10" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_results_command_merges_and_lists(tmp_path):
    orgsim(tmp_path, "-m", *SMALL, "seed=0,1")
    store = tmp_path / "results" / "orgsim"
    (store / "runs.parquet").unlink()
    done = subprocess.run(
        [str(BIN / "orgsim-results"), str(tmp_path / "results"), "--list"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "2 jobs, 1 scenarios, 4 runs" in done.stdout
    assert "company_wide" in done.stdout  # what each job is, not only its hash
    assert len(pd.read_parquet(store / "runs.parquet")) == 4
    missing = subprocess.run(
        [str(BIN / "orgsim-results"), str(tmp_path / "nowhere")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "no store" in missing.stderr


def test_duckdb_reads_the_store(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    orgsim(tmp_path, "-m", *SMALL, "seed=0,1")
    store = tmp_path / "results" / "orgsim"
    mean = duckdb.sql(
        f"SELECT seed, avg(final_fraction_consume) AS consume FROM '{store}/runs.parquet' "
        "GROUP BY seed ORDER BY seed"
    ).df()
    assert mean.seed.tolist() == [0, 1]
    rows = duckdb.sql(f"SELECT count(*) AS n FROM '{store}/jobs/*.timeseries.parquet'").df().n[0]
    assert rows == 2 * 2 * 13 * 3


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_cluster(tmp_path):
    pytest.importorskip(
        "hydra_plugins.hydra_ray_launcher",
        reason="the Ray launcher is an extra: pip install -e '.[ray]' (CI runs it as a step)",
    )
    env = {
        **os.environ,
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_AUTH_MODE": "disabled",
        "RAY_USAGE_STATS_ENABLED": "0",
    }
    port = _free_port()
    where = tmp_path / "ray"
    where.mkdir()
    ray = [str(BIN / "ray")]
    start = [*ray, "start", "--head", f"--port={port}", "--num-cpus=2",
             "--node-ip-address=127.0.0.1", "--dashboard-host=127.0.0.1",
             "--include-dashboard=false", "--disable-usage-stats"]  # fmt: skip
    # Ray's daemons keep what they inherit open: no pipes, or run() would wait for them.
    log = (where / "ray.log").open("w")
    subprocess.run(start, cwd=where, env=env, check=True, stdout=log, stderr=log, timeout=120)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([*ray, "stop", "--force"], env=env, stdout=log, stderr=log, timeout=120)
        log.close()


@pytest.mark.ray
def test_sweep_on_a_ray_cluster(tmp_path, ray_cluster):
    work = tmp_path / "work"
    work.mkdir()
    args = ["-m", "hydra/launcher=ray", *SMALL, "seed=0,1,2"]
    orgsim(work, *args, env={"RAY_ADDRESS": ray_cluster})
    runs, _timeseries = tables(work)
    assert len(runs) == 6 and sorted(runs.seed.unique()) == [0, 1, 2]
    # Ray's workers run elsewhere, yet every job wrote into this store, with the numbers
    # the joblib launcher gives.
    local = tmp_path / "local"
    local.mkdir()
    orgsim(local, "-m", *SMALL, "seed=0,1,2")
    pd.testing.assert_frame_equal(tables(local)[0], runs)
    # A Sobol design on the cluster: the same points, runs and indices as on this machine.
    sobol = ["task_name=sobol", "analysis.method=sobol", "analysis.samples=4",
             "analysis.parameters={culture.trust:[0.2,0.8],culture.courage:[0.2,0.8]}"]  # fmt: skip
    orgsim(work, *args[:-1], *sobol, env={"RAY_ADDRESS": ray_cluster})
    orgsim(local, "-m", *SMALL, *sobol)
    far, near = tables(work, "sobol")[0], tables(local, "sobol")[0]
    assert len(far) == 4 * (2 + 2) * 2
    key = ["config_hash", "seed", "replication"]
    pd.testing.assert_frame_equal(far.sort_values(key, ignore_index=True),
                                  near.sort_values(key, ignore_index=True))  # fmt: skip
    indices = [pd.read_csv(w / "results" / "sobol" / "sensitivity.csv") for w in (work, local)]
    pd.testing.assert_frame_equal(*indices)
