"""The results layer (sim.results): it reads a store with neither Hydra nor the engine, the
old paths warn, and the analysis and validation never import the report."""

import ast
import subprocess
import sys

import pytest

from tests.helpers import ROOT

SIM = ROOT / "sim"


def test_reading_results_needs_neither_hydra_nor_the_engine():
    heavy = ("hydra", "omegaconf", "sim.conf", "sim.model", "mesa", "numba")
    code = f"import sys, sim.results; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _sim_imports(path):
    """The sim modules a file imports by statement (lazy imports included)."""
    named = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            named |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            named |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return {n for n in named if n.startswith("sim.")}


@pytest.mark.parametrize("package", ["analysis", "validation", "results"])
def test_what_reads_results_never_imports_the_report(package):
    reaching = {
        path.name: sorted(n for n in _sim_imports(path) if n.startswith("sim.report"))
        for path in (SIM / package).glob("*.py")
    }
    assert {k: v for k, v in reaching.items() if v} == {}


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("sim.report.results", "load", "sim.results"),
        ("sim.report.results", "metric_label", "sim.results"),
        ("sim.report.results", "ReportError", "sim.results"),
        ("sim.analysis.records", "read_records", "sim.results.designs"),
        ("sim.analysis.cli", "analyze_main", "sim.report.cli"),
        ("sim.report.figures", "FIXED", "sim.results.labels"),
        ("sim.report.document", "write_report", "sim.report.writing"),
    ],
)
def test_old_paths_warn_naming_the_new_one_and_the_version(old, name, new):
    import importlib

    module = importlib.import_module(old)
    with pytest.warns(
        DeprecationWarning, match=rf"{old}\.{name} .* removed in 0\.3.*{new}\.{name}"
    ):
        moved = getattr(module, name)
    assert moved is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def test_public_names_keep_working_without_a_warning(recwarn):
    import sim.compare
    import sim.metrics
    import sim.report
    import sim.results
    from sim.report import figures
    from sim.report.ranking import format_ranking, higher_is_better, rank

    assert sim.report.load is sim.results.load and sim.report.rank is sim.results.rank
    assert sim.report.format_ranking is format_ranking and rank is sim.results.rank
    assert higher_is_better is sim.metrics.higher_is_better
    assert figures.palette is sim.results.palette and callable(figures.winner_map)
    assert sim.compare.replications_needed is sim.stats.replications_needed
    assert callable(sim.metrics.intervals) and callable(sim.metrics.summary)
    assert [w for w in recwarn if issubclass(w.category, DeprecationWarning)] == []
