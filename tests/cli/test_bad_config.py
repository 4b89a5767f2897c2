"""Bad settings refused before anything runs: ``precheck`` (sim.precheck), in-process.

``orgsim`` prints precheck's ConfigError after ``orgsim: error: `` and exits 2 (the
end-to-end cases in ``test_cli.py`` prove that path, one per kind of fault); here every
message is checked without the seconds a subprocess costs. Files that stand in the way
(``taken``, ``blocked``) lie in the folder the command runs in, precheck's ``base_dir``.
"""

import os

import pytest

from sim.cli import precheck  # as orgsim runs it: sim.cli stores the schemas in Hydra
from sim.schema import ConfigError
from tests.helpers import CORES

BAD = [  # an -m first: a sweep (orgsim -m)
    (["rule.thetta=0.2"], "rule.thetta: no such key"),
    (["rule=threshold", "rule.theta=high"], "rule.theta: Value 'high'"),
    (["culture.trust=1.5"], "The 'trust' parameter of Culture must be a float in the range [0, 1]"),
    (["org=bogus"], "org=bogus: no such option (available: enterprise, from_csv, midsize"),
    (["-m", "culture.trust=0.5,1.5"], "The 'trust' parameter of Culture"),
    (["replications=0"], "The 'replications' parameter of orgsim must be an int"),
    (["seed=-1"], "The 'seed' parameter of orgsim"),
    (["rollout.scope=everyone"], "'scope' parameter of Rollout must be one of"),
    (["org=from_csv", "org.path=nope.csv"], "nope.csv"),
    (["rule=threshold", "rollout=pilot"], "rollout.scope: the Threshold rule"),
    (
        ["org=startup", "rollout=pilot", "rollout.pilot_units=[Nope]"],
        "rollout.pilot_units: The 'pilot_units' parameter of Rollout names units this org "
        "does not have: Nope",
    ),
    (["rollout.pilot_choice=best"], "'pilot_choice' parameter of Rollout must be one of"),
    (["rollout=pilot", "rollout.expand_week=null"], "rollout: Rollout: a pilot expands at"),
    (["rollout.champion_choice=loudest"], "'champion_choice' parameter of Rollout must be one"),
    (
        ["org=startup", "rollout=company_wide_decentralized"],
        "rollout.budget: The 'budget' parameter",
    ),
    (["rollout=pilot_waves", "rollout.expand_share=1.5"], "'expand_share' parameter of Rollout"),
    (["steps=abc"], "steps: Value 'abc'"),
    (["org.headcount=0"], "The 'headcount' parameter of org"),
    (["network.openness=2"], "The 'openness' parameter of network"),
    (["network.rewire=1.5"], "network.rewire: The 'rewire' parameter of network must be"),
    (["+foo=1"], "foo: no such key"),
    (["+experiment=nope"], "experiment=nope: no such option"),
    (["-m", "+experiment=rollout_2x2", "rollout.expand_week=0"], "'expand_week' parameter"),
    (["+culture.foo=1"], "culture.foo: no such key (keys there: open, trust"),
    (["+rollout.champion=0.1"], "rollout.champion: no such key (keys there:"),
    (["+rule.thetta=0.1"], "rule.thetta: no such key (keys there: name, peer_weight"),
    (["+org.size=5"], "org.size: no such key"),
    (["seed=9223372036854775808"], "seed: 9223372036854775808 is too large"),
    (["org.seed=99999999999999999999"], "org.seed: 99999999999999999999 is too large"),
    (["rollout.training_capacity=9223372036854775808"], "rollout.training_capacity: 92233"),
    (["rollout.expand_week=9223372036854775808"], "rollout.expand_week: 9223372036854775808 is"),
    (["rollout.wave_units=9223372036854775808"], "rollout.wave_units: 9223372036854775808 is t"),
    (["rollout.wave_weeks=9223372036854775808"], "rollout.wave_weeks: 9223372036854775808 is t"),
    (["rollout.top_levels=9223372036854775808"], "rollout.top_levels: 9223372036854775808 is t"),
    (["org.headcount=-9223372036854775809"], "org.headcount: -9223372036854775809 is too l"),
    (["steps=9223372036854775808"], "steps: 9223372036854775808 is too large"),
    ([f"threads={CORES + 1}"], f"threads: {CORES + 1} threads, but Numba may use at most"),
    (["threads=0"], "The 'threads' parameter of orgsim must be an int in the range [1, inf)"),
    (["-m", "seed=0,1", "hydra.launcher.n_jobs=0"], "hydra.launcher.n_jobs: must be a number"),
    (["task_name=../../x"], "task_name: must name one folder inside paths.results"),
    (["task_name=a/b"], "task_name: must name one folder inside paths.results"),
    (
        ["task_name="],
        "task_name: must name one folder inside paths.results (no '/', not '..'). Got ''.",
    ),
    (["paths.results=taken"], "paths.results: "),
    (["paths.results=taken/below"], "paths.results: "),
    (["-m", "seed=0,1", "paths.results=taken"], "paths.results: "),
    (["paths.results="], "paths.results: must name a folder. Got ''."),
    (["paths.store=taken"], "taken is a file, not a folder."),
    (["paths.store=blocked"], "paths.store: "),
    (["-m", "seed=0,1", "paths.store=blocked"], "blocked/jobs is a file, not a folder."),
    (["task_name=" + "x" * 256], "task_name: at most 255 bytes (it names a folder). Got 256."),
    (["-m", "culture.trust=0.5", "rollout.top_levels=0,9223372036854775808"], "top_levels: 922"),
    (["behavior.ladder=[]"], "behavior.ladder: must hold at least one behavior"),
    (["+behavior.ladder.0.cost=1"], "no such key"),
    # First contact (issue 26): settings as metrics, overflows, budgets that pay for nothing.
    (["analysis.metric=rollout"], "analysis.metric: 'rollout' is not an outcome of a run"),
    (["-m", "seed=0,1", "analysis.metric=seed"], "analysis.metric: 'seed' is not an outcome"),
    (["rollout.budget_per_person=1e308"], "rollout.budget_per_person: The 'budget_per_person'"),
    (
        [
            "rule=threshold",
            "rule.absolute=true",
            "rule.thresholds=evenly",
            "rule.theta=1e308",
            "rule.spread=1e308",
        ],
        "rule.spread: The 'spread' parameter of ThresholdLaw must keep thresholds finite",
    ),
    (["rollout=change_team", "rollout.budget_per_person=0"], "use budget_per_person=null"),
    (["-m", "hydra.launcher._target_=nowhere.Launcher", "seed=0,1"], "its plugin is not inst"),
]


def _tree(where):
    return sorted((str(p.relative_to(where)), p.stat().st_size) for p in where.rglob("*"))


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_config_is_one_line_naming_the_key_and_nothing_is_written(
    tmp_path, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file where the results would go")
    (tmp_path / "blocked").mkdir()
    (tmp_path / "blocked" / "jobs").write_text("a file where the store's jobs would go")
    before = _tree(tmp_path)
    multirun = args[0] == "-m"
    with pytest.raises(ConfigError) as refused:
        precheck(args[multirun:], multirun, base_dir=str(tmp_path))
    said = str(refused.value)
    assert message in said and "\n" not in said
    assert _tree(tmp_path) == before


_CHART = "employee_id,manager_id,unit\nE1,,Exec\nE2,E1,Sales\nE3,E1,Sales\n"
BAD_CSV = [
    ("employee_id,manager_id,unit,influence\nE1,,Exec,5\nE2,E1,Sales,1\nE3,E1,Sales,1e-101\n",
     None, "o.csv, row 4: influence of 'E3' is '1e-101', more than 1e+100 times smaller"),
    (_CHART, "source,target,weight\nE1,E2,1e308\nE2,E1,1e308\n",
     "t.csv, row 2: the weight of the tie between 'E1' and 'E2' is '1e308'"),
    ("employee_id,manager_id,unit\nE1,,Exec\nE2,\"E1,Sales\nE3,E1,Sales\n", None,
     "o.csv, row 3: the double quote that opens field 2 is never closed"),
    ("employee_id,manager_id,unit\nE1,,Exec\nE2,E1,Sa\x00les\n", None,
     "o.csv, row 3: the file contains a NUL byte"),
    ("\nemployee_id,manager_id,unit\nE1,,Exec\n", None, "o.csv, row 1: the first line is empty"),
    ("fifo", None, "o.csv: is a named pipe, not a regular file"),
    (_CHART, "fifo", "t.csv: is a named pipe, not a regular file"),
]  # fmt: skip


@pytest.mark.parametrize(("chart", "ties", "message"), BAD_CSV)
def test_bad_csv_is_one_line_naming_file_and_row(tmp_path, chart, ties, message):
    for name, text in (("o.csv", chart), ("t.csv", ties)):
        if text == "fifo":
            os.mkfifo(tmp_path / name)  # no writer: reading it would wait forever
        elif text is not None:
            (tmp_path / name).write_text(text)
    before = _tree(tmp_path)
    ties_arg = "org.ties=t.csv" if ties is not None else "org.ties=null"
    with pytest.raises(ConfigError) as refused:
        precheck(["org=from_csv", "org.path=o.csv", ties_arg], base_dir=str(tmp_path))
    said = str(refused.value)
    assert message in said and "\n" not in said
    assert _tree(tmp_path) == before
