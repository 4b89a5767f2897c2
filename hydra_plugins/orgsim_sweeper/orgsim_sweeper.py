"""orgsim's sweeper: Hydra's basic sweeper with job configs composed once per shape,
crossed with a sampled design.

Selected in ``configs/config.yaml`` (``override hydra/sweeper: orgsim``). It
takes the same settings as ``hydra/sweeper=basic`` (``params``,
``max_batch_size``) and expands a grid the same way; when the config declares
a design (``analysis.method``, ``analysis.parameters``: Morris, Sobol or a
Latin hypercube, :mod:`sim.analysis.design`), every point of the sample is run
with every job of the grid (:func:`sim.sweep.expand`), through whichever
launcher is chosen. Composing is cheaper (:class:`sim.sweep.SweepConfigLoader`),
in the main process, where Hydra checks every job before launching, and in
every worker. Small jobs of one shape go to the launcher in chunks, one Hydra
job each (:func:`sim.sweep.chunk_jobs`; ``hydra.sweeper.chunk_runs``).
"""

import os
from dataclasses import dataclass

from hydra.core.config_store import ConfigStore
from hydra.types import HydraContext

from sim import _hydra
from sim.sweep import CHUNK_RUNS

BasicSweeper, BasicSweeperConf = _hydra.basic_sweeper()


@dataclass
class OrgsimSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.orgsim_sweeper.orgsim_sweeper.OrgsimSweeper"
    #: Jobs of fewer runs are run in chunks of about this many runs (1: each on its own).
    chunk_runs: int = CHUNK_RUNS


ConfigStore.instance().store(
    group="hydra/sweeper", name="orgsim", node=OrgsimSweeperConf, provider="orgsim"
)


class OrgsimSweeper(BasicSweeper):
    """Hydra's basic sweeper, composing through :class:`sim.sweep.SweepConfigLoader`."""

    def __init__(self, max_batch_size=None, params=None, chunk_runs=CHUNK_RUNS):
        super().__init__(max_batch_size=max_batch_size, params=params)
        self.chunk_runs = int(chunk_runs)

    def setup(self, *, hydra_context, task_function, config):
        from sim.sweep import SweepConfigLoader, current

        #: The command ``orgsim`` runs (whether it checked every job first; what failed).
        self.command = current()

        hydra_context = HydraContext(
            config_loader=SweepConfigLoader.wrapping(hydra_context.config_loader),
            callbacks=hydra_context.callbacks,
        )
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def split_arguments(self, overrides, max_batch_size):
        """Hydra's grid, crossed with the design's points, small jobs chunked, in batches."""
        from sim.sweep import chunk_jobs, expand

        jobs, _, _ = expand(_hydra.grid(overrides), self.config.get("analysis"),
                            self.config.get("ensemble"), self.config.get("why"))  # fmt: skip
        loader = self.hydra_context.config_loader
        jobs = chunk_jobs(jobs, loader.shape_of, self._runs_of, self._workers(), self.chunk_runs)
        return _hydra.batches(jobs, max_batch_size)

    def _runs_of(self, job) -> int:
        """The replications a job runs (a chunk of its own when they cannot be told)."""
        value = self.config.get("replications")
        for line in job:
            key, _, text = line.partition("=")
            value = text if key == "replications" else value
        try:
            return int(value)
        except (TypeError, ValueError):
            return self.chunk_runs

    def _workers(self) -> int:
        """How many jobs the launcher runs at once, as joblib counts ``n_jobs``; else the cores."""
        cores = os.cpu_count() or 1
        n_jobs = (self.config.hydra.get("launcher") or {}).get("n_jobs")
        if not isinstance(n_jobs, int) or n_jobs == 0:
            return cores
        return n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)

    def sweep(self, arguments):
        """Hydra's sweep, with ``multirun.yaml`` written whole or not at all and without the
        user's file names; jobs that could not write their results are noted for ``orgsim``.

        Hydra's own loop (``BasicSweeper.sweep``), but for how ``multirun.yaml`` is written:
        Hydra writes it in place (a full disk leaves half a file and a traceback) and with
        ``org.path`` as typed (a file's name may be a person's).
        """
        from hydra.core.override_parser.overrides_parser import OverridesParser

        from sim import sweep

        params = [f"{k}={v}" for k, v in self.params.items()] + list(arguments)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        self.overrides = self.split_arguments(parser.parse_overrides(params), self.max_batch_size)
        self._save_config()
        returns, first = [], 0
        while not self.is_done():
            batch = self.get_job_batch()
            self.validate_batch_is_legal(batch)
            results = self.launcher.launch(batch, initial_job_idx=first)
            for job in results:
                _ = job.return_value  # raises a job's exception, as in Hydra
                value = _hydra.job_error(job)
                for each in value if isinstance(value, sweep.Chunked) else [value]:
                    if isinstance(each, sweep.JobFailed):
                        self.command.failures.append(str(each))
            first += len(batch)
            returns.append(results)
        return returns

    def _save_config(self):
        from pathlib import Path

        import yaml
        from omegaconf import OmegaConf

        from sim import columns, store

        where = Path(self.config.hydra.sweep.dir)
        tree = OmegaConf.to_container(self.config, resolve=False, enum_to_str=True)
        tree = columns.without_input_paths(tree, self.config.hydra.runtime.cwd)
        text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise store.StoreError(f"cannot create {where}: {error.strerror or error}") from None
        store.write_atomic(where / "multirun.yaml", lambda path: Path(path).write_text(text))

    def validate_batch_is_legal(self, batch):
        """Hydra's check that every job composes, unless ``orgsim`` checked them all first.

        ``orgsim`` composes and builds every job before Hydra starts
        (:func:`sim.precheck.precheck`); checking again here would hold the
        workers back for milliseconds per job, in this process alone.
        """
        if not self.command.checked:
            from sim.sweep import chunk_members

            loader = self.hydra_context.config_loader
            for overrides in batch:
                cfg = loader.load_sweep_config(self.config, list(overrides))
                for member in chunk_members(cfg.hydra):
                    loader.load_sweep_config(self.config, member)
