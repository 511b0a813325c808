"""Mergeable per-partition statistics (simulacra.utils.sketch): known answers, merge == all at once."""

import numpy as np
import pandas as pd

from simulacra.utils.sketch import (
    BottomKSample,
    CategoryCounts,
    EdgeCounts,
    PairMoments,
    StratifiedSample,
    merge_all,
    partition_generator,
)
from simulacra.utils.stats import pairwise_pearson


def _parts(x, k):
    return np.array_split(x, k)


def test_edge_counts_are_exact_at_edges_and_merge_exactly():
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(size=100_000), np.zeros(20_000), [np.nan] * 5]  # an atom at 0
    rng.shuffle(x)
    proto = EdgeCounts.from_sample(rng.choice(x, 5_000), n_edges=512)
    parts = [EdgeCounts(proto.edges).update(p) for p in _parts(x, 9)]
    merged = merge_all([EdgeCounts.from_state(p.to_state()) for p in parts])
    whole = EdgeCounts(proto.edges).update(x)
    assert np.array_equal(merged.counts, whole.counts) and merged.n == 120_000
    s = np.sort(x[~np.isnan(x)])
    exact = np.searchsorted(s, merged.edges, side="right") / len(s)
    assert np.allclose(merged.cdf(merged.edges), exact, atol=1e-12)
    assert np.isclose(merged.cdf([0.0])[0], np.mean(s <= 0))  # the atom's full mass at its value
    qs = np.linspace(0.001, 0.999, 999)
    est = merged.quantiles(qs)
    lo, hi = np.searchsorted(s, est, side="left") / len(s), np.searchsorted(s, est, side="right") / len(s)
    err = np.maximum(lo - qs, qs - hi).clip(0)
    assert err.max() <= merged.rank_error + 1e-9 and merged.rank_error < 0.01
    assert merged.quantiles([0.0, 1.0]).tolist() == [s[0], s[-1]]


def test_category_counts_merge_and_cap():
    rng = np.random.default_rng(2)
    v = pd.Series(rng.choice(list("abcdefgh"), 10_000, p=[0.4, 0.2, 0.15, 0.08, 0.07, 0.05, 0.03, 0.02]))
    v[::50] = None
    pieces = [v.iloc[i * 2500 : (i + 1) * 2500] for i in range(4)]
    merged = merge_all([CategoryCounts().update(p) for p in pieces])
    merged = CategoryCounts.from_state(merged.to_state())
    assert merged.counts.to_dict() == v.value_counts().to_dict() and merged.nulls == 200 and merged.n == 10_000
    assert merged.frequencies().index[0] == "a" and not merged.overflow
    capped = merge_all([CategoryCounts(max_categories=3).update(p) for p in pieces])
    assert capped.overflow and len(capped.counts) == 3 and capped.n == 10_000
    assert set(capped.counts.index) == {"a", "b", "c"} and capped.counts["a"] == merged.counts["a"]


def test_pair_moments_equal_the_in_memory_correlation():
    rng = np.random.default_rng(3)
    X = rng.multivariate_normal([0, 5, -2], [[1, 0.6, 0.2], [0.6, 2, -0.5], [0.2, -0.5, 1]], size=30_000)
    X[rng.random(X.shape) < 0.1] = np.nan
    parts = [PairMoments(3).update(p) for p in _parts(X, 5)]
    a = merge_all([PairMoments.from_state(p.to_state()) for p in parts])
    b = merge_all([PairMoments(3).update(p) for p in _parts(X, 2)])
    assert np.array_equal(a.n, b.n)
    assert np.allclose(a.sp, b.sp, rtol=1e-12) and np.allclose(a.s, b.s, rtol=1e-12)
    assert np.allclose(a.correlation(), pairwise_pearson(X), atol=1e-10)
    const = np.c_[np.ones(100), rng.normal(size=100)]
    assert np.isnan(PairMoments(2).update(const).correlation()[0, 1])


def test_samples_are_deterministic_whatever_the_order():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"v": np.arange(20_000), "c": np.where(rng.random(20_000) < 0.001, "rare", "common")})
    parts = [df.iloc[i * 2500 : (i + 1) * 2500] for i in range(8)]

    def sample(order, cls=BottomKSample, **kw):
        pieces = [cls(500, **kw).update(parts[i], 7, i) for i in order]
        return merge_all([cls.from_state(p.to_state()) for p in pieces]).frame()

    a, b = sample(range(8)), sample([7, 3, 1, 0, 2, 6, 5, 4])
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 500 and a["v"].is_monotonic_increasing and a["v"].is_unique
    other_seed = merge_all([BottomKSample(500).update(parts[i], 8, i) for i in range(8)]).frame()
    assert len(other_seed) == 500 and not other_seed["v"].equals(a["v"])
    # proportional: about 500 / 8 a partition
    assert np.histogram(a["v"], bins=8, range=(0, 20_000))[0].min() > 30
    s = sample(range(8), StratifiedSample, strata=["c"], min_per_stratum=10)
    s2 = sample([4, 5, 6, 7, 0, 1, 2, 3], StratifiedSample, strata=["c"], min_per_stratum=10)
    pd.testing.assert_frame_equal(s, s2)
    n_rare = int((df["c"] == "rare").sum())
    assert n_rare > 10 and (a["c"] == "rare").sum() < 5  # a uniform sample of 2.5 % keeps few rare rows
    assert (s["c"] == "rare").sum() >= 10  # the floor keeps 10 of them
    assert len(s) <= 500 + 20 and set(a["v"]) <= set(s["v"])  # the uniform part is the bottom-k sample


def test_row_keys_do_not_depend_on_the_partition_size():
    from simulacra.utils.sketch import row_keys

    keys, ids = row_keys(3, 1, 0, 1000)
    k2 = np.concatenate([row_keys(3, 1, a, b - a)[0] for a, b in [(0, 10), (10, 777), (777, 1000)]])
    assert np.array_equal(keys, k2) and (keys >= 0).all() and ids[5] == (1 << 40) + 5
    df = pd.DataFrame({"v": np.arange(1000)})
    one = BottomKSample(50).update(df, 3, 1, first_row=0).frame()
    cut = merge_all([BottomKSample(50).update(df.iloc[a:b], 3, 1, first_row=a) for a, b in [(0, 300), (300, 1000)]])
    pd.testing.assert_frame_equal(one, cut.frame())
    limited = StratifiedSample(50, key_limit=2**62).update(df, 3, 1, first_row=0)  # about 500 keys under the limit
    assert limited.exact and limited.frame().equals(one)
    assert not StratifiedSample(50, key_limit=2**50).update(df, 3, 1, first_row=0).exact


def test_partition_generator_is_a_spawned_child():
    child = np.random.SeedSequence(5).spawn(3)[2]
    assert partition_generator(5, 2).random() == np.random.default_rng(child).random()
    assert partition_generator(5, 2, 0).random() != partition_generator(5, 2, 1).random()
