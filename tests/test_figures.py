"""The report's figures, drawn from small synthetic tables: what they show, read back."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection, QuadMesh
from scipy.stats import nct, t

from sim.compare import paired_differences, replications_needed
from sim.report import figures as f

STRATEGIES = ["a", "b", "c"]


def _curves(replications=5, weeks=12, spread=0.05, seed=0, behaviors=("consume", "contribute")):
    """Paired curves: strategy k reaches a higher share; replication noise shared (CRN)."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(replications):
        common = rng.normal(0, spread)
        for k, strategy in enumerate(STRATEGIES):
            own = rng.normal(0, spread / 2)
            for behavior in behaviors:
                for step in range(weeks + 1):
                    share = (0.2 + 0.2 * k) * step / weeks + common + own
                    rows.append((strategy, 0, r, step, behavior, float(np.clip(share, 0, 1))))
    return pd.DataFrame(rows, columns=["strategy", "seed", "replication", "step", "behavior",
                                       "fraction"])  # fmt: skip


def _runs(replications=30, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(replications):
        common = rng.normal(0, 1)
        for k, strategy in enumerate(STRATEGIES):
            reached = rng.random() < 0.6 or k > 0
            rows.append({
                "strategy": strategy, "seed": 0, "replication": r, "steps": 52,
                "final_fraction_consume": 0.3 + 0.2 * k + 0.01 * common,
                "weeks_to_50pct_consume": 20 - 3 * k + common if reached else np.nan,
                "weeks_to_80pct_consume": np.nan if k == 0 else 30 - 3 * k + common,
                "auc_fraction_weeks_contribute": 5 + k + common + rng.normal(0, 0.3),
                "cost_total": 1000 + 100 * k + rng.normal(0, 10),
            })  # fmt: skip
    return pd.DataFrame(rows)


def _bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _band_width(collection):
    """The band's height at its last week (upper minus lower)."""
    vertices = collection.get_paths()[0].vertices
    last = vertices[np.isclose(vertices[:, 0], vertices[:, 0].max()), 1]
    return np.ptp(last)


def test_curves_one_line_and_band_per_strategy_and_bands_shrink_with_replications():
    fig = f.adoption_curves(_curves(5))
    for ax in fig.axes:
        assert [line.get_label() for line in ax.get_lines()] == STRATEGIES
        assert len(_bands(ax)) == len(STRATEGIES)
    # The line is the mean over replications, in percent.
    curves = _curves(5)
    mean = curves[(curves.strategy == "b") & (curves.behavior == "consume")].groupby("step")[
        "fraction"].mean()  # fmt: skip
    np.testing.assert_allclose(fig.axes[0].get_lines()[1].get_ydata(), 100 * mean.to_numpy())
    few = _band_width(_bands(f.adoption_curves(_curves(5, seed=1)).axes[0])[1])
    many = _band_width(_bands(f.adoption_curves(_curves(50, seed=1)).axes[0])[1])
    assert many < few / 2


def test_difference_curves_equal_the_difference_of_the_means():
    curves = _curves(8)
    fig = f.difference_curves(curves, reference="a")
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_gid() != "zero"]
    assert [line.get_label() for line in lines] == ["b", "c"]
    own = curves[curves.behavior == "consume"].groupby(["strategy", "step"])["fraction"].mean()
    np.testing.assert_allclose(lines[1].get_ydata(), 100 * (own["c"] - own["a"]).to_numpy())
    with pytest.raises(ValueError, match="reference 'z'"):
        f.difference_curves(curves, reference="z")


def test_milestones_points_intervals_and_never_counts():
    runs = _runs()
    fig = f.milestones(runs)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    never_a = int(runs[runs.strategy == "a"].weeks_to_50pct_consume.isna().sum())
    assert f"{never_a}/30 never" in texts and "never" in texts  # a never reaches 80 %
    # The point of b on weeks to 50 % is its mean over the runs that reached it.
    first = fig.axes[0]
    x = [container.lines[0].get_xdata()[0] for container in first.containers]
    expected = runs.groupby("strategy", sort=False).weeks_to_50pct_consume.mean()
    np.testing.assert_allclose(sorted(x), sorted(expected.to_numpy()))


def test_frontier_error_bars_sit_at_the_means():
    runs = _runs()
    fig = f.frontier(runs, "auc_fraction_weeks_contribute")
    ax = fig.axes[0]
    points = [c for c in ax.containers]
    assert len(points) == 3
    for container, strategy in zip(points, STRATEGIES, strict=True):
        line = container.lines[0]
        own = runs[runs.strategy == strategy]
        assert line.get_xdata()[0] == pytest.approx(own.cost_total.mean())
        assert line.get_ydata()[0] == pytest.approx(own.auc_fraction_weeks_contribute.mean())
    assert ax.get_xlabel() == "cost (person-days)"


def _groups(replications=3):
    rng = np.random.default_rng(2)
    rows = []
    for r in range(replications):
        for strategy in ["a", "b"]:
            for step in range(5):
                for k, unit in enumerate(["Sales", "IT", "Legal"]):
                    rows.append((strategy, 0, r, step, "contribute", "unit", unit, 10 * (k + 1),
                                 rng.random() * step / 4))  # fmt: skip
                for level in range(3):
                    rows.append((strategy, 0, r, step, "contribute", "level", str(level), 5,
                                 rng.random()))  # fmt: skip
    return pd.DataFrame(rows, columns=["strategy", "seed", "replication", "step", "behavior",
                                       "by", "group", "people", "fraction"])  # fmt: skip


def test_unit_heatmap_cells_equal_the_pivoted_shares():
    groups = _groups()
    fig = f.unit_heatmap(groups, behavior="contribute")
    meshes = [c for ax in fig.axes[:2] for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 2
    units = groups[groups.by == "unit"]
    order = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    own = units[units.strategy == "a"]
    expected = own.pivot_table(index="group", columns="step", values="fraction", aggfunc="mean")
    expected = expected.reindex(order)
    np.testing.assert_allclose(np.asarray(meshes[0].get_array()).reshape(expected.shape),
                               100 * expected.to_numpy())  # fmt: skip
    # Units ordered by their final share, highest first.
    last = units[units.step == 4].groupby("group").fraction.mean().sort_values(ascending=False)
    assert order == list(last.index)
    small = f.unit_heatmap(groups, behavior="contribute", max_units=2)
    assert len(small.axes[0].get_yticklabels()) == 2 and "2 largest of 3" in small.get_suptitle()


def test_by_level_shows_the_last_week_per_level():
    groups = _groups()
    ax = f.by_level(groups, behavior="contribute").axes[0]
    line = ax.containers[0].lines[0]
    last = groups[(groups.by == "level") & (groups.step == 4) & (groups.strategy == "a")]
    np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float),
                               100 * last.groupby("group").fraction.mean().to_numpy())  # fmt: skip


def _sweep(replications=6):
    rng = np.random.default_rng(3)
    rows = []
    for x in (0.2, 0.5, 0.8):
        for y in (1, 2):
            for r in range(replications):
                common = rng.normal(0, 1)
                for strategy in ("a", "b"):
                    # b wins clearly where x is high; at x = 0.5 the two are level (a tie).
                    value = 10 + common + (5 * (x - 0.5) if strategy == "b" else 0)
                    rows.append({"strategy": strategy, "seed": 0, "replication": r, "x": x,
                                 "y": y, "m": value + rng.normal(0, 0.5)})  # fmt: skip
    return pd.DataFrame(rows)


def test_sweep_line_and_heatmap_show_the_means():
    runs = _sweep()
    ax = f.sweep_line(runs, "x", "m").axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    means = runs[runs.strategy == "b"].groupby("x").m.mean().to_numpy()
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), means)
    fig = f.sweep_heatmap(runs, "x", "y", "m")
    mesh = next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))
    expected = (
        runs[runs.strategy == "a"]
        .pivot_table(index="y", columns="x", values="m", aggfunc="mean")
        .sort_index(ascending=False)
    )
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape),
                               expected.to_numpy())  # fmt: skip


def test_winner_map_marks_a_tie_exactly_where_the_top_two_cannot_be_told_apart():
    runs = _sweep()
    fig = f.winner_map(runs, "x", "y", "m")
    cells = fig.orgsim_cells
    assert len(cells) == 6
    for cell in cells.itertuples():
        both = runs[(runs.x == cell.x) & (runs.y == cell.y)]
        diff = paired_differences(both, "m", by="strategy", reference=cell.runner_up).iloc[0]
        assert cell.separated == bool(diff.separated)
    assert set(cells[cells.x == 0.8].winner) == {"b"} and cells[cells.x == 0.8].separated.all()
    assert set(cells[cells.x == 0.2].winner) == {"a"}
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == int((~cells.separated).sum())
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("tie") == len(hatched)


def test_separation_curve_and_marked_replications_match_a_hand_computation():
    runs = _runs()
    fig = f.separation(runs, "auc_fraction_weeks_contribute", [("b", "a")])
    ax = fig.axes[0]
    line = next(line for line in ax.get_lines() if line.get_label() == "b vs a")
    diff = paired_differences(runs[runs.strategy.isin(["a", "b"])], "auc_fraction_weeks_contribute",
                              by="strategy", reference="a").iloc[0]  # fmt: skip
    d, sd = diff.mean_difference, diff.sd_difference
    for n in (2, 3, 5):
        c = t.ppf(0.975, n - 1)
        hand = nct.sf(c, n - 1, d / sd * np.sqrt(n)) + nct.sf(c, n - 1, -d / sd * np.sqrt(n))
        assert line.get_ydata()[n - 2] == pytest.approx(100 * hand)
    needed = replications_needed(sd, difference=d)
    marked = [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "needed"]
    assert marked == [needed]
    assert f"{needed:,}" in [t.get_text() for t in ax.texts]
    held = [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "held"]
    assert held == [30]


def test_one_colour_per_strategy_across_figures_and_files(tmp_path):
    colours = f.palette(["x", "a", "b", "c"])
    curves = f.adoption_curves(_curves(3), palette=colours)
    frontier = f.frontier(_runs(), "auc_fraction_weeks_contribute", palette=colours)
    assert curves.axes[0].get_lines()[0].get_color() == pytest.approx(colours["a"])
    assert tuple(frontier.axes[0].containers[0].lines[0].get_color()) == pytest.approx(
        colours["a"])  # fmt: skip
    for name, fig in (("curves", curves), ("frontier", frontier)):
        for suffix in ("png", "svg"):
            fig.savefig(tmp_path / f"{name}.{suffix}")
            assert (tmp_path / f"{name}.{suffix}").stat().st_size > 1000


def test_a_missing_column_is_named():
    with pytest.raises(ValueError, match="frontier: no column 'cost_total'"):
        f.frontier(_runs().drop(columns="cost_total"), "auc_fraction_weeks_contribute")
