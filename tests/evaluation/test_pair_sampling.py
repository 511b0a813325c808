"""Column Pair Trends on tables with more pairs than max_pairs: a seeded, stated sample of pairs."""

import itertools

import numpy as np
import pandas as pd
import pytest

from simulacra.errors import InvalidDataError, ParameterError
from simulacra.evaluation import QualityReport, evaluate_quality, get_correlation_difference_plot
from simulacra.evaluation.pair_metrics import choose_pairs
from simulacra.utils.stats import pairwise_pearson, pearson_pairs


def _tables(n=80, cols=30, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, 1))
    real = pd.DataFrame({f"x{j}": (base[:, 0] * rng.uniform(-1, 1) + rng.standard_normal(n)) for j in range(cols)})
    real["cat"] = np.where(real["x0"] > 0, "a", "b")
    real["x3"] = 2.0  # constant: an error row, as in SDMetrics
    real.loc[::7, "x5"] = np.nan
    syn = real.sample(frac=1, replace=True, random_state=1).reset_index(drop=True)
    meta = {"columns": {c: {"sdtype": "categorical" if c == "cat" else "numerical"} for c in real.columns}}
    return real, syn, meta


def test_choose_pairs_all_and_sampled():
    i, j, total = choose_pairs(12, None)
    assert total == 66 and list(zip(i, j)) == list(itertools.combinations(range(12), 2))
    i, j, total = choose_pairs(12, 66)
    assert len(i) == 66
    i, j, total = choose_pairs(200, 500, seed=4)
    pairs = list(zip(i.tolist(), j.tolist()))
    assert total == 19_900 and len(set(pairs)) == 500 and pairs == sorted(pairs) and all(a < b < 200 for a, b in pairs)
    assert np.array_equal(choose_pairs(200, 500, seed=4)[0], i)  # seeded
    assert not np.array_equal(choose_pairs(200, 500, seed=5)[1], j)


def test_pearson_pairs_equals_the_matrix():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 25))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 3] = 1.0
    X[:39, 8] = np.nan  # one present value: no correlation
    i, j, _ = choose_pairs(25, None)
    R = pairwise_pearson(X)[i, j]
    r = pearson_pairs(X, i, j, block_cells=97)
    assert np.array_equal(np.isnan(r), np.isnan(R))
    np.testing.assert_allclose(r[~np.isnan(r)], R[~np.isnan(R)], rtol=0, atol=1e-12)


def test_sampled_pairs_are_the_same_rows_as_all_pairs():
    real, syn, meta = _tables()
    full = evaluate_quality(real, syn, meta, verbose=False)
    assert full.pair_sampling["sampled"] is False and full.pair_sampling_text() is None
    assert "column pairs" not in full.summary()
    part = evaluate_quality(real, syn, meta, verbose=False, max_pairs=100, seed=7)
    total = 31 * 30 // 2
    assert part.pair_sampling == {"scored": 100, "total": total, "sampled": True, "seed": 7, "max_pairs": 100}
    assert f"random sample of 100 of the {total:,} column pairs (seed 7" in part.summary()
    a = full.get_details("Column Pair Trends").set_index(["Column 1", "Column 2"])
    b = part.get_details("Column Pair Trends").set_index(["Column 1", "Column 2"])
    assert len(b) == 100 and b.index.isin(a.index).all()
    pd.testing.assert_frame_equal(b, a.loc[b.index], check_exact=False, atol=1e-12)
    assert "ConstantInputError" in " ".join(a["Error"].dropna())
    # the same seed gives the same report; the property is the mean over the sample
    again = evaluate_quality(real, syn, meta, verbose=False, max_pairs=100, seed=7)
    assert again.get_score() == part.get_score()
    used = b.loc[b["Meets Threshold?"], "Score"]
    assert part.get_properties()["Score"].iloc[1] == pytest.approx(used.mean())


def test_max_pairs_none_or_zero_scores_all_and_bad_values_are_refused():
    real, syn, meta = _tables(cols=8)
    for value in (None, 0):
        q = QualityReport(max_pairs=value)
        q.generate(real, syn, meta, verbose=False)
        assert q.pair_sampling["scored"] == q.pair_sampling["total"] == 36
    for bad in (-1, 2.5, "10", True):
        with pytest.raises(ParameterError, match="max_pairs"):
            QualityReport(max_pairs=bad)


def test_correlation_heatmap_is_capped_and_says_so():
    real, syn, meta = _tables(cols=60)
    svg = get_correlation_difference_plot(real, syn, meta).to_svg()
    assert "the first 50 of 60 columns" in svg and svg.count("<rect") < 50 * 50 + 10
    full = get_correlation_difference_plot(real, syn, meta, max_columns=None).to_svg()
    assert "the first" not in full and full.count("<rect") >= 60 * 60
    with pytest.raises(InvalidDataError, match="max_columns"):
        get_correlation_difference_plot(real, syn, meta, max_columns=1)


def test_column_shapes_chart_keeps_the_lowest_scores():
    real, syn, meta = _tables(cols=30)
    q = evaluate_quality(real, syn.assign(x9=syn["x9"] + 5), meta, verbose=False)
    svg = q.get_visualization("Column Shapes", max_items=5).to_svg()
    assert "the 5 lowest of 31" in svg and "x9" in svg
