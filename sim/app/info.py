"""The classroom's "How it works" page, after NetLogo's Info tab: what it is, how it
works, how to use it, things to notice and to try, and where it comes from."""

from __future__ import annotations

__all__ = ["INFO", "SECTIONS"]

#: (heading, paragraphs): NetLogo's Info tab headings, in its order.
SECTIONS = [
    ("What is it?", [
        "A company of simulated people gets a social intranet. Week by week each person "
        "decides whether to take up the next rung of a ladder: <b>reading</b>, then "
        "<b>contributing</b> (commenting, answering), then <b>creating</b> (posting, sharing "
        "knowledge openly). The rollout strategy decides who starts, who is asked, who is "
        "trained and what is paid; the company's culture decides how people respond.",
    ]),
    ("How it works", [
        "Every week a person who has access and holds the rung below gets a <b>signal</b>: "
        "the share of the colleagues they know who already do it (peers, over the informal "
        "network), their manager's endorsement (weighted by trust in leadership), the launch's "
        "commitment, how much of the activity they can see, and the content others created.",
        "They compare it with a <b>threshold</b>: their own innovativeness, how hard the rung "
        "is, and its risk (posting in public is riskier than reading) times their risk "
        "aversion, less what a safe space removes and what training teaches. Above it, they "
        "take the rung up with some probability; far below it, they may lapse.",
        "A pilot gives access to some units first and the rest later; champions and leaders "
        "start on the ladder. The same engine runs <code>orgsim</code> on the command line: "
        "the command shown under the controls computes exactly what the page shows.",
    ]),
    ("How to use it", [
        "<b>Lesson</b>: sets everything for a story in one click (read <i>What it is</i> and "
        "<i>Predict</i> aloud first; <i>Notice</i> appears when the year is over, or on "
        "<i>Show what to notice</i>). <b>Company</b>: a generated company of a size, or drop "
        "your own org chart CSV (employee_id, manager_id, unit). <b>Rollout</b>: a strategy "
        "preset. <b>open, trust, generative, courage</b>: the culture's dials from 0 to 1. "
        "<b>safety</b>: how much of the risk of posting a protected space removes (a preset's "
        "own until you move it). <b>budget</b>: the change team's person-days per person. "
        "<b>Champions chosen by</b>: who goes first in a decentralized rollout. <b>seed</b>: "
        "another draw of people and weeks. <b>runs per side</b>: replications; the curves "
        "show their mean and range.",
        "<b>Race</b>: a second side that differs in one setting only (a dial's value, the "
        "rollout one step across the 2x2, the safety policy or the champions), on the same "
        "people and weekly draws, so the difference curve shows that one setting's effect. "
        "Press <b>Set up</b> after changing settings; <b>Step</b>, <b>Play</b> and its "
        "<b>speed</b> run the year (52 weeks).",
        "The org chart puts the top at the top and each level in a row; each dot is a person "
        "coloured by the highest rung they hold (grey: not yet). When a company is too large "
        "to see people from the back of the room, each block is a team (a manager's direct "
        "reports) filled with its people's rungs; above 2,000 people, bars by unit.",
    ]),
    ("Things to notice", [
        "Reading spreads first and furthest; creating stays with a few (most people read, few "
        "write). Where the first colours appear: leaders at the top (hierarchical), champions "
        "scattered (decentralized), whole units (a pilot). Whether the difference band stays "
        "clear of zero: if it does not, the race has not shown a difference.",
    ]),
    ("Things to try", [
        "Race a dial against itself: trust 0.2 against 0.8 under a hierarchical launch. Add a "
        "safe space to a company with low courage. Drop your own org chart and compare a "
        "pilot in its largest unit with a company-wide launch.",
    ]),
    ("Extending the model and related models", [
        "Every dial and lever is a key of <code>orgsim</code>'s configs; sweeps, reports and "
        "the calibration live there (see docs/defaults.md and docs/model.md). Related: NetLogo's "
        "Virus on a Network and Diffusion on a Directed Network; the Bass model; Granovetter's "
        "threshold model of collective behavior; Centola and Macy's complex contagion.",
    ]),
    ("Credits and references", [
        "Rogers, Diffusion of Innovations; Granovetter (1978); Watts (2002); Centola and Macy "
        "(2007); Bass (1969). The classroom follows the predict–run–discuss cycle of PhET and "
        "NetLogo's Info tab.",
    ]),
]  # fmt: skip

INFO = "<h1>How it works</h1>" + "".join(
    f"<h2>{head}</h2>" + "".join(f"<p>{text}</p>" for text in paragraphs)
    for head, paragraphs in SECTIONS
)
