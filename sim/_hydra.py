"""Every use of Hydra's private API, in one place.

orgsim reaches past Hydra's public API for six things: parsing Hydra's own
command line before Hydra runs (``get_args_parser``), subclassing its config
loader and basic sweeper (``ConfigLoaderImpl``, ``BasicSweeper``: composing
once per shape, crossing a grid with a design), expanding a grid as the basic
sweeper does, reading a job's return value without raising it
(``JobReturn._return_value``), preparing the joblib launcher's settings as
that launcher does (``process_joblib_cfg``), and keeping a worker's plugins from
one job to the next (``Singleton.set_state``). These are not covered by Hydra's
compatibility promise, so the versions they were tested with are pinned in
``pyproject.toml`` (:data:`SUPPORTED`; ``tests/cli/test_hydra.py`` fails with a
clear message when the installed Hydra is outside it). A new Hydra release
means reading this module against it, and nothing else.
"""

from __future__ import annotations

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname

__all__ = [
    "SUPPORTED",
    "ConfigLoaderImpl",
    "apply_values",
    "basic_sweeper",
    "batches",
    "grid",
    "job_error",
    "joblib_settings",
    "keep_plugins",
    "overrides_dirname",
    "parse_args",
]

#: The Hydra versions this module was tested with (``pyproject.toml`` pins the same).
SUPPORTED = {"hydra-core": ">=1.3.2,<1.4", "hydra-joblib-launcher": ">=1.2.0,<1.3"}


def parse_args(argv):
    """Hydra's own command line (``-m``, ``--cfg``, the overrides), parsed as Hydra will."""
    from hydra._internal.utils import get_args_parser

    return get_args_parser().parse_args(argv)


def basic_sweeper():
    """Hydra's basic sweeper and its config schema, ``(BasicSweeper, BasicSweeperConf)``.

    Looked up at each call: Hydra's plugin scan executes its core plugins' modules again,
    so a class kept from an earlier import is no longer the one its own methods name.
    """
    from hydra._internal.core_plugins import basic_sweeper

    return basic_sweeper.BasicSweeper, basic_sweeper.BasicSweeperConf


def grid(overrides) -> list[list[str]]:
    """Every job of a sweep's parsed overrides, as Hydra's basic sweeper expands them."""
    return basic_sweeper()[0].split_arguments(overrides, None)[0]


def batches(jobs, max_batch_size):
    """``jobs`` in batches of ``max_batch_size``, as Hydra's basic sweeper hands them out."""
    return list(basic_sweeper()[0].split_overrides_to_chunks(jobs, max_batch_size))


def apply_values(values, cfg) -> None:
    """Set parsed value overrides on a composed ``cfg``, as Hydra's loader does."""
    ConfigLoaderImpl._apply_overrides_to_config(values, cfg)


def overrides_dirname(overrides, naming) -> str:
    """``hydra.job.override_dirname`` of ``overrides`` (``naming``: its settings)."""
    return get_overrides_dirname(
        overrides=overrides,
        kv_sep=naming.kv_sep,
        item_sep=naming.item_sep,
        exclude_keys=naming.exclude_keys,
    )


def job_error(job_return):
    """What a job raised or returned, read without raising it (Hydra's property raises)."""
    return getattr(job_return, "_return_value", None)


def joblib_settings(launcher_config) -> dict:
    """The joblib launcher's settings as it passes them to ``joblib.Parallel``."""
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg
    from omegaconf import OmegaConf

    settings = {k: v for k, v in OmegaConf.to_container(launcher_config).items() if k != "_target_"}
    settings["backend"] = "loky"
    process_joblib_cfg(settings)
    return settings


def keep_plugins() -> None:
    """Keep Hydra's plugins from one job of this worker process to the next.

    Hydra's joblib launcher hands each job the state of Hydra's singletons without
    its plugins (they do not pickle), and ``Singleton.set_state`` discovers them all
    again, importing and scanning every plugin module: ~45 ms a job, more than many
    jobs simulate. In one worker process the plugins found are the same each time,
    so the first job's are kept.
    """
    from hydra.core.plugins import Plugins
    from hydra.core.singleton import Singleton

    found = Plugins.instance()
    set_state = Singleton.set_state

    def with_plugins(state):
        state["instances"].setdefault(Plugins, found)
        set_state(state)

    Singleton.set_state = staticmethod(with_plugins)
