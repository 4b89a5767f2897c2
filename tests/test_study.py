"""The 2x2 rollout study (experiments/rollout_2x2.py), run as users run it."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "rollout_2x2.py"


def _study(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def test_the_ranking_changes_with_the_culture(tmp_path):
    # The claim at full size: 30 replications, 2,000 people, seed 0.
    out = _study("--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    verdicts = [line for line in out.stdout.splitlines() if " wins: " in line]
    assert len(verdicts) == 2
    traditional, humanized = verdicts
    assert traditional.startswith("pilot wins: pilot_decentralized")
    assert humanized.startswith("company-wide wins: company_wide_")
    assert all("do not overlap" in v for v in verdicts)
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(summary.culture) == {"traditional", "humanized"}
    assert summary.groupby(["culture", "strategy"]).size().eq(9).all()  # nine metrics each
    assert (summary.loc[summary.metric == "cost_total", "mean"] > 0).all()
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == 2 * 4 * 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv", "summary.csv"]


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
