"""The organization a job runs, as validated parameters: generated, read from CSV, or a
network alone.

:class:`OrgSpec` stores and checks what makes the org (the hierarchy's
parameters, the chart's files and column names, the informal network's
:class:`~sim.networks.NetworkSpec`) and raises
:class:`~sim.networks.spec.InvalidParameterError` naming the parameter at
fault, before anything large is read or drawn; :meth:`OrgSpec.make` makes it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.networks.generators import rewired
from sim.networks.spec import InvalidParameterError, NetworkSpec, named
from sim.org.core import Org
from sim.org.generate import check_hierarchy, check_ties, generate
from sim.org.load import check_columns, from_csv

__all__ = ["SOURCES", "OrgSpec"]

#: ``source``: where the org comes from.
SOURCES = ("generate", "csv")


class OrgSpec:
    """How a job's organization is made.

    Parameters
    ----------
    source : {"generate", "csv"}
        A generated company, or an org chart read from ``path``.
    headcount, span_median, span_mean, units
        The generated hierarchy (:func:`sim.org.hierarchy`); ``headcount`` is also
        the size of a network alone.
    path, ties : path or None
        ``source="csv"``: the org chart and, optionally, its ties (generated from the
        chart without one); already resolved against where the command runs.
    columns : dict or None
        ``source="csv"``: the chart's header for each column orgsim reads, when it is
        named otherwise (:func:`sim.org.from_csv`).
    allow_forest : bool
        ``source="csv"``: whether the chart may have several heads.
    seed : int
        The org's own seed: the org is an uncertainty held fixed across replications.
    network : NetworkSpec
        The informal ties (beside the hierarchy, or a network alone).

    Raises
    ------
    InvalidParameterError
        For the first parameter that cannot run (``parameter``: ``source``, ``path``,
        ``columns``, ``hierarchy``, ``ties``, or the network's own).
    """

    def __init__(self, source="generate", *, headcount=2000, span_median=5.5, span_mean=10.5,
                 units=None, path=None, ties=None, columns=None, allow_forest=False, seed=0,
                 network=None):  # fmt: skip
        self.source = source
        self.hierarchy = {"headcount": headcount, "span_median": span_median,
                          "span_mean": span_mean, "units": units}  # fmt: skip
        self.path, self.ties, self.allow_forest, self.seed = path, ties, allow_forest, seed
        self.columns = {k: v for k, v in (columns or {}).items() if v is not None}
        self.network = NetworkSpec() if network is None else network
        if self.network.alone:
            return
        net = self.network
        if source == "csv":
            if not path:
                raise InvalidParameterError(
                    "path", "the org chart CSV to read (org.source=csv). Got none."
                )
            named("ties", lambda: check_ties(net.mean_degree, net.openness, 1, "network"))
            self.columns = named("columns", lambda: check_columns(self.columns))
            return
        if source != "generate":
            raise InvalidParameterError(
                "source", f"must be {' or '.join(repr(s) for s in SOURCES)}. Got {source!r}."
            )
        if self.columns:
            raise InvalidParameterError(
                "columns",
                "maps the columns of an org chart CSV (org=from_csv); a generated org has "
                "none. Leave it out.",
            )
        checked = named("hierarchy", lambda: check_hierarchy(**self.hierarchy, owner="org"))
        named("ties", lambda: check_ties(net.mean_degree, net.openness, checked[0], "network"))

    def make(self, rng=None) -> Org:
        """The org; a network alone is drawn from ``rng`` when given (a replication's own
        stream), else from the org's seed."""
        net = self.network
        if net.alone:
            n = net.people
            return Org(manager=np.full(n, -1), unit=np.zeros(n, dtype=np.int64),
                       unit_names=("all",), network=net.draw(self.seed if rng is None else rng),
                       allow_forest=True)  # fmt: skip
        ties = {"mean_degree": net.mean_degree, "openness": net.openness, "seed": self.seed}
        if self.source == "csv":
            org = from_csv(self.path, self.ties, allow_forest=self.allow_forest,
                           columns=self.columns, **ties)  # fmt: skip
        else:
            org = generate(**self.hierarchy, **ties)
        if net.rewire > 0.0:
            # A stream of its own from the org's seed: the org is the one drawn without
            # rewiring, and every replication shares the rewired ties.
            (stream,) = np.random.default_rng(self.seed).spawn(1)
            org = replace(org, network=rewired(org.network, net.rewire, seed=stream))
        return org
