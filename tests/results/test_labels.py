"""A context's title says what its culture means: the dials beside the culture's name."""

import numpy as np
import pandas as pd

from sim.results.labels import CULTURE_DIALS, culture_dials


def runs_of(culture, **dials):
    values = {"open": 0.2, "trust": 0.3, "generative": 0.2, "courage": 0.3, **dials}
    return pd.DataFrame({"culture": [culture] * 3,
                         **{f"culture.{d}": [v] * 3 for d, v in values.items()}})  # fmt: skip


def test_a_culture_is_named_with_its_dials_in_order():
    assert culture_dials(runs_of("traditional"), {"culture": "traditional"}) == (
        "open 0.2, trust 0.3, generative 0.2, courage 0.3"
    )
    assert CULTURE_DIALS == ("open", "trust", "generative", "courage")


def test_nothing_is_said_without_a_culture_axis_or_runs():
    assert culture_dials(runs_of("traditional"), {"org.headcount": 500}) == ""
    assert culture_dials(runs_of("traditional").iloc[:0], {"culture": "traditional"}) == ""


def test_a_dial_that_is_an_axis_or_differs_among_the_runs_is_left_to_the_label():
    runs = runs_of("default")
    runs["culture.trust"] = [0.3, 0.5, 0.8]
    said = culture_dials(runs, {"culture": "default"})
    assert said == "open 0.2, generative 0.2, courage 0.3"
    swept = culture_dials(runs_of("default", open=0.8), {"culture": "default", "culture.open": 0.8})
    assert "open" not in swept and "trust 0.3" in swept


def test_a_dial_missing_from_old_runs_is_skipped():
    runs = runs_of("default").drop(columns=["culture.courage"])
    runs.loc[0, "culture.open"] = np.nan  # an unset value in one row is not a disagreement
    assert culture_dials(runs, {"culture": "default"}) == "open 0.2, trust 0.3, generative 0.2"
