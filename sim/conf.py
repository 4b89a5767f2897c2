"""From a composed config to the objects a job runs, and the schemas in Hydra's ConfigStore.

:func:`register` stores the schemas of :mod:`sim.schema` (one per config
group) in Hydra's ConfigStore, so that a misspelt key or a value of the wrong
type fails while Hydra composes the config. :func:`build` turns a composed
config into the :class:`~sim.scenario.Scenario` a job runs: plain values into
the domain's validated objects (culture, rule, rollout, the org's and the
network's specs). :func:`check` builds every object a job would build (the
org's parameters only, unless it is read from CSV) and runs the checks of
:mod:`sim.checks`, raising :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

from sim.checks import (
    check_launcher,
    check_memory,
    check_top_level,
    check_where,
    guard,
    param_key,
)

# The schemas, re-exported: ``sim.conf.Config`` and the others keep working.
from sim.schema import (  # noqa: F401
    RULES,
    AnalysisConf,
    BassConf,
    BehaviorConf,
    BehaviorStepConf,
    ColumnsConf,
    Config,
    ConfigError,
    CultureConf,
    IndependentCascadeConf,
    NetworkConf,
    OrganizationalConf,
    OrgConf,
    PathsConf,
    RolloutConf,
    ThresholdConf,
    resolve_path,
)

__all__ = [
    "CONFIG_DIR",
    "ConfigError",
    "build",
    "check",
    "compose_scenario",
    "first_line",
    "register",
]

#: The Hydra configs shipped with orgsim (package data: an installed wheel has them too;
#: ``configs/`` at the top of a checkout links here).
CONFIG_DIR = Path(str(resources.files("sim") / "configs"))
#: The fictional example company (``${orgsim_examples:}`` in configs).
EXAMPLES_DIR = Path(str(resources.files("sim") / "examples"))


def sample_ties(org_path) -> str | None:
    """The sample company's ties, for the sample company's chart only.

    ``org=from_csv`` runs the shipped example with its collaboration ties; a user's own
    chart (any other ``org.path``) gets no shipped ties: its informal ties are generated
    from the chart, unless ``org.ties`` names a file. Pairing a user's chart with the
    sample's ties would run the wrong company without a word.
    """
    if org_path is None:
        return None
    sample = {(EXAMPLES_DIR / name).resolve() for name in ("acme_org.csv", "acme_org_traits.csv")}
    try:
        mine = Path(os.path.expanduser(str(org_path))).resolve()
    except (OSError, RuntimeError):
        return None
    return str(EXAMPLES_DIR / "acme_ties.csv") if mine in sample else None


def register():
    """Store the schemas in Hydra's ConfigStore (``base_<group>`` names)."""
    if not OmegaConf.has_resolver("orgsim_examples"):
        OmegaConf.register_new_resolver("orgsim_examples", lambda: str(EXAMPLES_DIR))
    if not OmegaConf.has_resolver("orgsim_sample_ties"):
        OmegaConf.register_new_resolver("orgsim_sample_ties", sample_ties)
    cs = ConfigStore.instance()
    cs.store(name="base_config", node=Config)
    for group, node in (
        ("org", OrgConf),
        ("network", NetworkConf),
        ("culture", CultureConf),
        ("behavior", BehaviorConf),
        ("rollout", RolloutConf),
    ):
        cs.store(group=group, name=f"base_{group}", node=node)
    for name, node in RULES.items():
        cs.store(group="rule", name=f"base_rule_{name}", node=node)


# -- config -> objects --------------------------------------------------------------


def _plain(cfg, key):
    return OmegaConf.to_container(cfg[key], resolve=True)


def _rule(cfg):
    from sim import rules

    params = _plain(cfg, "rule")
    name = params.pop("name", None)
    if name not in RULES:
        raise ConfigError(f"rule.name: must be one of {', '.join(RULES)}. Got {name!r}.")
    if name == "organizational":
        ladder = _plain(cfg, "behavior")["ladder"]
        if not ladder:
            raise ConfigError("behavior.ladder: must hold at least one behavior.")
        steps = tuple(guard("behavior.ladder", lambda s=s: rules.Behavior(**s)) for s in ladder)
        return guard("rule", lambda: rules.Organizational(ladder=steps, **params))
    if name == "threshold":
        for key in _LAW_KEYS:
            params.pop(key)
    classes = {
        "threshold": rules.Threshold,
        "bass": rules.Bass,
        "independent_cascade": rules.IndependentCascade,
    }
    return guard("rule", lambda: classes[name](**params))


#: Keys of the threshold rule that say how people's thresholds differ (``ThresholdLaw``).
_LAW_KEYS = {"thresholds": "law", "spread": "spread", "moved": "moved", "move": "move"}


def _threshold_law(cfg):
    """The law of people's thresholds, when the threshold rule's people differ; else None."""
    from sim.rules import ThresholdLaw

    params = _plain(cfg, "rule")
    if params.get("name") != "threshold":
        return None
    law = {field: params[key] for key, field in _LAW_KEYS.items()}
    try:
        law = ThresholdLaw(theta=params["theta"], absolute=params["absolute"], **law)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{_law_key(error)}: {error}") from None
    return law if law.varies else None


def _law_key(error) -> str:
    """The config key a :class:`~sim.rules.ThresholdLaw` error is about."""
    keys = {field: key for key, field in _LAW_KEYS.items()}
    key = param_key("rule", error)
    return f"rule.{keys.get(key[5:], key[5:])}" if key != "rule" else key


#: The config key of each parameter an org's or a network's spec may refuse.
_SPEC_KEYS = {
    "kind": "network.kind",
    "people": "org.headcount",
    "mean_degree": "network.mean_degree",
    "rewire": "network.rewire",
    "source": "org.source",
    "path": "org.path",
    "columns": "org.columns",
    "hierarchy": "org",
    "ties": "network",
}


def _org_maker(cfg, base_dir, load_now):
    """``make_org(rng=None)`` for the config (:class:`~sim.org.spec.OrgSpec`); a CSV org
    is read now when ``load_now``."""
    from sim.networks.spec import InvalidParameterError, NetworkSpec
    from sim.org.spec import OrgSpec

    o, net = _plain(cfg, "org"), _plain(cfg, "network")
    try:
        network = NetworkSpec(net["kind"], mean_degree=net["mean_degree"],
                              openness=net["openness"], rewire=net["rewire"],
                              people=o["headcount"])  # fmt: skip
        spec = OrgSpec(
            o["source"],
            **{k: o[k] for k in ("headcount", "span_median", "span_mean", "units", "seed")},
            path=resolve_path(o["path"], base_dir) if o["path"] else None,
            ties=resolve_path(o["ties"], base_dir) if o["ties"] else None,
            columns=o["columns"],
            allow_forest=o["allow_forest"],
            network=network,
        )
    except InvalidParameterError as error:
        raise ConfigError(f"{_SPEC_KEYS[error.parameter]}: {error}") from None
    if load_now and o["source"] == "csv" and not network.alone:
        loaded = guard("org", spec.make)
        return lambda: loaded
    return spec.make


def build(cfg, base_dir=".", load_org=False):
    """The :class:`~sim.scenario.Scenario` a job runs, from a composed config.

    Relative CSV paths are read from ``base_dir`` (where ``orgsim`` was
    started). Raises :class:`ConfigError` (one line naming the key) for any
    value out of range.
    """
    from sim.population import Culture
    from sim.rollout import Rollout
    from sim.scenario import Scenario

    check_top_level(cfg)
    culture = guard("culture", lambda: Culture(**_plain(cfg, "culture")))
    rule = _rule(cfg)
    rollout = guard("rollout", lambda: Rollout(**_plain(cfg, "rollout")))
    if not rule.needs_org and rollout.scope != "company_wide":
        raise ConfigError(
            f"rollout.scope: the {type(rule).__name__} rule gives everyone access at once; "
            "use rollout=company_wide (a pilot needs rule=organizational)."
        )
    make_org = _org_maker(cfg, base_dir, load_org)
    alone = cfg.network.kind != "informal"
    if alone and rule.needs_org:
        raise ConfigError(
            f"network.kind: {cfg.network.kind} is a network without an org chart, for the "
            "classic rules: use rule=threshold, rule=bass or rule=independent_cascade"
        )
    if alone and rollout.direction != "decentralized":
        raise ConfigError(
            f"rollout.direction: a network alone ({cfg.network.kind}) has no hierarchy to go "
            "down; its initial adopters are champions: use rollout=company_wide_decentralized"
        )
    resample = alone and bool(cfg.network.resample)
    return Scenario(make_org=make_org, rule=rule, rollout=rollout, culture=culture,
                    steps=int(cfg.steps), resample=resample,
                    thresholds=_threshold_law(cfg))  # fmt: skip


def _fields(type_name):
    """Field names of one of sim.schema's schemas, by class name."""
    import dataclasses

    from sim import schema

    node = getattr(schema, type_name, None)
    return [f.name for f in dataclasses.fields(node)] if dataclasses.is_dataclass(node) else []


def first_line(error) -> str:
    """Hydra's and OmegaConf's multi-line messages as one line that names the key."""
    import re

    cause = error.__cause__
    detail = str(cause if cause is not None else error)
    full_key = re.search(r"full_key: (\S+)", detail)
    if full_key and "not in" in detail:  # a misspelt key
        node = re.search(r"object_type=(\w+)", detail)
        keys = _fields(node.group(1)) if node else []
        allowed = f" (keys there: {', '.join(keys)})" if keys else ""
        return f"{full_key.group(1)}: no such key{allowed}"
    if full_key:  # a value of the wrong type
        return f"{full_key.group(1)}: {detail.splitlines()[0]}"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    missing = re.match(r"In '.*': Could not find '(.+)/(.+)'", lines[0]) if lines else None
    if missing and "Available options" in str(error):  # an unknown option of a group
        at = next(i for i, line in enumerate(lines) if line.startswith("Available options"))
        options = []
        for line in lines[at + 1 :]:
            if line.startswith("Config search path"):
                break
            if not line.startswith("base_"):
                options.append(line)
        group, option = missing.groups()
        return f"{group}={option}: no such option (available: {', '.join(options)})"
    return lines[0] if lines else type(error).__name__


def compose_scenario(overrides=()):
    """The :class:`~sim.scenario.Scenario` of the config ``orgsim`` composes from ``overrides``
    (``["culture=traditional", "rollout=pilot"]``), outside a job: for studies and tests that
    run the configs as a user does, without Hydra's command line. A bad override is a
    :class:`ConfigError` of one line naming the key."""
    from hydra import compose, initialize_config_dir

    register()
    from sim import channels, posterior

    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides))
        posterior.apply(cfg, {str(o).split("=", 1)[0] for o in overrides})
        channels.apply(cfg)
    except ConfigError:
        raise
    except Exception as error:  # Hydra's and OmegaConf's composition errors, in one line
        raise ConfigError(first_line(error)) from None
    return build(cfg)


def check(cfg, base_dir="."):
    """Raise :class:`ConfigError` unless ``cfg`` can run.

    Reads a CSV org; generates an org only to check pilot units named in the
    config (their names come with the org).
    """
    import numpy as np

    scenario = build(cfg, base_dir)
    behaviors = len(cfg.behavior.ladder) if scenario.rule.needs_org else 1
    check_memory(cfg, base_dir, behaviors)  # before anything large is read or built
    if cfg.org.source == "csv" and cfg.network.kind == "informal":
        check_memory(cfg, base_dir, behaviors, guard("org", lambda: scenario.org))
    check_where(cfg)
    if "hydra" in cfg:
        check_launcher(cfg.hydra)
    rollout = scenario.rollout
    n = scenario.org.n if cfg.org.source == "csv" else int(cfg.org.headcount)
    if scenario.rule.needs_org:  # the classic rules pay for nothing
        try:
            rollout.check_budget(n)
        except ValueError as error:
            raise ConfigError(f"{param_key('rollout', error, 'budget')}: {error}") from None
    if scenario.thresholds is not None:
        try:
            scenario.thresholds.check(n)
        except ValueError as error:
            raise ConfigError(f"{_law_key(error)}: {error}") from None
    if rollout.scope == "pilot" and rollout.pilot_units is not None:
        guard("rollout.pilot_units", lambda: rollout.pilot(scenario.org, np.random.default_rng(0)))
