"""One recorded design, analysed: indices, regret and boxes per context.

:func:`analyze` takes a store's results (:func:`sim.results.load`) and one of
its designs (:class:`~sim.results.designs.Record`) and computes everything
the terminal and the report show:

- per context (the axes that are not sampled) and strategy, the design's
  indices (:func:`sim.analysis.sensitivity.indices`);
- with two strategies or more, each one's outcome and regret per world and
  across worlds (:mod:`sim.analysis.robust`), and where each one wins: a
  PRIM box per strategy that wins often enough, and a classification tree of
  the winners (:mod:`sim.analysis.discovery`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.analysis import discovery, robust, sensitivity
from sim.analysis.sensitivity import AnalysisError
from sim.metrics import higher_is_better
from sim.results import ReportError, check_metric, in_context

__all__ = ["Analysis", "AnalysisError", "analyze"]

#: A strategy gets a box only where it won at least this many worlds, and this share.
MIN_WINS, MIN_WIN_SHARE = 5, 0.05


@dataclass
class Analysis:
    """What :func:`analyze` found for one design.

    Attributes
    ----------
    record : Record
    metric : str
    higher : bool
        Whether more of the metric is better.
    contexts : list of (label, where)
    worlds : DataFrame
        The sample: ``point`` and a column per parameter.
    indices : DataFrame
        Context columns, ``strategy``, then :func:`sensitivity.indices` columns.
    regret : DataFrame
        Context columns and :func:`robust.regret` columns (empty with one strategy).
    robustness : DataFrame
        Context columns and :func:`robust.robustness` columns.
    boxes : DataFrame
        Context columns, ``strategy``, ``box`` (:class:`discovery.Box` or None),
        ``wins``, ``worlds``, ``method``.
    leaves : DataFrame
        Context columns and :func:`discovery.cart_leaves` columns.
    notes : list of str
        What could not be computed, and why (one line each).
    """

    record: object
    metric: str
    higher: bool
    contexts: list
    worlds: pd.DataFrame
    indices: pd.DataFrame = field(default_factory=pd.DataFrame)
    regret: pd.DataFrame = field(default_factory=pd.DataFrame)
    robustness: pd.DataFrame = field(default_factory=pd.DataFrame)
    boxes: pd.DataFrame = field(default_factory=pd.DataFrame)
    leaves: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)

    @property
    def strategies(self) -> list:
        return sorted(self.regret["strategy"].unique()) if not self.regret.empty else []

    def select(self, table: str, where: dict) -> pd.DataFrame:
        frame = getattr(self, table)
        return frame if frame.empty else in_context(frame, where)


def _tag(frame, where):
    for axis, value in reversed(list(where.items())):
        frame.insert(0, axis, value)
    return frame


def analyze(results, record, metric=None) -> Analysis:
    """Analyse ``record``'s runs among ``results`` by ``metric`` (default: the design's
    ``analysis.metric``, else the report's). Raises AnalysisError when the metric is
    not a column of the runs, or no run of the design has finished."""
    metric = metric or record.metric or results.default_metric()
    try:
        check_metric(metric, results.runs, option="--metric" if metric != record.metric else
                     f"{record.path}: analysis.metric")  # fmt: skip
    except ReportError as error:
        raise AnalysisError(str(error)) from None
    higher = higher_is_better(metric)
    axes = [a for a in results.axes if a in results.runs.columns]
    values = sensitivity.outputs(results.runs, record, metric, by=["strategy", *axes])
    if values.empty:
        raise AnalysisError(f"{record.path}: no run of this design has finished yet")
    worlds = pd.DataFrame(record.sample, columns=record.names)
    worlds.insert(0, "point", range(len(worlds)))
    contexts = results.contexts() if axes else [("", {})]
    found = Analysis(record, metric, higher, contexts, worlds)
    indices, regrets, summaries, boxes, leaves = [], [], [], [], []
    prim = discovery.prim_available()
    for label, where in contexts:
        own = in_context(values, where)
        failed, sums = {}, {}
        for strategy, part in own.groupby("strategy", sort=True):
            try:
                table = sensitivity.indices(record, part)
            except AnalysisError as error:
                failed.setdefault(str(error), []).append(strategy)
                continue
            indices.append(_tag(table, {**where, "strategy": strategy}))
            if "S1" in table:
                sums[strategy] = float(table["S1"].sum())
        for error, strategies in failed.items():
            found.notes.append(f"{_where(label, _who(strategies))}: {error}")
        over = {k: v for k, v in sums.items() if v > 1 + S1_TOLERANCE}
        if over:
            found.notes.append(
                f"{_where(label, _who(list(over)))}: the first-order indices sum to "
                f"{max(over.values()):.2f}, more than 1 (they are shares of one variance): "
                f"the sample is too small for them (analysis.samples="
                f"{record.settings['samples']}); read them as a ranking at most, or raise "
                "analysis.samples"
            )
        if own["strategy"].nunique() < 2:
            continue
        table = robust.regret(own, higher=higher)
        if table.empty:
            found.notes.append(f"{_where(label)}: no world where every strategy has finished")
            continue
        regrets.append(_tag(table.copy(), where))
        summary = robust.robustness(table)
        if "cost_total" in results.runs:
            costs = _costs(results.runs, record, where)
            summary["cost"] = summary["strategy"].map(costs)
            found.notes += _unequal_costs(summary, label)
        summaries.append(_tag(summary, where))
        x = worlds.set_index("point").loc[table["point"].unique()]
        winners = table[table["winner"]].set_index("point").loc[x.index, "strategy"]
        for strategy in sorted(table["strategy"].unique()):
            won = (winners == strategy).to_numpy()
            row = {
                **where,
                "strategy": strategy,
                "wins": int(won.sum()),
                "worlds": int(won.shape[0]),
                "box": None,
                "method": "prim",
            }
            enough = won.sum() >= max(MIN_WINS, MIN_WIN_SHARE * won.shape[0])
            if prim and enough and not won.all():
                row["box"] = discovery.prim_box(x, won, threshold=record.settings["threshold"])
            boxes.append(row)
        if winners.nunique() > 1:
            try:
                tree = discovery.cart_leaves(x, winners.to_numpy())
            except ImportError:
                found.notes.append(
                    "scenario discovery needs scikit-learn: pip install 'orgsim[analysis]'"
                )
            else:
                leaves.append(_tag(tree, where))
    if not prim and boxes:
        found.notes.append(
            "PRIM boxes need EMA Workbench: pip install 'orgsim[analysis]' "
            "(the tree of winners below is scikit-learn's)"
        )
    found.indices = pd.concat(indices, ignore_index=True) if indices else pd.DataFrame()
    found.regret = pd.concat(regrets, ignore_index=True) if regrets else pd.DataFrame()
    found.robustness = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame()
    found.boxes = pd.DataFrame(boxes)
    found.leaves = pd.concat(leaves, ignore_index=True) if leaves else pd.DataFrame()
    return found


#: Strategies whose mean cost differs from the median strategy's by more than this share
#: are named: their comparison is not at equal budget.
COST_TOLERANCE = 0.1


def _costs(runs, record, where) -> pd.Series:
    """Mean ``cost_total`` per strategy over the design's runs in one context."""
    mine = runs[runs["design"] == record.digest] if "design" in runs else runs
    mine = in_context(mine, where)
    return mine.groupby("strategy")["cost_total"].mean()


def _unequal_costs(summary, label) -> list:
    """A note per strategy that spent far more or less than the others (not a fair race)."""
    middle = float(summary["cost"].median())
    notes = []
    for row in summary.itertuples(index=False):
        # Spending less than the budget (training capacity ran out first) buys nothing.
        if middle > 0 and row.cost > (1 + COST_TOLERANCE) * middle:
            notes.append(
                f"{_where(label, row.strategy)}: not at equal budget, it spent "
                f"{row.cost:,.0f} person-days on average against a median of "
                f"{middle:,.0f} (its leaders or launch cost more than the budget); "
                "weigh its lead against its cost"
            )
    return notes


#: First-order indices are shares of one variance; a sum beyond 1 by more than this is the
#: estimator's noise, not the model's (a sample too small for its indices).
S1_TOLERANCE = 0.1


def _who(strategies) -> str:
    return strategies[0] if len(strategies) == 1 else f"{len(strategies)} strategies"


def _where(label, strategy=None) -> str:
    parts = [p for p in (label, strategy) if p]
    return ", ".join(parts) if parts else "all runs"
