"""The repository's promises: README commands, CI script, lint, the example scripts."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[0].startswith("```"), "the README opens with the two commands"
    end = lines.index("```", 1)
    return lines[1:end]


def test_readme_starts_with_two_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    # The main job: the answer to "which rollout?" (the 2x2 study, its ranking and report).
    assert commands[0].endswith("orgsim -m +experiment=rollout_2x2")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _readme_commands()[1] in ci


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_lint_and_format():
    for args in (["check", "."], ["format", "--check", "."]):
        out = subprocess.run(["ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_quickstart_runs(tmp_path):
    import sys

    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "experiments" / "quickstart.py"),
            "--people",
            "500",
            "--weeks",
            "10",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "threshold" in out.stdout and "humanized" in out.stdout
    assert (tmp_path / "adoption.csv").read_text().startswith("step,behavior,adopters")
    organization = (tmp_path / "organization.csv").read_text()
    assert organization.startswith("step,behavior,adopters")
    assert "contribute" in organization and "humanized" in organization
    # Written atomically: no temporary file is left beside the results.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adoption.csv", "organization.csv"]


def test_classics_script_reproduces_the_results():
    import sys

    out = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "classics.py"), "--people", "2000"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "thresholds 0..99 -> 100 riot; threshold-1 person moved to 2 -> 1" in out
    assert "clustered ring -> 400 adopt" in out
    assert "z=8: 0/10" in out
