"""Deprecated: design files are read by :mod:`sim.results.designs` (the results layer, which
needs neither Hydra nor the engine); these names warn and are removed in 0.3."""

from sim._moved import moved_names

__getattr__ = moved_names(
    "sim.analysis.records",
    dict.fromkeys(("check_runs", "parse_record", "read_records"), "sim.results.designs"),
)
