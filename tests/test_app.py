"""The classroom's model, layout and lessons (no browser, no Solara)."""

import inspect

import numpy as np
import pytest

from sim.app.classroom import COMPANIES, ROLLOUTS, Classroom, layout
from sim.app.lessons import LESSONS
from sim.conf import CONFIG_DIR, ConfigError


def test_the_classroom_is_the_model_orgsim_runs_and_races_on_common_draws():
    a = Classroom(people=200, rollout="company_wide_hierarchical", seed=3)
    b = Classroom(people=200, rollout="company_wide_hierarchical", seed=3)
    other = Classroom(people=200, rollout="pilot_decentralized", seed=3)
    assert a.org is b.org is other.org  # one company per size and seed: one layout
    for model in (a, b, other):
        model.run(6)
    np.testing.assert_array_equal(a.stage, b.stage)
    assert not np.array_equal(a.stage, other.stage)
    assert other.pilot_units and len(other.champions) > 0 and len(a.leaders) > 0
    # Keyword-only, as SolaraViz maps controls onto keyword names.
    params = inspect.signature(Classroom.__init__).parameters
    assert all(p.kind == p.KEYWORD_ONLY for name, p in params.items() if name != "self")


def test_layout_puts_levels_in_rows_and_everyone_on_the_chart():
    model = Classroom(people=2000)
    x, y = layout(model.org)
    assert x.shape == y.shape == (2000,)
    assert ((x > 0) & (x < 1)).all()
    np.testing.assert_array_equal(np.floor(y), model.org.level)
    assert layout(model.org) is layout(model.org)  # computed once per company


def test_lessons_set_dials_the_classroom_has():
    params = set(inspect.signature(Classroom.__init__).parameters)
    assert len(LESSONS) >= 9
    for lesson in LESSONS.values():
        assert set(lesson.settings) <= params
        race = lesson.race if isinstance(lesson.race, dict) else {"rollout": lesson.race}
        assert set(race) <= params
        for rollout in (lesson.settings.get("rollout"), race["rollout"] if "rollout" in race
                        else None):  # fmt: skip
            assert rollout is None or rollout in ROLLOUTS
    for rollout in ROLLOUTS:
        assert (CONFIG_DIR / "rollout" / f"{rollout}.yaml").is_file()
    assert max(COMPANIES.values()) == 2000 and min(COMPANIES.values()) == 50


def test_a_bad_org_chart_is_one_line(tmp_path):
    bad = tmp_path / "org.csv"
    bad.write_text("employee_id,manager_id,unit\nE1,,Sales\nE1,E1,Sales\n")
    with pytest.raises(ConfigError, match="duplicate employee_id") as raised:
        Classroom(org_csv=str(bad))
    assert "\n" not in str(raised.value)


def test_the_network_layout_is_computed_once_and_big_companies_are_drawn_by_unit():
    from sim.app.classroom import network_layout

    model = Classroom(people=200)
    x, y, ties = network_layout(model.org)
    assert x.shape == y.shape == (200,) and ties.shape[1] == 2
    assert network_layout(model.org)[2] is ties
    pytest.importorskip("solara")
    from sim.app import page

    big = Classroom(people=3000, budget_per_person=0.5)
    chart = page._chart(big, "big")
    assert "by unit" in chart.axes[0].get_title()
    assert len(chart.axes[0].patches) == 4 * len(chart.axes[0].get_yticks())
