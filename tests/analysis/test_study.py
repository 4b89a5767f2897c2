"""The 2x2 rollout study (experiments/rollout_2x2.py), run as users run it."""

import subprocess
import sys

import pandas as pd
import pytest

from tests.helpers import ROOT

SCRIPT = ROOT / "experiments" / "rollout_2x2.py"


def _study(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def test_the_study_compares_corners_fairly(tmp_path):
    # At full size: 30 paired replications of each corner, 2,000 people, seed 0.
    out = _study("--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    verdicts = [line for line in out.stdout.splitlines() if line.startswith("verdict: ")]
    assert len(verdicts) == 3
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == 3 * 4 * 30
    # Equal budget: every corner spends the same person-days, within 5 %.
    spent = runs.groupby(["culture", "strategy"])["cost_total"].mean()
    assert (spent.max() - spent.min()) <= 0.05 * spent.max()
    # The verdict follows the paired difference of the best pilot and company-wide corner.
    diffs = pd.read_csv(tmp_path / "differences.csv")
    assert set(diffs.culture) == {"traditional", "default", "humanized"}
    assert set(diffs.metric) == {"auc_fraction_weeks_contribute", "final_fraction_contribute"}
    for culture, line in zip(("traditional", "default", "humanized"), verdicts, strict=True):
        mine = runs[runs.culture == culture]
        means = mine.groupby("strategy")["auc_fraction_weeks_contribute"].mean()
        pilot = means.filter(like="pilot").idxmax()
        company = means.filter(like="company_wide").idxmax()
        pairs = mine.pivot(index="replication", columns="strategy",
                           values="auc_fraction_weeks_contribute")  # fmt: skip
        delta = pairs[pilot] - pairs[company]
        half = 2.045 * delta.std(ddof=1) / len(delta) ** 0.5  # t(0.975, 29)
        if delta.mean() - half > 0:
            assert line.startswith("verdict: pilot first"), line
        elif delta.mean() + half < 0:
            assert line.startswith("verdict: company-wide first"), line
        else:
            assert "cannot be told apart" in line, line
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary.groupby(["culture", "strategy"]).size().eq(8).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "differences.csv", "runs.csv", "summary.csv"
    ]  # fmt: skip


@pytest.mark.slow
def test_robustness_table(tmp_path):
    """Every variant, the verdict per culture and whether it breaks, for the documentation."""
    out = _study("--robustness", "--replications", "10", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "robustness.csv")
    assert len(table) == 15 * 3 and table["verdict"].notna().all()
    assert not table.loc[table["variant"] == "as configured", "breaks"].any()
    text = (tmp_path / "robustness.md").read_text()
    assert text.count("\n") == 2 + 15 and text.startswith("| variant | traditional |")


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for args, said in (
        (["--cultures", "nope"], "no culture preset 'nope'"),
        (["--replications", "1"], "at least 2"),
    ):
        out = _study(*args, "--out", str(tmp_path / "out"))
        assert out.returncode == 2
        assert said in out.stderr and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
