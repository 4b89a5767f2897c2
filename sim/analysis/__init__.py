"""Which dial matters, and where each strategy wins: sensitivity analysis and scenario discovery.

This edge reads the store and never reaches into the engine. A design
(:mod:`sim.analysis.design`: Morris, Sobol or a Latin hypercube over declared
ranges, the ``analysis`` config section) runs as a normal sweep; then
:mod:`sim.analysis.sensitivity` computes SALib's indices with bootstrap
intervals, :mod:`sim.analysis.robust` each strategy's regret across the
sampled worlds, and :mod:`sim.analysis.discovery` the boxes of the
uncertainty space where a strategy wins (PRIM from EMA Workbench, CART from
scikit-learn). ``orgsim analyze DIR`` prints them and writes them into the
store's report.
"""
