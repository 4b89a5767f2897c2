"""Numba kernels: pure functions over numpy arrays.

This package imports nothing from the rest of ``sim`` (nor Mesa, Hydra or
pandas), so the kernels can be tested, profiled and reused on their own.
"""

from sim.kernels._config import (
    IN_CACHE_PEOPLE,
    PARALLEL_MIN_NS,
    PUSH_COST_PER_TIE,
    parallel_pays,
)
from sim.kernels.bass import bass_decide, bass_decide_counts, bass_decide_serial
from sim.kernels.cascade import cascade_attempts
from sim.kernels.centrality import betweenness_from
from sim.kernels.counts import (
    apply_adoptions,
    count_adopted_neighbours,
    count_adopted_neighbours_serial,
    tie_count,
)
from sim.kernels.graph import MERGE_MAX, MERGE_SUM, build_csr, row_sums
from sim.kernels.ladder import (
    influence_strength,
    influence_strength_serial,
    ladder_decide,
    ladder_decide_serial,
    ladder_pull,
    ladder_pull_serial,
    ladder_push,
    ladder_push_serial,
    ladder_restage,
    ladder_tally,
    ladder_tally_serial,
    ladder_uniforms,
    team_holders,
)
from sim.kernels.ladder_bounds import (
    ladder_bounds,
    ladder_bounds_serial,
    ladder_candidates,
    ladder_candidates_serial,
    ladder_loosen,
    ladder_loosen_serial,
    ladder_loosen_team,
    lapse_cut,
    shared_steps,
)
from sim.kernels.ladder_run import content_share, ladder_runs
from sim.kernels.threshold import (
    ADOPTED,
    NEVER,
    apply_adoptions_to_level,
    at_level,
    threshold_decide,
    threshold_decide_serial,
    threshold_levels,
)

__all__ = [
    "ADOPTED",
    "IN_CACHE_PEOPLE",
    "MERGE_MAX",
    "MERGE_SUM",
    "NEVER",
    "PARALLEL_MIN_NS",
    "PUSH_COST_PER_TIE",
    "apply_adoptions",
    "apply_adoptions_to_level",
    "at_level",
    "bass_decide",
    "bass_decide_counts",
    "bass_decide_serial",
    "betweenness_from",
    "build_csr",
    "cascade_attempts",
    "content_share",
    "count_adopted_neighbours",
    "count_adopted_neighbours_serial",
    "influence_strength",
    "influence_strength_serial",
    "ladder_bounds",
    "ladder_bounds_serial",
    "ladder_candidates",
    "ladder_candidates_serial",
    "ladder_decide",
    "ladder_decide_serial",
    "ladder_loosen",
    "ladder_loosen_serial",
    "ladder_loosen_team",
    "ladder_pull",
    "ladder_pull_serial",
    "ladder_push",
    "ladder_push_serial",
    "ladder_restage",
    "ladder_runs",
    "ladder_tally",
    "ladder_tally_serial",
    "ladder_uniforms",
    "lapse_cut",
    "parallel_pays",
    "row_sums",
    "shared_steps",
    "team_holders",
    "threshold_decide",
    "threshold_decide_serial",
    "threshold_levels",
    "tie_count",
]
