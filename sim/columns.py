"""The scenario every result row carries, as columns (docs/model.md §5).

A row of the store says which scenario it belongs to whatever the command
line said: the value of every lever and uncertainty (``rollout.*``,
``culture.*``, ``org.*``, ``network.*``, ``rule.*``, ``behavior.ladder``,
``steps``) and the names of the presets chosen (``org``, ``network``,
``culture``, ``rule``, ``rollout``, ``experiment``; the ``behavior`` group's
preset is in ``ladder``, since ``behavior`` names the behavior of a
time-series row). The columns and their types come from the config schemas
of :mod:`sim.schema`, so every job file of every store has the same scenario
columns, with the same types, whichever rule, ladder or preset it ran:
DuckDB globs and pandas groupbys work on any mix of commands.

This module needs neither Hydra nor the engine (reading results imports it).

Input files enter by their contents: ``org.path`` and ``org.ties`` become
``org.path_sha256`` and ``org.ties_sha256`` (a file's name can carry a
person's name; its path stays in the job's config file beside the results),
and the scenario hash covers those digests, so an edited org chart runs anew.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from types import NoneType, UnionType

import pyarrow as pa

from sim import schema

__all__ = [
    "INPUT_FILES",
    "PRESETS",
    "file_digest",
    "hashed_config",
    "input_digests",
    "scenario_schema",
    "scenario_values",
    "without_input_paths",
]

#: Config keys that are not part of a scenario: how and where it runs, and
#: which replications (those are row keys: ``seed``, ``replication``).
NOT_SCENARIO = (
    "seed",
    "replications",
    "task_name",
    "threads",
    "progress",
    "report",
    "paths",
    "hydra",
    "analysis",
    "ensemble",
    "why",
)

#: Config groups whose chosen preset names a column: ``{group: column}``.
PRESETS = {
    "org": "org",
    "network": "network",
    "culture": "culture",
    "behavior": "ladder",
    "rule": "rule",
    "rollout": "rollout",
    "experiment": "experiment",
}

#: Keys holding input files: their columns carry the contents' SHA-256, not the path.
INPUT_FILES = ("org.path", "org.ties")

_ARROW = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}


def _arrow_type(hint):
    """The Arrow type of a schema field's type; anything not a scalar is JSON text."""
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        kinds = [k for k in typing.get_args(hint) if k is not NoneType]
        hint = kinds[0] if len(kinds) == 1 else str
    return _ARROW.get(hint, pa.string())


def _fields(schema, prefix):
    hints = typing.get_type_hints(schema)
    return {f"{prefix}{f.name}": hints[f.name] for f in dataclasses.fields(schema)}


@functools.cache
def _value_fields():
    """``{column: type}`` of every scenario value, from the config schemas (read-only: cached,
    since ``typing.get_type_hints`` costs a one-run job about a millisecond each time)."""
    columns = {}
    hints = typing.get_type_hints(schema.Config)
    for f in dataclasses.fields(schema.Config):
        if f.name in NOT_SCENARIO:
            continue
        hint = hints[f.name]
        if f.name == "rule":  # one schema per rule: the union of their fields
            for rule in schema.RULES.values():
                for column, kind in _fields(rule, "rule.").items():
                    if columns.setdefault(column, kind) != kind:
                        raise TypeError(f"{column}: rules disagree on its type")
        elif dataclasses.is_dataclass(hint):
            columns.update(_fields(hint, f"{f.name}."))
        else:
            columns[f.name] = hint
    for key in INPUT_FILES:
        del columns[key]
        columns[f"{key}_sha256"] = str
    return columns


@functools.cache
def scenario_schema() -> pa.Schema:
    """The scenario columns (presets first, then values in config order) and their types."""
    presets = [pa.field(column, pa.string()) for column in PRESETS.values()]
    values = [pa.field(c, _arrow_type(kind)) for c, kind in _value_fields().items()]
    return pa.schema(presets + values)


def _flat(tree, prefix="", leaves=()):
    for key, value in tree.items():
        if isinstance(value, dict) and f"{prefix}{key}" not in leaves:
            yield from _flat(value, f"{prefix}{key}.", leaves)
        else:
            yield f"{prefix}{key}", value


def scenario_values(resolved, choices, digests) -> dict:
    """One job's scenario columns: ``{column: value}`` in :func:`scenario_schema` order.

    Parameters
    ----------
    resolved : dict
        The job's resolved config (``OmegaConf.to_container(cfg, resolve=True)``).
    choices : dict
        Hydra's ``runtime.choices`` (group -> chosen option).
    digests : dict
        :func:`input_digests` of the job.
    """
    leaves = set(_value_fields())  # a mapping value (org.columns) is one column
    flat = dict(_flat({k: v for k, v in resolved.items() if k not in NOT_SCENARIO}, "", leaves))
    flat.update({f"{key}_sha256": digest for key, digest in digests.items()})
    if "org.columns" in flat:
        flat["org.columns"] = _mapped(flat["org.columns"])
    values = {}
    for field in scenario_schema():
        group = next((g for g, c in PRESETS.items() if c == field.name), None)
        value = choices.get(group) if group is not None else flat.get(field.name)
        if value is not None and field.type == pa.string() and not isinstance(value, str):
            value = json.dumps(value, sort_keys=True)
        values[field.name] = value
    return values


def _mapped(columns) -> dict | None:
    """``org.columns`` less the columns that go by their own names; None if none is mapped."""
    mapped = {k: v for k, v in (columns or {}).items() if v is not None}
    return mapped or None


def file_digest(path) -> str:
    """SHA-256 of a file's contents (hex), read in blocks; a file this process has read
    already, and that is as it was then, is not read again (sim.org reads them once)."""
    from sim.org import file_digest as digest

    return digest(path)


def input_digests(resolved, base_dir) -> dict:
    """``{key: SHA-256}`` of the job's input files (relative paths from ``base_dir``).

    Only files the job reads count: a generated org ignores ``org.path``.
    """
    if resolved.get("org", {}).get("source") != "csv":
        return {}
    digests = {}
    for key in INPUT_FILES:
        group, name = key.split(".")
        path = resolved.get(group, {}).get(name)
        if path:
            digests[key] = file_digest(schema.resolve_path(path, base_dir))
    return digests


def hashed_config(resolved, digests, choices=None) -> dict:
    """What the scenario hash covers: the config, with input files by contents, not by path,
    and the names of the presets chosen (``choices``: Hydra's ``runtime.choices``).

    The preset names are in the hash because every row carries them: two
    presets with the same values are two scenarios whose rows say which.
    """
    hashed = {k: v for k, v in resolved.items() if k not in NOT_SCENARIO}
    org = hashed.get("org")
    if isinstance(org, dict) and "columns" in org:
        # Headers mapped, by column; none mapped hashes as before org.columns existed.
        mapped = _mapped(org["columns"])
        hashed["org"] = {k: v for k, v in org.items() if k != "columns"}
        if mapped:
            hashed["org"]["columns"] = mapped
    for key in INPUT_FILES:
        group, name = key.split(".")
        if group in hashed and name in hashed[group]:
            hashed[group] = {**hashed[group], name: digests.get(key)}
    if choices is not None:
        hashed["presets"] = {column: choices.get(group) for group, column in PRESETS.items()}
    return hashed


def without_input_paths(tree, base_dir="."):
    """``tree`` (a config as plain dicts and lists) with every mention of the user's input
    files (``org.path``, ``org.ties``) replaced by ``sha256:<hex>`` of their contents.

    A file's name may be a person's (``chart-of-Jane-Doe.csv``) and its folder a home
    directory; the store identifies an input by its contents, as the runs' rows do. Values
    that are interpolations (the shipped example's ``${orgsim_examples:}``) stay as they are.
    """
    import os

    named = {}
    for group, key in (name.split(".") for name in INPUT_FILES):
        value = (tree.get(group) or {}).get(key)
        if isinstance(value, str) and value and not value.startswith("${"):
            try:
                digest = file_digest(os.path.join(base_dir, os.path.expanduser(value)))
            except OSError:
                digest = "unreadable"
            named[value] = f"sha256:{digest}"

    def clean(node):
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items()}
        if isinstance(node, list):
            return [clean(v) for v in node]
        if isinstance(node, str):
            for value, digest in named.items():
                node = node.replace(value, digest)
        return node

    return clean(tree) if named else tree
