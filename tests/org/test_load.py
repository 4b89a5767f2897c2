"""sim.org.load.from_csv: the example files, the formats it accepts, and every error."""

import csv
import os
import pickle
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.networks import Network, from_edges
from sim.org.core import Org, OrgError
from sim.org.load import from_csv

DATA = Path(__file__).resolve().parents[2] / "experiments" / "data"
ACME, ACME_TRAITS, ACME_TIES = (
    DATA / "acme_org.csv",
    DATA / "acme_org_traits.csv",
    DATA / "acme_ties.csv",
)
HEADER = "employee_id,manager_id,unit\n"
CHART = HEADER + "E1,,Exec\nE2,E1,Sales\nE3,E1,Support\nE4,E2,Sales\n"
TIES = "source,target\nE1,E2\n"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in tmp_path, so messages name the files as written: org.csv, ties.csv."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name, text):
    Path(name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return name


def load(org, ties=TIES, **kwargs):
    return from_csv(
        write("org.csv", org), None if ties is None else write("ties.csv", ties), **kwargs
    )


def error(org, ties=TIES, **kwargs):
    """The message of the OrgError that loading these files raises (one line)."""
    with pytest.raises(OrgError) as info:
        load(org, ties, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- the example files ----------------------------------------------------------------------


def test_acme_chart_and_ties():
    org = from_csv(ACME, ACME_TIES)
    rows = read_rows(ACME)
    assert isinstance(org, Org) and org.n == 86 == len(rows)
    assert org.unit_names == (
        "Executive",
        "Engineering",
        "Sales",
        "Marketing",
        "Finance",
        "Support",
    )
    assert org.unit_sizes.tolist() == [2, 31, 19, 11, 8, 15]
    assert org.n_levels == 5 and np.bincount(org.level).tolist() == [1, 6, 13, 45, 21]
    assert org.top.tolist() == [0]
    assert org.labels.tolist() == [r["employee_id"] for r in rows]
    assert org.labels[0] == "E0001" and all(isinstance(x, str) for x in org.labels)
    ids = {x: i for i, x in enumerate(org.labels)}
    assert org.manager.tolist() == [ids.get(r["manager_id"], -1) for r in rows]
    assert [org.unit_names[u] for u in org.unit] == [r["unit"] for r in rows]
    assert org.traits == {}
    ties = read_rows(ACME_TIES)
    assert org.network.n_ties == len(ties) == 279
    assert org.network.weights.sum() == 2 * sum(int(t["weight"]) for t in ties)
    a, b = ids[ties[0]["source"]], ids[ties[0]["target"]]
    k = list(org.network.neighbors(a)).index(b)
    assert org.network.weights[org.network.indptr[a] + k] == float(ties[0]["weight"])


def test_acme_traits():
    org = from_csv(ACME_TRAITS, ACME_TIES)
    rows = read_rows(ACME_TRAITS)
    assert org.n == 86 and org.labels.tolist() == from_csv(ACME, ACME_TIES).labels.tolist()
    assert sorted(org.traits) == ["influence", "risk_aversion", "threshold", "trust"]
    for name, values in org.traits.items():
        assert values.dtype == np.float64 and not values.flags.writeable
        assert values.tolist() == [float(r[name]) for r in rows]
    for name in ("trust", "risk_aversion", "threshold"):
        assert 0 <= org.traits[name].min() and org.traits[name].max() <= 1
    assert org.traits["influence"].min() > 0


def test_the_script_writes_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(DATA / "make_acme.py"), "--out", str(tmp_path)], check=True)
    for name in ("acme_org.csv", "acme_org_traits.csv", "acme_ties.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


# --- what the loader accepts ----------------------------------------------------------------


def test_order_labels_units_and_managers_after_their_reports(here):
    org = load(
        "unit,employee_id,manager_id\nB,x2,x9\nA,x9,\nB,x3,x2\nC,x4,x9\n", "source,target\nx2,x3\n"
    )
    assert org.labels.tolist() == ["x2", "x9", "x3", "x4"]
    assert org.manager.tolist() == [1, -1, 0, 1]
    assert org.unit_names == ("B", "A", "C") and org.unit.tolist() == [0, 1, 0, 2]
    assert org.level.tolist() == [1, 0, 2, 1]


def test_ids_are_text_and_stripped(here):
    org = load(HEADER + "E007,,U\n7, E007 ,U\n 007 ,7,U\n", "source,target\n7,007\n")
    assert org.labels.tolist() == ["E007", "7", "007"]
    assert org.manager.tolist() == [-1, 0, 1]
    assert org.network.neighbors(1).tolist() == [2]


def test_bom_crlf_and_header_spelling(here):
    text = "\ufeff Employee_ID ,MANAGER_ID, Unit\r\nE1,,Exec\r\nE2,E1,Sales\r\n"
    org = load(text.encode("utf-8"), "\ufeffsource,target\r\nE2,E1\r\n")
    assert org.labels.tolist() == ["E1", "E2"] and org.unit_names == ("Exec", "Sales")
    assert org.network.n_ties == 1


def test_other_columns_are_ignored_and_never_stored(here):
    secret = "Zanzibar Quuxley"
    org = load(
        "name,employee_id,title,manager_id,unit,notes\n"
        f'"{secret}",E1,Chief,,Exec,"likes, commas"\n'
        f'"{secret} II",E2,"Clerk\nof works",E1,Exec,\n',
        "source,comment,target\nE1,met twice,E2\n",
    )
    assert org.n == 2 and org.traits == {}
    data = pickle.dumps(org) + pickle.dumps(vars(org.network))
    for word in ("Zanzibar", "Quuxley", "Chief", "Clerk", "likes", "met twice"):
        assert word.encode() not in data
    assert org.labels.tolist() == ["E1", "E2"] and org.unit_names == ("Exec",)


def test_blank_rows_are_skipped(here):
    text = HEADER + "\nE1,,Exec\n,,\n  \n\r\nE2,E1,Sales\n , , \n,,,,\n\n"
    org = load(text)
    assert org.labels.tolist() == ["E1", "E2"]
    # ... but a row with an empty id and something else in it is an error.
    assert error(HEADER + "E1,,Exec\n,,\n,E1,Sales\n") == (
        "org.csv, row 4: employee_id is empty; every person needs an id"
    )
    assert error("name," + HEADER + "x,E1,,Exec\nBo Sample,,,\n") == (
        "org.csv, row 3: employee_id is empty; every person needs an id"
    )


def test_allow_forest(here):
    forest = HEADER + "E1,,A\nE2,E1,A\nE3,,B\nE4,E3,B\n"
    assert error(forest) == (
        "org.csv: 2 people have no manager_id: 'E1' (row 2), 'E3' (row 4); an org has one "
        "person at the top (pass allow_forest=True to load several separate hierarchies)"
    )
    org = load(forest, allow_forest=True)
    assert org.top.tolist() == [0, 2] and org.allow_forest


def test_ties_merge_duplicates_either_way_round(here):
    ties = "source,target,weight\nE1,E2,1\nE2,E1,2.5\nE1,E3,1\nE1,E2,0.5\n"
    total = load(CHART, ties)
    largest = load(CHART, ties, merge="max")
    assert total.network.n_ties == largest.network.n_ties == 2
    assert total.network.weights[:2].tolist() == [4.0, 1.0]
    assert largest.network.weights[:2].tolist() == [2.5, 1.0]
    plain = load(CHART, "target,source\nE4,E3\nE3,E4\n")
    assert plain.network.n_ties == 1 and plain.network.weights.tolist() == [2.0, 2.0]
    assert plain.network.labels is None


@pytest.fixture
def fake_generate(monkeypatch):
    """A stand-in sim.org.generate that records how informal_ties was called."""
    calls = []

    def informal_ties(manager, unit, *, mean_degree, openness, seed):
        calls.append((manager.copy(), unit.copy(), mean_degree, openness, seed))
        return from_edges(np.array([0]), np.array([1]), manager.shape[0])

    module = types.ModuleType("sim.org.generate")
    module.informal_ties = informal_ties
    monkeypatch.setitem(sys.modules, "sim.org.generate", module)
    return calls


def test_without_ties_the_network_is_generated_from_the_chart(here, fake_generate):
    org = load(CHART, None, mean_degree=6.0, openness=0.25, seed=11)
    [(manager, unit, mean_degree, openness, seed)] = fake_generate
    assert manager.tolist() == [-1, 0, 0, 1] and unit.tolist() == [0, 1, 2, 1]
    assert (mean_degree, openness, seed) == (6.0, 0.25, 11)
    assert org.network.n_ties == 1
    load(CHART, TIES)
    assert len(fake_generate) == 1  # a ties file replaces the generator


def test_the_real_generator():
    generate = pytest.importorskip("sim.org.generate")
    if not hasattr(generate, "informal_ties"):
        pytest.skip("sim.org.generate.informal_ties is not written yet")
    org = from_csv(ACME, mean_degree=8.0, openness=0.3, seed=5)
    assert isinstance(org.network, Network) and org.network.n == 86
    again = from_csv(ACME, mean_degree=8.0, openness=0.3, seed=5)
    assert np.array_equal(org.network.indices, again.network.indices)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_files_that_are_not_regular_files_are_refused(here):
    os.mkfifo("pipe.csv")  # opening it would wait for a writer forever
    assert error_of("pipe.csv") == (
        "pipe.csv: is a named pipe, not a regular file; save the CSV to a file and give its path"
    )
    write("org.csv", CHART)
    assert error_of("org.csv", "pipe.csv").startswith("pipe.csv: is a named pipe, not a regular")
    if os.path.exists("/dev/null"):
        assert error_of("/dev/null").startswith("/dev/null: is a character device, not a regular")


@pytest.mark.parametrize("where", ["read", "parse"])
@pytest.mark.parametrize("which", ["org.csv", "ties.csv"])
def test_files_too_large_for_memory(here, monkeypatch, where, which):
    import sim.org._csv
    import sim.org.load

    monkeypatch.setattr(sim.org.load, "_LOADED", {})  # parse these, not the last ones kept
    write("org.csv", CHART)
    write("ties.csv", TIES)
    size = Path(which).stat().st_size
    real_open, real_read = open, sim.org._csv.CsvFile.read

    class Huge:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def read(self):
            raise MemoryError

    def fake_open(name, mode="r", *args, **kwargs):
        file = real_open(name, mode, *args, **kwargs)
        return Huge(file) if name == which else file

    def fake_read(self, *args):
        if self.name == which:
            raise MemoryError
        return real_read(self, *args)

    if where == "read":
        monkeypatch.setattr(sim.org._csv, "open", fake_open, raising=False)
    else:
        monkeypatch.setattr(sim.org._csv.CsvFile, "read", fake_read)
    assert error_of("org.csv", "ties.csv") == (
        f"{which}: too large to read ({size:,} bytes): loading needs a few times the file's size "
        f"in memory; free some memory or drop columns the model does not use"
    )


def test_unreadable_files(here):
    assert error_of("nowhere.csv") == "nowhere.csv: no such file"
    Path("folder.csv").mkdir()
    assert error_of("folder.csv") == "folder.csv: is a directory, not a CSV file"
    write("org.csv", CHART)
    assert error_of("org.csv", "missing.csv") == "missing.csv: no such file"
    assert error((HEADER + "E1,,Exec\nE2,E1,Caf\xe9\n").encode("latin-1")) == (
        "org.csv, row 3: the file is not UTF-8 text (byte 0xe9); save it as UTF-8 "
        "(in Excel: 'CSV UTF-8')"
    )


def error_of(org_path, ties_path=None):
    with pytest.raises(OrgError) as info:
        from_csv(org_path, ties_path)
    return str(info.value)


@pytest.mark.parametrize("text", ["", "\n\n", " \r\n"])
def test_empty_file(here, text):
    assert error(text) == (
        "org.csv: the file is empty; the org chart needs employee_id, manager_id, unit, with a "
        "header line naming them"
    )


def test_header_only(here):
    assert error(HEADER) == "org.csv: no people: the file has a header line but no rows"
    assert error(HEADER + "\n,,\n") == "org.csv: no people: the file has a header line but no rows"


def test_missing_columns(here):
    assert error("employee_id,boss,unit\nE1,,A\n") == (
        "org.csv: missing column(s) 'manager_id'; the org chart needs employee_id, manager_id, "
        "unit (the header has 'employee_id', 'boss', 'unit'); if yours has another name, map "
        "it: org.columns={manager_id: 'Your header'} (from_csv's columns=)"
    )
    assert error("E1,,Exec\nE2,E1,Sales\n") == (
        "org.csv: missing column(s) 'employee_id', 'manager_id', 'unit'; the org chart needs "
        "employee_id, manager_id, unit (the header has 'E1', '', 'Exec'); if yours has another "
        "name, map it: org.columns={employee_id: 'Your header'} (from_csv's columns=)"
    )
    assert error(HEADER.replace(",", ";") + "E1;;A\n").endswith(
        "(the header has 'employee_id;manager_id;unit'); the values seem to be separated by "
        "';': save as comma-separated"
    )
    assert error(HEADER.strip() + ",Unit\nE1,,A,B\n") == (
        "org.csv: column 'unit' appears 2 times in the header"
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("E5,E1,Sales,extra", "4 fields, but the header has 3; a value that contains a comma "),
        ("E5,E1", "2 fields, but the header has 3; every row needs a field for each column"),
        ("E5", "1 field, but the header has 3; every row needs a field"),
    ],
)
@pytest.mark.parametrize("before", ["", "\n", '"E9",E1,"Multi\nline"\n'])
def test_wrong_number_of_fields(here, row, expected, before):
    text = HEADER + "E1,,Exec\n" + before + "E2,E1,Sales\n" + row + "\nE3,E1,Sales\n"
    line = 4 + before.count("\n")
    assert error(text).startswith(f"org.csv, row {line}: {expected}")


def test_row_numbers_count_lines_of_quoted_fields_and_blank_lines(here):
    text = HEADER + '"E1",,"Exec\nutive"\n\n"E2",E1,Sales\n"E2",E1,Sales\r\n'
    assert error(text) == "org.csv, row 6: duplicate employee_id 'E2' (first on row 5)"
    text = HEADER + "E1,,Exec\n\n\nE2,E1,Sales\nE2,E1,Sales\n"
    assert error(text) == "org.csv, row 6: duplicate employee_id 'E2' (first on row 5)"
    text = HEADER.replace("\n", "\r") + "E1,,Exec\r\rE2,E1,Sales\rE2,E1,Sales"  # old Mac
    assert error(text) == "org.csv, row 5: duplicate employee_id 'E2' (first on row 4)"
    assert load(text.removesuffix("E2,E1,Sales")).labels.tolist() == ["E1", "E2"]


UNCLOSED = (
    "the double quote that opens field {} is never closed, so the rest of the file would be "
    'one value; close it (a quote inside a quoted value is written "")'
)


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (HEADER + 'E1,,"Exec\nE2,E1,Sales\n', 2, 3),
        (HEADER + 'E1,,Exec\nE2,"E1,Sales\nE3,E1,Sales\n', 3, 2),
        (HEADER + 'E1,,Exec\n"E2\nx","E1,Sales\nE3,E1,Sales\n', 4, 2),  # after a closed one
        (HEADER + 'E1,,Exec\n"E2","E1,Sales\r\nE3,E1,Sales\r\n', 3, 2),
        ((HEADER + 'E1,,Exec\nE2,"E1,Sales\nE3,E1,Sales\n').replace("\n", "\r"), 3, 2),
        ('employee_id,"manager_id,unit\nE1,,A\n', 1, 2),
        (HEADER + 'E1,,Exec\nE2,E1,"Sa""les\n', 3, 3),
        # The rest of the file is longer than the csv module's longest field.
        (HEADER + 'E1,,Exec\n"E2,E1,Sales\n' + "E3,E1,Sales\n" * 20_000, 3, 1),
    ],
)
def test_unclosed_quote(here, text, line, field):
    assert error(text) == f"org.csv, row {line}: " + UNCLOSED.format(field)
    assert error(CHART, 'source,target\nE1,E2\nE2,"E3\n') == (
        "ties.csv, row 3: " + UNCLOSED.format(2)
    )


def test_quotes_that_are_closed_or_inside_a_value(here):
    org = load(HEADER + 'E1,,Exec\nE2,E1,Sa"les\n"E3",E1,"Sup""port"\nE4,E1, "Ops\n')
    assert org.unit_names == ("Exec", 'Sa"les', 'Sup"port', '"Ops')
    long = HEADER + 'E1,,Exec\nE2,E1,"' + "x" * 200_000 + '"\nE3,E1,Sales\n'
    assert error(long) == (
        "org.csv, row 3: a value is longer than 131,072 characters, more than any id, unit or "
        "number needs; look for a stray double quote"
    )


def test_nul_bytes_and_an_empty_first_line(here):
    assert error(HEADER + "E1,,Exec\nE2,E1,Sa\x00les\n") == (
        "org.csv, row 3: the file contains a NUL byte, so it is not a text CSV file; save it "
        "as 'CSV UTF-8'"
    )
    assert error("\n" + CHART) == (
        "org.csv, row 1: the first line is empty; the header line, naming the columns, comes first"
    )


def test_utf8_is_checked_piece_by_piece(here, monkeypatch):
    import sim.org._csv

    monkeypatch.setattr(sim.org._csv, "_CHUNK", 5)  # characters split between pieces
    org = load(HEADER + "E1,,Caf\xe9\u00e9\u20ac\nE2,E1,\u00fcber\n")
    assert org.unit_names == ("Caf\xe9\xe9\u20ac", "\xfcber")
    text = (HEADER + "E1,,\u20ac\r\nE2,E1,A\rE3,E1,\u00e9").encode() + b"\xe9\n"
    assert error(text) == (
        "org.csv, row 4: the file is not UTF-8 text (byte 0xe9); save it as UTF-8 (in Excel: "
        "'CSV UTF-8')"
    )
    assert error(text[:-2] + b"\xe2\x82") == (  # cut off at the end of the file
        "org.csv, row 4: the file is not UTF-8 text (byte 0xe2); save it as UTF-8 (in Excel: "
        "'CSV UTF-8')"
    )


def test_chart_errors(here):
    assert error(HEADER + "E1,,Exec\n,E1,Sales\n") == (
        "org.csv, row 3: employee_id is empty; every person needs an id"
    )
    assert error(HEADER + "E1,,Exec\nE12,E1,Sales\nE3,E1,Sales\n E12,E1,Sales\n") == (
        "org.csv, row 5: duplicate employee_id 'E12' (first on row 3)"
    )
    assert error(HEADER + "E1,,Exec\nE2,E1, \n") == (
        "org.csv, row 3: the unit of 'E2' is empty; every person needs one"
    )
    assert error(HEADER + "E1,,Exec\nE2,E1,Sales\nE3,E99,Sales\n") == (
        "org.csv, row 4: manager_id 'E99' of 'E3' is not an employee_id in this file"
    )
    assert error(HEADER + "E1,,Exec\nE2,E1,Sales\nE3,E3,Sales\n") == (
        "org.csv, row 4: 'E3' is their own manager; leave manager_id empty for the top person"
    )


def test_cycles(here):
    text = HEADER + "E1,,Exec\nE2,E1,A\nE3,E5,A\nE4,E2,A\nE5,E3,A\nE6,E5,A\n"
    assert error(text) == (
        "org.csv: the reporting lines form a cycle: 'E3' (row 4) -> 'E5' (row 6) -> 'E3'"
    )
    text = HEADER + "E1,E3,Exec\nE2,E1,A\nE3,E2,A\nE4,E2,A\n"
    assert error(text) == (
        "org.csv: nobody is at the top (everyone has a manager_id), so the reporting lines form "
        "a cycle: 'E1' (row 2) -> 'E3' (row 4) -> 'E2' (row 3) -> 'E1'"
    )
    long = HEADER + "T,,A\n" + "".join(f"P{i},P{(i + 1) % 20},A\n" for i in range(20))
    assert error(long) == (
        "org.csv: the reporting lines form a cycle: "
        + " -> ".join(f"'P{i}' (row {i + 3})" for i in range(8))
        + " -> ... (20 people in all) -> 'P0'"
    )


def test_many_tops_are_counted(here):
    text = HEADER + "".join(f"T{i},,A\n" for i in range(8))
    assert error(text).startswith(
        "org.csv: 8 people have no manager_id: 'T0' (row 2), 'T1' (row 3), 'T2' (row 4), "
        "'T3' (row 5), 'T4' (row 6) and 3 more; an org has one person at the top"
    )


@pytest.mark.parametrize(
    ("column", "value", "allowed"),
    [
        ("trust", "high", "a number in [0, 1]"),
        ("trust", "1.5", "a number in [0, 1]"),
        ("risk_aversion", "-0.1", "a number in [0, 1]"),
        ("threshold", "nan", "a number in [0, 1]"),
        ("threshold", "inf", "a number in [0, 1]"),
        ("influence", "0", "a finite number > 0"),
        ("influence", "-2", "a finite number > 0"),
        ("influence", "Infinity", "a finite number > 0"),
        ("influence", "NaN", "a finite number > 0"),
        ("influence", "1,5", "a finite number > 0"),
    ],
)
def test_bad_trait_values(here, column, value, allowed):
    text = f'{HEADER.strip()},{column}\nE1,,Exec,0.5\nE2,E1,Sales,0.5\nE3,E1,Sales,"{value}"\n'
    assert error(text) == f"org.csv, row 4: {column} is {value!r}; it must be {allowed}"


def test_traits_must_be_complete(here):
    text = HEADER.strip() + ",trust,influence\nE1,,Exec,0.5,1\nE2,E1,Sales,,1\n"
    assert error(text) == (
        "org.csv, row 3: trust is empty; a trait column needs a value on every row (or leave "
        "the column out)"
    )
    org = load(HEADER.strip() + ",Trust,influence\nE1,,Exec,0,2.5\nE2,E1,Sales,1, 1e-3 \n")
    assert org.traits["trust"].tolist() == [0.0, 1.0]
    assert org.traits["influence"].tolist() == [2.5, 0.001]


def test_influence_may_span_at_most_a_factor_1e100(here):
    text = HEADER.strip() + ",influence\nE1,,Exec,5\nE2,E1,Sales,1\nE3,E1,Sales,4e-100\n"
    assert error(text) == (
        "org.csv, row 4: influence of 'E3' is '4e-100', more than 1e+100 times smaller than the "
        "largest ('5', row 2); influence is relative, so only ratios matter: raise the smallest "
        "values"
    )
    assert load(text.replace("4e-100", "5e-100")).traits["influence"][2] == 5e-100


def scaled_acme(factor, path):
    """The example chart with traits, its influence column multiplied by ``factor``."""
    rows = read_rows(ACME_TRAITS)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        for row in rows:
            out.writerow({**row, "influence": repr(float(row["influence"]) * factor)})
    return from_csv(path, ACME_TIES)


def test_influence_is_relative(here):
    """Influence times any positive number gives the same people and the same results."""
    from sim import OrgModel, rules
    from sim.population import Population

    def people_and_results(org):
        people = Population.draw(org, None, 7)
        model = OrgModel(rule=rules.Organizational(), org=org, population=people, seed=3)
        model.run(40)
        return people.influence, model.adoption

    base, adoption = people_and_results(scaled_acme(1.0, here / "acme.csv"))
    assert 0.7 < base.mean() < 1.42
    for factor in (2.0**300, 2.0**-500, 1e300, 1e307, 1e-300, 3.0):
        influence, again = people_and_results(scaled_acme(factor, here / "scaled.csv"))
        if np.frexp(factor)[0] == 0.5:  # a power of two: the very same numbers
            np.testing.assert_array_equal(influence, base)
        else:  # the same ratios, up to the rounding of the numbers in the file
            np.testing.assert_allclose(influence / influence[0], base / base[0], rtol=1e-15)
        assert 0.7 < influence.mean() < 1.42
        pd.testing.assert_frame_equal(again, adoption)
    # Without the rescaling, 1e307 overflowed the weighted sums and the reading fell to a
    # quarter of what it was; the run moved (a fifth to two fifths read at a time).
    assert adoption["fraction"].iloc[-3] > 0.2


def test_ties_errors(here):
    def ties_error(text):
        return error(CHART, text)

    assert ties_error("") == (
        "ties.csv: the file is empty; the ties file needs source, target (and optionally "
        "weight), with a header line naming them"
    )
    assert ties_error("source,target,weight\n") == (
        "ties.csv: no ties: the file has a header line but no rows"
    )
    assert ties_error("from,to\nE1,E2\n") == (
        "ties.csv: missing column(s) 'source', 'target'; the ties file needs source, target "
        "(and optionally weight) (the header has 'from', 'to')"
    )
    assert ties_error("source,target\nE1,E2\nE2,E7\n") == (
        "ties.csv, row 3: target 'E7' is not an employee_id in org.csv"
    )
    assert ties_error("source,target\nE1,E2\ne1,E2\n") == (
        "ties.csv, row 3: source 'e1' is not an employee_id in org.csv"
    )
    assert ties_error("source,target\nE1,E2\nE3,\n") == (
        "ties.csv, row 3: target is empty; every tie needs two people"
    )
    assert ties_error("source,target\nE1,E2\nE3,E4\nE4, E4\n") == (
        "ties.csv, row 4: 'E4' is tied to themselves; self-ties are not allowed"
    )
    assert ties_error("source,target\nE1,E2,3\n") == (
        "ties.csv, row 2: 3 fields, but the header has 2; a value that contains a comma must "
        "be in double quotes"
    )
    assert ties_error("source,target,weight\nE1,E2,1\nE1,E3,\n") == (
        "ties.csv, row 3: weight is empty; give every tie a weight (or leave the weight column "
        "out for weight 1)"
    )
    assert ties_error("source,target,weight\nE1,E2,1\nE2,E1,1e308\nE2,E1,1e308\n") == (
        "ties.csv, row 3: the weight of the tie between 'E2' and 'E1' is '1e308'; it must be "
        "from 1e-100 to 1e+100 (weights are relative, only their ratios matter: divide them all "
        "by the same number)"
    )


@pytest.mark.parametrize("merge", ["sum", "max"])
def test_weights_are_bounded_so_that_no_sum_overflows(here, merge):
    for weight in ("1e101", "2e-101", "1.7976931348623157e308", "5e-324"):
        ties = f"source,target,weight\nE1,E2,1\nE3,E4,1\nE1,E3,{weight}\n"
        assert error(CHART, ties, merge=merge).startswith(
            f"ties.csv, row 4: the weight of the tie between 'E1' and 'E3' is {weight!r}; it "
            f"must be from 1e-100 to 1e+100"
        )
    # At the bounds, duplicates and everyone's ties add up to finite sums.
    rows = "".join(f"E1,E{k},1e100\nE{k},E1,1e100\n" for k in (2, 3, 4)) + "E2,E3,1e-100\n"
    org = load(CHART, "source,target,weight\n" + rows, merge=merge)
    assert np.isfinite(org.network.strength).all()
    assert org.network.strength[0] == pytest.approx(6e100 if merge == "sum" else 3e100)


@pytest.mark.parametrize("weight", ["heavy", "-1", "0", "0.0", "nan", "inf", "-inf"])
def test_bad_weights(here, weight):
    ties = f"source,target,weight\nE1,E2,1\nE2,E3,2\nE3,E4,{weight}\n"
    assert error(CHART, ties) == (
        f"ties.csv, row 4: weight is {weight!r}; it must be a finite number > 0"
    )


def test_bad_parameters(here):
    write("org.csv", CHART)
    with pytest.raises(ValueError, match="The 'merge' parameter of from_csv must be one of"):
        from_csv("org.csv", merge="mean")
    with pytest.raises(TypeError, match="The 'allow_forest' parameter of from_csv must be a bool"):
        from_csv("org.csv", allow_forest="yes")
    with pytest.raises(TypeError, match="The 'org_path' parameter of from_csv must be a path"):
        from_csv(3)
    with pytest.raises(TypeError, match="The 'ties_path' parameter of from_csv must be a path"):
        from_csv("org.csv", ["ties.csv"])


# --- size -----------------------------------------------------------------------------------


def big_chart(n, path):
    """A random org of ``n`` people (span ~5) with a name and a trust column."""
    rng = np.random.default_rng(0)
    boss = (rng.random(n) * np.arange(n) / 5).astype(np.int64)
    ids = np.char.add("E", np.arange(n).astype(str))
    managers = ids[boss].astype(object)
    managers[0] = ""
    units = np.array(["Sales", "Support", "Engineering", "Marketing", "Finance"])[boss % 5]
    columns = [ids, managers, units, np.char.add("Person ", ids), np.round(rng.random(n), 3)]
    lines = [",".join(map(str, row)) for row in zip(*columns, strict=True)]
    path.write_text("employee_id,manager_id,unit,name,trust\n" + "\n".join(lines) + "\n")
    return path


def test_a_large_chart_loads_quickly(here, fake_generate):
    start = time.perf_counter()
    org = from_csv(big_chart(50_000, here / "big.csv"))
    assert org.n == 50_000 and org.labels[-1] == "E49999"
    assert time.perf_counter() - start < 5


@pytest.mark.slow
def test_a_million_people(here, fake_generate):
    path = big_chart(1_000_000, here / "big.csv")
    start = time.perf_counter()
    org = from_csv(path)
    assert org.n == 1_000_000 and sorted(org.traits) == ["trust"]
    assert time.perf_counter() - start < 30


# -- a column mapping: an HR export's own headers -------------------------------------------

HR = (
    "Employee ID,Manager ID,Department,Unit,Trust score,Full name\n"
    "E1,,Exec,x,0.5,Ann\nE2,E1,Sales,x,0.25,Bob\nE3,E1,Support,y,1,Cy\nE4,E2,Sales,y,0,Di\n"
)
MAPPING = {"employee_id": "Employee ID", "manager_id": " manager id ", "unit": "Department"}


def test_a_column_mapping_reads_an_hr_export(here):
    org = load(HR, columns={**MAPPING, "trust": "Trust score"})
    plain = load(CHART)
    assert org.labels.tolist() == ["E1", "E2", "E3", "E4"]
    assert org.manager.tolist() == plain.manager.tolist()
    # The mapped header stands in for 'unit'; the file's own 'Unit' column is not read.
    assert org.unit_names == ("Exec", "Sales", "Support")
    assert org.traits["trust"].tolist() == [0.5, 0.25, 1.0, 0.0]


def test_a_column_mapping_s_mistakes(here):
    assert error(HR, columns={**MAPPING, "unit": "Dept"}) == (
        "org.csv: no column 'Dept', which the column mapping names for 'unit' (the header has "
        "'Employee ID', 'Manager ID', 'Department', 'Unit', 'Trust score', 'Full name')"
    )
    with pytest.raises(ValueError, match="maps 'department', which is not a column orgsim reads"):
        load(HR, columns={"department": "Department"})
    with pytest.raises(ValueError, match="maps both 'employee_id' and 'manager_id'"):
        load(HR, columns={"employee_id": "Employee ID", "manager_id": "employee id"})
    with pytest.raises(TypeError, match="'columns' parameter of from_csv must be a mapping"):
        load(HR, columns=["Employee ID"])


def test_each_file_is_read_and_parsed_once(here, monkeypatch):
    import sim.org._csv

    opened = []
    real_open = open

    def counting_open(name, *args, **kwargs):
        opened.append(os.path.basename(name))
        return real_open(name, *args, **kwargs)

    write("org.csv", CHART)
    write("ties.csv", TIES)
    monkeypatch.setattr(sim.org._csv, "open", counting_open, raising=False)
    first = from_csv("org.csv", "ties.csv")
    assert from_csv("org.csv", "ties.csv") is first  # kept: parsed once
    assert sim.org._csv.file_digest("org.csv") == sim.org._csv.file_digest(Path("org.csv"))
    assert sorted(opened) == ["org.csv", "ties.csv"]
    time.sleep(0.01)
    write("org.csv", CHART.replace("Support", "Care"))  # edited: read anew
    assert from_csv("org.csv", "ties.csv").unit_names == ("Exec", "Sales", "Care")
    assert sorted(opened) == ["org.csv", "org.csv", "ties.csv"]
