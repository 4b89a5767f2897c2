"""experiments/mechanisms.py, run as users run it: each mechanism's paired effect, a CSV."""

import subprocess
import sys

import pandas as pd

from tests.helpers import ROOT

SCRIPT = ROOT / "experiments" / "mechanisms.py"


def _script(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def test_a_mechanism_is_measured_on_common_draws(tmp_path):
    out = _script("--only", "identity", "--replications", "3", "--headcount", "300",
                  "--steps", "20", "--out", str(tmp_path))  # fmt: skip
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "mechanisms.csv")
    assert list(table["rollout"]) == ["company_wide_decentralized", "company_wide_hierarchical"]
    assert (table["replications"] == 3).all() and (table["low"] <= table["high"]).all()
    assert table["on"].str.contains("rule.identity_weight=0.2").all()
    assert "identity" in out.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for args, said in ((["--only", "nope"], "'nope'"), (["--replications", "1"], "at least 2")):
        out = _script(*args, "--out", str(tmp_path / "out"))
        assert out.returncode == 2 and said in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()
