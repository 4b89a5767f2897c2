"""The classroom's model: an :class:`~sim.model.OrgModel` built from a few dials.

:class:`Classroom` takes what a teacher can set with sliders and selects — a
company (generated, of a size, or a CSV org chart), a rollout preset, the four
Humanize dials, a safety policy, a budget and a seed — all keyword-only, so
that Mesa's SolaraViz maps its controls onto them. :func:`command` is the
``orgsim`` command line of those settings, and :func:`compose` composes exactly
that command through Hydra and checks it as ``orgsim`` does (one line,
:class:`sim.conf.ConfigError`), so what a class sees is what ``orgsim`` computes:
replication ``r`` of a classroom run is replication ``r`` of that command.

A setting left at None is the preset's own (the rollout's safety policy, its
budget, its champions): the classroom never overrides what a lesson's preset
says unless the teacher moves that control.
"""

from __future__ import annotations

import contextlib
import hashlib
import shlex
from pathlib import Path
from typing import NamedTuple

import numpy as np

from sim.app.layout import layout, network_layout
from sim.model import OrgModel

__all__ = ["COMPANIES", "DIALS", "ROLLOUTS", "Classroom", "Upload", "command", "compose",
           "layout", "network_layout", "one_difference", "overrides"]  # fmt: skip

#: Generated companies a class can pick: name -> headcount.
COMPANIES = {"team of 50": 50, "200 people": 200, "500 people": 500, "1,000 people": 1000,
             "2,000 people": 2000}  # fmt: skip
#: Rollout presets shown in the app (configs/rollout/), the 2x2 corners first.
ROLLOUTS = ["company_wide_hierarchical", "company_wide_decentralized", "pilot_hierarchical",
            "pilot_decentralized", "company_wide", "pilot", "pilot_waves", "safe_space",
            "top_down_campaign", "sales_support_pilot"]  # fmt: skip
#: The Humanize dials (``culture.*``), at orgsim's default 0.5.
DIALS = ("open", "trust", "generative", "courage")
#: Settings that are an orgsim key when set (None: the preset's own).
_ROLLOUT_KEYS = {"safety": "rollout.safety", "budget_per_person": "rollout.budget_per_person",
                 "champion_choice": "rollout.champion_choice"}  # fmt: skip
#: Rollout keys that make one axis of the 2x2: two presets differing in one of these groups
#: only differ in one thing (a pilot's own timing comes with its scope).
AXES = {"scope": {"scope", "pilot_share", "pilot_choice", "pilot_units", "expand_week",
                  "expand_share", "wave_units", "wave_weeks", "pilot_learning"},
        "direction": {"direction"}}  # fmt: skip


class Upload(NamedTuple):
    """An org chart dropped on the page: the name the user gave it (shown, never parsed
    as config) and its bytes."""

    name: str
    data: bytes


def overrides(*, people=500, rollout="company_wide_hierarchical", open=0.5, trust=0.5,
              generative=0.5, courage=0.5, safety=None, budget_per_person=None, seed=1,
              company_seed=1, org_csv=None, champion_choice=None, replications=1):  # fmt: skip
    """The ``orgsim`` overrides of a classroom scenario (an org chart's path excluded)."""
    lines = [f"rollout={rollout}"]
    for dial, value in zip(DIALS, (open, trust, generative, courage), strict=True):
        if float(value) != 0.5:
            lines.append(f"culture.{dial}={float(value):g}")
    if safety is not None:
        lines.append(f"{_ROLLOUT_KEYS['safety']}={float(safety):g}")
    if budget_per_person is not None:  # the slider's 0 is "no budget", orgsim's null
        budget = f"{float(budget_per_person):g}" if float(budget_per_person) else "null"
        lines.append(f"{_ROLLOUT_KEYS['budget_per_person']}={budget}")
    if champion_choice:
        lines.append(f"rollout.champion_choice={champion_choice}")
    if org_csv is None:
        lines += [f"org.headcount={int(people)}", f"org.seed={int(company_seed)}"]
    else:
        lines += ["org=from_csv", "org.ties=null"]
    lines.append(f"seed={int(seed)}")
    if int(replications) != 10:  # orgsim's default
        lines.append(f"replications={int(replications)}")
    return lines


def command(**settings) -> str:
    """The ``orgsim`` command line that computes a classroom scenario (to copy and rerun)."""
    lines = overrides(**settings)
    csv = settings.get("org_csv")
    if csv is not None:
        name = csv.name if isinstance(csv, Upload) else str(csv)
        lines.insert(lines.index("org.ties=null"), shlex.quote(f"org.path={_hydra_quoted(name)}"))
    return "orgsim " + " ".join(lines)


def _hydra_quoted(text):
    """``text`` as a Hydra override value that reads back as itself (shown for a person to
    copy: a name's quotes, commas, brackets and ``${`` are data, not override syntax)."""
    import re

    if re.fullmatch(r"[\w./-]+", text):
        return text
    # Hydra reads a backslash as an escape only before a quote, before "${" or at the end.
    escaped = re.sub(r"(\\+)(?='|\$\{|$)", lambda m: m.group(1) * 2, text)
    escaped = escaped.replace("'", "\\'").replace("${", "\\${")
    return f"'{escaped}'"


def compose(*, org_csv=None, **settings):
    """The checked Hydra config of a classroom scenario (raises ConfigError, one line).

    ``org_csv`` is a path; it is set on the composed config, never written into an
    override (a file name is data, not config syntax).
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig

    from sim.conf import CONFIG_DIR, ConfigError, check, register
    from sim.precheck import first_line

    register()
    lines = overrides(org_csv=org_csv, **settings)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3", job_name="orgsim"):
            cfg = hydra_compose("config", overrides=lines, return_hydra_config=True)
            if org_csv is not None:
                cfg.org.path = str(org_csv)
            HydraConfig.instance().set_config(cfg)
            check(cfg)
    except ConfigError:
        raise
    except Exception as error:  # Hydra's composition errors, as orgsim says them
        raise ConfigError(first_line(error)) from None
    finally:
        GlobalHydra.instance().clear()
    return cfg


def one_difference(first: dict, second: dict) -> str | None:
    """The one setting in which two classroom scenarios differ, or None when they differ
    in none or in more than one (a race that teaches nothing or two things at once).

    Two rollouts count as one difference when their presets differ along one axis of the
    2x2 only (:data:`AXES`): scope, or direction.
    """
    keys = [k for k in {**first, **second} if first.get(k) != second.get(k)]
    if len(keys) != 1:
        return None
    if keys[0] == "rollout":
        axis = _axis(first["rollout"], second["rollout"])
        return None if axis is None else f"rollout ({axis})"
    return keys[0]


_PRESETS: dict = {}


def _preset(name) -> dict:
    """A rollout preset as orgsim composes it (once per process)."""
    if name not in _PRESETS:
        from omegaconf import OmegaConf

        cfg = compose(rollout=name, people=500)
        _PRESETS[name] = OmegaConf.to_container(cfg.rollout, resolve=True)
    return _PRESETS[name]


def _axis(a, b):
    one, two = _preset(a), _preset(b)
    changed = {k for k in one if one[k] != two[k]}
    if not changed or "budget_per_person" in changed or "budget" in changed:
        return None
    # A pilot's timing keys differ only in effect when one side is a pilot.
    for axis, keys in AXES.items():
        if changed <= keys and (axis != "scope" or "scope" in changed):
            return axis
    return None


def race_rollouts(rollout) -> list[str]:
    """The presets a rollout can race against, one difference apart."""
    return [r for r in ROLLOUTS if r != rollout and _axis(rollout, r) is not None]


@contextlib.contextmanager
def _org_file(org_csv):
    """``(path, shown)``: a path orgsim can read, and the name to show for it in errors.

    An :class:`Upload` is written to a folder of its own under a name of ours, read, and
    deleted on the way out: a teacher's HR file never stays in the temp folder.
    """
    import shutil
    import tempfile

    if not isinstance(org_csv, Upload):
        yield org_csv, None if org_csv is None else str(org_csv)
        return
    folder = Path(tempfile.mkdtemp(prefix="orgsim-upload-"))
    try:
        path = folder / "org.csv"
        path.write_bytes(org_csv.data)
        yield path, org_csv.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _prepare(settings):
    """``(scenario, org)`` of a classroom scenario; errors name the file the user gave."""
    from sim.conf import ConfigError, build

    settings = dict(settings)
    csv = settings.pop("org_csv", None)
    settings.pop("seed", None)
    settings.pop("replication", None)
    with _org_file(csv) as (path, shown):
        try:
            cfg = compose(org_csv=path, **settings)
            scenario = build(cfg)
            if isinstance(csv, Upload):
                key = ("upload", hashlib.sha256(csv.data).hexdigest())
            else:
                key = (str(csv), int(settings.get("people", 500)),
                       int(settings.get("company_seed", 1)))  # fmt: skip
            org = _company(key, scenario.make_org)
        except ConfigError as error:
            text = str(error)
            if path is not None:
                text = text.replace(str(path), shown).replace(str(Path(path).parent), "")
            raise ConfigError(text) from None
    return scenario, org, key, float(cfg.rollout.budget_per_person or 0.0)


class Classroom(OrgModel):
    """One company taking up the social intranet under one rollout, for a class.

    Parameters (all keyword-only, all what SolaraViz's controls set)
    ----------
    people : int, default 500
        Size of the generated company (ignored with ``org_csv``).
    rollout : str, default "company_wide_hierarchical"
        A preset of ``configs/rollout/``.
    open, trust, generative, courage : float in [0, 1]
        The Humanize dials (``culture.*``).
    safety : float in [0, 1], optional
        The rollout's safety policy: how much of the risk of posting a
        protected space removes. None (default): the preset's own.
    budget_per_person : float, optional
        The change team's budget in person-days per person; None: the preset's.
    seed : int
        The run's draws (common to two strategies raced side by side).
    replication : int, default 0
        Which replication of ``seed`` (as ``orgsim seed=S replications=R`` runs them).
    company_seed : int
        The generated company.
    org_csv : str, Path or Upload, optional
        A CSV org chart read like ``orgsim org=from_csv org.path=...``.
    champion_choice : str, optional
        Who the champions are (``random``, ``degree``, ``betweenness``,
        ``bridging``, ``team``); by default the rollout preset's choice.
    replications : int, default 1
        How many replications the scenario's command says (see :meth:`replicas`).
    """

    def __init__(self, *, people=500, rollout="company_wide_hierarchical", open=0.5, trust=0.5,
                 generative=0.5, courage=0.5, safety=None, budget_per_person=None, seed=1,
                 replication=0, company_seed=1, org_csv=None, champion_choice=None,
                 replications=1):  # fmt: skip
        settings = dict(people=people, rollout=rollout, open=open, trust=trust,
                        generative=generative, courage=courage, safety=safety,
                        budget_per_person=budget_per_person, company_seed=company_seed,
                        org_csv=org_csv, champion_choice=champion_choice,
                        replications=replications)  # fmt: skip
        self._setup(_prepare(settings), settings, seed, replication)

    @classmethod
    def replicas(cls, count, **settings):
        """Replications ``0 .. count - 1`` of one scenario (composed and checked once)."""
        seed = settings.pop("seed", 1)
        settings["replications"] = count
        prepared = _prepare(settings)
        models = []
        for r in range(int(count)):
            model = cls.__new__(cls)
            model._setup(prepared, settings, seed, r)
            models.append(model)
        return models

    def _setup(self, prepared, settings, seed, replication):
        scenario, org, key, budget = prepared
        # As sim.scenario does: replication r of seed s, the rollout on its own stream.
        rng = np.random.default_rng([int(seed), int(replication)])
        (levers,) = rng.spawn(1)
        plan, first = scenario.rollout.plan(org, levers, scenario.culture)
        super().__init__(org=org, rule=scenario.rule, culture=scenario.culture, plan=plan,
                         initial_adopters=first, initial_rungs=scenario.rollout.first_rungs,
                         rng=rng)  # fmt: skip
        choice = settings.get("champion_choice")
        self.rollout_name = settings["rollout"] + (f" ({choice} champions)" if choice else "")
        self.company = key
        self.steps_planned = scenario.steps
        self.replication = int(replication)
        self.command = command(**settings, seed=seed)
        self.pilot_units = list(plan.waves[0]) if scenario.rollout.scope == "pilot" else []
        self.champions = np.asarray(plan.champions)
        self.leaders = np.asarray(plan.leaders)
        # What the controls show for settings left to the preset.
        rule_safety = getattr(scenario.rule, "safety", 0.0)
        rollout = scenario.rollout
        self.safety_in_use = rule_safety if rollout.safety is None else rollout.safety
        self.budget_in_use = budget


_COMPANIES: dict = {}


def _company(key, make):
    """One org per company (a class switching strategies keeps its people and layout)."""
    if key not in _COMPANIES:
        if len(_COMPANIES) > 16:
            _COMPANIES.pop(next(iter(_COMPANIES)))
        _COMPANIES[key] = make()
    return _COMPANIES[key]
