"""Runs as compiled calls: whole runs and batches of replications, with no Python per week.

:mod:`sim.engine.organizational` runs the organizational rule under a
rollout; each module gives the numbers of the stepped Mesa model to the last
bit, and says what it does not take (those runs go week by week).
"""

from sim.engine.organizational import CompiledRuns, Runs, compilable, run_compiled

__all__ = ["CompiledRuns", "Runs", "compilable", "run_compiled"]
