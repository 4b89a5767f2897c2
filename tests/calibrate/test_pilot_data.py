"""A pilot's analytics file: what it reads, and every fault as one line naming the row and the
column, exit 2, nothing written (through ``orgsim calibrate`` as a user runs it)."""

import numpy as np
import pytest

from sim.calibrate.pilot import PilotDataError, read_pilot

HEADCOUNT = {"Sales": 40, "Support": 30, "Finance": 20}
GOOD = """week,unit,readers,contributors,creators,extra
1,Sales,4,1,0,x
1,Support,3,0,0,y
2,Sales,6,2,1,z
2,support ,5,1,0,w
"""


def write(tmp_path, text, name="pilot.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_file_is_read_into_weeks_units_and_rungs(tmp_path):
    pilot = read_pilot(write(tmp_path, GOOD), HEADCOUNT)
    assert pilot.weeks.tolist() == [1, 2]
    assert pilot.units == ("Sales", "Support", "Finance")
    assert pilot.counts.shape == (2, 3, 3)
    assert pilot.counts[1, 1].tolist() == [5, 1, 0]  # "support " matched by name
    assert np.isnan(pilot.counts[:, 2]).all()  # Finance: unobserved, not zero
    assert pilot.observed_units() == ["Sales", "Support"]
    assert pilot.headcount.tolist() == [40, 30, 20]


def test_dates_become_weeks_from_the_first(tmp_path):
    text = ("Week,Unit,Readers,Contributors,Creators\n2026-01-05,Sales,1,0,0\n"
            "2026-01-12,Sales,2,0,0\n2026-01-26,Sales,3,1,0\n")  # fmt: skip
    pilot = read_pilot(write(tmp_path, text), HEADCOUNT)
    assert pilot.weeks.tolist() == [1, 2, 4]
    assert pilot.dates == ("2026-01-05", "2026-01-12", "2026-01-26")


FAULTS = [
    ("1,Salse,4,1,0", "row 2, column unit: 'Salse' is not a unit of the org chart"),
    ("1,Sales,41,1,0", "row 2, column readers: 41 readers, more than the 40 people of Sales"),
    ("1,Sales,-1,0,0", "row 2, column readers: -1 is negative"),
    ("1,Sales,,0,0", "row 2, column readers: missing count"),
    ("1,Sales,2.5,0,0", "row 2, column readers: '2.5' is not a whole number"),
    ("1,Sales,many,0,0", "row 2, column readers: 'many' is not a count of people"),
    ("1,Sales,4,5,0", "row 2, column contributors: 5 contributors but 4 readers"),
    ("1,Sales,4,1,2", "row 2, column creators: 2 creators but 1 contributors"),
    ("0,Sales,4,1,0", "row 2, column week: week 0: weeks count from 1"),
    ("2,Sales,4,1,0\n1,Sales,4,1,0", "row 3, column week: week 1 of Sales after week 2 (row 2)"),
    ("2,Sales,4,1,0\n2,Sales,4,1,0", "row 3, column week: week 2 of Sales again (row 2)"),
    ("2026-01-05,Sales,4,1,0\n3,Sales,4,1,0", "row 3, column week: '3' among dates"),
    ("2026-13-45,Sales,4,1,0", "row 2, column week: '2026-13-45' is neither a week number"),
    ("1,,4,1,0", "row 2, column unit: missing unit of the org chart"),
]


@pytest.mark.parametrize(("row", "said"), FAULTS)
def test_each_fault_is_one_line_naming_row_and_column(tmp_path, row, said):
    path = write(tmp_path, "week,unit,readers,contributors,creators\n" + row + "\n")
    with pytest.raises(PilotDataError) as caught:
        read_pilot(path, HEADCOUNT)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    assert said in message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "is empty"),
        ("week,unit,readers,contributors\n1,Sales,1,0\n", "row 1, column creators: no such column"),
        ("week,unit,readers,contributors,creators\n", "has a header and no rows"),
    ],
)
def test_a_file_without_rows_or_columns_is_refused(tmp_path, text, said):
    with pytest.raises(PilotDataError, match=said):
        read_pilot(write(tmp_path, text), HEADCOUNT)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PilotDataError, match="no such file"):
        read_pilot(tmp_path / "nope.csv", HEADCOUNT)


ORG = ["org.headcount=300", "rollout=sales_support_pilot", "rollout.expand_week=9"]


@pytest.mark.parametrize(
    ("row", "args", "said"),
    [
        ("1,Nowhere,1,0,0", [], "column unit: 'Nowhere' is not a unit"),
        (
            "2,Marketing,3,0,0",
            [],
            "row 2, column readers: 3 readers in Marketing in week 2, but in "
            "the pilot as configured Marketing has no access yet",
        ),
        ("1,Sales,1000,0,0", [], "column readers: 1000 readers, more than the"),
        ("1,Sales,3,1,0", ["rollout.no_such=1"], "rollout.no_such"),
        ("1,Sales,3,1,0", ["--detection", "0.9,0.2"], "--detection: need 0 <= LOW < HIGH"),
        ("1,Sales,3,1,0", ["--dials", "open,kindness"], "--dials: 'kindness' is not a culture"),
        ("1,Sales,3,1,0", ["draw=3"], "draw=3: a pilot's config is key=value, without draw"),
        ("1,Sales,3,1,0", ["rule=bass", "rollout=company_wide"], "rule: a pilot calibrates"),
    ],
)
def test_orgsim_calibrate_refuses_in_one_line_with_exit_2_and_writes_nothing(
    tmp_path, capsys, row, args, said
):
    from sim.calibrate.cli import calibrate_main

    path = write(tmp_path, "week,unit,readers,contributors,creators\n" + row + "\n")
    out = tmp_path / "out"
    status = calibrate_main([str(path), *ORG, *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("orgsim calibrate: error: ") and err.count("\n") == 1
    assert said in err
    assert not out.exists()


def test_activity_before_a_unit_has_access_is_refused(tmp_path):
    text = (
        "week,unit,readers,contributors,creators\n5,Finance,0,0,0\n3,Sales,2,0,0\n3,Finance,1,0,0\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(
        PilotDataError,
        match="row 4, column readers: 1 readers in Finance in week "
        "3, but in the pilot as configured Finance has access from week 5",
    ):
        read_pilot(path, HEADCOUNT, opened=np.array([0, 0, 5]))
    # zero counts before access are what the analytics show of a unit without it
    read_pilot(
        write(tmp_path, text.replace("3,Finance,1", "6,Finance,1"), "b.csv"),
        HEADCOUNT,
        opened=np.array([0, 0, 5]),
    )


def test_without_pyabc_a_good_file_is_told_what_to_install_and_nothing_is_written(
    tmp_path, capsys, monkeypatch
):
    from sim.calibrate.cli import calibrate_main

    monkeypatch.setitem(__import__("sys").modules, "pyabc", None)  # as if not installed
    path = write(tmp_path, "week,unit,readers,contributors,creators\n1,Sales,3,1,0\n")
    out = tmp_path / "out"
    assert calibrate_main([str(path), *ORG, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "calibration needs pyABC" in err and err.count("\n") == 1
    assert not out.exists()
