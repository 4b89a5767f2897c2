"""The classroom page (Solara): dials, lessons, the org chart, the curves and a race.

Every browser session gets its own models (Solara keeps reactive state per
session), so a class of students never shares a company. The org chart's
layout is computed once per company (:func:`sim.app.classroom.layout`); a
week redraws the colours only.
"""

from __future__ import annotations

import html
import threading
import time

import numpy as np
import solara
from matplotlib.figure import Figure

from sim.app.classroom import COMPANIES, ROLLOUTS, Classroom, layout, network_layout
from sim.app.lessons import LESSONS

#: Rung colours: no access / access, reading, contributing, creating.
RUNG_COLOURS = np.array([[0.82, 0.82, 0.82, 1.0], [0.55, 0.75, 0.95, 1.0],
                         [0.95, 0.65, 0.25, 1.0], [0.80, 0.15, 0.35, 1.0]])  # fmt: skip
RUNG_NAMES = ["not yet", "reading", "contributing", "creating"]
#: Beyond this many people the chart shows units, not people.
MAX_DRAWN = 2000

settings = solara.reactive({"people": 500, "rollout": "company_wide_hierarchical", "open": 0.5,
                            "trust": 0.5, "generative": 0.5, "courage": 0.5, "safety": 0.0,
                            "seed": 1, "org_csv": None, "champion_choice": None})  # fmt: skip
race_with = solara.reactive(None)
lesson_key = solara.reactive(None)
models = solara.reactive(None)  # (first, second or None)
week = solara.reactive(0)
error = solara.reactive(None)
playing = solara.reactive(False)
view = solara.reactive("org chart")  # or "informal network"


def _build():
    from sim.conf import ConfigError

    params = dict(settings.value)
    try:
        first = Classroom(**params)
        second = None
        race = race_with.value
        if race:
            second = Classroom(**{**params, **(race if isinstance(race, dict) else
                                               {"rollout": race})})  # fmt: skip
    except ConfigError as problem:
        error.set(str(problem))
        return
    error.set(None)
    models.set((first, second))
    week.set(0)


def _step(weeks=1):
    pair = models.value
    if pair is None:
        return
    for model in pair:
        if model is not None:
            for _ in range(weeks):
                model.step()
    week.set(week.value + weeks)


def _units_chart(model, title):
    """Beyond :data:`MAX_DRAWN` people: each unit's share on each rung, as stacked bars."""
    stage = np.clip(np.asarray(model.stage), 0, 3)
    unit = np.asarray(model.org.unit)
    names = list(model.org.unit_names)
    counts = np.zeros((len(names), 4))
    np.add.at(counts, (unit, stage), 1)
    shares = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    order = np.argsort(-counts.sum(axis=1))[:40]
    fig = Figure(figsize=(7.5, 0.6 + 0.18 * len(order)), dpi=90)
    fig.subplots_adjust(left=0.25, right=0.99, top=0.9, bottom=0.15)
    ax = fig.subplots()
    left = np.zeros(len(order))
    for rung in (3, 2, 1, 0):
        ax.barh(np.arange(len(order)), shares[order, rung], left=left, color=RUNG_COLOURS[rung])
        left += shares[order, rung]
    ax.set_yticks(np.arange(len(order)), [names[i] for i in order], fontsize="x-small")
    ax.invert_yaxis()
    ax.set(xlim=(0, 100), xlabel="% of the unit", title=f"{title} (by unit: more than "
                                                          f"{MAX_DRAWN:,} people)")  # fmt: skip
    return fig


def _network_chart(model, title):
    """The informal network: people placed by their ties (layout once per company)."""
    from matplotlib.collections import LineCollection

    x, y, ties = network_layout(model.org)
    fig = Figure(figsize=(7.5, 4.2), dpi=90)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.01)
    ax = fig.subplots()
    segments = np.stack([np.stack([x[ties[:, 0]], y[ties[:, 0]]], axis=1),
                         np.stack([x[ties[:, 1]], y[ties[:, 1]]], axis=1)], axis=1)  # fmt: skip
    ax.add_collection(LineCollection(segments, colors=(0.6, 0.6, 0.6, 0.15), linewidths=0.4))
    stage = np.clip(np.asarray(model.stage), 0, 3)
    ax.scatter(x, y, c=RUNG_COLOURS[stage], s=12 if model.org.n <= 500 else 4, linewidths=0)
    ax.set(title=f"{title} (informal network)", xticks=[], yticks=[])
    ax.set_axis_off()
    return fig


def _chart(model, title):
    if model.org.n > MAX_DRAWN:
        return _units_chart(model, title)
    if view.value == "informal network":
        return _network_chart(model, title)
    x, y = layout(model.org)
    # Fixed margins, not a layout engine: a week's redraw must stay cheap.
    fig = Figure(figsize=(7.5, 3.4), dpi=90)
    fig.subplots_adjust(left=0.08, right=0.99, top=0.9, bottom=0.04)
    ax = fig.subplots()
    stage = np.asarray(model.stage)
    colours = RUNG_COLOURS[np.clip(stage, 0, 3)]
    size = 14 if model.org.n <= 500 else 5
    ax.scatter(x, -y, c=colours, s=size, linewidths=0, gid="people")
    for marked, style in ((model.champions, "*"), (model.leaders, "^")):
        if len(marked):
            ax.scatter(x[marked], -y[marked], facecolors="none", edgecolors="black", s=size * 3,
                       marker=style, linewidths=0.6)  # fmt: skip
    if model.pilot_units:
        pilot = np.isin(model.org.unit, model.pilot_units)
        ax.scatter(x[pilot], -y[pilot] - 0.35, c="tab:green", s=2, marker="s", linewidths=0)
    ax.set(title=title, xticks=[], ylabel="level (top = 0)")
    levels = np.unique(np.asarray(model.org.level))
    ax.set_yticks(-levels, [str(int(v)) for v in levels])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return fig


def _shares(model):
    """``{behavior: (weeks, % of the company)}`` from the model's adoption table."""
    table = model.adoption
    names = table["behavior"].to_numpy()
    steps, fraction = table["step"].to_numpy(), table["fraction"].to_numpy()
    return {b: (steps[names == b], 100 * fraction[names == b]) for b in dict.fromkeys(names)}


def _curves(pair):
    fig = Figure(figsize=(7.5, 2.8), dpi=90)
    fig.subplots_adjust(left=0.08, right=0.99, top=0.88, bottom=0.17, wspace=0.3)
    axes = fig.subplots(1, 2 if pair[1] is not None else 1, squeeze=False)[0]
    shares = [_shares(model) if model is not None else None for model in pair]
    for model, share, style in zip(pair, shares, ("-", "--"), strict=True):
        if model is None:
            continue
        for k, (behavior, (weeks, percent)) in enumerate(share.items()):
            axes[0].plot(weeks, percent, style, color=RUNG_COLOURS[k + 1],
                         label=f"{behavior} ({model.rollout_name})")  # fmt: skip
    axes[0].set(xlabel="week", ylabel="% of the company", ylim=(0, 100), title="adoption")
    axes[0].legend(fontsize="x-small", loc="upper left")
    if pair[1] is not None:
        for k, behavior in enumerate(shares[0]):
            weeks, first = shares[0][behavior]
            axes[1].plot(weeks, first - shares[1][behavior][1], color=RUNG_COLOURS[k + 1],
                         label=behavior)  # fmt: skip
        axes[1].axhline(0, color="0.4", linewidth=0.8)
        axes[1].set(xlabel="week", ylabel="percentage points",
                    title=f"{pair[0].rollout_name} minus {pair[1].rollout_name}")  # fmt: skip
        axes[1].legend(fontsize="x-small", loc="upper left")
    return fig


@solara.component
def LessonCard():
    key = lesson_key.value
    if key is None:
        solara.Text("Pick a lesson on the left, or set the dials yourself and press Set up.")
        return
    lesson = LESSONS[key]
    # Plain HTML, not solara.Markdown: Markdown loads mermaid, which a classroom's
    # offline asset cache need not carry.
    parts = [("What it is.", lesson.what), ("Predict before you press play:", lesson.predict),
             ("Notice.", lesson.notice), ("Try next.", lesson.next)]  # fmt: skip
    body = "".join(f"<p><b>{html.escape(head)}</b> {html.escape(text)}</p>" for head, text in parts)
    with solara.Card(lesson.title, classes=["orgsim-lesson"]):
        solara.HTML(tag="div", unsafe_innerHTML=body)


def _load_lesson(key):
    lesson = LESSONS[key]
    lesson_key.set(key)
    settings.set({**settings.value, "champion_choice": None, **lesson.settings})
    race_with.set(lesson.race)
    _build()


def _upload(file):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="orgsim-upload-"))
    path = folder / (Path(file["name"]).name or "org.csv")
    path.write_bytes(file["data"])
    settings.set({**settings.value, "org_csv": str(path)})
    _build()


@solara.component
def Controls():
    values = settings.value

    def set_value(name):
        return lambda value: settings.set({**settings.value, name: value})

    solara.Select("Lesson", values=list(LESSONS), value=lesson_key.value,
                  on_value=_load_lesson)  # fmt: skip
    solara.Select("Company", values=list(COMPANIES),
                  value=next((k for k, v in COMPANIES.items() if v == values["people"]), None),
                  on_value=lambda k: settings.set({**settings.value, "people": COMPANIES[k],
                                                   "org_csv": None}))  # fmt: skip
    solara.FileDrop(label="...or drop an org chart CSV (employee_id, manager_id, unit)",
                    on_file=_upload, lazy=False)  # fmt: skip
    solara.Select("Rollout", values=ROLLOUTS, value=values["rollout"],
                  on_value=set_value("rollout"))  # fmt: skip
    for dial in ("open", "trust", "generative", "courage", "safety"):
        solara.SliderFloat(dial, value=values[dial], min=0.0, max=1.0, step=0.05,
                           on_value=set_value(dial))  # fmt: skip
    race = race_with.value
    shown = "(the lesson's)" if isinstance(race, dict) else race or "(none)"
    solara.Select("Race against", values=["(none)", "(the lesson's)", *ROLLOUTS], value=shown,
                  on_value=lambda v: race_with.set(
                      race if v == "(the lesson's)" else None if v == "(none)" else v))  # fmt: skip
    solara.Button("Set up", on_click=_build, color="primary")


def _play_loop():
    while playing.value and week.value < 104:
        _step()
        time.sleep(0.25)


@solara.component
def Charts():
    """What a week changes: only this part of the page is drawn again each week."""
    pair = models.value
    solara.Text(f"week {week.value}", classes=["orgsim-week"])
    if pair is None:
        return
    legend = " · ".join(RUNG_NAMES)
    solara.Text(f"colours: {legend}; * champions, ^ leaders, green marks: pilot units")
    for model in pair:
        if model is None:
            continue
        adopters = int((np.asarray(model.stage) > 0).sum())
        title = f"{model.rollout_name}: {adopters} of {model.org.n} people on the ladder"
        if model.org.n > MAX_DRAWN:
            solara.Text(f"{model.org.n:,} people: drawn by unit (each bar a unit's people by "
                        f"rung), not person by person, to keep each week quick.")  # fmt: skip
        solara.FigureMatplotlib(_chart(model, title), format="png",
                                dependencies=[week.value, id(model), view.value])  # fmt: skip
        solara.Text(title, classes=["orgsim-adopters"])
    solara.FigureMatplotlib(_curves(pair), format="png", dependencies=[week.value, id(pair)])


@solara.component
def Page():
    if models.value is None and error.value is None:
        _build()
    solara.Title("orgsim classroom")
    with solara.Sidebar():
        Controls()
    with solara.AppBar():
        solara.AppBarTitle("orgsim: how change spreads through an organization")
    if error.value:
        with solara.Card("This company cannot run"):
            solara.Text(error.value, classes=["orgsim-error"], style={"color": "#b00020"})
    LessonCard()
    with solara.Row():
        solara.Button("Step 1 week", on_click=lambda: _step(1))
        solara.Button("Step 4 weeks", on_click=lambda: _step(4))

        def toggle():
            playing.set(not playing.value)
            if playing.value:
                threading.Thread(target=_play_loop, daemon=True).start()

        solara.Button("Pause" if playing.value else "Play", on_click=toggle)
        solara.ToggleButtonsSingle(value=view, values=["org chart", "informal network"])
    Charts()


@solara.component
def Explorer():
    from sim.app.explore import Explore

    Explore()


#: The pages: the classroom, and the same model in Mesa's SolaraViz.
routes = [
    solara.Route(path="/", component=Page, label="Classroom"),  # shown as "home"
    solara.Route(path="explore", component=Explorer, label="Explore"),
]
