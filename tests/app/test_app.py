"""The classroom's model, layout and lessons (no browser, no Solara)."""

import inspect
import shlex

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim.app.classroom import (
    COMPANIES,
    ROLLOUTS,
    Classroom,
    Upload,
    command,
    compose,
    layout,
    one_difference,
)
from sim.app.lessons import LESSONS, REPLICATIONS
from sim.conf import CONFIG_DIR, EXAMPLES_DIR, ConfigError


def _orgsim_config(line):
    """The config ``orgsim`` composes for a command line (as sim.precheck does)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.conf import register

    words = shlex.split(line)
    assert words[0] == "orgsim"
    register()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3", job_name="orgsim"):
            return hydra_compose("config", overrides=words[1:], return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()


def _plain(cfg):
    tree = OmegaConf.to_container(cfg, resolve=False)
    tree.pop("hydra")
    return tree


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


@pytest.mark.parametrize("key", list(LESSONS))
def test_every_lesson_is_the_orgsim_command_it_states(key):
    lesson = LESSONS[key]
    sides = [(lesson.settings, lesson.command)]
    if lesson.race:
        sides.append(({**lesson.settings, **lesson.race}, lesson.race_command))
    for settings, line in sides:
        built = compose(**settings, replications=REPLICATIONS)
        assert _plain(built) == _plain(_orgsim_config(line))
        assert command(**settings, replications=REPLICATIONS) == line  # what the page shows


def test_what_a_class_sees_is_what_orgsim_computes():
    from sim.conf import build

    lesson = LESSONS["safe_space"]
    # The preset's safety policy (0.8), not a slider's 0; by default the rule's (0.5).
    assert Classroom(**lesson.settings).safety_in_use == 0.8
    plain = Classroom(rollout="company_wide")
    assert plain.safety_in_use == 0.5 and plain.budget_in_use == 0.0
    assert compose(rollout="company_wide").rollout.safety is None
    line = lesson.command.replace("org.headcount=500", "org.headcount=200")
    runs, timeseries = build(_orgsim_config(line)).run(seed=1, replications=2)
    models = Classroom.replicas(2, **lesson.settings, people=200)
    for r, model in enumerate(models):
        model.run(52)
        expected = timeseries[timeseries.replication == r].drop(columns="replication")
        np.testing.assert_array_equal(model.adoption["fraction"], expected["fraction"])
    final = runs["final_create"] if "final_create" in runs else None
    assert final is None or final.mean() > 0.05  # a safe space: more than a few create


def test_races_change_one_thing():
    for lesson in LESSONS.values():
        assert lesson.race and len(lesson.race) == 1
        assert one_difference(lesson.settings, {**lesson.settings, **lesson.race}), lesson.title
    # The old safe-space race changed the direction, champions, training and safety at once.
    assert one_difference({"rollout": "safe_space"}, {"rollout": "company_wide"}) is None
    corners = ({"rollout": "company_wide_hierarchical"}, {"rollout": "pilot_hierarchical"})
    assert one_difference(*corners) == "rollout (scope)"
    assert one_difference({"open": 0.1}, {"open": 0.9}) == "open"
    assert one_difference({"open": 0.1, "trust": 0.2}, {"open": 0.9, "trust": 0.5}) is None


def test_a_side_runs_several_replications_of_one_scenario():
    models = Classroom.replicas(3, people=200, rollout="company_wide")
    assert [m.replication for m in models] == [0, 1, 2]
    assert len({id(m.org) for m in models}) == 1
    for model in models:
        model.run(10)
    assert not np.array_equal(models[0].stage, models[1].stage)
    assert models[0].command.endswith("seed=1 replications=3")


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
        assert set(lesson.settings) <= params and set(lesson.race) <= params
        for rollout in (lesson.settings.get("rollout"), lesson.race.get("rollout")):
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


@pytest.mark.parametrize("name", ["${oc.env:SECRET_TOKEN}.csv", "a,b.csv", "it's.csv",
                                  "[x].csv", "a=b.csv"])  # fmt: skip
def test_an_uploaded_file_name_is_never_config(name, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setenv("SECRET_TOKEN", "hunter2-secret")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    good = Upload(name, (EXAMPLES_DIR / "acme_org.csv").read_bytes())
    model = Classroom(org_csv=good, rollout="company_wide")
    assert model.org.n > 20
    # The command shown for the teacher to rerun names that very file.
    assert _orgsim_config(model.command).org.path == name
    bad = Upload(name, b"employee_id,manager_id,unit\nE1,,Sales\nE1,E1,Sales\n")
    with pytest.raises(ConfigError, match="duplicate employee_id") as raised:
        Classroom(org_csv=bad)
    # The error names the file the user dropped, not the server's temporary path.
    message = str(raised.value)
    assert name in message and "hunter2" not in message
    assert "orgsim-upload-" not in message and str(tmp_path) not in message
    assert not list(tmp_path.glob("orgsim-upload-*"))  # deleted once loaded


def test_the_network_layout_is_computed_once_and_big_companies_are_drawn_by_unit():
    from sim.app.classroom import network_layout

    model = Classroom(people=200)
    x, y, ties = network_layout(model.org)
    assert x.shape == y.shape == (200,) and ties.shape[1] == 2
    assert network_layout(model.org)[2] is ties
    pytest.importorskip("solara")
    from sim.app import charts

    big = Classroom(people=3000, budget_per_person=0.5)
    chart = charts.chart(big, "big")
    assert "by unit" in chart.axes[0].get_title(loc="left")
    assert len(chart.axes[0].patches) == 4 * len(chart.axes[0].get_yticks())


def test_the_budget_slider_at_zero_is_no_budget_as_orgsim_says_it():
    from sim.app.classroom import overrides

    assert "rollout.budget_per_person=null" in overrides(budget_per_person=0)
    assert "rollout.budget_per_person=1.5" in overrides(budget_per_person=1.5)
    assert compose(rollout="company_wide_decentralized", budget_per_person=0).rollout.budget is None
