"""A sweep over the shipped posterior, as a user runs it: the rows carry each draw, the ranking
says how often each rollout is best, the channels say why, and a bad setting is one line."""

import pandas as pd

from sim import posterior
from tests.helpers import orgsim

COMMAND = ["-m", "rollout=company_wide_hierarchical,pilot_decentralized", "org.headcount=300",
           "steps=12", "culture=traditional,humanized", "ensemble.draws=3",
           "ensemble.replications=2", "why.channels=[peers,training]", "why.draws=1"]  # fmt: skip


def test_a_sweep_over_the_ensemble_ranks_by_how_often_and_says_why(tmp_path):
    done = orgsim(tmp_path, *COMMAND)
    store = tmp_path / "results" / "orgsim"
    runs = pd.read_csv(store / "runs.csv")
    draws = posterior.choose(3, 0)
    assert sorted(runs["draw"].unique()) == sorted(draws)
    assert "channel" not in runs or runs["channel"].isna().all()  # channel runs kept apart
    # Each row carries its draw's values; every draw is paired across strategies.
    values = posterior.load()
    for draw, rows in runs.groupby("draw"):
        assert rows["rule.peer_weight"].unique().tolist() == [values.loc[draw, "rule.peer_weight"]]
        pairs = rows.groupby("strategy")[["seed", "replication"]].apply(
            lambda f: sorted(map(tuple, f.drop_duplicates().to_numpy()))
        )
        assert pairs.iloc[0] == pairs.iloc[1] and len(pairs.iloc[0]) == 2
    summary = pd.read_csv(store / "summary.csv")
    assert {"p_best", "p_clear", "models"} <= set(summary.columns)
    assert (summary["models"] == 3).all()
    assert summary.groupby("culture")["p_best"].sum().round(9).eq(1).all()
    assert (summary["p_clear"] <= summary["p_best"]).all()
    why = pd.read_csv(store / "why.csv")
    assert set(why["channel"]) == {"peers", "training"} and set(why["culture"]) == {
        "traditional", "humanized"}  # fmt: skip
    out = " ".join(done.stdout.split())  # wrapped at 100 characters
    assert "3 plausible models (posterior draws) x 2 paired replications" in out
    assert out.count("Best across 3 plausible models") == 2
    assert "In brief:" in out and "contributing in any week of the 12 weeks run" in out
    report = (store / "report.md").read_text()
    assert "In brief" in report and "plausible models" in report


def test_a_larger_ensemble_reruns_only_the_new_draws(tmp_path):
    small = [a for a in COMMAND if not a.startswith(("why.", "culture="))]
    orgsim(tmp_path, *small)
    jobs = tmp_path / "results" / "orgsim" / "jobs"
    before = {p.name.split(".")[0] for p in jobs.iterdir()}  # a job's chunk, its files
    orgsim(tmp_path, *[a.replace("draws=3", "draws=4") for a in small])
    after = {p.name.split(".")[0] for p in jobs.iterdir()}
    assert len(before) == 6 and len(after - before) == 2  # one new draw, two strategies


def test_an_ensemble_without_m_or_a_missing_draw_is_one_line_and_writes_nothing(tmp_path):
    for args, says in [(["ensemble.draws=3"], "add -m"),
                       (["draw=999999"], "draw: 999999 is not a parameter set"),
                       (["-m", "rollout=company_wide,pilot", "why.channels=[fun]"],
                        "'fun' is not a channel")]:  # fmt: skip
        done = orgsim(tmp_path, *args, "org=startup", "steps=4", check=False)
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "results").exists()


def test_one_draw_runs_alone_with_its_values(tmp_path):
    draw = posterior.choose(1, 5)[0]
    orgsim(tmp_path, "org=startup", "steps=4", "replications=2", f"draw={draw}")
    runs = pd.read_parquet(tmp_path / "results" / "orgsim" / "runs.parquet")
    assert runs["draw"].unique().tolist() == [draw]
    expected = posterior.load().loc[draw, "culture.threshold_mean"]
    assert runs["culture.threshold_mean"].unique().tolist() == [expected]
