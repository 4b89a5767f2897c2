"""Sensitivity analysis and scenario discovery (sim.analysis) on known answers."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import discovery, robust, sensitivity
from sim.analysis.design import Design, Record, overrides
from sim.conf import ConfigError
from sim.sweep import expand


def _design(**analysis):
    return Design.from_config({"method": "morris", "samples": 4, **analysis})


def _record(design, jobs=None, **settings):
    """A Record as the store would hold it, for a design sampled here."""
    from pathlib import Path

    points = design.sample()
    jobs = (
        jobs
        if jobs is not None
        else pd.DataFrame(
            {
                "config_hash": [f"h{i}" for i in range(len(points))],
                "seed": 0,
                "replications": 1,
                "point": range(len(points)),
            }
        )
    )
    return Record(Path("designs/test.json"), {**design.settings(), **settings}, points, jobs)


# -- the design --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analysis", "message"),
    [
        ({"method": "latinx", "parameters": {"culture.trust": [0, 1]}}, "analysis.method: must"),
        ({"method": "morris", "parameters": {"trust": [0, 1]}}, "did you mean culture.trust"),
        ({"method": "morris", "parameters": {"culture.trust": [1, 0]}}, "low < high"),
        ({"method": "morris", "parameters": {"culture.trust": 0.5}}, "must be a range"),
        ({"method": "morris", "parameters": {"rule.visibility": [0, 1]}}, "not a number"),
        ({"method": "morris", "parameters": {}}, "analysis.parameters: declare"),
        (
            {"method": "sobol", "samples": 100, "parameters": {"culture.trust": [0, 1]}},
            "use 64 or 128",
        ),
        (
            {"method": "morris", "levels": 3, "parameters": {"culture.trust": [0, 1]}},
            "analysis.levels",
        ),
        ({"method": None, "parameters": {"culture.trust": [0, 1]}}, "no method"),
        (
            {"method": "latin", "threshold": 0, "parameters": {"culture.trust": [0, 1]}},
            "analysis.threshold",
        ),
    ],
)
def test_a_design_that_cannot_be_sampled_names_its_key(analysis, message):
    with pytest.raises(ConfigError, match=message):
        Design.from_config(analysis)


def test_points_are_overrides_that_read_back_exactly():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    design = _design(
        parameters={
            "culture.trust": [0.1, 0.9],
            "org.seed": [0, 1000],
            "rule.peer_weight": [0.127, 0.381],
        }
    )
    x = design.sample()
    assert x.shape == (4 * 4, 3)
    assert np.all(x[:, 1] == np.floor(x[:, 1]))  # an integer key is floored
    parsed = OverridesParser.create().parse_overrides([o for p in design.points() for o in p])
    values = np.array([o.value() for o in parsed], dtype=float).reshape(x.shape)
    np.testing.assert_array_equal(values, x)  # bit for bit: the rows carry these floats
    assert all(isinstance(o.value(), int) for o in parsed[1::3])
    # Morris: consecutive points of a trajectory differ in exactly one parameter.
    for t in range(4):
        block = x[4 * t : 4 * t + 4]
        assert all((np.diff(block, axis=0)[k] != 0).sum() == 1 for k in range(3))
    assert (design.sample() == x).all()  # the sample's own seed: the same points again


def test_the_grid_is_crossed_with_the_points_points_outermost():
    grid = [["rollout=a"], ["rollout=b"]]
    analysis = {"method": "latin", "samples": 3, "parameters": {"culture.trust": [0, 1]}}
    jobs, points, _ = expand(grid, analysis)
    assert points == [0, 0, 1, 1, 2, 2]
    assert [j[0] for j in jobs] == ["rollout=a", "rollout=b"] * 3
    assert jobs[0][1] == jobs[1][1] and jobs[0][1].startswith("culture.trust=")
    assert expand(grid, {"method": None}) == (grid, [None, None], None)
    with pytest.raises(ConfigError, match=r"analysis.parameters.culture.trust: sampled, and also"):
        expand([["culture.trust=0.3"]], analysis)


# -- indices on known answers ------------------------------------------------------------


def _ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _values(y, replications=1):
    y = np.asarray(y, dtype=float).reshape(replications, -1)
    return pd.DataFrame(
        {
            "point": np.tile(np.arange(y.shape[1]), replications),
            "replication": np.repeat(np.arange(replications), y.shape[1]),
            "value": y.ravel(),
        }
    )


def test_sobol_indices_of_the_ishigami_function_through_the_same_path():
    # The analytic indices of Ishigami (a = 7, b = 0.1).
    a, b = 7.0, 0.1
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    first = {"x1": v1 / var, "x2": v2 / var, "x3": 0.0}
    total = {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var}
    # Any declared numeric keys name the three inputs; the sampling and analysis are orgsim's.
    names = {"culture.open": "x1", "culture.trust": "x2", "culture.courage": "x3"}
    design = Design.from_config(
        {
            "method": "sobol",
            "samples": 2048,
            "seed": 1,
            "parameters": {k: [-math.pi, math.pi] for k in names},
        }
    )
    record = _record(design)
    table = sensitivity.indices(record, _values(_ishigami(record.sample)))
    assert (table["points"] == 2048 * 5).all()
    for row in table.itertuples(index=False):
        name = names[row.parameter]
        # Within the bootstrap interval (widened by a little for the interval's own noise).
        assert abs(row.S1 - first[name]) <= 1.5 * row.S1_conf + 0.01, (name, row.S1)
        assert abs(row.ST - total[name]) <= 1.5 * row.ST_conf + 0.01, (name, row.ST)
    assert table["parameter"].iloc[0] == "culture.open"  # the largest total index first


def test_the_bootstrap_intervals_are_reproducible():
    for method, samples in (("sobol", 8), ("morris", 4), ("latin", 40)):
        design = Design.from_config({"method": method, "samples": samples,
                                     "parameters": {"culture.trust": [0, 1],
                                                    "culture.open": [0, 1]}})  # fmt: skip
        record = _record(design)
        values = _values(_ishigami(np.c_[record.sample, record.sample[:, :1]]))
        first = sensitivity.indices(record, values)
        pd.testing.assert_frame_equal(first, sensitivity.indices(record, values))


def test_morris_on_a_linear_function_and_an_inert_parameter():
    design = _design(samples=10, parameters={"culture.trust": [0, 1], "culture.open": [0, 2]})
    record = _record(design)
    x = record.sample
    table = sensitivity.indices(record, _values(3.0 * x[:, 0])).set_index("parameter")
    # An elementary effect is per whole range: 3 per unit of a [0, 1] range.
    assert table.loc["culture.trust", "mu_star"] == pytest.approx(3.0)
    assert table.loc["culture.trust", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["culture.open", "mu_star"] == 0.0
    assert table.loc["culture.open", "mu_star_conf"] == 0.0


def test_morris_noise_is_the_paired_standard_error_of_the_elementary_effects():
    design = _design(samples=3, parameters={"culture.trust": [0, 1], "culture.open": [0, 1]})
    record = _record(design)
    x = record.sample
    rng = np.random.default_rng(0)
    common = rng.normal(size=(5, 1))  # replication r's draws, shared by every point
    y = 2.0 * x[:, 0] + common + 0.1 * rng.normal(size=(5, x.shape[0]))
    table = sensitivity.indices(record, _values(y, 5)).set_index("parameter")
    # The slow obvious version: each consecutive pair, per replication, by hand.
    delta = 4 / (2 * 3)
    errors = {"culture.trust": [], "culture.open": []}
    for start in range(0, x.shape[0], 3):
        for k in range(start, start + 2):
            j = int(np.flatnonzero(x[k + 1] != x[k])[0])
            sign = 1.0 if x[k + 1, j] > x[k, j] else -1.0
            effects = (y[:, k + 1] - y[:, k]) / (sign * delta)
            errors[["culture.trust", "culture.open"][j]].append(effects.std(ddof=1) / math.sqrt(5))
    for name, found in errors.items():
        assert table.loc[name, "noise"] == pytest.approx(np.mean(found))
    # Common draws cancel: the noise is that of the small independent part only.
    assert table["noise"].max() < 0.2


def test_morris_uses_whole_trajectories_only_and_sobol_needs_every_point():
    design = _design(samples=4, parameters={"culture.trust": [0, 1], "culture.open": [0, 1]})
    record = _record(design)
    values = _values(record.sample[:, 0])
    partial = values[values["point"] != 4]  # the second trajectory lost a point
    assert sensitivity.indices(record, partial)["points"].iloc[0] == 9
    sobol = Design.from_config(
        {"method": "sobol", "samples": 4, "parameters": {"culture.trust": [0, 1]}}
    )
    record = _record(sobol)
    values = _values(record.sample[:, 0])
    with pytest.raises(sensitivity.AnalysisError, match="Sobol needs every point; 11 of 12"):
        sensitivity.indices(record, values[values["point"] != 0])


# -- regret ------------------------------------------------------------------------------


def test_regret_against_a_slow_obvious_version():
    rng = np.random.default_rng(3)
    rows = []
    for point in range(6):
        for strategy, shift in (("a", 0.0), ("b", 0.3 * (point % 2)), ("c", 0.1)):
            for r in range(4):
                rows.append(
                    {
                        "point": point,
                        "strategy": strategy,
                        "replication": r,
                        "value": shift + 0.05 * rng.normal() + r,
                    }
                )
    values = pd.DataFrame(rows)
    table = robust.regret(values)
    for point in range(6):
        own = values[values["point"] == point]
        means = own.groupby("strategy")["value"].mean()
        best = means.idxmax()
        second = means.drop(best).idxmax()
        a = own[own.strategy == best].sort_values("replication")["value"].to_numpy()
        b = own[own.strategy == second].sort_values("replication")["value"].to_numpy()
        low = stats.ttest_rel(a, b).confidence_interval(0.95).low
        here = table[table["point"] == point].set_index("strategy")
        for strategy, mean in means.items():
            assert here.loc[strategy, "regret"] == pytest.approx(means.max() - mean)
            assert here.loc[strategy, "winner"] == (strategy == best)
        assert here.loc[best, "clear"] == (low > 0)
    summary = robust.robustness(table).set_index("strategy")
    assert summary.loc["b", "wins"] == 3 and summary["wins"].sum() == 6
    assert summary.index[0] == summary["mean_regret"].idxmin()
    # Less is better for weeks: the regret is then how much slower.
    slow = robust.regret(values.assign(value=-values["value"]), higher=False)
    np.testing.assert_allclose(slow["regret"], table["regret"])


# -- scenario discovery ------------------------------------------------------------------


def _planted(n=1000, flip=0.02, seed=0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=["a", "b", "c", "d"])
    inside = (x["a"] > 0.6) & (x["b"] < 0.3)
    return x, (inside ^ (rng.uniform(size=n) < flip)).to_numpy(), inside.to_numpy()


def test_prim_recovers_a_planted_box():
    x, y, _ = _planted()
    box = discovery.prim_box(x, y, threshold=0.8)
    limits = box.limits.set_index("parameter")
    assert set(limits.index) == {"a", "b"}  # c and d are noise: no restriction kept
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    assert box.coverage >= 0.8 and box.density >= 0.8
    assert box.hits == int(y[discovery._inside(x, *_bounds(box, x))].sum())
    assert "a >= " in box.describe() and "b <= " in box.describe()
    assert discovery.prim_box(x, np.zeros(len(x), dtype=bool)) is None


def _bounds(box, x):
    low, high = x.min().to_numpy().copy(), x.max().to_numpy().copy()
    for row in box.limits.itertuples(index=False):
        j = list(x.columns).index(row.parameter)
        low[j], high[j] = row.low, row.high
    return low, high


def test_cart_recovers_a_planted_box_among_several_outcomes():
    x, _, inside = _planted(flip=0.0)
    labels = np.where(inside, "pilot", np.where(x["c"] > 0.5, "company_wide", "champions"))
    leaves = discovery.cart_leaves(x, labels)
    pilot = leaves[leaves["label"] == "pilot"]
    # The tree may cut the planted box along c too (it splits c elsewhere); its pilot
    # leaves are pure, hold nearly every pilot world between them and each lies in the box.
    assert (pilot["density"] == 1.0).all() and pilot["coverage"].sum() > 0.95
    for box in pilot["box"]:
        limits = box.limits.set_index("parameter")
        assert {"a", "b"} <= set(limits.index) <= {"a", "b", "c"}
        assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.02)
        assert limits.loc["b", "high"] == pytest.approx(0.3, abs=0.03)
    others = leaves[leaves["label"] != "pilot"]
    assert (others["density"] > 0.9).all()


def test_overrides_write_integers_and_floats_as_their_keys_want():
    assert overrides(["org.seed", "culture.trust"], [3.0, 0.1], {"org.seed": int}) == [
        "org.seed=3",
        "culture.trust=0.1",
    ]
