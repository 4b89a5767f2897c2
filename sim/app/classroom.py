"""The classroom's model: an :class:`~sim.model.OrgModel` built from a few dials.

:class:`Classroom` takes what a teacher can set with sliders and selects — a
company (generated, of a size, or a CSV org chart), a rollout preset, the four
Humanize dials, a safety policy, a budget and a seed — all keyword-only, so
that Mesa's SolaraViz maps its controls onto them. It composes the same Hydra
config as ``orgsim`` (``rollout=NAME culture.trust=...``), checks it the same
way (a bad CSV or too small a budget is one line, :class:`sim.conf.ConfigError`)
and builds the same scenario, so what a class sees is what ``orgsim`` computes.

:func:`layout` places a company's people for the org chart once per company:
a column block per unit (as wide as the unit is large), each person under
their manager in reporting order, one row per level.
"""

from __future__ import annotations

import numpy as np

from sim.model import OrgModel

__all__ = ["COMPANIES", "ROLLOUTS", "Classroom", "compose", "layout", "network_layout"]

#: Generated companies a class can pick: name -> headcount.
COMPANIES = {"team of 50": 50, "200 people": 200, "500 people": 500, "1,000 people": 1000,
             "2,000 people": 2000}  # fmt: skip
#: Rollout presets shown in the app (configs/rollout/), the 2x2 corners first.
ROLLOUTS = ["company_wide_hierarchical", "company_wide_decentralized", "pilot_hierarchical",
            "pilot_decentralized", "company_wide", "pilot", "pilot_waves", "safe_space",
            "top_down_campaign", "sales_support_pilot"]  # fmt: skip


def compose(*, people=500, rollout="company_wide_hierarchical", open=0.5, trust=0.5,
            generative=0.5, courage=0.5, safety=0.0, budget_per_person=1.0, company_seed=1,
            org_csv=None, champion_choice=None):  # fmt: skip
    """The checked Hydra config of a classroom scenario (raises ConfigError, one line)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig

    from sim.conf import CONFIG_DIR, ConfigError, check, register
    from sim.precheck import _first_line

    register()
    overrides = [f"rollout={rollout}", f"culture.open={open}", f"culture.trust={trust}",
                 f"culture.generative={generative}", f"culture.courage={courage}",
                 f"rollout.safety={safety}",
                 f"rollout.budget_per_person={budget_per_person}"]  # fmt: skip
    if champion_choice:  # None: the preset's own
        overrides.append(f"rollout.champion_choice={champion_choice}")
    if org_csv:
        overrides += ["org=from_csv", f"org.path={org_csv}", "org.ties=null"]
    else:
        overrides += ["org=midsize", f"org.headcount={int(people)}", f"org.seed={company_seed}"]
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = hydra_compose("config", overrides=overrides, return_hydra_config=True)
            HydraConfig.instance().set_config(cfg)
            check(cfg)
    except ConfigError:
        raise
    except Exception as error:  # Hydra's composition errors, as orgsim says them
        raise ConfigError(_first_line(error)) from None
    finally:
        GlobalHydra.instance().clear()
    return cfg


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
    safety : float in [0, 1]
        The rollout's safety policy: how much of the risk of posting a
        protected space removes.
    budget_per_person : float, default 1.0
        The change team's budget in person-days per person (the 2x2 study
        uses 0.5; a small company needs more, as its launch costs the same).
    seed : int
        The run's draws (common to two strategies raced side by side).
    company_seed : int
        The generated company.
    org_csv : str, optional
        A CSV org chart read like ``orgsim org=from_csv org.path=...``.
    champion_choice : str, optional
        Who the champions are (``random``, ``degree``, ``betweenness``,
        ``bridging``, ``team``); by default the rollout preset's choice.
    """

    def __init__(self, *, people=500, rollout="company_wide_hierarchical", open=0.5, trust=0.5,
                 generative=0.5, courage=0.5, safety=0.0, budget_per_person=1.0, seed=1,
                 company_seed=1, org_csv=None, champion_choice=None):  # fmt: skip
        from sim.conf import build

        cfg = compose(people=people, rollout=rollout, open=open, trust=trust,
                      generative=generative, courage=courage, safety=safety,
                      budget_per_person=budget_per_person, company_seed=company_seed,
                      org_csv=org_csv, champion_choice=champion_choice)  # fmt: skip
        key = (str(org_csv), int(people), int(company_seed))
        scenario = build(cfg)
        org = _company(key, scenario.make_org)
        rng = np.random.default_rng([int(seed), 0])
        (levers,) = rng.spawn(1)  # as sim.scenario does: the rollout's own stream
        plan, first = scenario.rollout.plan(org, levers, scenario.culture)
        super().__init__(org=org, rule=scenario.rule, culture=scenario.culture, plan=plan,
                         initial_adopters=first, initial_rungs=scenario.rollout.first_rungs,
                         rng=rng)  # fmt: skip
        self.rollout_name = rollout + (f" ({champion_choice} champions)" if champion_choice else "")
        self.company = key
        self.pilot_units = list(plan.waves[0]) if scenario.rollout.scope == "pilot" else []
        self.champions = np.asarray(plan.champions)
        self.leaders = np.asarray(plan.leaders)


_COMPANIES: dict = {}


def _company(key, make):
    """One org per company (a class switching strategies keeps its people and layout)."""
    if key not in _COMPANIES:
        if len(_COMPANIES) > 16:
            _COMPANIES.pop(next(iter(_COMPANIES)))
        _COMPANIES[key] = make()
    return _COMPANIES[key]


def _per_org(cache, org, make):
    """``make(org)``, computed once per org (kept while the org lives, at most 16)."""
    import weakref

    held = cache.get(id(org))
    if held is not None and held[0]() is org:
        return held[1]
    value = make(org)
    if len(cache) >= 16:
        cache.pop(next(iter(cache)))
    cache[id(org)] = (weakref.ref(org), value)
    return value


def _layout(org):
    manager = np.asarray(org.manager, dtype=np.int64)
    level = np.asarray(org.level, dtype=np.int64)
    unit = np.asarray(org.unit, dtype=np.int64)
    n = manager.shape[0]
    reports = [[] for _ in range(n)]
    roots = []
    for i in range(n):
        (roots if manager[i] < 0 else reports[manager[i]]).append(i)
    # Depth-first order: a manager's team sits under them, units side by side.
    order, stack = [], list(reversed(roots))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(sorted(reports[i], key=lambda j: (unit[j], j), reverse=True))
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(order)] = np.arange(n)
    x, y = np.empty(n), level.astype(float)
    for lv in np.unique(level):
        members = np.flatnonzero(level == lv)
        members = members[np.argsort(rank[members], kind="stable")]
        # A crowded level wraps onto sub-rows (at most ~150 people a row stay readable).
        rows = -(-members.shape[0] // 150)
        per_row = -(-members.shape[0] // rows)
        k = np.arange(members.shape[0])
        x[members] = ((k % per_row) + 0.5) / per_row
        y[members] = lv + 0.8 * (k // per_row) / rows
    return x, y


_LAYOUTS: dict = {}


def layout(org):
    """``(x, y)`` of every person: x in (0, 1) along the chart, y the level (0 the top)."""
    return _per_org(_LAYOUTS, org, _layout)


_NETWORK_LAYOUTS: dict = {}


def network_layout(org):
    """``(x, y, ties)`` for the informal network: a force layout (computed once per
    company) and at most 4,000 ties to draw, as pairs of people."""
    return _per_org(_NETWORK_LAYOUTS, org, _network_layout)


def _network_layout(org, max_ties=4000, seed=1):
    import networkx as nx

    graph = org.network.to_scipy()
    rng = np.random.default_rng(seed)
    # Start from the units on a circle, so that a few force iterations settle it: most
    # ties stay inside units, and the ones across pull units together.
    units = np.asarray(org.unit)
    angle = 2 * np.pi * units / max(int(units.max()) + 1, 1)
    start = np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.normal(0, 0.15, (org.n, 2))
    positions = nx.spring_layout(nx.from_scipy_sparse_array(graph), iterations=12,
                                 pos=dict(enumerate(start)), seed=seed)  # fmt: skip
    xy = np.array([positions[i] for i in range(org.n)])
    rows, cols = graph.nonzero()
    upper = rows < cols
    pairs = np.stack([rows[upper], cols[upper]], axis=1)
    if pairs.shape[0] > max_ties:
        pairs = pairs[rng.choice(pairs.shape[0], max_ties, replace=False)]
    return xy[:, 0], xy[:, 1], pairs
