"""``orgsim calibrate`` end to end, as a user runs it, at reduced size: what it writes and says,
a rerun that goes on rather than redoes, a folder of another pilot refused, and a Ctrl-C."""

import json
import os
import signal
import subprocess
import time

import pandas as pd
import pytest

pytest.importorskip("pyabc", reason="the calibration tests need pip install -e '.[calibrate]'")

from tests.helpers import BIN, orgsim

PILOT = ["org.headcount=300", "rollout=sales_support_pilot", "rollout.expand_week=7"]
SMALL = ["--population", "30", "--generations", "2", "--draws", "4", "--weeks", "8",
         "--replications", "2"]  # fmt: skip


def pilot_file(tmp_path, name="pilot.csv", seed=5):
    from sim.calibrate.study import PilotStudy
    from sim.conf import compose_scenario

    scenario = compose_scenario(PILOT)
    study = PilotStudy(org=scenario.org, rule=scenario.rule, culture=scenario.culture,
                       rollout=scenario.rollout, seed=seed)  # fmt: skip
    truth = {"draw": 7, "culture.open": 0.5, "culture.trust": 0.5, "culture.generative": 0.5,
             "culture.courage": 0.5, "detection": 0.8}  # fmt: skip
    study.synthetic(truth, 6, start="2026-02-02").to_csv(tmp_path / name, index=False)
    return name


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    where = tmp_path_factory.mktemp("calibrate")
    name = pilot_file(where)
    done = orgsim(where, "calibrate", name, *PILOT, *SMALL, "--out", "out")
    return where, done


def test_it_writes_the_posterior_the_check_the_forecast_and_a_report(calibrated):
    where, done = calibrated
    out = where / "out"
    for name in ("abc.db", "calibration.json", "posterior.csv", "narrowing.csv", "check.csv",
                 "forecast.csv", "verdict.csv", "report.html", "report.md", "narrowing.png",
                 "check.png", "forecast-0.png", "forecast-1.png"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    posterior = pd.read_csv(out / "posterior.csv")
    assert len(posterior) == 30
    assert {"draw", "shipped_draw", "culture.trust", "rule.peer_weight", "detection",
            "weight", "distance", "epsilon"} <= set(posterior.columns)  # fmt: skip
    verdict = pd.read_csv(out / "verdict.csv").set_index("candidate")
    assert verdict["p_best"].sum() == pytest.approx(1.0)  # among the steps after the pilot
    assert verdict["p_best_all"].sum() == pytest.approx(1.0)  # and among every candidate
    kept = ["expand now", "in waves", "extend the pilot 8 weeks"]
    replayed = ["through the hierarchy", "with champions"]  # the pilot was hybrid
    assert set(verdict.index) == {*kept, *replayed}
    assert (
        not verdict.loc[kept, "replays_pilot"].any()
        and verdict.loc[replayed, "replays_pilot"].all()
    )
    assert verdict.loc[replayed, "p_best"].isna().all()
    forecast = pd.read_csv(out / "forecast.csv")
    assert set(forecast["scope"]) == {"the company", "the rest of the company"}
    assert forecast["week"].max() == 6 + 8
    assert (forecast["q05"] <= forecast["median"]).all()
    assert (forecast["median"] <= forecast["q95"]).all()
    assert "Bass curve (the pilot's total)" in set(forecast["candidate"])
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4
    said = done.stdout
    assert "generation 0: threshold" in said and "generation 1: threshold" in said
    assert "What the pilot narrowed" in said
    assert "Best next step across 4 plausible models of your company:" in said
    assert "Had the pilot itself run through the hierarchy or with champions" in said


def test_the_same_command_again_goes_on_from_its_history(calibrated):
    where, _ = calibrated
    before = (where / "out" / "posterior.csv").read_text()
    again = orgsim(where, "calibrate", "pilot.csv", *PILOT, *SMALL, "--out", "out")
    assert "  generation " not in again.stdout  # nothing sampled again
    assert (where / "out" / "posterior.csv").read_text() == before
    more = orgsim(where, "calibrate", "pilot.csv", *PILOT, *SMALL[:2], "--generations", "3",
                  *SMALL[4:], "--out", "out")  # fmt: skip
    lines = [line for line in more.stdout.splitlines() if "generation " in line]
    assert len(lines) == 1 and lines[0].strip().startswith("generation 2:")


def test_a_folder_of_another_pilot_is_refused(calibrated):
    where, _ = calibrated
    other = pilot_file(where, "other.csv", seed=9)
    before = json.loads((where / "out" / "calibration.json").read_text())
    done = orgsim(where, "calibrate", other, *PILOT, *SMALL, "--out", "out", check=False)
    assert done.returncode == 2
    assert "holds the calibration of another pilot or prior (data_sha256 differ" in done.stderr
    assert done.stderr.count("\n") == 1
    assert json.loads((where / "out" / "calibration.json").read_text()) == before


def test_ctrl_c_keeps_the_finished_generations(tmp_path):
    name = pilot_file(tmp_path)
    command = [str(BIN / "orgsim"), "calibrate", name, *PILOT, "--population", "200",
               "--generations", "8", "--out", "out"]  # fmt: skip
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    seen = []
    deadline = time.monotonic() + 240
    for line in process.stdout:
        seen.append(line)
        if "generation 0:" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-2000:]
    assert "interrupted; the finished generations are kept in" in err
    assert "Traceback" not in err
    again = orgsim(tmp_path, "calibrate", name, *PILOT, "--population", "200", "--generations",
                   "3", "--draws", "2", "--weeks", "4", "--out", "out")  # fmt: skip
    lines = [line.strip() for line in again.stdout.splitlines() if "generation " in line]
    assert lines and not any(line.startswith("generation 0:") for line in lines)
