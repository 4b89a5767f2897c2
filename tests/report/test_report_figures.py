"""What the report's figures show, read back from their artists and checked against the tables.

Every figure is drawn from a small synthetic table with known means (a fixed generator), and
the data behind its lines, bands, error bars, meshes, patches and texts is compared with a
hand computation: Student's t intervals, paired differences, a noncentral-t power curve.
"""

import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
from matplotlib.figure import Figure
from scipy.stats import nct, t

from sim.compare import paired_differences, replications_needed, separating_replications
from sim.report import figures as f

STRATEGIES = ["pilot", "champions", "big_bang"]
BEHAVIORS = ("consume", "contribute")
PAIR = ["seed", "replication"]


# --- synthetic tables -------------------------------------------------------------------------


def _curves(replications=5, weeks=20, spread=0.03, seed=0, behaviors=BEHAVIORS):
    """Curves on common random numbers: strategy k climbs faster; replication noise is shared."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(replications):
        common = rng.normal(0, spread)
        for k, strategy in enumerate(STRATEGIES):
            own = rng.normal(0, spread / 2)
            for behavior in behaviors:
                for step in range(weeks + 1):
                    share = 0.05 + (0.2 + 0.15 * k) * step / weeks + common + own
                    rows.append((strategy, 7, r, step, behavior, float(np.clip(share, 0, 1))))
    return pd.DataFrame(
        rows, columns=["strategy", "seed", "replication", "step", "behavior", "fraction"]
    )


NEVER_50 = 12  # runs of "pilot" that never reach 50 % of people reading


def _runs(replications=30, seed=0):
    """One row per run; "pilot" misses 50 % in 12 runs and 80 % in all of them."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(replications):
        common = rng.normal(0, 1)
        for k, strategy in enumerate(STRATEGIES):
            never = strategy == "pilot"
            rows.append({
                "strategy": strategy, "seed": 7, "replication": r, "steps": 52,
                "final_fraction_consume": 0.4 + 0.15 * k + 0.02 * common,
                "final_fraction_contribute": 0.2 + 0.1 * k + 0.02 * rng.normal(),
                "weeks_to_50pct_consume": np.nan if never and r < NEVER_50 else 30 - 4 * k + common,
                "weeks_to_80pct_consume": np.nan if never else 45 - 5 * k + common,
                "weeks_to_50pct_contribute": 40 - 3 * k + rng.normal(),
                "weeks_to_80pct_contribute": np.nan,
                "auc_fraction_weeks_contribute": 5 + k + common + rng.normal(0, 0.3),
                "cost_total": 800 + 150 * k + rng.normal(0, 20),
            })  # fmt: skip
    return pd.DataFrame(rows)


UNITS = {"Sales": 40, "IT": 25, "Legal": 8, "HR": 12}


def _groups(replications=4, weeks=6, seed=0):
    """Per unit (known ranking of final shares) and per level (0 = top), two strategies."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(replications):
        for k, strategy in enumerate(STRATEGIES[:2]):
            for step in range(weeks + 1):
                for u, (unit, people) in enumerate(UNITS.items()):
                    share = (0.8 - 0.15 * u + 0.05 * k) * step / weeks + rng.normal(0, 0.02)
                    rows.append((strategy, 7, r, step, "contribute", "unit", unit, people, share))
                for level in range(3):
                    share = (0.3 + 0.2 * level + 0.1 * k) * step / weeks + rng.normal(0, 0.05)
                    rows.append((strategy, 7, r, step, "contribute", "level", str(level), 5, share))
    columns = ["strategy", "seed", "replication", "step", "behavior", "by", "group", "people",
               "fraction"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _sweep(replications=8, seed=0):
    """Runs over trust (x, listed unsorted) and size (y); champions gains with trust."""
    rng = np.random.default_rng(seed)
    rows = []
    for trust in (0.8, 0.2, 0.5):
        for size in (100, 400):
            for r in range(replications):
                common = rng.normal(0, 1)
                for k, strategy in enumerate(STRATEGIES):
                    gain = 4 * (trust - 0.5) if strategy == "champions" else -k
                    rows.append({"strategy": strategy, "seed": 7, "replication": r,
                                 "culture.trust": trust, "org.size": size,
                                 "m": 10 + common + gain + rng.normal(0, 0.4)})  # fmt: skip
    return pd.DataFrame(rows)


def _planted_cells(replications=10, seed=0):
    """Two cells: at x=0 champions beats pilot clearly; at x=1 the top two are level.

    In the tie cell the paired differences have mean 0.01 and spread 1, so their 95 %
    interval surely includes 0; in the clear cell mean 3 and spread 0.1, so it surely does not.
    """
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, replications)
    noise = (noise - noise.mean()) / noise.std(ddof=1)
    base = 10 + rng.normal(0, 2, replications)
    rows = []
    for x, shift, spread in ((0, 3.0, 0.1), (1, 0.01, 1.0)):
        values = {"pilot": base, "champions": base + shift + spread * noise, "big_bang": base - 5}
        for strategy, column in values.items():
            for r, value in enumerate(column):
                rows.append({"strategy": strategy, "seed": 7, "replication": r, "x": x, "y": 0,
                             "m": float(value)})  # fmt: skip
    return pd.DataFrame(rows)


# --- reading artists back -----------------------------------------------------------------------


def _t_interval(values):
    """(mean, half-width) of Student's t at 95 %; a half-width of 0 below two values."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    half = t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n) if n >= 2 else 0.0
    return float(values.mean()), float(half)


def _bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _band(collection):
    """(x, low, high) of a fill_between band, read from its polygon's vertices."""
    vertices = collection.get_paths()[0].vertices
    xs = np.unique(vertices[:, 0])
    low = np.array([vertices[vertices[:, 0] == x, 1].min() for x in xs])
    high = np.array([vertices[vertices[:, 0] == x, 1].max() for x in xs])
    return xs, low, high


def _data_lines(ax):
    """The lines that carry data (not the zero, power or marker lines)."""
    return [line for line in ax.get_lines() if line.get_gid() is None]


def _errorbars(ax):
    """Per error-bar container: (x, y, x-segments or None, y-segments or None)."""
    out = []
    for container in ax.containers:
        line, _, bars = container.lines
        segments = [np.asarray(b.get_segments()) for b in bars]
        xerr = segments[0] if container.has_xerr else None
        yerr = segments[-1] if container.has_yerr else None
        out.append((line.get_xdata(), line.get_ydata(), xerr, yerr))
    return out


def _texts(ax):
    return [text.get_text() for text in ax.texts]


def _expected_band(curves, strategy, behavior):
    rows = curves[(curves.strategy == strategy) & (curves.behavior == behavior)]
    stats = [_t_interval(v) for _, v in rows.groupby("step").fraction]
    mean, half = np.array(stats).T
    return 100 * mean, 100 * half


# --- palette and names --------------------------------------------------------------------------


def test_palette_keys_colours_by_strategy_name_not_by_order():
    colours = f.palette(["pilot", "company_wide", "pilot"])
    assert list(colours) == ["pilot", "company_wide"]
    # The same strategy, the same colour, whatever else a report holds and in what order.
    for others in (["pilot"], ["safe_space", "pilot", "pilot (training_share=0.02)"],
                   [f"s{i}" for i in range(12)] + ["pilot"]):  # fmt: skip
        assert f.palette(others)["pilot"] == colours["pilot"]
    assert colours["company_wide"] == sns.color_palette("colorblind", 10)[0]
    variant = "pilot (training_share=0.02)"
    assert f.palette([variant, "zzz"])[variant] == f.palette(["aaa", variant])[variant]
    # Names of one report that would pick the same hue still get different colours.
    many = f.palette([f"s{i}" for i in range(20)])
    assert len(set(many.values())) == 20


def test_a_given_palette_colours_every_figure_alike():
    colours = f.palette(["zero", *STRATEGIES])  # pilot is the second colour, not the first
    curves, runs = _curves(3), _runs(6)
    lines = f.adoption_curves(curves, palette=colours).axes[0].get_lines()
    assert [line.get_color() for line in lines] == [colours[s] for s in STRATEGIES]
    bars = f.frontier(runs, "cost_total", palette=colours).axes[0].containers
    assert tuple(bars[0].lines[0].get_color()) == pytest.approx(colours["pilot"])
    level = f.by_level(_groups(), behavior="contribute", palette=colours).axes[0]
    assert tuple(level.containers[1].lines[0].get_color()) == pytest.approx(colours["champions"])


# --- curves -------------------------------------------------------------------------------------


def test_adoption_curves_one_line_and_band_per_strategy_with_t_bands_in_percent():
    curves = _curves(5)
    fig = f.adoption_curves(curves)
    assert len(fig.axes) == len(BEHAVIORS)
    assert [ax.get_title() for ax in fig.axes] == ["reading", "contributing"]
    for ax, behavior in zip(fig.axes, BEHAVIORS, strict=True):
        assert [line.get_label() for line in ax.get_lines()] == STRATEGIES
        assert len(_bands(ax)) == len(STRATEGIES)
        assert ax.get_xlabel() == "week" and "%" in ax.get_ylabel()
        for line, band, strategy in zip(ax.get_lines(), _bands(ax), STRATEGIES, strict=True):
            mean, half = _expected_band(curves, strategy, behavior)
            np.testing.assert_allclose(line.get_xdata(), np.arange(21))
            np.testing.assert_allclose(line.get_ydata(), mean)
            x, low, high = _band(band)
            np.testing.assert_allclose(x, np.arange(21))
            np.testing.assert_allclose(low, mean - half, atol=1e-9)
            np.testing.assert_allclose(high, mean + half, atol=1e-9)
    legend = fig.axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == STRATEGIES


def test_bands_narrow_with_replications_and_vanish_with_one():
    def widths(replications):
        ax = f.adoption_curves(_curves(replications, seed=1)).axes[0]
        _, low, high = _band(_bands(ax)[1])
        return high - low

    few, many = widths(5), widths(50)
    # Same spread: t(0.975, 4) / sqrt(5) against t(0.975, 49) / sqrt(50), about 3.9 times wider.
    assert np.median(many) < np.median(few) / 2
    np.testing.assert_allclose(widths(1), 0.0, atol=1e-12)


def test_behaviors_choose_and_order_the_panels_and_unknown_names_stay_raw():
    curves = _curves(3, behaviors=("consume", "contribute", "share"))
    fig = f.adoption_curves(curves, behaviors=["share", "consume"])
    assert [ax.get_title() for ax in fig.axes] == ["share", "reading"]


def test_difference_curves_equal_the_paired_differences_of_the_means():
    curves = _curves(8)
    fig = f.difference_curves(curves, reference="pilot")
    assert "difference from pilot (paired replications" in fig.get_suptitle().lower()
    for ax, behavior in zip(fig.axes, BEHAVIORS, strict=True):
        assert ax.get_ylabel() == "difference (percentage points)"
        zero = [line for line in ax.get_lines() if line not in _data_lines(ax)]
        assert len(zero) == 1 and set(zero[0].get_ydata()) == {0.0}
        lines = _data_lines(ax)
        assert [line.get_label() for line in lines] == ["champions", "big_bang"]
        assert len(_bands(ax)) == 2
        rows = curves[curves.behavior == behavior]
        means = rows.groupby(["strategy", "step"]).fraction.mean()
        wide = rows.pivot_table(index=[*PAIR, "step"], columns="strategy", values="fraction")
        for line, band, strategy in zip(lines, _bands(ax), ["champions", "big_bang"], strict=True):
            # With paired data the mean of the differences is the difference of the means.
            np.testing.assert_allclose(
                line.get_ydata(), 100 * (means[strategy] - means["pilot"]).to_numpy()
            )
            difference = (wide[strategy] - wide["pilot"]).groupby("step")
            half = np.array([_t_interval(v)[1] for _, v in difference])
            _, low, high = _band(band)
            np.testing.assert_allclose(high - low, 200 * half, atol=1e-9)
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert legend == ["champions", "big_bang"]


def test_difference_curves_reject_an_unknown_reference():
    with pytest.raises(ValueError, match="difference_curves: the reference 'nobody'"):
        f.difference_curves(_curves(2), reference="nobody")


# --- milestones and frontier --------------------------------------------------------------------


def test_milestones_points_intervals_and_never_counts():
    runs = _runs(30)
    fig = f.milestones(runs)
    axes = np.array(fig.axes).reshape(3, 2)  # rows: 50 %, 80 %, final share; columns: behaviors
    assert [ax.get_title() for ax in axes[0]] == ["reading", "contributing"]
    assert [ax.get_xlabel() for ax in axes[:, 0]] == ["weeks to 50 %", "weeks to 80 %",
                                                      "final share (%)"]  # fmt: skip
    assert [tick.get_text() for tick in axes[0, 0].get_yticklabels()] == STRATEGIES
    # Weeks to 50 % reading: pilot's mean leaves its 12 never-reached runs out, and says so.
    assert _texts(axes[0, 0]) == [f"{NEVER_50}/30 never"]
    bars = _errorbars(axes[0, 0])
    assert len(bars) == 3
    for (x, y, xerr, _), k, strategy in zip(bars, range(3), STRATEGIES, strict=True):
        reached = runs.loc[runs.strategy == strategy, "weeks_to_50pct_consume"].dropna()
        mean, half = _t_interval(reached)
        assert (x[0], y[0]) == pytest.approx((mean, k))
        np.testing.assert_allclose(xerr[0][:, 0], [mean - half, mean + half])
    # Pilot never reaches 80 %: no point, the word "never"; nobody reaches 80 % contributing.
    assert len(_errorbars(axes[1, 0])) == 2 and _texts(axes[1, 0]) == ["never"]
    assert _errorbars(axes[1, 1]) == [] and _texts(axes[1, 1]) == ["never"] * 3
    # The final share is drawn in percent.
    x = _errorbars(axes[2, 0])[2][0][0]
    expected = 100 * runs.loc[runs.strategy == "big_bang", "final_fraction_consume"].mean()
    assert x == pytest.approx(expected)


def test_frontier_error_bars_sit_at_the_means_with_t_intervals_both_ways():
    runs = _runs(30)
    fig = f.frontier(runs, "auc_fraction_weeks_contribute", metric_label="area (share × weeks)")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "cost (person-days)"
    assert ax.get_ylabel() == "area (share × weeks)"
    assert "adoption against cost" in ax.get_title().lower()
    assert "unequal budgets are never hidden" in ax.get_title()
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in scatters] == [30, 30, 30]
    bars = _errorbars(ax)
    assert len(bars) == 3
    for (x, y, xerr, yerr), strategy in zip(bars, STRATEGIES, strict=True):
        own = runs[runs.strategy == strategy]
        cost, cost_half = _t_interval(own.cost_total)
        area, area_half = _t_interval(own.auc_fraction_weeks_contribute)
        assert (x[0], y[0]) == pytest.approx((cost, area))
        np.testing.assert_allclose(xerr[0][:, 0], [cost - cost_half, cost + cost_half])
        np.testing.assert_allclose(yerr[0][:, 1], [area - area_half, area + area_half])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == STRATEGIES


# --- groups: units and levels -------------------------------------------------------------------


def _meshes(fig):
    """The panels' meshes (a colorbar draws its own QuadMesh, left out here)."""
    panels = [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is None]
    return [c for ax in panels for c in ax.collections if isinstance(c, QuadMesh)]


def test_unit_heatmap_cells_equal_the_pivoted_shares_in_a_shared_scale():
    groups = _groups()
    fig = f.unit_heatmap(groups, behavior="contribute")
    meshes = _meshes(fig)
    assert len(meshes) == 2  # one panel per strategy
    units = groups[(groups.by == "unit") & (groups.behavior == "contribute")]
    last = units[units.step == units.step.max()]
    order = last.groupby("group").fraction.mean().sort_values(ascending=False).index.tolist()
    assert order == list(UNITS)  # highest final share first, as planted
    # The panels share their rows; the first names them.
    assert [tick.get_text() for tick in meshes[0].axes.get_yticklabels()] == order
    for mesh, strategy in zip(meshes, STRATEGIES[:2], strict=True):
        ax = mesh.axes
        assert ax.get_title() == strategy and ax.get_xlabel() == "week"
        own = units[units.strategy == strategy]
        expected = own.pivot_table(index="group", columns="step", values="fraction") * 100
        expected = expected.reindex(order).to_numpy()
        np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape), expected)
    # One colour scale for every panel, from 0, and one colorbar that names it.
    assert len({mesh.get_clim() for mesh in meshes}) == 1
    low, high = meshes[0].get_clim()
    assert low == 0 and high <= 100
    colorbars = [ax for ax in fig.axes if ax.get_ylabel() == "% of the unit holding it"]
    assert len(colorbars) == 1


def test_unit_heatmap_keeps_the_largest_units_and_says_so():
    fig = f.unit_heatmap(_groups(), behavior="contribute", max_units=3)
    kept = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    # The three largest by people (HR's 12 before Legal's 8), still ordered by final share.
    assert kept == ["Sales", "IT", "HR"]
    assert "3 largest of 4 units" in fig.get_suptitle()
    one = f.unit_heatmap(_groups(), behavior="contribute", strategies=["champions"])
    assert len(_meshes(one)) == 1 and one.axes[0].get_title() == "champions"


def test_by_level_shows_the_last_week_per_level_with_intervals():
    groups = _groups()
    ax = f.by_level(groups, behavior="contribute").axes[0]
    assert ax.get_xlabel() == "level (0 = top)"
    bars = _errorbars(ax)
    assert len(bars) == 2
    levels = groups[(groups.by == "level") & (groups.step == groups.step.max())]
    for (x, y, _, yerr), strategy in zip(bars, STRATEGIES[:2], strict=True):
        np.testing.assert_array_equal(np.asarray(x, dtype=float), [0, 1, 2])
        own = levels[levels.strategy == strategy].assign(level=lambda d: d.group.astype(int))
        stats = np.array([_t_interval(v) for _, v in own.groupby("level").fraction])
        np.testing.assert_allclose(np.asarray(y, dtype=float), 100 * stats[:, 0])
        np.testing.assert_allclose(yerr[:, 1, 1] - yerr[:, 0, 1], 200 * stats[:, 1])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == STRATEGIES[:2]


# --- sweeps -------------------------------------------------------------------------------------


def test_sweep_line_sorts_the_parameter_and_draws_t_bands():
    runs = _sweep()
    ax = f.sweep_line(runs, "culture.trust", "m", metric_label="adoption").axes[0]
    assert [line.get_label() for line in ax.get_lines()] == STRATEGIES
    assert ax.get_xlabel() == "culture.trust" and ax.get_ylabel() == "adoption"
    for line, band, strategy in zip(ax.get_lines(), _bands(ax), STRATEGIES, strict=True):
        np.testing.assert_allclose(line.get_xdata(), [0.2, 0.5, 0.8])
        stats = np.array([_t_interval(v) for _, v in
                          runs[runs.strategy == strategy].groupby("culture.trust").m])  # fmt: skip
        np.testing.assert_allclose(line.get_ydata(), stats[:, 0])
        _, low, high = _band(band)
        np.testing.assert_allclose(high - low, 2 * stats[:, 1])


def test_sweep_heatmap_cells_and_annotations_equal_the_pivoted_means():
    runs = _sweep()
    fig = f.sweep_heatmap(runs, "culture.trust", "org.size", "m")
    meshes = _meshes(fig)
    assert len(meshes) == 3 and len({mesh.get_clim() for mesh in meshes}) == 1
    for mesh, strategy in zip(meshes, STRATEGIES, strict=True):
        expected = runs[runs.strategy == strategy].pivot_table(
            index="org.size", columns="culture.trust", values="m", aggfunc="mean"
        )
        # Rows as drawn: mesh row 0 sits at the bottom; compare as a set of rows by label.
        labels = [float(tick.get_text()) for tick in mesh.axes.get_yticklabels()]
        expected = expected.reindex(labels).to_numpy()
        array = np.asarray(mesh.get_array()).reshape(expected.shape)
        np.testing.assert_allclose(array, expected)
        assert sorted(_texts(mesh.axes)) == sorted(f"{v:.3g}" for v in expected.ravel())
    low, high = meshes[0].get_clim()
    means = runs.groupby(["strategy", "culture.trust", "org.size"]).m.mean()
    assert (low, high) == pytest.approx((means.min(), means.max()))


def test_winner_map_marks_a_tie_exactly_where_the_top_two_cannot_be_told_apart():
    runs = _planted_cells()
    fig = f.winner_map(runs, "x", "y", "m")
    cells = fig.orgsim_cells.set_index("x")
    assert list(fig.orgsim_cells.columns) == ["x", "y", "winner", "runner_up", "separated"]
    assert cells.loc[0, "winner"] == "champions" and cells.loc[0, "runner_up"] == "pilot"
    assert bool(cells.loc[0, "separated"]) and not bool(cells.loc[1, "separated"])
    assert {cells.loc[1, "winner"], cells.loc[1, "runner_up"]} == {"champions", "pilot"}
    for x, cell in cells.iterrows():
        both = runs[(runs.x == x) & runs.strategy.isin([cell.winner, cell.runner_up])]
        diff = paired_differences(both, "m", by="strategy", reference=cell.runner_up,
                                  pair_on=PAIR).iloc[0]  # fmt: skip
        assert cell.separated == bool(diff.separated)
        assert diff.mean_difference >= 0  # the winner has the better mean
    ax = fig.axes[0]
    colours = f.palette(STRATEGIES)
    patches = {round(p.get_x()): p for p in ax.patches}
    assert tuple(patches[0].get_facecolor()[:3]) == pytest.approx(colours["champions"])
    assert not patches[0].get_hatch() and patches[1].get_hatch()
    # The text in each cell: the winner's name where separated, "tie" where not.
    words = {round(text.get_position()[0] - 0.5): text.get_text() for text in ax.texts}
    assert words[1] == "tie" and words[0] != "tie" and "champions" in words[0]
    legend = [text.get_text() for legend in fig.legends for text in legend.get_texts()]
    assert "champions" in legend and "big_bang" not in legend
    assert any("cannot be told apart" in label for label in legend)


def test_winner_map_lower_is_better_turns_the_winner_around():
    runs = _planted_cells()
    fig = f.winner_map(runs, "x", "y", "m", higher_is_better=False)
    cells = fig.orgsim_cells
    assert set(cells.winner) == {"big_bang"} and cells.separated.all()
    assert set(cells.runner_up) == {"pilot"}


# --- separation ---------------------------------------------------------------------------------


def _power(n, d, sd, confidence=0.95):
    c = t.ppf(1 - (1 - confidence) / 2, n - 1)
    return nct.sf(c, n - 1, d / sd * np.sqrt(n)) + nct.sf(c, n - 1, -d / sd * np.sqrt(n))


def test_separation_curve_and_marked_replications_match_a_hand_computation():
    runs = _runs(12)
    metric = "auc_fraction_weeks_contribute"
    fig = f.separation(runs, metric, [("champions", "pilot")], power=0.9)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "paired replications"
    assert ax.get_ylabel() == "chance a paired t-test separates them (%)"
    (line,) = _data_lines(ax)
    assert line.get_label() == "champions vs pilot"
    pair = runs[runs.strategy.isin(["champions", "pilot"])]
    diff = paired_differences(pair, metric, by="strategy", reference="pilot").iloc[0]
    d, sd = diff.mean_difference, diff.sd_difference
    needed = replications_needed(sd, difference=d, power=0.9)
    assert needed == separating_replications(pair, metric, "champions", "pilot", by="strategy",
                                             power=0.9)  # fmt: skip
    n = np.asarray(line.get_xdata())
    assert n[0] == 2 and n[-1] == np.ceil(1.5 * max(needed, 12))
    np.testing.assert_array_equal(np.diff(n), 1)
    for k in (2, 3, 5, needed):
        assert line.get_ydata()[k - 2] == pytest.approx(100 * _power(k, d, sd))
    # The curve crosses the power line at the needed number, not before.
    assert line.get_ydata()[needed - 2] >= 90 > line.get_ydata()[needed - 3]
    marks = {line.get_gid(): line for line in ax.get_lines()}
    np.testing.assert_allclose(marks["power"].get_ydata(), [90, 90])
    assert list(marks["needed"].get_xdata()) == [needed, needed]
    assert list(marks["held"].get_xdata()) == [12, 12]
    assert f"{needed:,}" in _texts(ax) and "held: 12" in _texts(ax)


def test_separation_notes_a_pair_without_difference_and_obeys_max_replications():
    runs = _runs(10)
    twin = runs[runs.strategy == "pilot"].assign(strategy="twin")
    runs = pd.concat([runs, twin], ignore_index=True)
    fig = f.separation(runs, "cost_total", [("twin", "pilot"), ("big_bang", "pilot")],
                       max_replications=40)  # fmt: skip
    ax = fig.axes[0]
    assert [line.get_label() for line in _data_lines(ax)] == ["big_bang vs pilot"]
    assert any("twin vs pilot" in text for text in _texts(ax))
    assert _data_lines(ax)[0].get_xdata()[-1] == 40


# --- validation and files -----------------------------------------------------------------------


def _every_figure():
    curves, runs, groups, sweep = _curves(3), _runs(6), _groups(2), _sweep(4)
    return {
        "adoption_curves": lambda: f.adoption_curves(curves),
        "difference_curves": lambda: f.difference_curves(curves, reference="pilot"),
        "milestones": lambda: f.milestones(runs),
        "frontier": lambda: f.frontier(runs, "auc_fraction_weeks_contribute"),
        "unit_heatmap": lambda: f.unit_heatmap(groups, behavior="contribute"),
        "by_level": lambda: f.by_level(groups, behavior="contribute"),
        "sweep_line": lambda: f.sweep_line(sweep, "culture.trust", "m"),
        "sweep_heatmap": lambda: f.sweep_heatmap(sweep, "culture.trust", "org.size", "m"),
        "winner_map": lambda: f.winner_map(sweep, "culture.trust", "org.size", "m"),
        "separation": lambda: f.separation(runs, "cost_total", [("big_bang", "pilot")]),
    }


def test_every_figure_is_a_figure_saved_as_png_and_svg(tmp_path):
    for name, draw in _every_figure().items():
        fig = draw()
        assert isinstance(fig, Figure), name
        for suffix in ("png", "svg"):
            path = tmp_path / f"{name}.{suffix}"
            fig.savefig(path)
            assert path.stat().st_size > 1000, path


@pytest.mark.parametrize(
    ("name", "call", "column"),
    [
        ("adoption_curves", lambda c, r, g, s: f.adoption_curves(c), "fraction"),
        ("difference_curves", lambda c, r, g, s: f.difference_curves(c, reference="pilot"),
         "replication"),
        ("milestones", lambda c, r, g, s: f.milestones(r), "weeks_to_80pct_consume"),
        ("frontier", lambda c, r, g, s: f.frontier(r, "auc_fraction_weeks_contribute"),
         "cost_total"),
        ("unit_heatmap", lambda c, r, g, s: f.unit_heatmap(g, behavior="contribute"), "people"),
        ("by_level", lambda c, r, g, s: f.by_level(g, behavior="contribute"), "group"),
        ("sweep_line", lambda c, r, g, s: f.sweep_line(s, "culture.trust", "m"), "culture.trust"),
        ("sweep_heatmap", lambda c, r, g, s: f.sweep_heatmap(s, "culture.trust", "org.size", "m"),
         "org.size"),
        ("winner_map", lambda c, r, g, s: f.winner_map(s, "culture.trust", "org.size", "m"), "m"),
        ("separation", lambda c, r, g, s: f.separation(r, "cost_total", [("big_bang", "pilot")]),
         "seed"),
    ],
)  # fmt: skip
def test_a_missing_column_is_named(name, call, column):
    tables = [_curves(2), _runs(4), _groups(2), _sweep(2)]
    tables = [table.drop(columns=column) if column in table else table for table in tables]
    with pytest.raises(ValueError, match=f"{name}: no column '{column}'"):
        call(*tables)
