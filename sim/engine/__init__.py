"""Runs as compiled calls: whole runs and batches of replications, with no Python per week.

:mod:`sim.engine.organizational` runs the organizational rule under a
rollout, :mod:`sim.engine.classic` the classic rules (threshold, Bass, independent
cascade); each module gives the numbers of the stepped Mesa model to the last
bit, and says what it does not take (those runs go week by week).
"""

from sim.engine.classic import (
    ClassicRuns,
    classic_compilable,
    classic_tables,
    run_classic_compiled,
    run_network,
)
from sim.engine.organizational import CompiledRuns, Runs, compilable, run_compiled

__all__ = [
    "ClassicRuns",
    "CompiledRuns",
    "Runs",
    "classic_compilable",
    "classic_tables",
    "compilable",
    "run_classic_compiled",
    "run_compiled",
    "run_network",
]
