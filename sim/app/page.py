"""The classroom page (Solara): lessons and dials on the left, the company and its curves
on the right, sized so that both fit a projector's 1024×768 without scrolling.

Every browser session gets its own models (Solara keeps reactive state per session),
so a class of students never shares a company. A side of a race is several
replications of one scenario (:data:`sim.app.lessons.REPLICATIONS`): the chart shows
the first, the curves their mean and range. The week shown, the chart and the curves
are drawn in one pass from the same models, under the session's lock.
"""

from __future__ import annotations

import html
import os
import threading
import time

import numpy as np
import solara

from sim.app import charts
from sim.app.classroom import COMPANIES, DIALS, ROLLOUTS, Classroom, Upload, race_rollouts
from sim.app.lessons import LESSONS, REPLICATIONS

#: Weeks a second while playing.
SPEEDS = {"slow": 1.0, "normal": 3.0, "fast": 8.0}
#: Who the champions are (Rollout.champion_choice); None: the preset's.
CHAMPIONS = ["random", "degree", "betweenness", "bridging", "team"]
#: What a race may change: one setting.
RACE_KINDS = ["nothing", "rollout", *DIALS, "safety", "champions"]
_PRESET = "(the preset's)"

settings = solara.reactive({"people": 500, "rollout": "company_wide_hierarchical", "open": 0.5,
                            "trust": 0.5, "generative": 0.5, "courage": 0.5, "safety": None,
                            "budget_per_person": None, "seed": 1, "org_csv": None,
                            "champion_choice": None, "replications": REPLICATIONS})  # fmt: skip
race = solara.reactive(None)  # None, or {setting: value}: the one thing the second side changes
lesson_key = solara.reactive(None)
sides = solara.reactive(None)  # [models of the first side, (models of the second)]
tick = solara.reactive(0)  # bumped after each step: what is drawn follows the models
error = solara.reactive(None)
playing = solara.reactive(False)
speed = solara.reactive("normal")
view = solara.reactive("org chart")  # or "informal network"
reveal = solara.reactive(False)
_locks = solara.reactive(None)


def _lock():
    if _locks.value is None:
        _locks.set(threading.RLock())
    return _locks.value


def max_upload_bytes():
    """The largest org chart a page accepts (``orgsim app --max-upload-mb``, default 20)."""
    return int(float(os.environ.get("ORGSIM_MAX_UPLOAD_MB", "20")) * 1024 * 1024)


def _build():
    from sim.schema import ConfigError

    params = dict(settings.value)
    count = params.pop("replications")
    try:
        built = [Classroom.replicas(count, **params)]
        if race.value:
            built.append(Classroom.replicas(count, **{**params, **race.value}))
    except ConfigError as problem:
        error.set(str(problem))
        return False
    playing.set(False)
    error.set(None)
    reveal.set(False)
    with _lock():
        sides.set(built)
    tick.set(tick.value + 1)
    return True


def _week():
    return int(sides.value[0][0].steps) if sides.value else 0


def _end():
    return int(sides.value[0][0].steps_planned) if sides.value else 52


def _step(weeks=1):
    if not sides.value:
        return
    with _lock():
        weeks = min(weeks, _end() - _week())
        for models in sides.value:
            for model in models:
                for _ in range(weeks):
                    model.step()
    tick.set(tick.value + 1)


def _play_loop():
    while playing.value and _week() < _end():
        started = time.perf_counter()
        _step()
        time.sleep(max(0.0, 1.0 / SPEEDS[speed.value] - (time.perf_counter() - started)))
    playing.set(False)  # stops at the end of the run (52 weeks), not past it


def _load_lesson(key):
    lesson = LESSONS[key]
    lesson_key.set(key)
    settings.set({**settings.value, "safety": None, "budget_per_person": None,
                  "champion_choice": None, "open": 0.5, "trust": 0.5, "generative": 0.5,
                  "courage": 0.5, **lesson.settings})  # fmt: skip
    race.set(dict(lesson.race) if lesson.race else None)
    _build()


def _upload(file):
    name = str(file.get("name") or "org.csv")
    size = int(file.get("size") or 0)
    cap = max_upload_bytes()
    if size > cap:
        error.set(f"{name}: {size / 2**20:.1f} MB is more than the {cap / 2**20:g} MB an org "
                  "chart may be here (orgsim app --max-upload-mb)")  # fmt: skip
        return
    data = file["file_obj"].read(cap + 1)
    if len(data) > cap:
        error.set(f"{name}: more than the {cap / 2**20:g} MB an org chart may be here "
                  "(orgsim app --max-upload-mb)")  # fmt: skip
        return
    before = settings.value
    settings.set({**before, "org_csv": Upload(name, data)})
    if not _build():  # the company shown stays the one named
        settings.set(before)


def _sides_names():
    one = race.value
    if not one:
        return [settings.value["rollout"]]
    ((key, value),) = one.items()
    first = settings.value.get(key)
    if first is None and sides.value:  # the preset's own, as the model uses it
        first = getattr(sides.value[0][0], f"{key}_in_use", None)
    return [f"{key} {_shown(first)}", f"{key} {_shown(value)}"]


def _shown(value):
    if value is None:
        return "preset's"
    return f"{value:g}" if isinstance(value, float) else str(value)


@solara.component
def LessonCard():
    tick.get()  # its answer shows at the end of the year
    key = lesson_key.value
    if key is None:
        solara.Text("Pick a lesson, or set the dials and press Set up.")
        return
    lesson = LESSONS[key]
    # Plain HTML, not solara.Markdown: Markdown loads mermaid, which a classroom's
    # offline asset cache need not carry.
    parts = [("What it is.", lesson.what), ("Predict before you press play:", lesson.predict)]
    shown = reveal.value or _week() >= _end()
    if shown:  # the answer, once the class has predicted and watched
        parts.append(("Notice.", lesson.notice))
    parts.append(("Try next.", lesson.next))
    body = "".join(f"<p><b>{html.escape(head)}</b> {html.escape(text)}</p>" for head, text in parts)
    with solara.Card(lesson.title, classes=["orgsim-lesson"], margin=0):
        solara.HTML(tag="div", unsafe_innerHTML=body)
        if not shown:
            solara.Button("Show what to notice", on_click=lambda: reveal.set(True), text=True,
                          small=True)  # fmt: skip


def _slider(label, value, on_value, high=1.0, step=0.05):
    """A slider whose label says its value (a projected page shows it without dragging)."""
    solara.SliderFloat(label, value=value, min=0.0, max=high, step=step,
                       on_value=lambda v: on_value(round(v, 2)))  # fmt: skip


def _set(name, value):
    settings.set({**settings.value, name: value})


@solara.component
def RaceControls():
    one = race.value
    kind = "nothing" if not one else next(iter(one))
    kind = "champions" if kind == "champion_choice" else kind
    values = settings.value

    def choose(new):
        if new == "nothing":
            race.set(None)
        elif new == "rollout":
            options = race_rollouts(values["rollout"])
            race.set({"rollout": options[0]} if options else None)
        elif new == "champions":
            race.set({"champion_choice": "random" if values["champion_choice"] != "random"
                      else "bridging"})  # fmt: skip
        elif new == "safety":
            race.set({"safety": 0.0})
        else:
            race.set({new: round(1.0 - float(values[new]), 2) if values[new] != 0.5 else 0.9})

    solara.Select("Race: the second side changes", values=RACE_KINDS, value=kind,
                  on_value=choose)  # fmt: skip
    if kind == "rollout":
        options = race_rollouts(values["rollout"])
        solara.Select("...to the rollout (one step on the 2x2)", values=options,
                      value=one["rollout"] if one["rollout"] in options else None,
                      on_value=lambda v: race.set({"rollout": v}))  # fmt: skip
    elif kind == "champions":
        solara.Select("...to champions chosen by", values=CHAMPIONS,
                      value=one["champion_choice"],
                      on_value=lambda v: race.set({"champion_choice": v}))  # fmt: skip
    elif kind != "nothing":
        _slider(f"...to {kind}: {one[kind]:.2f}", one[kind], lambda v: race.set({kind: v}))


@solara.component
def Controls():
    values = settings.value
    first = sides.value[0][0] if sides.value else None
    solara.Select("Lesson", values=list(LESSONS), value=lesson_key.value,
                  on_value=_load_lesson)  # fmt: skip
    LessonCard()
    csv = values["org_csv"]
    companies = list(COMPANIES) + ([f"your file: {csv.name}"] if csv else [])
    current = (f"your file: {csv.name}" if csv else
               next((k for k, v in COMPANIES.items() if v == values["people"]), None))  # fmt: skip
    solara.Select("Company", values=companies, value=current,
                  on_value=lambda k: k in COMPANIES and settings.set(
                      {**settings.value, "people": COMPANIES[k], "org_csv": None}))  # fmt: skip
    solara.FileDrop(label=f"...or drop an org chart CSV (employee_id, manager_id, unit; at most "
                    f"{max_upload_bytes() / 2**20:g} MB)", on_file=_upload, lazy=True)  # fmt: skip
    solara.Select("Rollout", values=ROLLOUTS, value=values["rollout"],
                  on_value=lambda v: _set("rollout", v))  # fmt: skip
    for dial in DIALS:
        _slider(f"{dial}: {values[dial]:.2f}", values[dial], lambda v, d=dial: _set(d, v))
    safety = values["safety"] if values["safety"] is not None else (
        first.safety_in_use if first else 0.5)  # fmt: skip
    own = " (preset)" if values["safety"] is None else ""
    _slider(f"safety: {safety:.2f}{own}", safety, lambda v: _set("safety", v))
    budget = values["budget_per_person"]
    budget = budget if budget is not None else (first.budget_in_use if first else 0.0)
    own = " (preset)" if values["budget_per_person"] is None else ""
    shown = f"{budget:g}" if budget else "none"
    _slider(f"budget: {shown}{own}", budget, lambda v: _set("budget_per_person", v), high=3.0,
            step=0.25)  # fmt: skip
    solara.Select("Champions chosen by", values=[_PRESET, *CHAMPIONS],
                  value=values["champion_choice"] or _PRESET,
                  on_value=lambda v: _set("champion_choice",
                                          None if v == _PRESET else v))  # fmt: skip
    solara.SliderInt(f"seed: {values['seed']}", value=values["seed"], min=1, max=100,
                     on_value=lambda v: _set("seed", v))  # fmt: skip
    solara.SliderInt(f"runs per side: {values['replications']}", value=values["replications"],
                     min=1, max=10, on_value=lambda v: _set("replications", v))  # fmt: skip
    RaceControls()
    solara.Button("Set up", on_click=_build, color="primary", block=True)
    if sides.value:
        lines = [models[0].command for models in sides.value]
        solara.HTML(tag="div", classes=["orgsim-command"], unsafe_innerHTML=(
            "<b>Rerun with orgsim:</b>" + "".join(f"<code>{html.escape(line)}</code>"
                                                  for line in lines)))  # fmt: skip


def _legend():
    swatches = "".join(
        f'<span class="orgsim-key"><span class="orgsim-swatch" style="background:'
        f'rgb({r * 255:.0f},{g * 255:.0f},{b * 255:.0f})"></span>{name}</span>'
        for (r, g, b, _), name in zip(charts.RUNG_COLOURS, charts.RUNG_NAMES, strict=True)
    )
    marks = "<span class='orgsim-key'>★ champion · ▲ leader · green: pilot units</span>"
    return f'<div class="orgsim-legend">{swatches}{marks}</div>'


@solara.component
def Charts():
    """What a week changes: the week, the company and the curves, drawn together."""
    tick.get()
    pair = sides.value
    if not pair:
        return
    race_on = len(pair) == 2
    with _lock():
        week = _week()
        names = _sides_names()
        pictures, status = [], []
        for models, name in zip(pair, names, strict=True):
            model = models[0]
            adopters = int((np.asarray(model.stage) > 0).sum())
            status.append(f"{name}: {adopters} of {model.org.n} on the ladder")
            title = f"{name} · run 1 of {len(models)}"
            fig = charts.chart(model, title, view.value, width_px=345 if race_on else 700,
                               height_px=250 if race_on else 290)  # fmt: skip
            pictures.append(charts.png(fig, "orgsim-chart", title))
        curves = charts.curves(pair, names, steps=_end(), height_px=220)
        curves_html = charts.png(curves, "orgsim-curves", charts.drawn(curves))
    with solara.Row(classes=["orgsim-status"], gap="12px"):
        solara.Text(f"week {week} of {_end()}", classes=["orgsim-week"])
        for line in status:
            solara.Text(line, classes=["orgsim-adopters"])
    solara.HTML(tag="div", unsafe_innerHTML=_legend())
    with solara.Row(gap="6px", style={"flex-wrap": "nowrap"}):
        for picture in pictures:
            solara.HTML(tag="div", unsafe_innerHTML=picture, style={"flex": "1", "min-width": "0"})
    solara.HTML(tag="div", unsafe_innerHTML=curves_html)


@solara.component
def Buttons():
    """Step, play and how fast, and the view (a component of its own: it follows the week)."""
    tick.get()
    with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
        done = _week() >= _end()
        solara.Button("Step 1 week", on_click=lambda: _step(1), disabled=done, small=True)
        solara.Button("Step 4 weeks", on_click=lambda: _step(4), disabled=done, small=True)

        def toggle():
            playing.set(not playing.value)
            if playing.value:
                threading.Thread(target=_play_loop, daemon=True).start()

        solara.Button("Pause" if playing.value else "Play", on_click=toggle,
                      disabled=done and not playing.value, color="primary",
                      small=True)  # fmt: skip
        solara.Select(f"speed: {SPEEDS[speed.value]:g} weeks/s", values=list(SPEEDS),
                      value=speed, style={"max-width": "150px"}, dense=True)  # fmt: skip
        solara.ToggleButtonsSingle(value=view, values=["org chart", "informal network"], dense=True)


@solara.component
def Page():
    if sides.value is None and error.value is None:
        _build()
    solara.Title("orgsim classroom")
    with solara.Row(classes=["orgsim-page"], gap="0px"):
        with solara.Column(classes=["orgsim-controls"], gap="4px"):
            Controls()
        with solara.Column(classes=["orgsim-main"], gap="4px"):
            Buttons()
            if error.value:
                solara.Text(error.value, classes=["orgsim-error"])
            Charts()


@solara.component
def Explorer():
    from sim.app.explore import Explore

    # SolaraViz puts its controls in a sidebar: it needs Solara's own app layout.
    with solara.AppLayout(navigation=False):
        Explore()


@solara.component
def HowItWorks():
    from sim.app.info import INFO

    solara.HTML(tag="div", classes=["orgsim-info"], unsafe_innerHTML=INFO)


HEADER = {"height": "40px", "min-height": "40px", "align-items": "center", "padding": "0 12px",
          "background": "#1565c0", "color": "white"}  # fmt: skip
CSS = """
.v-application--wrap { min-height: 0 !important; }
.orgsim-header { height: 40px; align-items: center; padding: 0 12px; background: #1565c0;
  color: white; }
.orgsim-header .v-btn { color: white !important; }
.orgsim-header a { text-decoration: none; }
.orgsim-page { height: calc(100vh - 40px); flex-wrap: nowrap !important; }
.orgsim-controls { width: 300px; min-width: 300px; height: 100%; overflow-y: auto;
  padding: 6px 10px; border-right: 1px solid #ddd; }
.orgsim-controls .v-input { margin-top: 2px !important; }
.orgsim-controls .v-input__slot { margin-bottom: 0 !important; }
.orgsim-controls .v-messages { display: none; }
.orgsim-lesson p { margin: 0 0 4px 0; font-size: 14px; }
.orgsim-lesson .v-card__title { word-break: normal; font-size: 18px; line-height: 1.3; }
.orgsim-main { flex: 1; min-width: 0; padding: 4px 8px; overflow: hidden; }
.orgsim-week { font-size: 20px; font-weight: bold; }
.orgsim-status { align-items: baseline; }
.orgsim-adopters { font-size: 14px; }
.orgsim-error { color: #b00020; font-weight: bold; }
.orgsim-legend { font-size: 14px; }
.orgsim-key { margin-right: 12px; white-space: nowrap; }
.orgsim-swatch { display: inline-block; width: 14px; height: 14px; margin-right: 4px;
  vertical-align: -2px; border-radius: 3px; }
.orgsim-command code { display: block; font-size: 11px; word-break: break-all;
  margin-top: 2px; }
.orgsim-info { max-width: 820px; padding: 8px 20px; height: calc(100vh - 40px);
  overflow-y: auto; font-size: 16px; }
"""


@solara.component
def Layout(children=[]):  # noqa: B006 (Solara's signature)
    """A 40-pixel header instead of Solara's app bar: the page keeps the height."""
    route, routes = solara.use_route()
    solara.Style(CSS)
    with solara.Column(gap="0px", style={"height": "100vh"}):
        with solara.Row(gap="8px", style=HEADER):
            solara.Text("orgsim classroom", style={"font-size": "18px", "font-weight": "bold",
                                                   "margin-right": "16px"})  # fmt: skip
            for each in routes:
                with solara.Link(solara.resolve_path(each)):
                    solara.Button(each.label, text=True, small=True, outlined=each is route,
                                  style={"color": "white"})  # fmt: skip
        solara.Column(children=children, gap="0px")


#: The pages: the classroom, how it works (NetLogo's Info tab), and Mesa's SolaraViz.
routes = [
    solara.Route(path="/", component=Page, label="Classroom", layout=Layout),
    solara.Route(path="how-it-works", component=HowItWorks, label="How it works"),
    solara.Route(path="explore", component=Explorer, label="Explore"),
]
