"""Reports: figures, ranking and documents drawn from a results store.

This edge reads the store (:mod:`sim.store`) and never reaches into the
engine. :func:`load` gives a store's finished runs with each run's strategy
and the axes that were swept; :func:`rank` orders strategies with their
intervals and ties; :mod:`sim.report.figures` draws (DataFrame in, Figure
out); :func:`write_report` writes ``report.html``, ``report.md``,
``runs.csv`` and ``summary.csv``. ``orgsim report DIR`` does all of it.
"""

from sim.report.ranking import format_ranking, rank
from sim.report.results import Results, load

__all__ = ["Results", "format_ranking", "load", "rank", "write_report"]


def write_report(results, out=None, **options):
    """Write the report of ``results`` (see :func:`sim.report.writing.write_report`)."""
    from sim.report.writing import write_report as write

    return write(results, out, **options)
