"""The example pilot ships in the package, reads without a fault against the company it was
made on, and is what its script writes."""

import json
from importlib import resources

import numpy as np

from sim.calibrate.pilot import read_pilot
from sim.conf import compose_scenario


def test_the_example_pilot_is_the_scripts_output_and_reads_cleanly(tmp_path):
    import importlib.util

    examples = resources.files("sim").joinpath("examples")
    spec = importlib.util.spec_from_file_location("make_pilot", examples / "make_pilot.py")
    make_pilot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pilot)
    assert make_pilot.main(["--out", str(tmp_path)]) == 0
    shipped = examples.joinpath("pilot_analytics.csv").read_text()
    assert (tmp_path / "pilot_analytics.csv").read_text() == shipped
    truth = json.loads(examples.joinpath("pilot_truth.json").read_text())
    assert json.loads((tmp_path / "pilot_truth.json").read_text()) == truth
    org = compose_scenario(truth["overrides"]).org
    headcount = {u: int(np.count_nonzero(org.unit == i)) for i, u in enumerate(org.unit_names)}
    pilot = read_pilot(examples / "pilot_analytics.csv", headcount)
    assert pilot.weeks.tolist() == list(range(1, 13))
    assert pilot.observed_units() == ["Sales", "Support"]
