"""The sampling hooks of every constraint: run_filter / run_accept / tracks_run / guaranteed_by, and fit(check=)."""

import numpy as np
import pandas as pd
import pytest

from simulacra.constraints import (
    BUILTINS,
    Constraint,
    FixedCombinations,
    FixedIncrements,
    Inequality,
    MissingCustom,
    Negative,
    OneHot,
    OneHotEncoding,
    Positive,
    Range,
    ScalarInequality,
    ScalarRange,
    Unique,
    create_custom_constraint_class,
    run_store,
)
from simulacra.errors import ConstraintError


class FakeContext:
    """What the sampler's SamplingContext offers constraints: one dict per key for the whole run."""

    def __init__(self):
        self.stores = {}

    def store(self, key):
        return self.stores.setdefault(key, {})


def _table(n=40, seed=0):
    rng = np.random.default_rng(seed)
    low = rng.integers(0, 50, n).astype(float)
    hot = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "low": low,
            "high": low + rng.integers(-3, 20, n),
            "step": rng.integers(-2, 20, n) * 5 + rng.integers(0, 2, n),
            "city": rng.choice(["Oslo", "Rome", "Pisa"], n),
            "country": rng.choice(["NO", "IT"], n),
            "h0": (hot == 0).astype(int),
            "h1": (hot == 1).astype(int),
            "h2": (hot >= 1).astype(int),
            "code": rng.integers(0, 8, n),
            "top": low + 30,
        }
    )


def _every_builtin():
    return [
        Inequality("low", "high"),
        ScalarRange("low", 5, 40),
        Positive("step", strict=True),
        Negative("step"),
        FixedCombinations(["city", "country"]),
        OneHot(["h0", "h1", "h2"]),
        Unique(["code"]),
        FixedIncrements("step", 5),
        ScalarInequality("low", ">=", 10),
        Range("low", "high", "top"),
        OneHotEncoding(["h0", "h1", "h2"]),
    ]


def test_every_builtin_is_in_the_hook_cases():
    assert sorted(type(c).__name__ for c in _every_builtin()) == sorted(
        n for n, cls in BUILTINS.items() if not getattr(cls, "learned", False)
    )


@pytest.mark.parametrize("c", _every_builtin(), ids=repr)
def test_run_filter_without_run_memory_equals_is_valid(c):
    df = _table()
    if isinstance(c, FixedCombinations):  # learns its combinations from other rows than it is asked about
        known = pd.DataFrame({"city": ["Oslo", "Rome", "Pisa"], "country": ["NO", "IT", "IT"]})
        c.fit(known, {"city": {"sdtype": "categorical"}, "country": {"sdtype": "categorical"}})
    expected = np.asarray(c.is_valid(df), dtype=bool)
    assert 0 < expected.sum() < len(df), "the case must have rows of both kinds"
    got = c.run_filter(df, FakeContext())
    assert got.dtype == bool and np.array_equal(got, expected)
    if not c.tracks_run:
        assert c.run_accept(df, FakeContext()) is None


def test_only_unique_tracks_the_run():
    assert [type(c).__name__ for c in _every_builtin() if c.tracks_run] == ["Unique"]
    assert not MissingCustom("Mine").tracks_run
    assert not create_custom_constraint_class(lambda cols, data: np.ones(len(data), bool))(["low"]).tracks_run


def test_unique_holds_across_batches_through_the_context():
    u = Unique(["code"])
    ctx = FakeContext()
    first = pd.DataFrame({"code": [1, 2, 2, 3]})
    keep = u.run_filter(first, ctx)
    assert keep.tolist() == [True, True, False, True]  # duplicates within the batch
    u.run_accept(first[keep], ctx)
    second = pd.DataFrame({"code": [3, 4, 4, 1, 5]})
    assert u.run_filter(second, ctx).tolist() == [False, True, False, False, True]  # seen earlier in the run
    assert u.run_filter(second, FakeContext()).tolist() == [True, True, False, True, True]  # a fresh run
    assert u.run_filter(second, None).tolist() == [True, True, False, True, True]  # the batch alone
    # rows the sampler did not keep are not remembered
    u.run_accept(second.iloc[[1]], ctx)
    assert u.run_filter(pd.DataFrame({"code": [4, 5]}), ctx).tolist() == [False, True]
    # the memory lives in the context, not on the constraint
    assert vars(u) == {"column_names": ["code"]}
    hashes = ctx.store(("unique", ("code",)))["hashes"]
    assert hashes.dtype == np.uint64 and len(hashes) == 4 and (np.diff(hashes.astype(float)) > 0).all()


def test_unique_on_several_columns_and_shared_memory():
    a, b = Unique(["x", "y"]), Unique(["x", "y"])
    ctx = FakeContext()
    df = pd.DataFrame({"x": [1, 1, 2], "y": ["a", "b", "a"]})
    assert a.run_filter(df, ctx).all()
    a.run_accept(df, ctx)
    again = pd.DataFrame({"x": [1, 2, 2], "y": ["b", "b", "a"]})
    assert b.run_filter(again, ctx).tolist() == [False, True, False]  # same columns: one memory per run
    assert Unique(["x"]).run_filter(again, ctx).tolist() == [True, True, False]  # other columns: its own


def test_unique_keeps_the_old_hashing():
    """The rows kept are those the synthesizer kept before the hooks (samples unchanged for a seed)."""
    rng = np.random.default_rng(3)
    u, ctx, seen = Unique(["a", "b"]), FakeContext(), set()
    for _ in range(5):
        df = pd.DataFrame({"a": rng.integers(0, 6, 30), "b": rng.choice(["p", "q"], 30)})
        h = pd.util.hash_pandas_object(df[["a", "b"]], index=False).to_numpy()
        old = ~pd.Series(h).duplicated().to_numpy() & ~np.isin(h, np.fromiter(seen, dtype=np.uint64, count=len(seen)))
        keep = u.run_filter(df, ctx)
        assert np.array_equal(keep, old)
        kept = df[keep].iloc[:7]
        u.run_accept(kept, ctx)
        seen.update(pd.util.hash_pandas_object(kept, index=False).tolist())
    assert set(ctx.store(("unique", ("a", "b")))["hashes"].tolist()) == seen


def test_run_store_takes_a_context_or_a_dict():
    ctx = FakeContext()
    assert run_store(ctx, "k") is run_store(ctx, "k") is ctx.stores["k"]
    plain = {}
    assert run_store(plain, "k") is run_store(plain, "k") is plain["k"]
    with pytest.raises(TypeError, match="store"):
        run_store(object(), "k")


def test_fit_only_learns_unless_asked_to_check():
    # fit(data, columns_meta) learns only (the synthesizer checks the real rows first, with check);
    # check=True, for a direct call on a real table, checks first
    df = pd.DataFrame({"low": [1.0, 5.0], "high": [2.0, 3.0], "step": [5, 7]})
    meta = {c: {"sdtype": "numerical"} for c in df}
    for c in (Inequality("low", "high"), FixedIncrements("step", 5), ScalarRange("low", 0, 2), Positive("step")):
        if c.is_valid(df).all():
            continue
        with pytest.raises(ConstraintError, match="real rows break it"):
            c.fit(df, meta, check=True)
        with pytest.raises(ConstraintError, match="real rows break it"):
            c.check(df)
        c.fit(df, meta)  # learns all the same
    onehot = OneHot(["a", "b"])
    bad = pd.DataFrame({"a": [1, 1], "b": [0, 1]})
    with pytest.raises(ConstraintError, match="1 of the 2 real rows"):
        onehot.fit(bad, {}, check=True)
    onehot.fit(bad, {})
    assert onehot.get_state() == {"dtypes": ["int64", "int64"]}
    onehot.fit(bad, {}, check=False)  # the keyword is still accepted
    assert onehot.get_state() == {"dtypes": ["int64", "int64"]}


def test_a_custom_rule_gets_the_default_hooks():
    Small = create_custom_constraint_class(lambda cols, data: data[cols[0]] < 3)
    c = Small(column_names=["v"])
    df = pd.DataFrame({"v": [1, 5, 2]})
    assert c.run_filter(df, FakeContext()).tolist() == [True, False, True]
    assert isinstance(c, Constraint) and not c.tracks_run
    placeholder = MissingCustom("Small")
    assert placeholder.run_filter(df, FakeContext()).all() and placeholder.reverse_transform(df) is df
    assert placeholder.columns == [] and placeholder.altered_columns == []
