"""Reading results: a store's finished runs, its designs, the ranking, labels and colours.

The layer between the store (:mod:`sim.store`, which writes and merges runs)
and what reads them (:mod:`sim.analysis`, :mod:`sim.validation`, then
:mod:`sim.report`, the classroom and the command line). It needs neither
Hydra nor the engine: a results folder copied to a laptop reads with pandas
and pyarrow alone.

- :func:`load` gives a store's finished runs as :class:`Results`: each
  run's strategy, the axes that were swept, the contexts they make
  (:mod:`sim.results.runs`);
- :func:`read_records` the sampled designs, checked against the runs
  (:mod:`sim.results.designs`);
- :func:`rank` orders strategies with their intervals and ties
  (:mod:`sim.results.ranking`); over a posterior ensemble, :func:`verdict_probabilities` and
  :func:`lead_across_draws` say how often each is best and by how much
  (:mod:`sim.results.ensemble`), and :func:`attribute_lead` which channels carry a lead
  (:mod:`sim.results.why`);
- :func:`metric_label`, :func:`format_value`, :func:`format_interval` and
  :func:`palette` say it in words and colours (:mod:`sim.results.labels`),
  from the one vocabulary of metrics (:data:`sim.metrics.METRICS`).
"""

from sim.metrics import (
    BEHAVIOR_NAMES,
    METRICS,
    Metric,
    behaviors,
    format_metric,
    higher_is_better,
    is_outcome,
    is_share,
    lookup,
    metric_label,
    of_patterns,
    outcome_metrics,
)
from sim.results.designs import FOLDER, METHODS, Record, check_runs, parse_record, read_records
from sim.results.ensemble import lead_across_draws, verdict_probabilities
from sim.results.labels import (
    CULTURE_DIALS,
    context_label,
    culture_dials,
    format_interval,
    format_value,
    palette,
    strategy_labels,
)
from sim.results.ranking import COLUMNS, rank
from sim.results.runs import (
    PAIR,
    ReportError,
    Results,
    assemble,
    check_metric,
    in_context,
    load,
    missing,
    pair_keys,
)
from sim.results.why import attribute_lead

__all__ = [
    "BEHAVIOR_NAMES",
    "COLUMNS",
    "CULTURE_DIALS",
    "FOLDER",
    "METHODS",
    "METRICS",
    "PAIR",
    "Metric",
    "Record",
    "ReportError",
    "Results",
    "assemble",
    "attribute_lead",
    "behaviors",
    "check_metric",
    "check_runs",
    "context_label",
    "culture_dials",
    "format_interval",
    "format_metric",
    "format_value",
    "higher_is_better",
    "in_context",
    "is_outcome",
    "is_share",
    "lead_across_draws",
    "load",
    "lookup",
    "metric_label",
    "missing",
    "of_patterns",
    "outcome_metrics",
    "pair_keys",
    "palette",
    "parse_record",
    "rank",
    "read_records",
    "strategy_labels",
    "verdict_probabilities",
]
