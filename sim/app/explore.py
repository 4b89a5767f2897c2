"""The explorer: the classroom's model in Mesa's own SolaraViz.

SolaraViz maps its sliders and selects onto :class:`~sim.app.classroom.Classroom`'s
keyword parameters (``model_params``) and steps the model with its own
controller; the org chart and the curves are components that read Mesa's
``update_counter``, so they redraw after each step.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.app.classroom import ROLLOUTS, Classroom

__all__ = ["MODEL_PARAMS", "Explore"]

#: SolaraViz's controls: one per keyword of Classroom (the rest keep their defaults: the
#: rollout preset's own safety policy and budget, as ``orgsim`` runs it).
MODEL_PARAMS = {
    "people": {"type": "Select", "value": 500, "values": [50, 200, 500, 1000, 2000],
               "label": "people"},
    "rollout": {"type": "Select", "value": "company_wide_hierarchical", "values": ROLLOUTS,
                "label": "rollout"},
    **{dial: {"type": "SliderFloat", "value": 0.5, "min": 0.0, "max": 1.0, "step": 0.05,
              "label": dial} for dial in ("open", "trust", "generative", "courage")},
    "seed": {"type": "SliderInt", "value": 1, "min": 1, "max": 100, "step": 1, "label": "seed"},
}  # fmt: skip


@solara.component
def OrgChart(model):
    from sim.app.charts import chart

    update_counter.get()
    adopters = int((model.stage > 0).sum())
    title = f"{model.rollout_name}: {adopters} of {model.org.n} people on the ladder"
    solara.FigureMatplotlib(chart(model, title), format="png",
                            dependencies=[update_counter.value, id(model)])  # fmt: skip


@solara.component
def Curves(model):
    from sim.app.charts import curves

    update_counter.get()
    solara.FigureMatplotlib(curves([[model]], [model.rollout_name]), format="png",
                            dependencies=[update_counter.value, id(model)])  # fmt: skip


@solara.component
def Explore():
    model = solara.use_memo(lambda: Classroom(), [])
    SolaraViz(model, components=[(OrgChart, 0), (Curves, 0)], model_params=MODEL_PARAMS,
              name="orgsim explorer (Mesa SolaraViz)")  # fmt: skip
