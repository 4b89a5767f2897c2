"""The scenario columns: every key of every config, one schema for all, files by contents."""

import pyarrow as pa
import pytest
from omegaconf import OmegaConf

from sim import columns, store
from tests.cli.test_configs import CASES, _compose


def _leaves(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict) and f"{prefix}{key}" != "org.columns":  # one JSON column
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def _resolved(overrides):
    cfg = _compose(overrides)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    choices = dict(cfg.hydra.runtime.choices)
    resolved.pop("hydra")
    return resolved, choices


@pytest.mark.parametrize(("group", "option"), CASES, ids=[f"{g}={o}" for g, o in CASES])
def test_every_key_of_every_option_is_a_column_of_one_schema(group, option):
    extra = ["rollout=company_wide"] if group == "rule" and option != "organizational" else []
    resolved, choices = _resolved([f"{group}={option}", *extra])
    digests = columns.input_digests(resolved, ".")
    values = columns.scenario_values(resolved, choices, digests)
    schema = columns.scenario_schema()
    assert list(values) == schema.names
    keys = {k for k in _leaves(resolved) if k.split(".")[0] not in columns.NOT_SCENARIO}
    keys = {f"{k}_sha256" if k in columns.INPUT_FILES else k for k in keys}
    # behavior.ladder is a list: one column of JSON text.
    assert keys <= set(schema.names)
    table = pa.Table.from_pylist([values], schema=schema)  # every value fits its type
    assert table.column(columns.PRESETS[group])[0].as_py() == option
    if group == "org" and option == "from_csv":
        assert len(values["org.path_sha256"]) == 64


def test_hash_follows_file_contents_not_paths(tmp_path):
    resolved, _ = _resolved(["org=from_csv"])
    chart = tmp_path / "a.csv"
    chart.write_bytes(open(resolved["org"]["path"], "rb").read())
    moved = {**resolved, "org": {**resolved["org"], "path": str(chart)}}

    def digest(config):
        return store.config_hash(columns.hashed_config(config, columns.input_digests(config, ".")))

    assert digest(moved) == digest(resolved)  # same contents elsewhere: same scenario
    chart.write_text(chart.read_text().replace("Sales", "Sales and Marketing", 1))
    assert digest(moved) != digest(resolved)  # edited: a new scenario


def test_a_fifo_is_not_hashed(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="not a regular file"):
        columns.file_digest(tmp_path / "pipe")


def test_the_names_of_the_presets_are_part_of_the_scenario():
    resolved, choices = _resolved(["rollout=pilot"])
    renamed = {**choices, "rollout": "my_copy_of_pilot"}  # same values, another name
    first = store.config_hash(columns.hashed_config(resolved, {}, choices))
    second = store.config_hash(columns.hashed_config(resolved, {}, renamed))
    assert first != second  # the rows of each say which preset they ran


def test_a_generated_org_ignores_org_path(tmp_path):
    resolved, choices = _resolved([])
    assert resolved["org"]["source"] == "generate"
    named = {**resolved, "org": {**resolved["org"], "path": str(tmp_path / "missing.csv")}}
    assert columns.input_digests(named, ".") == {}
    assert store.config_hash(columns.hashed_config(named, {}, choices)) != ""
    values = columns.scenario_values(named, choices, {})
    assert values["org.path_sha256"] is None


def test_a_column_mapping_is_part_of_the_scenario():
    resolved, choices = _resolved(["org=from_csv"])
    digests = columns.input_digests(resolved, ".")
    unmapped = store.config_hash(columns.hashed_config(resolved, digests, choices))
    # No mapping hashes as a config from before org.columns existed: stores keep their jobs.
    before = {**resolved, "org": {k: v for k, v in resolved["org"].items() if k != "columns"}}
    assert store.config_hash(columns.hashed_config(before, digests, choices)) == unmapped
    assert columns.scenario_values(resolved, choices, digests)["org.columns"] is None
    mapped = {**resolved, "org": {**resolved["org"], "columns": {
        **resolved["org"]["columns"], "unit": "Department"}}}  # fmt: skip
    assert store.config_hash(columns.hashed_config(mapped, digests, choices)) != unmapped
    values = columns.scenario_values(mapped, choices, digests)
    assert values["org.columns"] == '{"unit": "Department"}'
