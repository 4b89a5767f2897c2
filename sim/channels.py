"""The channels through which a rollout acts, each with the keys that switch it off.

docs/model.md §1 names the mechanisms; a channel is one of them as a study switches it off for
every strategy at once (a weight or an effect set to 0), so that how much of a winner's lead
goes with it says how much of the lead it carries (:func:`sim.results.attribute_lead`). A
config's ``channel`` key runs a scenario with one channel off (:func:`apply`); a sweep's
``why.channels`` runs every strategy with each listed channel off in turn
(:func:`sim.sweep.expand`).
"""

from __future__ import annotations

from sim.schema import ConfigError

__all__ = ["CHANNELS", "CHANNEL_WORDS", "apply", "check_names"]

#: Each channel and the values that switch it off for everyone.
CHANNELS = {
    "peers": {"rule.peer_weight": 0.0},
    "endorsement": {"rule.manager_weight": 0.0},
    "commitment": {"rule.commitment_weight": 0.0},
    "visibility": {"rule.visibility_weight": 0.0},
    "identity": {"rule.identity_weight": 0.0},
    "content": {"rule.content_weight": 0.0},
    "ownership": {"rule.ownership_weight": 0.0},
    "training": {"rule.training_effect": 0.0},
    "learning": {"rule.learning_effect": 0.0},
    "safety": {"rule.safety": 0.0},
}
#: Each channel in words.
CHANNEL_WORDS = {
    "peers": "peers (with reinforcement)",
    "endorsement": "managers' endorsement",
    "commitment": "leadership commitment",
    "visibility": "visible activity",
    "identity": "collective identity",
    "content": "content",
    "ownership": "ownership",
    "training": "training",
    "learning": "pilot learning",
    "safety": "a safe space",
}


def check_names(names, key="why.channels") -> list[str]:
    """``names`` as a list, each a channel; else :class:`ConfigError` naming ``key``."""
    names = [names] if isinstance(names, str) else list(names or [])
    for name in names:
        if name not in CHANNELS:
            raise ConfigError(f"{key}: {name!r} is not a channel (one of: {', '.join(CHANNELS)})")
    return names


def apply(cfg) -> None:
    """Switch ``cfg.channel`` off on ``cfg`` (in place); nothing when it is null."""
    name = cfg.get("channel")
    if name is None:
        return
    from omegaconf import OmegaConf

    check_names([name], "channel")
    if cfg.rule.get("name") != "organizational":
        raise ConfigError(f"channel: rule={cfg.rule.name} has no channels to switch off")
    for key, value in CHANNELS[name].items():
        OmegaConf.update(cfg, key, value, merge=False)
