"""Calibration: what the evidence allows of the model's loose parameters.

:func:`abc_smc` runs approximate Bayesian computation (pyABC's ABC-SMC, the ``calibrate``
extra) for any simulator given as a function of a parameter dict, over a box prior, and
returns the weighted posterior sample; :func:`weighted_interval` summarises one parameter of
it. The simulator is the caller's.

A company's own pilot: :mod:`sim.calibrate.pilot` reads and checks its analytics,
:mod:`sim.calibrate.study` runs the pilot's scenario for ABC and the forecasts (the one module
here that runs the engine, through :mod:`sim.engine.variants`), :mod:`sim.calibrate.fit` holds the
arithmetic, :mod:`sim.calibrate.report` and :mod:`sim.calibrate.drawing` what ``orgsim calibrate``
(:mod:`sim.calibrate.cli`) writes and draws.
"""

from sim.calibrate.abc import CalibrationError, abc_smc, box_prior, weighted_interval

__all__ = ["CalibrationError", "abc_smc", "box_prior", "weighted_interval"]
