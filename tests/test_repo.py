"""The repository's promises: README commands, CI script, lint."""

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


def _run_readme_snippet(heading):
    """Run the first Python block under ``heading`` of the README; return its names."""
    text = (ROOT / "README.md").read_text()
    opening = text.index("```python", text.index(heading)) + len("```python")
    block = text[opening : text.index("```", opening)]
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    return namespace


def test_readme_organization_snippet_runs():
    namespace = _run_readme_snippet("## Run an organization")
    model = namespace["model"]
    assert list(model.adoption.columns) == [
        "step",
        "behavior",
        "adopters",
        "new_adopters",
        "fraction",
        "lapses",
        "with_access",
    ]
    by_unit = namespace["model"].adoption_by("unit")
    assert set(by_unit.unit) == set(model.org.unit_names)


def test_readme_rollout_snippet_runs():
    namespace = _run_readme_snippet("## Rollout strategies")
    schedule, model = namespace["schedule"], namespace["model"]
    assert schedule.expanded_at == 8
    access = model.adoption.groupby("step").with_access.first()
    assert access[7] < model.org.n == access[8]
    record = namespace["summary"](
        model.adoption, by_unit=model.adoption_by("unit"), cost=namespace["rollout"].cost(schedule)
    )
    assert record["cost_total"] == pytest.approx(
        sum(
            record[f"cost_{lever}"]
            for lever in ("champions", "training", "leaders", "launch", "safety")
        )
    )
    assert record["cost_champions"] == 10.0 * 40  # 2 % of 2,000 people
