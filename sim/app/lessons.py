"""Lessons: a story set up in one click, with what to predict, notice and try.

Each lesson sets the classroom's dials (the keyword parameters of
:class:`sim.app.classroom.Classroom`) and, for a race, the one setting the second
side changes, and states the ``orgsim`` command of each side, so that a teacher can
rerun it (tests compose both and compare). Every side runs :data:`REPLICATIONS`
replications, so that one run's noise is not taught as an effect. The texts follow
the predict–run–discuss cycle of PhET and NetLogo's Info tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LESSONS", "REPLICATIONS", "Lesson"]

#: Replications per side: the curves show their mean and range.
REPLICATIONS = 5


@dataclass(frozen=True)
class Lesson:
    title: str
    what: str
    predict: str
    notice: str
    next: str
    settings: dict = field(default_factory=dict)
    # The second side of a race, on the same seeds: the ONE setting it changes.
    race: dict | None = None
    # The orgsim command of each side (shown on the page; a test composes both).
    command: str = ""
    race_command: str | None = None


_TAIL = f"org.headcount=500 org.seed=1 seed=1 replications={REPLICATIONS}"

LESSONS = {
    "silo_pilot": Lesson(
        "The pilot that stayed in its silo",
        "A pilot in a fifth of the units; the rest get access in week 8. Left: a closed "
        "company whose informal ties rarely cross units (open 0.1); right: an open one (0.9).",
        "Will the pilot's example reach the other units before they get access in week 8?",
        "The pilot units light up first. In the closed company few ties carry the example "
        "across, so the other units start from zero in week 8; the open one's get going sooner.",
        "Switch the view to the informal network: where are the ties across units?",
        {"open": 0.1, "rollout": "pilot_decentralized"},
        race={"open": 0.9},
        command=f"orgsim rollout=pilot_decentralized culture.open=0.1 {_TAIL}",
        race_command=f"orgsim rollout=pilot_decentralized culture.open=0.9 {_TAIL}",
    ),
    "low_trust_top_down": Lesson(
        "Top-down with low trust backfires",
        "A strong launch campaign from the top, in a company that does not trust its leaders "
        "(trust 0.15), beside the same campaign where people trust them (0.8).",
        "Will pressure from above get people contributing when trust is low?",
        "Reading spreads in both; contributing barely moves at low trust: below the reactance "
        "level, a manager's push lowers people's willingness instead of raising it.",
        "Race the low-trust company against champions instead (rollout "
        "company_wide_decentralized).",
        {"trust": 0.15, "rollout": "top_down_campaign"},
        race={"trust": 0.8},
        command=f"orgsim rollout=top_down_campaign culture.trust=0.15 {_TAIL}",
        race_command=f"orgsim rollout=top_down_campaign culture.trust=0.8 {_TAIL}",
    ),
    "safe_space": Lesson(
        "A safe space lets people post",
        "The same launch with its protected space (safety 0.8: inside the firewall, not "
        "graded as work) and without one (safety 0).",
        "How much more creating (posting) will a safe space bring?",
        "Creating, the riskiest rung, moves most; reading hardly changes.",
        "Lower courage to 0.1: does safety matter more or less?",
        {"courage": 0.3, "rollout": "safe_space"},
        race={"safety": 0.0},
        command=f"orgsim rollout=safe_space culture.courage=0.3 {_TAIL}",
        race_command=f"orgsim rollout=safe_space culture.courage=0.3 rollout.safety=0 {_TAIL}",
    ),
    "bridge_champions": Lesson(
        "Champions on the bridges",
        "Champions go first and get trained. Left, they sit on the bridges between units (the "
        "people with the most ties across units); right, the same number chosen at random.",
        "Does it matter who the champions are?",
        "Watch where the first coloured dots appear and how fast their units follow; the "
        "difference curve says how much the bridges are worth, and its band how sure that is.",
        "Switch the view to the informal network: where do the bridging champions sit?",
        {"rollout": "company_wide_decentralized", "champion_choice": "bridging"},
        race={"champion_choice": "random"},
        command="orgsim rollout=company_wide_decentralized rollout.champion_choice=bridging "
        + _TAIL,
        race_command="orgsim rollout=company_wide_decentralized rollout.champion_choice=random "
        + _TAIL,
    ),
    "everyone_at_once": Lesson(
        "Everyone at once",
        "Company-wide through the hierarchy against the same launch as a pilot that waits "
        "eight weeks: only the scope differs, at the same budget.",
        "Which one has more people contributing after a year?",
        "The company-wide launch gets everyone started while the pilot's units wait; the "
        "difference curve says by how much, week by week.",
        "Make the culture traditional (trust 0.3, courage 0.2): does the answer hold?",
        {"trust": 0.7, "rollout": "company_wide_hierarchical"},
        race={"rollout": "pilot_hierarchical"},
        command=f"orgsim rollout=company_wide_hierarchical culture.trust=0.7 {_TAIL}",
        race_command=f"orgsim rollout=pilot_hierarchical culture.trust=0.7 {_TAIL}",
    ),
    "dial_open": Lesson(
        "Open: more people step up",
        "An open culture (0.9) recruits champions everywhere and mixes its informal ties; a "
        "closed one (0.1) recruits among managers, and its ties stay inside units.",
        "Will the open company or the closed one spread faster?",
        "Open: champions in every team and ties across units; closed: managers only.",
        "Move the 'open' dial in steps of 0.2 and rerun.",
        {"open": 0.9, "rollout": "company_wide_decentralized"},
        race={"open": 0.1},
        command=f"orgsim rollout=company_wide_decentralized culture.open=0.9 {_TAIL}",
        race_command=f"orgsim rollout=company_wide_decentralized culture.open=0.1 {_TAIL}",
    ),
    "dial_trust": Lesson(
        "Trustworthy: leaders are believed",
        "Trust filters the launch message and managers' endorsement: a hierarchical launch at "
        "trust 0.8 beside the same launch at 0.2.",
        "What happens to a hierarchical launch when trust falls from 0.8 to 0.2?",
        "High trust: teams follow their managers within weeks. Low: the message is discounted.",
        "Race hierarchical against decentralized at trust 0.2.",
        {"trust": 0.8, "rollout": "company_wide_hierarchical"},
        race={"trust": 0.2},
        command=f"orgsim rollout=company_wide_hierarchical culture.trust=0.8 {_TAIL}",
        race_command=f"orgsim rollout=company_wide_hierarchical culture.trust=0.2 {_TAIL}",
    ),
    "dial_generative": Lesson(
        "Generative: content draws people in",
        "People who create content raise everyone else's reason to come: generative 0.9 "
        "beside 0.1.",
        "Will more content makers speed up reading?",
        "Once creators appear, the reading curve steepens where the culture is generative.",
        "Set generative to 0.5 on both sides' left: how much of the gap remains?",
        {"generative": 0.9, "rollout": "company_wide"},
        race={"generative": 0.1},
        command=f"orgsim rollout=company_wide culture.generative=0.9 {_TAIL}",
        race_command=f"orgsim rollout=company_wide culture.generative=0.1 {_TAIL}",
    ),
    "dial_courage": Lesson(
        "Courageous: people dare to post",
        "Courage is the company's tolerance for the risk of posting in public: 0.9 beside 0.2.",
        "Which rung moves most with courage: reading, contributing or creating?",
        "Creating, the most exposed rung, moves most.",
        "Keep courage low and add a safe space (safety 0.8).",
        {"courage": 0.9, "rollout": "company_wide"},
        race={"courage": 0.2},
        command=f"orgsim rollout=company_wide culture.courage=0.9 {_TAIL}",
        race_command=f"orgsim rollout=company_wide culture.courage=0.2 {_TAIL}",
    ),
}
