"""The base's sampling part: one batch alone, max_tries_per_batch, batch_size of conditions, and
the sampling context kept off the fitted synthesizer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulacra import Condition, GaussianCopulaSynthesizer, Metadata
from simulacra.constraints import ScalarRange, Unique, create_custom_constraint_class
from simulacra.errors import ConstraintError, NotFittedError, ParameterError
from simulacra.sampling import BatchPlan


def _table(n=300, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "key": [f"K{i:04d}" for i in range(n)],
            "x": rng.normal(10, 3, n).round(2),
            "k": rng.choice(100_000, n, replace=False),
            "cat": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
        }
    )


DF = _table()


def _md():
    md = Metadata.detect_from_dataframe(DF)
    md.update_column("key", sdtype="id", regex_format="K[0-9]{4}")
    md.set_primary_key("key")
    return md


@pytest.fixture(scope="module")
def synth():
    return GaussianCopulaSynthesizer(_md()).fit(DF)


@pytest.mark.parametrize("num_rows,batch_size", [(250, 100), (100, 100), (7, 3), (0, 10)])
def test_batches_alone_equal_the_full_run(synth, num_rows, batch_size):
    plan = synth.plan(num_rows, batch_size=batch_size, seed=5)
    assert isinstance(plan, BatchPlan) and plan.n_batches == max(1, -(-num_rows // batch_size))
    alone = pd.concat([synth.sample_batch(plan, b) for b in range(plan.n_batches)], ignore_index=True)
    full = synth.sample(num_rows, seed=5, batch_size=batch_size)
    pd.testing.assert_frame_equal(alone, full)
    # in any order, and the middle batch by itself
    if plan.n_batches > 2:
        start, n, _ = plan.batch(1)
        pd.testing.assert_frame_equal(synth.sample_batch(plan, 1), full.iloc[start : start + n].reset_index(drop=True))


def test_a_batch_alone_keeps_ids_unique_across_the_run(synth):
    plan = synth.plan(3000, batch_size=500, seed=1)
    keys = pd.concat([synth.sample_batch(plan, b)["key"] for b in reversed(range(plan.n_batches))])
    assert keys.is_unique and len(keys) == 3000


def test_sample_batch_refuses_a_batch_outside_the_plan_and_an_unfitted_model(synth):
    plan = synth.plan(10, batch_size=5, seed=0)
    for b in (-1, 2):
        with pytest.raises(ParameterError, match="outside the plan"):
            synth.sample_batch(plan, b)
    with pytest.raises(NotFittedError):
        GaussianCopulaSynthesizer(_md()).plan(10)


def test_unique_batches_are_refused_alone_after_the_first():
    s = GaussianCopulaSynthesizer(_md())
    s.add_constraints([Unique(["k"])])
    s.fit(DF)
    plan = s.plan(200, batch_size=50, seed=2)
    first = s.sample_batch(plan, 0)
    full = s.sample(200, seed=2, batch_size=50)
    pd.testing.assert_frame_equal(first, full.iloc[:50])
    assert full["k"].is_unique
    with pytest.raises(ConstraintError, match="cannot be made alone: Unique"):
        s.sample_batch(plan, 1)


def test_the_run_context_is_not_kept_on_the_synthesizer(synth):
    before = dict(vars(synth))
    synth.sample(100, seed=0, batch_size=30)
    synth.sample_from_conditions([Condition({"cat": "b"}, 5)], seed=0)
    assert set(vars(synth)) == set(before)
    assert all(vars(synth)[k] is before[k] for k in before)


def _always_rejects():
    never = create_custom_constraint_class(lambda cols, data: np.zeros(len(data), dtype=bool))
    return never(column_names=["x"])


def test_max_tries_per_batch_bounds_the_rounds():
    s = GaussianCopulaSynthesizer(_md())
    s.add_constraints([ScalarRange("x", 7.0, 13.0)])
    s.fit(DF.assign(x=DF["x"].clip(7.0, 13.0)))
    calls = []
    original = s._sample

    def counting(n, rng):
        calls.append(n)
        return original(n, rng)

    s._sample = counting
    # ScalarRange is transform-based: the first round makes every row
    s.sample(20, seed=0, max_tries_per_batch=1)
    assert len(calls) == 1

    r = GaussianCopulaSynthesizer(_md())
    r.fit(DF)
    r._constraints.append(_always_rejects())  # a rule nothing meets: every round is spent
    for tries in (1, 3):
        with pytest.raises(ConstraintError, match=f"after {tries} rounds of re-drawing"):
            r.sample(10, seed=0, max_tries_per_batch=tries)
        with pytest.raises(ConstraintError, match=f"after {tries} rounds of re-drawing"):
            r.sample_from_conditions([Condition({"cat": "a"}, 3)], max_tries_per_batch=tries, seed=0)
        with pytest.raises(ConstraintError, match=f"after {tries} rounds of re-drawing"):
            r.sample_remaining_columns(DF[["cat"]].head(3), max_tries_per_batch=tries, seed=0)
    with pytest.raises(ConstraintError, match="after 100 rounds"):
        r.sample(5, seed=0)
    for bad in (0, -1, 2.5, "3", True):
        with pytest.raises(ParameterError, match="max_tries_per_batch"):
            r.sample(5, seed=0, max_tries_per_batch=bad)


def test_condition_batch_size_splits_the_rows_and_default_is_unchanged():
    # about batch splitting: a condition on a column a learned rule reads (x) is met by re-drawing,
    # which an exact float value never is; without learned rules the copula conditions exactly
    synth = GaussianCopulaSynthesizer(_md(), learn_rules=False).fit(DF)
    cond = [Condition({"cat": "a"}, 50), Condition({"x": 10.0}, 30)]
    default = synth.sample_from_conditions(cond, seed=4)
    assert default.equals(synth.sample_from_conditions(cond, seed=4, batch_size=None))
    assert default.equals(synth.sample_from_conditions(cond, seed=4, batch_size=50))  # fits one batch: unchanged
    batched = synth.sample_from_conditions(cond, seed=4, batch_size=7)
    assert batched.equals(synth.sample_from_conditions(cond, seed=4, batch_size=7))
    assert not batched.equals(default)
    assert len(batched) == 80 and (batched["cat"].iloc[:50] == "a").all() and (batched["x"].iloc[50:] == 10.0).all()
    assert batched["key"].is_unique
    # each batch draws from its own seed: two batches of one condition are not the same rows
    assert not batched["k"].iloc[:7].reset_index(drop=True).equals(batched["k"].iloc[7:14].reset_index(drop=True))
    with pytest.raises(ParameterError, match="batch_size must be a positive integer"):
        synth.sample_from_conditions(cond, batch_size=0)


def test_remaining_columns_batch_size(synth):
    known = pd.DataFrame({"cat": ["a"] * 40 + ["c"] * 20})
    default = synth.sample_remaining_columns(known, seed=1)
    assert default.equals(synth.sample_remaining_columns(known, seed=1, batch_size=40))
    batched = synth.sample_remaining_columns(known, seed=1, batch_size=8)
    assert not batched.equals(default)
    pd.testing.assert_series_equal(batched["cat"], known["cat"])
    assert batched["key"].is_unique
    with pytest.raises(ParameterError, match="batch_size"):
        synth.sample_remaining_columns(known, batch_size=-3)


def test_zero_rows_with_constraints_is_an_empty_table():
    s = GaussianCopulaSynthesizer(_md())
    s.add_constraints([Unique(["k"])])
    s.fit(DF)
    out = s.sample(0, seed=0)
    assert len(out) == 0 and list(out.columns) == list(DF.columns)


def test_a_batch_alone_from_a_pickled_plan_and_a_loaded_model(synth, tmp_path):
    """What a worker process gets: the model file and the plan (pickled), nothing of the run."""
    import pickle

    from simulacra.synthesizers import BaseSynthesizer

    plan = synth.plan(900, batch_size=200, seed=np.random.SeedSequence(21))
    synth.save(tmp_path / "m.zip")
    worker_plan = pickle.loads(pickle.dumps(plan))
    worker = BaseSynthesizer.load(tmp_path / "m.zip")
    full = synth.sample(900, seed=np.random.SeedSequence(21), batch_size=200)
    start, n, _ = plan.batch(3)
    pd.testing.assert_frame_equal(
        worker.sample_batch(worker_plan, 3), full.iloc[start : start + n].reset_index(drop=True)
    )


@pytest.mark.parametrize("b", [True, False, 1.0, "1", None, np.float64(0.0)])
def test_sample_batch_wants_an_integer_batch_index(synth, b):
    plan = synth.plan(10, batch_size=5, seed=0)
    with pytest.raises(ParameterError, match=r"b must be an integer batch index from 0 to 1 .*got"):
        synth.sample_batch(plan, b)
    with pytest.raises(ParameterError, match="b must be an integer batch index"):
        plan.batch(b)
    pd.testing.assert_frame_equal(synth.sample_batch(plan, np.int64(1)), synth.sample_batch(plan, 1))


@pytest.mark.parametrize("plan", ["plan", None, 3, (10, 5, 0)])
def test_sample_batch_wants_a_plan(synth, plan):
    with pytest.raises(ParameterError, match=r"plan must be a BatchPlan, as synth.plan\(num_rows"):
        synth.sample_batch(plan, 0)


@pytest.mark.parametrize(
    "attr,value,match",
    [
        ("batch_size", 0, "the plan's batch_size must be a positive integer"),
        ("batch_size", 2.5, "the plan's batch_size must be a positive integer"),
        ("batch_size", 3, "does not match its 10 rows in batches of 3"),
        ("num_rows", -1, "the plan's num_rows must be a non-negative integer"),
        ("n_batches", 7, "does not match its 10 rows in batches of 5"),
        ("seed_sequence", 0, "seed_sequence is not a numpy SeedSequence"),
    ],
)
def test_sample_batch_refuses_a_plan_changed_after_it_was_made(synth, attr, value, match):
    plan = synth.plan(10, batch_size=5, seed=0)
    setattr(plan, attr, value)
    with pytest.raises(ParameterError, match=match):
        synth.sample_batch(plan, 0)
