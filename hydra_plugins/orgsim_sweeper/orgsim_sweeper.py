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
every worker.
"""

from dataclasses import dataclass

from hydra.core.config_store import ConfigStore
from hydra.types import HydraContext

from sim import _hydra

BasicSweeper, BasicSweeperConf = _hydra.basic_sweeper()


@dataclass
class OrgsimSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.orgsim_sweeper.orgsim_sweeper.OrgsimSweeper"


ConfigStore.instance().store(
    group="hydra/sweeper", name="orgsim", node=OrgsimSweeperConf, provider="orgsim"
)


class OrgsimSweeper(BasicSweeper):
    """Hydra's basic sweeper, composing through :class:`sim.sweep.SweepConfigLoader`."""

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
        """Hydra's grid, crossed with the design's points, in batches."""
        from sim.sweep import expand

        jobs, _, _ = expand(_hydra.grid(overrides), self.config.get("analysis"))
        return _hydra.batches(jobs, max_batch_size)

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
                failed = _hydra.job_error(job)
                if isinstance(failed, sweep.JobFailed):
                    self.command.failures.append(str(failed))
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
            super().validate_batch_is_legal(batch)
