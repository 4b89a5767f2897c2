"""A batch of replications as arrays (sim.records): its tables equal, bit for bit, those of
the replications summarised one at a time (sim.metrics.summary, sim.facts.people_facts and
the models' own tables), and those Scenario.run returns."""

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from sim.conf import CONFIG_DIR, build, register
from sim.facts import people_facts
from sim.metrics import summary
from sim.records import RunBatch, batch_tables
from sim.tables import adoption_table

SEED, WHICH = 3, [4, 0, 9]

# A zero for every lever: nothing spent, so no adopters per person-day.
FREE = [f"rollout.cost_{lever}=0" for lever in ("launch", "trainee", "leader", "champion",
                                                "safety", "endorser")]  # fmt: skip

CASES = {
    "pilot hierarchical": ["org.headcount=300", "rollout=pilot_hierarchical"],
    "company-wide decentralized, traditional": ["org.headcount=300", "culture=traditional",
                                                "rollout=company_wide_decentralized"],
    "pilot in waves": ["org.headcount=250", "rollout=pilot_waves", "steps=30"],
    "change team's budget, humanized": ["org.headcount=300", "rollout=change_team",
                                        "culture=humanized"],
    "one unit": ["org.headcount=120", "org.units=1", "steps=20"],
    "one behavior": ["org.headcount=150", "behavior=single", "steps=8"],
    "one week": ["org.headcount=150", "steps=1"],
    "week 0 alone": ["org.headcount=150", "steps=0"],
    "nothing spent": ["org.headcount=150", "rollout=company_wide", "steps=10", *FREE],
    "managers asked at a cost, in waves": ["org.headcount=250", "rollout=pilot_waves",
                                           "rollout.cost_endorser=0.5", "steps=30"],
}  # fmt: skip


def _scenario(overrides):
    register()
    with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
        return build(compose("config", overrides=overrides))


def _groups(replication, model) -> pd.DataFrame:
    """One replication's rows of the groups table: its units', then its levels'."""
    parts = []
    for by in ("unit", "level"):
        table = model.adoption_by(by)
        parts.append(pd.DataFrame({
            "replication": replication, "step": table["step"], "behavior": table["behavior"],
            "by": by, "group": table[by].astype(str), "people": table["people"],
            "adopters": table["adopters"], "fraction": table["fraction"],
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _one_at_a_time(scenario, seed, which):
    """The three tables, each replication summarised on its own (what Scenario.run did
    before batches), and the batch of the same models."""
    models = [scenario.model(seed, r).run(scenario.steps) for r in which]
    costs = [scenario.rollout.cost(m.plan) for m in models]
    spent = [scenario.rollout.spending(m.plan, m.plan.trained_by_week(scenario.steps),
                                       m.plan.asked_by_week(m.access_since, scenario.steps))
             for m in models]  # fmt: skip
    records, curves, groups = [], [], []
    for r, model, cost, paid in zip(which, models, costs, spent, strict=True):
        adoption = model.adoption
        record = summary(adoption, by_unit=model.adoption_by("unit"), cost=cost)
        facts = people_facts(model.stage, model.adopted_at, model.rule.behaviors)
        records.append({"replication": r, **record, **facts,
                        "endorsers_final": model.endorsers})  # fmt: skip
        weeks = adoption["step"].to_numpy()
        # The reach: who ever held the first rung by each week, on that rung's rows only.
        first = adoption["behavior"] == model.rule.behaviors[0]
        at = model.adopted_at
        ever = np.array([((at >= 0) & (at <= week)).sum() / model.network.n for week in weeks])
        reach = np.where(first, ever, np.nan)
        curves.append(adoption.assign(replication=r, reach=reach, spent=paid[weeks]))
        groups.append(_groups(r, model))
    timeseries = pd.concat(curves, ignore_index=True)
    order = ["replication"] + [c for c in timeseries.columns if c != "replication"]
    expected = (pd.DataFrame.from_records(records), timeseries[order],
                pd.concat(groups, ignore_index=True))  # fmt: skip
    return expected, RunBatch.from_models(which, models, costs, spent)


def _assert_tables_equal(got, expected):
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert_frame_equal(mine, theirs, check_exact=True)


@pytest.mark.parametrize("overrides", CASES.values(), ids=CASES.keys())
def test_a_batch_gives_the_tables_of_its_replications_one_at_a_time(overrides):
    expected, batch = _one_at_a_time(_scenario(overrides), SEED, WHICH)
    _assert_tables_equal(batch_tables(batch), expected)
    _assert_tables_equal(batch_tables(batch, groups=False), expected[:2])


def test_the_edge_cases_happen():
    """The cases above reach what they are named for (else they would test nothing new)."""
    runs = {name: _one_at_a_time(_scenario(o), SEED, WHICH)[0][0]
            for name, o in CASES.items() if name in ("nothing spent", "week 0 alone",
                                                      "one behavior", "one week")}  # fmt: skip
    free = runs["nothing spent"]
    assert (free["cost_total"] == 0).all() and free["adopters_per_cost_consume"].isna().all()
    assert runs["week 0 alone"]["mean_fraction_consume"].isna().all()
    assert runs["one behavior"]["contributors_of_users"].isna().all()
    assert runs["one week"]["weeks_to_80pct_create"].isna().all()
    assert runs["one week"]["rogers_innovators"].isna().any()


def test_a_batch_gives_what_the_scenario_runs():
    """The contract a batched Scenario.run keeps: the same tables as the stepped runs."""
    scenario = _scenario(CASES["change team's budget, humanized"])
    _, batch = _one_at_a_time(scenario, SEED, WHICH)
    _assert_tables_equal(batch_tables(batch), scenario.run(SEED, WHICH, groups=True))


# -- batches made up at random: every value path of the summary and the people's facts -----


def _reference_runs(batch):
    records = []
    b, u = len(batch.behaviors), len(batch.unit_names)
    weeks = np.arange(batch.holders.shape[1])
    for k, r in enumerate(batch.replications):
        adoption = adoption_table(weeks, batch.behaviors, batch.holders[k], batch.new[k],
                                  batch.lapses[k], batch.with_access[k], batch.n)  # fmt: skip
        by_unit = pd.DataFrame({
            "step": np.repeat(weeks, b * u),
            "behavior": np.tile(np.repeat(np.asarray(batch.behaviors, dtype=object), u),
                                weeks.shape[0]),
            "people": np.tile(batch.unit_people, weeks.shape[0] * b),
            "fraction": (batch.unit_holders[k] / np.maximum(batch.unit_people, 1)).ravel(),
        })  # fmt: skip
        cost = None if batch.cost is None else {k_: v[k] for k_, v in batch.cost.items()}
        facts = people_facts(batch.stage[k], batch.adopted_at[k], batch.behaviors)
        record = summary(adoption, by_unit=by_unit, cost=cost)
        records.append({"replication": int(r), **record, **facts})
    return pd.DataFrame.from_records(records)


def _random_batch(rng, r, w, b, n, u, levels, costs, late=None):
    def counts(*shape, top=n):
        return rng.integers(0, top + 1, shape, dtype=np.int64)

    unit_people = rng.integers(0, 6, u, dtype=np.int64)  # a unit may be empty
    adopted_at = rng.integers(-1, w, (r, n)).astype(np.int32)
    if late is not None:  # many organic adopters: numpy's sums change blocks at 8, 128, 8192
        adopted_at[:, :late] = rng.integers(1, max(w, 2), (r, late))
    cost = None
    if costs:
        cost = {lever: rng.choice([0.0, 0.1, 1.5, 7.0], r) for lever in ("a", "b", "c")[:costs]}
    return RunBatch(
        replications=rng.permutation(50)[:r].astype(np.int64),
        behaviors=("consume", "contribute", "create", "curate")[:b], n=n,
        holders=counts(r, w, b), new=counts(r, w, b), lapses=counts(r, w, b),
        with_access=counts(r, w), unit_names=np.array([f"u{j}" for j in range(u)], dtype=object),
        unit_people=unit_people,
        unit_holders=rng.integers(0, np.maximum(unit_people, 1), (r, w, b, u)),
        level_people=rng.integers(0, 5, levels, dtype=np.int64),
        level_holders=rng.integers(0, 5, (r, w, b, levels)),
        stage=rng.integers(0, b + 1, (r, n)).astype(np.int8), adopted_at=adopted_at, cost=cost,
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), r=st.integers(1, 5), w=st.integers(1, 12),
       b=st.integers(1, 4), n=st.integers(1, 40), u=st.integers(1, 12),
       costs=st.integers(0, 3))  # fmt: skip
def test_made_up_batches_give_the_summaries_one_at_a_time(seed, r, w, b, n, u, costs):
    batch = _random_batch(np.random.default_rng(seed), r, w, b, n, u, 3, costs)
    assert_frame_equal(batch_tables(batch, groups=False)[0], _reference_runs(batch),
                       check_exact=True)  # fmt: skip


def test_many_organic_adopters_give_rogers_categories_one_at_a_time():
    rng = np.random.default_rng(7)
    batch = _random_batch(rng, 4, 53, 3, 20_000, 9, 5, 2, late=9_000)
    assert_frame_equal(batch_tables(batch, groups=False)[0], _reference_runs(batch),
                       check_exact=True)  # fmt: skip


def test_a_batch_of_the_wrong_shape_says_which_field():
    batch = _random_batch(np.random.default_rng(1), 2, 5, 3, 10, 2, 3, 1)
    fields = {k: getattr(batch, k) for k in batch.__dataclass_fields__}
    with pytest.raises(ValueError, match=r"'unit_holders' field of RunBatch must have shape"):
        RunBatch(**{**fields, "unit_holders": batch.unit_holders[:, 1:]})
    with pytest.raises(ValueError, match=r"'behaviors' field of RunBatch must name the 3"):
        RunBatch(**{**fields, "behaviors": ("consume",)})


def test_segment_sums_add_as_numpy_sums_each_segment():
    """The spread of adoption weeks (Rogers' z) adds each replication's deviations as
    ``ndarray.sum`` does: pairwise, in blocks that change at 8, 128 and 8,192 values
    (``np.add.reduceat`` alone starts from a segment's first value, and differs)."""
    from sim.records import _segment_sums

    rng = np.random.default_rng(0)
    counts = np.array([0, 1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8192, 8193, 20_000, 0])
    values = rng.random(counts.sum()) * 1e3
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    expected = [values[s : s + c].sum() for s, c in zip(starts, counts, strict=True)]
    assert _segment_sums(values, counts).tolist() == expected


def test_the_tables_keep_nothing_of_the_batch_s_arrays():
    """A batched run may fill the same arrays again for its next batch."""
    batch = _random_batch(np.random.default_rng(3), 3, 6, 3, 30, 4, 3, 2)
    tables = batch_tables(batch)
    kept = [t.copy(deep=True) for t in tables]
    for value in (*vars(batch).values(), *batch.cost.values()):
        if isinstance(value, np.ndarray) and value.dtype != object:
            value[...] = 1
    _assert_tables_equal(tables, kept)
