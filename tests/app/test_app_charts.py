"""The classroom's pictures, read back from their artists (no browser)."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from sim.app import charts
from sim.app.classroom import COMPANIES, Classroom


def _artists(fig, gid):
    ax = fig.axes[0]
    return [a for a in (*ax.collections, *ax.patches) if a.get_gid() == gid]


@pytest.mark.parametrize("people", sorted(COMPANIES.values()))
@pytest.mark.parametrize("view", ["org chart", "informal network"])
def test_people_are_large_enough_to_see_or_drawn_by_team(people, view):
    model = Classroom(people=people, budget_per_person=1.0)
    model.run(3)
    fig = charts.chart(model, "t", view, width_px=700, height_px=290)
    people_dots, teams = _artists(fig, "people"), _artists(fig, "teams")
    assert bool(people_dots) != bool(teams)
    if people_dots:
        sizes = people_dots[0].get_sizes()
        diameter_px = np.sqrt(sizes) * charts.DPI / 72
        assert diameter_px.min() >= charts.MIN_PX
        assert people_dots[0].get_offsets().shape[0] == people
    else:  # every person counted once, in their team's block
        assert "team" in fig.axes[0].get_title(loc="left")
        if view == "org chart":
            heights = np.array([p.get_height() for p in teams])  # 4 rungs a team, 0.8 tall
            assert heights.sum() == pytest.approx(0.8 * len(teams) / 4)
    assert fig.get_size_inches()[0] * charts.DPI == 700


def test_the_curves_say_reading_contributing_creating_up_to_this_week():
    models = Classroom.replicas(3, people=200, rollout="company_wide")
    for model in models:
        model.run(7)
    fig = charts.curves([models], ["company_wide"])
    said = charts.drawn(fig)
    assert said.startswith("curves to week 7: ")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "reading", "contributing", "creating"]  # fmt: skip
    assert "consume" not in said and "mean of 3 runs" in fig.axes[0].get_title(loc="left")
    assert len(fig.axes[0].collections) == 3  # a band per rung: the replications' range


def test_a_race_draws_both_sides_and_their_paired_difference():
    first = Classroom.replicas(2, people=200, rollout="company_wide", trust=0.8)
    second = Classroom.replicas(2, people=200, rollout="company_wide", trust=0.2)
    for model in first + second:
        model.run(10)
    fig = charts.curves([first, second], ["trust 0.8", "trust 0.2"])
    assert len(fig.axes) == 2
    lines = fig.axes[1].get_lines()
    reading = next(line for line in lines if line.get_label() == "reading")
    by_hand = np.mean([100 * (a.adoption.query("behavior == 'consume'")["fraction"].to_numpy()
                              - b.adoption.query("behavior == 'consume'")["fraction"].to_numpy())
                       for a, b in zip(first, second, strict=True)], axis=0)  # fmt: skip
    np.testing.assert_allclose(reading.get_ydata(), by_hand)
    assert "trust 0.8 minus trust 0.2" in fig.axes[1].get_title(loc="left")
