"""Imports point one way: kernels and networks stay free of Mesa, Hydra and pandas, and every
module imports from its own floor of the house or below, with no cycle (the import contract)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "sim.kernels",
        "sim.networks",
        "sim.rules",
        "sim.org",
        "sim.population",
        "sim.plan",
        "sim.rollout",
    ],
)
def test_no_heavy_imports(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('mesa', 'hydra', 'omegaconf', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_contract():
    import sim
    from sim import OrgModel, networks, rules

    assert OrgModel.__module__ == "sim.model"
    for name in ("from_edges", "from_networkx", "small_world", "erdos_renyi", "ring_lattice"):
        assert callable(getattr(networks, name))
    for name in ("Threshold", "Bass", "IndependentCascade", "Organizational", "Behavior"):
        assert isinstance(getattr(rules, name), type)
    from sim import Culture, Org, Population, RolloutPlan, org

    assert Org is org.Org and callable(org.generate) and callable(org.from_csv)
    assert {Culture.__module__, Population.__module__} == {"sim.population"}
    assert RolloutPlan.__module__ == "sim.rollout.plan"
    # The rollout's modules moved into sim.rollout; their old names still work.
    from sim.plan import RolloutPlan as old_plan
    from sim.rollout import Rollout, RolloutSchedule
    from sim.schedule import RolloutSchedule as old_schedule
    from sim.seeding import choose_champions

    assert old_plan is RolloutPlan and old_schedule is RolloutSchedule
    assert callable(choose_champions) and Rollout.__module__ == "sim.rollout.strategy"
    assert callable(OrgModel.adoption_by)
    assert callable(OrgModel.run) and callable(OrgModel.step)
    assert isinstance(OrgModel.adoption, property)
    with pytest.raises(AttributeError):
        sim.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    "module", ["sim.analysis.study", "sim.analysis.sections", "sim.analysis.cli"]
)
def test_the_analysis_reads_the_store_not_the_engine(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('mesa', 'sim.model', 'sim.scenario', 'sim.state') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the import contract: one way, no cycles ---------------------------------------------

#: The floors of the house, bottom first (../shared/STYLE.md): a module imports from its own
#: floor or below. The longest prefix names a module's floor. `sim` itself is the public
#: facade, imported lazily, and stands outside.
FLOORS = [
    ("base", ["sim._rng", "sim._validation", "sim._moved", "sim.stats", "sim.kernels"]),
    ("domain", ["sim.networks", "sim.org", "sim.population", "sim.rules", "sim.rollout",
                "sim.plan", "sim.schedule", "sim.seeding", "sim.schema", "sim.facts",
                "sim._memory", "sim.posterior", "sim.channels"]),
    ("engine", ["sim.engine", "sim.ladder", "sim.state", "sim.tables", "sim._inputs", "sim.model",
                "sim.records",
                "sim.agents", "sim.scenario", "sim.metrics", "sim.engine.variants"]),
    ("store", ["sim.store", "sim.columns"]),
    ("results", ["sim.results", "sim.compare"]),
    ("reading", ["sim.analysis", "sim.validation", "sim.calibrate"]),
    ("edge", ["sim.report", "sim.app", "sim.cli", "sim.calibrate.cli", "sim.calibrate.study",
              "sim.calibrate.report", "sim.conf", "sim.checks",
              "sim.precheck", "sim.sweep", "sim.job", "sim.workers", "sim._hydra", "sim._help",
              "sim._entry"]),
]  # fmt: skip

SIM = Path(__file__).resolve().parent.parent / "sim"


def _modules():
    """``{module name: path}`` of every module of the package (scripts in data folders aside)."""
    found = {}
    for path in SIM.rglob("*.py"):
        parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
        if "examples" in parts or "configs" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name, path, modules):
    """The sim modules ``name`` imports, anywhere in it (a lazy import is an import too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            named |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "sim":
                continue
            for alias in node.names:
                below = f"{base}.{alias.name}"
                named.add(below if below in modules else base)
    return {m for m in named if m in modules and m != name}


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _floor(module):
    best = None
    for level, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[1]
            ):
                best = (level, len(prefix))
    return None if best is None else best[0]


def test_every_module_has_a_floor():
    assert [m for m in _graph() if m != "sim" and _floor(m) is None] == []


def test_imports_point_one_way():
    upward = [
        f"{a} ({FLOORS[_floor(a)][0]}) imports {b} ({FLOORS[_floor(b)][0]})"
        for a, targets in _graph().items()
        for b in targets
        if "sim" not in (a, b) and _floor(a) is not None and _floor(b) is not None
        and _floor(b) > _floor(a)
    ]  # fmt: skip
    assert upward == []


def test_no_import_cycle():
    import networkx as nx

    graph = nx.DiGraph(
        (a, b) for a, targets in _graph().items() for b in targets if "sim" not in (a, b)
    )
    assert [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1] == []


def test_the_contract_catches_a_planted_cycle_and_an_upward_import(tmp_path, monkeypatch):
    """The checks above can fail: a kernel that imports the report is caught twice."""
    package = tmp_path / "sim"
    (package / "kernels").mkdir(parents=True)
    (package / "report").mkdir()
    (package / "__init__.py").write_text("")
    (package / "kernels" / "__init__.py").write_text("from sim.report import draw\n")
    (package / "report" / "__init__.py").write_text("from sim.kernels import run\n")
    monkeypatch.setattr(sys.modules[__name__], "SIM", package)
    graph = _graph()
    assert graph["sim.kernels"] == {"sim.report"} and graph["sim.report"] == {"sim.kernels"}
    with pytest.raises(AssertionError):
        test_imports_point_one_way()
    with pytest.raises(AssertionError):
        test_no_import_cycle()
