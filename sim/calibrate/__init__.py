"""Calibration: what the evidence allows of the model's loose parameters.

:func:`abc_smc` runs approximate Bayesian computation (pyABC's ABC-SMC, the ``calibrate``
extra) for any simulator given as a function of a parameter dict, over a box prior, and
returns the weighted posterior sample; :func:`weighted_interval` summarises one parameter of
it. The simulator is the caller's: this package never reaches into the engine.
"""

from sim.calibrate.abc import CalibrationError, abc_smc, box_prior, weighted_interval

__all__ = ["CalibrationError", "abc_smc", "box_prior", "weighted_interval"]
