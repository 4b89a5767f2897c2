"""Old import paths that still work, with a warning: ``DeprecationWarning`` naming the new
path and the version that removes the old one (as scikit-learn and Mesa do)."""

from __future__ import annotations

import warnings
from importlib import import_module

__all__ = ["REMOVED_IN", "moved_names", "warn_moved"]

#: The version that removes the old paths (orgsim is 0.1.0).
REMOVED_IN = "0.3"


def warn_moved(old: str, new: str, stacklevel: int = 3) -> None:
    """Say that ``old`` (a module or a name) is now ``new``, and when ``old`` goes."""
    warnings.warn(
        f"{old} is deprecated and will be removed in {REMOVED_IN}: import {new} instead.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def moved_names(module: str, names: dict[str, str]):
    """A module ``__getattr__`` for names that left ``module``: ``{name: new module}``."""

    def __getattr__(name):
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warn_moved(f"{module}.{name}", f"{names[name]}.{name}")
        return getattr(import_module(names[name]), name)

    return __getattr__
