"""``orgsim --help``: the command in orgsim's words.

Hydra's own help lists its internal schemas (``base_*``) beside the presets;
this one lists what a user chooses from, read from ``configs/`` so that a new
preset appears here by being added there. ``orgsim --hydra-help`` still shows
Hydra's.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from sim.conf import CONFIG_DIR

__all__ = ["help_text", "print_help"]

_GROUPS = {
    "org": "the organization (uncertainty)",
    "network": "the informal ties (uncertainty)",
    "culture": "the Humanize dials and the people (uncertainty)",
    "behavior": "the ladder of behaviors",
    "rule": "how people decide",
    "rollout": "the strategy (the levers)",
    "experiment": "ready-made studies (+experiment=NAME)",
}

#: Help lines wrap at this width (a terminal's 100 columns, as the code's).
_WIDTH = 100

_USAGE = """\
orgsim: which rollout takes an organization where, how fast, how sure, at what cost.

usage:
  orgsim [KEY=VALUE ...]                 one scenario: its replications, summarised
  orgsim -m KEY=A,B ... [KEY=X,Y ...]    a sweep: one job per combination, ending with
                                         the ranking of the strategies and a report
  orgsim +experiment=NAME                a ready-made study (runs its sweep)
  orgsim -m analysis.method=M 'analysis.parameters={KEY:[LOW,HIGH],...}' [KEY=A,B ...]
                                         a sampled design (M: morris, sobol or latin),
                                         crossed with any listed values
  orgsim -m KEY=A,B ensemble.draws=K     each scenario on K plausible parameter sets (the
                                         shipped posterior): verdicts as how often best
  orgsim report DIR                      rank a results folder and write its report
  orgsim calibrate PILOT.csv [k=v ...]   your pilot's analytics: a posterior and forecasts
  orgsim analyze DIR                     a design's indices (which dial matters), regret
                                         and where each rollout wins (PRIM boxes)
  orgsim app [--port N] [--allow-host NAME] [--max-upload-mb MB]
                                         the classroom in a browser (the app extra)
  orgsim-results DIR [--list]            merge a results folder and list its jobs

examples:
  orgsim -m +experiment=rollout_2x2                        the main study: 2x2 at equal budget
  orgsim -m +experiment=rollout_2x2 org=from_csv org.path=org.csv
  orgsim -m rollout=pilot,company_wide culture.trust=0.2,0.5,0.8 replications=30
  orgsim -m +experiment=rollout_2x2 hydra/launcher=ray     the same on a Ray cluster
  orgsim org=enterprise rollout=pilot_decentralized culture.trust=0.3
  orgsim -m +experiment=sensitivity_morris                 which dials drive contributing
  orgsim -m +experiment=robust_rollout                     which rollout is robust, where

results: results/<task_name>/ (paths.results=DIR, task_name=NAME): Parquet tables
(runs, timeseries, groups), runs.csv and summary.csv (why.csv with why.channels),
report.html and report.md; for a
design, designs/ (its sample) and sensitivity.csv, robustness.csv, regret.csv, boxes.csv.
A sweep resumes where it stopped: the same command runs only what is missing.

options:
  -m, --multirun       sweep every combination of the listed values
  -v, --verbose        show Hydra's lines (launcher, one per job)
  --cfg job            print the composed config and exit
  --hydra-help         Hydra's own help
  -h, --help           this help
keys everyone sets: seed=0 replications=10 steps=52 task_name=orgsim report=true
  threads=N (Numba threads per job) progress=true|false draw=ID (one posterior draw)
  ensemble.draws=K ensemble.replications=R why.channels=[peers,training,...] why.draws=2

config groups (GROUP=PRESET; any key inside with GROUP.KEY=VALUE, see docs/model.md):
"""


def _describe(path: Path) -> str:
    """The first sentence of a preset's opening comment (not a Hydra directive), whole."""
    words = []
    for line in path.read_text().splitlines():
        text = line.strip()
        if not text.startswith("#"):
            break
        if "@package" not in text:
            words.append(text.lstrip("#").strip())
    said = " ".join(w for w in words if w)
    # A sentence ends at a full stop before a space (not "et al. 2005", "e.g. x") or at the end.
    end = re.search(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bcf)(?<!\bvs)\.(?=\s|$)", said)
    return said[: end.start() + 1] if end else said


def _defaults(config_dir) -> dict:
    import yaml

    listed = yaml.safe_load((Path(config_dir) / "config.yaml").read_text()).get("defaults", [])
    return {k: v for item in listed if isinstance(item, dict) for k, v in item.items()}


def help_text(config_dir=CONFIG_DIR) -> str:
    lines = [_USAGE]
    chosen = _defaults(config_dir)
    for group, what in _GROUPS.items():
        folder = Path(config_dir) / group
        presets = sorted(p for p in folder.glob("*.yaml") if not p.stem.startswith("base_"))
        if not presets:
            continue
        lines.append(f"  {group}: {what}")
        for path in presets:
            mark = "*" if chosen.get(group) == path.stem else " "
            head = f"   {mark}{path.stem:<28} "
            # Wrapped, never cut: a description is the preset's promise.
            wrapped = textwrap.wrap(
                _describe(path), width=_WIDTH, initial_indent=head,
                subsequent_indent=" " * len(head), break_on_hyphens=False)  # fmt: skip
            lines += wrapped or [head.rstrip()]
    lines.append("  (* the default)")
    return "\n".join(lines)


def print_help():
    print(help_text())
