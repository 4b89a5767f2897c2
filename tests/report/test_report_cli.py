"""End to end: a sweep ends with its ranking and report; ``orgsim report DIR``; the CLI's words."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import precheck  # as orgsim runs it: sim.cli stores the schemas in Hydra
from sim.schema import ConfigError
from tests.helpers import orgsim

BIN = Path(sys.executable).parent
SMALL = ["org=startup", "org.headcount=300", "replications=3", "steps=10"]
TWO = "rollout=company_wide_hierarchical,pilot_decentralized"


def report(*args, cwd, prog="orgsim"):
    command = [str(BIN / "orgsim"), "report"] if prog == "orgsim" else [str(BIN / prog)]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)  # fmt: skip


def test_a_sweep_ends_with_the_ranking_and_the_report(tmp_path):
    done = orgsim(tmp_path, "-m", *SMALL, TWO, "culture.trust=range(0.1,0.35,0.1)")
    store = tmp_path / "results" / "orgsim"
    # The answer, not file paths: a ranking per swept value, written as the user wrote it.
    assert "Ranking by contributing-weeks" in done.stdout
    # Each ranking is followed by the verdict at other horizons (the runs' last week here).
    assert done.stdout.count("  best contributing by share-weeks to week") == 3
    # ... at equal spending so far, and when contributing stops growing.
    assert done.stdout.count("  best contributing by share-weeks per 100 person-days spent") == 3
    assert done.stdout.count("  contributing stops growing (within 1 point) by week: ") == 3
    for value in ("0.1", "0.2", "0.3"):
        assert f"culture.trust={value}:" in done.stdout
    assert "0.30000000000000004" not in done.stdout
    assert f"report: {store / 'report.html'}" in done.stdout
    # Quiet: no launcher banner, no line per job.
    assert "[HYDRA]" not in done.stderr and "Launching" not in done.stderr
    assert list((store / "jobs").glob("*.groups.parquet"))
    for name in ("report.html", "report.md", "runs.csv", "summary.csv"):
        assert (store / name).is_file(), name
    pngs = sorted((store / "figures").glob("*.png"))
    assert pngs and len(pngs) == len(list((store / "figures").glob("*.svg")))
    runs = pd.read_csv(store / "runs.csv")
    assert len(runs) == 2 * 3 * 3 and {"strategy", "config_hash", "culture.trust"} <= set(runs)
    summary = pd.read_csv(store / "summary.csv")
    assert len(summary) == 2 * 3 and {"rank", "tie", "auc_fraction_weeks_contribute_ci95"} <= set(
        summary.columns)  # fmt: skip
    text = (store / "report.md").read_text()
    assert "## The answer" in text and "figures/" in text and "scenarios " in text
    assert text.count("At other horizons, the best contributing by share-weeks to week") == 3
    html = (store / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(pngs)
    # A rerun of finished jobs computes nothing and prints the same answer from the store.
    jobs = {p.name: p.stat().st_mtime_ns for p in (store / "jobs").iterdir()}
    again = orgsim(tmp_path, "-m", *SMALL, TWO, "culture.trust=range(0.1,0.35,0.1)")
    assert {p.name: p.stat().st_mtime_ns for p in (store / "jobs").iterdir()} == jobs
    ranking = done.stdout.split("report:")[0]
    assert again.stdout.split("report:")[0] == ranking
    assert "skipped" not in again.stderr


def test_report_command_on_a_store_its_errors_and_a_store_being_written(tmp_path):
    orgsim(tmp_path, "-m", *SMALL, TWO, "report=false")
    store = tmp_path / "results" / "orgsim"
    assert not (store / "report.html").exists()
    # While a sweep runs the merged tables lag: the report reads the finished chunks.
    for name in ("runs.parquet", "timeseries.parquet"):
        (store / name).unlink()
    out = tmp_path / "elsewhere"
    done = report(store, "--out", out, "--metric", "final_fraction_consume", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Ranking by share reading at the end" in done.stdout
    assert (out / "report.html").is_file() and not (store / "report.html").exists()
    alias = report(store, cwd=tmp_path, prog="orgsim-report")
    assert alias.returncode == 0 and (store / "report.html").is_file()
    # One line, exit 2, for a folder without results or a metric the runs lack.
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, says in (([empty], "no results here"), ([store, "--metric", "nope"], "--metric nope"),
                       ([store, "--reference", "nope"], "--reference nope")):  # fmt: skip
        bad = report(*args, cwd=tmp_path)
        assert bad.returncode == 2 and says in bad.stderr, bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_one_strategy_gets_a_summary_per_scenario(tmp_path):
    done = orgsim(tmp_path, "-m", *SMALL, "culture=traditional,humanized", "report=false")
    assert "company_wide: 3 replications per scenario" in done.stdout
    # A culture is named with what it means (its dials), here the humanized preset's.
    humanized = "culture=humanized (open 0.8, trust 0.8, generative 0.8, courage 0.8):"
    assert humanized in done.stdout and "cost (person-days)" in done.stdout


def test_the_cli_speaks_to_people(tmp_path):
    swept = orgsim(tmp_path, *SMALL, TWO, check=False)
    assert swept.returncode == 2
    assert "add -m" in swept.stderr and f"orgsim -m {' '.join(SMALL)} {TWO}" in swept.stderr
    assert not (tmp_path / "results").exists()
    helped = orgsim(tmp_path, "--help")
    assert "rollout_2x2" in helped.stdout and "orgsim report DIR" in helped.stdout
    assert "base_" not in helped.stdout and "*midsize" in helped.stdout
    experiment = orgsim(tmp_path, "+experiment=rollout_2x2", *SMALL, "culture=default",
                        "replications=2", "report=false")  # fmt: skip
    assert "the experiment is a sweep" in experiment.stderr
    ranked = re.findall(r"^\s+\d+=?\s+company_wide_hierarchical\s", experiment.stdout, re.M)
    assert len(ranked) == 1  # one row of one ranking (the lines under it name it too)
    verbose = orgsim(tmp_path, "-v", "-m", *SMALL, TWO, "report=false", "task_name=v")
    assert "[HYDRA]" in verbose.stderr


def test_the_main_job_on_an_org_chart(tmp_path):
    """The README's main job on a CSV org chart (the fictional company, 86 people)."""
    done = orgsim(tmp_path, "-m", "+experiment=rollout_2x2", "org=from_csv",
                  "rollout.budget_per_person=1", "replications=3", "steps=10",
                  "culture=default")  # fmt: skip
    assert done.stdout.startswith("Ranking by contributing-weeks")
    for corner in ("company_wide_hierarchical", "company_wide_decentralized",
                   "pilot_hierarchical", "pilot_decentralized"):  # fmt: skip
        assert corner in done.stdout
    assert (tmp_path / "results" / "rollout_2x2" / "report.html").is_file()
    # Too small a budget for so small a company: one line saying what to change (orgsim's
    # first check, in-process; tests/cli/test_cli.py runs its one-line, exit-2 path).
    with pytest.raises(ConfigError, match="raise budget or budget_per_person"):
        precheck(["+experiment=rollout_2x2", "org=from_csv", "replications=3"], multirun=True,
                 base_dir=str(tmp_path))  # fmt: skip


def test_a_progress_bar_over_jobs_on_a_terminal(tmp_path, monkeypatch):
    import io

    from sim import cli
    from sim.precheck import Job

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    jobs = [Job(tmp_path, f"h{k}", 0, 1) for k in range(3)]
    with cli._job_progress(jobs, enabled=True):
        pass
    assert "0/3" in screen.getvalue() and "job" in screen.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with cli._job_progress(jobs, enabled=False):  # -v: Hydra's lines instead
        pass
    assert quiet.getvalue() == ""
