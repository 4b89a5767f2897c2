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

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_store import ConfigStore
from hydra.types import HydraContext


@dataclass
class OrgsimSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.orgsim_sweeper.orgsim_sweeper.OrgsimSweeper"


ConfigStore.instance().store(
    group="hydra/sweeper", name="orgsim", node=OrgsimSweeperConf, provider="orgsim"
)


class OrgsimSweeper(BasicSweeper):
    """Hydra's basic sweeper, composing through :class:`sim.sweep.SweepConfigLoader`."""

    def setup(self, *, hydra_context, task_function, config):
        from sim.sweep import SweepConfigLoader

        hydra_context = HydraContext(
            config_loader=SweepConfigLoader.wrapping(hydra_context.config_loader),
            callbacks=hydra_context.callbacks,
        )
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def split_arguments(self, overrides, max_batch_size):
        """Hydra's grid, crossed with the design's points, in batches."""
        from sim.sweep import expand

        grid = BasicSweeper.split_arguments(overrides, None)[0]
        jobs, _, _ = expand(grid, self.config.get("analysis"))
        return list(BasicSweeper.split_overrides_to_chunks(jobs, max_batch_size))

    def sweep(self, arguments):
        """Hydra's sweep; jobs that could not write their results are noted for ``orgsim``."""
        from sim import sweep

        returns = super().sweep(arguments)
        for batch in returns:
            for job in batch:
                value = getattr(job, "_return_value", None)
                if isinstance(value, sweep.JobFailed):
                    sweep.failures.append(str(value))
        return returns

    def validate_batch_is_legal(self, batch):
        """Hydra's check that every job composes, unless ``orgsim`` checked them all first.

        ``orgsim`` composes and builds every job before Hydra starts
        (:func:`sim.cli.precheck`); checking again here would hold the
        workers back for milliseconds per job, in this process alone.
        """
        from sim import sweep

        if not sweep.checked:
            super().validate_batch_is_legal(batch)
