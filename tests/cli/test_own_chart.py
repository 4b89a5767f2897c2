"""A strategist's own org chart runs as their company: the README's command, as written,
never pairs it with the sample company's files."""

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import ROOT, orgsim


def _readme_own_chart_command():
    """The README's command for one's own org chart, optional parts ([...]) left out."""
    text = (ROOT / "README.md").read_text()
    line = next(ln for ln in text.splitlines() if "org=from_csv org.path=org.csv" in ln)
    words = re.sub(r"\[[^\]]*\]", "", line).split()
    assert words[0] == "orgsim", line
    return words[1:]


def _hr_chart(path, n):
    """A chart with ids like an HR export's (E0001...), as the sample's are, and more people."""
    rows = ["employee_id,manager_id,unit"]
    for i in range(1, n + 1):
        manager = "" if i == 1 else f"E{(i - 2) // 6 + 1:04d}"
        rows.append(f"E{i:04d},{manager},Unit {i % 5}")
    path.write_text("\n".join(rows) + "\n")


def test_the_readme_command_on_my_chart_uses_no_shipped_ties(tmp_path):
    _hr_chart(tmp_path / "org.csv", 300)
    args = _readme_own_chart_command()
    done = orgsim(tmp_path, *args, "culture=default", "replications=2", "steps=6", "report=false",
                  "ensemble.draws=2", "ensemble.replications=2", "why.channels=[]")  # fmt: skip
    assert "informal ties are generated from the chart" in done.stderr
    runs = pd.read_parquet(tmp_path / "results" / "rollout_2x2" / "runs.parquet")
    assert len(runs) == 4 * 2 * 2  # corners x draws x replications
    assert runs["org.ties_sha256"].isna().all()  # no ties file was read
    assert runs["org.path_sha256"].notna().all()


def test_my_chart_gets_ties_for_everyone_not_the_samples_86():
    """What the run builds: ties generated over all 300 people (the sample's ties file
    covers E0001..E0087 and would leave the rest with none)."""
    import tempfile

    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, build, register

    register()
    with tempfile.TemporaryDirectory() as where:
        _hr_chart(Path(where) / "org.csv", 300)
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=["org=from_csv", "org.path=org.csv"])
        assert cfg.org.ties is None
        org = build(cfg, base_dir=where, load_org=True).org
    assert org.n == 300 and (org.network.degrees > 0).mean() > 0.95


@pytest.mark.parametrize("sample", ["acme_org.csv", "acme_org_traits.csv"])
def test_the_sample_company_keeps_its_own_ties(sample):
    from hydra import compose, initialize_config_dir

    from sim.conf import CONFIG_DIR, EXAMPLES_DIR, register

    register()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        default = compose("config", overrides=["org=from_csv"])
        named = compose("config", overrides=["org=from_csv", f"org.path={EXAMPLES_DIR / sample}"])
    for cfg in (default, named):
        assert cfg.org.ties == str(EXAMPLES_DIR / "acme_ties.csv")
