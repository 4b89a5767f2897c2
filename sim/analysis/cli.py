"""Deprecated: ``orgsim analyze`` draws a report, so its command lives with the report's
(:func:`sim.report.cli.analyze_main`); this name warns and is removed in 0.3."""

from sim._moved import moved_names

__getattr__ = moved_names("sim.analysis.cli", {"analyze_main": "sim.report.cli"})
