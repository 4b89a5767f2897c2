"""Lessons: a story set up in one click, with what to predict, notice and try.

Each lesson sets the classroom's dials (the keyword parameters of
:class:`sim.app.classroom.Classroom`) and, for a race, a second strategy. The
texts follow the predict–run–discuss cycle of PhET and NetLogo's Info tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LESSONS", "Lesson"]


@dataclass(frozen=True)
class Lesson:
    title: str
    what: str
    predict: str
    notice: str
    next: str
    settings: dict = field(default_factory=dict)
    # A second run beside the first, on the same seed: a rollout preset, or the settings
    # that differ (e.g. {"champion_choice": "random"}).
    race: str | dict | None = None


_CALM = {"open": 0.5, "trust": 0.5, "generative": 0.5, "courage": 0.5, "safety": 0.0}

LESSONS = {
    "silo_pilot": Lesson(
        "The pilot that stayed in its silo",
        "A pilot in a fifth of the units of a company whose informal ties rarely cross units.",
        "Will the pilot's example reach the other units before they get access in week 8?",
        "The pilot units light up; the rest stays grey until week 8, and then starts from zero: "
        "few ties carried the example across.",
        "Raise 'open' to 0.9 (ties cross units) and run it again.",
        {**_CALM, "open": 0.1, "rollout": "pilot_decentralized"},
    ),
    "low_trust_top_down": Lesson(
        "Top-down with low trust backfires",
        "A strong launch campaign from the top, in a company that does not trust its leaders.",
        "Will pressure from above get people posting?",
        "Reading spreads, contributing barely moves: below the reactance level, a manager's push "
        "lowers people's willingness instead of raising it.",
        "Set trust to 0.8 and compare; then race it against champions.",
        {**_CALM, "trust": 0.15, "rollout": "top_down_campaign"},
        race="company_wide_decentralized",
    ),
    "safe_space": Lesson(
        "A safe space lets people post",
        "The same company with and without a protected space (inside the firewall, not graded).",
        "How much more posting (creating) will a safe space bring?",
        "Creating, the riskiest rung, moves most; reading hardly changes.",
        "Lower courage to 0.2: does safety matter more or less?",
        {**_CALM, "courage": 0.3, "rollout": "safe_space"},
        race="company_wide",
    ),
    "bridge_champions": Lesson(
        "Champions on the bridges",
        "Champions go first and get trained. Above, they sit on the bridges between units (the "
        "people with the most ties across units); below, the same number chosen at random.",
        "Does it matter who the champions are?",
        "Watch where the first coloured dots appear and how fast their units follow; the "
        "difference curve says how much the bridges are worth.",
        "Switch the view to the informal network: where do the bridging champions sit?",
        {**_CALM, "rollout": "company_wide_decentralized", "champion_choice": "bridging"},
        race={"champion_choice": "random"},
    ),
    "everyone_at_once": Lesson(
        "Everyone at once",
        "Company-wide through the hierarchy against a pilot that waits eight weeks.",
        "Which one has more people contributing after a year?",
        "The company-wide launch gets everyone started while the pilot's units wait; the "
        "difference curve says by how much, week by week.",
        "Make the culture traditional (trust 0.3, courage 0.2): does the answer hold?",
        {**_CALM, "trust": 0.7, "rollout": "company_wide_hierarchical"},
        race="pilot_hierarchical",
    ),
    "dial_open": Lesson(
        "Open: more people step up",
        "An open culture recruits champions everywhere and mixes its informal ties.",
        "Will a closed company (open 0.1) or an open one (open 0.9) spread faster?",
        "Open: champions in every team and ties across units; closed: managers only.",
        "Move the 'open' dial in steps of 0.2 and rerun.",
        {**_CALM, "open": 0.9, "rollout": "company_wide_decentralized"},
    ),
    "dial_trust": Lesson(
        "Trustworthy: leaders are believed",
        "Trust filters the launch message and managers' endorsement.",
        "What happens to a hierarchical launch when trust falls from 0.8 to 0.2?",
        "High trust: teams follow their managers within weeks. Low: the message is discounted.",
        "Race hierarchical against decentralized at trust 0.2.",
        {**_CALM, "trust": 0.8, "rollout": "company_wide_hierarchical"},
    ),
    "dial_generative": Lesson(
        "Generative: content draws people in",
        "People who create content raise everyone else's reason to come.",
        "Will more content makers speed up reading?",
        "Once creators appear, the reading curve steepens.",
        "Set generative to 0.1: how much slower is it?",
        {**_CALM, "generative": 0.9, "rollout": "company_wide"},
    ),
    "dial_courage": Lesson(
        "Courageous: people dare to post",
        "Courage is the company's tolerance for the risk of posting in public.",
        "Which rung moves most with courage: reading, contributing or creating?",
        "Creating, the most exposed rung, moves most.",
        "Lower courage and add a safe space (safety 0.8).",
        {**_CALM, "courage": 0.9, "rollout": "company_wide"},
    ),
}
