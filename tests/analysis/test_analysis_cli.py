"""End to end: a sampled design through ``orgsim -m``, ``orgsim analyze``, and their errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.helpers import orgsim

BIN = Path(sys.executable).parent
SMALL = ["org=startup", "org.headcount=300", "steps=12"]


def analyze(*args, cwd):
    return subprocess.run(
        [str(BIN / "orgsim"), "analyze", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )


def _morris(tmp_path, *extra):
    return orgsim(
        tmp_path,
        "-m",
        *SMALL,
        "replications=3",
        "analysis.method=morris",
        "analysis.samples=4",
        "analysis.metric=final_fraction_consume",
        "analysis.parameters={culture.generative:[0.1,0.9],culture.trust:[0.1,0.9]}",
        "rule.content_weight=0",
        *extra,
    )


def test_a_morris_design_runs_as_a_sweep_and_ends_with_its_indices(tmp_path):
    done = _morris(tmp_path)
    store = tmp_path / "results" / "orgsim"
    # The design is recorded beside the results: the sample and which job ran which point.
    [design] = (store / "designs").glob("*.json")
    body = json.loads(design.read_text())
    assert body["method"] == "morris" and len(body["sample"]) == 12  # r (D + 1)
    assert {j["point"] for j in body["jobs"]} == set(range(12))
    # One job per distinct point (on a 4-level grid two points may coincide: one job),
    # each with its replications, on the same seed.
    distinct = {tuple(p) for p in body["sample"]}
    runs = pd.read_parquet(store / "runs.parquet")
    assert len(runs) == len(distinct) * 3 and runs["config_hash"].nunique() == len(distinct)
    assert len({j["config_hash"] for j in body["jobs"]}) == len(distinct)
    assert (runs["seed"] == 0).all() and runs["culture.trust"].nunique() > 1
    # The answer: the indices, not a ranking of 12 contexts.
    assert "Morris elementary effects over 2 parameters" in done.stdout
    assert "Ranking by" not in done.stdout and "culture.trust=" not in done.stdout
    # Without content's weight, how generative a culture is cannot matter: mu* exactly 0,
    # and orgsim says it is indistinguishable from no effect; trust matters.
    indices = pd.read_csv(store / "sensitivity.csv").set_index("parameter")
    assert indices.loc["culture.generative", "mu_star"] == 0.0
    assert indices.loc["culture.generative", "noise"] == 0.0
    assert indices.loc["culture.trust", "mu_star"] > 2 * indices.loc["culture.trust", "noise"]
    assert (
        "indistinguishable from no effect" in done.stdout and "culture.generative." in done.stdout
    )
    html = (store / "report.html").read_text()
    assert "Which parameters matter" in html and "The answer" not in html
    assert len(list((store / "figures").glob("*indices.png"))) == 1
    assert f"report: {store / 'report.html'}" in done.stdout
    # A rerun computes nothing and says the same.
    jobs = {p.name: p.stat().st_mtime_ns for p in (store / "jobs").iterdir()}
    again = _morris(tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in (store / "jobs").iterdir()} == jobs
    assert again.stdout.split("report:")[0] == done.stdout.split("report:")[0]
    assert len(list((store / "designs").glob("*.json"))) == 1
    # orgsim analyze: the same answer; another metric; its errors in one line.
    same = analyze(store, cwd=tmp_path)
    assert (
        same.returncode == 0 and same.stdout.split("report:")[0] == done.stdout.split("report:")[0]
    )
    other = analyze(store, "--metric", "auc_fraction_weeks_consume", cwd=tmp_path)
    assert other.returncode == 0 and "reading-weeks" in other.stdout
    bad = analyze(store, "--metric", "weeks_to_80pct_create", cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "never reached" in bad.stderr or "no value" in bad.stderr


def test_a_bad_design_stops_the_command_in_one_line_and_writes_nothing(tmp_path):
    for args, says in (
        (
            [
                "analysis.method=sobol",
                "analysis.samples=100",
                "analysis.parameters={culture.trust:[0,1]}",
            ],
            "analysis.samples: Sobol",
        ),
        (
            ["analysis.method=morris", "analysis.parameters={culture.trusty:[0,1]}"],
            "analysis.parameters.culture.trusty: not a number of the scenario",
        ),
        (
            ["analysis.method=morris", "analysis.parameters={culture.trust:[0,2]}"],
            "(the design's range analysis.parameters.culture.trust: [0, 2])",
        ),
        (
            [
                "analysis.method=latin",
                "analysis.parameters={culture.trust:[0,1]}",
                "culture.trust=0.3,0.5",
            ],
            "analysis.parameters.culture.trust: sampled, and also",
        ),
    ):
        done = orgsim(tmp_path, "-m", *SMALL, *args, check=False)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("orgsim: error: ") and says in lines[0]
        assert not (tmp_path / "results").exists()
    # A design is a sweep: without -m, orgsim says so.
    done = orgsim(
        tmp_path,
        *SMALL,
        "analysis.method=latin",
        "analysis.parameters={culture.trust:[0,1]}",
        check=False,
    )
    assert done.returncode == 2 and "add -m" in done.stderr
    assert not (tmp_path / "results").exists()


def test_analyze_needs_a_design(tmp_path):
    orgsim(tmp_path, "-m", *SMALL, "replications=2", "culture.trust=0.2,0.8", "report=false")
    done = analyze(tmp_path / "results" / "orgsim", cwd=tmp_path)
    assert done.returncode == 2 and "no sampled design here" in done.stderr
    assert analyze(tmp_path / "nowhere", cwd=tmp_path).returncode == 2


def test_robust_rollout_at_reduced_size_produces_its_tables_and_figures(tmp_path):
    done = orgsim(
        tmp_path,
        "-m",
        "+experiment=robust_rollout",
        "analysis.samples=20",
        "replications=2",
        "org.headcount=300",
        "rollout.budget_per_person=2",
        "steps=16",
        "rollout=company_wide_hierarchical,pilot_decentralized,safe_space",
    )
    store = tmp_path / "results" / "robust_rollout"
    runs = pd.read_parquet(store / "runs.parquet")
    assert len(runs) == 20 * 3 * 2 and runs["org.seed"].nunique() == 20
    # Every rollout ran in every world with the same seeds: paired.
    assert (runs.groupby("org.seed")["rollout"].nunique() == 3).all()
    assert "Latin hypercube over 9 parameters" in done.stdout
    assert "least regret on average" in done.stdout
    regret = pd.read_csv(store / "regret.csv")
    assert len(regret) == 20 * 3 and (regret["regret"] >= 0).all()
    assert (regret.groupby("point")["winner"].sum() == 1).all()
    assert (regret.loc[regret["winner"], "regret"] == 0).all()
    robustness = pd.read_csv(store / "robustness.csv")
    assert set(robustness["strategy"]) == {
        "company_wide_hierarchical",
        "pilot_decentralized",
        "safe_space",
    }
    assert robustness["wins"].sum() == 20 and "cost" in robustness
    boxes = pd.read_csv(store / "boxes.csv")
    assert set(boxes["strategy"]) == set(robustness["strategy"])
    names = {p.name.split("-", 1)[1] for p in (store / "figures").glob("*.png")}
    assert any(n.endswith("robustness.png") for n in names)
    assert any(n.endswith("winners.png") for n in names)
    assert any(n.endswith("indices.png") for n in names)
    html = (store / "report.html").read_text()
    for heading in ("The design", "Which rollout is robust", "Where each rollout wins"):
        assert heading in html
    assert "regret.csv" in done.stdout
