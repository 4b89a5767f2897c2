"""Reports: figures, ranking and documents drawn from a results store.

This edge draws what :mod:`sim.results` reads (and :mod:`sim.analysis` and
:mod:`sim.validation` compute from it), and never reaches into the engine.
:func:`load` gives a store's finished runs with each run's strategy and the
axes that were swept; :func:`rank` orders strategies with their intervals
and ties (both :mod:`sim.results`'s, kept here by name); :mod:`sim.report.figures`
draws (DataFrame in, Figure out); :func:`write_report` writes ``report.html``,
``report.md``, ``runs.csv`` and ``summary.csv``. ``orgsim report DIR`` does
all of it.
"""

from sim.report.ranking import format_ranking
from sim.results import Results, load, rank

__all__ = ["Results", "format_ranking", "load", "rank", "write_report"]


def write_report(results, out=None, **options):
    """Write the report of ``results`` (see :func:`sim.report.writing.write_report`)."""
    from sim.report.writing import write_report as write

    return write(results, out, **options)
