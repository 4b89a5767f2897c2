"""Deprecated: a store's runs are read by :mod:`sim.results` (the results layer, which needs
neither Hydra nor the engine); these names warn and are removed in 0.3."""

from sim._moved import moved_names

__getattr__ = moved_names(
    "sim.report.results",
    dict.fromkeys(
        (
            "BEHAVIOR_NAMES",
            "ReportError",
            "Results",
            "assemble",
            "check_metric",
            "context_label",
            "format_interval",
            "format_value",
            "in_context",
            "load",
            "metric_label",
            "missing",
            "strategy_labels",
        ),
        "sim.results",
    ),
)
